"""A ``DX_`` function called from xlwings Lite, its result handed over as Lite writes it.

The generated ``main.py`` declares each function with the same arguments and converters as the
desktop edition (whole ranges as 2-D numpy arrays, blanks NaN), so the calculation sees the
same input. Dates arrive as Excel serial numbers in Lite (its custom functions do not tell a
date cell from a number), which every date argument already takes.

The result differs in one way only: desktop xlwings writes NaN, None, NaT and ``pd.NA`` as a
blank cell, while Lite writes NaN and ``pd.NA`` as ``#NUM!`` and only None as a blank. So each
missing value becomes None here, and a cell is blank in Excel on the web and on Mac wherever
it is blank on the desktop. A result without missing values is handed over untouched.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.excel.functions import UDFS


def call(name: str, *args):
    """Run the registered function ``name`` (e.g. ``DX_EOQ``) and return its cells for Lite."""
    return lite_cells(UDFS[name].function(*args))


def lite_cells(result):
    """A function result with every missing value (NaN, NaT, ``pd.NA``, None) as None."""
    if not isinstance(result, np.ndarray):
        return None if _missing(result) else result
    if result.dtype.kind == "f":
        missing = np.isnan(result)
        if not missing.any():
            return result
        cells = result.astype(object)
        cells[missing] = None
        return cells
    if result.dtype == object:
        missing = pd.isna(result)
        if not missing.any():
            return result
        cells = result.copy()
        cells[missing] = None
        return cells
    return result


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or array: not a single missing value
        return False
