"""Commission plans: tier tables, marginal and stepped modes, gate, accelerator and cap."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealerxl.calc import CalcError
from dealerxl.calc.incentives import IncentivePlan, active_share, commission, commission_columns, plans_from_tables
from dealerxl.forms.chapter04 import DEFAULT_ROWS, SETTINGS

BANDS = (0.0, 0.8, 1.0, 1.2)
RATES = (0.010, 0.015, 0.020, 0.025)


def test_marginal_plan_pays_each_band_at_its_own_rate():
    # 1,300,000 on 1,000,000: 800k·1 % + 200k·1.5 % + 200k·2 % + 100k·2.5 % = 8,000+3,000+4,000+2,500.
    result = commission([1_300_000], [1_000_000], IncentivePlan(BANDS, RATES))
    assert result["payout"].iloc[0] == pytest.approx(17_500)
    assert result["tier"].iloc[0] == 4


def test_non_retroactive_example_of_a_vendor_guide_with_thresholds_in_currency():
    # SparrowGenie, "Non-Retroactive Commission" (sparrowgenie.com/sales-commission-models/non-retroactive-commission):
    # 3 % up to 300,000, 5 % to 500,000, 7 % above; 600,000 → 9,000 + 10,000 + 7,000 = 26,000.
    # Currency thresholds become attainment bands on a 300,000 target: 0, 1, 5/3.
    plan = IncentivePlan((0.0, 1.0, 500_000 / 300_000), (0.03, 0.05, 0.07))
    assert commission([600_000], [300_000], plan)["payout"].iloc[0] == pytest.approx(26_000)


def test_retroactive_rule_of_a_vendor_guide_pays_the_enhanced_rate_on_all_sales():
    # SparrowGenie, "Retroactive Commission": 5 % standard, 7 % on all sales once 1,000,000 is reached.
    plan = IncentivePlan((0.0, 1.0), (0.05, 0.07), "stepped")
    assert commission([999_999, 1_200_000], [1_000_000], plan)["payout"].tolist() == pytest.approx([49_999.95, 84_000])


def test_stepped_plan_pays_the_whole_amount_at_the_reached_rate():
    result = commission([790_000, 800_000], [1_000_000], IncentivePlan(BANDS, RATES, "stepped"))
    assert result["payout"].tolist() == pytest.approx([7_900, 12_000])


def test_accelerator_multiplies_only_what_is_earned_above_target():
    plan = IncentivePlan(BANDS, RATES, accelerator=2.0)
    result = commission([900_000, 1_100_000], [1_000_000], plan)
    assert result["accelerator"].tolist() == pytest.approx([0.0, 2_000.0])  # 100k·2 % once more
    assert result["payout"].iloc[1] == pytest.approx(8_000 + 3_000 + 2_000 + 2_000)


def test_gate_pays_nothing_below_the_minimum_attainment():
    result = commission([499_999, 500_000], [1_000_000], IncentivePlan(BANDS, RATES, gate=0.5))
    assert result["payout"].tolist() == pytest.approx([0.0, 5_000.0])
    assert result["passed_gate"].tolist() == [False, True]


def test_cap_as_an_amount_and_as_a_multiple_of_the_target_incentive():
    # Target incentive of the marginal plan: 8,000 + 3,000 = 11,000; 1.5 × = 16,500.
    plan = IncentivePlan(BANDS, RATES, cap_amount=20_000, cap_target_multiple=1.5)
    result = commission([2_000_000], [1_000_000], plan)
    assert result["cap"].iloc[0] == pytest.approx(16_500)
    assert result["payout"].iloc[0] == pytest.approx(16_500)
    assert result["cap_cut"].iloc[0] == pytest.approx(result["base"].iloc[0] + result["accelerator"].iloc[0] - 16_500)


def test_first_band_above_zero_pays_nothing_below_it():
    assert commission([50], [100], IncentivePlan((0.6, 1.0), (0.05, 0.1)))["payout"].iloc[0] == 0.0


@pytest.mark.parametrize("kwargs, message", [
    ({"band_lower": (0, 1.0, 0.8), "rate": (0.01, 0.02, 0.03)}, "must rise"),
    ({"band_lower": (0, 1.0), "rate": (0.01,)}, "2 band lower bounds but 1 rates"),
    ({"band_lower": (0, 1.0), "rate": (0.02, 0.01), "mode": "stepped"}, "must not fall"),
    ({"band_lower": (0,), "rate": (0.01,), "mode": "flat"}, "marginal or stepped"),
    ({"band_lower": (0,), "rate": (-0.01,)}, "must not be negative"),
    ({"band_lower": (0,), "rate": (0.01,), "accelerator": 0.5}, "accelerator"),
    ({"band_lower": (0,), "rate": (0.01,), "team_share": 1.5}, "team share"),
])
def test_a_plan_that_cannot_be_applied_is_refused_with_the_reason(kwargs, message):
    with pytest.raises(CalcError, match=message):
        IncentivePlan(**kwargs)


def test_marginal_plan_may_have_falling_rates():
    plan = IncentivePlan((0, 1.0), (0.02, 0.01))
    assert commission([1_500], [1_000], plan)["payout"].iloc[0] == pytest.approx(25.0)


def test_zero_target_and_negative_sales_are_refused():
    plan = IncentivePlan(BANDS, RATES)
    with pytest.raises(CalcError, match="target"):
        commission([100], [0], plan)
    with pytest.raises(CalcError, match="returns as reversals"):
        commission([-100], [1000], plan)


def test_plans_are_built_from_the_settings_tables_with_scalar_defaults():
    plans = pd.DataFrame(DEFAULT_ROWS["incentive_plans"])
    tiers = pd.DataFrame(DEFAULT_ROWS["incentive_plan_tiers"])
    defaults = {setting.id: setting.default for setting in SETTINGS}
    built = plans_from_tables(plans, tiers, defaults)
    assert set(built) == {"SAL-STD", "LEAD-STD", "DLR-REB"}
    assert built["SAL-STD"].mode == "marginal" and built["SAL-STD"].rate == (0.01, 0.015, 0.02, 0.025)
    assert built["DLR-REB"].cap_amount == defaults["incentive_cap"]  # blank cap takes the setting
    assert built["LEAD-STD"].gate == 0.8 and built["LEAD-STD"].team_share == 1.0


def test_draw_recovery_is_read_from_a_yes_no_cell():
    tiers = pd.DataFrame({"plan_id": ["X", "Y"], "band_lower": [0.0, 0.0], "rate": [0.01, 0.01]})
    rows = pd.DataFrame({"plan_id": ["X", "Y"], "commission_mode": "marginal", "draw_recoverable": ["no", None]})
    built = plans_from_tables(rows, tiers)
    assert built["X"].draw_recoverable is False and built["Y"].draw_recoverable is True


def test_a_plan_without_tiers_is_refused():
    with pytest.raises(CalcError, match="no tier rows"):
        plans_from_tables(pd.DataFrame({"plan_id": ["X"], "commission_mode": ["marginal"]}),
                          pd.DataFrame({"plan_id": ["Y"], "band_lower": [0.0], "rate": [0.01]}))


def test_proration_counts_days_active_in_the_month():
    share = active_share(["2026-02", "2026-02", "2026-02"], ["2026-02-15", None, "2026-03-01"], [None, None, None])
    assert share.tolist() == pytest.approx([14 / 28, 1.0, 0.0])


# ---- properties ---------------------------------------------------------------------------
tier_tables = st.lists(st.tuples(st.floats(0.01, 3.0), st.floats(0.0, 0.1)), min_size=0, max_size=4).map(
    lambda extra: sorted({round(b, 4): r for b, r in extra}.items()))


@st.composite
def plans(draw, stepped: bool | None = None):
    extra = draw(tier_tables)
    lower = (0.0, *[b for b, _ in extra])
    rates = [draw(st.floats(0.0, 0.1)), *[r for _, r in extra]]
    mode = draw(st.sampled_from(["marginal", "stepped"])) if stepped is None else ("stepped" if stepped else "marginal")
    if mode == "stepped":
        rates = np.maximum.accumulate(rates).tolist()
    return IncentivePlan(lower, tuple(rates), mode, gate=draw(st.sampled_from([0.0, 0.5, 0.8])),
                         accelerator=draw(st.floats(1.0, 3.0)),
                         cap_amount=draw(st.one_of(st.none(), st.floats(0.0, 50_000))),
                         cap_target_multiple=draw(st.one_of(st.none(), st.floats(0.5, 3.0))))


@settings(max_examples=150, deadline=None)
@given(plans(), st.lists(st.floats(0, 5_000_000), min_size=2, max_size=30), st.floats(10_000, 2_000_000))
def test_payout_never_decreases_when_sales_rise_except_across_the_gate(plan, sales, target):
    ordered = np.sort(sales)
    result = commission(ordered, target, plan)
    payout = result["payout"].to_numpy()
    same_side = result["passed_gate"].to_numpy()[1:] == result["passed_gate"].to_numpy()[:-1]
    drops = np.diff(payout) < -1e-6 * np.maximum(payout[1:], 1)
    assert not (drops & same_side).any()


@settings(max_examples=150, deadline=None)
@given(plans(), st.lists(st.floats(0, 10_000_000), min_size=1, max_size=30), st.floats(10_000, 2_000_000))
def test_payout_never_exceeds_the_cap(plan, sales, target):
    result = commission(sales, target, plan)
    assert (result["payout"] <= result["cap"].fillna(np.inf) + 1e-6).all()
    assert (result["payout"] >= 0).all()


@settings(max_examples=150, deadline=None)
@given(st.floats(0, 0.2), st.floats(1, 3), st.floats(0, 1), st.lists(st.floats(0, 5_000_000), min_size=1, max_size=20),
       st.floats(10_000, 2_000_000))
def test_marginal_and_stepped_plans_agree_on_a_single_tier(rate, accelerator, gate, sales, target):
    marginal = commission(sales, target, IncentivePlan((0.0,), (rate,), "marginal", gate, accelerator))
    stepped = commission(sales, target, IncentivePlan((0.0,), (rate,), "stepped", gate, accelerator))
    assert np.allclose(marginal["payout"], stepped["payout"], rtol=1e-9, atol=1e-6)


def test_commission_columns_hold_the_commission_table_column_by_column():
    plan = IncentivePlan(BANDS, RATES, accelerator=1.5, cap_amount=20_000)
    columns = commission_columns([500_000, 1_300_000], 1_000_000, plan)
    table = commission([500_000, 1_300_000], 1_000_000, plan)
    assert list(columns) == list(table.columns)
    assert columns["tier"].tolist() == [1, 4] and columns["payout"].tolist() == table["payout"].tolist()
    assert columns["cap_cut"][1] > 0
