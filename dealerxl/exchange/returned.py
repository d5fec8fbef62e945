"""Checking one returned file: is it ours, unaltered where locked, and valid for its form?

:func:`check_file` never writes anything. In order it refuses a file whose package is not
safe to read (:mod:`.package_check`: what the file really is, its sizes, cells beyond what
was issued), that has no manifest or one not signed with the department key, was issued
for a form version that no longer exists, whose table was moved or resized, that holds
anything outside the issued table, or whose locked cells (title, instruction, recipient
line, headers, the recipient and month columns) were changed. Then exactly the signed
table (its sheet, header row, columns and issued rows) is read with :mod:`dealerxl.book`,
the recipient and month columns checked on every row and taken from the manifest, text
too long for a cell or holding control characters refused, and every problem reported at
once with its cell, in the recipient's language.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook
from xlsxwriter.utility import xl_cell_to_rowcol

from dealerxl.book import Problem
from dealerxl.book.grid import Grid
from dealerxl.book.locate import Located
from dealerxl.book.problems import cell_address
from dealerxl.book.validate import validate_located
from dealerxl.book.workbook_file import put_back_errors
from dealerxl.build.workbook import MANIFEST_SHEET, locked_cells
from dealerxl.forms import FORMS, Form

from . import manifest, package_check
from .issue import fixed_values, info_line
from .package_check import DEFAULT_LIMITS, Limits
from .recipients import Recipient

MANIFEST_ROWS = 64  # the manifest sheet holds a few dozen key/value rows in columns A and B
# Characters no cell should carry: C0 controls other than tab, line feed and carriage return
# (PostgreSQL cannot store NUL at all), and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


def _grid(workbook: CalamineWorkbook, package: package_check.Package, sheet: str) -> Grid:
    """One sheet's cells as calamine reads them (its box was checked before), with Excel's
    error cells put back as their text."""
    rows = workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    xml = package.sheet_xml(sheet)
    if b't="e"' in xml:
        put_back_errors(xml, rows)
    return Grid(sheet, rows, (0, 0))


def read_manifest(grid: Grid) -> dict[str, str]:
    return {_text(r[0]): _text(r[1]) for r in grid.rows if len(r) >= 2 and not _blank(r[0])}


def _same_fixed(value, expected) -> bool:
    if _blank(value):
        return True  # a program other than Excel may leave a cell empty; the manifest fills it
    if isinstance(expected, dt.datetime):
        if isinstance(value, (dt.datetime, dt.date)):
            return (value.year, value.month, value.day) == (expected.year, expected.month, expected.day)
        return str(value).strip()[:10] == expected.strftime("%Y-%m-%d")
    return _text(value).strip() == str(expected)


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


def _issued_table(grid: Grid, geometry: manifest.TableGeometry) -> Grid:
    """Exactly the signed table: its header row and issued rows, its columns (rows short of
    the table's width padded with blanks)."""
    width = len(geometry.columns)
    first, last = geometry.first_column, geometry.last_column + 1
    rows = []
    for index in range(geometry.header_row, min(geometry.last_row + 1, len(grid.rows))):
        cells = list(grid.rows[index][first:last])
        rows.append(cells + [None] * (width - len(cells)))
    return Grid(grid.sheet, rows or [[None] * width], (geometry.header_row, geometry.first_column))


def _fixed(table: Grid, form: Form, fields: dict) -> tuple[Grid, list[Problem]]:
    """The table with the fixed columns filled from the manifest on every typed row, and the
    fixed cells found changed (on any row of the table).

    Each distinct value of a fixed column is compared once (a column repeats one value on
    all its rows), and a row counts as typed when a typed cell holds more than blanks.
    """
    fixed = fixed_values(form, fields["recipient"], fields["period"])
    positions = {c.id: i for i, c in enumerate(form.columns)}
    typed = [positions[c.id] for c in form.columns if c.is_input and c.id not in fixed]
    rows = [list(r) for r in table.rows]
    top, left = table.origin
    body = rows[1:]
    cells_of = itemgetter(*typed) if len(typed) > 1 else (lambda row: (row[typed[0]],)) if typed else (lambda row: ())
    filled = [not (set(values) <= _BLANKS) and not all(_blank(v) for v in values)
              for values in map(cells_of, body)]
    problems = []
    for column_id, expected in fixed.items():
        col = positions[column_id]
        values = [row[col] for row in body]
        wrong = {value for value in set(values) if not _same_fixed(value, expected)}
        shown = expected.strftime("%Y-%m-%d") if isinstance(expected, dt.datetime) else expected
        for index, value in enumerate(values, start=1):
            if value in wrong:
                problems.append(Problem("exchange.fixed_changed", table.sheet, cell_address(top + index, left + col),
                                        form.id, column_id, fields={"value": _text(value), "expected": shown},
                                        label_fields={"field": form.column(column_id).label_key}))
        for row, typed_row in zip(body, filled):
            row[col] = expected if typed_row else None
    problems.sort(key=lambda p: xl_cell_to_rowcol(p.cell))
    last_filled = max((index for index, typed_row in enumerate(filled, start=2) if typed_row), default=1)
    # the untouched rows of the issued table are blank to the reader: leave them out of its work
    return Grid(table.sheet, rows[:max(last_filled, 2)], table.origin), problems


_BLANKS = frozenset({None, ""})


def _outside_problems(grid: Grid, geometry: manifest.TableGeometry, locked: set[str], form: Form) -> list[Problem]:
    """Cells holding something outside the issued table and the locked cells above it (the
    grid reaches no further than the table's last row: the package check saw to that)."""
    found = []
    # above the table every cell but the locked ones; beside it (when the grid is wider) the cells right of it
    beside = range(geometry.header_row, len(grid.rows)) if grid.width > geometry.last_column + 1 else range(0)
    for index in [*range(min(geometry.header_row, len(grid.rows))), *beside]:
        row = grid.rows[index]
        start = 0 if index < geometry.header_row else geometry.last_column + 1
        for col in range(start, len(row)):
            if _blank(row[col]):
                continue
            address = cell_address(index, col)
            if index < geometry.header_row and address in locked:
                continue
            found.append(_outside(grid.sheet, address, geometry, form))
            if len(found) >= 5:
                return found
    return found


def _outside(sheet: str, address: str, geometry: manifest.TableGeometry, form: Form) -> Problem:
    return Problem("exchange.outside_table", sheet, address, form.id,
                   fields={"table": geometry.ref, "rows": geometry.rows})


def _text_problems(table: Grid, form: Form, limits: Limits) -> list[Problem]:
    """Text a cell cannot hold (longer than Excel's limit) or no store can keep (control characters)."""
    problems = []
    top, left = table.origin
    for index, row in enumerate(table.rows[1:], start=1):
        for col, value in enumerate(row):
            if not isinstance(value, str):
                continue
            address = cell_address(top + index, left + col)
            column_id = form.columns[col].id
            if len(value) > limits.cell_chars:
                problems.append(Problem("exchange.text_too_long", table.sheet, address, form.id, column_id,
                                        fields={"length": f"{len(value):,}", "limit": f"{limits.cell_chars:,}"}))
            elif (control := _CONTROL.search(value)) is not None:
                problems.append(Problem("exchange.control_character", table.sheet, address, form.id, column_id,
                                        fields={"code": f"U+{ord(control.group()):04X}"}))
    return problems


def _merged_problems(package: package_check.Package, sheet: str, form: Form,
                     geometry: manifest.TableGeometry) -> list[Problem]:
    if b"mergeCell" not in package.sheet_xml(sheet):
        return []
    problems = []
    for first, last in package.merged_ranges(sheet):
        (_, left), (bottom, _) = xl_cell_to_rowcol(first), xl_cell_to_rowcol(last)
        if bottom >= geometry.header_row and left <= geometry.last_column:
            problems.append(Problem("exchange.merged", sheet, f"{first}:{last}", form.id))
    return problems


_SERIAL_60 = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"([^>]*)>(?:<f[^>]*/>|<f[^>]*>[^<]*</f>)?<v>60(?:\.[0-9]*)?</v>')


def _leap_day_problems(package: package_check.Package, sheet: str, geometry: manifest.TableGeometry,
                       form: Form) -> list[Problem]:
    """Date cells holding serial 60, Excel's 1900-02-29 that never was: a reader shows it as
    1900-02-28, indistinguishable from serial 59, so it is found in the sheet itself."""
    xml = package.sheet_xml(sheet)
    if b"<v>60<" not in xml and b"<v>60." not in xml:
        return []
    dates = {geometry.first_column + i for i, c in enumerate(form.columns) if c.type in ("date", "datetime")}
    problems = []
    for letters, digits, attributes, in _SERIAL_60.findall(xml):
        row, col = int(digits) - 1, package_check._column(letters)
        numeric = b' t="' not in attributes or b' t="n"' in attributes
        if numeric and col in dates and geometry.first_data_row <= row <= geometry.last_row:
            column = form.columns[col - geometry.first_column]
            problems.append(Problem("exchange.leap_day", sheet, f"{letters.decode()}{digits.decode()}", form.id,
                                    column.id, label_fields={"field": column.label_key}))
    return problems


def check_file(path: str | Path, key: bytes | None, *, name: str | None = None,
               limits: Limits = DEFAULT_LIMITS) -> Checked:
    """Check one returned file (called ``name`` in messages; default: its own name).
    Problems keep their message keys: the caller shows them in the recipient's language
    (``fields["lang"]``) once the manifest is trusted."""
    path = Path(path)
    name = name or path.name
    try:
        with package_check.inspect(path, name, limits) as package:
            return _check_package(package, path, key, limits)
    except package_check.Refused as error:
        return Checked(problems=[error.problem])
    except package_check.UNREADABLE:
        return Checked(problems=[Problem("corrupt_workbook", file=name, fields={"file": name})])


def _check_package(package: package_check.Package, path: Path, key: bytes | None, limits: Limits) -> Checked:
    name = package.name
    if MANIFEST_SHEET not in package.sheets:
        return Checked(problems=[Problem("exchange.no_manifest", file=name, fields={"file": name})])
    last_row, last_col, _ = package.used_box(MANIFEST_SHEET)
    if last_row >= MANIFEST_ROWS or last_col >= 2:
        return Checked(problems=[Problem("exchange.bad_manifest", file=name, fields={"file": name})])
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        rows = read_manifest(_grid(workbook, package, MANIFEST_SHEET))
    except Exception:  # calamine raises several unrelated types for damaged files
        return Checked(problems=[Problem("corrupt_workbook", file=name, fields={"file": name})])
    try:
        fields = manifest.verify(rows, key)
        geometry = manifest.TableGeometry.from_fields(fields)
    except manifest.ManifestError as error:
        return Checked(problems=[Problem(error.code, file=name, fields={"file": name, **error.fields})])
    checked = Checked(fields=fields)
    form = FORMS.get(fields["form"])
    if form is None or not form.shared or manifest.form_version(form) != fields["form_version"] \
            or geometry.columns != tuple(c.id for c in form.columns):
        checked.problems.append(Problem("exchange.unknown_version", file=name,
                                        fields={"file": name, "form": fields["form"],
                                                "version": fields["form_version"]}))
        return checked
    sheet = fields["sheet"]
    if sheet not in package.sheets or sheet not in workbook.sheet_names:
        checked.problems.append(Problem("exchange.sheet_missing", file=name, fields={"file": name, "sheet": sheet}))
        return checked
    checked.problems = _placement_problems(package, sheet, geometry, form, fields)
    if checked.problems:
        return checked
    try:
        grid = _grid(workbook, package, sheet)
    except Exception:  # calamine raises several unrelated types for damaged files
        checked.problems.append(Problem("corrupt_workbook", file=name, fields={"file": name}))
        return checked
    locked = _locked_problems(grid, form, fields)
    if locked:
        checked.problems.extend(locked)
        return checked
    outside = _outside_problems(grid, geometry, set(fields["locked_cells"].split(",")), form)
    merged = _merged_problems(package, sheet, form, geometry)
    if outside or merged:
        checked.problems.extend(outside + merged)
        return checked
    table = _issued_table(grid, geometry)
    del grid
    patched, changed = _fixed(table, form, fields)
    located = Located(patched, 0, {column_id: i for i, column_id in enumerate(geometry.columns)}, "table")
    read = validate_located(located, form)
    checked.problems.extend(changed + read.problems + _text_problems(patched, form, limits)
                            + _leap_day_problems(package, sheet, geometry, form))
    if not checked.problems and read.data.empty:
        checked.problems.append(Problem("exchange.empty", sheet, None, form.id, fields={"file": name}))
    if not checked.problems:
        computed = [c.id for c in form.columns if not c.is_input]
        # computed columns are left to the jobs: a file saved outside Excel carries no results for them
        checked.frame = read.data.drop(columns=computed).reset_index(drop=True)
    return checked


def _placement_problems(package: package_check.Package, sheet: str, geometry: manifest.TableGeometry, form: Form,
                        fields: dict) -> list[Problem]:
    """The table where it was issued and nothing beyond it, from the package alone (before
    any reader allocates a cell): a moved or resized table, or cells beyond the issued rows
    and columns, are refused with their addresses."""
    last_column = max(geometry.last_column, *(xl_cell_to_rowcol(a)[1] for a in fields["locked_cells"].split(",")))
    last_row, last_col, _ = package.used_box(sheet)
    if last_row > geometry.last_row or last_col > last_column:
        # a box around every cell written may hold formatted blanks only: harmless, no reader
        # makes a cell of them; the exact reading says which cells hold something
        beyond = package.cells_outside(sheet, lambda r, c: r > geometry.last_row or c > last_column)
        if beyond:
            return [_outside(sheet, address, geometry, form) for address in beyond]
    refs = package.table_refs(sheet)
    if refs != [geometry.ref]:
        return [Problem("exchange.table_moved", sheet, None, form.id,
                        fields={"found": ", ".join(r or "?" for r in refs) or "-", "table": geometry.ref})]
    return []
