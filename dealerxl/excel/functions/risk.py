"""Dealer scoring, receivables and early-warning UDFs (manual 3.3, 3.4, 8.1 – 8.4)."""
from __future__ import annotations

import numpy as np

from dealerxl.calc import receivables, risk, scoring
from dealerxl.excel.functions.convert import column, datetimes, matrix, numbers, scalar, table
from dealerxl.excel.functions.registry import udf


@udf("values", "weights", "directions", "gates")
def DX_SCORECARD(values, weights, directions=None, gates=None):
    """Weighted 0–100 score per row of criteria, with pass/fail gates.

    ``values``: one row per candidate, one column per criterion; ``weights``: one per
    criterion; ``directions``: 1 = higher is better, −1 = lower is better; ``gates``: a
    floor per criterion (blank = none). Spills score, passed (TRUE/FALSE) and the numbers
    of the failed criteria.
    """
    result = scoring.weighted_score_columns(
        matrix(values), numbers(weights),
        None if directions is None else np.nan_to_num(numbers(directions), nan=1.0),
        None if gates is None else numbers(gates))
    return table(result)


def _bucket_bounds(buckets) -> tuple[tuple[float, ...], tuple[str, ...]]:
    if buckets is None:
        bounds = receivables.DEFAULT_BUCKET_UPPER_DAYS
    else:
        bounds = tuple(float(b) for b in numbers(buckets) if not np.isnan(b))
    labels = [f"≤{bounds[0]:g}"] + [f"{lo + 1:g}–{hi:g}" for lo, hi in zip(bounds, bounds[1:])] + [f">{bounds[-1]:g}"]
    return bounds, tuple(labels)


@udf("due_dates", "amounts", "buckets")
def DX_AGING(due_dates, amounts, as_of, buckets=None):
    """Open amounts by days past due at ``as_of``: a header row of buckets and a row of totals.

    ``buckets``: the upper bound (days past due) of each bucket but the last, e.g.
    0, 30, 60, 90, 180 (the default).
    """
    bounds, labels = _bucket_bounds(buckets)
    days = _serial_days_past_due(due_dates, as_of)
    if days is None:
        return _aging_of_any_dates(due_dates, amounts, as_of, bounds, labels)
    if len(set(labels)) < len(labels) or "total" in labels:  # names a column mapping cannot hold apart
        return table(receivables.ageing_of_days(days, numbers(amounts), bounds, labels))
    # The total row goes straight into the spilled table: no DataFrame between them.
    sums, total = receivables.ageing_total(days, numbers(amounts), bounds, labels)
    rows = min(len(days), 1)
    columns = {label: sums[j:j + 1][:rows] for j, label in enumerate(labels)}
    columns["total"] = np.full(rows, total)
    return table(columns)


def _aging_of_any_dates(due_dates, amounts, as_of, bounds, labels) -> np.ndarray:
    """DX_AGING by the general reading of dates: datetimes, date text or serial numbers."""
    as_of_date = datetimes([scalar(as_of)]).iloc[0]
    # Serial numbers become dates in one array operation (not cell by cell); datetimes and date text
    # take the general reading.
    due = datetimes(due_dates).to_numpy()
    result = receivables.ageing(due, numbers(amounts), as_of_date, bounds, labels)
    return table(result)


def _serial_days_past_due(due_dates, as_of) -> np.ndarray | None:
    """Days past due when the due dates are a range of serial numbers and ``as_of`` is one:
    a subtraction, with no dates built (None when the general reading is needed)."""
    if not (isinstance(due_dates, np.ndarray) and due_dates.dtype.kind in "fiu"):
        return None
    as_of_serial = scalar(as_of)
    if isinstance(as_of_serial, (bool, np.bool_)) or not isinstance(as_of_serial, (int, float, np.integer, np.floating)):
        return None
    return receivables.days_past_due_of_serials(numbers(due_dates), as_of_serial)


@udf("bucket_balances", "loss_rates")
def DX_ECL(bucket_balances, loss_rates, forward_looking_factor=1.0):
    """Expected credit loss per ageing bucket (simplified approach): gross × loss rate × factor.

    Spills one row per bucket: gross, loss rate and ECL.
    """
    # The columns go straight into the spilled table: no DataFrame between them.
    result = receivables.expected_credit_loss_columns(numbers(bucket_balances), numbers(loss_rates),
                                                      float(scalar(forward_looking_factor, 1.0)))
    return table(result)


@udf("receivables_end", "revenue")
def DX_DSO(receivables_end, revenue, days_in_period=30):
    """Days sales outstanding: receivables / credit sales × days in the period."""
    return column(receivables.dso(numbers(receivables_end), numbers(revenue), float(scalar(days_in_period, 30))))


@udf("values", "amber", "red", "direction")
def DX_RISK_LEVEL(values, amber, red, direction=1):
    """Red / amber / green per value against amber and red thresholds (one column).

    ``direction`` 1: higher is riskier; −1: lower is riskier. Thresholds may be one cell
    or one per value.
    """
    d = np.nan_to_num(numbers(direction), nan=1.0) if np.ndim(direction) else float(scalar(direction, 1))
    levels = risk.rule_levels(numbers(values), numbers(amber) if np.ndim(amber) else float(amber),
                              numbers(red) if np.ndim(red) else float(red), d)
    return column(levels)
