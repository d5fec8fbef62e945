"""What xlwings hands back to Excel for a UDF's result, through xlwings' own return layer.

xlwings' UDF server (``xlwings.udfs.call_udf``) turns a result into cells with
``xlwings.conversion.write(ret, None, ret_options)`` and the COM server's ``CallUDF`` then
passes a one-cell result as a single value and a one-row result as a 1-D array. On Linux
there is no Excel engine, and the conversion pipeline asks the engine for one thing only:
how to clean each cell (``prepare_xl_data_element``). :func:`returned_to_excel` runs the
real pipeline with an engine whose cleaning is the Windows engine's, as written in
``xlwings/_xlwindows.py``: NaN, NA and None become empty text, numpy numbers floats.
"""
from __future__ import annotations

import contextlib
import datetime as dt

import numpy as np
import pandas as pd
import xlwings
from xlwings import conversion
from xlwings.main import Engine


class _WindowsCellCleaning:
    """The part of xlwings' Windows engine that ``conversion.write`` uses."""

    name = "excel"

    @staticmethod
    def prepare_xl_data_element(x, options):
        if isinstance(x, (dt.date, dt.datetime)):
            raise AssertionError("dates go to Excel as COM times, which this stand-in does not model")
        if x is None or pd.isna(x):
            return ""
        if isinstance(x, np.number):
            return float(x)
        return x


@contextlib.contextmanager
def excel_engine():
    """xlwings' engine registry holding the stand-in "excel" engine while the block runs."""
    engines = xlwings.engines
    saved = dict(engines.engines_by_name), list(engines.engines)
    engines.add(Engine(impl=_WindowsCellCleaning()))
    try:
        yield
    finally:
        engines.engines_by_name, engines.engines = saved


def returned_to_excel(result, ret_options: dict | None = None):
    """What Excel receives: ``conversion.write`` as ``call_udf`` calls it for a UDF without
    ``expand`` (our UDFs declare no return options), then ``CallUDF``'s unwrapping."""
    with excel_engine():
        rows = conversion.write(result, None, ret_options or {})
    if len(rows) == 1 and len(rows[0]) == 1:
        return rows[0][0]
    if len(rows) == 1 and len(rows[0]) > 1:
        return rows[0]
    return rows
