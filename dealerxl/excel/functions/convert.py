"""Turning Excel ranges into calculation inputs, and results into cells.

UDFs stay thin by using these: a column becomes a 1-D array, numbers stay numbers, blank cells
become NaN (NaT for dates), dates arrive as datetimes, Excel serial numbers or ISO text. Each
reader takes the argument's name: a cell it cannot read (text, TRUE/FALSE, a date or an error
value where a number belongs) is refused with an :class:`~.errors.InputError` naming the
argument and the cell, never read as 0 or as a blank. Numbers stored as text ("1,234", "12%")
are numbers.

What the readers receive is what the converters of :mod:`.converters` deliver: a range of
numbers and blanks as a float array, handed to the calculation as it is (no copy, no per-cell
look); any other range as an object array of its cells (blanks None, errors as their text),
which takes the general path and is read cell by cell.

Results go back as 2-D numpy arrays (:func:`column`, :func:`table`); the result converter
turns them into rows with blanks for NaN. A table's header row is worded by
:mod:`.language`.
"""
from __future__ import annotations

import datetime
import re
import unicodedata
import weakref

import numpy as np
import pandas as pd

from .errors import ERROR_VALUES, Choices, InputError, Place, refused, shown
from .language import headers

EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # serial 1 = 1900-01-01 (Excel's 1900 date system)


# What pandas infers for a range holding only numbers and blanks: such cells convert straight
# to float (blanks to NaN) with no per-cell parsing.
ALL_NUMBERS = frozenset({"floating", "integer", "mixed-integer-float", "empty"})


def _is_numeric(values) -> bool:
    return isinstance(values, np.ndarray) and values.dtype.kind in "fiu"


def numbers(values, name: str = "range") -> np.ndarray:
    """A range as a flat float array, blanks NaN; a cell that is no number is refused.

    A float range comes back as a view of itself (the calculations do not write into their
    arguments), so the common case costs nothing.
    """
    if _is_numeric(values):
        return np.ravel(values.astype(float, copy=False))
    cells = np.asarray(values, dtype=object)
    shape = cells.shape
    cells = cells.ravel()
    if pd.api.types.infer_dtype(cells, skipna=True) in ALL_NUMBERS:
        try:
            return cells.astype(float)
        except (TypeError, ValueError, OverflowError):  # pd.NA, or an integer too large for a float
            pass
    return _numbers_of_cells(cells, name, shape)


def numbers_any(values, name: str = "range") -> np.ndarray:
    """:func:`numbers` for any mix of cells, always cell by cell: the general path."""
    cells = np.asarray(values, dtype=object)
    return _numbers_of_cells(cells.ravel(), name, cells.shape)


_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")


def _number_text(text: str) -> float:
    """A number typed as text ("1,234", " 12 ", "12%", full-width digits), or NaN."""
    text = unicodedata.normalize("NFKC", text).strip()
    scale = 1.0
    if text.endswith("%"):
        text, scale = text[:-1].strip(), 0.01
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):  # no "inf", "nan", "1_000"
        return np.nan
    return float(text) * scale


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT \
        or (isinstance(value, str) and not value.strip())


def _numbers_of_cells(cells: np.ndarray, name: str, shape) -> np.ndarray:
    """Each cell as a number: numbers as they are, number text parsed, blanks NaN; the first
    other cell (text, TRUE/FALSE, a date, an error value) refused with its place."""
    out = np.full(cells.size, np.nan)
    for i, value in enumerate(cells.tolist()):
        if isinstance(value, (bool, np.bool_)):
            raise refused(name, i, shape, value, "number")
        if isinstance(value, (int, float, np.integer, np.floating)):
            out[i] = value
        elif isinstance(value, str):
            if value.strip():
                out[i] = _number_text(value)
                if np.isnan(out[i]):
                    raise refused(name, i, shape, value, "number")
        elif not _is_blank(value):
            raise refused(name, i, shape, value, "number")
    return out


def matrix(values, name: str = "range") -> np.ndarray:
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
        array = numbers(array, name).reshape(array.shape)
    return np.ascontiguousarray(array)


def block_numbers(cells: np.ndarray, name: str, columns) -> np.ndarray:
    """The numbers of some columns of a block holding text elsewhere (a plan, a band table), as a
    float array of the block's shape (the other columns NaN); a wrong cell is named by its
    place in the whole block."""
    picked = np.full(cells.shape, None, dtype=object)
    columns = list(columns)
    picked[:, columns] = cells[:, columns]
    return matrix(picked, name)


def _from_serial(serial: pd.Series) -> pd.Series:
    """Excel serial numbers as datetimes, to the millisecond (Excel's own resolution).

    A time of day is a binary fraction that rarely lands on its second: 16:31 is stored as
    0.68819444…, which read to the nanosecond is 16:30:59.999999, a second short once cut to
    whole seconds. Rounding to the millisecond gives the time as typed.
    """
    return EXCEL_EPOCH + pd.to_timedelta((serial * 86_400_000).round(), unit="ms")


# Dates a dealer workbook holds: serial numbers from 1900-01-01 to 2199-12-31 (a larger number is
# a typo, and pandas ends in 2262), and text with the year first (2026-03-01, 2026/3/1, with a time).
_SERIAL_DAY_ZERO = np.datetime64("1899-12-30", "D")  # Excel's 1900 date system, as EXCEL_EPOCH
SERIALS = (1, 109_573)  # 1900-01-01 … 2199-12-31, up to its last moment
_DATE_TEXT = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def datetimes(values, name: str = "range") -> pd.Series:
    """A range of dates: datetimes, year-first text or Excel serial numbers; blanks become NaT.
    Anything else (other text, TRUE/FALSE, a number that is no day) is refused."""
    if _is_numeric(values):  # serial numbers only: no text to parse
        serial = pd.Series(numbers(values))
        outside = ~serial.between(*SERIALS) & serial.notna()
        if outside.any():
            i = int(np.flatnonzero(outside.to_numpy())[0])
            raise refused(name, i, np.shape(values), serial.iloc[i], "date")
        return _from_serial(serial)
    cells = np.asarray(values, dtype=object)
    flat_cells = cells.ravel()
    kind = np.zeros(flat_cells.size, dtype=np.int8)  # 0 blank, 1 date cell, 2 serial number, 3 date text
    for i, value in enumerate(flat_cells.tolist()):
        if isinstance(value, (datetime.date, np.datetime64)) and not _is_blank(value):  # a date cell
            kind[i] = 1
        elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)) \
                and SERIALS[0] <= value <= SERIALS[1]:
            kind[i] = 2
        elif isinstance(value, str) and _DATE_TEXT.fullmatch(value.strip()):
            kind[i] = 3
        elif not _is_blank(value):
            raise refused(name, i, cells.shape, value, "date")
    out = pd.Series(pd.NaT, index=range(flat_cells.size), dtype=_DATES)
    for code, read in ((1, pd.to_datetime), (2, lambda serials: _from_serial(serials.astype(float))),
                       (3, _date_texts)):
        where = np.flatnonzero(kind == code)
        if where.size:
            out.iloc[where] = read(pd.Series(flat_cells[where], index=where)).astype(_DATES).to_numpy()
    unread = (kind == 3) & out.isna().to_numpy()
    if unread.any():  # 2026-02-30, or a year no dealer workbook holds
        i = int(np.flatnonzero(unread)[0])
        raise refused(name, i, cells.shape, flat_cells[i], "date")
    return out


_DATES = _from_serial(pd.Series([0.0])).dtype  # what serial numbers read as, for every other reading too


def _date_texts(text: pd.Series) -> pd.Series:
    """Year-first date text as datetimes; no such day (2026-02-30), or a year outside
    1900–2199, gives NaT."""
    normal = text.str.strip().str.replace(r"[/.](?=\d)", "-", regex=True)
    read = pd.to_datetime(normal, errors="coerce", format="ISO8601")
    return read.where((read.dt.year >= 1900) & (read.dt.year <= 2199)).astype(_DATES)


def single_day(value) -> np.ndarray | None:
    """A single-cell date as a one-element ``datetime64[D]`` array, or None when the cell is
    anything else (several cells, a fractional serial, other text, a datetime…): a quick path
    for the common date argument, which :func:`datetimes` reads the same way."""
    if isinstance(value, np.ndarray):
        if value.size != 1:
            return None
        value = value.reshape(-1)[0]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if SERIALS[0] <= value < SERIALS[1] and float(value).is_integer():
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
    return default if _is_blank(item) else item


def _one_cell(value, name: str):
    """The one cell of a single-value argument (None when blank or omitted); a range of several
    cells is refused."""
    if isinstance(value, (np.ndarray, list, tuple)):
        array = np.asarray(value, dtype=object)
        if array.size > 1:
            raise InputError("msg.udf.one_cell", argument=name, cells=array.size)
        value = array.ravel()[0] if array.size else None
    return None if _is_blank(value) else value


_REQUIRED = object()


def one_number(value, name: str, default=_REQUIRED) -> float:
    """A single-value number argument; blank or omitted gives ``default`` (refused without one)."""
    cell = _one_cell(value, name)
    if cell is None:
        if default is _REQUIRED:
            raise InputError("msg.udf.blank", argument=name)
        return default
    return float(numbers(np.array([cell], dtype=object), name)[0])


def one_whole_number(value, name: str, default=_REQUIRED) -> int:
    """A single-value count (periods, months…): a whole number."""
    number = one_number(value, name, default)
    if number is None or number != number:
        return number
    if not float(number).is_integer():
        raise InputError("msg.udf.not_whole", argument=name, value=f"{number:g}")
    return int(number)


def one_date(value, name: str) -> pd.Timestamp:
    """A single-value date argument; blank is refused."""
    cell = _one_cell(value, name)
    if cell is None:
        raise InputError("msg.udf.blank", argument=name)
    return datetimes(np.array([cell], dtype=object), name).iloc[0]


_TRUE = frozenset({"true", "yes", "是", "真"})
_FALSE = frozenset({"false", "no", "否", "假"})


def flag(value, name: str, default: bool = False) -> bool:
    """A TRUE/FALSE argument (1/0 and the words true/false, yes/no too); blank gives ``default``."""
    cell = _one_cell(value, name)
    if cell is None:
        return default
    if isinstance(cell, (bool, np.bool_)):
        return bool(cell)
    if isinstance(cell, (int, float, np.integer, np.floating)) and cell in (0, 1):
        return bool(cell)
    if isinstance(cell, str) and cell.strip().casefold() in _TRUE | _FALSE:
        return cell.strip().casefold() in _TRUE
    raise refused(name, 0, (1,), cell, "logical")


def coded(values, name: str, enum_id: str, words: dict | None = None) -> np.ndarray:
    """A range of choices (an enum's codes or its labels in any language, or ``words``) as
    their codes, blanks None; any other cell is refused, naming the choices.

    Each distinct cell is looked up once.
    """
    from dealerxl.book.language import enum_lookup
    from dealerxl.forms import ENUMS

    lookup = {**enum_lookup(enum_id), **{k.casefold(): v for k, v in (words or {}).items()}}
    cells = np.asarray(values, dtype=object)
    out = np.full(cells.size, None, dtype=object)
    for i, value in enumerate(cells.ravel().tolist()):
        if _is_blank(value):
            continue
        key = (value if isinstance(value, str) else shown(value)).strip().casefold()
        if key not in lookup:
            if isinstance(value, str) and value.strip() in ERROR_VALUES:
                raise refused(name, i, cells.shape, value, "text")
            raise InputError("msg.udf.not_listed", argument=name, place=Place(i, cells.shape),
                             value=shown(value), choices=Choices(enum_id, ENUMS[enum_id].codes))
        out[i] = lookup[key]
    return out


def texts(values) -> pd.Series:
    """A column of cells as stripped text; blank cells (None, NaN) become empty text."""
    series = pd.Series(np.ravel(np.asarray(values, dtype=object)), dtype=object)
    return series.where(series.notna(), "").astype(str).str.strip()


def per_row(values, rows: int, name: str, other: str) -> np.ndarray | None:
    """An argument with one number per row of ``other`` (``rows`` of them), or one cell for all;
    None when omitted."""
    if values is None:
        return None
    x = numbers(values, name)
    if x.size == 1:
        return np.full(rows, x[0])
    if x.size != rows:
        raise InputError("msg.udf.lengths", argument=name, cells=x.size, other=other, rows=rows)
    return x


def used_rows(*lists, blocks=()) -> int:
    """The items up to the last one any of the ranges fills: a whole column (A:A) hands over a
    million rows, nearly all blank, and a result should stop where the data does.

    ``lists`` hold one cell per item (a column or a row of cells); ``blocks`` one row per item
    (a history: a row of months each). Ranges with fewer items (a single value for all) do
    not count. Checked from the end, so a range without trailing blanks costs one look.
    """
    shapes = [(r, False) for r in lists if r is not None] + [(r, True) for r in blocks if r is not None]
    items = [_item_cells(r, block) for r, block in shapes]
    count = max((len(cells) for cells in items), default=0)
    last = 0
    for cells in items:
        if len(cells) != count or not count:
            continue
        if not _blank_cells(cells[-1:]).all():
            return count
        filled = ~_blank_cells(cells).all(axis=1)
        if filled.any():
            last = max(last, int(np.flatnonzero(filled)[-1]) + 1)
    return last


def _item_cells(values, block: bool) -> np.ndarray:
    """The cells of each item, one row per item."""
    array = values if isinstance(values, np.ndarray) else np.asarray(values, dtype=object)
    if block:
        return array.reshape(array.shape[0] if array.ndim else 1, -1) if array.size else array.reshape(0, 1)
    return array.reshape(-1, 1)


def _blank_cells(block: np.ndarray) -> np.ndarray:
    if block.dtype.kind == "f":
        return np.isnan(block)
    if block.dtype.kind in "iub":
        return np.zeros(block.shape, dtype=bool)
    return np.vectorize(_is_blank, otypes=[bool])(block) if block.size else np.zeros(block.shape, dtype=bool)


def first_items(values, count: int):
    """A column or a row of cells cut to its first ``count`` cells; a single value, a block or
    None as it is."""
    if not isinstance(values, np.ndarray) or values.size <= count:
        return values
    if values.ndim == 2 and values.shape[1] == 1:
        return values[:count]
    if values.ndim == 2 and values.shape[0] == 1:
        return values[:, :count]
    return values[:count] if values.ndim == 1 else values


def first_rows(values, count: int):
    """A block cut to its first ``count`` rows."""
    if not isinstance(values, np.ndarray) or values.ndim != 2 or values.shape[0] <= count:
        return values
    return values[:count]


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
    """A table as one object array for Excel: the column headers as the first row, then one row per record.

    ``frame`` is a DataFrame or a mapping of column name → 1-D array; the header row words the
    names in the workbook's language (:func:`.language.headers`). Numbers stay numbers, a
    missing value (NaN, NaT, None) is None, a blank cell; dates become datetimes (see
    :func:`cells`). The table is marked as holding no NaN (:func:`blanks_done`), so the result
    converter need not look at every cell again.
    """
    columns = ({name: frame[name] for name in frame.columns} if isinstance(frame, pd.DataFrame)
               else dict(frame))
    names = list(columns)
    rows = len(next(iter(columns.values()))) if columns else 0
    top = 1 if header else 0
    out = np.empty((rows + top, len(names)), dtype=object)
    if header:
        out[0] = headers(names)
    for j, name in enumerate(names):
        values = cells(columns[name])
        body = out[top:, j]
        body[:] = values
        # Only float and object columns can hold NaN; a float column is checked as numbers, at once.
        missing = np.isnan(values) if values.dtype.kind == "f" else (missing_cells(values) if values.dtype == object
                                                                      else None)
        if missing is not None and missing.any():
            body[missing] = None
    return blanks_done(out)


def missing_cells(values: np.ndarray) -> np.ndarray:
    """Which cells of an object array hold NaN, NaT or ``pd.NA`` (a None is a blank already). A
    missing value is the one value unequal to itself, which numpy finds ten times faster than
    ``pd.isna`` does; ``pd.NA``, whose comparison has no truth value, sends it to ``pd.isna``."""
    try:
        return np.not_equal(values, values, dtype=bool)
    except (TypeError, ValueError):
        return pd.isna(values)


# Results known to hold None, not NaN, for every missing value (by id, while the array lives).
_BLANKS_DONE: dict[int, weakref.ref] = {}


def blanks_done(result: np.ndarray) -> np.ndarray:
    """Mark an object array whose missing values are all None already (see :func:`has_blanks_done`)."""
    key = id(result)
    _BLANKS_DONE[key] = weakref.ref(result, lambda _, key=key: _BLANKS_DONE.pop(key, None))
    return result


def has_blanks_done(result) -> bool:
    ref = _BLANKS_DONE.get(id(result))
    return ref is not None and ref() is result
