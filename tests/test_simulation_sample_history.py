"""Self-check on the sample data: the sample's monthly demand history, replayed against the
reorder points and order-up-to levels the replenishment job itself proposes, gives each
item's target cycle service level; without safety stock it clearly does not.

How the replay sees the policy. The history is in monthly buckets, so the replay looks at
the stock position once a month: it can check a policy reviewed every month (R = 30 days),
not one watched continuously or weekly. Two policies are checked:

- the sample's own settings, on the items whose ABC-XYZ box is reviewed every 30 days (the
  C boxes: periodic order-up-to and min/max);
- the sample with every box of the policy table given a review period of 30 days (rules and
  service levels as set, or the service level of the test), i.e. all stocked items.

The job protects such items over review period + lead time (R + L, about 1.4 months here).
Each order arrives L after the review that placed it, within the next month (lead times of
6–21 days); the replay takes a month's demand as spread evenly over it, so the part of the
month before the arrival is served from the old stock (see simulate_reorder_point_policy).
Orders go up to the proposed S unrounded (no MOQ or packs), so the replay checks the levels.

The history is the sample generator's at a size that gives enough replenishment cycles to
judge a service level (:data:`HISTORY_SIZE`: 300 items, 40,000 sales lines over 24 months;
the small sample's 6,000 lines leave its low-value items selling less than once a month, so
too few of them are stocked and reviewed monthly).

Tolerance: the workbook's own ``service_check_tolerance`` setting (0.03). Measured on that
history (336 stocked items, 5,400 replenishment cycles, seed 3): achieved 0.901, 0.938 and
0.965 for targets 0.902, 0.951 and 0.980 (targets are averaged over items, as an item
override keeps its own level); the shipped settings' C boxes (55 items, 496 cycles): 0.938
for 0.922. The binomial standard error of 5,400 cycles is 0.004 at 90 %; the replay's even
spread within a month makes the part-month before an arrival less variable than the formula
assumes (√f·σ against f·σ). Levels without safety stock give about 0.6.
"""
from __future__ import annotations

import pandas as pd
import pytest

from dealerxl.calc.simulation import service_check, simulate_reorder_point_policy
from dealerxl.forms import SETTINGS
from dealerxl.jobs.common import Inputs
from dealerxl.jobs.replenish import INPUT_FORMS, KEYS, plan_replenishment, stock_positions
from dealerxl.sample import Size, generate

AS_OF = pd.Timestamp("2026-10-31")
MONTHLY_REVIEW_DAYS = 30
SETTING_VALUES = {setting_id: setting.default for setting_id, setting in SETTINGS.items()}
TOLERANCE = float(SETTING_VALUES["service_check_tolerance"])
STOCKED_RULES = ("continuous_eoq", "periodic_order_up_to", "min_max", "manual_review")


HISTORY_SIZE = Size("replenishment-history", dealers=200, months=24, transactions=40_000, skus=300, staff=30)


@pytest.fixture(scope="module")
def sample_data():
    """The sample generator's data at :data:`HISTORY_SIZE` (this module's own, in place of the small sample)."""
    return generate(HISTORY_SIZE)


@pytest.fixture(scope="module")
def history(sample_data):
    """Demand (shipped + unserved) per SKU × location and month; NaN before an item's first month."""
    rows = sample_data["demand_history"]
    demand = rows["quantity"].astype(float) + rows["unfulfilled_qty"].astype(float).fillna(0.0)
    return (rows.assign(demand=demand, period=pd.to_datetime(rows["month"]).dt.to_period("M"))
            .pivot_table(index=KEYS, columns="period", values="demand", aggfunc="sum"))


def job_inputs(sample_data, policy):
    """The sample's inputs and settings, with ``policy`` as the ABC-XYZ policy table."""
    frames = {form_id: sample_data[form_id] for form_id in INPUT_FORMS}
    frames["abc_xyz_policy"] = policy
    return Inputs(frames=frames, settings=dict(SETTING_VALUES), problems=[], lang="en", label="sample")


def monthly_policy(sample_data, service_level=None):
    """The sample's policy table with every box reviewed every 30 days (and one service level)."""
    policy = sample_data["abc_xyz_policy"].assign(review_period_days=MONTHLY_REVIEW_DAYS)
    return policy if service_level is None else policy.assign(service_level=service_level)


def stocked_proposal(inputs, reviewed_every=None):
    """The job's proposal for the stocked items with demand (and review period, if given),
    indexed by SKU × location, with each item's target service level and lead time."""
    proposal = plan_replenishment(inputs, AS_OF, scorecards=False).tables["proposal"]
    positions = stock_positions(inputs, AS_OF).set_index(KEYS)
    proposal = proposal.set_index(KEYS)
    proposal[["service_level", "lead_time_days", "lead_time_sd_days", "review_period_days"]] = positions.loc[
        proposal.index, ["service_level", "lead_time_days", "lead_time_sd_days", "review_period_days"]]
    stocked = (proposal["review_rule"].isin(STOCKED_RULES) & (proposal["forecast_qty"] > 0)
               & proposal["replenishment_reason"].ne("not_replenished"))
    if reviewed_every is not None:
        stocked &= proposal["review_period_days"] == reviewed_every
    return proposal[stocked]


def replay(history, proposal, safety_stock=True):
    """Monthly replay of the proposal's (R, s, S) levels; without ``safety_stock`` both less SS."""
    period_days = float(SETTING_VALUES["demand_period_days"])
    cut = 0.0 if safety_stock else proposal["safety_stock"].to_numpy(float)
    s = proposal["reorder_point"].to_numpy(float) - cut
    up_to = proposal["order_up_to"].to_numpy(float) - cut
    return simulate_reorder_point_policy(
        history.loc[proposal.index].to_numpy(), s, 1.0, proposal["lead_time_days"].to_numpy(float) / period_days,
        proposal["lead_time_sd_days"].fillna(0.0).to_numpy(float) / period_days, seed=3, order_up_to=up_to)


@pytest.mark.parametrize("target", [0.90, 0.95, 0.98])
def test_replaying_the_job_s_monthly_review_proposal_meets_the_target_cycle_service(history, sample_data, target):
    proposal = stocked_proposal(job_inputs(sample_data, monthly_policy(sample_data, target)))
    assert len(proposal) > 250 and (proposal["review_period_days"] == MONTHLY_REVIEW_DAYS).all()
    achieved = replay(history, proposal)
    assert achieved["cycles"].sum() > 4000  # enough cycles for the tolerance to mean something
    check = service_check(achieved, target_cycle_service=proposal["service_level"].to_numpy(),
                          tolerance=TOLERANCE).iloc[0]
    assert abs(check.target - target) < 0.01  # a few items keep their own override
    assert check.within_tolerance, check.to_dict()


def test_replaying_the_job_s_proposal_with_the_sample_settings_meets_each_box_s_service(history, sample_data):
    # The shipped policy reviews the C boxes every 30 days: those the monthly replay can check.
    proposal = stocked_proposal(job_inputs(sample_data, sample_data["abc_xyz_policy"]),
                                reviewed_every=MONTHLY_REVIEW_DAYS)
    assert len(proposal) > 40 and set(proposal["review_rule"]) == {"periodic_order_up_to", "min_max"}
    achieved = replay(history, proposal)
    assert achieved["cycles"].sum() > 400
    check = service_check(achieved, target_cycle_service=proposal["service_level"].to_numpy(),
                          tolerance=TOLERANCE).iloc[0]
    assert check.within_tolerance, check.to_dict()


def test_replaying_the_proposal_without_safety_stock_falls_clearly_below_the_target(history, sample_data):
    proposal = stocked_proposal(job_inputs(sample_data, monthly_policy(sample_data, 0.95)))
    assert (proposal["safety_stock"] > 0).all()
    check = service_check(replay(history, proposal, safety_stock=False), target_cycle_service=0.95,
                          tolerance=TOLERANCE).iloc[0]
    assert not check.within_tolerance and check.achieved < 0.95 - 5 * TOLERANCE, check.to_dict()


def test_protecting_over_the_lead_time_alone_falls_clearly_below_the_target(history, sample_data):
    # The same items planned as if watched continuously (no review period): s and S cover L only.
    policy = monthly_policy(sample_data, 0.95)
    continuous = policy.assign(review_period_days=None, review_rule=policy["review_rule"].replace(
        {"periodic_order_up_to": "continuous_eoq", "min_max": "continuous_eoq"}))
    reviewed = stocked_proposal(job_inputs(sample_data, policy))
    watched = stocked_proposal(job_inputs(sample_data, continuous)).loc[reviewed.index]
    assert (watched["reorder_point"] < reviewed["reorder_point"]).all()
    check = service_check(replay(history, watched), target_cycle_service=0.95, tolerance=TOLERANCE).iloc[0]
    assert not check.within_tolerance and check.achieved < 0.95 - 5 * TOLERANCE, check.to_dict()
