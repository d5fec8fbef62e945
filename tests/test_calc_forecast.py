"""Forecasts: seasonal naive, ETS on many series at once, fallbacks, intervals and holdout WAPE."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from dealerxl.calc import CalcError
from dealerxl.calc.forecast import (forecast, forecast_with_intervals, holdout_accuracy, overall_wape, seasonal_naive,
                                    wape)
from dealerxl.calc.sales import sales_matrix
from dealerxl.sample import generate


def seasonal_series(series: int = 50, months: int = 48, trend: float = 0.015, noise: float = 0.05, seed: int = 3):
    """Strongly seasonal monthly sales with a growing level and a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(months)
    level = rng.uniform(100, 1000, (series, 1)) * (1 + trend * t)
    season = 1 + 0.5 * np.sin(2 * np.pi * (t + rng.integers(0, 12, (series, 1))) / 12)
    return level * season * rng.normal(1, noise, (series, months))


def test_ets_beats_seasonal_naive_on_a_growing_seasonal_series():
    accuracy = holdout_accuracy(seasonal_series(series=20), 12)
    overall = overall_wape(accuracy)
    assert accuracy.method.str.startswith("ETS(").all()
    assert overall["wape_model"] < 0.9 * overall["wape_naive"]
    assert (accuracy.wape_model <= accuracy.wape_naive + 0.02).mean() > 0.8


def test_ets_is_no_worse_than_seasonal_naive_without_a_trend():
    overall = overall_wape(holdout_accuracy(seasonal_series(series=20, trend=0.0, noise=0.1), 12))
    assert overall["wape_model"] <= overall["wape_naive"]


def test_a_pure_seasonal_series_is_continued_as_seasonal_naive_does():
    y = np.tile([5, 7, 9, 12, 15, 20, 22, 18, 14, 10, 8, 6], 3).astype(float) * 10
    assert forecast(y, 12).iloc[0, 1:].to_numpy(float) == pytest.approx(seasonal_naive(y, 12)[0], abs=1e-6)


def test_each_history_length_gets_the_models_it_allows():
    history = np.full((5, 30), np.nan)
    history[0] = 100 + 10 * np.sin(np.arange(30)) + np.arange(30)
    history[1, 14:] = 50 + np.arange(16) + np.tile([0, 3, -2, 1], 4)  # 16 months: non-seasonal ETS
    history[2, 22:] = [4, 6, 5, 5, 7, 6, 5, 6]  # 8 months: simple exponential smoothing
    history[3, 26:] = [4, 6, 5, 5]  # 4 months: mean
    result = forecast(history, 3)
    assert result.method[0].startswith("ETS(")
    assert result.method[1] in {"ETS(A,N,N)", "ETS(A,A,N)", "ETS(A,Ad,N)"}
    assert result.method[2] == "ETS(A,N,N)"
    assert result.method[3] == "naive_mean" and result.loc[3, ["h1", "h2", "h3"]].tolist() == [5, 5, 5]
    assert result.method[4] == "none" and np.isnan(result.h1[4])


def test_blank_months_after_the_start_count_as_no_sales():
    history = np.tile([10.0, 20.0, 30.0], 8)
    history[5] = np.nan
    assert forecast(history, 1).method.iloc[0].startswith("ETS(")


def test_forecasts_and_interval_bounds_are_never_negative():
    falling = np.linspace(500, 5, 36)[None, :] * np.tile([1.5, 0.5], 18)
    result = forecast_with_intervals(falling, 12)
    assert (result["mean"] >= 0).all() and (result["lower"][0.95] >= 0).all()


def test_intervals_nest_around_the_forecast_for_every_method():
    history = np.full((3, 30), np.nan)
    history[0] = seasonal_series(1, 30)[0]
    history[1, 27:] = [4, 6, 5]
    history[2] = np.r_[[np.nan] * 12, seasonal_series(1, 18)[0]]
    result = forecast_with_intervals(history, 6)
    lower80, lower95, upper80, upper95 = (result[s][c] for s in ("lower", "upper") for c in (0.8, 0.95))
    assert (lower95 <= lower80).all() and (lower80 <= result["mean"]).all()
    assert (result["mean"] <= upper80).all() and (upper80 <= upper95).all()
    assert (upper95 - lower95)[:, -1].min() > 0


def test_seasonal_naive_interval_widens_with_each_year_ahead():
    y = np.r_[np.tile([10.0, 20.0, 30.0, 40.0], 3), np.tile([12.0, 18.0, 33.0, 37.0], 3)]
    history = np.tile(y, 2)[None, :]
    lower, upper = forecast_with_intervals.__globals__["_fallback_intervals"](
        history, np.array([history.shape[1]]), seasonal_naive(history, 8, 4), 8, 4, (0.95,))
    width = (upper[0.95] - lower[0.95])[0]
    assert width[4] == pytest.approx(width[0] * np.sqrt(2))


def test_forecast_of_sample_dealers_runs_per_dealer():
    frames = generate("small")
    matrix = sales_matrix(frames["sales_transactions"], "dealer_id", date="invoice_date")
    result = forecast(matrix.to_numpy(), 6)
    assert len(result) == len(matrix) and result.shape[1] == 7
    accuracy = holdout_accuracy(matrix.to_numpy(), 6)
    assert np.isfinite(overall_wape(accuracy)["wape_model"])


def test_wape_per_series_and_overall():
    assert wape([[100, 0], [10, 10]], [[90, 10], [10, 30]], axis=1).tolist() == [0.2, 1.0]
    assert float(wape([[100, 0], [10, 10]], [[90, 10], [10, 30]])) == pytest.approx(40 / 120)
    assert np.isnan(wape([0, 0], [1, 1]))


def test_bad_arguments_are_refused():
    with pytest.raises(CalcError, match="horizon"):
        seasonal_naive([1, 2], 0)
    with pytest.raises(CalcError, match="horizon"):
        forecast_with_intervals(np.ones(20), 0)
    with pytest.raises(CalcError, match="holdout"):
        holdout_accuracy(np.ones((1, 5)), 5)
    with pytest.raises(CalcError, match="shape"):
        wape([1, 2], [1])


def _wape_reference(actual, forecast_values, axis=None):
    """WAPE written out with the blank months masked, as the definition reads."""
    a, f = np.asarray(actual, dtype=float), np.asarray(forecast_values, dtype=float)
    ok = ~np.isnan(a) & ~np.isnan(f)
    error = np.where(ok, np.abs(a - f), 0.0).sum(axis=axis)
    scale = np.where(ok, np.abs(a), 0.0).sum(axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(scale > 0, error / scale, np.nan)


_month = st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.just(0.0), st.just(float("nan")), st.just(float("inf")))


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 6).flatmap(lambda months: st.lists(st.lists(st.tuples(_month, _month), min_size=months,
                                                                   max_size=months), min_size=1, max_size=5)),
       st.sampled_from([None, 0, 1]))
def test_wape_without_blanks_agrees_with_the_masked_definition(rows, axis):
    actual = np.array([[a for a, _ in row] for row in rows])
    predicted = np.array([[f for _, f in row] for row in rows])
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(wape(actual, predicted, axis), _wape_reference(actual, predicted, axis))
