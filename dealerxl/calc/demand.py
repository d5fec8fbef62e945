"""Demand statistics (manual 5.1): per SKU, or per SKU × location, from a long table of periods.

The history arrives as one row per key and period (month or week). A period with no row
inside the history's span is a period without demand, so it counts as zero: leaving it out
would overstate the mean and understate the variability of slow movers.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError
from dealerxl.calc.intermittent import intermittent_forecast

# pandas period frequencies for the two bucket sizes the demand table may use.
FREQUENCIES = {"month": "M", "week": "W"}


def _require_columns(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CalcError("msg.calc.demand.needs_column", label_fields={"what": what}, missing=', '.join(missing))


def demand_matrix(history: pd.DataFrame, keys=("sku",), period: str = "month", quantity: str = "quantity",
                  bucket: str = "month", first_period=None, last_period=None) -> pd.DataFrame:
    """Demand per key (rows) and period (columns), with missing periods filled with zero.

    Equation: D[i, t] = Σ quantity of the rows of key i falling in period t; 0 where there
    is no row. The columns run over every period from ``first_period`` (default: the first
    period in the table) to ``last_period`` (default: the last), so a key with no row in a
    month gets a zero there.

    ``bucket`` is ``"month"`` or ``"week"``; the period column holds dates (any day inside
    the period) or text a date parser reads.

    Example (worked by hand): SKU A sold 4 in January and 2 in March, nothing in February.

    >>> h = pd.DataFrame({"sku": ["A", "A", "B"], "month": ["2026-01-01", "2026-03-01", "2026-02-01"],
    ...                   "quantity": [4, 2, 5]})
    >>> demand_matrix(h).to_numpy().tolist()
    [[4.0, 0.0, 2.0], [0.0, 5.0, 0.0]]
    """
    keys = [keys] if isinstance(keys, str) else list(keys)
    if bucket not in FREQUENCIES:
        raise CalcError("msg.calc.demand.demand_bucket_not_one", bucket=bucket, FREQUENCIES=', '.join(FREQUENCIES))
    _require_columns(history, [*keys, period, quantity], "calc.subject.demand_history")
    dates = pd.to_datetime(history[period], errors="coerce")
    if dates.isna().any():
        row = int(np.flatnonzero(dates.isna().to_numpy())[0]) + 1
        raise CalcError("msg.calc.demand.demand_history_row_not", row=row, period=period)
    qty = pd.to_numeric(history[quantity], errors="coerce")
    bad = qty.isna() | (qty < 0)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise CalcError("msg.calc.demand.demand_history_row_number", row=row, quantity=quantity)
    blank_key = history[keys].isna().any(axis=1)
    if blank_key.any():
        row = int(np.flatnonzero(blank_key.to_numpy())[0]) + 1
        raise CalcError("msg.calc.demand.demand_history_row_not_2", row=row, keys=', '.join(keys))
    freq = FREQUENCIES[bucket]
    ordinals = pd.PeriodIndex(dates.dt.to_period(freq)).asi8
    first = pd.Period(first_period, freq) if first_period is not None else (
        pd.Period(ordinal=int(ordinals.min()), freq=freq) if len(history) else None)
    last = pd.Period(last_period, freq) if last_period is not None else (
        pd.Period(ordinal=int(ordinals.max()), freq=freq) if len(history) else None)
    if first is None or last is None:
        index = pd.MultiIndex.from_arrays([[]] * len(keys), names=keys) if len(keys) > 1 else pd.Index([], name=keys[0])
        return pd.DataFrame(index=index, columns=pd.PeriodIndex([], freq=freq, name=period), dtype=float)
    if first > last:
        raise CalcError("msg.calc.demand.first_demand_period_after", first=first, last=last)
    inside = (ordinals >= first.ordinal) & (ordinals <= last.ordinal)
    # Sum quantities into a dense items × periods grid in one pass (faster than a pivot);
    # groupby numbers the keys in sorted order, the same order as its group index.
    groups = history.loc[inside, keys].groupby(keys, sort=True)
    codes = groups.ngroup().to_numpy()
    index = groups.size().index
    n_periods = last.ordinal - first.ordinal + 1
    # np.bincount takes the platform's index type: int32 under Pyodide (Excel on the web and on Mac).
    cells = (codes * n_periods + (ordinals[inside] - first.ordinal)).astype(np.intp)
    grid = np.bincount(cells, weights=qty.to_numpy(dtype=float)[inside], minlength=len(index) * n_periods)
    return pd.DataFrame(grid.reshape(len(index), n_periods), index=index,
                        columns=pd.period_range(first, last, freq=freq, name=period))


STATISTICS = ("periods", "mean_demand", "sd_demand", "cv", "intermittency")


def statistics_from_matrix(demand, blank_as_zero: bool = True) -> pd.DataFrame:
    """Mean, sample standard deviation, coefficient of variation and intermittency per row.

    ``demand``: items × periods; blank (NaN) periods count as zero demand, or, with
    ``blank_as_zero=False``, are left out (periods before an item existed), so n is then
    the number of non-blank periods of the row.
    Equations (n periods): d̄ = Σ D_t / n; σd = sqrt(Σ (D_t − d̄)² / (n − 1)) (sample
    standard deviation, NaN for a single period); CV = σd / d̄ (NaN when d̄ = 0);
    intermittency = share of periods with D_t = 0.

    Example (worked by hand): 10, 20, 30, 0 → mean 15, σ = sqrt((25 + 25 + 225 + 225)/3)
    = 12.91, CV = 0.861, a quarter of the periods without demand.

    >>> statistics_from_matrix([[10, 20, 30, 0]]).round(3).to_dict("records")
    [{'periods': 4, 'mean_demand': 15.0, 'sd_demand': 12.91, 'cv': 0.861, 'intermittency': 0.25}]
    """
    if blank_as_zero:
        return pd.DataFrame(row_statistics(demand))
    d = _checked_matrix(demand, blank_as_zero)
    counted = ~np.isnan(d)
    n = counted.sum(axis=1, dtype=np.int64)  # as row_statistics gives it, whatever the platform's index type
    filled = np.where(counted, d, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(n > 0, filled.sum(axis=1) / n, np.nan)
        squares = np.where(counted, (d - mean[:, None]) ** 2, 0.0).sum(axis=1)
        sd = np.where(n > 1, np.sqrt(squares / (n - 1)), np.nan)
        cv = np.where(mean > 0, sd / mean, np.nan)
        zero_share = np.where(n > 0, (filled == 0).sum(axis=1) - (~counted).sum(axis=1), 0) / np.where(n > 0, n, 1)
    return pd.DataFrame({"periods": n, "mean_demand": mean, "sd_demand": sd, "cv": cv,
                         "intermittency": np.where(n > 0, zero_share, np.nan)})


def _checked_matrix(demand, blank_as_zero: bool) -> np.ndarray:
    """``demand`` as a 2-D float array (blanks zero if asked), refusing an empty or negative history."""
    d = np.asarray(demand, dtype=float)
    if d.ndim == 1:
        d = d.reshape(1, -1)
    if d.ndim != 2 or d.shape[1] == 0:
        raise CalcError("msg.calc.demand.demand_history_needs_at")
    if blank_as_zero and not np.isfinite(d).all():  # a complete matrix of numbers needs no copy
        d = np.nan_to_num(d, nan=0.0)
    # The smallest value answers for the whole matrix unless it is NaN (a blank left in).
    if d.size and not d.min() >= 0 and np.any(d < 0):
        raise CalcError("msg.calc.demand.demand_cannot_negative")
    return d


def row_statistics(demand, columns=STATISTICS) -> dict[str, np.ndarray]:
    """:func:`statistics_from_matrix` with blanks as zero demand, as a mapping of the named columns.

    Only the columns asked for are computed (a safety stock needs the mean and σd, an XYZ
    class the CV), each with the same equations and the same operations as there, so the
    numbers agree to the bit. Every period counts for every row (n = number of columns),
    so no masks are needed.

    Equations (n periods): d̄ = Σ D_t / n; σd = sqrt(Σ (D_t − d̄)² / (n − 1)); CV = σd / d̄;
    intermittency = share of periods with D_t = 0.

    Example (worked by hand, as in :func:`statistics_from_matrix`): 10, 20, 30, 0 → mean 15,
    σ = 12.91.

    >>> stats = row_statistics([[10, 20, 30, 0]], ("mean_demand", "sd_demand"))
    >>> {name: round(float(values[0]), 2) for name, values in stats.items()}
    {'mean_demand': 15.0, 'sd_demand': 12.91}
    """
    unknown = [name for name in columns if name not in STATISTICS]
    if unknown:
        raise CalcError("msg.calc.demand.no_demand_statistic_named", unknown=', '.join(unknown))
    d = _checked_matrix(demand, blank_as_zero=True)
    rows, periods = d.shape
    wanted = set(columns)
    found = {"periods": np.full(rows, periods, dtype=np.int64)}
    with np.errstate(divide="ignore", invalid="ignore"):
        if wanted & {"mean_demand", "sd_demand", "cv"}:
            found["mean_demand"] = mean = d.sum(axis=1) / periods
        if wanted & {"sd_demand", "cv"}:
            if periods > 1:
                deviation = d - mean[:, None]
                np.square(deviation, out=deviation)  # in place: one temporary, not two
                found["sd_demand"] = sd = np.sqrt(deviation.sum(axis=1) / (periods - 1))
            else:
                found["sd_demand"] = sd = np.full(rows, np.nan)
        if "cv" in wanted:
            found["cv"] = np.where(mean > 0, sd / mean, np.nan)
        if "intermittency" in wanted:
            found["intermittency"] = _zero_counts(d) / periods
    return {name: found[name] for name in columns}


# Up to this many periods, adding up the zero flags column by column beats numpy's row-by-row
# reduction, which pays a call per (short) row.
_COLUMNWISE_MAX_PERIODS = 24


def _zero_counts(d: np.ndarray) -> np.ndarray:
    """Number of periods with D_t = 0 per row, as ``(d == 0).sum(axis=1)``: integer counts come
    out the same whatever the order of adding."""
    zero = (d == 0).view(np.uint8)
    if d.shape[1] > _COLUMNWISE_MAX_PERIODS:
        return zero.sum(axis=1, dtype=np.int64)
    counts = zero[:, 0].astype(np.int64)
    for period in range(1, d.shape[1]):  # a few columns, each added for all rows at once
        counts += zero[:, period]
    return counts


def periods_since_last_demand(demand) -> np.ndarray:
    """Periods from the last period with demand to the end of the history, per row.

    Equation: n − 1 − (index of the last period with D_t > 0); NaN when there was no
    demand at all in the history (older than the history can tell).

    >>> periods_since_last_demand([[5, 0, 0], [0, 0, 1], [0, 0, 0]]).tolist()
    [2.0, 0.0, nan]
    """
    d = np.nan_to_num(np.atleast_2d(np.asarray(demand, dtype=float)), nan=0.0)
    n = d.shape[1]
    any_demand = (d > 0).any(axis=1)
    last = n - 1 - np.argmax((d > 0)[:, ::-1], axis=1)
    return np.where(any_demand, (n - 1 - last).astype(float), np.nan)


def demand_statistics(history: pd.DataFrame, keys=("sku",), period: str = "month", quantity: str = "quantity",
                      bucket: str = "month", first_period=None, last_period=None,
                      from_first_row: bool = False, classify: bool = False) -> pd.DataFrame:
    """Demand statistics per key (e.g. SKU, or SKU × location) from a long table of periods.

    Builds :func:`demand_matrix` (missing periods = zero demand) and applies
    :func:`statistics_from_matrix` to it; also reports the periods since the last demand
    (for slow-moving flags). With ``from_first_row`` each key's history starts at its own
    first row (a newly launched item is not diluted with zeros from before its launch); a
    missing period after that still counts as zero. Result: one row per key, the key
    columns first.

    Example (worked by hand): SKU A at two warehouses; at W1 demand 10 in January and 30 in
    March (February missing → 0): mean 13.33, σ = 15.28; at W2 only 6 in February.

    >>> h = pd.DataFrame({"sku": ["A", "A", "A"], "location": ["W1", "W1", "W2"],
    ...                   "month": ["2026-01-31", "2026-03-15", "2026-02-01"], "quantity": [10, 30, 6]})
    >>> s = demand_statistics(h, keys=("sku", "location")).round(2)
    >>> s[["location", "mean_demand", "sd_demand", "intermittency", "periods_since_demand"]].to_dict("records")
    [{'location': 'W1', 'mean_demand': 13.33, 'sd_demand': 15.28, 'intermittency': 0.33, 'periods_since_demand': 0.0}, {'location': 'W2', 'mean_demand': 2.0, 'sd_demand': 3.46, 'intermittency': 0.67, 'periods_since_demand': 1.0}]

    Counted from each key's first row, W2's history is February and March only: 6 and 0.

    >>> demand_statistics(h, keys=("sku", "location"), from_first_row=True).mean_demand.tolist()
    [13.333333333333334, 3.0]

    With ``classify`` each key also gets its Syntetos–Boylan ``demand_class`` (with ``adi``
    and ``cv2``) and the intermittent-demand forecast per period and its in-sample mean
    squared error, ``intermittent_forecast`` and ``intermittent_mse``
    (:func:`dealerxl.calc.intermittent.intermittent_forecast`). W1 asked for 10 and 30 in two
    of three months: ADI 1.5, sizes' CV² = (14.14 / 20)² = 0.5 → lumpy; W2 once in three → intermittent.

    >>> demand_statistics(h, keys=("sku", "location"), classify=True).demand_class.tolist()
    ['lumpy', 'intermittent']
    """
    matrix = demand_matrix(history, keys, period, quantity, bucket, first_period, last_period)
    values = matrix.to_numpy() if matrix.shape[1] else np.zeros((len(matrix), 1))
    if from_first_row and len(matrix):
        keys = [keys] if isinstance(keys, str) else list(keys)
        starts = (pd.to_datetime(history[period]).dt.to_period(FREQUENCIES[bucket])
                  .groupby([history[k] for k in keys]).min().reindex(matrix.index))
        before_start = pd.PeriodIndex(matrix.columns).asi8[None, :] < pd.PeriodIndex(starts).asi8[:, None]
        values = np.where(before_start, np.nan, values)
    stats = statistics_from_matrix(values, blank_as_zero=not from_first_row)
    stats["periods_since_demand"] = periods_since_last_demand(values) if len(matrix) else np.zeros(0)
    if classify:
        classes = intermittent_forecast(values) if len(matrix) else {
            name: np.zeros(0) for name in ("adi", "cv2", "demand_class", "forecast", "mse")}
        for name in ("adi", "cv2", "demand_class"):
            stats[name] = classes[name]
        stats["intermittent_forecast"] = classes["forecast"]
        stats["intermittent_mse"] = classes["mse"]
    stats.index = matrix.index
    return stats.reset_index()
