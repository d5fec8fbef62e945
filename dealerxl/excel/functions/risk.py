"""Dealer scoring, receivables and early-warning UDFs (manual 3.3, 3.4, 8.1 – 8.4).

Per-row results stop at the last row with data (a whole column, A:A, is mostly blank).
"""
from __future__ import annotations

import numpy as np

from dealerxl.calc import receivables, risk, scoring
from dealerxl.excel.functions.convert import (SERIALS, blanks_done, column, datetimes, first_items, first_rows, matrix, numbers, one_date,
                                              one_number, per_row, table, used_rows)
from dealerxl.excel.functions.errors import InputError, blank_cell
from dealerxl.excel.functions.language import code_labels
from dealerxl.excel.functions.registry import udf


@udf("values", "weights", "directions", "gates")
def DX_SCORECARD(values, weights, directions=None, gates=None, codes=None):
    """Weighted 0–100 score per row of criteria, with pass/fail gates.

    ``values``: one row per candidate, one column per criterion; ``weights``: one per
    criterion; ``directions``: 1 = higher is better, −1 = lower is better; ``gates``: a
    floor per criterion (blank = none). Spills score, passed (TRUE/FALSE) and the numbers
    of the failed criteria.
    """
    return table(scoring.weighted_score_columns(*scorecard_arguments(values, weights, directions, gates)))


def scorecard_arguments(values, weights, directions=None, gates=None):
    """DX_SCORECARD's arguments read: the values up to the last candidate with one, a weight,
    a direction (blank: higher is better) and a gate (blank: none) per criterion."""
    return (matrix(first_rows(values, used_rows(blocks=(values,))), "values"), numbers(weights, "weights"),
            None if directions is None else np.nan_to_num(numbers(directions, "directions"), nan=1.0),
            None if gates is None else numbers(gates, "gates"))


def _bucket_bounds(buckets) -> tuple[tuple[float, ...], tuple[str, ...]]:
    if buckets is None:
        bounds = receivables.DEFAULT_BUCKET_UPPER_DAYS
    else:
        bounds = tuple(float(b) for b in numbers(buckets, "buckets") if not np.isnan(b))
    labels = [f"≤{bounds[0]:g}"] + [f"{lo + 1:g}–{hi:g}" for lo, hi in zip(bounds, bounds[1:])] + [f">{bounds[-1]:g}"]
    return bounds, tuple(labels)


@udf("due_dates", "amounts", "buckets")
def DX_AGING(due_dates, amounts, as_of, buckets=None, codes=None):
    """Open amounts by days past due at ``as_of``: a header row of buckets and a row of totals.

    ``buckets``: the upper bound (days past due) of each bucket but the last, e.g.
    0, 30, 60, 90, 180 (the default). A row with an amount needs its due date.
    """
    due_dates, amounts, bounds, labels = aging_arguments(due_dates, amounts, buckets)
    days = _serial_days_past_due(due_dates, as_of)
    if days is None:
        return aging_of_any_dates(due_dates, amounts, as_of, bounds, labels)
    open_amounts = _amounts_of(amounts, days.size)
    if len(set(labels)) < len(labels) or "total" in labels:  # names a column mapping cannot hold apart
        return table(receivables.ageing_of_days(days, open_amounts, bounds, labels))
    # The total row goes straight into the spilled table: no DataFrame between them.
    sums, total = receivables.ageing_total(days, open_amounts, bounds, labels)
    rows = min(len(days), 1)
    columns = {label: sums[j:j + 1][:rows] for j, label in enumerate(labels)}
    columns["total"] = np.full(rows, total)
    return table(columns)


def aging_arguments(due_dates, amounts, buckets=None):
    """DX_AGING's ranges up to the last row with a due date or an amount, and its buckets'
    bounds and labels."""
    rows = used_rows(due_dates, amounts)
    return (first_items(due_dates, rows), first_items(amounts, rows), *_bucket_bounds(buckets))


def _amounts_of(amounts, items: int) -> np.ndarray:
    """The open amounts, one per due date."""
    values = numbers(amounts, "amounts")
    if values.size != items:
        raise InputError("msg.udf.lengths", argument="amounts", cells=values.size, other="due_dates", rows=items)
    return values


def aging_of_any_dates(due_dates, amounts, as_of, bounds, labels) -> np.ndarray:
    """DX_AGING by the general reading of dates: datetimes, date text or serial numbers."""
    as_of_date = one_date(as_of, "as_of")
    due = datetimes(due_dates, "due_dates").to_numpy()
    values = _amounts_of(amounts, due.size)
    undated = np.isnat(due)
    if undated.any():  # a row without a due date: an error if it holds an amount, else nothing to age
        owed = undated & ~np.isnan(values)
        if owed.any():
            raise blank_cell("due_dates", int(np.flatnonzero(owed)[0]), np.shape(due_dates))
        due, values = due[~undated], values[~undated]
    return table(receivables.ageing(due, values, as_of_date, bounds, labels))


def _serial_days_past_due(due_dates, as_of) -> np.ndarray | None:
    """Days past due when the due dates are a range of serial numbers and ``as_of`` is one:
    a subtraction, with no dates built (None when the general reading is needed)."""
    if not (isinstance(due_dates, np.ndarray) and due_dates.dtype.kind in "fiu"):
        return None
    as_of_serial = as_of.reshape(-1)[0] if isinstance(as_of, np.ndarray) and as_of.size == 1 else as_of
    if isinstance(as_of_serial, (bool, np.bool_)) or not isinstance(as_of_serial, (int, float, np.integer, np.floating)):
        return None
    due = numbers(due_dates)
    first, last = SERIALS  # the days datetimes() reads; anything else takes it, and its refusal
    if not first <= as_of_serial <= last or (due.size and not (due.min() >= first and due.max() <= last)):
        return None
    return receivables.days_past_due_of_serials(due, as_of_serial)


@udf("bucket_balances", "loss_rates")
def DX_ECL(bucket_balances, loss_rates, forward_looking_factor=1.0, codes=None):
    """Expected credit loss per ageing bucket (simplified approach): gross × loss rate × factor.

    Spills one row per bucket: gross, loss rate and ECL.
    """
    rows = used_rows(bucket_balances, loss_rates)
    balances = numbers(first_items(bucket_balances, rows), "bucket_balances")
    rates = per_row(first_items(loss_rates, rows), balances.size, "loss_rates", "bucket_balances")
    # The columns go straight into the spilled table: no DataFrame between them.
    result = receivables.expected_credit_loss_columns(
        balances, rates, one_number(forward_looking_factor, "forward_looking_factor", 1.0))
    return table(result)


@udf("receivables_end", "revenue")
def DX_DSO(receivables_end, revenue, days_in_period=30):
    """Days sales outstanding: receivables / credit sales × days in the period."""
    rows = used_rows(receivables_end, revenue)
    owed = numbers(first_items(receivables_end, rows), "receivables_end")
    return column(receivables.dso(owed, per_row(first_items(revenue, rows), owed.size, "revenue", "receivables_end"),
                                  one_number(days_in_period, "days_in_period", 30.0)))


@udf("values", "amber", "red", "direction")
def DX_RISK_LEVEL(values, amber, red, direction=1, codes=None):
    """Red / amber / green per value against amber and red thresholds (one column), worded as
    the workbook's risk lights (紅 / 黃 / 綠 in 繁體中文).

    ``direction`` 1: higher is riskier; −1: lower is riskier. Thresholds may be one cell
    or one per value.
    """
    rows = used_rows(values, amber, red, direction)
    x = numbers(first_items(values, rows), "values")

    def per_value(given, name, default=None):
        if np.ndim(given) == 0 and not isinstance(given, str) and given is not None:
            return float(given)  # a number from a formula or from Python
        cells = per_row(first_items(given, rows), x.size, name, "values")
        if cells is None or (cells.size and np.isnan(cells).all()):
            if default is None:
                raise InputError("msg.udf.blank", argument=name)
            return default
        return cells[0] if np.ndim(given) == 0 or np.size(given) == 1 else cells

    d = per_value(direction, "direction", 1.0)
    d = np.nan_to_num(d, nan=1.0) if np.ndim(d) else d
    levels = risk.rule_levels(x, per_value(amber, "amber"), per_value(red, "red"), d)
    return blanks_done(column(code_labels(levels, "enum.rag")))  # every level is one of the three words
