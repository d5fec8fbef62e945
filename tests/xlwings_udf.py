"""Calling a ``DX_`` function the way xlwings' UDF server calls it in Excel on Windows, here.

In Excel, a cell's formula calls the generated VBA wrapper, which hands every argument to
xlwings' ``call_udf`` (``xlwings/udfs.py``):

* an omitted optional argument arrives as COM's "missing" marker and becomes the Python default;
* any other argument goes through ``xlwings.conversion.read`` with the options the function's
  decorators declared: a range as its ``Range.Value`` (a tuple of row tuples, or the value
  itself for one cell; blanks None, dates as COM dates, error cells as integer codes), a
  constant as itself;
* the result goes through ``xlwings.conversion.write`` with the declared return options, whose
  last step cleans each cell for COM (``prepare_xl_data_element``: blanks become "").

:func:`call_udf` runs that path with xlwings' own code. ``xlwings.conversion`` is imported as
it is; the decorators (``xlfunc``, ``xlarg``, ``xlret``) and the Windows engine's cell cleaning
(``Engine.clean_value_data`` / ``prepare_xl_data_element``) are compiled from the installed
``udfs.py`` and ``_xlwindows.py`` themselves, without the rest of those modules, which import
pywin32. What it cannot show: Excel's own COM marshalling (a COM date is a ``datetime``
subclass; here it is a ``datetime``) and the VBA wrapper itself.
"""
from __future__ import annotations

import ast
import datetime as dt
import functools
import inspect
import typing
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd
import xlwings
from xlwings import conversion
from xlwings.utils import np_datetime_to_datetime

from dealerxl.excel.functions import UDFS, language, registry

XLWINGS = Path(xlwings.__file__).parent
MISSING = -2147352572  # DISP_E_PARAMNOTFOUND: what VBA passes for an omitted optional argument


def _compiled(source_file: str, names: set[str], namespace: dict) -> dict:
    """The top-level functions, classes and assignments called ``names`` of an xlwings module,
    compiled into ``namespace`` (their globals) as written."""
    path = XLWINGS / source_file
    tree = ast.parse(path.read_text(encoding="utf-8"))
    chosen = [node for node in tree.body
              if (isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names)
              or (isinstance(node, ast.Assign) and any(getattr(t, "id", None) in names for t in node.targets))]
    found = {getattr(n, "name", None) or n.targets[0].id for n in chosen}
    assert found == names, f"{source_file} no longer defines {sorted(names - found)}"
    exec(compile(ast.Module(body=chosen, type_ignores=[]), str(path), "exec"), namespace)
    return namespace


class _UTC:
    """``win32timezone.TimeZoneInfo``: only ``utc()`` is used, to mark a naive datetime as UTC."""

    @staticmethod
    def utc():
        return dt.timezone.utc


_WINDOWS = _compiled("_xlwindows.py", {"cell_errors", "_clean_value_data_element", "_com_time_to_datetime",
                                      "_datetime_to_com_time", "Engine"},
                     {"dt": dt, "np": np, "pd": pd, "np_datetime_to_datetime": np_datetime_to_datetime,
                      "time_types": (dt.date, dt.datetime, np.datetime64),
                      "win32timezone": type("win32timezone", (), {"TimeZoneInfo": _UTC})})
_UDFS = _compiled("udfs.py", {"func_sig", "get_category", "get_async_mode", "check_bool",
                              "extract_type_and_annotations", "xlfunc", "xlret", "xlarg"},
                  {"dt": dt, "inspect": inspect, "get_type_hints": typing.get_type_hints,
                   "get_origin": typing.get_origin, "get_args": typing.get_args, "Annotated": typing.Annotated,
                   "Any": typing.Any, "Callable": typing.Callable, "_F": typing.TypeVar("_F")})

CELL_ERRORS = {text: code for code, text in _WINDOWS["cell_errors"].items()}  # "#N/A" → -2146826246


@contextmanager
def windows_excel_engine():
    """xlwings' "excel" engine as on Windows (its cell cleaning), for the conversion of UDFs."""
    engine = xlwings.main.Engine(impl=_WINDOWS["Engine"]())
    engines = xlwings.engines
    assert "excel" not in engines.engines_by_name, "an excel engine is installed already"
    engines.add(engine)
    try:
        yield
    finally:
        engines.engines.remove(engine)
        del engines.engines_by_name["excel"]


@functools.lru_cache(maxsize=None)
def excel_function(name: str):
    """``name`` as Excel calls it, its converters declared by xlwings' own decorators."""
    info = UDFS[name]

    @functools.wraps(info.function)
    def declared(*args, **kwargs):
        return info.function(*args, **kwargs)

    return registry.declare(declared, info, func=_UDFS["xlfunc"], arg=_UDFS["xlarg"], ret=_UDFS["xlret"])


def com_value(cells):
    """A range's value as COM hands it to xlwings: rows of cells as tuples, one cell as itself;
    an error text such as "#N/A" as Excel's error code."""
    if isinstance(cells, np.ndarray):
        cells = cells.tolist()
    if not isinstance(cells, (list, tuple)):
        return _com_cell(cells)
    rows = [list(row) if isinstance(row, (list, tuple)) else [row] for row in cells]
    if len(rows) == 1 and len(rows[0]) == 1:
        return _com_cell(rows[0][0])
    return tuple(tuple(_com_cell(v) for v in row) for row in rows)


def _com_cell(value):
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, str) and value in CELL_ERRORS:
        return CELL_ERRORS[value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def call_udf(name: str, *args, book=None, cells: bool = True):
    """What Excel receives when a formula calls ``name`` with ``args`` (each a range's cells, or
    :data:`MISSING`; omitted trailing arguments are missing): rows of cells after xlwings'
    cleaning for COM (blanks ""), as ``udfs.call_udf`` returns them. ``book`` is the calling
    workbook (a stand-in with ``names`` and ``sheets``); ``cells=False`` returns the rows before
    the cleaning, as the function's result converter built them (blanks None).
    """
    function = excel_function(name)
    args_info = function.__xlfunc__["args"]
    values = [com_value(a) if a is not MISSING else MISSING for a in args]
    values += [MISSING] * (len(args_info) - len(values))
    with windows_excel_engine(), mock.patch.object(language, "caller_book", lambda: book):
        for i, value in enumerate(values):
            arg_info = args_info[min(i, len(args_info) - 1)]
            if isinstance(value, int) and value == MISSING:
                values[i] = arg_info.get("optional", None)
            else:
                values[i] = conversion.read(None, value, arg_info["options"])
        result = function(*values)
        options = function.__xlfunc__["ret"]["options"]
        if not cells:  # the result converter's rows, before the engine cleans each cell
            return options["convert"].write_value(result, options)
        return conversion.write(result, None, options)


def shown(rows) -> list[list]:
    """Rows as a person sees them: an empty text is a blank cell (None), a date is a date (COM
    needs it marked as UTC, which shifts nothing)."""
    return [[None if isinstance(v, str) and v == "" else
             (v.replace(tzinfo=None) if isinstance(v, dt.datetime) else v) for v in row] for row in rows]
