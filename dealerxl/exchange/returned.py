"""Checking one returned file: is it ours, unaltered where locked, and valid for its form?

:func:`check_file` never writes anything. In order it refuses a file that is not a
readable workbook, has no manifest or one not signed with the department key, was issued
for a form version that no longer exists, or whose locked cells (title, instruction,
recipient line, headers, the recipient and month columns) were changed. Then the rows are
read with :mod:`dealerxl.book`, the recipient and month columns taken from the manifest,
and every problem is reported at once with its cell, in the recipient's language.
"""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
from xlsxwriter.utility import xl_cell_to_rowcol

from dealerxl.book import Problem, WorkbookUnreadable, read_form
from dealerxl.book.grid import Grid
from dealerxl.book.problems import cell_address
from dealerxl.book.workbook_file import WorkbookFile
from dealerxl.build.layout import FIRST_DATA_ROW, HEADER_ROW
from dealerxl.build.workbook import MANIFEST_SHEET, locked_cells
from dealerxl.forms import FORMS, Form

from . import manifest
from .issue import fixed_values, info_line
from .recipients import Recipient


@dataclass
class Checked:
    """What a returned file holds: its manifest (when trusted), rows and problems."""

    fields: dict | None = None
    frame: pd.DataFrame | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.frame is not None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (
        isinstance(value, float) and pd.isna(value))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell(rows, row: int, col: int):
    if row < len(rows) and col < len(rows[row]):
        return rows[row][col]
    return None


def read_manifest(workbook: WorkbookFile) -> dict[str, str] | None:
    if MANIFEST_SHEET not in workbook.sheet_names:
        return None
    rows = workbook.grid(MANIFEST_SHEET).rows
    return {_text(r[0]): _text(r[1]) for r in rows if len(r) >= 2 and not _blank(r[0])}


def _same_fixed(value, expected) -> bool:
    if _blank(value):
        return True  # a program other than Excel may leave a cell empty; the manifest fills it
    if isinstance(expected, dt.datetime):
        if isinstance(value, (dt.datetime, dt.date)):
            return (value.year, value.month, value.day) == (expected.year, expected.month, expected.day)
        return str(value).strip()[:10] == expected.strftime("%Y-%m-%d")
    return _text(value).strip() == str(expected)


class IssuedSource:
    """A returned file as the reader sees it: the issued sheet's recipient and month
    columns come from the manifest, on the rows someone typed into."""

    def __init__(self, inner: WorkbookFile, sheet: str, grid: Grid):
        self.inner, self.sheet, self.patched = inner, sheet, grid
        self.label = inner.label

    @property
    def sheet_names(self) -> list[str]:
        return [n for n in self.inner.sheet_names if n != MANIFEST_SHEET]

    def grid(self, sheet: str) -> Grid:
        return self.patched if sheet == self.sheet else self.inner.grid(sheet)

    def table(self, name: str):
        return self.inner.table(name)

    def defined_name(self, name: str):
        return self.inner.defined_name(name)


def _locked_problems(grid: Grid, form: Form, fields: dict) -> list[Problem]:
    """The locked cells that differ from what was issued (empty when the checksum holds)."""
    addresses = fields["locked_cells"].split(",")
    found = []
    for address in addresses:
        row, col = xl_cell_to_rowcol(address)
        found.append((address, _text(_cell(grid.rows, row, col))))
    if manifest.locked_checksum(found) == fields["locked_checksum"]:
        return []
    recipient = Recipient(fields["recipient"], fields["recipient_name"], fields["lang"])
    expected = dict(locked_cells(form.id, fields["lang"], info_line(recipient, fields["period"])))
    problems = [Problem("exchange.locked_changed", grid.sheet, address, form.id,
                        fields={"value": value, "expected": expected.get(address, "")})
                for address, value in found if expected.get(address) != value]
    return problems or [Problem("exchange.locked_changed_file", grid.sheet, None, form.id)]


def _fixed(grid: Grid, form: Form, fields: dict) -> tuple[Grid, list[Problem]]:
    """The grid with the fixed columns filled from the manifest, and the fixed cells changed."""
    fixed = fixed_values(form, fields["recipient"], fields["period"])
    positions = {c.id: i for i, c in enumerate(form.columns)}
    typed = [positions[c.id] for c in form.columns if c.is_input and c.id not in fixed]
    problems, rows = [], [list(r) for r in grid.rows]
    last_filled = FIRST_DATA_ROW
    for index in range(FIRST_DATA_ROW, len(rows)):
        row = rows[index]
        filled = any(not _blank(row[p]) for p in typed if p < len(row))
        if filled:
            last_filled = index + 1
        for column_id, expected in fixed.items():
            col = positions[column_id]
            while len(row) <= col:
                row.append(None)
            if not _same_fixed(row[col], expected):
                shown = expected.strftime("%Y-%m-%d") if isinstance(expected, dt.datetime) else expected
                problems.append(Problem("exchange.fixed_changed", grid.sheet, cell_address(index, col), form.id,
                                        column_id, fields={"value": _text(row[col]), "expected": shown},
                                        label_fields={"field": form.column(column_id).label_key}))
            row[col] = expected if filled else None
    # the untouched rows of the issued table are blank to the reader: leave them out of its work
    return Grid(grid.sheet, rows[:max(last_filled, FIRST_DATA_ROW + 1)], grid.origin), problems


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MERGED = re.compile(rb'<mergeCell\b[^>]*\bref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"')


def merged_ranges(path: Path, sheet: str) -> list[tuple[str, str]]:
    """The merged ranges of ``sheet`` as (first, last) A1 addresses, from the sheet's XML.

    Merging keeps only the first cell's value, so a merge across the table silently drops
    what the other cells held; the reader cannot see that, the package can.
    """
    try:
        with zipfile.ZipFile(path) as package:
            book = ElementTree.fromstring(package.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels}
            for entry in book.iter(f"{_MAIN}sheet"):
                if entry.get("name") == sheet:
                    target = targets.get(entry.get(f"{_REL}id"), "")
                    part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                        posixpath.join("xl", target))
                    return [(a.decode(), b.decode()) for a, b in _MERGED.findall(package.read(part))]
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return []
    return []


def _merged_problems(path: Path, sheet: str, form: Form) -> list[Problem]:
    problems = []
    for first, last in merged_ranges(path, sheet):
        (_, left), (bottom, _) = xl_cell_to_rowcol(first), xl_cell_to_rowcol(last)
        if bottom >= HEADER_ROW and left < len(form.columns):
            problems.append(Problem("exchange.merged", sheet, f"{first}:{last}", form.id))
    return problems


def check_file(path: str | Path, key: bytes | None) -> Checked:
    """Check one returned file. Problems keep their message keys: the caller shows them in the
    recipient's language (``fields["lang"]``) once the manifest is trusted."""
    path = Path(path)
    name = path.name
    try:
        workbook = WorkbookFile(path)
        rows = read_manifest(workbook)
    except WorkbookUnreadable as error:
        return Checked(problems=[error.problem])
    if rows is None:
        return Checked(problems=[Problem("exchange.no_manifest", file=name, fields={"file": name})])
    try:
        fields = manifest.verify(rows, key)
    except manifest.ManifestError as error:
        return Checked(problems=[Problem(error.code, file=name, fields={"file": name, **error.fields})])
    checked = Checked(fields=fields)
    form = FORMS.get(fields["form"])
    if form is None or not form.shared or manifest.form_version(form) != fields["form_version"]:
        checked.problems.append(Problem("exchange.unknown_version", file=name,
                                        fields={"file": name, "form": fields["form"],
                                                "version": fields["form_version"]}))
        return checked
    if fields["sheet"] not in workbook.sheet_names:
        checked.problems.append(Problem("exchange.sheet_missing", file=name,
                                        fields={"file": name, "sheet": fields["sheet"]}))
        return checked
    try:
        grid = workbook.grid(fields["sheet"])
    except WorkbookUnreadable as error:
        checked.problems.append(error.problem)
        return checked
    locked = _locked_problems(grid, form, fields)
    if locked:
        checked.problems.extend(locked)
        return checked
    merged = _merged_problems(path, fields["sheet"], form)
    if merged:
        checked.problems.extend(merged)
        return checked
    patched, changed = _fixed(grid, form, fields)
    read = read_form(IssuedSource(workbook, fields["sheet"], patched), form.id, lang=fields["lang"])
    checked.problems.extend(changed + read.problems)
    if read.sheet != fields["sheet"]:
        checked.problems.append(Problem("exchange.sheet_missing", file=name,
                                        fields={"file": name, "sheet": fields["sheet"]}))
    if not checked.problems and read.data.empty:
        checked.problems.append(Problem("exchange.empty", fields["sheet"], None, form.id, fields={"file": name}))
    if not checked.problems:
        computed = [c.id for c in form.columns if not c.is_input]
        # computed columns are left to the jobs: a file saved outside Excel carries no results for them
        checked.frame = read.data.drop(columns=computed).reset_index(drop=True)
    return checked
