"""Writing form tables into an existing workbook without Excel, losing nothing of it.

``write_into(path, {form_id: frame})`` replaces the rows of each form's Excel Table
``tbl_<form id>`` with the frame (column ids; coded columns as codes), then saves:

* it refuses, before changing anything, when the file holds parts an openpyxl load → save
  would drop (charts, images, pivot tables, slicers…; :func:`dealerxl.jobs.safety.parts_at_risk`),
  unless the caller writes a new file (``out``) and so keeps the original as it is;
* the VBA project is carried through byte for byte (openpyxl ``keep_vba``), and the ribbon
  (``customUI/…`` parts, their relationship in ``_rels/.rels``, the macro-enabled content
  type) is put back after openpyxl's save, which keeps the ribbon part but drops the
  relationship that makes Excel load it;
* each table is resized to the rows written; old rows below are cleared (their formats and
  checks stay); new rows take the formats of the table's first data row; data validations
  reaching the first data row are extended when the table outgrows them; cells beside or
  below the table are never overwritten (a table that would grow over them is refused);
* computed columns get the form's formula in every row, never values; each formula's result,
  worked out from the row's inputs as a spreadsheet does (:mod:`dealerxl.book.computed`), is
  stored as its cached result, so readers without Excel see the values, and Excel
  recalculates everything on opening;
* openpyxl builds a Python object per cell, which for a sheet of a million rows means
  minutes and gigabytes; so only a table's first data row goes through openpyxl, and the
  rows below it are rendered straight into the saved sheet's XML, a block at a time, with
  the styles openpyxl gave the first row (unless other cells share those rows);
* the file is written under a temporary name and renamed over the target when complete, so
  a failure leaves the previous file as it was;
* in place, it refuses while Excel has the file open (its ``~$`` owner file, naming the user)
  and first keeps a safety copy in ``.dealerxl-backup/`` (:mod:`dealerxl.book.in_place`).
"""
from __future__ import annotations

import copy
import datetime as dt
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dealerxl.forms import get_form
from dealerxl.i18n import has, listed_labels, tr
from dealerxl.book.package_parts import finish_package, sheet_parts
from dealerxl.book.sheet_xml import GeneratedRows, sheet_rewrite, without_rewritten_rows
from dealerxl.jobs.safety import atomic_write, parts_at_risk

# Parts parts_at_risk names that this writer carries through itself.
CARRIED_PARTS = ("ribbon", "macros")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class WriteRefused(ValueError):
    """Nothing was written; ``message(lang)`` says why in the workbook's language.

    ``key`` names the message (``msg.write_into.*`` in ``dealerxl/i18n/sync.tsv``);
    ``fields`` fill it (values that are label keys go in ``label_fields``).
    """

    def __init__(self, key: str, /, label_fields: dict | None = None, **fields: object) -> None:
        self.key, self.fields, self.label_fields = key, fields, label_fields or {}
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        labels = {name: listed_labels(keys, lang) for name, keys in self.label_fields.items()}
        return tr(self.key, lang, **self.fields, **labels)


@dataclass(frozen=True)
class TableWritten:
    """Where one form's rows went: the sheet, the table's new range, the rows written."""

    form_id: str
    sheet: str
    ref: str
    rows: int


@dataclass
class WriteResult:
    """What :func:`write_into` wrote: the file, each table, and the parts it could not keep."""

    path: Path
    tables: dict[str, TableWritten] = field(default_factory=dict)
    dropped_parts: list[str] = field(default_factory=list)
    backup: Path | None = None  # the safety copy of the file as it was (in-place writes)


def refuse_if_open_in_excel(path: Path) -> None:
    """Raise :class:`WriteRefused` naming who has ``path`` open (Excel's ``~$`` owner file)."""
    from dealerxl.book.in_place import WorkbookOpen, refuse_if_open

    try:
        refuse_if_open(path)
    except WorkbookOpen as error:
        if error.user:
            raise WriteRefused("msg.in_place.open_by", file=path.name, user=error.user, lock=error.lock.name) from None
        raise WriteRefused("msg.in_place.open", file=path.name, lock=error.lock.name) from None


def safety_copy(path: Path) -> Path:
    """The file as it is, copied to ``.dealerxl-backup/`` beside it before it is rewritten; a
    copy that cannot be made stops the write (:class:`WriteRefused`)."""
    from dealerxl.book.in_place import keep_safety_copy

    try:
        return keep_safety_copy(path)
    except OSError as error:
        raise WriteRefused("msg.in_place.backup_failed", file=path.name, reason=error.strerror or str(error)) from None


def part_label_key(part: str) -> str:
    """The label key of a part name from :func:`parts_at_risk` (``pivot tables`` → ``part.pivot_tables``)."""
    return "part." + part.replace(" ", "_")


def parts_lost_by_rewrite(path: str | Path) -> list[str]:
    """What a rewrite of ``path`` by this module would lose (the ribbon and macros are kept)."""
    return [p for p in parts_at_risk(path) if p not in CARRIED_PARTS]


def write_into(path: str | Path, tables: dict[str, pd.DataFrame], *, out: str | Path | None = None,
               lang: str | None = None, sheet_rows: int | None = None) -> WriteResult:
    """Replace the rows of each form's table in the workbook ``path`` with ``tables[form_id]``.

    ``out`` writes the result to a new file instead and leaves ``path`` untouched; only then
    may parts openpyxl cannot keep be dropped (they are listed in ``dropped_parts``).
    ``lang`` is the language of dropdown labels written (default: the workbook's own).
    ``sheet_rows`` is the sheet's row limit (default Excel's 1,048,576). Raises
    :class:`WriteRefused` with nothing written when the file cannot be written safely.
    """
    import openpyxl

    from dealerxl.book import workbook_language
    from dealerxl.store import EXCEL_MAX_ROWS

    source = Path(path)
    target = Path(out) if out is not None else source
    in_place = target.resolve() == source.resolve()
    if in_place:
        refuse_if_open_in_excel(source)
    lang = lang or workbook_language(source)  # an unreadable file raises WorkbookUnreadable here
    at_risk = parts_lost_by_rewrite(source)
    if at_risk and in_place:
        raise WriteRefused("msg.unsafe_write", file=source.name,
                           label_fields={"parts": tuple(part_key(p) for p in at_risk)})
    macro = _has_macros(source)
    lighter = without_rewritten_rows(source, {form_id: len(frame) for form_id, frame in tables.items()})
    try:
        book = openpyxl.load_workbook(lighter or source, keep_vba=macro, keep_links=True, rich_text=True)
    except Exception as error:  # noqa: BLE001  openpyxl raises many unrelated types for files it cannot take
        raise WriteRefused("msg.write_into.unreadable", file=source.name, reason=str(error)) from None
    finally:
        if lighter is not None:
            lighter.unlink(missing_ok=True)
    result = WriteResult(target, dropped_parts=list(at_risk) if target.resolve() != source.resolve() else [])
    results: dict[str, dict[str, tuple[int, list]]] = {}  # sheet → column letters → (first row, values)
    generated: dict[str, list[GeneratedRows]] = {}  # sheet → rows rendered after the save
    try:
        for form_id, frame in tables.items():
            written, computed, rows = _write_table(book, source.name, form_id, frame, lang,
                                                   sheet_rows or EXCEL_MAX_ROWS)
            result.tables[form_id] = written
            results.setdefault(written.sheet, {}).update(computed)
            if rows is not None:
                generated.setdefault(written.sheet, []).append(rows)
        # Excel works every formula out again on opening (openpyxl keeps no results of its own).
        book.calculation.fullCalcOnLoad = True
        if in_place:
            result.backup = safety_copy(source)
        with atomic_write(target) as temporary:
            book.save(temporary)
            parts = sheet_parts(temporary)
            rewrite = {parts[sheet]: sheet_rewrite(results.get(sheet, {}), generated.get(sheet, []))
                       for sheet in {*results, *generated} if results.get(sheet) or generated.get(sheet)}
            finish_package(source, temporary, rewrite)
    finally:
        if getattr(book, "vba_archive", None) is not None:
            book.vba_archive.close()
    return result


def part_key(part: str) -> str:
    """The label key of a part name, ``part.other`` for a name without its own label."""
    key = part_label_key(part)
    return key if has(key) else "part.other"


def _has_macros(path: Path) -> bool:
    with zipfile.ZipFile(path) as package:
        return "xl/vbaProject.bin" in package.namelist() or path.suffix.lower() in (".xlsm", ".xltm")


# ---- one table ---------------------------------------------------------------------------------

def _find_table(book, name: str):
    for sheet in book.worksheets:
        for table in sheet.tables.values():
            if table.name.casefold() == name.casefold():
                return sheet, table
    return None, None


def _header_columns(sheet, form, header_row: int, first_col: int, last_col: int) -> dict[int, str | None]:
    """Sheet column number → the form's column id its header names (None: the user's own column)."""
    from dealerxl.book.language import header_lookup, normalise_label

    lookup = header_lookup(form.id)
    found: dict[int, str | None] = {}
    taken = set()
    for col in range(first_col, last_col + 1):
        column_id = lookup.get(normalise_label(sheet.cell(header_row, col).value))
        found[col] = column_id if column_id and column_id not in taken else None
        taken.add(column_id)
    return found


def _write_table(book, file_name: str, form_id: str, frame: pd.DataFrame, lang: str,
                 sheet_rows: int) -> tuple[TableWritten, dict[str, tuple[int, list]], GeneratedRows | None]:
    """Write one table. Also returns the computed columns' results the frame carries (by
    column letters) and, when the rows below the first are rendered after the save, what to render."""
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import range_boundaries

    form = get_form(form_id)
    sheet, table = _find_table(book, form.table_name)
    if table is None:
        raise WriteRefused("msg.write_into.no_table", file=file_name, table=form.table_name)
    first_col, header_row, last_col, old_last = range_boundaries(table.ref)
    capacity = sheet_rows - header_row
    if len(frame) > capacity:
        raise WriteRefused("msg.write_into.too_many_rows", file=file_name, sheet=sheet.title, rows=len(frame),
                           capacity=capacity)
    columns = _header_columns(sheet, form, header_row, first_col, last_col)
    letters = {cid: get_column_letter(col) for col, cid in columns.items() if cid}
    needed = [c for c in form.columns if c.is_input and c.id in frame.columns and (c.key or c.required)]
    needed += [form.column(i) for c in form.columns if c.formula and c.id in letters
               for i in _PLACEHOLDER.findall(c.formula)]
    for column in needed:
        if column.id not in letters:
            raise WriteRefused("msg.write_into.missing_column", file=file_name,
                               cell=f"{sheet.title}!{get_column_letter(first_col)}{header_row}",
                               label_fields={"field": column.label_key})
    rows = len(frame)
    first_data = header_row + 1
    new_last = header_row + max(rows, 1)  # an empty table keeps one blank row, as built
    below = _first_filled(sheet, old_last + 1, new_last, first_col, last_col)
    if below is not None:
        raise WriteRefused("msg.write_into.would_overwrite", file=file_name, rows=rows,
                           cell=f"{sheet.title}!{get_column_letter(below[1])}{below[0]}")
    frame = frame.reset_index(drop=True)
    count = max(rows, 1)
    styles = {col: copy.copy(sheet.cell(first_data, col)._style) for col in columns}
    own_formulas = {col: sheet.cell(first_data, col).value for col, cid in columns.items()
                    if cid is None and _is_formula(sheet.cell(first_data, col).value)}
    computed: dict[str, tuple[int, list]] = {}
    cells: list[tuple[int, str, list]] = []  # (sheet column, kind, one value per row)
    for col, column_id in columns.items():
        column = form.column(column_id) if column_id else None
        if column is not None and column.formula:
            kind, values = "formula", row_formulas(column.formula, letters, first_data, count)
            if rows:  # the results a spreadsheet would cache, worked out from the row's inputs
                computed[letters[column.id]] = (first_data, formula_results(form, column, frame))
        elif column is not None and column.id in frame.columns:
            kind, values = _KINDS[column.type], cell_values(frame[column.id], column, lang)
        elif col in own_formulas:
            kind = "formula"
            values = _translated(own_formulas[col], f"{get_column_letter(col)}{first_data}", col, first_data, count)
        elif column is None and _own_name(sheet.cell(header_row, col).value) in frame.columns:
            # a column of the user's own in the table: its cells as they were, row by row
            kind, values = "raw", _raw_values(frame[_own_name(sheet.cell(header_row, col).value)])
        else:
            kind, values = "blank", []
        cells.append((col, kind, values))
    generated = None
    if rows > 1 and _rows_free(sheet, first_data + 1, new_last, first_col, last_col):
        # Only the first data row goes through openpyxl; the rest is rendered straight into
        # the sheet's XML after openpyxl's save (see render_rows), in a fraction of the time.
        for col, _, _ in cells:
            for row in range(first_data + 1, min(new_last, old_last) + 1):
                sheet._cells.pop((row, col), None)
        generated = GeneratedRows(first_data, [(get_column_letter(col), kind, values, computed.get(
            get_column_letter(col), (0, []))[1]) for col, kind, values in cells])
        written_rows = 1
    else:
        written_rows = count
    for col, kind, values in cells:
        _put_column(sheet, col, first_data, values[:written_rows], written_rows, old_last, styles[col], kind)
        _clear(sheet, col, new_last + 1, old_last)
    table.ref = f"{get_column_letter(first_col)}{header_row}:{get_column_letter(last_col)}{new_last}"
    if table.autoFilter is not None:
        table.autoFilter.ref = table.ref
    _declare_calculated_columns(table, form, columns, letters, first_col, first_data)
    _extend_validations(sheet, first_col, last_col, first_data, new_last)
    return TableWritten(form_id, sheet.title, table.ref, rows), computed, generated


def _own_name(header) -> str:
    from dealerxl.book.table_rows import OWN_COLUMN

    return OWN_COLUMN + ("" if header is None else str(header))


def _raw_values(values: pd.Series) -> list:
    """Cells written back as they were read: text, numbers, dates, booleans; blanks as None."""
    out = []
    for value in values.astype(object).tolist():
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
            out.append(None)
        elif isinstance(value, pd.Timestamp):
            out.append(value.to_pydatetime())
        elif isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            out.append(dt.datetime(value.year, value.month, value.day))
        elif isinstance(value, np.generic):
            out.append(value.item())
        elif isinstance(value, str):
            out.append(_ILLEGAL.sub("", value))
        else:
            out.append(value)
    return out


def formula_results(form, column, frame: pd.DataFrame) -> list[float]:
    """A computed column's result in each row of ``frame`` (NaN where it is text or an error),
    from the inputs the frame holds; dates typed as dates first, as cells hold them."""
    from dealerxl.book.computed import cached_results, evaluate, inputs_of

    inputs = pd.DataFrame(index=frame.index)
    for column_id in inputs_of(column.formula):
        if column_id in frame.columns:
            values = frame[column_id]
            if form.column(column_id).type in ("date", "datetime"):
                values = pd.to_datetime(values, errors="coerce")
            inputs[column_id] = values
    numbers, _ = cached_results(column, evaluate(column.formula, inputs))
    return numbers.tolist()


def _declare_calculated_columns(table, form, columns: dict[int, str | None], letters: dict[str, str],
                                first_col: int, first_data: int) -> None:
    """The form's computed columns as the table's calculated columns, with the formula of its
    first data row, so Excel fills it into rows added to the table (a workbook built before
    they were declared gets them here)."""
    from openpyxl.worksheet.table import TableFormula

    for col, column_id in columns.items():
        column = form.column(column_id) if column_id else None
        position = col - first_col
        if column is None or not column.formula or position >= len(table.tableColumns):
            continue
        formula = row_formulas(column.formula, letters, first_data, 1)[0][1:]
        table.tableColumns[position].calculatedColumnFormula = TableFormula(attr_text=formula)


def _first_filled(sheet, first_row: int, last_row: int, first_col: int, last_col: int) -> tuple[int, int] | None:
    """The first (row, column) holding something in the block the table would grow into."""
    if first_row > last_row or sheet.max_row < first_row:
        return None
    filled = [(row, col) for (row, col), cell in sheet._cells.items()
              if first_row <= row <= last_row and first_col <= col <= last_col and cell.value is not None]
    return min(filled) if filled else None


_KINDS = {"text": "text", "enum": "text", "int": "number", "number": "number", "money": "number",
          "percent": "number", "date": "date", "datetime": "date", "bool": "bool"}
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters no xlsx cell can hold


def cell_values(values: pd.Series, column, lang: str) -> list:
    """One column's cells as openpyxl writes them: dropdown codes as the language's labels,
    dates as datetimes, whole numbers as int, blanks as None; control characters, which no
    xlsx cell can hold, are left out of text."""
    from dealerxl.forms import ENUMS

    if column.enum:
        labels = {code: tr(f"enum.{column.enum}.{code}", lang) for code in ENUMS[column.enum].codes}
        values = values.map(lambda v: labels.get(v, v) if isinstance(v, str) else v)
    missing = values.isna().to_numpy()
    if column.type in ("date", "datetime"):
        stamps = pd.to_datetime(values, errors="coerce") if values.dtype != object else pd.to_datetime(
            values.map(lambda v: v if isinstance(v, (dt.date, pd.Timestamp, np.datetime64)) else None), errors="coerce")
        unread = stamps.isna().to_numpy() & ~missing
        cells = list(stamps.dt.to_pydatetime()) if len(stamps) else []
    elif column.type in ("int", "number", "money", "percent"):
        numbers = pd.to_numeric(values.map(lambda v: v if isinstance(v, (int, float, np.number)) and not
                                           isinstance(v, bool) else None) if values.dtype == object else values,
                                errors="coerce").astype("float64")
        unread = numbers.isna().to_numpy() & ~missing
        cells = (numbers.round().astype(object).map(int, na_action="ignore") if column.type == "int"
                 else numbers.astype(object)).tolist()
    elif column.type == "bool":
        unread = values.map(lambda v: v is not None and not isinstance(v, (bool, np.bool_))
                            and not (isinstance(v, float) and math.isnan(v))).to_numpy(dtype=bool)
        cells = values.astype(object).tolist()
    else:
        unread = np.zeros(len(values), dtype=bool)
        cells = values.astype(object).map(lambda v: _ILLEGAL.sub("", str(v)), na_action="ignore").tolist()
    if unread.any():
        # a cell that is not of the column's type (text in a number column, from the user's own
        # rows) is written back as it was: never lost, never turned into something else
        originals = _raw_values(values)
        cells = [original if bad else cell for cell, original, bad in zip(cells, originals, unread)]
    return [None if m else v for v, m in zip(cells, missing)]


def _is_formula(value) -> bool:
    return isinstance(value, str) and value.startswith("=")


def row_formulas(formula: str, letters: dict[str, str], first_row: int, count: int) -> list[str]:
    """The declared formula in each row, with the columns where this table has them
    (``{quantity}*{unit_price}`` → ``=G5*H5``, ``=G6*H6``…)."""
    pieces = _PLACEHOLDER.split(formula)  # text, column id, text, column id, …, text
    texts, ids = pieces[0::2], pieces[1::2]
    cells = [letters[i] for i in ids]
    out = []
    for row in range(first_row, first_row + count):
        parts = [texts[0]]
        for letter, text in zip(cells, texts[1:]):
            parts += [letter, str(row), text]
        out.append("=" + "".join(parts))
    return out


def _translated(formula: str, origin: str, col: int, first_row: int, count: int) -> list[str]:
    """A user's own formula column: the first row's formula carried down as Excel fills it."""
    from openpyxl.formula.translate import Translator
    from openpyxl.utils import get_column_letter

    letter = get_column_letter(col)
    translator = Translator(formula, origin=origin)
    return [translator.translate_formula(f"{letter}{row}") for row in range(first_row, first_row + count)]


def _put_column(sheet, col: int, first_row: int, values: list, count: int, old_last: int, style, kind: str) -> None:
    """Write ``values`` down the column (blanks for the rest of ``count`` rows); rows that
    were not in the table before take the first data row's formats."""
    for offset in range(count):
        row = first_row + offset
        new = row > old_last or (row, col) not in sheet._cells
        cell = sheet.cell(row, col)
        if new:
            cell._style = copy.copy(style)
        cell.value = values[offset] if offset < len(values) else None
        if kind != "formula" and isinstance(cell.value, str):
            cell.data_type = "s"  # text typed as "=…" stays text, never becomes a formula


def _clear(sheet, col: int, first_row: int, last_row: int) -> None:
    """Old rows below the table's new end lose their values, not their formats."""
    for row in range(first_row, last_row + 1):
        if (row, col) in sheet._cells:
            sheet._cells[(row, col)].value = None


def _rows_free(sheet, first_row: int, last_row: int, first_col: int, last_col: int) -> bool:
    """Whether rows ``first_row``..``last_row`` hold nothing but the table's own cells (no
    other cells, row heights or merged cells), so they can be rendered whole."""
    if first_row > last_row:
        return True
    if any(first_row <= row <= last_row and not first_col <= col <= last_col for row, col in sheet._cells):
        return False
    if any(first_row <= row <= last_row for row in sheet.row_dimensions):
        return False
    return not any(area.min_row <= last_row and area.max_row >= first_row for area in sheet.merged_cells.ranges)


def _extend_validations(sheet, first_col: int, last_col: int, first_row: int, last_row: int) -> None:
    """A check that starts at the table's first data row reaches its last row."""
    for validation in sheet.data_validations.dataValidation:
        for area in validation.sqref.ranges:
            if (area.min_row <= first_row <= area.max_row and first_col <= area.min_col <= last_col
                    and area.max_row < last_row):
                area.expand(down=last_row - area.max_row)
