"""Turning a form's DataFrame into the data rows of its sheet, fast and in little memory.

XlsxWriter keeps every written cell as a Python object until the file closes (a few
hundred bytes and several microseconds a cell), which for half a million rows means
minutes and gigabytes. Data rows are therefore encoded here one column at a time with
numpy into two compact arrays (what kind of cell, and its number: the value, the
shared-string index or 0/1) and rendered to ``<row>`` XML a block of rows at a time while
the sheet part is assembled. The markup, the shared strings and their order are exactly
what XlsxWriter writes for the same values cell by cell (the tests compare the two).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from xlsxwriter.utility import _utf16_len, _utf16_truncate, xl_col_to_name, xl_range
from xlsxwriter.worksheet import Worksheet, re_dynamic_function

from dealerxl.forms import ENUMS
from dealerxl.i18n import tr

_PLACEHOLDER = re.compile(r"\{(\w+)\}")

BLANK, NUMBER, STRING, BOOLEAN, DIVIDED_BY_ZERO = 0, 1, 2, 3, 4
EXCEL_MAX_TEXT = 32_767        # UTF-16 units a cell holds; XlsxWriter truncates longer text the same way
ROWS_PER_BLOCK = 16_384        # rows rendered to XML at once: bounds the memory of the rendering
_ROW_MARK = "\x00"             # stands for the row number inside a formula template


@dataclass(frozen=True)
class EncodedColumn:
    """One column's cells: ``kinds`` (BLANK/NUMBER/STRING/BOOLEAN/DIVIDED_BY_ZERO, uint8) and
    ``values`` (float64: the number, the shared-string index, 0/1, or ±1 for the sign of an
    infinite number)."""

    kinds: np.ndarray
    values: np.ndarray


def excel_serial(stamps: pd.Series) -> np.ndarray:
    """Excel serial day numbers (1900 system) of datetimes, NaN where blank.

    The same arithmetic as XlsxWriter's ``_datetime_to_excel_datetime``: whole days since
    1899-12-31 plus the fraction of the day from seconds and microseconds, and one more day
    after 1900-02-28 for Excel's phantom 1900-02-29.
    """
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)  # local wall time, as remove_timezone does
    # Microseconds (all XlsxWriter keeps) reach year 294,000; nanoseconds would overflow after 2262.
    us = stamps.to_numpy(dtype="datetime64[us]").astype(np.int64)
    missing = stamps.isna().to_numpy()
    since = us - np.datetime64("1899-12-31", "us").astype(np.int64)
    days, rest = np.divmod(since, 86_400 * 10**6)
    seconds, below = np.divmod(rest, 10**6)
    serial = days + (seconds.astype(float) + below.astype(float) / 1e6) / 86_400
    serial = np.where(serial > 59, serial + 1, serial)
    return np.where(missing, np.nan, serial)


def _labels(values: pd.Series, column, lang: str) -> pd.Series:
    """Codes of a coded column replaced by the language's labels; anything else unchanged."""
    labels = {code: tr(f"enum.{column.enum}.{code}", lang) for code in ENUMS[column.enum].codes}
    objects = values.astype(object)
    mapped = objects.map(labels)
    return mapped.where(mapped.notna(), objects)


def _text_kind(value) -> int:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return BLANK
    if isinstance(value, (bool, np.bool_)):
        return BOOLEAN
    if isinstance(value, (int, float, np.integer, np.floating)):  # numpy scalars are numbers to XlsxWriter too
        return NUMBER
    return STRING


_text_kinds = np.frompyfunc(_text_kind, 1, 1)


def _shared_strings(texts: np.ndarray, table) -> np.ndarray:
    """Shared-string indexes of ``texts`` (an array of str), registered in ``table`` in
    order of first appearance with every occurrence counted, as XlsxWriter's
    ``write_string`` would."""
    codes, uniques = pd.factorize(texts)
    indexes = np.empty(len(uniques), dtype=np.float64)
    for position, text in enumerate(uniques):  # one call per distinct text, not per cell
        if len(text) > EXCEL_MAX_TEXT // 2 and _utf16_len(text) > EXCEL_MAX_TEXT:
            text = _utf16_truncate(text, EXCEL_MAX_TEXT)
        indexes[position] = table._get_shared_string_index(text)
    table.count += len(texts) - len(uniques)
    return indexes[codes]


def _finite(numbers: np.ndarray, column, kinds: np.ndarray, infinite_as_error: bool) -> np.ndarray:
    """``numbers`` checked for ±inf: refused, or (``infinite_as_error``) marked in ``kinds`` as
    #DIV/0! cells with the sign as value, as XlsxWriter's ``nan_inf_to_errors`` writes them."""
    infinite = np.isinf(numbers)
    if not infinite.any():
        return numbers
    if not infinite_as_error:
        raise ValueError(f"column {column.id}: infinite numbers cannot be written to a cell")
    kinds[infinite] = DIVIDED_BY_ZERO
    return np.where(infinite, np.sign(numbers), numbers)


def encode_column(values: pd.Series, column, lang: str, strings, *, infinite_as_error: bool = False) -> EncodedColumn:
    """Cells of one column: codes become the language's labels, blanks stay blank, dates
    become serial numbers, ``int`` columns whole numbers (truncated), ``bool`` columns
    TRUE/FALSE, text columns text (numbers in them stay numbers, empty text is blank).

    Text goes into ``strings``, the workbook's shared-string table. An infinite number is
    refused (a form holds none), or with ``infinite_as_error`` written as a #DIV/0! cell.
    """
    if column.enum:
        values = _labels(values, column, lang)
    if column.type in ("date", "datetime"):
        serial = excel_serial(pd.to_datetime(values, errors="coerce"))
        return EncodedColumn(np.where(np.isnan(serial), BLANK, NUMBER).astype(np.uint8), serial)
    if column.type in ("int", "number", "money", "percent"):
        numbers = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
        if column.type == "int":
            numbers = np.trunc(numbers) + 0.0  # + 0.0 turns -0.0 into 0, as int() does
        kinds = np.where(np.isnan(numbers), BLANK, NUMBER).astype(np.uint8)
        return EncodedColumn(kinds, _finite(numbers, column, kinds, infinite_as_error))
    objects = values.to_numpy(dtype=object)
    if column.type == "bool":
        present = ~pd.isna(values).to_numpy()
        truth = np.where(present, objects, False).astype(bool)
        return EncodedColumn(np.where(present, BOOLEAN, BLANK).astype(np.uint8), truth.astype(np.float64))
    kinds = _text_kinds(objects).astype(np.uint8) if len(objects) else np.zeros(0, np.uint8)
    numbers = np.zeros(len(objects), dtype=np.float64)
    numeric, boolean = kinds == NUMBER, kinds == BOOLEAN
    numeric_kinds = kinds[numeric]
    numbers[numeric] = _finite(objects[numeric].astype(np.float64), column, numeric_kinds, infinite_as_error)
    kinds[numeric] = numeric_kinds
    numbers[boolean] = objects[boolean].astype(bool)
    text_rows = np.flatnonzero(kinds == STRING)
    texts = np.array([str(v) for v in objects[text_rows]], dtype=object)
    empty = texts == ""
    kinds[text_rows[empty]] = BLANK  # XlsxWriter writes an empty string as a blank cell
    numbers[text_rows[~empty]] = _shared_strings(texts[~empty], strings)
    return EncodedColumn(kinds, numbers)


def formula_template(form, column) -> str:
    """The A1 formula of a computed column with the row number left as a mark
    (``{qty}*{price}`` → ``=E\\0*F\\0``).

    A1 references rather than structured references: LibreOffice and Excel agree on them.
    """
    letters = {c.id: xl_col_to_name(i) for i, c in enumerate(form.columns)}
    return "=" + _PLACEHOLDER.sub(lambda match: f"{letters[match.group(1)]}{_ROW_MARK}", column.formula)


def row_formula(form, column, excel_row: int) -> str:
    """The A1 formula of a computed column in one row (``{qty}*{price}`` → ``=E5*F5``)."""
    return formula_template(form, column).replace(_ROW_MARK, str(excel_row))


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class FormulaColumn:
    """A computed column: the prepared formula split where the row number goes, and the
    results to store with it (``None``: 0, as XlsxWriter stores)."""

    parts: tuple[str, ...]
    results: EncodedColumn | None = None


@dataclass(frozen=True)
class AbsentColumn:
    """A declared column the frame does not have: one styled blank cell in the first row."""


class FormWorksheet(Worksheet):
    """An XlsxWriter worksheet whose data rows come from :meth:`attach_rows` as encoded
    columns; everything else (titles, header, table, validations, print setup) is written
    through XlsxWriter as usual, in rows above the data."""

    def __init__(self):
        super().__init__()
        self._data_columns = None
        self._data_formats = ()
        self._data_first_row = 0
        self._data_rows = 0

    def encode(self, values: pd.Series, column, lang: str, *, infinite_as_error: bool = False) -> EncodedColumn:
        return encode_column(values, column, lang, self.str_table, infinite_as_error=infinite_as_error)

    def formula(self, form, column, frame: pd.DataFrame) -> FormulaColumn:
        """A computed column with each formula's result worked out from ``frame``'s inputs
        (:mod:`dealerxl.book.computed`) and stored as its last result, so what does not
        calculate (a file preview, calamine, the jobs) sees the values a spreadsheet would.
        A result that is text (``""``) or an error is stored empty."""
        from dealerxl.book.computed import cached_results, evaluate

        template = formula_template(form, column)
        if re_dynamic_function.search(template):
            raise ValueError(f"column {column.id}: dynamic-array formulas are written one cell at a time only")
        prepared = _xml_text(self._prepare_formula(template))
        numbers, _ = cached_results(column, evaluate(column.formula, frame))
        cached = EncodedColumn(np.where(np.isnan(numbers), BLANK, NUMBER).astype(np.uint8), numbers)
        return FormulaColumn(tuple(prepared.split(_ROW_MARK)), cached)

    def attach_rows(self, first_row: int, rows: int, columns: list, formats: list) -> None:
        """``rows`` data rows from sheet row ``first_row`` (0-based): ``columns`` holds per
        sheet column an :class:`EncodedColumn`, a :class:`FormulaColumn` or an
        :class:`AbsentColumn`; ``formats`` the XlsxWriter format of each column."""
        last_row = first_row + rows - 1
        if last_row >= self.xls_rowmax:
            raise ValueError(f"{rows:,} rows do not fit on one sheet (at most {self.xls_rowmax - first_row:,})")
        self._data_columns, self._data_formats = list(columns), list(formats)
        self._data_first_row, self._data_rows = first_row, rows
        self._check_dimensions(first_row, 0)
        self._check_dimensions(last_row, len(columns) - 1)

    def add_table(self, first_row: int, first_col: int, last_row: int, last_col: int, options=None):
        """XlsxWriter's ``add_table``, without indexing every cell of the range.

        To detect overlaps XlsxWriter records each cell of a table in a dict, a Python loop
        and about 150 bytes per cell: over a gigabyte for half a million rows. A form sheet
        has one table and no merged cells, so the table is declared over its header and
        first row and its ranges then widened to all rows (identical XML)."""
        options = dict(options or {})
        if last_row <= first_row + 1 or options.get("total_row") or options.get("data"):
            return super().add_table(first_row, first_col, last_row, last_col, options)
        status = super().add_table(first_row, first_col, first_row + 1, last_col, options)
        if status == 0:
            table = self.tables[-1]
            full = xl_range(first_row, first_col, last_row, last_col)
            table["range"] = table["a_range"] = full
            if table.get("autofilter"):
                table["autofilter"] = full
        return status

    def _write_sheet_data(self) -> None:
        if self._data_columns is None:
            super()._write_sheet_data()
            return
        self._xml_start_tag("sheetData")
        full_extent = self.dim_rowmax
        self.dim_rowmax = self._data_first_row - 1  # XlsxWriter's own rows: all above the data
        try:
            self._write_rows()
        finally:
            self.dim_rowmax = full_extent
        for start in range(0, self._data_rows, ROWS_PER_BLOCK):
            self.fh.write(self._render(start, min(start + ROWS_PER_BLOCK, self._data_rows)))
        self._xml_end_tag("sheetData")

    def _data_columns_after_first_row(self) -> list[int]:
        return [i for i, c in enumerate(self._data_columns) if not isinstance(c, AbsentColumn)]

    def _calculate_spans(self) -> None:
        """XlsxWriter's ``spans`` of its own rows, widened in the 16-row block they share
        with the first data rows, as if those rows had been written cell by cell."""
        super()._calculate_spans()
        if self._data_columns is None:
            return
        block = self._data_first_row // 16
        columns = list(range(len(self._data_columns)))
        if self._data_rows > 1 and (self._data_first_row + 1) // 16 == block:
            columns += self._data_columns_after_first_row()
        if block in self.row_spans:
            columns += [int(x) - 1 for x in self.row_spans[block].split(":")]
        self.row_spans[block] = f"{min(columns) + 1}:{max(columns) + 1}"

    def _spans(self) -> tuple[str, str]:
        """The ``spans`` of the data's first 16-row block and of every later block."""
        later = self._data_columns_after_first_row()
        first = self.row_spans[self._data_first_row // 16]
        return first, (f"{min(later) + 1}:{max(later) + 1}" if later else first)

    def _render(self, start: int, stop: int) -> str:
        """The ``<row>`` elements of data rows ``start``‥``stop`` (0-based within the data)."""
        first_span, later_span = self._spans()
        sheet_rows = np.arange(self._data_first_row + start, self._data_first_row + stop)
        numbers = (sheet_rows + 1).astype(str).astype(object)
        spans = np.where(sheet_rows // 16 == self._data_first_row // 16, first_span, later_span).astype(object)
        extra = ' x14ac:dyDescent="0.25"' if self.excel_version == 2010 else ""
        row_xml = '<row r="' + numbers + '" spans="' + spans + f'"{extra}>'
        for index, (column, fmt) in enumerate(zip(self._data_columns, self._data_formats)):
            style = f'" s="{fmt._get_xf_index()}"' if fmt is not None else '"'
            head = f'<c r="{xl_col_to_name(index)}'
            if isinstance(column, AbsentColumn):
                if start == 0:
                    row_xml[0] = row_xml[0] + head + numbers[0] + style + "/>"
                continue
            row_xml = row_xml + head + numbers + _cell_bodies(column, style, numbers, start, stop)
        return "".join(row_xml + "</row>")


def _cell_bodies(column, style: str, numbers: np.ndarray, start: int, stop: int) -> np.ndarray:
    """What follows ``<c r="A5`` in each cell of one column: style, type, value, end tag."""
    if isinstance(column, FormulaColumn):
        body = style + "><f>" + column.parts[0]
        for part in column.parts[1:]:
            body = body + numbers + part
        if column.results is None:
            return body + "</f><v>0</v></c>"
        kinds, values = column.results.kinds[start:stop], column.results.values[start:stop]
        results = np.full(len(kinds), "", dtype=object)  # a blank result: an empty value
        present = kinds == NUMBER
        results[present] = list(map(str, values[present].tolist()))  # str(float), as XlsxWriter writes a result
        return body + "</f><v>" + results + "</v></c>"
    kinds = column.kinds[start:stop]
    values = column.values[start:stop]
    body = np.full(len(kinds), style + "/>", dtype=object)
    for kind, before, after, render in (
            (NUMBER, "><v>", "</v></c>", "{:.16G}".format),
            (STRING, ' t="s"><v>', "</v></c>", lambda v: str(int(v))),
            (BOOLEAN, ' t="b"><v>', "</v></c>", lambda v: "1" if v else "0"),
            (DIVIDED_BY_ZERO, ' t="e"><f>', "</f><v>#DIV/0!</v></c>", lambda v: "1/0" if v > 0 else "-1/0")):
        chosen = kinds == kind
        if chosen.any():
            rendered = np.array(list(map(render, values[chosen].tolist())), dtype=object)
            body[chosen] = style + before + rendered + after
    return body
