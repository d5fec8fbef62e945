"""How sync merges the store's rows into a table the workbook already fills.

Nothing only the workbook holds is lost:

* a store row replaces the workbook's row of the same key (the form's key columns), in its
  place; store rows new to the workbook follow the workbook's rows;
* every other row of the workbook stays as it is, rows with problems included (they are
  written back cell by cell as typed);
* only when the merged rows do not fit the sheet are rows taken off, oldest period first,
  and only rows the store holds (each period taken off is named with its rows); if the
  workbook's own rows alone do not fit, nothing is written;
* with ``replace`` the table becomes exactly the store's rows, and the workbook's rows that
  this removes are counted per period, so the caller can name them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dealerxl.book.table_rows import TableRows, key_strings, period_strings


@dataclass
class Merged:
    """The rows to write and what became of the workbook's rows."""

    frame: pd.DataFrame
    kept: int = 0  # workbook rows the store does not hold, kept as they were
    replaced: int = 0  # workbook rows replaced by the store's row of the same key
    added: int = 0  # store rows the workbook did not have
    dropped: dict[str, int] = field(default_factory=dict)  # period → rows taken off to make room (held by the store)
    removed: dict[str, int] = field(default_factory=dict)  # with replace: period → workbook rows removed


class DoesNotFit(ValueError):
    """The workbook's own rows (which the store does not hold) alone exceed the sheet."""

    def __init__(self, rows: int, capacity: int):
        self.rows, self.capacity = rows, capacity
        super().__init__(f"{rows} rows only the workbook holds, the sheet takes {capacity}")


NO_PERIOD = "-"  # how rows without a period are counted in ``removed``


def merge_rows(form, workbook: TableRows | None, stored: pd.DataFrame, capacity: int, *,
               replace: bool = False, store_keys=None) -> Merged:
    """Merge ``stored`` (typed, codes) into the ``workbook``'s rows within ``capacity`` rows.

    ``store_keys(periods)`` gives the keys the store holds in those periods (asked only when
    rows must be taken off to make room: the store's rows of periods not in ``stored``).

    >>> from dealerxl.forms import get_form
    >>> form = get_form("dealer_appraisal")
    >>> sheet = TableRows(pd.DataFrame({"dealer_id": ["D1", "D2"], "month": ["2026-09-01", "2026-10-01"]}),
    ...                   pd.Series(["D1\\x1f2026-09-01 00:00:00", "D2\\x1f2026-10-01 00:00:00"]),
    ...                   pd.Series(["2026-09", "2026-10"]))
    >>> store = pd.DataFrame({"dealer_id": ["D2", "D3"], "month": pd.to_datetime(["2026-10-01", "2026-10-01"])})
    >>> merged = merge_rows(form, sheet, store, capacity=10)
    >>> merged.frame["dealer_id"].tolist(), merged.kept, merged.replaced, merged.added
    (['D1', 'D2', 'D3'], 1, 1, 1)
    """
    stored = stored.reset_index(drop=True)
    if workbook is None or not len(workbook):
        return Merged(stored.astype(object).where(stored.notna(), None), added=len(stored))
    stored_keys = key_strings(form, stored)
    if replace:
        removed = workbook.periods[~workbook.keys.isin(set(stored_keys.dropna()))].fillna(NO_PERIOD)
        return Merged(stored.astype(object).where(stored.notna(), None), added=len(stored),
                      removed=removed.value_counts().sort_index().to_dict())
    position = pd.Series(stored.index, index=stored_keys.to_numpy())
    position = position[~position.index.isna() & ~position.index.duplicated()]
    matched = workbook.keys.map(position)  # the store row replacing each workbook row, NaN if none
    cells = workbook.cells.astype(object)
    columns = [c for c in stored.columns if c in cells.columns or c in {col.id for col in form.columns}]
    for column in columns:
        if column not in cells:
            cells[column] = None
    has = matched.notna().to_numpy()
    if has.any():
        rows = matched[has].astype(int).to_numpy()
        for column in columns:
            values = stored[column].astype(object).where(stored[column].notna(), None).to_numpy()[rows]
            cells.loc[has, column] = values
    new = ~stored.index.isin(matched.dropna().astype(int))
    added = stored[new].astype(object)
    added = added.where(added.notna(), None)
    frame = pd.concat([cells, added], ignore_index=True)
    stored_periods = period_strings(form, stored)
    periods = workbook.periods.astype(object).copy()
    if has.any():  # a replaced row takes the period of the store's row
        periods[has] = stored_periods.to_numpy()[matched[has].astype(int).to_numpy()]
    periods = pd.concat([periods, stored_periods[new]], ignore_index=True)
    held = pd.Series(list(has) + [True] * int(new.sum()))
    merged = Merged(frame, kept=int((~has).sum()), replaced=int(has.sum()), added=int(new.sum()))
    if len(frame) > capacity:
        frame, merged.dropped = _make_room(frame, periods, held, workbook, capacity, store_keys)
        merged.frame = frame
    return merged


def _make_room(frame, periods, held, workbook: TableRows, capacity: int, store_keys):
    """Take rows the store holds off the sheet, oldest period first, until the rest fit."""
    held = held.copy()
    unheld_periods = sorted({p for p in periods[~held] if p is not None})
    if store_keys is not None and unheld_periods:
        known = store_keys(unheld_periods)
        keys = pd.concat([workbook.keys, pd.Series([None] * (len(frame) - len(workbook)))], ignore_index=True)
        held |= keys.isin(known) & periods.isin(unheld_periods)
    if (~held).sum() > capacity:
        raise DoesNotFit(int((~held).sum()), capacity)
    dropped: dict[str, int] = {}
    keep = pd.Series(True, index=frame.index)
    for period in sorted({p for p in periods[held] if p is not None}) + [None]:
        if int(keep.sum()) <= capacity:
            break
        chosen = held & (periods.isna() if period is None else periods.eq(period)) & keep
        if period is None:  # rows without a period: the last ones first
            chosen_index = chosen[chosen].index[::-1][:int(keep.sum()) - capacity]
            chosen = pd.Series(frame.index.isin(chosen_index), index=frame.index)
        keep &= ~chosen
        if chosen.any():
            dropped[period or NO_PERIOD] = int(chosen.sum())
    return frame[keep].reset_index(drop=True), dropped
