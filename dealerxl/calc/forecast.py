"""Sales forecasts per series (dealer, product…): exponential smoothing (ETS) chosen per series
by AICc with prediction intervals, simpler fallbacks for short histories, and holdout accuracy
(WAPE) against seasonal naive.

Histories are matrices: one row per series, one column per month, oldest first, all rows
ending in the same month. Leading blanks mean the series did not exist yet (a new dealer);
a blank after the first value is a month without sales (0). A negative month (returns
above sales) is kept as it is; forecasts and interval bounds are floored at 0.

Which model a series gets depends on how many months it has since its first value:

=============  ==========================================================================
months         model
=============  ==========================================================================
24 or more     the best by AICc of ETS(A,·,N) and (A,·,A) and, for series above zero
               throughout, (M,·,N), (M,·,A) and (M,·,M), each with no, additive or
               damped trend (· = N, A, Ad): fifteen models
12 to 23       the best of the non-seasonal ones (two seasons are needed to tell a season)
5 to 11        ETS(A,N,N), simple exponential smoothing
1 to 4         the mean of the months there are ("naive_mean")
none           no forecast ("none")
=============  ==========================================================================

Seasonal naive ("seasonal_naive") stands in only where no model can be fitted. The fitting
(:mod:`dealerxl.calc.ets`) runs for all series of equal length at once, so thousands of
dealers take seconds rather than minutes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from dealerxl.calc import CalcError
from dealerxl.calc.ets import LEVELS, MODELS, NON_SEASONAL, Model, fit_forecast

SEASON = 12
SIMPLE = (Model("A", "N", "N"),)
FEWEST_MONTHS_FOR_A_MODEL = 5  # ETS(A,N,N) has k = 3 (α, ℓ₀, σ²): AICc needs n ≥ k + 2


def _history(history) -> tuple[np.ndarray, np.ndarray]:
    """The history as a float matrix with interior blanks as 0, and each row's number of months."""
    x = np.asarray(history, dtype=float)
    if x.ndim == 1:
        x = x.reshape(1, -1)
    if x.ndim != 2 or x.shape[1] == 0:
        raise CalcError("msg.calc.forecast.sales_history_needs_one")
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
        raise CalcError("msg.calc.forecast.forecast_horizon_at_least")
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


def _models_for(months: int, season: int):
    """The models a series of ``months`` months may take (see the module's table)."""
    if months >= 2 * season:
        return MODELS
    if months >= season:
        return NON_SEASONAL
    return SIMPLE if months >= FEWEST_MONTHS_FOR_A_MODEL else ()


def forecast_with_intervals(history, horizon: int, season: int = SEASON, levels=LEVELS) -> dict:
    """Point forecasts and prediction intervals for every row, with the method each row got.

    Returns ``method`` (an ETS model name such as ``ETS(M,Ad,M)``, or seasonal_naive /
    naive_mean / none), ``mean`` (rows × horizon) and ``lower`` / ``upper``: coverage →
    rows × horizon. ETS intervals come from the model (:func:`dealerxl.calc.ets.fit_forecast`);
    seasonal naive's are ŷ ± z·σ̂·√(k + 1), k = ⌊(h − 1)/m⌋, σ̂ from the differences
    yₜ − yₜ₋ₘ; the mean's are ȳ ± z·s·√(1 + 1/T) (Hyndman & Athanasopoulos, Forecasting:
    Principles and Practice, 3rd ed., §5.5, Table 5.2). Bounds are floored at 0.

    Example: a series repeating a year exactly is continued exactly, with no spread.

    >>> y = [100 + p for p in [-30, -20, -10, 0, 10, 20, 30, 20, 10, 0, -10, -20]] * 3
    >>> f = forecast_with_intervals([y], 2)
    >>> f["mean"][0].round(6).tolist(), f["upper"][0.8][0].round(6).tolist()
    ([70.0, 80.0], [70.0, 80.0])
    """
    if horizon < 1:
        raise CalcError("msg.calc.forecast.forecast_horizon_at_least")
    x, length = _history(history)
    mean = seasonal_naive(x, horizon, season)
    method = np.where(length == 0, "none", np.where(length < season, "naive_mean", "seasonal_naive")).astype(object)
    lower, upper = _fallback_intervals(x, length, mean, horizon, season, levels)
    # Rows of equal length are fitted together; there are few distinct lengths (start months).
    for months in np.unique(length[length > 0]):
        models = _models_for(int(months), season)
        if not models:
            continue
        target = np.flatnonzero(length == months)
        fit = fit_forecast(x[target, x.shape[1] - months:], horizon, season, models, levels)
        fitted = fit.model != ""
        chosen = target[fitted]
        method[chosen] = fit.model[fitted]
        mean[chosen] = fit.mean[fitted]
        for level in levels:
            lower[level][chosen] = fit.lower[level][fitted]
            upper[level][chosen] = fit.upper[level][fitted]
    with np.errstate(invalid="ignore"):
        mean = np.maximum(mean, 0.0, where=~np.isnan(mean), out=mean)
        for level in levels:
            np.maximum(lower[level], 0.0, where=~np.isnan(lower[level]), out=lower[level])
            np.maximum(upper[level], 0.0, where=~np.isnan(upper[level]), out=upper[level])
    return {"method": method, "mean": mean, "lower": lower, "upper": upper}


def _fallback_intervals(x, length, mean, horizon, season, levels):
    """Intervals of seasonal naive and of the mean (FPP3 §5.5), NaN where no history."""
    rows, n = x.shape
    steps = np.arange(1, horizon + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        if n > season:
            differences = x[:, season:] - x[:, :-season]
            count = (~np.isnan(differences)).sum(axis=1)
            naive_sd = np.sqrt(np.where(count > 0, np.nansum(differences ** 2, axis=1) / np.maximum(count, 1), np.nan))
        else:
            naive_sd = np.full(rows, np.nan)
        naive_spread = naive_sd[:, None] * np.sqrt((steps - 1) // season + 1)[None, :]
        months = np.maximum(length, 1)
        mean_sd = np.where(length > 1, np.nanstd(x, axis=1, ddof=1) if n > 1 else np.nan, np.nan)
        mean_spread = np.repeat((mean_sd * np.sqrt(1 + 1 / months))[:, None], horizon, axis=1)
    spread = np.where((length < season)[:, None], mean_spread, naive_spread)
    lower = {level: mean - norm.ppf((1 + level) / 2) * spread for level in levels}
    upper = {level: mean + norm.ppf((1 + level) / 2) * spread for level in levels}
    return lower, upper


def forecast(history, horizon: int, season: int = SEASON) -> pd.DataFrame:
    """Next ``horizon`` months per series: ``method`` and the forecasts ``h1`` … ``hH``.

    The method per row is the one of the module's table (an ETS model name, or
    seasonal_naive / naive_mean / none); see :func:`forecast_with_intervals` for the
    intervals.

    >>> y = [100 + p for p in [-30, -20, -10, 0, 10, 20, 30, 20, 10, 0, -10, -20]] * 3
    >>> f = forecast([y, [None] * 33 + [5, 7, 6]], 2)
    >>> f.method.tolist()[1], f.h1.round(1).tolist()
    ('naive_mean', [70.0, 6.0])
    """
    result = forecast_with_intervals(history, horizon, season, levels=())
    frame = pd.DataFrame(result["mean"], columns=[f"h{h}" for h in range(1, horizon + 1)])
    frame.insert(0, "method", result["method"])
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
        raise CalcError("msg.calc.forecast.actual_values_forecasts_differ", shape=a.shape, shape2=f.shape)
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


def holdout_accuracy(history, holdout: int = 6, season: int = SEASON) -> pd.DataFrame:
    """WAPE on the last ``holdout`` months of each series: the model of :func:`forecast` vs seasonal naive.

    The last ``holdout`` months are hidden, both methods forecast them from the months
    before, and each is scored with :func:`wape` per series. The columns ``abs_error_model``,
    ``abs_error_naive`` and ``actual_total`` let :func:`overall_wape` add the series up.

    >>> y = [100 + p for p in [-30, -20, -10, 0, 10, 20, 30, 20, 10, 0, -10, -20]] * 3
    >>> holdout_accuracy([y], 6)[["wape_model", "wape_naive"]].round(3).values.tolist()
    [[0.0, 0.0]]
    """
    return pd.DataFrame(holdout_accuracy_columns(history, holdout, season))


def holdout_accuracy_columns(history, holdout: int = 6, season: int = SEASON) -> dict:
    """The columns of :func:`holdout_accuracy` as arrays (name → one value per series), for
    callers that need no table.

    Example (worked by hand): months 1 … 24 with the last 6 hidden; seasonal naive repeats
    the months a year before, 7 … 12 for 19 … 24: each 12 off → WAPE = 6·12 / (19 + … + 24)
    = 72 / 129 = 0.5581. The model (18 months: a non-seasonal ETS) follows the trend.

    >>> columns = holdout_accuracy_columns([[float(m) for m in range(1, 25)]], 6)
    >>> columns["wape_naive"].round(4).tolist(), bool(columns["wape_model"][0] < 0.01)
    ([0.5581], True)
    """
    x, _ = _history(history)
    if not 1 <= holdout < x.shape[1]:
        raise CalcError("msg.calc.forecast.holdout_months", shape=x.shape[1] - 1)
    train, actual = x[:, :-holdout], x[:, -holdout:]
    model = forecast(train, holdout, season)
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
