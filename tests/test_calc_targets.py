"""Targets: seasonal indices and split, largest-remainder rounding, allocation with floors and ceilings."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings, strategies as st

from dealerxl.calc import CalcError
from dealerxl.calc.sales import sales_matrix
from dealerxl.calc.targets import (allocate, allocate_targets, allocation_basis, largest_remainder, round_to_units,
                                   seasonal_indices, seasonal_split)
from dealerxl.sample import generate

PATTERN = np.array([0.7, 0.8, 1.0, 1.0, 1.1, 1.0, 0.9, 0.9, 1.0, 1.1, 1.2, 1.3])
PATTERN = 12 * PATTERN / PATTERN.sum()


@pytest.fixture(scope="module")
def sample():
    return generate("small")


# ---- worked examples ------------------------------------------------------------------------

def test_hamilton_example_gives_the_textbook_seats():
    votes = np.array([47_000, 16_000, 15_800, 12_000, 6_100, 3_100])
    assert round_to_units(votes / 10_000, 10).tolist() == [5, 2, 1, 1, 1, 0]


def test_largest_remainder_to_cents_adds_up_to_the_total():
    parts = largest_remainder([1 / 7] * 7, 1.0, 0.01)
    assert parts.sum() == pytest.approx(1.0) and sorted(set(parts.tolist())) == [0.14, 0.15]


def test_total_that_is_not_a_whole_number_of_units_is_refused():
    with pytest.raises(CalcError, match="multiple of the rounding unit"):
        largest_remainder([1, 2], 3.5)


def test_seasonal_indices_recover_the_pattern_of_a_trending_series():
    months = np.arange(36)
    history = (1000 + 10 * months) * np.tile(PATTERN, 3)
    indices = seasonal_indices(history)
    assert indices.sum() == pytest.approx(12)
    assert indices == pytest.approx(PATTERN, abs=0.02)


def test_average_of_ratios_is_used_for_a_history_shorter_than_two_years():
    history = 500 * np.tile(PATTERN, 2)[6:24]  # July of year 1 … December of year 2
    indices = seasonal_indices(history, start_month=7)
    assert indices == pytest.approx(PATTERN)
    with pytest.raises(CalcError, match="at least 24 months"):
        seasonal_indices(history, start_month=7, method="ratio_to_moving_average")


def test_history_starting_mid_year_puts_indices_on_calendar_months():
    history = 800 * np.tile(PATTERN, 4)[3:3 + 30]  # starts in April
    assert seasonal_indices(history, start_month=4) == pytest.approx(PATTERN)


def test_quarter_indices_average_their_months_and_sum_to_four():
    quarters = seasonal_indices(700 * np.tile(PATTERN, 2), periods=4)
    assert quarters.sum() == pytest.approx(4)
    assert quarters == pytest.approx(PATTERN.reshape(4, 3).mean(axis=1))


def test_leading_and_trailing_blanks_are_dropped_and_a_blank_inside_is_left_out():
    history = np.r_[np.nan, np.nan, 600 * np.tile(PATTERN, 3)[2:30], np.nan]
    history[10] = np.nan
    assert seasonal_indices(history, start_month=1) == pytest.approx(PATTERN, abs=0.03)


def test_too_short_or_empty_history_is_refused_with_a_reason():
    with pytest.raises(CalcError, match="at least 12 months"):
        seasonal_indices([100] * 11)
    with pytest.raises(CalcError, match="empty"):
        seasonal_indices([np.nan] * 24)
    with pytest.raises(CalcError, match="below 0"):
        seasonal_indices([-1] + [100] * 23)


def test_seasonal_split_of_sample_history_sums_exactly_to_the_target(sample):
    sales = sample["sales_transactions"]
    company = sales_matrix(sales.assign(scope="company"), "scope", date="invoice_date").iloc[0]
    first = company.index[0].month
    indices = seasonal_indices(company.to_numpy(), start_month=first)
    split = seasonal_split(123_456_789, indices)
    assert split.target.sum() == 123_456_789 and len(split) == 12
    assert (split.target >= 0).all()


def test_override_is_kept_and_the_rest_of_the_year_absorbs_the_difference():
    overrides = [None] * 12
    overrides[0] = 50_000
    split = seasonal_split(1_200_000, PATTERN, overrides, unit=1000)
    assert split.target.iloc[0] == 50_000 and split.overridden.iloc[0]
    assert split.target.sum() == 1_200_000
    rest = split.target.iloc[1:].to_numpy()
    assert rest / rest.sum() == pytest.approx(PATTERN[1:] / PATTERN[1:].sum(), abs=1000 / rest.min())
    assert np.all(rest % 1000 == 0)


def test_overrides_above_the_target_are_refused():
    with pytest.raises(CalcError, match="more than the annual target"):
        seasonal_split(100, [1, 1, 1, 1], [60, 60, None, None])
    with pytest.raises(CalcError, match="do not add up"):
        seasonal_split(100, [1, 1], [30, 30])


def test_allocation_basis_blends_shares_and_drops_a_component_without_data():
    assert allocation_basis([600, 400], [0, 0.5], None, 0.5, 0.2, 0.3) == pytest.approx(
        [(0.5 * 0.6 + 0.2 * 0.5) / 0.7, (0.5 * 0.4 + 0.2 * 0.5) / 0.7])
    with pytest.raises(CalcError, match="weights"):
        allocation_basis([1, 2], weight_history=0)


def test_allocation_caps_and_redistributes_in_proportion():
    assert allocate(1000, [5, 3, 2], ceilings=[400, None, None]).tolist() == [400, 360, 240]
    assert allocate(1000, [5, 3, 2], floors=[0, 0, 300]).tolist() == [438, 262, 300]


def test_dealer_without_weight_gets_its_floor_and_more_only_when_others_are_full():
    assert allocate(100, [1, 0], floors=[0, 10]).tolist() == [90, 10]
    assert allocate(100, [1, 0], floors=[0, 10], ceilings=[60, 80]).tolist() == [60, 40]


def test_allocation_in_thousands_respects_floors_that_are_not_round():
    result = allocate(1_000_000, [1, 1, 1], floors=[400_500, 0, 0], unit=1000)
    assert result.sum() == 1_000_000 and result[0] >= 400_500 and np.all(result % 1000 == 0)


def test_floors_above_the_total_or_ceilings_below_it_are_refused():
    with pytest.raises(CalcError, match="floors add up"):
        allocate(100, [1, 1], floors=[60, 60])
    with pytest.raises(CalcError, match="ceilings add up"):
        allocate(100, [1, 1], ceilings=[40, 40])
    with pytest.raises(CalcError, match="dealer 2: the ceiling 5 is below the floor 10"):
        allocate(100, [1, 1], floors=[0, 10], ceilings=[100, 5])


def test_sample_target_inputs_allocate_the_company_target_exactly(sample):
    inputs = sample["target_inputs"]
    year = int(inputs.year.max())
    sales = sample["sales_transactions"]
    last_year = sales[sales.invoice_date.dt.year == sales.invoice_date.dt.year.max()]
    history = last_year.groupby("dealer_id").amount.sum().rename("history")
    dealers = inputs[inputs.year == year].join(history, on="dealer_id").fillna({"history": 0.0})
    total = 1000 * round((dealers.target_floor.fillna(0).sum() + 1e6) / 1000)
    result = allocate_targets(total, dealers, unit=1000)
    assert result.target_amount.sum() == total
    assert (result.target_amount >= result.target_floor.fillna(0)).all()
    assert (result.target_amount <= result.target_ceiling.fillna(np.inf)).all()
    assert result.allocation_share.sum() == pytest.approx(1)


# ---- properties ---------------------------------------------------------------------------

amounts = st.floats(0, 1e6, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(total_units=st.integers(0, 10_000), unit=st.sampled_from([1.0, 0.01, 1000.0]),
       rows=st.lists(st.tuples(st.floats(0, 100, allow_nan=False), st.one_of(st.none(), amounts),
                               st.one_of(st.none(), amounts)), min_size=1, max_size=12))
def test_allocation_sums_to_the_total_and_respects_floors_and_ceilings_or_says_why_not(total_units, unit, rows):
    total = round(total_units * unit, 2)
    weights = [r[0] for r in rows]
    floors = np.array([np.nan if r[1] is None else r[1] * unit / 1000 for r in rows])
    ceilings = np.array([np.nan if r[2] is None else r[2] * unit / 100 for r in rows])
    try:
        result = allocate(total, weights, floors, ceilings, unit)
    except CalcError as error:
        message = str(error)
        assert any(reason in message for reason in ("floors add up", "ceilings add up", "below the floor", "no multiple of the rounding unit"))
        return
    assert result.sum() == pytest.approx(total, abs=unit * 1e-6)
    noise = 1e-6 * unit  # bounds hold to a millionth of a unit
    assert np.all(result >= np.nan_to_num(floors) - noise)
    assert np.all(result <= np.where(np.isnan(ceilings), np.inf, ceilings) + noise)
    units = result / unit
    assert units == pytest.approx(np.round(units), abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(total=st.integers(0, 10**9), weights=st.lists(st.floats(0, 1e4, allow_nan=False), min_size=1, max_size=30))
def test_allocation_without_bounds_gives_each_dealer_its_share_rounded_up_or_down(total, weights):
    assume(sum(weights) > 0)
    result = allocate(total, weights)
    exact = total * np.array(weights) / sum(weights)
    assert result.sum() == total
    assert np.all(np.abs(result - exact) < 1 + 1e-6 * total)


@settings(max_examples=100, deadline=None)
@given(target=st.integers(0, 10**8), periods=st.sampled_from([4, 12]),
       indices=st.lists(st.floats(0.01, 3, allow_nan=False), min_size=12, max_size=12),
       overridden=st.lists(st.booleans(), min_size=12, max_size=12), fraction=st.floats(0, 0.08))
def test_seasonal_split_always_sums_exactly_to_the_target(target, periods, indices, overridden, fraction):
    s = np.array(indices[:periods])
    fixed = [round(target * fraction) if o else None for o in overridden[:periods]]
    assume(not all(overridden[:periods]))
    split = seasonal_split(target, s, fixed)
    assert split.target.sum() == target
    assert (split.target >= 0).all()


@settings(max_examples=60, deadline=None)
@given(level=st.floats(10, 1e6), pattern=st.lists(st.floats(0.2, 3), min_size=12, max_size=12),
       years=st.integers(1, 4), start=st.integers(1, 12))
def test_seasonal_indices_sum_to_the_number_of_periods(level, pattern, years, start):
    history = level * np.tile(pattern, years + 1)[: 12 * years + start]
    indices = seasonal_indices(history, start_month=start)
    assert indices.sum() == pytest.approx(12) and np.all(indices > 0)


def test_allocated_targets_keep_the_dealer_order():
    dealers = pd.DataFrame({"dealer_id": ["B", "A"], "history": [100.0, 300.0]})
    result = allocate_targets(400, dealers, 1, 0, 0)
    assert result.dealer_id.tolist() == ["B", "A"] and result.target_amount.tolist() == [100, 300]


# Without floors and with no ceiling reached, λ = total / Σw directly; with any other bounds the
# breakpoint search decides. The shortcut must give the same shares to the bit.
_weight = st.one_of(st.floats(0, 1e6, allow_nan=False), st.just(0.0), st.just(1e-13), st.integers(1, 9).map(float))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_weight, st.sampled_from([0.0, 0.0, 0.0, 5.0, 40.0]),
                          st.sampled_from([np.inf, np.inf, 0.0, 50.0, 400.0, 1e5])), min_size=1, max_size=25),
       st.sampled_from([0.0, 1.0, 100.0, 1000.0, 123457.0]))
def test_allocation_shortcut_gives_the_same_shares_as_the_breakpoint_search(dealers, total):
    from dealerxl.calc.targets import _proportional_within_bounds

    w = np.array([d[0] for d in dealers])
    floors = np.array([d[1] for d in dealers])
    ceilings = np.array([d[2] for d in dealers])
    ceilings = np.where(np.isinf(ceilings), total, np.maximum(ceilings, floors))
    assume(floors.sum() <= total <= ceilings.sum())
    shortcut = _proportional_within_bounds(total, w, floors, ceilings)
    search = _proportional_within_bounds(total, w, floors, ceilings, breakpoints_only=True)
    np.testing.assert_array_equal(shortcut, search)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from([0.0, 0.5, -0.5, 0.25, np.inf, -np.inf]), st.floats(-1, 1, allow_nan=False)),
                min_size=1, max_size=30), st.data())
def test_smallest_first_picks_the_same_positions_as_a_stable_sort(keys, data):
    from dealerxl.calc.targets import _smallest_first

    key = np.array(keys)
    count = data.draw(st.integers(1, key.size))
    assert sorted(_smallest_first(key, count).tolist()) == sorted(np.argsort(key, kind="stable")[:count].tolist())
