"""Sales UDFs (manual 4.1, 4.2, 4.4): seasonal split and allocation of targets, sales metrics,
Pareto, price-volume-mix, run rate, declining dealers and forecasts, over whole ranges at once.

A monthly history is one row per series (dealer, product…) and one column per month, oldest
first. For a seasonal split the history is one series: either years in rows and January to
December in columns, or one column or row of consecutive months starting in January.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError, forecast, sales, targets
from dealerxl.excel.functions.convert import column, datetimes, matrix, numbers, scalar, single_day, table
from dealerxl.excel.functions.registry import udf

DEFAULT_HORIZON = 6
DEFAULT_HOLDOUT = 6


def _optional_numbers(values, items: int, name: str) -> np.ndarray | None:
    """A per-row argument as one number per row (a single cell applies to all); None when omitted."""
    if values is None:
        return None
    x = numbers(values)
    if x.size == 1:
        return np.full(items, x[0])
    if x.size != items:
        raise CalcError("msg.calc.sales.has_cells_but_there", name=name, size=x.size, items=items)
    return x


def _unit(unit) -> float:
    return float(scalar(unit, 1.0))


@udf("history", "overrides")
def DX_SEASONAL_SPLIT(annual_target, history, periods=12, overrides=None, unit=None):
    """An annual target split into months (periods 12) or quarters (4) by seasonal indices.

    Indices by ratio to a centred 2×12 moving average (24 months or more) or by average of
    ratios (12–23 months); overrides fixed, the other periods absorb the rest; rounded to
    ``unit`` (default 1) so the parts add up to the target. Spills period, seasonal_index,
    overridden, target under a header row.
    """
    count = int(scalar(periods, 12))
    indices = targets.seasonal_indices(matrix(history).ravel(), 1, count)
    fixed = None if overrides is None else numbers(overrides)
    target = scalar(annual_target)
    if target is None:
        raise CalcError("msg.calc.sales.annual_target_required")
    return table(targets.seasonal_split_columns(float(target), indices, fixed, _unit(unit)))


@udf("weights", "floors", "ceilings")
def DX_ALLOCATE(total, weights, floors=None, ceilings=None, unit=None):
    """A total shared in proportion to weights inside floors and ceilings, in whole units that add up.

    xᵢ = clip(λ·wᵢ, floorᵢ, ceilingᵢ) with Σx = total, rounded to ``unit`` (default 1) by
    largest remainder. Spills one column, one cell per weight.
    """
    w = numbers(weights)
    amount = scalar(total)
    if amount is None:
        raise CalcError("msg.calc.sales.total_required")
    return column(targets.allocate(float(amount), w, _optional_numbers(floors, w.size, "floors"),
                                   _optional_numbers(ceilings, w.size, "ceilings"), _unit(unit)))


@udf("history", "recent_growth", "potential")
def DX_TARGET_SHARE(history, recent_growth=None, potential=None, weight_history=None, weight_growth=None,
                    weight_potential=None):
    """Each dealer's share from a weighted blend of historic share, growth-projected share and potential.

    Default weights 0.5, 0.2, 0.3 (the settings' defaults). Spills one column that sums to 1,
    ready as the weights of DX_ALLOCATE.
    """
    h = numbers(history)
    return column(targets.allocation_basis(
        h, _optional_numbers(recent_growth, h.size, "recent_growth"),
        _optional_numbers(potential, h.size, "potential"), float(scalar(weight_history, 0.5)),
        float(scalar(weight_growth, 0.2)), float(scalar(weight_potential, 0.3))))


@udf("history")
def DX_FORECAST(history, horizon=None):
    """Next months per row of history: exponential smoothing (ETS) chosen per row by AICc.

    24 months or more: the best of fifteen ETS models (additive or multiplicative errors;
    no, additive or multiplicative season; no, additive or damped trend); 12–23 months: the
    non-seasonal ones; 5–11: simple
    exponential smoothing; fewer: the mean. Spills method (the model, e.g. ETS(M,Ad,M))
    and h1 … hH (default 6 months) under a header row.
    """
    return table(forecast.forecast(matrix(history), int(scalar(horizon, DEFAULT_HORIZON))))


RANGE_COLUMNS = ("series", "month", "method", "forecast", "lower_80", "upper_80", "lower_95", "upper_95")


@udf("history")
def DX_FORECAST_RANGE(history, horizon=None):
    """The forecast of DX_FORECAST with its 80 % and 95 % prediction intervals, one row per series and month.

    Spills series (the row's number in the history, from 1), month (1 … horizon), method,
    forecast, lower_80, upper_80, lower_95 and upper_95 under a header row.
    """
    months = int(scalar(horizon, DEFAULT_HORIZON))
    result = forecast.forecast_with_intervals(matrix(history), months)
    rows = result["mean"].shape[0]
    return table({
        "series": np.repeat(np.arange(1, rows + 1), months), "month": np.tile(np.arange(1, months + 1), rows),
        "method": np.repeat(result["method"], months), "forecast": result["mean"].ravel(),
        "lower_80": result["lower"][0.8].ravel(), "upper_80": result["upper"][0.8].ravel(),
        "lower_95": result["lower"][0.95].ravel(), "upper_95": result["upper"][0.95].ravel()})


@udf("history")
def DX_FORECAST_ACCURACY(history, holdout=None):
    """WAPE on the last months of each row (hidden, then forecast): the model against seasonal naive.

    Spills method, wape_model and wape_naive per row under a header row, and a last row
    "overall" weighting every series by its sales.
    """
    accuracy = forecast.holdout_accuracy_columns(matrix(history), int(scalar(holdout, DEFAULT_HOLDOUT)))
    overall = forecast.overall_wape(accuracy)
    names = ("method", "wape_model", "wape_naive")
    cells = table({name: accuracy[name] for name in names})
    last = np.array([["overall", overall["wape_model"], overall["wape_naive"]]], dtype=object)
    return np.concatenate([cells, last])


@udf("actual", "forecast_values")
def DX_WAPE(actual, forecast_values):
    """Weighted absolute percentage error Σ|actual − forecast| / Σ|actual| over the whole range."""
    value = forecast.wape(matrix(actual), matrix(forecast_values))
    return np.full((1, 1), float(value))  # NaN (no actual sales) is written as a blank cell


YOY_COLUMNS = ("actual", "mom", "yoy", "ytd", "ytd_yoy", "rolling_12", "rolling_12_yoy")


@udf("history")
def DX_YOY(history, last_month=None):
    """Latest month per row of a monthly history: actual, MoM, YoY, YTD, rolling 12 months and their growth.

    ``last_month``: the month of the last column (a date), which places January for YTD;
    without it the first column is taken as January. Spills a header row and one row per series.
    """
    x = matrix(history)
    months = scalar(last_month)
    calendar_month = None if months is None else _calendar_month(months, x.shape[1])
    metrics = sales.last_month_metrics(x, calendar_month)
    return table({name: metrics[name] for name in YOY_COLUMNS})


def _calendar_month(last_month, months: int) -> int:
    """The calendar month (0 = January) of a date cell, the last of ``months`` monthly columns."""
    day = single_day(last_month)
    if day is not None:
        return int(day.astype("datetime64[M]").astype(np.int64)[0] % 12)  # months since January 1970
    end = datetimes([last_month]).iloc[0]  # a cell only the general reading can judge
    if pd.isna(end):
        raise CalcError("msg.calc.sales.last_month_not_date")
    columns = pd.period_range(end=end.to_period("M"), periods=months, freq="M")
    return columns[-1].month - 1 if months else 0  # no months: last_month_metrics says so


@udf("actual", "target")
def DX_ACHIEVEMENT(actual, target):
    """Achievement rate actual / target and gap actual − target per row; spills two columns under a header."""
    rate, gap = sales.achievement_rate_and_gap(numbers(actual), numbers(target))
    return table({"achievement_rate": rate, "gap": gap})


@udf("values")
def DX_PARETO(values, a_share=None, b_share=None):
    """Pareto (ABC) of dealers or products: rank, share, cumulative share and class per value.

    A until ``a_share`` (default 0.8) of the total, B until ``b_share`` (0.95), else C. Spills
    in the input order under a header row.
    """
    result = sales.pareto_columns(numbers(values), float(scalar(a_share, 0.8)), float(scalar(b_share, 0.95)))
    return table({name: result[name] for name in ("rank", "share", "cumulative_share", "pareto_class")})


@udf("prior_quantity", "prior_revenue", "current_quantity", "current_revenue")
def DX_PVM(prior_quantity, prior_revenue, current_quantity, current_revenue):
    """Price-volume-mix: revenue change split into volume, mix, price, new and lost items (one row per item in).

    Spills one row: prior_revenue, current_revenue, volume, mix, price, new, lost, change.
    """
    return table(sales.price_volume_mix_effects(numbers(prior_quantity), numbers(prior_revenue),
                                                numbers(current_quantity), numbers(current_revenue)))


@udf("actual_to_date", "as_of", "period_start", "period_end", "holidays")
def DX_RUN_RATE(actual_to_date, as_of, period_start, period_end, working_days=None, holidays=None):
    """Projection of the period's total at the pace so far: actual × period days / elapsed days.

    ``working_days`` TRUE counts Monday–Friday without ``holidays``. Spills one column.
    """
    a = numbers(actual_to_date)
    days = [single_day(v) for v in (as_of, period_start, period_end)]
    if any(day is None for day in days):  # a column of dates, or a cell only the general reading can judge
        dates = [datetimes(v) for v in (as_of, period_start, period_end)]
        for name, values in zip(("as_of", "period_start", "period_end"), dates):
            if values.isna().any():
                raise CalcError("msg.calc.sales.not_date", name=name)
        days = [d.to_numpy() for d in dates]
    off = np.array([], dtype="datetime64[D]") if holidays is None else \
        datetimes(holidays).dropna().to_numpy(dtype="datetime64[D]")
    basis = "working_days" if bool(scalar(working_days, False)) else "days"
    return column(sales.run_rate_projected_totals(a, *days, basis=basis, holidays=off))


@udf("history")
def DX_DECLINING(history, recent_months=None, slope_months=None, min_drop=None):
    """Dealers with falling sales: last n months vs the n before (default 3) and the slope of the last k (6).

    Flagged when the change is at most −min_drop (default 10 %) and the slope is negative.
    Spills recent_change, trend_slope and declining per row under a header row.
    """
    return table(sales.declining_trend(matrix(history), int(scalar(recent_months, 3)), int(scalar(slope_months, 6)),
                                       float(scalar(min_drop, 0.1))))
