"""ETS: the vectorised fit against a plain per-series implementation, selection, intervals,
and a cross-check with statsmodels where it is installed."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from dealerxl.calc import ets
from dealerxl.calc.ets import Model, fit_forecast

M = 12


def seasonal_series(series=6, months=48, trend=0.01, noise=0.05, seed=3):
    rng = np.random.default_rng(seed)
    t = np.arange(months)
    level = rng.uniform(100, 1000, (series, 1)) * (1 + trend * t)
    season = 1 + 0.4 * np.sin(2 * np.pi * (t + rng.integers(0, 12, (series, 1))) / 12)
    return level * season * rng.normal(1, noise, (series, months))


# --- the plain per-series reference: one series, one month at a time, Python floats --------


def reference_additive_errors(y, alpha, beta, gamma, phi, level, slope, seasons):
    """ETS(A,·,·) one-step errors from given initial states (Hyndman et al. 2008, Table 2.2)."""
    seasons = list(seasons)
    errors = []
    for t, value in enumerate(y):
        s = seasons[t % len(seasons)]
        mu = level + phi * slope + s
        e = value - mu
        errors.append(e)
        level, slope = level + phi * slope + alpha * e, phi * slope + beta * e
        seasons[t % len(seasons)] = s + gamma * e
    return np.array(errors)


def reference_best_initial_sse(y, alpha, beta, gamma, phi, has_trend, has_season, m):
    """Smallest SSE over initial states, by least squares on the reference errors
    (seasonal states summing to 0), each column built by a separate run."""
    def errors(x):
        level, slope = x[0], (x[1] if has_trend else 0.0)
        seasons = np.zeros(m)
        if has_season:
            seasons[:m - 1] = x[2:]
            seasons[m - 1] = -x[2:].sum()
        return reference_additive_errors(y, alpha, beta, gamma, phi, level, slope, seasons)
    size = 2 + (m - 1 if has_season else 0)
    base = errors(np.zeros(size))
    columns = [errors(np.eye(size)[k]) - base for k in range(size)]
    if not has_trend:
        columns[1] = np.zeros_like(base)
    design = np.column_stack(columns)
    x, *_ = np.linalg.lstsq(design, -base, rcond=None)
    return float(((base + design @ x) ** 2).sum())


def reference_multiplicative_criterion(y, alpha, beta, gamma, phi, level, slope, seasons):
    """ETS(M,·,M): L* = n·log Σε² + 2·Σ log μ (Hyndman et al. 2008, Table 2.3 and eq. 5.3)."""
    seasons = list(seasons)
    sum_e2, sum_log = 0.0, 0.0
    for t, value in enumerate(y):
        s = seasons[t % len(seasons)]
        damped = level + phi * slope
        mu = damped * s
        e = (value - mu) / mu
        sum_e2 += e * e
        sum_log += np.log(mu)
        level, slope = damped * (1 + alpha * e), phi * slope + beta * damped * e
        seasons[t % len(seasons)] = s * (1 + gamma * e)
    return len(y) * np.log(sum_e2) + 2 * sum_log


_parameters = st.tuples(st.floats(0.01, 0.9), st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.8, 0.98))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.lists(_parameters, min_size=1, max_size=4), st.integers(24, 40),
       st.sampled_from([(False, False, 1), (True, False, 1), (False, True, M), (True, True, M)]))
def test_vectorised_least_squares_fit_equals_the_per_series_reference(seed, parameters, months, shape):
    has_trend, has_season, m = shape
    y = seasonal_series(len(parameters), months, seed=seed)
    alpha = np.array([p[0] for p in parameters])
    beta = np.array([p[1] * p[0] for p in parameters]) * has_trend
    gamma = np.array([p[2] * (1 - p[0]) for p in parameters]) * has_season
    phi = np.array([p[3] if has_trend else 1.0 for p in parameters])
    rows = len(parameters)
    sse, _ = ets._linear_fit(y, alpha, beta, gamma, phi, np.full(rows, has_trend), np.full(rows, has_season), m)
    expected = [reference_best_initial_sse(y[i], alpha[i], beta[i], gamma[i], phi[i], has_trend, has_season, m)
                for i in range(rows)]
    assert sse == pytest.approx(expected, rel=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.lists(_parameters, min_size=1, max_size=4), st.booleans())
def test_vectorised_multiplicative_recursion_equals_the_per_series_reference(seed, parameters, has_trend):
    y = seasonal_series(len(parameters), 36, seed=seed)
    alpha = np.array([p[0] for p in parameters])
    beta = np.array([p[1] * p[0] for p in parameters]) * has_trend
    gamma = np.array([p[2] * (1 - p[0]) for p in parameters])
    phi = np.array([p[3] for p in parameters])
    level, slope, seasons = ets.heuristic_start(y, M, multiplicative=True)
    slope = slope * has_trend
    state = np.column_stack([level, slope, seasons])
    errors, log_mu, _, _ = ets._multiplicative_pass(y, alpha, beta, gamma, phi, state, M, False)
    value = ets._multiplicative_criterion(errors, log_mu)
    expected = [reference_multiplicative_criterion(y[i], alpha[i], beta[i], gamma[i], phi[i], level[i], slope[i],
                                                   seasons[i]) for i in range(len(parameters))]
    assert value == pytest.approx(expected, rel=1e-9)


def test_the_tangents_are_the_derivatives_of_the_errors():
    y = seasonal_series(2, 30)
    alpha, beta, gamma, phi = (np.full(2, v) for v in (0.3, 0.05, 0.1, 0.95))
    level, slope, seasons = ets.heuristic_start(y, M, multiplicative=True)
    state = np.column_stack([level, slope, seasons])
    errors, _, _, jacobian = ets._multiplicative_pass(y, alpha, beta, gamma, phi, state, M, True)
    for k in (0, 1, 5):
        step = 1e-6 * max(abs(state[0, k]), 1.0)
        moved = state.copy()
        moved[:, k] += step
        shifted = ets._multiplicative_pass(y, alpha, beta, gamma, phi, moved, M, False)[0]
        np.testing.assert_allclose((shifted - errors) / step, jacobian[:, :, k], rtol=1e-4, atol=1e-8)


@settings(max_examples=3, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 3))
def test_fitting_series_together_gives_what_each_gets_alone(seed, rows):
    y = seasonal_series(rows, 30, seed=seed)
    together = fit_forecast(y, 6)
    for i in range(rows):
        alone = fit_forecast(y[i:i + 1], 6)
        assert alone.model[0] == together.model[i]
        np.testing.assert_allclose(alone.mean[0], together.mean[i], rtol=1e-7)
        np.testing.assert_allclose(alone.upper[0.95][0], together.upper[0.95][i], rtol=1e-7)


def test_point_forecast_continues_the_fitted_states_as_the_reference_does():
    y = seasonal_series(1, 48, noise=0.02)
    fit = fit_forecast(y, 3, models=[Model("A", "Ad", "A")])
    assert fit.model[0] == "ETS(A,Ad,A)"
    assert 0.8 <= fit.phi[0] <= 0.98 and fit.beta[0] <= fit.alpha[0] and fit.gamma[0] <= 1 - fit.alpha[0]
    # The reference's least-squares SSE at the fitted parameters is the fit's σ²·(n − k + 1).
    sse = reference_best_initial_sse(y[0], fit.alpha[0], fit.beta[0], fit.gamma[0], fit.phi[0], True, True, M)
    k = Model("A", "Ad", "A").parameter_count(M)
    assert fit.sigma2[0] * (48 - (k - 1)) == pytest.approx(sse, rel=1e-6)


def test_simple_exponential_smoothing_interval_grows_as_one_plus_h_minus_one_alpha_squared():
    y = np.array([[10, 12, 9, 11, 13, 10, 12, 11, 9, 12, 10, 11, 12, 10.0]])
    fit = fit_forecast(y, 4, models=[Model("A", "N", "N")])
    half = (fit.upper[0.95] - fit.mean)[0]
    expected = 1.959964 * np.sqrt(fit.sigma2[0] * (1 + np.arange(4) * fit.alpha[0] ** 2))
    np.testing.assert_allclose(half, expected, rtol=1e-5)
    assert np.all(fit.lower[0.8][0] > fit.lower[0.95][0]) and np.all(fit.upper[0.8][0] < fit.upper[0.95][0])


def test_a_growing_season_is_fitted_multiplicatively_and_its_interval_covers_the_truth():
    t = np.arange(60)
    rng = np.random.default_rng(7)
    truth = 100 * 1.015 ** t * (1 + 0.6 * np.sin(2 * np.pi * t / 12))
    y = truth * rng.normal(1, 0.03, 60)
    fit = fit_forecast(y[:48], 12)
    assert fit.model[0].startswith("ETS(M,")
    assert np.abs(fit.mean[0] - truth[48:]).sum() / truth[48:].sum() < 0.05
    assert ((fit.lower[0.95][0] <= y[48:]) & (y[48:] <= fit.upper[0.95][0])).mean() >= 0.9


def test_aicc_prefers_the_simpler_model_on_data_without_season():
    rng = np.random.default_rng(1)
    y = 500 + np.cumsum(rng.normal(0, 5, (4, 48)), axis=1)
    fit = fit_forecast(y, 3)
    assert all(name.endswith(",N)") for name in fit.model)


def test_short_series_get_only_models_their_length_allows():
    fit = fit_forecast(seasonal_series(1, 20), 3)
    assert fit.model[0] in {m.name for m in ets.NON_SEASONAL}
    assert fit_forecast(np.ones((1, 3)), 2).model[0] == ""  # too short for any model


def _statsmodels_model(statsmodels, y, model):
    return statsmodels.ETSModel(
        y, error="add" if model.error == "A" else "mul", trend=None if model.trend == "N" else "add",
        damped_trend=model.trend == "Ad", seasonal=None if model.season == "N" else
        ("add" if model.season == "A" else "mul"), seasonal_periods=M if model.season != "N" else None)


CROSS_CHECKED = (Model("A", "N", "N"), Model("A", "A", "A"), Model("A", "Ad", "A"), Model("M", "A", "A"),
                 Model("M", "N", "M"), Model("M", "Ad", "M"))


def test_statsmodels_finds_no_higher_likelihood_for_the_same_model():
    statsmodels = pytest.importorskip("statsmodels.tsa.exponential_smoothing.ets")
    y = seasonal_series(1, 60, seed=11)[0]
    for model in CROSS_CHECKED:
        ours = fit_forecast(y, 12, models=[model])
        theirs = _statsmodels_model(statsmodels, y, model).fit(disp=False)
        tolerance = 1e-3 if model.error == "A" else 0.05  # x₀ of multiplicative models by Gauss–Newton
        assert ours.loglik[0] >= theirs.llf - tolerance, model.name


def test_statsmodels_with_our_smoothing_parameters_gives_our_likelihood_and_forecasts():
    statsmodels = pytest.importorskip("statsmodels.tsa.exponential_smoothing.ets")
    y = seasonal_series(1, 60, seed=11)[0]
    for model in CROSS_CHECKED:
        ours = fit_forecast(y, 12, models=[model])
        fixed = {"smoothing_level": ours.alpha[0]}
        if model.trend != "N":
            fixed["smoothing_trend"] = ours.beta[0]
        if model.trend == "Ad":
            fixed["damping_trend"] = ours.phi[0]
        if model.season != "N":
            fixed["smoothing_seasonal"] = ours.gamma[0]
        sm_model = _statsmodels_model(statsmodels, y, model)
        with sm_model.fix_params(fixed):
            theirs = sm_model.fit(disp=False)  # only the initial states left to estimate
        if model.error == "A":  # x₀ by least squares is the exact optimum
            assert ours.loglik[0] == pytest.approx(theirs.llf, abs=1e-3), model.name
            np.testing.assert_allclose(ours.mean[0], theirs.forecast(12), rtol=1e-4)
        else:
            assert ours.loglik[0] >= theirs.llf - 0.05, model.name
            np.testing.assert_allclose(ours.mean[0], theirs.forecast(12), rtol=0.01)
