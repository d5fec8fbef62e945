"""Workbooks for the reading tests, written with XlsxWriter the way the builder lays out a form:
a title and an instruction line, then an Excel Table ``tbl_<form id>`` whose header row holds
the column labels in the workbook's language, dropdown columns holding labels.

Cells are written exactly as given, so a test can put text where a number belongs
(``"１２３"``, ``"1,234"``, ``"#N/A"`` as an error) and see how the reader takes it.
"""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import xlsxwriter

from dealerxl.forms import ENUMS, FORMS, SETTINGS
from dealerxl.i18n import tr


class ExcelError(str):
    """A cell holding an Excel error value (written as a formula whose cached value is the error)."""


def labelled(form_id: str, rows: list[dict], lang: str) -> list[dict]:
    """``rows`` with dropdown codes turned into their labels in ``lang``."""
    form = FORMS[form_id]
    out = []
    for row in rows:
        new = dict(row)
        for column in form.columns:
            value = row.get(column.id)
            if column.enum and isinstance(value, str) and value in ENUMS[column.enum].codes:
                new[column.id] = tr(f"enum.{column.enum}.{value}", lang)
        out.append(new)
    return out


def settings_rows(lang: str) -> list[dict]:
    return [{"setting_id": s.id, "setting_group": s.group, "setting_name": tr(f"setting.{s.id}", lang),
             "setting_value": s.default, "unit": s.unit or "", "setting_help": tr(f"setting.{s.id}.help", lang)}
            for s in SETTINGS.values()]


def write_workbook(path: Path, forms: dict[str, list[dict]], lang: str = "zh-Hant", *, declare_lang: bool | str = True,
                   sheet_names: dict[str, str] | None = None, places: dict[str, tuple[int, int]] | None = None,
                   headers: dict[str, dict[str, str]] | None = None, drop_columns: dict[str, list[str]] | None = None,
                   table_names: dict[str, str | None] | None = None,
                   table_rows: dict[str, int] | None = None) -> Path:
    """Write one sheet per form in ``forms`` (form id → rows of column id → cell value).

    ``sheet_names`` renames sheets, ``places`` moves a header row to (row, column) (0-based;
    default (3, 0) below a title and instruction line), ``headers`` overrides header texts,
    ``drop_columns`` leaves columns out, ``table_names`` renames (or with None removes) tables;
    ``table_rows`` makes a table's range hold fewer data rows than were written (rows typed
    below a table that Excel did not extend); ``declare_lang`` records the language as ``DX_LANG`` (a string records that language instead).
    """
    sheet_names, places, headers = sheet_names or {}, places or {}, headers or {}
    drop_columns, table_names = drop_columns or {}, table_names or {}
    book = xlsxwriter.Workbook(str(path))
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for form_id, rows in forms.items():
        form = FORMS[form_id]
        sheet = book.add_worksheet(sheet_names.get(form_id, tr(form.label_key("sheet"), lang)))
        top, left = places.get(form_id, (3, 0))
        if top >= 2:
            sheet.write(top - 3 if top >= 3 else 0, left, tr(form.label_key("title"), lang))
            sheet.write(top - 2, left, tr(form.label_key("instruction"), lang))
        columns = [c for c in form.columns if c.id not in drop_columns.get(form_id, [])]
        titles = [headers.get(form_id, {}).get(c.id, tr(c.label_key, lang)) for c in columns]
        for j, title in enumerate(titles):
            sheet.write_string(top, left + j, title)
        for i, row in enumerate(rows, start=1):
            for j, column in enumerate(columns):
                _write(sheet, top + i, left + j, row.get(column.id), date_format)
        name = table_names.get(form_id, form.table_name)
        if name is not None:
            data_rows = (table_rows or {}).get(form_id, len(rows))
            sheet.add_table(top, left, top + max(data_rows, 1), left + len(columns) - 1,
                            {"name": name, "header_row": True, "autofilter": False,
                             "columns": [{"header": t} for t in titles]})
    if declare_lang:
        book.define_name("DX_LANG", f'="{lang if declare_lang is True else declare_lang}"')
    book.close()
    return Path(path)


def _write(sheet, row: int, col: int, value, date_format) -> None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return
    if isinstance(value, ExcelError):
        sheet.write_formula(row, col, "=NA()" if value == "#N/A" else "=1/0", None, str(value))
    elif isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        sheet.write_datetime(row, col, pd.Timestamp(value).to_pydatetime(), date_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, str(value))


def sample_workbook(path: Path, lang: str = "zh-Hant", size: str = "small", frames: dict | None = None) -> Path:
    """Every declared form, filled with the sample data (settings with their defaults), or
    with ``frames`` (form id → frame) when given."""
    from dealerxl.sample import generate

    frames = generate(size) if frames is None else frames
    forms = {}
    for form_id, form in FORMS.items():
        if form_id == "settings":
            forms[form_id] = settings_rows(lang)
            continue
        frame = frames.get(form_id)
        rows = [] if frame is None else frame.astype(object).where(frame.notna(), None).to_dict("records")
        forms[form_id] = labelled(form_id, rows, lang)
    return write_workbook(path, forms, lang)


# ---- a stand-in for the xlwings objects the live adapter uses --------------------------------

class _Columns:
    def __init__(self, count: int):
        self.count = count


class StandInRange:
    """A rectangular block of cells: ``row``/``column`` (1-based), ``columns.count``, ``options().value``."""

    def __init__(self, values: list[list], row: int, column: int):
        self._values, self.row, self.column = values, row, column
        self.columns = _Columns(max((len(r) for r in values), default=0))
        self.options_seen: list[dict] = []

    def options(self, **options):
        self.options_seen.append(options)
        return self

    @property
    def value(self):
        return [list(r) for r in self._values]


class StandInTable:
    def __init__(self, name: str, area: StandInRange):
        self.name, self.range = name, area


class StandInSheet:
    def __init__(self, name: str, used_range: StandInRange, tables: list[StandInTable]):
        self.name, self.used_range, self.tables = name, used_range, tables


class StandInName:
    def __init__(self, name: str, refers_to: str):
        self.name, self.refers_to = name, refers_to


class _Sheets(list):
    def __getitem__(self, key):
        if isinstance(key, str):
            for sheet in self:
                if sheet.name == key:
                    return sheet
            raise KeyError(key)
        return super().__getitem__(key)


class StandInApp:
    def __init__(self):
        self.alerts: list[dict] = []

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self.alerts.append({"prompt": prompt, "title": title})


class StandInBook:
    """The parts of ``xlwings.Book`` the live adapter and the ribbon actions touch, loaded from a
    saved workbook with openpyxl (error cells read as their text, as ``err_to_str=True`` gives)."""

    def __init__(self, path: Path):
        import openpyxl

        source = openpyxl.load_workbook(path, data_only=True)
        self.name = Path(path).name
        self.app = StandInApp()
        self.sheets = _Sheets()
        for ws in source.worksheets:
            first_row, first_col = ws.min_row, ws.min_column
            values = [[None if v is None else v for v in row]
                      for row in ws.iter_rows(min_row=first_row, max_row=ws.max_row, min_col=first_col,
                                              max_col=ws.max_column, values_only=True)]
            tables = []
            for table in ws.tables.values():
                from openpyxl.utils.cell import range_boundaries

                min_col, min_row, max_col, max_row = range_boundaries(table.ref)
                block = [[ws.cell(r, c).value for c in range(min_col, max_col + 1)] for r in range(min_row, max_row + 1)]
                tables.append(StandInTable(table.name, StandInRange(block, min_row, min_col)))
            self.sheets.append(StandInSheet(ws.title, StandInRange(values, first_row, first_col), tables))
        self.names = [StandInName(name, f"={defined.attr_text}") for name, defined in source.defined_names.items()]


# ---- the same stand-in, writable as the ribbon actions need it -------------------------------

class WritableStandInTable:
    """An Excel Table that records ``update(frame, index=False)`` as xlwings' table does."""

    def __init__(self, table: StandInTable):
        self.name, self.range = table.name, table.range
        self.written: list = []

    def update(self, frame, index=True):
        assert index is False
        self.written.append(frame)
        return self


class RecordingStandInApp(StandInApp):
    """Excel's application that also records every status-bar text (False: given back to Excel)."""

    def __init__(self):
        super().__init__()
        self.status_history: list = []

    @property
    def status_bar(self):
        return self.status_history[-1] if self.status_history else False

    @status_bar.setter
    def status_bar(self, value):
        self.status_history.append(value)


class WritableStandInBook(StandInBook):
    """:class:`StandInBook` with what the job buttons write through: ``table.update``,
    ``app.status_bar`` and ``fullname`` (xlwings: the open workbook's full path)."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.app = RecordingStandInApp()
        self.fullname = str(path)
        for sheet in self.sheets:
            sheet.tables = [WritableStandInTable(t) for t in sheet.tables]
