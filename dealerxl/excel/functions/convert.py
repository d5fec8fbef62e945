"""Turning Excel ranges (2-D arrays, blanks as None) into calculation inputs and back.

UDFs stay thin by using these: a column becomes a 1-D array, numbers stay numbers, blank
cells become NaN, dates arrive either as datetimes or as Excel serial numbers.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # serial 1 = 1900-01-01 (Excel's 1900 date system)


def flat(values) -> np.ndarray:
    """Any range or scalar as a flat object array (row by row)."""
    return np.ravel(np.asarray(values, dtype=object))


def numbers(values) -> np.ndarray:
    """A range as a flat float array; blanks and text that is not a number become NaN."""
    return pd.to_numeric(pd.Series(flat(values)), errors="coerce").to_numpy(dtype=float)


def matrix(values) -> np.ndarray:
    """A block of cells as a 2-D float array (blanks NaN), one row per range row."""
    array = np.asarray(values, dtype=object)
    if array.ndim < 2:
        array = array.reshape(1, -1) if array.ndim == 1 else array.reshape(1, 1)
    return pd.DataFrame(array).apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)


def datetimes(values) -> pd.Series:
    """A range of dates: datetimes, ISO text or Excel serial numbers; blanks become NaT."""
    raw = pd.Series(flat(values))
    serial = pd.to_numeric(raw, errors="coerce")
    from_serial = EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")
    as_text = pd.to_datetime(raw.where(serial.isna()), errors="coerce")
    return from_serial.where(serial.notna(), as_text)


def scalar(value, default=None):
    """A single-cell argument (or an omitted one) as a Python scalar."""
    if value is None:
        return default
    array = np.asarray(value, dtype=object)
    item = array.ravel()[0] if array.size else None
    return default if item is None else item


def column(values) -> list[list]:
    """A 1-D result as a single spilling column."""
    return [[None if (isinstance(v, float) and np.isnan(v)) else v] for v in np.ravel(values).tolist()]


def table(frame: pd.DataFrame, header: bool = True) -> list[list]:
    """A DataFrame as rows for Excel (header first); NaN becomes a blank cell."""
    body = frame.astype(object).where(frame.notna(), None).values.tolist()
    return ([list(map(str, frame.columns))] + body) if header else body
