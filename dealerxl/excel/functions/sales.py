"""Sales UDFs (manual 4.1, 4.2, 4.4): seasonal split and allocation of targets, sales metrics,
Pareto, price-volume-mix, run rate, declining dealers and forecasts, over whole ranges at once.

A monthly history is one row per series (dealer, product…) and one column per month, oldest
first. For a seasonal split the history is one series: either years in rows and January to
December in columns, or one column or row of consecutive months starting in January.

Per-row results stop at the last row with data (a whole column, A:A, is mostly blank).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import forecast, sales, targets
from dealerxl.excel.functions.convert import (column, datetimes, first_items, first_rows, flag, matrix, numbers, one_date,
                                              one_number, one_whole_number, per_row, single_day, table, used_rows)
from dealerxl.excel.functions.errors import InputError, at_cell, blank_cell, shown
from dealerxl.excel.functions.language import code_labels
from dealerxl.excel.functions.registry import udf

DEFAULT_HORIZON = 6
DEFAULT_HOLDOUT = 6
METHOD = "udf_code.method"  # labels of the forecast methods and of the overall row


def _unit(unit) -> float:
    return one_number(unit, "unit", 1.0)


@udf("history", "overrides")
def DX_SEASONAL_SPLIT(annual_target, history, periods=12, overrides=None, unit=None, codes=None):
    """An annual target split into months (periods 12) or quarters (4) by seasonal indices.

    Indices by ratio to a centred 2×12 moving average (24 months or more) or by average of
    ratios (12–23 months); overrides fixed, the other periods absorb the rest; rounded to
    ``unit`` (default 1) so the parts add up to the target. Spills period, seasonal_index,
    overridden, target under a header row.
    """
    target = one_number(annual_target, "annual_target")
    count = one_whole_number(periods, "periods", 12)
    indices = targets.seasonal_indices(matrix(history, "history").ravel(), 1, count)
    fixed = None if overrides is None else numbers(overrides, "overrides")
    return table(targets.seasonal_split_columns(target, indices, fixed, _unit(unit)))


@udf("weights", "floors", "ceilings")
def DX_ALLOCATE(total, weights, floors=None, ceilings=None, unit=None):
    """A total shared in proportion to weights inside floors and ceilings, in whole units that add up.

    xᵢ = clip(λ·wᵢ, floorᵢ, ceilingᵢ) with Σx = total, rounded to ``unit`` (default 1) by
    largest remainder. Spills one column, one cell per weight.
    """
    amount = one_number(total, "total")
    rows = used_rows(weights, floors, ceilings)
    w = numbers(first_items(weights, rows), "weights")
    return column(targets.allocate(amount, w, per_row(first_items(floors, rows), w.size, "floors", "weights"),
                                   per_row(first_items(ceilings, rows), w.size, "ceilings", "weights"),
                                   _unit(unit)))


@udf("history", "recent_growth", "potential")
def DX_TARGET_SHARE(history, recent_growth=None, potential=None, weight_history=None, weight_growth=None,
                    weight_potential=None):
    """Each dealer's share from a weighted blend of historic share, growth-projected share and potential.

    Default weights 0.5, 0.2, 0.3 (the settings' defaults). Spills one column that sums to 1,
    ready as the weights of DX_ALLOCATE.
    """
    rows = used_rows(history, recent_growth, potential)
    h = numbers(first_items(history, rows), "history")
    return column(targets.allocation_basis(
        h, per_row(first_items(recent_growth, rows), h.size, "recent_growth", "history"),
        per_row(first_items(potential, rows), h.size, "potential", "history"),
        one_number(weight_history, "weight_history", 0.5), one_number(weight_growth, "weight_growth", 0.2),
        one_number(weight_potential, "weight_potential", 0.3)))


def _history(history, name: str = "history") -> np.ndarray:
    """A block of monthly histories, cut after its last row with a figure."""
    return matrix(first_rows(history, used_rows(blocks=(history,))), name)


@udf("history")
def DX_FORECAST(history, horizon=None, codes=None):
    """Next months per row of history: exponential smoothing (ETS) chosen per row by AICc.

    24 months or more: the best of fifteen ETS models (additive or multiplicative errors;
    no, additive or multiplicative season; no, additive or damped trend); 12–23 months: the
    non-seasonal ones; 5–11: simple
    exponential smoothing; fewer: the mean. Spills method (the model, e.g. ETS(M,Ad,M))
    and h1 … hH (default 6 months) under a header row.
    """
    result = table(forecast.forecast(_history(history), one_whole_number(horizon, "horizon", DEFAULT_HORIZON)))
    result[1:, 0] = code_labels(result[1:, 0], METHOD)
    return result


RANGE_COLUMNS = ("series", "month", "method", "forecast", "lower_80", "upper_80", "lower_95", "upper_95")


@udf("history")
def DX_FORECAST_RANGE(history, horizon=None, codes=None):
    """The forecast of DX_FORECAST with its 80 % and 95 % prediction intervals, one row per series and month.

    Spills series (the row's number in the history, from 1), month (1 … horizon), method,
    forecast, lower_80, upper_80, lower_95 and upper_95 under a header row.
    """
    months = one_whole_number(horizon, "horizon", DEFAULT_HORIZON)
    result = forecast.forecast_with_intervals(_history(history), months)
    rows = result["mean"].shape[0]
    return table({
        "series": np.repeat(np.arange(1, rows + 1), months), "month": np.tile(np.arange(1, months + 1), rows),
        "method": code_labels(np.repeat(result["method"], months), METHOD), "forecast": result["mean"].ravel(),
        "lower_80": result["lower"][0.8].ravel(), "upper_80": result["upper"][0.8].ravel(),
        "lower_95": result["lower"][0.95].ravel(), "upper_95": result["upper"][0.95].ravel()})


@udf("history")
def DX_FORECAST_ACCURACY(history, holdout=None, codes=None):
    """WAPE on the last months of each row (hidden, then forecast): the model against seasonal naive.

    Spills method, wape_model and wape_naive per row under a header row, and a last row
    "overall" weighting every series by its sales.
    """
    accuracy = forecast.holdout_accuracy_columns(_history(history),
                                                 one_whole_number(holdout, "holdout", DEFAULT_HOLDOUT))
    overall = {"method": "overall", **forecast.overall_wape(accuracy)}  # the last row, every series weighed by its sales
    result = table({name: np.append(np.asarray(accuracy[name], dtype=object if name == "method" else float),
                                    np.array([overall[name]], dtype=object if name == "method" else float))
                    for name in ("method", "wape_model", "wape_naive")})
    result[1:, 0] = code_labels(result[1:, 0], METHOD)
    return result


@udf("actual", "forecast_values")
def DX_WAPE(actual, forecast_values):
    """Weighted absolute percentage error Σ|actual − forecast| / Σ|actual| over the whole range."""
    value = forecast.wape(matrix(actual, "actual"), matrix(forecast_values, "forecast_values"))
    return np.full((1, 1), float(value))  # NaN (no actual sales) is written as a blank cell


YOY_COLUMNS = ("actual", "mom", "yoy", "ytd", "ytd_yoy", "rolling_12", "rolling_12_yoy")


@udf("history")
def DX_YOY(history, last_month=None, codes=None):
    """Latest month per row of a monthly history: actual, MoM, YoY, YTD, rolling 12 months and their growth.

    ``last_month``: the month of the last column (a date), which places January for YTD;
    without it the first column is taken as January. Spills a header row and one row per series.
    """
    x = _history(history)
    calendar_month = None if last_month is None else _calendar_month(last_month, x.shape[1])
    metrics = sales.last_month_metrics(x, calendar_month)
    return table({name: metrics[name] for name in YOY_COLUMNS})


def _calendar_month(last_month, months: int) -> int | None:
    """The calendar month (0 = January) of a date cell, the last of ``months`` monthly columns;
    None for a blank cell (the first column is then January)."""
    day = single_day(last_month)
    if day is not None:
        return int(day.astype("datetime64[M]").astype(np.int64)[0] % 12)  # months since January 1970
    if np.size(last_month) == 1 and pd.isna(np.ravel(np.asarray(last_month, dtype=object))[0]):
        return None
    end = one_date(last_month, "last_month")  # a cell only the general reading can judge
    columns = pd.period_range(end=end.to_period("M"), periods=months, freq="M")
    return columns[-1].month - 1 if months else 0  # no months: last_month_metrics says so


@udf("actual", "target")
def DX_ACHIEVEMENT(actual, target, codes=None):
    """Achievement rate actual / target and gap actual − target per row; spills two columns under a header."""
    rows = used_rows(actual, target)
    a = numbers(first_items(actual, rows), "actual")
    rate, gap = sales.achievement_rate_and_gap(a, per_row(first_items(target, rows), a.size, "target", "actual"))
    return table({"achievement_rate": rate, "gap": gap})


@udf("values")
def DX_PARETO(values, a_share=None, b_share=None, codes=None):
    """Pareto (ABC) of dealers or products: rank, share, cumulative share and class per value.

    A until ``a_share`` (default 0.8) of the total, B until ``b_share`` (0.95), else C. Spills
    in the input order under a header row.
    """
    result = sales.pareto_columns(numbers(first_items(values, used_rows(values)), "values"),
                                  one_number(a_share, "a_share", 0.8), one_number(b_share, "b_share", 0.95))
    return table({name: result[name] for name in ("rank", "share", "cumulative_share", "pareto_class")})


PVM_ARGUMENTS = ("prior_quantity", "prior_revenue", "current_quantity", "current_revenue")


@udf(*PVM_ARGUMENTS)
def DX_PVM(prior_quantity, prior_revenue, current_quantity, current_revenue, codes=None):
    """Price-volume-mix: revenue change split into volume, mix, price, new and lost items (one row per item in).

    Spills one row: prior_revenue, current_revenue, volume, mix, price, new, lost, change.
    """
    ranges = (prior_quantity, prior_revenue, current_quantity, current_revenue)
    rows = used_rows(*ranges)
    columns = [numbers(first_items(values, rows), name) for values, name in zip(ranges, PVM_ARGUMENTS)]
    for values, name in zip(columns[1:], PVM_ARGUMENTS[1:]):
        if values.size != columns[0].size:
            raise InputError("msg.udf.lengths", argument=name, cells=values.size, other=PVM_ARGUMENTS[0],
                             rows=columns[0].size)
    return table(sales.price_volume_mix_effects(*columns))


RUN_RATE_DATES = ("as_of", "period_start", "period_end")


@udf("actual_to_date", "as_of", "period_start", "period_end", "holidays")
def DX_RUN_RATE(actual_to_date, as_of, period_start, period_end, working_days=None, holidays=None):
    """Projection of the period's total at the pace so far: actual × period days / elapsed days.

    ``working_days`` TRUE counts Monday–Friday without ``holidays``. An as-of date before the
    period starts has no pace to project and is refused. Spills one column.
    """
    a, days = run_rate_arguments(actual_to_date, as_of, period_start, period_end)
    off = np.array([], dtype="datetime64[D]") if holidays is None else \
        datetimes(holidays, "holidays").dropna().to_numpy(dtype="datetime64[D]")
    basis = "working_days" if flag(working_days, "working_days") else "days"
    return column(sales.run_rate_projected_totals(a, *days, basis=basis, holidays=off))


def run_rate_arguments(actual_to_date, as_of, period_start, period_end, quick: bool = True):
    """DX_RUN_RATE's figures and dates read: the actuals up to the last row with data, and the
    as-of, start and end dates (one each, or one per row) as days. ``quick`` reads single date
    cells directly (:func:`single_day`); the general reading gives the same days."""
    rows = used_rows(actual_to_date, as_of, period_start, period_end)
    a = numbers(first_items(actual_to_date, rows), "actual_to_date")
    given = [first_items(v, rows) for v in (as_of, period_start, period_end)]
    days = [single_day(v) for v in given] if quick else [None]
    if any(day is None for day in days):  # a column of dates, or a cell only the general reading can judge
        dates = [datetimes(v, name) for v, name in zip(given, RUN_RATE_DATES)]
        for name, values in zip(RUN_RATE_DATES, dates):
            blank = values.isna().to_numpy()
            if blank.any():
                raise blank_cell(name, int(np.flatnonzero(blank)[0]), (values.size,))
        days = [d.to_numpy() for d in dates]
    _refuse_as_of_before_start(*days[:2])
    return a, days


def _refuse_as_of_before_start(as_of: np.ndarray, start: np.ndarray) -> None:
    """Before its first day a period has no pace: projecting one day's figure would multiply
    the actual by the whole period."""
    now, first = (np.asarray(d).astype("datetime64[D]") for d in (as_of, start))
    early = now < first
    if early.any():
        i = int(np.flatnonzero(np.broadcast_to(early, np.broadcast(now, first).shape))[0])
        pick = (lambda d: d[i] if d.size > 1 else d[0])
        raise at_cell("msg.udf.before_start", "as_of", i, (max(now.size, first.size),), value=shown(pick(now)),
                      start=shown(pick(first)))


@udf("history")
def DX_DECLINING(history, recent_months=None, slope_months=None, min_drop=None, codes=None):
    """Dealers with falling sales: last n months vs the n before (default 3) and the slope of the last k (6).

    Flagged when the change is at most −min_drop (default 10 %) and the slope is negative.
    Spills recent_change, trend_slope and declining per row under a header row.
    """
    return table(sales.declining_trend(_history(history), one_whole_number(recent_months, "recent_months", 3),
                                       one_whole_number(slope_months, "slope_months", 6),
                                       one_number(min_drop, "min_drop", 0.1)))
