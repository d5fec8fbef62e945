"""A form's table as its cells, row by row, for writers that must put back what they found.

The reader (:mod:`dealerxl.book.validate`) turns a table into clean typed rows and leaves out
rows with problems. A writer that merges into a table (``dealerxl sync``) must keep every row
the user has, bad ones included, exactly as typed: :func:`table_rows` gives each non-blank row's
cells as they are (text stays text, a number typed as text stays text), with the row's key and
period worked out as the reader and the history store work them out, so rows can be matched.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dealerxl.forms import get_form

from .locate import locate
from .parse import blank_mask, kinds, parse_column
from .validate import _cells

KEY_SEPARATOR = "\x1f"
OWN_COLUMN = "own:"  # frame column name prefix of a table column the form does not declare (+ its header)


@dataclass
class TableRows:
    """The non-blank rows of a form's table: ``cells`` (object columns named by column id, and
    ``own:<header>`` for the user's own columns), each row's ``keys`` (a string, None where
    the key is incomplete or unreadable) and ``periods`` (``YYYY-MM`` or None)."""

    cells: pd.DataFrame
    keys: pd.Series
    periods: pd.Series

    def __len__(self) -> int:
        return len(self.cells)


def key_strings(form, frame: pd.DataFrame) -> pd.Series:
    """One string per row naming its key (typed values; codes for dropdowns), None where a key
    column is blank. The same key read from a sheet and from the store gives the same string."""
    parts = []
    for column_id in form.key_columns:
        values = frame[column_id] if column_id in frame else pd.Series(None, index=frame.index, dtype=object)
        column = form.column(column_id)
        if column.type in ("date", "datetime"):
            text = pd.to_datetime(values, errors="coerce").dt.strftime("%Y-%m-%d %H:%M:%S")
        elif column.type in ("int", "number", "money", "percent"):
            numbers = pd.to_numeric(values, errors="coerce").astype("float64")
            text = numbers.map(lambda v: None if pd.isna(v) else f"{v:.15g}")
        else:
            text = values.astype(object).map(lambda v: None if v is None or (isinstance(v, float) and np.isnan(v))
                                              else str(v).strip() or None)
        parts.append(text.astype(object).where(text.notna(), None))
    if not parts:
        return pd.Series(None, index=frame.index, dtype=object)
    joined = parts[0].map(lambda v: v)
    complete = parts[0].notna()
    for part in parts[1:]:
        complete &= part.notna()
        joined = joined.astype(str) + KEY_SEPARATOR + part.astype(str)
    return joined.where(complete, None)


def period_strings(form, frame: pd.DataFrame) -> pd.Series:
    """Each row's period (``YYYY-MM`` of the form's period column), None where it has none."""
    from dealerxl.store.schema import period_source

    source = period_source(form)
    if source is None or source not in frame:
        return pd.Series(None, index=frame.index, dtype=object)
    months = pd.to_datetime(frame[source], errors="coerce").dt.strftime("%Y-%m")
    return months.astype(object).where(months.notna(), None)


def table_rows(source, form_id: str) -> TableRows | None:
    """Every non-blank row of ``form_id``'s table in ``source`` (a :class:`WorkbookSource`), or
    None when the workbook does not hold the form."""
    form = get_form(form_id)
    located = locate(source, form)
    if located is None:
        return None
    present = [c for c in form.columns if c.id in located.columns]
    if located.typed is not None:
        cells = pd.DataFrame({c.id: _objects(located.typed[c.id]) for c in present})
        own = _own_columns_typed(source, form, located)
    else:
        body = located.grid.rows[located.header_row + 1:]
        cells = _cells(body, [located.columns[c.id] for c in present]) if body else pd.DataFrame(
            {c.id: pd.Series(dtype=object) for c in present})
        cells.columns = [c.id for c in present]
        own = _own_columns_grid(located, form, len(cells))
    for name, values in own.items():
        values = values.reindex(range(len(cells))).astype(object)
        cells[name] = values.where(~blank_mask(values, kinds(values)), None).to_numpy()
    cells = cells.astype(object)
    cells.index = pd.RangeIndex(len(cells))
    typed = {}
    for column in present:
        raw = cells[column.id]
        kind = kinds(raw)
        blank = blank_mask(raw, kind)
        if column.key or column.type in ("date", "datetime"):
            values, bad = parse_column(raw, kind, blank, column)
            typed[column.id] = values.where(~bad)
        cells[column.id] = raw.where(~blank, None)
    inputs = [c.id for c in present if c.is_input] or [c.id for c in present]
    filled = ~np.logical_and.reduce([cells[c].isna().to_numpy() for c in inputs]) if inputs else \
        np.zeros(len(cells), bool)
    if own:
        filled |= ~np.logical_and.reduce([cells[name].isna().to_numpy() for name in own])
    frame = pd.DataFrame(typed, index=cells.index)
    keep = pd.Series(filled, index=cells.index)
    cells = cells[keep].reset_index(drop=True)
    frame = frame[keep].reset_index(drop=True)
    return TableRows(cells, key_strings(form, frame), period_strings(form, frame))


def _objects(values: pd.Series) -> pd.Series:
    """A typed column's cells as Python values (None for blanks)."""
    objects = values.astype(object)
    return objects.where(values.notna(), None)


def _own_column_names(form, names) -> list[tuple[int, str]]:
    """(position, header) of the table's columns the form does not declare."""
    from .language import header_lookup, normalise_label

    lookup = header_lookup(form.id)
    return [(i, str(name)) for i, name in enumerate(names)
            if name not in (None, "") and lookup.get(normalise_label(name)) is None]


def _own_columns_grid(located, form, rows: int) -> dict[str, pd.Series]:
    header = located.grid.rows[located.header_row]
    first = min(located.columns.values())
    last = max(max(located.columns.values()), len(header) - 1)
    found = {}
    for position, name in _own_column_names(form, header[first:last + 1]):
        column = first + position
        body = located.grid.rows[located.header_row + 1:]
        found[OWN_COLUMN + name] = pd.Series([row[column] if column < len(row) else None for row in body][:rows],
                                             dtype=object)
    return found


def _own_columns_typed(source, form, located) -> dict[str, pd.Series]:
    ref = source.table(form.table_name) if hasattr(source, "table") else None
    if ref is None or not ref.column_names:
        return {}
    own = _own_column_names(form, ref.column_names)
    if not own:
        return {}
    names = [name for _, name in own]
    columns = source.typed_columns(ref.sheet, ref.header_row, names)
    if columns is None:  # a column fastexcel cannot read whole: read the sheet's cells instead
        grid = source.grid(ref.sheet)
        row = ref.header_row - grid.origin[0]
        body = grid.rows[row + 1:]
        return {OWN_COLUMN + name: pd.Series([r[ref.first_column + i] if ref.first_column + i < len(r) else None
                                              for r in body], dtype=object) for i, name in own}
    return {OWN_COLUMN + name: _objects(columns[name]) for name in names}
