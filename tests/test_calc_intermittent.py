"""Intermittent demand: classes, Croston–SBA and TSB against plain per-item references, and
reorder points from count distributions."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.stats import nbinom, poisson

from dealerxl.calc import CalcError
from dealerxl.calc.intermittent import (count_reorder_point, croston_sba, demand_class, intermittent_forecast,
                                        tsb)


def reference_sba(y, alpha):
    """Croston–SBA one item at a time (Syntetos & Boylan 2005)."""
    size = interval = None
    since = 0
    for value in y:
        since += 1
        if value > 0:
            if size is None:
                size, interval = value, since
            else:
                size += alpha * (value - size)
                interval += alpha * (since - interval)
            since = 0
    return 0.0 if size is None else (1 - alpha / 2) * size / interval


def reference_tsb(y, alpha, beta):
    """TSB one item at a time (Teunter, Syntetos & Babai 2011)."""
    demands = [v for v in y if v > 0]
    size = sum(demands) / len(demands) if demands else 0.0
    probability = len(demands) / len(y)
    for value in y:
        probability += beta * ((value > 0) - probability)
        if value > 0:
            size += alpha * (value - size)
    return probability * size


def reference_class(y):
    demands = [v for v in y if v > 0]
    if not demands:
        return "no_demand"
    adi = len(y) / len(demands)
    cv2 = (np.std(demands, ddof=1) / np.mean(demands)) ** 2 if len(demands) > 1 else 0.0
    return {(False, False): "smooth", (False, True): "erratic", (True, False): "intermittent",
            (True, True): "lumpy"}[(adi >= 1.32, cv2 >= 0.49)]


_period = st.one_of(st.just(0.0), st.just(0.0), st.integers(1, 40).map(float))
_histories = st.integers(1, 30).flatmap(lambda n: st.lists(st.lists(_period, min_size=n, max_size=n),
                                                           min_size=1, max_size=6))


@settings(max_examples=150, deadline=None)
@given(_histories, st.sampled_from([0.05, 0.1, 0.3]), st.sampled_from([0.05, 0.2, 0.5]))
def test_vectorised_methods_equal_the_per_item_references(rows, alpha, beta):
    history = np.array(rows)
    np.testing.assert_allclose(croston_sba(history, alpha)["forecast"], [reference_sba(r, alpha) for r in rows])
    np.testing.assert_allclose(tsb(history, alpha, beta)["forecast"], [reference_tsb(r, alpha, beta) for r in rows])
    assert demand_class(history)["demand_class"].tolist() == [reference_class(r) for r in rows]


def test_the_four_classes_at_the_syntetos_boylan_cut_offs():
    history = [[5, 5, 6, 5, 6, 5], [1, 20, 2, 30, 1, 25], [0, 5, 0, 6, 0, 5], [0, 1, 0, 30, 0, 2]]
    assert demand_class(history)["demand_class"].tolist() == ["smooth", "erratic", "intermittent", "lumpy"]


@settings(max_examples=60, deadline=None)
@given(_histories, st.integers(0, 12))
def test_a_history_starts_at_its_first_filled_period(rows, lead):
    history = np.array(rows)
    late = np.hstack([np.full((len(rows), lead), np.nan), history])
    for function in (croston_sba, tsb):
        np.testing.assert_allclose(function(late)["forecast"], function(history)["forecast"])
        np.testing.assert_allclose(function(late)["mse"], function(history)["mse"])
    assert demand_class(late)["demand_class"].tolist() == demand_class(history)["demand_class"].tolist()


def test_tsb_forecast_decays_once_demand_stops_and_croston_does_not():
    history = [[0, 3, 0, 4, 0, 3, 0, 5] + [0] * 16]
    assert tsb(history, 0.1, 0.2)["forecast"][0] < 0.1 * croston_sba(history, 0.1)["forecast"][0]


def test_lumpy_items_get_tsb_and_intermittent_items_sba():
    result = intermittent_forecast([[0, 5, 0, 0, 6, 0, 5, 0], [0, 1, 0, 0, 40, 0, 2, 0]])
    assert result["demand_class"].tolist() == ["intermittent", "lumpy"]
    assert result["method"].tolist() == ["sba", "tsb"]


@settings(max_examples=100, deadline=None)
@given(st.floats(0.01, 20), st.floats(0.0, 50), st.floats(0.1, 6), st.floats(0.5, 0.995))
def test_count_reorder_point_is_the_smallest_count_reaching_the_service_level(mean, variance, periods, level):
    result = count_reorder_point(mean, variance, periods, level)
    point = float(result["reorder_point"])
    mu, var = mean * periods, variance * periods
    if var > mu * (1 + 1e-9):
        cdf = lambda k: nbinom.cdf(k, mu ** 2 / (var - mu), mu / var)
    else:
        cdf = lambda k: poisson.cdf(k, mu)
    assert point == int(point) and cdf(point) >= level - 1e-9
    assert point == 0 or cdf(point - 1) < level
    assert float(result["safety_stock"]) == pytest.approx(point - mu)


def test_a_higher_service_level_never_lowers_the_reorder_point():
    levels = np.linspace(0.5, 0.999, 40)
    points = count_reorder_point(0.3, 0.9, 3, levels)["reorder_point"]
    assert (np.diff(points) >= 0).all()


def test_bad_inputs_are_refused():
    with pytest.raises(CalcError, match="negative"):
        demand_class([[1, -1]])
    with pytest.raises(CalcError, match="service level"):
        count_reorder_point(1, 1, 1, 1.0)
    with pytest.raises(CalcError, match="method"):
        intermittent_forecast([[1, 0]], method="holt")
