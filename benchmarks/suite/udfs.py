"""The UDF layer's cost: each DX_ array UDF on whole columns against the same computation
written as a plain numpy expression.

Arguments arrive as xlwings delivers a range: 2-D float arrays (one column, or one row per
item and one column per month for histories); "rows" counts items. The numpy
expression gets the same numbers as 1-D arrays and returns arrays; the difference is what
the layer adds (converting ranges, building the spilled rows). A UDF without a case here is
listed as such; its result is compared with the expression's so a wrong baseline shows.
"""
from __future__ import annotations

import numpy as np

from .timing import best_of

SERIAL_2026_10_31 = 46326.0


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
        }


def _numbers_of(result) -> np.ndarray:
    """The numeric cells of a UDF result or an expression's arrays, flattened, for comparison."""
    if isinstance(result, tuple):
        return np.concatenate([_numbers_of(part) for part in result])
    flat = np.ravel(np.asarray(result, dtype=object))
    numbers = [float(v) for v in flat if isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool)]
    return np.asarray(numbers)


def measure(rows: list[int], repeat: int = 3) -> dict:
    """Per UDF and row count: seconds through the UDF, seconds as numpy, overhead, agreement."""
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
            results.setdefault(name, {})[n] = {"udf_s": udf_s, "numpy_s": numpy_s,
                                               "overhead": udf_s / numpy_s - 1, "agree": agree}
    return {"results": results, "without_case": missing}
