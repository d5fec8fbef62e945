"""Sales forecasts per series (dealer, product…) with additive Holt-Winters exponential smoothing,
a seasonal-naive fallback for short histories, and holdout accuracy (WAPE) against seasonal naive.

Histories are matrices: one row per series, one column per month, oldest first, all rows
ending in the same month. Leading blanks mean the series did not exist yet (a new dealer);
a blank after the first value is a month without sales (0). A negative month (returns
above sales) is kept as it is; forecasts are floored at 0.

Holt-Winters is fitted to every series at once: the smoothing parameters are chosen per
series from a grid by the smallest one-step-ahead squared error, with the recursion run over
months for all series and all grid points together (numpy), so thousands of dealers take
about as long as a few.
"""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError

SEASON = 12
# Smoothing-parameter grid (α level, β trend, γ season, φ damping), each with both season
# forms. Coarse on purpose: the one-step error surface is flat near its minimum and 36 months
# cannot tell finer values apart (on generated series the grid comes within 0.005 WAPE of
# statsmodels' fully optimised ExponentialSmoothing, at a small fraction of its time).
ALPHAS = (0.05, 0.15, 0.3, 0.5, 0.8)
BETAS = (0.0, 0.05, 0.15)
GAMMAS = (0.05, 0.15, 0.3, 0.5)
PHIS = (0.9, 0.98)
# Series fitted together: bounds memory to grid × block × season floats; small blocks stay in cache.
BLOCK = 200


def _history(history) -> tuple[np.ndarray, np.ndarray]:
    """The history as a float matrix with interior blanks as 0, and each row's number of months."""
    x = np.asarray(history, dtype=float)
    if x.ndim == 1:
        x = x.reshape(1, -1)
    if x.ndim != 2 or x.shape[1] == 0:
        raise CalcError("the sales history needs one row per series and at least one month")
    known = ~np.isnan(x)
    has_any = known.any(axis=1)
    first = np.where(has_any, np.argmax(known, axis=1), x.shape[1])
    started = np.arange(x.shape[1])[None, :] >= first[:, None]
    return np.where(started, np.nan_to_num(x), np.nan), x.shape[1] - first


def seasonal_naive(history, horizon: int, season: int = SEASON) -> np.ndarray:
    """Seasonal-naive forecast: each future month repeats the same month of the last season.

    Equation: ŷ_{T+h} = y_{T+h−m(k+1)}, k = ⌊(h−1)/m⌋, m = ``season``. A row with less
    than one season of history gets the mean of the months it has (naive mean); a row
    without any history stays blank. Source: Hyndman & Athanasopoulos, Forecasting:
    Principles and Practice (3rd ed., §5.2, "Seasonal naïve method").

    Example: Jan–Dec of last year 1…12 → the next 14 months are 1…12, 1, 2.

    >>> seasonal_naive([list(range(1, 13))], 14)[0].tolist()
    [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0, 1.0, 2.0]
    """
    if horizon < 1:
        raise CalcError("the forecast horizon must be at least one month")
    x, length = _history(history)
    n = x.shape[1]
    steps = np.arange(1, horizon + 1)
    lag = season * ((steps - 1) // season + 1)
    source = n + steps - 1 - lag  # column repeated for step h
    repeated = x[:, np.clip(source, 0, n - 1)] if n >= season else np.full((x.shape[0], horizon), np.nan)
    count = (~np.isnan(x)).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(count > 0, np.nansum(x, axis=1) / count, np.nan)
    short = length < season
    return np.where(short[:, None], mean[:, None], repeated)


def _grid() -> np.ndarray:
    """Every (α, β, γ, φ, multiplicative) combination tried per series."""
    return np.array(list(itertools.product(ALPHAS, BETAS, GAMMAS, PHIS, (0.0, 1.0))))


def holt_winters(history, horizon: int, season: int = SEASON, parameters=None) -> np.ndarray:
    """Holt-Winters (damped trend, additive or multiplicative season) forecasts for every row.

    Component form (Hyndman & Athanasopoulos, Forecasting: Principles and Practice, 3rd
    ed., §8.3, with the damped trend of §8.2), m = ``season``; additive season:

    * level  ℓₜ = α(yₜ − sₜ₋ₘ) + (1 − α)(ℓₜ₋₁ + φbₜ₋₁)
    * trend  bₜ = β(ℓₜ − ℓₜ₋₁) + (1 − β)φbₜ₋₁
    * season sₜ = γ(yₜ − ℓₜ₋₁ − φbₜ₋₁) + (1 − γ)sₜ₋ₘ
    * forecast ŷ_{T+h} = ℓ_T + (φ + φ² + … + φʰ)b_T + s_{T+h−m(k+1)}, k = ⌊(h−1)/m⌋;

    multiplicative season (the swing grows with the level, usual for sales): yₜ − sₜ₋ₘ
    becomes yₜ/sₜ₋ₘ, yₜ − ℓₜ₋₁ − φbₜ₋₁ becomes yₜ/(ℓₜ₋₁ + φbₜ₋₁), and the forecast is
    (ℓ_T + Σφⁱ b_T)·s. Forecasts are floored at 0 (sales are not negative).

    Start values from the first two seasons by the heuristic of Hyndman, Koehler, Ord &
    Snyder, Forecasting with Exponential Smoothing (2008, §2.6.1): seasons from a classical
    decomposition, ℓ₀ and b₀ from a line through the seasonally adjusted values. Rows
    need at least 2m months, none blank.
    ``parameters``: one (α, β, γ, φ[, multiplicative 0/1]) for all rows; by default each
    row takes, from a grid, the set with the smallest sum of squared one-step errors (the
    multiplicative form only for rows whose sales are all above zero). Returns the
    forecasts (rows × horizon).

    Example: a series repeating exactly (100 + pattern) is continued exactly, since every
    one-step error is zero whatever the parameters.

    >>> pattern = [-30, -20, -10, 0, 10, 20, 30, 20, 10, 0, -10, -20]
    >>> y = [100 + p for p in pattern] * 3
    >>> holt_winters([y], 3, parameters=(0.3, 0.1, 0.2, 0.98))[0].round(6).tolist()
    [70.0, 80.0, 90.0]
    """
    x = np.asarray(history, dtype=float)
    x = x.reshape(1, -1) if x.ndim == 1 else x
    if horizon < 1:
        raise CalcError("the forecast horizon must be at least one month")
    if x.shape[1] < 2 * season:
        raise CalcError(f"Holt-Winters needs at least {2 * season} months of history, not {x.shape[1]}")
    if np.isnan(x).any():
        raise CalcError("Holt-Winters needs a complete history (no blank months)")
    if parameters is None:
        grid = _grid()
    else:
        given = np.asarray(parameters, dtype=float).ravel()
        if given.size not in (4, 5):
            raise CalcError("Holt-Winters parameters are α, β, γ, φ and optionally 1 for a multiplicative season")
        grid = np.r_[given, 0.0][:5].reshape(1, 5)
    forecasts = [_holt_winters_block(x[i:i + BLOCK], horizon, season, grid) for i in range(0, x.shape[0], BLOCK)]
    return np.vstack(forecasts) if forecasts else np.zeros((0, horizon))


def _start_values(x: np.ndarray, season: int, multiplicative: bool):
    """Initial level, trend and season per row from the first two seasons (Hyndman et al. 2008, §2.6.1).

    Season: the first two seasons' values against their centred 2×m moving average
    (difference, or ratio when multiplicative), one per position, normalised to sum 0
    (average 1). Level and trend: a least-squares line through the seasonally adjusted
    first two seasons, ℓ₀ its value just before the first month and b₀ its slope.
    """
    head = x[:, :2 * season]
    weights = np.r_[0.5, np.ones(season - 1), 0.5] / season
    # Moving average at positions m/2 … 3m/2 − 1: one value per season position.
    windows = np.lib.stride_tricks.sliding_window_view(head, season + 1, axis=1)
    moving = windows @ weights
    positions = np.arange(season // 2, season // 2 + moving.shape[1])
    centre = head[:, positions]
    with np.errstate(divide="ignore", invalid="ignore"):
        detrended = centre / moving if multiplicative else centre - moving
    seasons = np.empty((x.shape[0], season))
    seasons[:, positions % season] = detrended
    if multiplicative:
        seasons = seasons * season / seasons.sum(axis=1, keepdims=True)
        adjusted = head / np.tile(seasons, 2)
    else:
        seasons = seasons - seasons.mean(axis=1, keepdims=True)
        adjusted = head - np.tile(seasons, 2)
    t = np.arange(1, 2 * season + 1, dtype=float)
    slope = (adjusted - adjusted.mean(axis=1, keepdims=True)) @ (t - t.mean()) / ((t - t.mean()) @ (t - t.mean()))
    intercept = adjusted.mean(axis=1) - slope * t.mean()
    return intercept, slope, seasons


def _holt_winters_block(x: np.ndarray, horizon: int, season: int, grid: np.ndarray) -> np.ndarray:
    """Fit every grid point to every row of ``x`` at once; forecast with each row's best point."""
    n = x.shape[1]
    alpha, beta, gamma, phi = (grid[:, k, None] for k in range(4))  # (G, 1), broadcast over series
    multiplicative = grid[:, 4, None] > 0
    # The multiplicative form divides by sales and levels: only for series that are always positive.
    positive = (x > 0).all(axis=1)
    add = _start_values(x, season, False)
    mul = _start_values(np.where(positive[:, None], x, 1.0), season, True)
    level = np.where(multiplicative, mul[0][None], add[0][None])  # (grid, series)
    trend = np.where(multiplicative, mul[1][None], add[1][None])
    seasonal = np.where(multiplicative[:, :, None], mul[2][None], add[2][None])  # (grid, series, season)
    sse = np.where(multiplicative & ~positive[None, :], np.inf, 0.0)
    for t in range(n):  # months, not rows: the recursion is sequential in time
        j = t % season
        y = x[:, t]
        damped = level + phi * trend
        old = seasonal[:, :, j]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            predicted = np.where(multiplicative, damped * old, damped + old)
            deseasoned = np.where(multiplicative, y / old, y - old)
            relative = np.where(multiplicative, y / damped, y - damped)
        sse += (y - predicted) ** 2
        new_level = alpha * deseasoned + (1 - alpha) * damped
        seasonal[:, :, j] = gamma * relative + (1 - gamma) * old
        trend = beta * (new_level - level) + (1 - beta) * phi * trend
        level = new_level
    best = np.argmin(np.where(np.isfinite(sse), sse, np.inf), axis=0)
    rows = np.arange(x.shape[0])
    steps = np.arange(1, horizon + 1)
    phi_best = grid[best, 3][:, None]
    damping = np.cumsum(phi_best ** steps[None, :], axis=1)
    season_at = seasonal[best, rows][:, (n + steps - 1) % season]
    base = level[best, rows][:, None] + damping * trend[best, rows][:, None]
    forecast = np.where(grid[best, 4][:, None] > 0, base * season_at, base + season_at)
    return np.maximum(np.nan_to_num(forecast, nan=0.0), 0.0)


def forecast(history, horizon: int, season: int = SEASON, min_model_months: int = 24) -> pd.DataFrame:
    """Next ``horizon`` months per series: Holt-Winters where the history is long enough, else seasonal naive.

    A row with at least ``min_model_months`` months (≥ 2 seasons) since its first value is
    forecast by :func:`holt_winters` on those months; shorter rows by
    :func:`seasonal_naive`. Returns one row per series: ``method``
    (holt_winters / seasonal_naive / naive_mean / none) and the forecasts ``h1`` … ``hH``.

    >>> y = [100 + p for p in [-30, -20, -10, 0, 10, 20, 30, 20, 10, 0, -10, -20]] * 3
    >>> f = forecast([y, [None] * 30 + [5, 7, 6, 5, 7, 6]], 2)
    >>> f.method.tolist(), f.h1.round(1).tolist()
    (['holt_winters', 'naive_mean'], [70.0, 6.0])
    """
    if min_model_months < 2 * season:
        raise CalcError(f"Holt-Winters needs at least {2 * season} months; min_model_months is {min_model_months}")
    x, length = _history(history)
    result = seasonal_naive(x, horizon, season)
    method = np.where(length == 0, "none", np.where(length < season, "naive_mean", "seasonal_naive")).astype(object)
    model = length >= min_model_months
    # Rows of equal length are fitted together; there are few distinct lengths (start months).
    for months in np.unique(length[model]):
        rows = np.flatnonzero(model & (length == months))
        result[rows] = holt_winters(x[rows, x.shape[1] - months:], horizon, season)
        method[rows] = "holt_winters"
    frame = pd.DataFrame(result, columns=[f"h{h}" for h in range(1, horizon + 1)])
    frame.insert(0, "method", method)
    return frame


def wape(actual, forecast_values, axis=None):
    """Weighted absolute percentage error: Σ|yₜ − ŷₜ| / Σ|yₜ| (NaN when Σ|y| = 0).

    Also called the MAD/mean ratio; unlike MAPE it stays defined for months without sales
    and weighs big months more. Source: Kolassa & Schütz, "Advantages of the MAD/Mean ratio
    over the MAPE", Foresight 6 (2007); Hyndman & Athanasopoulos, FPP3 §5.8 on scale.

    Example (worked by hand): actual 100, 0, 50; forecast 90, 10, 50 → (10 + 10 + 0)/150 = 0.1333.

    >>> round(float(wape([100, 0, 50], [90, 10, 50])), 4)
    0.1333
    """
    a, f = np.asarray(actual, dtype=float), np.asarray(forecast_values, dtype=float)
    if a.shape != f.shape:
        raise CalcError(f"actual values {a.shape} and forecasts {f.shape} differ in shape")
    absolute_error = a - f
    if isinstance(absolute_error, np.ndarray):
        np.abs(absolute_error, out=absolute_error)
    else:  # two single numbers give a number, which has no place to write into
        absolute_error = np.abs(absolute_error)
    error = absolute_error.sum(axis=axis)
    # A sum of |differences| is blank exactly when one of its differences is (|·| leaves no ∞ − ∞).
    if np.isnan(error).any():  # a blank on either side (or ∞ − ∞): leave those months out
        ok = ~np.isnan(a) & ~np.isnan(f)
        error = np.where(ok, absolute_error, 0.0).sum(axis=axis)
        scale = np.where(ok, np.abs(a), 0.0).sum(axis=axis)
    else:  # every month counts: the same sums without masks
        scale = np.abs(a).sum(axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(scale > 0, error / scale, np.nan)


def holdout_accuracy(history, holdout: int = 6, season: int = SEASON, min_model_months: int = 24) -> pd.DataFrame:
    """WAPE on the last ``holdout`` months of each series: the model of :func:`forecast` vs seasonal naive.

    The last ``holdout`` months are hidden, both methods forecast them from the months
    before, and each is scored with :func:`wape` per series. The columns ``abs_error_model``,
    ``abs_error_naive`` and ``actual_total`` let :func:`overall_wape` add the series up.

    >>> y = [100 + p for p in [-30, -20, -10, 0, 10, 20, 30, 20, 10, 0, -10, -20]] * 3
    >>> holdout_accuracy([y], 6)[["method", "wape_model", "wape_naive"]].round(3).values.tolist()
    [['holt_winters', 0.0, 0.0]]
    """
    return pd.DataFrame(holdout_accuracy_columns(history, holdout, season, min_model_months))


def holdout_accuracy_columns(history, holdout: int = 6, season: int = SEASON, min_model_months: int = 24) -> dict:
    """The columns of :func:`holdout_accuracy` as arrays (name → one value per series), for
    callers that need no table.

    When every series starts in the first month and the months left after the holdout are
    too few for the model but at least a season, every series is forecast by seasonal naive:
    the model's forecasts are the naive ones, so (with no blank among the months compared)
    they are taken and scored once.

    Example (worked by hand): months 1 … 24 with the last 6 hidden; 18 months left are too
    few for the model, so both methods repeat the same months a year before, 7 … 12 for
    19 … 24: each 12 off → WAPE = 6·12 / (19 + … + 24) = 72 / 129 = 0.5581.

    >>> columns = holdout_accuracy_columns([[float(m) for m in range(1, 25)]], 6)
    >>> columns["method"].tolist(), columns["wape_model"].round(4).tolist(), columns["wape_naive"].round(4).tolist()
    (['seasonal_naive'], [0.5581], [0.5581])
    """
    columns = _holdout_accuracy_all_seasonal_naive(history, holdout, season, min_model_months)
    if columns is not None:
        return columns
    x, _ = _history(history)
    if not 1 <= holdout < x.shape[1]:
        raise CalcError(f"the holdout must be 1 to {x.shape[1] - 1} months")
    train, actual = x[:, :-holdout], x[:, -holdout:]
    model = forecast(train, holdout, season, min_model_months)
    model_values = model.iloc[:, 1:].to_numpy(dtype=float)
    naive_values = seasonal_naive(train, holdout, season)
    ok = ~np.isnan(actual)
    return {
        "method": model["method"],
        "wape_model": wape(actual, model_values, axis=1),
        "wape_naive": wape(actual, naive_values, axis=1),
        "abs_error_model": np.where(ok & ~np.isnan(model_values), np.abs(actual - model_values), 0).sum(axis=1),
        "abs_error_naive": np.where(ok & ~np.isnan(naive_values), np.abs(actual - naive_values), 0).sum(axis=1),
        "actual_total": np.where(ok, np.abs(actual), 0).sum(axis=1),
    }


def _holdout_accuracy_all_seasonal_naive(history, holdout: int, season: int, min_model_months: int) -> dict | None:
    """:func:`holdout_accuracy_columns` when seasonal naive forecasts every series: each starts
    in the first month (no blank there) and season ≤ months left < ``min_model_months``. Then
    the model's forecasts are the naive ones, the same months a year before the holdout. When
    none of those months nor of the holdout is blank or ∞ (each row's sums are finite only
    then), the general path's masks keep every month and its blanks elsewhere (zeros) are
    never read. None in any other case (then the general path decides, errors included)."""
    x = np.asarray(history, dtype=float)  # as the general path reads it (and fails on the same input)
    x = x.reshape(1, -1) if x.ndim == 1 else x
    if x.ndim != 2 or min_model_months < 2 * season or not 1 <= holdout < x.shape[1]:
        return None
    months = x.shape[1] - holdout
    if not season <= months < min_model_months or np.isnan(x[:, 0]).any():
        return None
    x = np.ascontiguousarray(x)  # as the general path's copy is: its row sums add in the same order
    actual = x[:, months:]
    steps = np.arange(1, holdout + 1)
    source = months + steps - 1 - season * ((steps - 1) // season + 1)  # the month repeated for step h
    # Within a season the months repeated follow each other: a slice, not a gather.
    naive = x[:, source[0]:source[0] + holdout] if holdout <= season else x[:, source]
    absolute_error = actual - naive
    np.abs(absolute_error, out=absolute_error)
    with np.errstate(over="ignore", invalid="ignore"):
        error = absolute_error.sum(axis=1)
        total = np.abs(actual).sum(axis=1)
    if not (np.isfinite(error).all() and np.isfinite(total).all()):
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(total > 0, error / total, np.nan)
    method = np.empty(x.shape[0], dtype=object)
    method.fill("seasonal_naive")  # one text for every row (np.full would make a copy per row)
    return {"method": method, "wape_model": score, "wape_naive": score,
            "abs_error_model": error, "abs_error_naive": error, "actual_total": total}


def overall_wape(accuracy) -> dict[str, float]:
    """Overall WAPE of the model and of seasonal naive over all series of :func:`holdout_accuracy`.

    ``accuracy`` is that table, or its columns as :func:`holdout_accuracy_columns` gives them.

    Equation: Σ_series Σ_months |e| / Σ_series Σ_months |y| (big series weigh more).

    >>> overall_wape(pd.DataFrame({"abs_error_model": [10, 30], "abs_error_naive": [20, 40], "actual_total": [100, 300]}))
    {'wape_model': 0.1, 'wape_naive': 0.15}
    """
    total = _column_total(accuracy["actual_total"])
    if total <= 0:
        return {"wape_model": float("nan"), "wape_naive": float("nan")}
    return {"wape_model": _column_total(accuracy["abs_error_model"]) / total,
            "wape_naive": _column_total(accuracy["abs_error_naive"]) / total}


def _column_total(values) -> float:
    # A table's column sum (blanks left out), also for a column given as an array.
    return float(values.sum() if isinstance(values, pd.Series) else pd.Series(values).sum())
