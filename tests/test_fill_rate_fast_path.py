"""The fill-rate safety factor halves its brackets straight on the ufuncs (φ and Φ as
scipy.stats.norm computes them, one set of arrays, the midpoint chosen through its bits); it
gives exactly what the bisection as written on norm.pdf / norm.sf with np.where gives, kept
here as the reference: floats to the bit, errors by their message, for the calculation, the
safety stock built on it and the UDF."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from same_results import assert_same, outcome
from scipy.stats import norm
from test_inventory_fast_paths import (
    _fill_rate_items,
    _leads,
    _period_days_values,
    histories,
    history_table,
    per_item,
)

from dealerxl.calc import CalcError
from dealerxl.calc import inventory as inv
from dealerxl.excel.functions.inventory import DX_SAFETY_STOCK_FILL_RATE  # as written: raises
from dealerxl.excel.functions.convert import column, used_rows
from dealerxl.excel.functions.inventory import _period_days

NAN, INF = float("nan"), float("inf")
TINY = 5e-324  # the smallest positive float: a spread that makes Q·(1 − β)/σ overflow


# --- the reference: the bisection as written on scipy.stats.norm ----------------------------

def loss_as_written(k):
    k = np.asarray(k, dtype=float)
    return norm.pdf(k) - k * norm.sf(k)


def fill_rate_safety_factor_as_written(order_quantity, sd_lead_time_demand, fill_rate):
    q = inv._array(order_quantity, "the order quantity", 0.0, strict=True)
    sd = inv._array(sd_lead_time_demand, "the lead-time demand standard deviation", 0.0, strict=True)
    beta = inv._array(fill_rate, "the fill rate", None)
    with np.errstate(invalid="ignore"):
        bad = (beta <= 0) | (beta >= 1)
    if np.any(bad):
        raise CalcError(f"a fill rate must lie between 0 and 100 % (exclusive); found {beta[bad].ravel()[0]:g}")
    target = q * (1.0 - beta) / sd
    low = np.minimum(-8.0, -(np.nan_to_num(target) + 1.0))
    high = np.full(np.shape(target), 8.0)
    for _ in range(64):
        mid = 0.5 * (low + high)
        above = loss_as_written(mid) > target
        low = np.where(above, mid, low)
        high = np.where(above, high, mid)
    return np.where(np.isnan(target), np.nan, 0.5 * (low + high))


def safety_stock_fill_rate_as_written(mean_demand, sd_demand, lead_time_days, fill_rate, order_quantity,
                                      lead_time_sd_days=0.0, period_days=inv.MONTH_DAYS):
    sd_ltd = inv.lead_time_demand_sd(mean_demand, sd_demand, lead_time_days, lead_time_sd_days, period_days)
    no_variability = sd_ltd == 0
    k = fill_rate_safety_factor_as_written(order_quantity, np.where(no_variability, 1.0, sd_ltd), fill_rate)
    return np.where(no_variability, 0.0, np.maximum(k, 0.0) * sd_ltd)


def fill_rate_udf_as_written(demand_history, lead_time_days, fill_rate, order_quantity, lead_time_sd_days=None,
                             period_days=None):
    rows = used_rows(lead_time_days, lead_time_sd_days, fill_rate, order_quantity, blocks=(demand_history,))
    stats = history_table(demand_history, rows=rows)
    n = len(stats)
    d, sd = stats["mean_demand"].to_numpy(), stats["sd_demand"].to_numpy()
    return column(safety_stock_fill_rate_as_written(
        d, sd, *_fill_rate_items(rows, n, lead_time_days, fill_rate, order_quantity, lead_time_sd_days),
        _period_days(period_days)))


# --- inputs: the usual values, the edges of the allowed range and the overflows ---------------

_quantities = st.one_of(
    st.sampled_from([100.0, 5.0, 2000.0, 1.0, 1e-300, TINY, 1e308, INF, NAN, 0.0, -1.0]),
    st.floats(min_value=1e-6, max_value=1e9))
_spreads = st.one_of(
    st.sampled_from([25.0, 10.0, 80.0, 1.0, 1e-300, TINY, 1e308, INF, NAN, 0.0, -2.0]),
    st.floats(min_value=1e-6, max_value=1e9))
_rates = st.one_of(
    st.sampled_from([0.98, 0.95, 0.5, 0.9, 1e-12, TINY, 0.9999999999999999, 0.999999, NAN, 0.0, 1.0, -0.1, 1.5]),
    st.floats(min_value=0.0, max_value=1.0))


def _argument(values):
    """One value (a float or a 0-d array), or a column of them (as a 1-D or an n×1 array)."""
    return st.one_of(values, values.map(np.array),
                     st.lists(values, min_size=0, max_size=8).map(np.array),
                     st.lists(values, min_size=5, max_size=5).map(lambda v: np.array(v).reshape(-1, 1)))


@settings(max_examples=400, deadline=None)
@given(_argument(_quantities), _argument(_spreads), _argument(_rates))
def test_fill_rate_factor_gives_the_bisection_as_written(q, sd, beta):
    assert_same(outcome(lambda: inv.fill_rate_safety_factor(q, sd, beta)),
                outcome(lambda: fill_rate_safety_factor_as_written(q, sd, beta)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_quantities, _spreads, _rates), min_size=1, max_size=40))
def test_fill_rate_factor_of_many_items_at_once_gives_each_item_as_written(items):
    q, sd, beta = (np.array(values) for values in zip(*items))
    assert_same(outcome(lambda: inv.fill_rate_safety_factor(q, sd, beta)),
                outcome(lambda: fill_rate_safety_factor_as_written(q, sd, beta)))


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-300, max_value=300), st.floats(min_value=0.0, max_value=1.0, exclude_min=True,
                                                           exclude_max=True))
def test_fill_rate_factor_gives_the_bisection_as_written_for_every_size_of_target(exponent, beta):
    # Targets Q·(1 − β)/σ from 1e−300 (k stops at the top of the bracket) to 1e300 (k far below −8)
    q = np.array([10.0 ** exponent, 10.0 ** (exponent / 10), 1.0])
    assert_same(inv.fill_rate_safety_factor(q, 1.0, beta), fill_rate_safety_factor_as_written(q, 1.0, beta))


_demands = st.sampled_from([0.0, 100.0, 4.0, 1e-300, 1e200, 1e308, INF, NAN, -1.0])


@settings(max_examples=300, deadline=None)
@given(_argument(_demands), _argument(_demands), _argument(st.sampled_from([0.0, 7.0, 30.4375, 61.5, NAN, -1.0])),
       _argument(_rates), _argument(_quantities), _argument(st.sampled_from([0.0, 3.0, NAN, 1e300, -1.0])),
       st.sampled_from([30.4375, 7.0, 1.0, 0.0, -7.0]))
def test_fill_rate_safety_stock_gives_what_it_gave_as_written(d, sd, lead, beta, q, lead_sd, days):
    assert_same(outcome(lambda: inv.safety_stock_fill_rate(d, sd, lead, beta, q, lead_sd, days)),
                outcome(lambda: safety_stock_fill_rate_as_written(d, sd, lead, beta, q, lead_sd, days)))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_fill_rate_safety_stock_udf_gives_what_it_gave_as_written(data):
    history = data.draw(histories())
    rows = history.shape[0]
    case = (history, data.draw(per_item(_leads, rows)),
            data.draw(per_item([0.5, 0.9, 0.98, 1e-12, 0.9999999999999999, 0.0, 1.0, NAN, None, "x"], rows)),
            data.draw(per_item([100.0, 5.0, 1e308, INF, 0.0, -1.0, NAN, None], rows)),
            data.draw(per_item(_leads, rows, required=False)), data.draw(_period_days_values))
    assert_same(outcome(lambda: DX_SAFETY_STOCK_FILL_RATE(*case)), outcome(lambda: fill_rate_udf_as_written(*case)))


def test_fill_rate_udf_on_a_full_range_gives_the_bisection_as_written():
    # A range the size of a real item list, with every kind of item in it
    rng = np.random.default_rng(7)
    history = rng.gamma(2.0, 20.0, size=(5000, 12))
    history[rng.random(history.shape) < 0.2] = NAN
    history[:50] = 0.0  # no demand at all: no spread, no safety stock
    lead = rng.uniform(1.0, 90.0, size=(5000, 1))
    rate = rng.choice([0.5, 0.9, 0.95, 0.98, 0.999, 0.9999999999999999, 1e-12], size=(5000, 1))
    quantity = rng.choice([1.0, 10.0, 100.0, 5000.0, 1e308], size=(5000, 1))
    lead_sd = rng.uniform(0.0, 10.0, size=(5000, 1))
    assert_same(DX_SAFETY_STOCK_FILL_RATE(history, lead, rate, quantity, lead_sd),
                fill_rate_udf_as_written(history, lead, rate, quantity, lead_sd))


def test_fill_rate_factor_of_a_single_value_is_a_zero_dimensional_array_as_before():
    result = inv.fill_rate_safety_factor(100, 25, 0.98)
    assert isinstance(result, np.ndarray) and result.shape == ()
    assert_same(result, fill_rate_safety_factor_as_written(100, 25, 0.98))


def test_a_bracket_overflowing_to_minus_infinity_gives_what_it_gave_as_written():
    # Q·(1 − β)/σ overflows: the bracket starts at −1.8e308 and its midpoint reaches −inf,
    # where norm.sf answers from the edge of its support and ndtr by its own arithmetic
    with np.errstate(over="ignore"):
        fast = inv.fill_rate_safety_factor([1e308, 1e308, INF], [1.0, TINY, 1.0], 0.5)
        written = fill_rate_safety_factor_as_written([1e308, 1e308, INF], [1.0, TINY, 1.0], 0.5)
    assert np.isneginf(fast[1])
    assert_same(fast, written)
