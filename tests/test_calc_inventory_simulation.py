"""Self-check: replaying generated demand against the computed (s, Q) policy gives the target service."""
from __future__ import annotations

import numpy as np
import pytest

from dealerxl.calc import CalcError, inventory as inv
from dealerxl.calc.simulation import service_check, simulate_reorder_point_policy

# Daily buckets, 200 items × 2000 days, lead time 30 ± 8 days, Q = 60 days of demand. Checking
# the position once a day undershoots s by about (σd² + d²)/(2d) ≈ 2.3 units against
# σLTD ≈ 33, which costs about one point of cycle service; the tolerance covers that and the
# sampling error (about 10,000 cycles).
CYCLE_TOLERANCE = 0.02
FILL_TOLERANCE = 0.01
LEAD, LEAD_SD, Q = 30, 8, 240


@pytest.fixture(scope="module")
def daily_demand():
    rng = np.random.default_rng(20261126)
    mean = rng.uniform(3, 5, size=(200, 1))
    return np.maximum(rng.normal(mean, 0.35 * mean, size=(200, 2000)), 0.0)


@pytest.mark.parametrize("target", [0.90, 0.95, 0.98])
def test_simulated_cycle_service_meets_the_target_within_tolerance(daily_demand, target):
    d, sd = daily_demand.mean(axis=1), daily_demand.std(axis=1, ddof=1)
    rop = inv.reorder_point(d, sd, LEAD, target, LEAD_SD, period_days=1)
    achieved = simulate_reorder_point_policy(daily_demand, rop, Q, LEAD, LEAD_SD, seed=7)
    check = service_check(achieved, target_cycle_service=target, tolerance=CYCLE_TOLERANCE).iloc[0]
    assert check.within_tolerance, check.to_dict()


@pytest.mark.parametrize("target", [0.95, 0.99])
def test_simulated_fill_rate_meets_the_target_within_tolerance(daily_demand, target):
    d, sd = daily_demand.mean(axis=1), daily_demand.std(axis=1, ddof=1)
    ss = inv.safety_stock_fill_rate(d, sd, LEAD, target, Q, LEAD_SD, period_days=1)
    achieved = simulate_reorder_point_policy(daily_demand, d * LEAD + ss, Q, LEAD, LEAD_SD, seed=7)
    check = service_check(achieved, target_fill_rate=target, tolerance=FILL_TOLERANCE).iloc[0]
    assert check.within_tolerance, check.to_dict()


def test_a_policy_without_safety_stock_falls_clearly_short(daily_demand):
    d = daily_demand.mean(axis=1)
    achieved = simulate_reorder_point_policy(daily_demand, d * LEAD, Q, LEAD, LEAD_SD, seed=7)
    check = service_check(achieved, target_cycle_service=0.95, tolerance=CYCLE_TOLERANCE).iloc[0]
    assert not check.within_tolerance and check.achieved < 0.6


def test_deterministic_demand_and_lead_time_never_stock_out():
    result = simulate_reorder_point_policy(np.full((3, 50), 4.0), [8, 10, 12], 20, 2)
    assert result.stockout_periods.tolist() == [0, 0, 0] and (result.fill_rate == 1).all()


def test_reorder_point_below_lead_time_demand_runs_short_every_cycle():
    result = simulate_reorder_point_policy(np.full((1, 60), 4.0), 4, 20, 2)
    assert result.cycle_service_level.iloc[0] == 0.0


def test_invalid_order_quantity_is_refused():
    with pytest.raises(CalcError, match="order quantity"):
        simulate_reorder_point_policy(np.ones((2, 5)), 1, [5, 0], 1)


def test_order_up_to_replay_tops_the_position_up_to_s_at_every_review():
    # Lead time 1 period, S = 12, demand 4: each review orders the 4 just used, so the net stock
    # just before each arrival is 12 − 2 · 4 = 4; orders of periods 0…37 arrive within the 40.
    result = simulate_reorder_point_policy(np.full((1, 40), 4.0), 12, 1, 1, order_up_to=12)
    assert result.cycles.iloc[0] == 38 and result.cycle_service_level.iloc[0] == 1.0


def test_a_fractional_lead_time_serves_the_part_of_the_period_before_the_arrival_from_old_stock():
    # S = 6 covers one period plus the 0.5 before the arrival exactly; S = 5.9 runs short each cycle.
    demand = np.full((2, 20), 4.0)
    result = simulate_reorder_point_policy(demand, [6, 5.9], 1, 0.5, order_up_to=[6, 5.9])
    assert result.cycle_service_level.tolist() == [1.0, 0.0]
    assert result.stockout_periods.tolist() == [0, 0]  # the arrival refills before the period ends


def test_whole_period_lead_times_are_not_shortened_by_the_fractional_support():
    # A lead time of 1 period still means the order arrives after the next period's demand.
    short = simulate_reorder_point_policy(np.full((1, 30), 4.0), 3.9, 8, 1)
    assert short.cycle_service_level.iloc[0] == 0.0


def test_an_order_up_to_level_below_the_reorder_point_is_refused():
    with pytest.raises(CalcError, match="order-up-to"):
        simulate_reorder_point_policy(np.ones((1, 5)), 10, 1, 1, order_up_to=5)
