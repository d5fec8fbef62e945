"""Payouts over many payees and periods: statement lines, team split, proration, clawbacks, draws."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealerxl.calc import CalcError
from dealerxl.calc.clawbacks import apply_draws, reversals_from
from dealerxl.calc.incentives import IncentivePlan, plans_from_tables
from dealerxl.calc.payouts import calculate_payouts, commissionable_sales
from dealerxl.forms.chapter04 import SETTINGS
from dealerxl.sample import generate

SIMPLE = {"P": IncentivePlan((0.0, 1.0), (0.01, 0.02), plan_id="P", clawback_months=6)}


def payees(rows):
    return pd.DataFrame(rows, columns=["payee_id", "period", "plan_id", "target", "proration", "team", "draw"])


def sales(rows):
    return pd.DataFrame(rows, columns=["payee_id", "period", "invoice_no", "amount"])


def test_lines_add_up_to_the_summary_of_each_payee_and_period():
    plan = {"P": IncentivePlan((0.0, 0.8, 1.0), (0.01, 0.015, 0.02), accelerator=1.5, cap_amount=2_000, plan_id="P")}
    lines, summary = calculate_payouts(
        sales([["R1", "2026-01", "A", 50_000], ["R1", "2026-01", "B", 70_000], ["R2", "2026-01", "C", 30_000]]),
        payees([["R1", "2026-01", "P", 100_000, 1, None, 0], ["R2", "2026-01", "P", 100_000, 1, None, 0]]), plan)
    # R1: 800·1 + 0.8 … 1.0 at 1.5 % = 300, 1.0 … 1.2 at 2 % ×1.5 = 600 → 1,700; under the 2,000 cap.
    r1 = summary.set_index("payee_id").loc["R1"]
    assert r1["earned"] == pytest.approx(1_500) and r1["accelerator"] == pytest.approx(200)
    assert r1["payable"] == pytest.approx(1_700)
    b = lines[lines["invoice_no"] == "B"]
    assert b["tier"].tolist() == [1, 2, 3] and b["amount"].sum() == 70_000
    assert b["multiplier"].tolist() == [1.0, 1.0, 1.5]
    credited = lines.groupby("payee_id")["credited"].sum()
    assert credited["R1"] == pytest.approx(1_700) and credited["R2"] == pytest.approx(300)


def test_cap_cut_is_spread_over_the_lines_it_reduces():
    plan = {"P": IncentivePlan((0.0,), (0.1,), cap_amount=1_000, plan_id="P")}
    lines, summary = calculate_payouts(sales([["R1", "2026-01", "A", 6_000], ["R1", "2026-01", "B", 14_000]]),
                                       payees([["R1", "2026-01", "P", 10_000, 1, None, 0]]), plan)
    assert summary["cap_cut"].iloc[0] == pytest.approx(1_000)
    assert lines["credited"].tolist() == pytest.approx([300, 700])


def test_stepped_lines_all_carry_the_reached_rate():
    plan = {"S": IncentivePlan((0.0, 1.0), (0.01, 0.03), "stepped", plan_id="S")}
    lines, summary = calculate_payouts(sales([["R1", "2026-01", "A", 60_000], ["R1", "2026-01", "B", 60_000]]),
                                       payees([["R1", "2026-01", "S", 100_000, 1, None, 0]]), plan)
    assert lines["rate"].tolist() == [0.03, 0.03] and lines["tier"].tolist() == [2, 2]
    assert summary["payable"].iloc[0] == pytest.approx(3_600)


def test_team_share_is_paid_on_the_team_attainment():
    plan = {"T": IncentivePlan((0.0, 1.0), (0.01, 0.02), team_share=0.25, plan_id="T")}
    _, summary = calculate_payouts(
        sales([["R1", "2026-01", "A", 150_000], ["R2", "2026-01", "B", 50_000]]),
        payees([["R1", "2026-01", "T", 100_000, 1, "north", 0], ["R2", "2026-01", "T", 100_000, 1, "north", 0]]), plan)
    # Team attains 100 % → team part 0.25 · 1,000; R1 own 150 % → 0.75 · (1,000 + 1,000).
    assert summary["team_attainment"].tolist() == pytest.approx([1.0, 1.0])
    assert summary["payable"].tolist() == pytest.approx([0.75 * 2_000 + 250, 0.75 * 500 + 250])


def test_partial_month_prorates_target_and_cap():
    plan = {"P": IncentivePlan((0.0, 1.0), (0.01, 0.02), cap_amount=1_000, plan_id="P")}
    _, summary = calculate_payouts(sales([["R1", "2026-04", "A", 60_000]]),
                                   payees([["R1", "2026-04", "P", 100_000, 0.5, None, 0]]), plan)
    # Target 50,000: 500 at 1 % + 200 at 2 % = 700; cap 500.
    assert summary["attainment"].iloc[0] == pytest.approx(1.2)
    assert summary["cap"].iloc[0] == pytest.approx(500) and summary["payable"].iloc[0] == pytest.approx(500)


def test_return_is_clawed_back_at_the_original_rate_in_the_month_of_the_return():
    lines, summary = calculate_payouts(
        sales([["R1", "2026-01", "A", 100_000], ["R1", "2026-01", "B", 20_000], ["R1", "2026-03", "C", 10_000]]),
        payees([["R1", m, "P", 100_000, 1, None, 0] for m in ("2026-01", "2026-02", "2026-03")]), SIMPLE,
        pd.DataFrame({"invoice_no": ["B"], "period": ["2026-03"], "amount": [5_000.0], "kind": ["return"]}))
    claw = lines[lines["line_type"] == "clawback_return"].iloc[0]
    assert claw["period"] == "2026-03" and claw["original_period"] == "2026-01" and claw["rate"] == 0.02
    assert claw["commission"] == pytest.approx(-100)
    assert summary.set_index("period").loc["2026-03", "clawback"] == pytest.approx(-100)


def test_reversals_of_one_invoice_never_take_back_more_than_it_earned():
    reversals = pd.DataFrame({"invoice_no": ["A", "A"], "period": ["2026-02", "2026-03"],
                              "amount": [80_000.0, 80_000.0], "kind": ["return", "write_off"]})
    lines, _ = calculate_payouts(sales([["R1", "2026-01", "A", 100_000]]),
                                 payees([["R1", "2026-01", "P", 100_000, 1, None, 0]]), SIMPLE, reversals)
    claws = lines[lines["line_type"].str.startswith("clawback")]
    assert claws["amount"].tolist() == pytest.approx([-80_000, -20_000])
    assert claws["commission"].sum() == pytest.approx(-1_000)


def test_clawback_reverses_only_the_individual_part_of_a_team_plan():
    plan = {"T": IncentivePlan((0.0,), (0.02,), team_share=0.25, plan_id="T")}
    lines, summary = calculate_payouts(
        sales([["R1", "2026-01", "A", 100_000]]),
        payees([["R1", m, "T", 100_000, 1, None, 0] for m in ("2026-01", "2026-02")]), plan,
        pd.DataFrame({"invoice_no": ["A"], "period": ["2026-02"], "amount": [100_000.0]}))
    assert summary["earned"].iloc[0] == pytest.approx(2_000)
    assert summary["clawback"].iloc[1] == pytest.approx(-1_500)
    assert lines.loc[lines["line_type"] == "team", "commission"].sum() == pytest.approx(500)


def test_clawback_after_the_payee_left_shows_in_its_own_month_and_is_owed():
    lines, summary = calculate_payouts(sales([["R1", "2026-01", "A", 100_000]]),
                                       payees([["R1", "2026-01", "P", 100_000, 1, None, 0]]), SIMPLE,
                                       pd.DataFrame({"invoice_no": ["A"], "period": ["2026-04"], "amount": [50_000.0]}))
    left = summary.set_index("period").loc["2026-04"]
    assert left["plan_id"] == "P" and np.isnan(left["target"])
    assert left["clawback"] == pytest.approx(-500) and left["payable"] == 0 and left["balance"] == pytest.approx(500)


def test_reversal_outside_the_clawback_window_takes_nothing_back():
    lines, _ = calculate_payouts(sales([["R1", "2026-01", "A", 100_000]]),
                                 payees([["R1", "2026-01", "P", 100_000, 1, None, 0]]), SIMPLE,
                                 pd.DataFrame({"invoice_no": ["A"], "period": ["2026-08"], "amount": [1_000.0]}))
    claw = lines[lines["line_type"] == "clawback_return"].iloc[0]
    assert not claw["within_window"] and claw["commission"] == 0


def test_unmatched_or_early_reversals_are_refused():
    args = (sales([["R1", "2026-02", "A", 100]]), payees([["R1", "2026-02", "P", 100, 1, None, 0]]), SIMPLE)
    with pytest.raises(CalcError, match="Z9"):
        calculate_payouts(*args, pd.DataFrame({"invoice_no": ["Z9"], "period": ["2026-03"], "amount": [1.0]}))
    with pytest.raises(CalcError, match="before it was sold"):
        calculate_payouts(*args, pd.DataFrame({"invoice_no": ["A"], "period": ["2026-01"], "amount": [1.0]}))


def test_sales_without_a_plan_row_and_duplicate_payee_rows_are_refused():
    with pytest.raises(CalcError, match="R9 has no plan and target for 2026-01"):
        calculate_payouts(sales([["R9", "2026-01", "A", 1]]), payees([["R1", "2026-01", "P", 100, 1, None, 0]]), SIMPLE)
    with pytest.raises(CalcError, match="two rows"):
        calculate_payouts(sales([]), payees([["R1", "2026-01", "P", 100, 1, None, 0]] * 2), SIMPLE)
    with pytest.raises(CalcError, match="not declared"):
        calculate_payouts(sales([]), payees([["R1", "2026-01", "Q", 100, 1, None, 0]]), SIMPLE)
    with pytest.raises(CalcError, match="not a month"):
        calculate_payouts(sales([]), payees([["R1", "soon", "P", 100, 1, None, 0]]), SIMPLE)


def test_recoverable_draw_is_advanced_then_recovered():
    _, summary = calculate_payouts(
        sales([["R1", "2026-01", "A", 50_000], ["R1", "2026-02", "B", 150_000]]),
        payees([["R1", "2026-01", "P", 100_000, 1, None, 1_000], ["R1", "2026-02", "P", 100_000, 1, None, 1_000]]),
        SIMPLE)
    # January earns 500 → 500 advanced; February earns 2,000 → 500 recovered, 1,500 paid.
    assert summary["draw_advanced"].tolist() == pytest.approx([500, 0])
    assert summary["draw_recovered"].tolist() == pytest.approx([0, 500])
    assert summary["payable"].tolist() == pytest.approx([1_000, 1_500])
    assert summary["balance"].tolist() == pytest.approx([500, 0])


def test_non_recoverable_draw_is_a_guarantee():
    plan = {"G": IncentivePlan((0.0,), (0.01,), draw_recoverable=False, plan_id="G")}
    _, summary = calculate_payouts(
        sales([["R1", "2026-01", "A", 50_000], ["R1", "2026-02", "B", 150_000]]),
        payees([["R1", m, "G", 100_000, 1, None, 1_000] for m in ("2026-01", "2026-02")]), plan)
    assert summary["payable"].tolist() == pytest.approx([1_000, 1_500])
    assert summary["balance"].tolist() == pytest.approx([0, 0])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-5_000, 5_000), min_size=1, max_size=12), st.floats(0, 3_000), st.floats(0, 2_000),
       st.booleans())
def test_draw_recursion_matches_the_month_by_month_rule(earned, draw, opening, recoverable):
    result = apply_draws(earned, draw, recoverable, opening, ["R1"] * len(earned))
    balance = opening
    for month, e in enumerate(earned):
        if recoverable:
            paid = max(e, draw) - min(balance, max(e - draw, 0))
            balance = max(balance + draw - e, 0)
        else:
            net = max(e - balance, 0)
            balance = max(balance - e, 0)
            paid = max(net, draw)
        assert result["payable"].iloc[month] == pytest.approx(paid, abs=1e-6)
        assert result["balance"].iloc[month] == pytest.approx(balance, abs=1e-6)
    assert np.allclose(result["payable"], np.asarray(earned) + result["draw_advanced"] - result["draw_recovered"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(1, 200_000), min_size=1, max_size=8), st.integers(0, 7), st.floats(20_000, 500_000),
       st.sampled_from(["marginal", "stepped"]), st.floats(1, 2))
def test_a_full_return_reverses_exactly_the_original_commission(amounts, which, target, mode, accelerator):
    which = which % len(amounts)
    plan = {"P": IncentivePlan((0.0, 0.7, 1.0), (0.01, 0.02, 0.03), mode, accelerator=accelerator, cap_amount=5_000,
                               plan_id="P")}
    rows = sales([["R1", "2026-01", f"I{i}", a] for i, a in enumerate(amounts)])
    back = pd.DataFrame({"invoice_no": [f"I{which}"], "period": ["2026-02"], "amount": [amounts[which]]})
    lines, summary = calculate_payouts(rows, payees([["R1", "2026-01", "P", target, 1, None, 0]]), plan, back)
    original = lines[(lines["line_type"] == "sale") & (lines["invoice_no"] == f"I{which}")]["credited"].sum()
    clawed = lines[lines["line_type"] == "clawback_return"]["commission"].sum()
    assert clawed == pytest.approx(-original, rel=1e-9, abs=1e-9)
    paid = summary["earned"] + summary["accelerator"] - summary["cap_cut"]
    assert paid.iloc[0] == pytest.approx(lines[lines["line_type"] == "sale"]["credited"].sum(), rel=1e-9, abs=1e-9)


@pytest.fixture(scope="module")
def sample():
    return generate("small")


def test_sample_month_pays_every_rep_with_lines_traceable_to_invoices(sample):
    transactions = sample["sales_transactions"]
    assignments = sample["incentive_assignments"]
    defaults = {setting.id: setting.default for setting in SETTINGS}
    plans = plans_from_tables(sample["incentive_plans"], sample["incentive_plan_tiers"], defaults)
    sold = commissionable_sales(transactions)
    rep_plan = assignments.drop_duplicates("payee_id").set_index("payee_id")
    monthly = sold.groupby(["payee_id", "period"], as_index=False)["amount"].sum()
    monthly = monthly[monthly["payee_id"].isin(rep_plan.index)]
    # Targets: each rep's average month, so attainments spread around 100 %.
    monthly["target"] = monthly.groupby("payee_id")["amount"].transform("mean")
    monthly["plan_id"] = monthly["payee_id"].map(rep_plan["plan_id"])
    monthly["team"] = monthly["payee_id"].map(rep_plan["team"])
    monthly["draw"] = monthly["payee_id"].map(rep_plan["monthly_draw"]).fillna(0.0)
    sold = sold[sold["payee_id"].isin(rep_plan.index)]
    reversals = reversals_from(transactions, sample["write_offs"])
    reversals = reversals[reversals["invoice_no"].isin(sold["invoice_no"])]  # sales of reps on a plan
    lines, summary = calculate_payouts(sold, monthly.drop(columns="amount"), plans, reversals)

    sale_lines = lines[lines["line_type"] == "sale"]
    assert sale_lines["amount"].sum() == pytest.approx(sold["amount"].sum())
    assert set(sale_lines["invoice_no"]) == set(sold["invoice_no"])
    by_period = lines.groupby(["payee_id", "period"])["credited"].sum()
    total = summary.set_index(["payee_id", "period"])
    net = total["earned"] + total["accelerator"] - total["cap_cut"] + total["clawback"]
    assert np.allclose(by_period.reindex(net.index).fillna(0.0), net, atol=1e-6)
    assert (summary["payable"] >= -1e-9).all()
    capped = summary["earned"] + summary["accelerator"] - summary["cap_cut"]
    assert (capped <= summary["cap"].fillna(np.inf) + 1e-6).all()
    assert (lines.loc[lines["line_type"].str.startswith("clawback"), "commission"] <= 0).all()
    assert set(reversals["kind"]) == {"return", "write_off"}
    assert (summary["clawback"] < 0).any()
