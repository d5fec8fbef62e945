"""A stand-in for what xlwings Lite hands the Python code in Excel on the web and on Mac.

xlwings Lite's engine (Office.js) is not open source and does not run outside Excel, so the
Lite edition is tested against its documented contract instead:

* **Scripts** get an ``xlwings.Book`` of the open workbook (xlwings' documented Book API):
  cell values with blanks as None, date-formatted cells as ``datetime.datetime``, numbers as
  Python numbers (whole ones as ``int``: Pyodide turns a JavaScript number that is a safe
  integer into an int), error cells as None, or as their text with ``err_to_str=True``.
  What a script writes goes back the same way: None is a blank, NaN and ``pd.NA`` become
  ``#NUM!`` (xlwings Server/Lite documentation, "Writing NaN values"), numpy numbers become
  plain numbers. :class:`StandInBook` implements exactly the calls the Lite scripts make.
* **Functions** (``@func``) get each argument as Lite delivers it: a single cell as a scalar, a
  range as rows of cells; blanks None, numbers as above, dates as Excel serial numbers (Lite's
  custom functions do not recognise date-formatted cells: "xlwings will detect numbers,
  strings, and booleans but not cells with a date/time format"), error cells None. The
  ``@arg`` converters then run as xlwings' own conversion layer runs them (its open-source
  ``xlwings.conversion`` with this stand-in as the engine's cell cleaner). The result is
  written with the same rules as a script's values.

:class:`LiteRuntime` loads a generated ``main.py`` with recording stand-ins of ``@func``,
``@arg`` and ``@script`` (the real decorators are no-ops outside Lite) and calls its functions
the way Lite does. The workbook itself comes as a snapshot (:func:`snapshot_from_xlsx`, made on
CPython with openpyxl), so the same stand-in runs inside Pyodide.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import types
from pathlib import Path

import numpy as np
import pandas as pd

ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!")
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


# ---- cells in a snapshot (JSON) and as Lite hands them over ------------------------------------

def encode(value):
    """A cell for JSON: numbers, text, booleans, None; dates and errors tagged."""
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (dt.datetime, dt.date)) and not isinstance(value, dt.time):
        return {"date": pd.Timestamp(value).isoformat()}
    if isinstance(value, str) and value in ERRORS:
        return {"error": value}
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def decode(value):
    """A snapshot cell as Excel holds it: dates as datetimes, errors as :class:`Error`."""
    if isinstance(value, dict):
        if "date" in value:
            return pd.Timestamp(value["date"]).to_pydatetime()
        return Error(value["error"])
    return value


class Error(str):
    """An error cell (``#N/A``…) as Excel holds it."""


def handed_to_script(value, err_to_str: bool):
    """A stored cell as a script reads it."""
    if isinstance(value, Error):
        return str(value) if err_to_str else None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def handed_to_function(value):
    """A stored cell as a custom function argument receives it."""
    if isinstance(value, Error):
        return None
    if isinstance(value, dt.datetime):
        value = (value - EXCEL_EPOCH) / dt.timedelta(days=1)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def as_written(value):
    """What Excel holds after Lite wrote ``value`` into a cell."""
    if value is None or value is pd.NaT:
        return None
    if value is pd.NA or (isinstance(value, (float, np.floating)) and math.isnan(value)):
        return Error("#NUM!")
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).to_pydatetime()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str) and value in ERRORS:
        return Error(value)
    assert isinstance(value, (bool, int, float, str, dt.datetime)), f"Excel cannot take {type(value).__name__}"
    return value


def rows_of(value) -> list[list]:
    """A value written to a range, as rows (xlwings writes a scalar into one cell, a list as a row)."""
    if isinstance(value, pd.DataFrame):
        raise AssertionError("the Lite code writes frames as rows it has cleaned, never a DataFrame")
    if isinstance(value, np.ndarray):
        value = value.tolist() if value.ndim else value.item()
    if not isinstance(value, (list, tuple)):
        return [[value]]
    if value and isinstance(value[0], (list, tuple)):
        return [list(row) for row in value]
    return [list(value)]


# ---- addresses -------------------------------------------------------------------------------

_CELL = re.compile(r"^\$?([A-Z]+)\$?(\d+)$")


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def cell_position(address: str) -> tuple[int, int]:
    """``B3`` → (3, 2), 1-based."""
    found = _CELL.match(address.strip().upper())
    assert found, address
    return int(found.group(2)), column_number(found.group(1))


def area(address: str) -> tuple[int, int, int, int]:
    """``A4:C9`` → (first row, first column, last row, last column), 1-based."""
    first, _, last = address.partition(":")
    top, left = cell_position(first)
    bottom, right = cell_position(last) if last else (top, left)
    return top, left, bottom, right


# ---- the Book API the Lite scripts use ---------------------------------------------------------

class _Count:
    def __init__(self, count: int):
        self.count = count


class StandInRange:
    def __init__(self, sheet: StandInSheet, top: int, left: int, bottom: int, right: int):
        self.sheet, self.row, self.column = sheet, top, left
        self._bottom, self._right = bottom, right
        self._err_to_str = False
        self.columns = _Count(right - left + 1)
        self.rows = _Count(bottom - top + 1)

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows.count, self.columns.count

    def options(self, ndim=None, err_to_str: bool = False, **others):
        assert not others, f"options the stand-in does not know: {others}"
        assert ndim in (None, 2)
        view = StandInRange(self.sheet, self.row, self.column, self._bottom, self._right)
        view._err_to_str = err_to_str
        view._ndim = ndim
        return view

    @property
    def value(self):
        rows = [[handed_to_script(self.sheet.cells.get((r, c)), self._err_to_str)
                 for c in range(self.column, self._right + 1)] for r in range(self.row, self._bottom + 1)]
        if getattr(self, "_ndim", None) == 2:
            return rows
        if len(rows) == 1 and len(rows[0]) == 1:
            return rows[0][0]
        if len(rows) == 1:
            return rows[0]
        if all(len(row) == 1 for row in rows):
            return [row[0] for row in rows]
        return rows

    @value.setter
    def value(self, value):
        for i, row in enumerate(rows_of(value)):
            for j, cell in enumerate(row):
                self.sheet.put(self.row + i, self.column + j, as_written(cell))

    @property
    def number_format(self):
        return self.sheet.formats.get((self.row, self.column))

    @number_format.setter
    def number_format(self, value: str):
        for r in range(self.row, self._bottom + 1):
            for c in range(self.column, self._right + 1):
                self.sheet.formats[(r, c)] = value


class StandInTable:
    """An Excel Table: ``name``, ``range`` and ``update(frame, index=False)`` as xlwings documents
    it (the header row stays, the body becomes the frame's rows, the table grows or shrinks)."""

    def __init__(self, sheet: StandInSheet, name: str, address: str):
        self.sheet, self.name = sheet, name
        self._area = area(address)
        self.updates: list[pd.DataFrame] = []

    @property
    def range(self) -> StandInRange:
        return StandInRange(self.sheet, *self._area)

    def update(self, frame: pd.DataFrame, index: bool = True):
        assert index is False, "the Lite code writes tables without their index"
        assert isinstance(frame, pd.DataFrame)
        top, left, bottom, right = self._area
        for r in range(top + 1, bottom + 1):
            for c in range(left, right + 1):
                self.sheet.cells.pop((r, c), None)
        values = frame.to_numpy(dtype=object).tolist()
        for c, header in enumerate(frame.columns):
            self.sheet.put(top, left + c, as_written(header))
        for i, row in enumerate(values):
            for j, cell in enumerate(row):
                self.sheet.put(top + 1 + i, left + j, as_written(cell))
        self._area = (top, left, top + max(len(values), 1), left + len(frame.columns) - 1)
        self.updates.append(frame)
        return self

    def body(self) -> list[list]:
        """The table's rows below its header as stored (blanks None, errors as :class:`Error`)."""
        top, left, bottom, right = self._area
        return [[self.sheet.cells.get((r, c)) for c in range(left, right + 1)] for r in range(top + 1, bottom + 1)]


class _Tables(list):
    def __getitem__(self, key):
        if isinstance(key, str):
            return next(t for t in self if t.name.casefold() == key.casefold())
        return super().__getitem__(key)


class StandInSheet:
    def __init__(self, book: StandInBook, name: str):
        self.book, self.name = book, name
        self.cells: dict[tuple[int, int], object] = {}
        self.formats: dict[tuple[int, int], str] = {}
        self.tables = _Tables()

    def put(self, row: int, column: int, value) -> None:
        if value is None:
            self.cells.pop((row, column), None)
        else:
            self.cells[(row, column)] = value

    @property
    def used_range(self) -> StandInRange:
        """From A1 to the last used cell, as xlwings' remote engine reports a sheet."""
        if not self.cells:
            return StandInRange(self, 1, 1, 1, 1)
        return StandInRange(self, 1, 1, max(r for r, _ in self.cells), max(c for _, c in self.cells))

    def range(self, address: str) -> StandInRange:
        return StandInRange(self, *area(address))

    def __getitem__(self, address: str) -> StandInRange:
        return self.range(address)

    def clear_contents(self) -> None:
        self.cells.clear()


class StandInName:
    def __init__(self, name: str, refers_to: str):
        self.name, self.refers_to = name, refers_to


class StandInApp:
    def __init__(self):
        self.alerts: list[dict] = []

    def alert(self, prompt, title=None, buttons="ok", mode=None, callback=None):
        self.alerts.append({"prompt": prompt, "title": title})


class _Sheets(list):
    def __init__(self, book: StandInBook):
        super().__init__()
        self.book = book

    def __getitem__(self, key):
        if isinstance(key, str):
            for sheet in self:
                if sheet.name.casefold() == key.casefold():
                    return sheet
            raise KeyError(key)
        return super().__getitem__(key)

    def add(self, name: str, before=None, after=None) -> StandInSheet:
        assert all(s.name.casefold() != name.casefold() for s in self), f"a sheet {name} already exists"
        assert len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name), name
        sheet = StandInSheet(self.book, name)
        self.insert(self.index(after) + 1 if after is not None else len(self), sheet)
        return sheet


class StandInBook:
    """The open workbook as a Lite script sees it, from a snapshot (see :func:`snapshot_from_xlsx`).

    ``constant_names``: whether ``book.names`` lists names that hold a constant (``DX_LANG``)
    besides those referring to a range; xlwings' open-source Office Scripts client lists only
    range names, so the Lite code must not depend on them.
    """

    def __init__(self, snapshot: dict, constant_names: bool = True):
        self.name = snapshot["name"]
        self.app = StandInApp()
        self.sheets = _Sheets(self)
        for entry in snapshot["sheets"]:
            sheet = StandInSheet(self, entry["name"])
            for r, row in enumerate(entry["values"], 1):
                for c, value in enumerate(row, 1):
                    sheet.put(r, c, decode(value))
            for table in entry["tables"]:
                sheet.tables.append(StandInTable(sheet, table["name"], table["range"]))
            self.sheets.append(sheet)
        self.names = [StandInName(n["name"], n["refers_to"]) for n in snapshot["names"]
                      if constant_names or "!" in n["refers_to"]]

    @property
    def fullname(self):
        raise NotImplementedError("a workbook in Excel on the web has no path a script can use")

    def table(self, name: str) -> StandInTable:
        return next(t for s in self.sheets for t in s.tables if t.name.casefold() == name.casefold())


def snapshot_from_xlsx(path: Path) -> dict:
    """A workbook's cells, tables and defined names as a JSON-able snapshot (CPython: openpyxl)."""
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=True)
    sheets = []
    for ws in book.worksheets:
        values = [[encode(v) for v in row] for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
        tables = [{"name": t.name, "range": t.ref} for t in ws.tables.values()]
        sheets.append({"name": ws.title, "values": values, "tables": tables})
    names = [{"name": name, "refers_to": f"={defined.attr_text}"} for name, defined in book.defined_names.items()]
    return {"name": Path(path).name, "sheets": sheets, "names": names}


# ---- the functions: main.py under stand-ins of Lite's decorators -----------------------------

class StandInEngine:
    """The cell cleaning xlwings' conversion layer asks its engine for, per Lite's contract."""

    name = "lite-standin"
    type = "remote"

    @staticmethod
    def clean_value_data(data, datetime_builder, empty_as, number_builder, err_to_str):
        def clean(value):
            if value is None or value == "":
                return empty_as
            if number_builder is not None and isinstance(value, float):
                return number_builder(value)
            return value
        return [[clean(c) for c in row] for row in data]


def _engine_name() -> str:
    import xlwings as xw

    if StandInEngine.name not in [engine.name for engine in xw.engines]:
        xw.engines.add(xw.Engine(impl=StandInEngine()))
    return StandInEngine.name


class LiteRuntime:
    """``main.py`` loaded as Lite loads it, its functions and scripts called as Lite calls them."""

    def __init__(self, source: str):
        self.functions: dict[str, types.FunctionType] = {}
        self.scripts: dict[str, types.FunctionType] = {}
        module = types.ModuleType("main")
        recording = {"func": self._func, "arg": self._arg, "script": self._script}
        import xlwings

        saved = {name: getattr(xlwings, name) for name in recording}
        try:
            for name, decorator in recording.items():
                setattr(xlwings, name, decorator)
            exec(compile(source, "main.py", "exec"), module.__dict__)
        finally:
            for name, decorator in saved.items():
                setattr(xlwings, name, decorator)
        self.module = module

    # the decorators as Lite's documentation describes them, recording what they are given
    def _func(self, f=None, *, namespace=None, **others):
        def register(function):
            function.__lite_func__ = {"namespace": namespace, **others}
            excel_name = f"{namespace}.{function.__name__}" if namespace else function.__name__
            self.functions[excel_name.upper()] = function
            return function
        return register(f) if f is not None else register

    @staticmethod
    def _arg(name, convert=None, **options):
        def declare(function):
            declared = getattr(function, "__lite_args__", {})
            declared[name] = {"convert": convert, **options}
            function.__lite_args__ = declared
            return function
        return declare

    def _script(self, f=None, **config):
        def register(function):
            function.__lite_script__ = config
            self.scripts[function.__name__] = function
            return function
        return register(f) if f is not None else register

    def call(self, excel_name: str, *cells):
        """Call ``=DX.NAME(...)`` with each argument as Lite hands it over; the cells Excel shows."""
        from xlwings import conversion

        function = self.functions[excel_name.upper()]
        declared = getattr(function, "__lite_args__", {})
        names = list(function.__code__.co_varnames[:function.__code__.co_argcount])
        args = []
        for name, value in zip(names, cells):
            value = handed_over(value)
            options = dict(declared.get(name, {}))
            options.pop("doc", None)
            if options:
                value = conversion.read(None, value if isinstance(value, list) else [[value]], options,
                                        engine_name=_engine_name())
            args.append(value)
        return [[as_written(c) for c in row] for row in rows_of(function(*args))]


def handed_over(value):
    """A Python value standing for an Excel argument, as Lite hands it over: a scalar for a single
    cell, rows of cells for a range (NaN stands for a blank cell)."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list):
        rows = value if value and isinstance(value[0], list) else [value]
        return [[handed_to_function(None if (isinstance(c, float) and math.isnan(c)) else c) for c in row]
                for row in rows]
    if isinstance(value, float) and math.isnan(value):
        return None
    return handed_to_function(value)
