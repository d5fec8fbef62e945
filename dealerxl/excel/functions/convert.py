"""Turning Excel ranges (2-D arrays, blanks as NaN or None) into calculation inputs and back.

UDFs stay thin by using these: a column becomes a 1-D array, numbers stay numbers, blank
cells become NaN, dates arrive either as datetimes or as Excel serial numbers.

Ranges of numbers and blanks arrive from xlwings as float arrays; they go to the calculation
as they are (no copy, no per-cell look). Anything else (text, booleans, dates mixed in) takes
the general path, which reads every cell.

Results go back as 2-D numpy arrays: xlwings turns an array into rows itself
(``ndarray.tolist()``) and writes NaN, None, NaT and ``pd.NA`` as blank cells, so a float
result is handed over untouched. Only a table with a header row needs an object array.
"""
from __future__ import annotations

import datetime
import re

import numpy as np
import pandas as pd

EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # serial 1 = 1900-01-01 (Excel's 1900 date system)


def flat(values) -> np.ndarray:
    """Any range or scalar as a flat object array (row by row)."""
    return np.ravel(np.asarray(values, dtype=object))


# What pandas infers for a range holding only numbers and blanks: such cells convert straight
# to float (blanks to NaN) with no per-cell parsing.
ALL_NUMBERS = frozenset({"floating", "integer", "mixed-integer-float", "empty"})


def _is_numeric(values) -> bool:
    return isinstance(values, np.ndarray) and values.dtype.kind in "fiu"


def numbers(values) -> np.ndarray:
    """A range as a flat float array; blanks and text that is not a number become NaN.

    A float range comes back as a view of itself (the calculations do not write into their
    arguments), so the common case costs nothing.
    """
    if _is_numeric(values):
        return np.ravel(values.astype(float, copy=False))
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
    """A block of cells as a 2-D float array (blanks NaN), one row per range row, in row-major order.

    Both paths give a C-ordered array, so row sums add up in the same order either way.
    """
    if _is_numeric(values):
        array = values.astype(float, copy=False)
    else:
        array = np.asarray(values, dtype=object)
    if array.ndim < 2:
        array = array.reshape(1, -1) if array.ndim == 1 else array.reshape(1, 1)
    if array.dtype == object:
        array = pd.DataFrame(array).apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    return np.ascontiguousarray(array)


def _from_serial(serial: pd.Series) -> pd.Series:
    """Excel serial numbers as datetimes, to the millisecond (Excel's own resolution).

    A time of day is a binary fraction that rarely lands on its second: 16:31 is stored as
    0.68819444…, which read to the nanosecond is 16:30:59.999999, a second short once cut to
    whole seconds. Rounding to the millisecond gives the time as typed.
    """
    return EXCEL_EPOCH + pd.to_timedelta((serial * 86_400_000).round(), unit="ms")


def datetimes(values) -> pd.Series:
    """A range of dates: datetimes, ISO text or Excel serial numbers; blanks become NaT."""
    if _is_numeric(values):  # serial numbers only: no text to parse
        return _from_serial(pd.Series(numbers(values)))
    raw = pd.Series(flat(values), dtype=object)  # as the cells are: pandas would make a column of dates datetime64
    # Date cells (what xlwings gives for a date-formatted cell) are dates, not serial numbers, which
    # pd.to_numeric would read as nanoseconds; TRUE/FALSE are neither.
    not_serial = np.fromiter((isinstance(v, (datetime.date, np.datetime64, bool, np.bool_)) for v in raw),
                             dtype=bool, count=len(raw))
    serial = pd.to_numeric(raw.mask(not_serial), errors="coerce")
    from_serial = _from_serial(serial)
    as_text = pd.to_datetime(raw.where(serial.isna()), errors="coerce")
    return from_serial.where(serial.notna(), as_text)


# A single date cell whose day is beyond doubt: a whole serial number from 1900 to 2199, or ISO
# text (2026-03-01) in those years. Read directly, it is the day datetimes() finds, without pandas.
_SERIAL_DAY_ZERO = np.datetime64("1899-12-30", "D")  # Excel's 1900 date system, as EXCEL_EPOCH
_SERIALS = (1, 109_572)  # 1900-01-01 … 2199-12-31
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def single_day(value) -> np.ndarray | None:
    """A single-cell date as a one-element ``datetime64[D]`` array, or None when the cell is
    anything else (several cells, a fractional serial, other text, a datetime…): a quick path
    for the common date argument, which :func:`datetimes` reads the same way."""
    if isinstance(value, np.ndarray):
        if value.size != 1:
            return None
        value = value.reshape(-1)[0]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if _SERIALS[0] <= value <= _SERIALS[1] and float(value).is_integer():
            return np.array([_SERIAL_DAY_ZERO + int(value)])
    elif isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:  # 2026-02-30: left to datetimes(), which says it is no date
            return None
        if 1900 <= day.year <= 2199:
            return np.array([day], dtype="datetime64[D]")
    return None


def scalar(value, default=None):
    """A single-cell argument (or an omitted one) as a Python scalar."""
    if value is None:
        return default
    array = np.asarray(value, dtype=object)
    item = array.ravel()[0] if array.size else None
    return default if item is None else item


def cells(values) -> np.ndarray:
    """A 1-D result as values Excel can take: dates become Python datetimes, the rest is unchanged.

    ``datetime64`` would reach Excel as integers (nanoseconds) through ``tolist()``;
    microsecond datetimes turn into ``datetime.datetime`` (NaT into None, a blank cell).
    Timezone-aware pandas dates are written in their own local time.
    """
    if isinstance(values, (pd.Series, pd.Index)):
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            values = values.dt.tz_localize(None) if isinstance(values, pd.Series) else values.tz_localize(None)
        values = values.to_numpy()
    array = np.asarray(values)
    if array.dtype.kind == "M":
        return array.astype("datetime64[us]").astype(object)
    return array


def column(values) -> np.ndarray:
    """A 1-D result as a single spilling column: a 2-D array of shape (n, 1), a view where possible."""
    return cells(np.ravel(values) if isinstance(values, np.ndarray) else values).reshape(-1, 1)


def table(frame: pd.DataFrame | dict, header: bool = True) -> np.ndarray:
    """A table as one object array for Excel: the column names as the first row, then one row per record.

    ``frame`` is a DataFrame or a mapping of column name → 1-D array. Numbers stay numbers
    (NaN becomes a blank cell when written), dates become datetimes (see :func:`cells`).
    """
    columns = ({name: frame[name] for name in frame.columns} if isinstance(frame, pd.DataFrame)
               else dict(frame))
    names = list(columns)
    rows = len(next(iter(columns.values()))) if columns else 0
    top = 1 if header else 0
    out = np.empty((rows + top, len(names)), dtype=object)
    if header:
        out[0] = [str(name) for name in names]
    for j, name in enumerate(names):
        out[top:, j] = cells(columns[name])
    return out
