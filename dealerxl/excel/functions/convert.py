"""Turning Excel ranges (2-D arrays, blanks as None) into calculation inputs and back.

UDFs stay thin by using these: a column becomes a 1-D array, numbers stay numbers, blank
cells become NaN, dates arrive either as datetimes or as Excel serial numbers.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager

import numpy as np
import pandas as pd

EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # serial 1 = 1900-01-01 (Excel's 1900 date system)


def flat(values) -> np.ndarray:
    """Any range or scalar as a flat object array (row by row)."""
    return np.ravel(np.asarray(values, dtype=object))


# What pandas infers for a range holding only numbers and blanks: such cells convert straight
# to float (blanks to NaN) with no per-cell parsing.
ALL_NUMBERS = frozenset({"floating", "integer", "mixed-integer-float", "empty"})


def numbers(values) -> np.ndarray:
    """A range as a flat float array; blanks and text that is not a number become NaN."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "fiu":
        return values.ravel().astype(float)
    cells = flat(values)
    if pd.api.types.infer_dtype(cells, skipna=True) in ALL_NUMBERS:
        try:
            return cells.astype(float)
        except (TypeError, ValueError, OverflowError):  # pd.NA, or an integer too large for a float
            pass
    return numbers_any(cells)


def numbers_any(values) -> np.ndarray:
    """:func:`numbers` for any mix of cells (text read as numbers where it is one): the general path."""
    return pd.to_numeric(pd.Series(flat(values)), errors="coerce").to_numpy(dtype=float)


def matrix(values) -> np.ndarray:
    """A block of cells as a 2-D float array (blanks NaN), one row per range row."""
    numeric = isinstance(values, np.ndarray) and values.dtype.kind in "fiu"
    array = values.astype(float) if numeric else np.asarray(values, dtype=object)
    if array.ndim < 2:
        array = array.reshape(1, -1) if array.ndim == 1 else array.reshape(1, 1)
    if numeric:  # column-major like the general path's result, so sums add up in the same order
        return np.asfortranarray(array)
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
    """A 1-D result as a single spilling column; a float NaN becomes a blank cell (None)."""
    array = np.ravel(values)
    if array.dtype.kind == "f" and array.dtype.itemsize <= 8:  # tolist() gives Python floats
        cells = array.astype(object)
        cells[np.isnan(array)] = None
    elif array.dtype == object:
        cells = array.copy()
        cells[_float_nan(array)] = None
    else:  # ints, bools, text, dates: tolist() gives no float, so nothing becomes blank
        cells = array
    with _collector_paused():
        return cells.reshape(-1, 1).tolist()


def _float_nan(cells: np.ndarray) -> np.ndarray:
    """Mask of the cells of an object array that are a float NaN (not None, pd.NA or NaT)."""
    mask = pd.isna(cells)
    candidates = np.flatnonzero(mask)
    mask[candidates] = [isinstance(cells[i], float) for i in candidates.tolist()]  # missing cells only
    return mask


def table(frame: pd.DataFrame, header: bool = True) -> list[list]:
    """A DataFrame as rows for Excel (header first); NaN becomes a blank cell."""
    cells = frame.astype(object).where(frame.notna(), None).values
    with _collector_paused():
        body = cells.tolist()
    return ([list(map(str, frame.columns))] + body) if header else body


@contextmanager
def _collector_paused():
    """Pause Python's cycle collector while the rows for Excel are built.

    A spilled result is one small list per row: at 100,000 rows the collector would run
    dozens of times over every live object while they are created, which costs several
    times the building itself. The rows hold only scalars, so they form no cycles to collect.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
