"""Typed parsing of a column of cell values, vectorised over rows.

Each parser takes the raw cells of one column (an object Series: numbers, text, dates,
booleans, blanks as ``""``/None) and returns ``(values, bad)``: the typed values and a mask
of the non-blank cells that could not be read. What is accepted is what a person means
unambiguously: numbers stored as text, full-width digits and signs (``１２３．５``), thousands
separators in groups of three (``1,234,567``), percent text (``12%``), dates typed as text
(``2026-10-31``, ``2026/10/31``, ``2026年10月31日``, a month ``2026-10``), Excel date
serials, yes/no in the three languages, and a dropdown's label in any language or its code.
Day-first or month-first dates (``10/31/2026``) are refused: they are ambiguous.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .grid import ERROR_VALUES
from .language import enum_lookup

FULL_WIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)},
                            "．": ".", "，": ",", "－": "-", "＋": "+", "％": "%", "−": "-", "\u3000": " ",
                            "／": "/", "：": ":"})
THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?"
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
                "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m", "%Y/%m", "%Y年%m月")
TRUE_WORDS = ("true", "yes", "y", "t", "1", "是", "對", "对", "真")
FALSE_WORDS = ("false", "no", "n", "f", "0", "否", "不是", "假")
# Excel's 1900 date system (ECMA-376 Part 1, 18.17.4.1): serial 1 is 1900-01-01, 59 is
# 1900-02-28, 60 the 1900-02-29 that never was (kept for Lotus 1-2-3), 61 is 1900-03-01, and
# 2958465 is 9999-12-31, the last day Excel has. From 61 on a serial counts days from
# 1899-12-30; below 60 from 1899-12-31.
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
EARLY_EPOCH = pd.Timestamp("1899-12-31")
LEAP_BUG_SERIAL = 60
MAX_SERIAL = 2_958_465  # 9999-12-31 (its times of day run up to, not including, 2958466)
# Dates are held to the microsecond, which reaches every date Excel has (nanoseconds end in 2262).
DATE_DTYPE = "datetime64[us]"


def excel_dates(serials) -> pd.Series:
    """Excel serial numbers (1900 date system) as dates; NaT for a number that is no day of
    Excel's: below 1, the 60 of 1900-02-29, beyond 9999-12-31, not finite.

    Worked example (Microsoft's documentation of the 1900 date system and of DATEVALUE:
    serial 1 is 1900-01-01, 45000 is 2023-03-15, 2958465 is 9999-12-31):

    >>> shown = excel_dates(pd.Series([1, 59, 60, 61, 45000.5, 2958465, 2958466, float("inf")]))
    >>> shown.dt.strftime("%Y-%m-%d %H:%M").fillna("-").tolist()
    ['1900-01-01 00:00', '1900-02-28 00:00', '-', '1900-03-01 00:00', '2023-03-15 12:00', '9999-12-31 00:00', '-', '-']
    """
    numbers = pd.Series(serials, dtype="float64")
    days = np.asarray(numbers, dtype="float64")
    valid = (days >= 1) & (days < MAX_SERIAL + 1) & ~((days >= LEAP_BUG_SERIAL) & (days < LEAP_BUG_SERIAL + 1))
    offsets = pd.to_timedelta(np.round(np.where(valid, days, 0) * 86_400_000_000).astype("int64"), unit="us")
    epoch = np.where(days < LEAP_BUG_SERIAL, EARLY_EPOCH.to_datetime64(), EXCEL_EPOCH.to_datetime64())
    values = pd.Series(epoch.astype(DATE_DTYPE), index=numbers.index) + offsets.to_numpy()
    return values.where(valid).astype(DATE_DTYPE).dt.round("s")


def _dates(converted: pd.Series) -> pd.Series:
    """``converted`` (from ``pd.to_datetime``) as :data:`DATE_DTYPE`: every year from 1 to
    9999 fits, so no date is lost to an overflow."""
    return converted if converted.dtype == DATE_DTYPE else converted.astype(DATE_DTYPE)


def kinds(raw: pd.Series) -> pd.Series:
    """Each cell's Python type (one C-level pass; the parsers branch on it)."""
    return raw.map(type, na_action=None)


def blank_mask(raw: pd.Series, kind: pd.Series) -> pd.Series:
    blank = raw.isna() | (raw == "").to_numpy()
    spaced = (kind == str).to_numpy() & ~blank.to_numpy()
    if spaced.any():  # whitespace-only text is blank too
        strings = raw[spaced]
        blank[spaced] = strings.str.isspace().to_numpy()
    return blank


def error_mask(raw: pd.Series, kind: pd.Series) -> pd.Series:
    text = kind == str
    return text & raw.where(text, "").isin(ERROR_VALUES)


def _number_kinds(kind: pd.Series) -> pd.Series:
    return kind.isin([float, int, np.float64, np.int64])


def _clean_text(text: pd.Series) -> pd.Series:
    return text.str.translate(FULL_WIDTH).str.strip()


def parse_number(raw: pd.Series, kind: pd.Series, skip: pd.Series, percent: bool = True) -> tuple[pd.Series, pd.Series]:
    """Floats; text ``1,234.5``, ``１２３`` accepted, and ``12%`` (→ 0.12) where ``percent``
    (a percentage column: a percent sign in an amount is a mistake, not a hundredth). A
    number that is not finite (``inf``, ``1e309``, the text ``1e999``) is not a value."""
    out = pd.Series(np.nan, index=raw.index, dtype="float64")
    numeric = _number_kinds(kind) & ~skip
    out[numeric] = raw[numeric].astype("float64")
    text = (kind == str) & ~skip
    if text.any():
        cleaned = _clean_text(raw[text])
        percents = cleaned.str.endswith("%")
        cleaned = cleaned.str.rstrip("%").str.strip()
        grouped = cleaned.str.fullmatch(THOUSANDS)
        cleaned = cleaned.where(~grouped, cleaned.str.replace(",", "", regex=False))
        values = pd.to_numeric(cleaned.where(cleaned.str.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"), ""),
                               errors="coerce")
        out[text] = values.where(~percents, values / 100 if percent else np.nan)
    out = out.where(np.isfinite(out.to_numpy()))
    bad = ~skip & out.isna()
    return out, bad


def parse_int(raw: pd.Series, kind: pd.Series, skip: pd.Series) -> tuple[pd.Series, pd.Series]:
    return _whole_numbers(*parse_number(raw, kind, skip))


def _whole_numbers(values: pd.Series, bad: pd.Series) -> tuple[pd.Series, pd.Series]:
    # Beyond 2**53 a float no longer holds every whole number exactly.
    fractional = values.notna() & ((values != values.round()) | (values.abs() > 2**53))
    values = values.where(~fractional)
    return values.round().astype("Int64"), bad | fractional


def parse_date(raw: pd.Series, kind: pd.Series, skip: pd.Series, keep_time: bool = False) -> tuple[pd.Series, pd.Series]:
    """Timestamps from date cells, Excel serials and date text in the unambiguous formats."""
    out = pd.Series(pd.NaT, index=raw.index, dtype=DATE_DTYPE)
    native = kind.isin([dt.datetime, dt.date, pd.Timestamp]) & ~skip
    if native.any():
        out[native] = _dates(pd.to_datetime(raw[native], errors="coerce"))
    serial = _number_kinds(kind) & ~skip
    if serial.any():
        out[serial] = excel_dates(raw[serial].astype("float64"))
    text = (kind == str) & ~skip
    if text.any():
        cleaned = _clean_text(raw[text])
        parsed = pd.Series(pd.NaT, index=cleaned.index, dtype=DATE_DTYPE)
        for fmt in DATE_FORMATS:
            missing = parsed.isna()
            if not missing.any():
                break
            parsed[missing] = _dates(pd.to_datetime(cleaned[missing], format=fmt, errors="coerce"))
        out[text] = parsed
    # A time of day is kept to the second: a serial's float error (10:30:00 read as
    # 10:29:59.999999) and readers giving milliseconds or microseconds all agree then.
    out = out.dt.round("s") if keep_time else out.dt.normalize()
    bad = ~skip & out.isna()
    return out, bad


def parse_bool(raw: pd.Series, kind: pd.Series, skip: pd.Series) -> tuple[pd.Series, pd.Series]:
    out = pd.Series(pd.NA, index=raw.index, dtype="boolean")
    native = (kind == bool) & ~skip
    out[native] = raw[native].astype(bool)
    numeric = _number_kinds(kind) & ~skip
    numbers = raw[numeric].astype("float64")
    out[numeric] = numbers.map({1.0: True, 0.0: False})
    text = (kind == str) & ~skip
    if text.any():
        words = _clean_text(raw[text]).str.casefold()
        out[text] = words.map({**{w: True for w in TRUE_WORDS}, **{w: False for w in FALSE_WORDS}})
    bad = ~skip & out.isna()
    return out, bad


def parse_enum(raw: pd.Series, kind: pd.Series, skip: pd.Series, enum_id: str) -> tuple[pd.Series, pd.Series]:
    """Codes, from a label in any language or the code itself."""
    text = parse_text(raw, kind, skip)[0]
    out = text.str.strip().str.casefold().map(enum_lookup(enum_id))
    bad = ~skip & out.isna()
    return out.astype("str").where(~out.isna()), bad


def parse_text(raw: pd.Series, kind: pd.Series, skip: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Text as typed (trimmed); a number typed into a text cell reads as its digits (1001, not 1001.0)."""
    out = pd.Series(None, index=raw.index, dtype="object")
    text = (kind == str) & ~skip
    out[text] = raw[text].str.strip()
    other = ~text & ~skip
    if other.any():
        out[other] = raw[other].map(_as_text)
    return out.astype("str").where(~skip), pd.Series(False, index=raw.index)


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if (value.hour or value.minute or value.second) else value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def parse_column(raw: pd.Series, kind: pd.Series, skip: pd.Series, column) -> tuple[pd.Series, pd.Series]:
    """Parse one column of a form according to its declared type."""
    if column.type in ("number", "money", "percent"):
        return parse_number(raw, kind, skip, percent=column.type == "percent")
    if column.type == "int":
        return parse_int(raw, kind, skip)
    if column.type in ("date", "datetime"):
        return parse_date(raw, kind, skip, keep_time=column.type == "datetime")
    if column.type == "bool":
        return parse_bool(raw, kind, skip)
    if column.type == "enum":
        return parse_enum(raw, kind, skip, column.enum)
    return parse_text(raw, kind, skip)


# Fast paths: a column whose cells are all of the one kind its type expects (numbers in a
# number column, text in a text column, dates in a date column; blanks anywhere) is read with
# a few whole-column numpy operations instead of the general per-kind branching above. They
# return exactly what the general path returns (tests/test_speed_paths_equal.py proves it).
NUMBER_TYPES = ("number", "money", "percent")
ERROR_SET = frozenset(ERROR_VALUES)


@dataclass
class ColumnRead:
    """One column read by a fast path; every Series is indexed like the raw column."""

    values: pd.Series
    bad: pd.Series
    blank: pd.Series
    errors: pd.Series

    def rows(self, keep: np.ndarray) -> ColumnRead:
        return ColumnRead(self.values[keep], self.bad[keep], self.blank[keep], self.errors[keep])


# What pandas' one C pass (``infer_dtype``, blanks skipped) calls a column of one kind of cell.
NUMBER_KINDS = frozenset({"floating", "integer", "mixed-integer-float"})
DATE_KINDS = frozenset({"datetime", "date"})


def read_uniform_column(raw: pd.Series, column) -> ColumnRead | None:
    """The column read in one pass when all its non-blank cells are of the expected kind, else None."""
    if not len(raw):
        return None
    if raw.dtype != object:
        return _read_typed_column(raw, column)
    cells = raw.to_numpy(dtype=object)
    kind = pd.api.types.infer_dtype(cells, skipna=True)
    if column.type in ("text", "enum"):
        return _uniform_text(raw.index, cells, column) if kind in ("string", "empty") else None
    if kind not in NUMBER_KINDS and kind not in DATE_KINDS:
        cells = np.where(cells == "", None, cells)  # blank cells often arrive as ""
        kind = pd.api.types.infer_dtype(cells, skipna=True)
    if kind in NUMBER_KINDS or kind == "empty":
        return _uniform_numbers(raw.index, cells, column) if column.type in (*NUMBER_TYPES, "int", "date",
                                                                              "datetime") else None
    if kind in DATE_KINDS and column.type in ("date", "datetime"):
        return _uniform_datetimes(raw.index, cells, column)
    return None


def _read_typed_column(raw: pd.Series, column) -> ColumnRead | None:
    """A column the source already typed (floats, strings, datetimes: one kind of cell, blanks
    missing) read like a uniform column of Python values of that kind, or None."""
    if raw.dtype.kind == "f" and column.type in (*NUMBER_TYPES, "int", "date", "datetime"):
        return _uniform_numbers(raw.index, raw.to_numpy(), column)
    if raw.dtype.kind == "M" and column.type in ("date", "datetime"):
        return _uniform_datetimes(raw.index, raw, column)
    if isinstance(raw.dtype, pd.StringDtype) and column.type in ("text", "enum"):
        return _uniform_text(raw.index, raw, column)
    return None


def _no(index: pd.Index) -> pd.Series:
    return pd.Series(np.zeros(len(index), dtype=bool), index=index)


def _uniform_numbers(index: pd.Index, cells: np.ndarray, column) -> ColumnRead | None:
    try:
        numbers = cells.astype(float)  # None → NaN
    except (TypeError, ValueError, OverflowError):  # pd.NA, or an integer too large for a float
        return None
    blank = np.isnan(numbers)
    skip = pd.Series(blank, index=index)
    if column.type in ("date", "datetime"):
        values = excel_dates(pd.Series(numbers, index=index))
        if column.type == "date":
            values = values.dt.normalize()
        bad = ~skip & values.isna()
    elif column.type == "int":
        values, bad = _whole_numbers(pd.Series(numbers, index=index), _no(index))
    else:
        finite = np.isfinite(numbers)
        values = pd.Series(np.where(finite, numbers, np.nan), index=index)
        bad = pd.Series(~finite & ~blank, index=index)
    return ColumnRead(values, bad, skip, _no(index))


def _uniform_text(index: pd.Index, cells, column) -> ColumnRead:
    # A column of text repeats a few values (dealer ids, regions) over many rows: each distinct
    # text is trimmed, checked and looked up once, then spread back to its rows.
    positions, distinct = pd.factorize(cells)  # a missing cell gets -1: the extra last slot below
    words = distinct.tolist()
    stripped = [word.strip() for word in words]
    blank_of = np.array([not word for word in stripped] + [True])  # whitespace-only is blank too
    error_of = np.array([word in ERROR_SET for word in words] + [False])
    skip_of = blank_of | error_of
    blank, errors, skip = blank_of[positions], error_of[positions], skip_of[positions]
    shown = [None if skipped else word for word, skipped in zip(stripped, skip_of.tolist())]
    if column.type == "text":
        as_read = isinstance(cells, pd.Series) and cells.dtype == "str" and shown == words
        values = cells.set_axis(index) if as_read else _spread(shown, positions, index)  # as read: nothing to trim
        return ColumnRead(values, _no(index), pd.Series(blank, index=index), pd.Series(errors, index=index))
    lookup = enum_lookup(column.enum)
    codes_of = [None if word is None else lookup.get(word.casefold()) for word in shown]
    found = np.array([code is not None for code in codes_of] + [False])[positions]
    return ColumnRead(_spread(codes_of, positions, index), pd.Series(~found & ~skip, index=index),
                      pd.Series(blank, index=index), pd.Series(errors, index=index))


def _spread(values_of: list, positions: np.ndarray, index: pd.Index) -> pd.Series:
    """Text per distinct value (None: missing) spread to the rows by position (-1: missing),
    without a Python object per row."""
    distinct = pd.array(values_of, dtype="str")
    return pd.Series(distinct.take(positions, allow_fill=True), index=index)


def _uniform_datetimes(index: pd.Index, cells, column) -> ColumnRead:
    raw = cells.set_axis(index) if isinstance(cells, pd.Series) else pd.Series(cells, index=index, dtype=object)
    blank = raw.isna()
    values = _dates(raw if raw.dtype.kind == "M" else pd.to_datetime(raw, errors="coerce"))
    values = values.dt.normalize() if column.type == "date" else values.dt.round("s")
    return ColumnRead(values, ~blank & values.isna(), blank, _no(index))
