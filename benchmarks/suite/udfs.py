"""The UDF layer's cost: each DX_ array UDF on whole columns against the same computation
written as a plain numpy expression.

Arguments arrive as the functions' range converter delivers a range of numbers and blanks:
2-D float arrays (one column, or one row per item and one column per month for histories); "rows" counts items, or the months of the one
series the seasonal split takes (at least 24). The numpy expression gets the same numbers as
1-D arrays and returns arrays; the difference is what the layer adds (converting ranges,
building the spilled rows). Each expression computes the UDF's cells: ``agree`` compares
every numeric cell of the two results in spill order, and the expression's text and
TRUE/FALSE columns, so a wrong baseline shows.

Left without a case: DX_FORECAST, DX_FORECAST_RANGE, DX_FORECAST_ACCURACY and DX_DEMAND_CLASS.
Their series are fitted by exponential smoothing (a likelihood search with a month-by-month
recursion per series) or smoothed by Croston's and TSB's recursions over a grid of
constants, which have no short numpy form; ``benchmarks/bench_forecast.py`` measures them
against statsmodels and statsforecast instead.
"""
from __future__ import annotations

import numpy as np

from .timing import best_of_alternating

SERIAL_2026_10_31 = 46326.0
SERIAL_2026_03_10 = 46091.0
SERIAL_2026_01_01 = 46023
EXCEL_DAY_ZERO = np.datetime64("1899-12-30", "D")
# Weekdays off in 2026 for the working-hours calendar, as Excel serials.
HOLIDAYS = (np.array(["2026-01-01", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",
                      "2026-04-03", "2026-04-06", "2026-05-01", "2026-06-19", "2026-09-25", "2026-10-09"],
                     dtype="datetime64[D]") - EXCEL_DAY_ZERO).astype(float)
# Scorecard: sales, growth, days overdue (lower is better), rating 1–5, return rate (lower is better).
CRITERIA_WEIGHTS = np.array([[0.3, 0.2, 0.2, 0.2, 0.1]])
CRITERIA_DIRECTIONS = np.array([[1.0, 1.0, -1.0, 1.0, -1.0]])
CRITERIA_GATES = np.array([[np.nan, -0.1, 60.0, np.nan, 0.15]])
# Seasonal split: the annual target with December fixed by hand.
ANNUAL_TARGET = 12_000_000.0
DECEMBER_FIXED = np.r_[np.full(11, np.nan), 1_500_000.0]


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


def _nps(scores):
    """% promoters (9–10) − % detractors (0–6) among the answers; a blank (NaN) is no answer."""
    answered = np.count_nonzero(~np.isnan(scores))
    return (np.count_nonzero(scores >= 9) - np.count_nonzero(scores <= 6)) / answered * 100


def _csat(stars, satisfied_from):
    """% of the answers at ``satisfied_from`` or above; a blank (NaN) is no answer."""
    return np.count_nonzero(stars >= satisfied_from) / np.count_nonzero(~np.isnan(stars)) * 100


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


def _growth(current, prior):
    return np.where(np.abs(prior) > 0, (current - prior) / np.abs(prior), np.nan)


def _yoy(history, calendar_month):
    """Latest month per row of a history of at least 24 months; ``calendar_month`` 0 = January."""
    actual, ytd_len = history[:, -1], calendar_month + 1
    ytd, ytd_prior = history[:, -ytd_len:].sum(axis=1), history[:, -12 - ytd_len:-12].sum(axis=1)
    rolling, rolling_prior = history[:, -12:].sum(axis=1), history[:, -24:-12].sum(axis=1)
    return (actual, _growth(actual, history[:, -2]), _growth(actual, history[:, -13]), ytd, _growth(ytd, ytd_prior),
            rolling, _growth(rolling, rolling_prior))


# Commission plan: marginal bands from 0, 80 % and 100 % attainment, then a blank row selected below.
PLAN = np.array([[0.0, 0.01, "marginal"], [0.8, 0.015, None], [1.0, 0.02, None], [None, None, None]], dtype=object)
PLAN_LOWER, PLAN_RATE = np.array([0.0, 0.8, 1.0]), np.array([0.01, 0.015, 0.02])


def _commission(sales, target, accelerator, gate, cap):
    """Marginal tiers: base = T·F(a) with F the marginal curve, the part above F(1) accelerated,
    nothing below the gate, payout capped; a blank sales cell gives a blank row."""
    a = sales / target
    band = np.searchsorted(PLAN_LOWER, a, side="right") - 1
    at_lower = np.concatenate([[0.0], np.cumsum(PLAN_RATE[:-1] * np.diff(PLAN_LOWER))])
    curve = at_lower[band] + PLAN_RATE[band] * (a - PLAN_LOWER[band])
    curve_at_target = at_lower[-1]
    passed = a >= gate
    base = np.where(passed, target * curve, 0.0)
    extra = np.where(passed, (accelerator - 1.0) * target * np.maximum(curve - curve_at_target, 0.0), 0.0)
    cap_cut = np.maximum(base + extra - cap, 0.0)
    filled = ~np.isnan(sales)
    return tuple(np.where(filled, part, np.nan) for part in
                 (a, band + 1.0, PLAN_RATE[band], base, extra, cap_cut, base + extra - cap_cut))


def _scorecard(values, weights, directions, gates):
    """Min–max 0–100 per criterion (mirrored where lower is better, blanks 0), weighted mean;
    a gate is a floor (a ceiling where lower is better), and the failed criteria are listed."""
    low, high = np.nanmin(values, axis=0), np.nanmax(values, axis=0)
    scaled = np.clip(100.0 * (values - low) / (high - low), 0.0, 100.0)
    scaled = np.nan_to_num(np.where(directions < 0, 100.0 - scaled, scaled))
    score = scaled @ weights / weights.sum()
    failed = ~np.isnan(gates) & np.where(directions >= 0, ~(values >= gates), ~(values <= gates))
    criteria = weights.size
    names = np.array([",".join(str(j + 1) for j in range(criteria) if code >> j & 1)
                      for code in range(2 ** criteria)], dtype=object)  # each set of failed criteria once
    return score, ~failed.any(axis=1), names[failed @ (1 << np.arange(criteria))]


def _excel_moment(serial):
    """Date and hour of day of Excel serials, read as the UDF reads them: to the millisecond
    (16:31 is not exact in binary; read to the nanosecond it would be 16:30:59.999…), the hour
    then cut to whole seconds."""
    milliseconds = np.round(serial * 86_400_000).astype(np.int64)
    day, into_day = np.divmod(milliseconds, 86_400_000)
    return EXCEL_DAY_ZERO + day, into_day // 1000 / 3600.0


def _working_hours(start, end, holidays, opens=9.0, closes=18.0):
    """Mon–Fri opens–closes: full working days from the start's date to the end's, less the
    start day's hours before the start, plus the end day's hours before the end."""
    off = EXCEL_DAY_ZERO + holidays.astype(np.int64)

    def hours_into_day(day, hour):
        return np.is_busday(day, holidays=off) * (np.clip(hour, opens, closes) - opens)

    (start_day, start_hour), (end_day, end_hour) = _excel_moment(start), _excel_moment(end)
    return ((closes - opens) * np.busday_count(start_day, end_day, holidays=off)
            + hours_into_day(end_day, end_hour) - hours_into_day(start_day, start_hour))


def _safety_stock_fill_rate(history, lead_days, fill_rate, quantity, lead_sd_days, period_days=30.4375):
    """SS = max(k, 0)·σLTD with G(k) = φ(k) − k·(1 − Φ(k)) = Q·(1 − β)/σLTD, k found by the same
    bisection as the UDF (64 halvings of [min(−8, −target − 1), 8], all items at once), so the
    two differ by the layer only; Newton's method would need fewer steps but is another search."""
    from scipy.special import ndtr

    mean, sd = history.mean(axis=1), history.std(axis=1, ddof=1)
    lead, lead_sd = lead_days / period_days, lead_sd_days / period_days
    spread = np.sqrt(lead * sd ** 2 + mean ** 2 * lead_sd ** 2)
    target = quantity * (1.0 - fill_rate) / spread
    low, high = np.minimum(-8.0, -(target + 1.0)), np.full(target.shape, 8.0)
    for _ in range(64):
        mid = 0.5 * (low + high)
        above = np.exp(-mid ** 2 / 2.0) / np.sqrt(2 * np.pi) - mid * ndtr(-mid) > target
        low, high = np.where(above, mid, low), np.where(above, high, mid)
    return np.where(spread == 0, 0.0, np.maximum(0.5 * (low + high), 0.0) * spread)


def _seasonal_split(series, annual_target, overrides):
    """Indices by ratio to the centred 2×12 moving average of a series starting in January,
    scaled to sum to 12; the periods not overridden share the rest of the target in
    proportion, in whole units by largest remainder."""
    trend = np.convolve(series, np.r_[0.5, np.ones(11), 0.5] / 12, mode="valid")
    month = np.arange(6, series.size - 6) % 12
    raw = np.bincount(month, weights=series[6:-6] / trend, minlength=12) / np.bincount(month, minlength=12)
    index = 12 * raw / raw.sum()
    free = np.isnan(overrides)
    rest = annual_target - overrides[~free].sum()
    exact = index[free] / index[free].sum() * rest
    whole = np.floor(exact)
    left = round(rest - whole.sum())
    whole[np.argsort(-(exact - whole), kind="stable")[:left]] += 1
    target = overrides.copy()
    target[free] = whole
    return np.arange(1, 13), index, ~free, target


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
    quota = rng.gamma(4, 250_000, n)
    sold = quota * rng.gamma(6, 1 / 6, n)
    sold[rng.random(n) < 0.01] = np.nan
    criteria = np.column_stack([rng.gamma(2, 5e5, n), rng.normal(0.05, 0.15, n), rng.gamma(2, 15, n),
                                rng.uniform(1, 5, n), rng.beta(2, 30, n)])
    criteria[rng.random(criteria.shape) < 0.02] = np.nan
    received = (SERIAL_2026_01_01 + rng.integers(0, 365, n)) * 1440 + rng.integers(0, 1440, n)  # whole minutes
    start, end = received / 1440, (received + np.round(rng.gamma(1.2, 1800, n))) / 1440
    fill_rate, order_qty = rng.uniform(0.9, 0.99, n), rng.gamma(2, 20, n) + 1
    months = max(n, 24)
    series = 1000 * (1 + 0.25 * np.sin(2 * np.pi * np.arange(months) / 12)) * rng.gamma(20, 1 / 20, months)
    unanswered = rng.random(n) < 0.05  # surveys come back with some questions left blank
    scores, stars = np.where(unanswered, np.nan, scores), np.where(unanswered, np.nan, stars)
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
            "DX_NPS": ((_column(scores),), lambda: _nps(scores)),
            "DX_DEMAND_STATS": ((history,), lambda: _demand_stats(history)),
            "DX_SAFETY_STOCK": ((history, _column(lead), _column(level), _column(lead_sd)),
                                lambda: _safety_stock(history, lead, level, lead_sd)),
            "DX_CSAT": ((_column(stars), 4), lambda: _csat(stars, 4)),
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
            "DX_COMMISSION": ((_column(sold), _column(quota), PLAN, 1.5, 0.5, 30_000.0),
                              lambda: _commission(sold, quota, 1.5, 0.5, 30_000.0)),
            "DX_SCORECARD": ((criteria, CRITERIA_WEIGHTS, CRITERIA_DIRECTIONS, CRITERIA_GATES),
                             lambda: _scorecard(criteria, CRITERIA_WEIGHTS.ravel(), CRITERIA_DIRECTIONS.ravel(),
                                                CRITERIA_GATES.ravel())),
            "DX_YOY": ((long_history, SERIAL_2026_03_10), lambda: _yoy(long_history, 2)),  # March: YTD is 3 months
            "DX_WORKING_HOURS": ((_column(start), _column(end), 9, 18, _column(HOLIDAYS)),
                                 lambda: _working_hours(start, end, HOLIDAYS)),
            "DX_SAFETY_STOCK_FILL_RATE": (
                (history, _column(lead), _column(fill_rate), _column(order_qty), _column(lead_sd)),
                lambda: _safety_stock_fill_rate(history, lead, fill_rate, order_qty, lead_sd)),
            "DX_SEASONAL_SPLIT": ((ANNUAL_TARGET, _column(series), 12, _column(DECEMBER_FIXED)),
                                  lambda: _seasonal_split(series, ANNUAL_TARGET, DECEMBER_FIXED)),
        }


def _numbers_of(result) -> np.ndarray:
    """The numeric cells of a UDF result or an expression's arrays, flattened, for comparison; a
    blank cell (None, where the expression has NaN) counts as NaN."""
    if isinstance(result, tuple):
        return np.concatenate([_numbers_of(part) for part in result])
    flat = np.ravel(np.asarray(result, dtype=object))
    numbers = [np.nan if v is None else float(v) for v in flat
               if v is None or isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool)]
    return np.asarray(numbers)


def _in_spill_order(result) -> np.ndarray:
    """The numeric cells of a UDF result, or of an expression's arrays taken as the columns of its
    table, row by row: the order a UDF spills them (text and TRUE/FALSE cells left out)."""
    if isinstance(result, tuple):
        parts = [np.ravel(part) for part in result]
        if all(part.dtype.kind in "fiubUS" for part in parts):  # typed columns: no cell-by-cell look
            numeric = [part for part in parts if part.dtype.kind in "fiu"]
            return np.column_stack(numeric).ravel().astype(float) if numeric else np.empty(0)
        table = np.empty((np.size(result[0]), len(result)), dtype=object)
        for j, part in enumerate(result):
            table[:, j] = np.ravel(part)
        result = table
    return _numbers_of(result)


def _labels_found(udf_result, expression_result) -> bool:
    """Whether each column of text or TRUE/FALSE the expression gives is, cell for cell, a
    column of the UDF's result (under its header row, when it has one)."""
    parts = expression_result if isinstance(expression_result, tuple) else (expression_result,)
    grid = np.asarray(udf_result, dtype=object)
    grid = grid.reshape(-1, 1) if grid.ndim == 1 else grid
    for part in (np.ravel(part) for part in parts):
        if part.dtype.kind not in "USb" and not (part.size and isinstance(part[0], str)):
            continue
        body = grid[grid.shape[0] - part.size:] if grid.ndim == 2 and grid.shape[0] >= part.size else None
        if body is None or not any(np.array_equal(body[:, j], part.astype(object)) for j in range(body.shape[1])):
            return False
    return True


def agrees(udf_result, expression_result, rtol: float = 1e-9, atol: float = 1e-9) -> bool:
    """Whether a UDF and its expression give the same cells: the numeric ones one by one in
    spill order (blanks where the other is blank) up to rounding in the last digits, and the
    expression's text and TRUE/FALSE columns exactly."""
    ours, plain = _in_spill_order(udf_result), _in_spill_order(expression_result)
    return (ours.shape == plain.shape and bool(np.allclose(ours, plain, rtol=rtol, atol=atol, equal_nan=True))
            and _labels_found(udf_result, expression_result))


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
    """The rows xlwings builds from a plain numpy UDF's result before cleaning each cell (its
    numpy converter)."""
    from xlwings.conversion.numpy_conv import NumpyArrayConverter

    return NumpyArrayConverter.write_value(result, {}) if isinstance(result, np.ndarray) else [[result]]


def _spilled(result):
    """The rows xlwings builds from a DX_ function's result: the converter it declares, which
    also writes blanks instead of NaN."""
    from dealerxl.excel.functions.converters import SpilledResult

    return SpilledResult.write_value(result, {})


def measure(rows: list[int], repeat: int = 3) -> dict:
    """Per UDF and row count: seconds through the UDF, seconds as numpy, overhead, agreement.

    ``overhead`` compares the functions alone (as Excel calls them: in their workbook's
    language, here codes, and with bad input shown as a ``#VALUE!`` cell). ``overhead_with_rows``
    adds, on both sides, the rows xlwings builds from the returned array, which every UDF pays
    before Excel sees a cell: ``tolist()`` for the numpy expression, the declared result
    converter for the UDF (which also turns NaN into blank cells). A table with a header row
    must hold Python objects, so its UDF builds them itself, where a plain numeric array leaves
    that to ``tolist()``. ``agree`` is
    :func:`agrees` on the two results. The UDF and its expression are timed in turn, best of
    at least ``repeat`` calls each (more for quick ones, see
    :func:`~suite.timing.best_of_alternating`).
    """
    from dealerxl.excel.functions import UDFS

    results, missing = {}, sorted(set(UDFS) - set(cases(10)))
    for n in rows:
        for name, (args, expression) in cases(n).items():
            if name not in UDFS:
                continue
            function = UDFS[name].function
            udf_s, numpy_s = best_of_alternating([lambda: function(*args), expression], repeat)
            agree = agrees(function(*args), expression())
            udf_rows_s, numpy_rows_s = best_of_alternating(
                [lambda: _spilled(function(*args)), lambda: _written(_as_spilled(expression()))], repeat)
            results.setdefault(name, {})[n] = {"udf_s": udf_s, "numpy_s": numpy_s,
                                               "overhead": udf_s / numpy_s - 1, "agree": agree,
                                               "udf_rows_s": udf_rows_s, "numpy_rows_s": numpy_rows_s,
                                               "overhead_with_rows": udf_rows_s / numpy_rows_s - 1}
    return {"results": results, "without_case": missing}
