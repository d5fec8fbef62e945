"""The UDF layer's cost: each DX_ array UDF on whole columns against the same computation
written as a plain numpy expression.

Arguments arrive as xlwings delivers a range: 2-D float arrays (one column, or one row per
item and one column per month for histories); "rows" counts items. The numpy
expression gets the same numbers as 1-D arrays and returns arrays; the difference is what
the layer adds (converting ranges, building the spilled rows). A UDF without a case here is
listed as such; its result is compared with the expression's so a wrong baseline shows.
Left without one: the forecasts and the seasonal split (Holt-Winters and seasonal indices
have no short numpy form, and the split takes one series, not rows), commission tiers,
scorecards, working hours on a calendar and the fill-rate safety stock (a root search).
"""
from __future__ import annotations

import numpy as np

from .timing import best_of

SERIAL_2026_10_31 = 46326.0
SERIAL_2026_03_10 = 46091.0


def _column(x: np.ndarray) -> np.ndarray:
    return x.reshape(-1, 1)


def _achievement(a, t):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.column_stack([np.where(t > 0, a / t, np.nan), a - t])


def _order_qty(need, moq, pack):
    wanted = np.where(need > 0, np.maximum(need, moq), 0.0)
    return np.ceil(wanted / pack - 1e-9) * pack


def _risk_level(values, amber, red):
    return np.select([values >= red, values >= amber], ["red", "amber"], "green")


def _ageing(due, amounts, as_of):
    days = as_of - due
    bucket = np.searchsorted(np.array([0, 30, 60, 90, 180], dtype=float), days, side="left")
    sums = np.bincount(bucket, weights=amounts, minlength=6)
    return np.append(sums, sums.sum())


def _pareto(values):
    order = np.argsort(-values, kind="stable")
    share = values / values.sum()
    rank, cumulative = np.empty(values.size), np.empty(values.size)
    rank[order] = np.arange(1, values.size + 1)
    cumulative[order] = np.cumsum(share[order])
    before = cumulative - share  # an item is A while the share before it is under 80 %
    classes = np.where(before < 0.8, "A", np.where(before < 0.95, "B", "C"))
    return rank, share, cumulative, classes


def _demand_stats(history):
    mean = history.mean(axis=1)
    sd = history.std(axis=1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, sd / mean, np.nan)
    return np.full(mean.size, history.shape[1], dtype=float), mean, sd, cv, (history == 0).mean(axis=1)


def _safety_stock(history, lead_days, level, lead_sd_days, period_days=30.4375):
    from scipy.stats import norm

    mean, sd = history.mean(axis=1), history.std(axis=1, ddof=1)
    lead, lead_sd = lead_days / period_days, lead_sd_days / period_days
    spread = np.sqrt(lead * sd ** 2 + mean ** 2 * lead_sd ** 2)
    return mean, sd, spread, norm.ppf(level) * spread


def _reorder_point(history, lead_days, level, lead_sd_days, period_days=30.4375):
    mean, _, _, safety = _safety_stock(history, lead_days, level, lead_sd_days, period_days)
    lead_demand = mean * lead_days / period_days
    return lead_demand, safety, lead_demand + safety


def _abc_xyz(values, history):
    _, _, _, cv, _ = _demand_stats(history)
    return _pareto(values)[3], np.where(cv <= 0.5, "X", np.where(cv <= 1.0, "Y", "Z")), cv


def _target_share(history, growth, potential, weights=(0.5, 0.2, 0.3)):
    projected = history * np.maximum(1 + growth, 0)
    return (weights[0] * history / history.sum() + weights[1] * projected / projected.sum()
            + weights[2] * potential / potential.sum()) / sum(weights)


def _allocate(total, weights):
    """Proportional shares of a whole total, the remainder to the largest fractions."""
    exact = total * weights / weights.sum()
    whole = np.floor(exact)
    rest = int(round(total - whole.sum()))
    whole[np.argsort(-(exact - whole), kind="stable")[:rest]] += 1
    return whole


def _declining(history, recent=3, slope_months=6, min_drop=0.1):
    months = history.shape[1]
    last, before = history[:, -recent:].sum(axis=1), history[:, -2 * recent:-recent].sum(axis=1)
    change = np.where(before > 0, last / before - 1, np.nan)
    window = history[:, months - slope_months:]
    t = np.arange(slope_months) - (slope_months - 1) / 2
    mean = window.mean(axis=1)
    slope = np.where(mean > 0, (window - mean[:, None]) @ t / (t @ t) / mean, np.nan)
    return change, slope, (change <= -min_drop) & (slope < 0)


def _pvm(q0, r0, q1, r1):
    """Price-volume-mix when every item sells in both periods."""
    p0, p1 = r0 / q0, r1 / q1
    volume = (q1.sum() - q0.sum()) * r0.sum() / q0.sum()
    mix = ((q1 - q1.sum() * q0 / q0.sum()) * p0).sum()
    price = ((p1 - p0) * q1).sum()
    return np.array([r0.sum(), r1.sum(), volume, mix, price, 0.0, 0.0, r1.sum() - r0.sum()])


BANDS = np.array([["A", 90, 1.5], ["B", 80, 1.2], ["C", 70, 1.0], ["D", 0, 0.0]], dtype=object)


def _kpi_grade(scores):
    minimum, grade, multiple = np.array([0, 70, 80, 90.0]), np.array(["D", "C", "B", "A"]), np.array([0, 1, 1.2, 1.5])
    index = np.searchsorted(minimum, scores, side="right") - 1
    return grade[index], multiple[index]


def _kpi_score(actual, target, weight, cap=1.2):
    return 100 * (weight * np.minimum(actual / target, cap)).sum(axis=1) / weight.sum()


def cases(n: int, seed: int = 5) -> dict:
    """UDF name → (arguments for the UDF, the numpy expression as a function of no arguments)."""
    rng = np.random.default_rng(seed)
    a, t = rng.gamma(2, 500, n), rng.gamma(2, 500, n) * (rng.random(n) > 0.05)
    demand, cost, hold = rng.gamma(2, 1000, n), rng.uniform(20, 200, n), rng.uniform(1, 10, n)
    need, moq, pack = rng.normal(50, 40, n), np.full(n, 10.0), np.full(n, 6.0)
    recv, revenue = rng.gamma(2, 1e5, n), rng.gamma(2, 3e5, n)
    values = rng.uniform(0, 1, n)
    due, amounts = SERIAL_2026_10_31 - rng.integers(-60, 400, n).astype(float), rng.gamma(2, 1000, n)
    scores = rng.integers(0, 11, n).astype(float)
    stars = rng.integers(1, 6, n).astype(float)
    forecast = a * rng.uniform(0.8, 1.2, n)
    history = np.round(rng.gamma(1.5, 20, (n, 12)) * (rng.random((n, 12)) > 0.1))
    lead, lead_sd, level = rng.uniform(7, 60, n), rng.uniform(0, 10, n), np.full(n, 0.95)
    growth, potential = rng.normal(0.05, 0.2, n), rng.gamma(2, 800, n)
    long_history = rng.gamma(3, 30, (n, 24)) + 1
    q0, q1 = rng.integers(1, 200, n).astype(float), rng.integers(1, 200, n).astype(float)
    r0, r1 = q0 * rng.uniform(10, 20, n), q1 * rng.uniform(10, 20, n)
    rates = rng.uniform(0, 0.5, n)
    kpi_actual, kpi_target, kpi_weight = rng.gamma(9, 10, (n, 3)), np.array([[90.0, 100.0, 80.0]]), \
        np.array([[0.5, 0.3, 0.2]])
    grades = rng.uniform(0, 100, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "DX_ACHIEVEMENT": ((_column(a), _column(t)), lambda: _achievement(a, t)),
            "DX_EOQ": ((_column(demand), _column(cost), _column(hold)), lambda: np.sqrt(2 * demand * cost / hold)),
            "DX_ORDER_QTY": ((_column(need), _column(moq), _column(pack)), lambda: _order_qty(need, moq, pack)),
            "DX_DSO": ((_column(recv), _column(revenue), 30), lambda: recv / revenue * 30),
            "DX_RISK_LEVEL": ((_column(values), 0.5, 0.8), lambda: _risk_level(values, 0.5, 0.8)),
            "DX_AGING": ((_column(due), _column(amounts), SERIAL_2026_10_31),
                         lambda: _ageing(due, amounts, SERIAL_2026_10_31)),
            "DX_PARETO": ((_column(values),), lambda: _pareto(values)),
            "DX_WAPE": ((_column(a), _column(forecast)), lambda: np.abs(a - forecast).sum() / np.abs(a).sum()),
            "DX_NPS": ((_column(scores),), lambda: ((scores >= 9).mean() - (scores <= 6).mean()) * 100),
            "DX_DEMAND_STATS": ((history,), lambda: _demand_stats(history)),
            "DX_SAFETY_STOCK": ((history, _column(lead), _column(level), _column(lead_sd)),
                                lambda: _safety_stock(history, lead, level, lead_sd)),
            "DX_CSAT": ((_column(stars), 4), lambda: (stars >= 4).mean() * 100),
            "DX_REORDER_POINT": ((history, _column(lead), _column(level), _column(lead_sd)),
                                 lambda: _reorder_point(history, lead, level, lead_sd)),
            "DX_ABC_XYZ": ((_column(values), history), lambda: _abc_xyz(values, history)),
            "DX_TARGET_SHARE": ((_column(a), _column(growth), _column(potential)),
                                lambda: _target_share(a, growth, potential)),
            "DX_ALLOCATE": ((1e9, _column(a)), lambda: _allocate(1e9, a)),
            "DX_DECLINING": ((long_history,), lambda: _declining(long_history)),
            "DX_PVM": ((_column(q0), _column(r0), _column(q1), _column(r1)), lambda: _pvm(q0, r0, q1, r1)),
            "DX_RUN_RATE": ((_column(a), SERIAL_2026_03_10, "2026-03-01", "2026-03-31"), lambda: a * 31 / 10),
            "DX_ECL": ((_column(recv), _column(rates), 1.0), lambda: (recv, rates, recv * rates)),
            "DX_KPI_GRADE": ((_column(grades), BANDS), lambda: _kpi_grade(grades)),
            "DX_KPI_SCORE": ((kpi_actual, kpi_target, kpi_weight),
                             lambda: _kpi_score(kpi_actual, kpi_target, kpi_weight)),
        }


def _numbers_of(result) -> np.ndarray:
    """The numeric cells of a UDF result or an expression's arrays, flattened, for comparison."""
    if isinstance(result, tuple):
        return np.concatenate([_numbers_of(part) for part in result])
    flat = np.ravel(np.asarray(result, dtype=object))
    numbers = [float(v) for v in flat if isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool)]
    return np.asarray(numbers)


def _as_spilled(result):
    """What a hand-written numpy UDF would return for the expression's result: one 2-D array
    (numbers in a float array, a mix with text in an object array), or a scalar."""
    if isinstance(result, tuple):
        parts = [np.ravel(part) for part in result]
        if all(part.dtype.kind in "fiub" for part in parts):
            return np.column_stack(parts)
        table = np.empty((parts[0].size, len(parts)), dtype=object)
        for j, part in enumerate(parts):
            table[:, j] = part
        return table
    array = np.asarray(result)
    return array.reshape(-1, 1) if array.ndim == 1 else (array if array.ndim else result)


def _written(result):
    """The rows xlwings builds from a UDF's result before cleaning each cell (its numpy converter)."""
    from xlwings.conversion.numpy_conv import NumpyArrayConverter

    return NumpyArrayConverter.write_value(result, {}) if isinstance(result, np.ndarray) else [[result]]


def measure(rows: list[int], repeat: int = 3) -> dict:
    """Per UDF and row count: seconds through the UDF, seconds as numpy, overhead, agreement.

    ``overhead`` compares the functions alone. ``overhead_with_rows`` adds, on both sides, the
    rows xlwings builds from the returned array (``tolist()``), which every UDF pays before
    Excel sees a cell: a table with a header row must hold Python objects, so its UDF builds
    them itself, where a plain numeric array leaves that to ``tolist()``.
    """
    from dealerxl.excel.functions import UDFS

    results, missing = {}, sorted(set(UDFS) - set(cases(10)))
    for n in rows:
        for name, (args, expression) in cases(n).items():
            if name not in UDFS:
                continue
            function = UDFS[name].function
            udf_s = best_of(repeat, lambda: function(*args))
            numpy_s = best_of(repeat, expression)
            ours, plain = _numbers_of(function(*args)), _numbers_of(expression())
            plain_sum, ours_sum = np.nansum(plain), np.nansum(ours)
            agree = bool(np.isclose(ours_sum, plain_sum, rtol=1e-6, atol=1e-6))
            udf_rows_s = best_of(repeat, lambda: _written(function(*args)))
            numpy_rows_s = best_of(repeat, lambda: _written(_as_spilled(expression())))
            results.setdefault(name, {})[n] = {"udf_s": udf_s, "numpy_s": numpy_s,
                                               "overhead": udf_s / numpy_s - 1, "agree": agree,
                                               "udf_rows_s": udf_rows_s, "numpy_rows_s": numpy_rows_s,
                                               "overhead_with_rows": udf_rows_s / numpy_rows_s - 1}
    return {"results": results, "without_case": missing}
