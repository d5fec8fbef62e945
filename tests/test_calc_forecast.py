"""Forecasts: seasonal naive, Holt-Winters on many series at once, fallbacks and holdout WAPE."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from dealerxl.calc import CalcError
from dealerxl.calc.forecast import forecast, holdout_accuracy, holt_winters, overall_wape, seasonal_naive, wape
from dealerxl.calc.sales import sales_matrix
from dealerxl.sample import generate


def seasonal_series(series: int = 50, months: int = 48, trend: float = 0.015, noise: float = 0.05, seed: int = 3):
    """Strongly seasonal monthly sales with a growing level and a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(months)
    level = rng.uniform(100, 1000, (series, 1)) * (1 + trend * t)
    season = 1 + 0.5 * np.sin(2 * np.pi * (t + rng.integers(0, 12, (series, 1))) / 12)
    return level * season * rng.normal(1, noise, (series, months))


def test_holt_winters_beats_seasonal_naive_on_a_growing_seasonal_series():
    accuracy = holdout_accuracy(seasonal_series(), 12)
    overall = overall_wape(accuracy)
    assert (accuracy.method == "holt_winters").all()
    assert overall["wape_model"] < 0.9 * overall["wape_naive"]
    assert (accuracy.wape_model <= accuracy.wape_naive + 0.02).mean() > 0.8


def test_holt_winters_is_no_worse_than_seasonal_naive_without_a_trend():
    overall = overall_wape(holdout_accuracy(seasonal_series(trend=0.0, noise=0.1), 12))
    assert overall["wape_model"] <= overall["wape_naive"]


def test_a_growing_season_is_fitted_multiplicatively():
    t = np.arange(48)
    y = 100 * 1.02 ** t * (1 + 0.6 * np.sin(2 * np.pi * t / 12))
    truth = 100 * 1.02 ** np.arange(48, 54) * (1 + 0.6 * np.sin(2 * np.pi * np.arange(48, 54) / 12))
    assert float(wape(truth, holt_winters(y, 6)[0])) < 0.03


def test_holt_winters_matches_seasonal_naive_on_a_pure_seasonal_series():
    y = np.tile([5, 7, 9, 12, 15, 20, 22, 18, 14, 10, 8, 6], 3).astype(float) * 10
    assert holt_winters(y, 12) == pytest.approx(seasonal_naive(y, 12), abs=1e-6)


def test_short_histories_fall_back_to_seasonal_naive_and_the_mean():
    history = np.full((3, 30), np.nan)
    history[0] = np.arange(30)
    history[1, 14:] = np.arange(16)  # 16 months: seasonal naive
    history[2, 25:] = [4, 6, 5, 5, 5]  # 5 months: mean
    result = forecast(history, 3)
    assert result.method.tolist() == ["holt_winters", "seasonal_naive", "naive_mean"]
    assert result.loc[1, ["h1", "h2", "h3"]].tolist() == [4, 5, 6]
    assert result.loc[2, ["h1", "h2", "h3"]].tolist() == [5, 5, 5]


def test_a_series_without_any_history_has_no_forecast():
    result = forecast(np.array([[np.nan] * 24, [1.0] * 24]), 2)
    assert result.method.tolist() == ["none", "holt_winters"] and np.isnan(result.h1.iloc[0])


def test_blank_months_after_the_start_count_as_no_sales():
    history = np.tile([10.0, 20.0, 30.0], 8)
    history[5] = np.nan
    assert forecast(history, 1).method.iloc[0] == "holt_winters"


def test_forecasts_are_never_negative():
    falling = np.linspace(500, 5, 36)[None, :] * np.tile([1.5, 0.5], 18)
    assert (forecast(falling, 12).iloc[:, 1:].to_numpy() >= 0).all()


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
    with pytest.raises(CalcError, match="at least 24 months"):
        holt_winters(np.ones(20), 3)
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
