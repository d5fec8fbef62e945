"""Intermittent demand (manual 5.1, spare parts): the Syntetos–Boylan demand classes, Croston's
method with the SBA correction, TSB, and safety stock from a count distribution.

Histories are matrices: one row per item (or item × location), one column per period,
oldest first; blanks are periods without demand, except leading blanks, which mean the
item did not exist yet (its history starts at its first non-blank period). Everything runs for all rows at once; the
recursions go period by period over every row and every smoothing constant tried together.
"""
from __future__ import annotations

import numpy as np
from scipy.stats import nbinom, poisson

from dealerxl.calc import CalcError

# Syntetos, Boylan & Croston (2005), "On the categorization of demand patterns", Journal of
# the Operational Research Society 56(5): the cut-offs between the four classes.
ADI_CUTOFF = 1.32
CV2_CUTOFF = 0.49
CLASSES = ("smooth", "erratic", "intermittent", "lumpy")
NO_DEMAND = "no_demand"
# Smoothing constants tried per item, chosen by the smallest in-sample squared one-step error
# (Syntetos & Boylan 2005 studied 0.05–0.20; the larger ones let TSB follow obsolescence).
SIZE_ALPHAS = (0.05, 0.1, 0.2, 0.3)
PROBABILITY_BETAS = (0.05, 0.1, 0.2, 0.3)


def _demand(history) -> np.ndarray:
    d = np.asarray(history, dtype=float)
    d = d.reshape(1, -1) if d.ndim == 1 else d
    if d.ndim != 2 or d.shape[1] == 0:
        raise CalcError("msg.calc.intermittent.demand_history_needs_one")
    d = np.nan_to_num(d, nan=0.0)
    if (d < 0).any():
        raise CalcError("msg.calc.demand.demand_cannot_negative")
    return d


def _started(history) -> tuple[np.ndarray, np.ndarray]:
    """Demand with blanks as 0, and each row's number of periods from its first non-blank one."""
    d = np.asarray(history, dtype=float)
    d = d.reshape(1, -1) if d.ndim == 1 else d
    if d.ndim != 2 or d.shape[1] == 0:
        raise CalcError("msg.calc.intermittent.demand_history_needs_one")
    known = ~np.isnan(d)
    first = np.where(known.any(axis=1), np.argmax(known, axis=1), d.shape[1])
    return _demand(d), d.shape[1] - first


def demand_class(history) -> dict[str, np.ndarray]:
    """ADI, CV² and the Syntetos–Boylan class of every row.

    ADI (average demand interval) = periods since the row's first non-blank one / periods
    with demand; CV² = (s / z̄)², the
    squared coefficient of variation of the non-zero demand sizes (sample standard
    deviation; 0 with a single demand). Classes (Syntetos, Boylan & Croston 2005):
    smooth ADI < 1.32 and CV² < 0.49; erratic ADI < 1.32, CV² ≥ 0.49; intermittent
    ADI ≥ 1.32, CV² < 0.49; lumpy ADI ≥ 1.32, CV² ≥ 0.49; no_demand without any.

    Example (worked by hand): 0, 3, 0, 0, 5, 0, 4, 0 → 3 demands in 8 periods, ADI = 2.667;
    sizes 3, 5, 4: mean 4, s = 1, CV² = 0.0625 → intermittent.

    >>> c = demand_class([[0, 3, 0, 0, 5, 0, 4, 0]])
    >>> round(float(c["adi"][0]), 3), round(float(c["cv2"][0]), 4), c["demand_class"][0]
    (2.667, 0.0625, 'intermittent')
    """
    d, length = _started(history)
    positive = d > 0
    count = positive.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        adi = np.where(count > 0, length / count, np.nan)
        size_mean = np.where(count > 0, d.sum(axis=1) / count, np.nan)
        squares = np.where(positive, (d - size_mean[:, None]) ** 2, 0.0).sum(axis=1)
        size_sd = np.where(count > 1, np.sqrt(squares / (count - 1)), 0.0)
        cv2 = np.where(count > 0, (size_sd / size_mean) ** 2, np.nan)
    index = (adi >= ADI_CUTOFF).astype(int) * 2 + (cv2 >= CV2_CUTOFF).astype(int)
    labels = np.array(CLASSES, dtype=object)[index]
    labels[count == 0] = NO_DEMAND
    return {"adi": adi, "cv2": cv2, "demand_class": labels}


def croston_sba(history, alpha=0.1) -> dict[str, np.ndarray]:
    """Croston's method with the Syntetos–Boylan approximation (SBA), per row.

    Equations (Syntetos & Boylan 2005, "The accuracy of intermittent demand estimates",
    International Journal of Forecasting 21(2)): in a period with demand yₜ > 0 after q
    periods since the last one, zₜ = zₜ₋₁ + α(yₜ − zₜ₋₁), pₜ = pₜ₋₁ + α(q − pₜ₋₁);
    otherwise both stay. Forecast per period: (1 − α/2)·z/p. Start: z and p from the
    first demand (its size, and its period number counted from 1).

    ``alpha``: one value, or one per row. Returns ``forecast`` (per period, all rows),
    ``fitted`` (the one-step forecasts, rows × periods; NaN before the first demand) and
    ``mse`` (their mean squared error from the first demand on).

    Example (worked by hand, α = 0.1): 0, 4, 0, 0, 2 → start z = 4, p = 2; at period 5
    (q = 3): z = 4 + 0.1·(2 − 4) = 3.8, p = 2 + 0.1·(3 − 2) = 2.1; forecast
    0.95 · 3.8 / 2.1 = 1.719.

    >>> round(float(croston_sba([[0, 4, 0, 0, 2]])["forecast"][0]), 3)
    1.719
    """
    d, length = _started(history)
    return _croston_sba(d, d.shape[1] - length, _per_row(alpha, d.shape[0]))


def _per_row(value, rows: int) -> np.ndarray:
    return np.broadcast_to(np.asarray(value, dtype=float).ravel() if np.ndim(value) else float(value), (rows,))


def _croston_sba(d: np.ndarray, start: np.ndarray, a: np.ndarray, keep_fitted: bool = True) -> dict[str, np.ndarray]:
    """:func:`croston_sba` on demand with blanks as 0, each row from its ``start`` period."""
    rows, periods = d.shape
    observed = np.ascontiguousarray(d.T)  # one contiguous row of values per period
    size = np.full(rows, np.nan)
    interval = np.full(rows, np.nan)
    since = np.zeros(rows)
    errors = _OneStepErrors(rows, periods, keep_fitted)
    with np.errstate(invalid="ignore"):
        for t in range(periods):
            y = observed[t]
            errors.add(t, (1 - a / 2) * size / interval, y)
            since += t >= start
            demand = y > 0
            first = demand & np.isnan(size)
            later = demand & ~first
            size = np.where(first, y, np.where(later, size + a * (y - size), size))
            interval = np.where(first, since, np.where(later, interval + a * (since - interval), interval))
            since = np.where(demand, 0.0, since)
    forecast = np.where(np.isnan(size), 0.0, (1 - a / 2) * size / interval)
    return {"forecast": forecast, **errors.result()}


class _OneStepErrors:
    """Mean squared one-step error per row, added up period by period (blank forecasts left
    out), and optionally the forecasts themselves (rows × periods)."""

    def __init__(self, rows: int, periods: int, keep_fitted: bool):
        self.squares = np.zeros(rows)
        self.count = np.zeros(rows)
        self.fitted = np.full((periods, rows), np.nan) if keep_fitted else None

    def add(self, t: int, forecast: np.ndarray, actual: np.ndarray) -> None:
        known = ~np.isnan(forecast)
        self.squares += np.where(known, (actual - np.where(known, forecast, 0.0)) ** 2, 0.0)
        self.count += known
        if self.fitted is not None:
            self.fitted[t] = forecast

    def result(self) -> dict[str, np.ndarray]:
        with np.errstate(invalid="ignore", divide="ignore"):
            mse = np.where(self.count > 0, self.squares / np.maximum(self.count, 1), np.nan)
        return {"mse": mse, **({"fitted": self.fitted.T} if self.fitted is not None else {})}


def tsb(history, alpha=0.1, beta=0.1) -> dict[str, np.ndarray]:
    """Teunter–Syntetos–Babai (TSB) forecast per row: demand probability and size smoothed apart.

    Equations (Teunter, Syntetos & Babai 2011, "Intermittent demand: linking forecasting to
    inventory obsolescence", European Journal of Operational Research 214(3)): every period
    πₜ = πₜ₋₁ + β(dₜ − πₜ₋₁), dₜ = 1 if yₜ > 0 else 0; in a period with demand
    zₜ = zₜ₋₁ + α(yₜ − zₜ₋₁). Forecast per period: π·z. Because π decays in every period
    without demand, the forecast of an item no longer asked for falls towards 0
    (obsolescence), unlike Croston's. Start: z = mean non-zero demand, π = share of periods
    with demand.

    Returns ``forecast``, ``fitted`` and ``mse`` as :func:`croston_sba`.

    Example (worked by hand, α = β = 0.5): 2, 0, 4, 0 → start z = 3, π = 0.5;
    t1: π = 0.75, z = 2.5; t2: π = 0.375; t3: π = 0.6875, z = 3.25; t4: π = 0.34375 →
    forecast 0.34375 · 3.25 = 1.117.

    >>> round(float(tsb([[2, 0, 4, 0]], 0.5, 0.5)["forecast"][0]), 3)
    1.117
    """
    d, length = _started(history)
    return _tsb(d, d.shape[1] - length, _per_row(alpha, d.shape[0]), _per_row(beta, d.shape[0]))


def _tsb(d: np.ndarray, start: np.ndarray, a: np.ndarray, b: np.ndarray, keep_fitted: bool = True) -> dict:
    """:func:`tsb` on demand with blanks as 0, each row from its ``start`` period."""
    rows, periods = d.shape
    length = periods - start
    observed = np.ascontiguousarray(d.T)
    count = (observed > 0).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        size = np.where(count > 0, observed.sum(axis=0) / np.maximum(count, 1), 0.0)
        probability = np.where(length > 0, count / np.maximum(length, 1), 0.0)
    errors = _OneStepErrors(rows, periods, keep_fitted)
    for t in range(periods):
        active = t >= start
        y = observed[t]
        demand = y > 0
        errors.add(t, np.where(active, probability * size, np.nan), y)
        probability = np.where(active, probability + b * (demand - probability), probability)
        size = np.where(demand, size + a * (y - size), size)
    return {"forecast": probability * size, **errors.result()}


def intermittent_forecast(history, method: str = "auto") -> dict[str, np.ndarray]:
    """Forecast per period of every row with its smoothing constants chosen from a small grid.

    ``method``: ``sba`` (Croston–SBA, α from :data:`SIZE_ALPHAS`), ``tsb`` (TSB, α and β
    from :data:`SIZE_ALPHAS` × :data:`PROBABILITY_BETAS`) or ``auto``: SBA for intermittent
    items and TSB for lumpy ones, whose large, rare orders make the demand probability the
    better thing to follow (Teunter et al. 2011), and SBA for the rest. Each row takes the
    constants with the smallest in-sample mean squared one-step error (its ``mse``, the
    variance of the forecast error used for safety stock). Returns ``forecast``, ``mse``,
    ``method`` (sba / tsb per row), ``adi``, ``cv2`` and ``demand_class``.

    Example: an item asked for every other period, 4 at a time, gets about 2 per period.

    >>> f = intermittent_forecast([[0, 4] * 12])
    >>> f["demand_class"][0], f["method"][0], round(float(f["forecast"][0]), 1)
    ('intermittent', 'sba', 1.9)
    """
    if method not in ("auto", "sba", "tsb"):
        raise CalcError("msg.calc.intermittent.intermittent_forecast_method_not", method=method)
    classes = demand_class(history)
    use_tsb = np.full(classes["adi"].shape[0], method == "tsb")
    if method == "auto":
        use_tsb = classes["demand_class"] == "lumpy"
    d, length = _started(history)
    start = d.shape[1] - length
    # Every constant (pair) of the grid for every row in one recursion: row r·G + g is row r, point g.
    sba = _best_of(_croston_sba(np.repeat(d, len(SIZE_ALPHAS), axis=0), np.repeat(start, len(SIZE_ALPHAS)),
                                np.tile(SIZE_ALPHAS, d.shape[0]), keep_fitted=False), len(SIZE_ALPHAS))
    pairs = np.array([(a, b) for a in SIZE_ALPHAS for b in PROBABILITY_BETAS])
    teunter = _best_of(_tsb(np.repeat(d, len(pairs), axis=0), np.repeat(start, len(pairs)),
                            np.tile(pairs[:, 0], d.shape[0]), np.tile(pairs[:, 1], d.shape[0]), keep_fitted=False),
                       len(pairs))
    forecast = np.where(use_tsb, teunter["forecast"], sba["forecast"])
    mse = np.where(use_tsb, teunter["mse"], sba["mse"])
    return {"forecast": forecast, "mse": mse, "method": np.where(use_tsb, "tsb", "sba").astype(object), **classes}


def _best_of(fit: dict, points: int) -> dict[str, np.ndarray]:
    """Per row, the grid point (of ``points`` consecutive rows) with the smallest mse; the
    first of them when none has one (no demand yet: all forecasts are then 0)."""
    mse = fit["mse"].reshape(-1, points)
    best = np.argmin(np.where(np.isnan(mse), np.inf, mse), axis=1)
    rows = np.arange(mse.shape[0])
    return {"forecast": fit["forecast"].reshape(-1, points)[rows, best], "mse": mse[rows, best]}


def count_reorder_point(mean_per_period, variance_per_period, periods, service_level,
                        periods_sd=0.0) -> dict[str, np.ndarray]:
    """Reorder point and safety stock for demand counted in whole units over a protection interval.

    Demand over L periods (L = ``periods``, e.g. lead time plus review period, σL its
    standard deviation) has mean μ = d·L and variance V = L·σd² + d²·σL² (the combined
    variance, Silver, Pyke & Thomas, Inventory and Production Management in Supply Chains,
    4th ed., 2017, §6.7). Slow movers' demand is a count, so instead of the normal the
    distribution is Poisson when V ≤ μ and otherwise the negative binomial with that mean
    and variance (p = μ/V, r = μ²/(V − μ)), as for intermittent demand in Syntetos, Babai &
    Gardner, "Forecasting intermittent inventory demands: simple parametric methods vs.
    bootstrapping", Journal of Business Research 68(8), 2015. The reorder point s is the
    smallest whole number with P(D ≤ s) ≥ service level; safety stock = s − μ (negative
    when the distribution's skew makes s below the mean).

    Example (worked by hand): d = 0.5 per month, σd² = 0.5, L = 2 → μ = 1, V = 1 → Poisson(1):
    P(D ≤ 2) = 0.920, P(D ≤ 3) = 0.981 → at 95 %, s = 3 and safety stock 2. With σd² = 1.5
    (V = 3): negative binomial r = 0.5, p = 1/3: P(D ≤ 3) = 0.929, P(D ≤ 4) = 0.951 → s = 4.

    >>> r = count_reorder_point([0.5, 0.5], [0.5, 1.5], 2, 0.95)
    >>> r["reorder_point"].tolist(), r["distribution"].tolist(), r["safety_stock"].tolist()
    ([3.0, 4.0], ['poisson', 'negative_binomial'], [2.0, 3.0])
    """
    d = np.asarray(mean_per_period, dtype=float)
    var = np.asarray(variance_per_period, dtype=float)
    length = np.asarray(periods, dtype=float)
    length_sd = np.asarray(periods_sd, dtype=float)
    level = np.asarray(service_level, dtype=float)
    d, var, length, length_sd, level = np.broadcast_arrays(d, var, length, length_sd, level)
    if (d < 0).any() or (var < 0).any() or (length < 0).any() or (length_sd < 0).any():
        raise CalcError("msg.calc.intermittent.demand_variance_protection_interval")
    if ((level <= 0) | (level >= 1)).any():
        raise CalcError("msg.calc.intermittent.service_level_above_below")
    mu = d * length
    total_var = length * var + d ** 2 * length_sd ** 2
    over = total_var > mu * (1 + 1e-9)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p = np.where(over, mu / total_var, 0.5)
        r = np.where(over, mu ** 2 / (total_var - mu), 1.0)
    point = np.where(over, nbinom.ppf(level, np.where(r > 0, r, 1.0), p), poisson.ppf(level, mu))
    point = np.where(mu > 0, point, 0.0)
    return {"reorder_point": point, "safety_stock": point - mu, "lead_time_demand": mu,
            "distribution": np.where(over, "negative_binomial", "poisson").astype(object)}
