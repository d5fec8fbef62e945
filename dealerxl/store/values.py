"""Converting between a form's DataFrame and the plain values both databases accept.

Writing: every value is checked against its column type (vectorised per column) and
turned into text, int, float or None; dates become ISO text (``2024-03-31``), datetimes
``2024-03-31 14:05:00``, booleans 1/0, blank text None (a sheet cell has no empty string
distinct from blank). A value that does not fit raises :class:`StoreError` naming the
row and column, before anything touches the database: a number that is not finite
(``inf``, ``1e309``), text holding a NUL character (PostgreSQL cannot store one; SQLite
would, and the two stores must agree). Text in key columns is compared and stored in one
form (:func:`dealerxl.text.key_text`: NFKC, invisible characters removed), so
``SKU-0001`` and ``SKU\u200b-0001`` are one key.

Reading: the same columns come back with the dtypes the rest of dealerxl uses.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dealerxl.book.parse import DATE_DTYPE
from dealerxl.forms import Column, Form
from dealerxl.text import key_text

from .errors import StoreError
from .schema import PERIOD_COLUMN, period_source

PERIOD_PATTERN = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
NUMERIC_TYPES = ("number", "money", "percent")


def check_period(period: str) -> str:
    if not isinstance(period, str) or not PERIOD_PATTERN.match(period):
        raise StoreError("msg.store.bad_period", period=period)
    return period


def _fail(form: Form, column: str, kind: str, series: pd.Series, bad: pd.Series,
          key: str = "msg.store.bad_value") -> None:
    if bad.any():
        position = int(np.flatnonzero(bad.to_numpy())[0])
        raise StoreError(key, form=form.id, row=position + 1, column=column,
                         kind=kind, value=repr(series.iloc[position]) if key != "msg.store.bad_value"
                         else series.iloc[position])


def _text(form: Form, column: Column, series: pd.Series) -> pd.Series:
    if not pd.api.types.is_string_dtype(series) or series.dtype == object:
        # numbers or mixed objects typed into a text column are kept as their text
        series = series.astype(object).where(series.isna(), series.astype(str)).astype("str")
    _fail(form, column.id, "text", series, series.str.contains("\x00", regex=False).fillna(False).astype(bool),
          key="msg.store.nul_character")
    if column.key:
        series = key_text(series)
    blank = series.isna() | (series.str.strip() == "")
    return pd.Series(series.to_numpy(dtype=object, na_value=None), dtype=object).where(~blank.to_numpy(), None)


def _number(form: Form, column: str, kind: str, series: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.astype("float64")  # already numbers: only their finiteness to check
    else:
        text = series.astype(object).where(series.notna(), None).astype("str").str.strip()
        blank = series.isna() | (text == "")
        values = pd.to_numeric(text.where(~blank, None), errors="coerce").astype("float64")
        _fail(form, column, kind, series, values.isna() & ~blank)
    numbers = values.to_numpy()
    _fail(form, column, kind, series, pd.Series(~np.isfinite(numbers) & ~np.isnan(numbers)),
          key="msg.store.not_finite")
    return values


def _integer(form: Form, column: str, series: pd.Series) -> pd.Series:
    values = _number(form, column, "int", series)
    _fail(form, column, "int", series, values.notna() & (values != values.round()))
    return values.astype("Int64")


def _when(form: Form, column: str, kind: str, series: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(series):
        stamps, blank = series, series.isna()
    else:
        blank = series.isna() | (series.astype(object).where(series.notna(), None).astype("str").str.strip() == "")
        stamps = pd.to_datetime(series.where(~blank, None), errors="coerce", format="mixed")
    _fail(form, column, kind, series, stamps.isna() & ~blank)
    pattern = "%Y-%m-%d" if kind == "date" else "%Y-%m-%d %H:%M:%S"
    if kind == "date":
        _fail(form, column, kind, series, stamps.notna() & (stamps != stamps.dt.normalize()))
    return stamps.dt.strftime(pattern).astype(object).where(stamps.notna(), None)


def _boolean(form: Form, column: str, series: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        numbers = series.astype("float64")
        bad = numbers.notna() & ~numbers.isin([0.0, 1.0])
    else:
        text = series.astype(object).where(series.notna(), None).astype("str").str.strip().str.lower()
        numbers = text.map({"true": 1.0, "false": 0.0, "1": 1.0, "0": 0.0}).astype("float64")
        bad = numbers.isna() & text.notna() & (text != "")
    _fail(form, column, "bool", series, bad)
    return numbers.astype("Int64")


def column_values(form: Form, column: Column, series: pd.Series) -> pd.Series:
    """One column's values in storage form, checked against the column's type."""
    if column.type in ("text", "enum"):
        return _text(form, column, series)
    if column.type == "int":
        return _integer(form, column.id, series)
    if column.type in NUMERIC_TYPES:
        return _number(form, column.id, column.type, series)
    if column.type in ("date", "datetime"):
        return _when(form, column.id, column.type, series)
    return _boolean(form, column.id, series)


def storage_frame(form: Form, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as plain column values in declaration order (missing optional columns blank)."""
    extra = [c for c in frame.columns if c not in {col.id for col in form.columns}]
    if extra:
        raise StoreError("msg.store.extra_columns", form=form.id, columns=", ".join(map(str, extra)))
    missing_keys = [k for k in form.key_columns if k not in frame.columns]
    if missing_keys:
        raise StoreError("msg.store.missing_key", form=form.id, columns=", ".join(missing_keys))
    frame = frame.reset_index(drop=True)
    out: dict[str, pd.Series] = {}
    for column in form.columns:
        if column.id not in frame.columns:
            out[column.id] = pd.Series([None] * len(frame), dtype=object)
        else:
            out[column.id] = column_values(form, column, frame[column.id])
    result = pd.DataFrame(out)
    _check_keys(form, result)
    return result


def _check_keys(form: Form, values: pd.DataFrame) -> None:
    keys = list(form.key_columns)
    for key in keys:
        blank = values[key].isna()
        if blank.any():
            raise StoreError("msg.store.blank_key", form=form.id, row=int(np.flatnonzero(blank.to_numpy())[0]) + 1,
                             column=key)
    repeated = values.duplicated(subset=keys, keep="first")
    if repeated.any():
        position = int(np.flatnonzero(repeated.to_numpy())[0])
        key = ", ".join(str(values[k].iloc[position]) for k in keys)
        raise StoreError("msg.store.duplicate_key", form=form.id, row=position + 1, values=key)


def storage_dtypes(form: Form, frame: pd.DataFrame) -> pd.DataFrame:
    """Plain values read back (from JSON) with the dtypes :func:`storage_frame` gives each
    column, so both backends write them as they write a fresh load."""
    out = frame.copy()
    for column in form.columns:
        if column.type in ("int", "bool"):
            out[column.id] = pd.array(frame[column.id].tolist(), dtype="Int64")
        elif column.type in NUMERIC_TYPES:
            out[column.id] = pd.to_numeric(frame[column.id]).astype("float64")
        else:
            out[column.id] = frame[column.id].astype(object).where(frame[column.id].notna(), None)
    return out


def row_periods(form: Form, values: pd.DataFrame) -> pd.Series:
    """Each row's ``YYYY-MM`` from the form's period column (None when it has none)."""
    source = period_source(form)
    if source is None:
        return pd.Series([None] * len(values), dtype=object)
    return values[source].map(lambda v: v[:7] if isinstance(v, str) else None)


def typed_frame(form: Form, rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    """Rows read from the database as a DataFrame with the form's dtypes."""
    raw = pd.DataFrame.from_records(rows, columns=columns) if rows else pd.DataFrame({c: [] for c in columns})
    out: dict[str, pd.Series] = {}
    for name in columns:
        series = raw[name]
        if name == PERIOD_COLUMN:
            out[name] = series.astype("str")
            continue
        kind = form.column(name).type
        if kind in ("text", "enum"):
            out[name] = series.astype(object).where(series.notna(), None).astype("str")
        elif kind == "int":
            out[name] = pd.to_numeric(series).astype("Int64")
        elif kind in NUMERIC_TYPES:
            out[name] = pd.to_numeric(series).astype("float64")
        elif kind in ("date", "datetime"):
            out[name] = pd.to_datetime(series.astype(object).where(series.notna(), None)).astype(DATE_DTYPE)
        else:
            out[name] = series.astype(object).where(series.notna(), None).map(
                lambda v: None if v is None else bool(v)).astype("boolean")
    return pd.DataFrame(out, columns=columns)
