"""What Excel receives from a UDF result: the rows xlwings writes, blanks as None.

xlwings (``call_udf`` → ``conversion.write``) turns a numpy result into rows with
``ndarray.tolist()`` and then cleans every cell (``prepare_xl_data_element`` on Windows):
NaN, None, NaT and ``pd.NA`` become an empty cell, numpy numbers become floats, dates stay
dates, and anything else must be a plain bool, number or text for COM to take it. The same
rules here let tests compare what a user sees in the sheet. Dates in a
``datetime64`` array would come out of ``tolist()`` as integers, so a result holding them
is refused, as Excel would show nonsense.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd


def excel_cell(value):
    """One cell as xlwings writes it; a blank is None."""
    if isinstance(value, (dt.date, dt.datetime)) and value is not pd.NaT:
        return value
    if value is None or pd.isna(value):
        return None
    if isinstance(value, np.number):
        return float(value)
    assert isinstance(value, (bool, int, float, str)), f"Excel cannot take a cell holding {type(value).__name__}"
    return value


def excel_cells(result) -> list[list]:
    """The rows written for a UDF's result: a 2-D array spills as it is, a scalar fills one cell."""
    if not isinstance(result, np.ndarray):
        return [[excel_cell(result)]]
    assert result.ndim == 2, f"a UDF result must be 2-D to spill, got shape {result.shape}"
    assert result.dtype.kind != "M", "datetime64 results reach Excel as integers"
    return [[excel_cell(v) for v in row] for row in result.tolist()]
