"""Hand-worked incentive cases: a reversal takes back each payee's own credit in full, and a
payee below the plan's gate earns nothing, team part included."""
from __future__ import annotations

import pandas as pd
import pytest

from dealerxl.calc.clawbacks import clawback_lines
from dealerxl.calc.incentives import IncentivePlan
from dealerxl.calc.payouts import calculate_payouts


def test_a_return_takes_back_the_full_credit_of_both_the_rep_and_the_dealer():
    """Invoice INV1 of 100,000 is credited in full to rep R1 (2 % → 2,000) and to dealer D1
    (1 % → 1,000). A return of 25,000 reverses 25,000 of each payee's own credit:
    R1 loses 25,000 · 2 % = 500, D1 loses 25,000 · 1 % = 250 (not half of each)."""
    sold = pd.DataFrame({"payee_id": ["R1", "D1"], "invoice_no": "INV1", "line_no": 1, "period": "2026-01",
                         "plan_id": ["REP", "DLR"], "amount": 100_000.0, "credited": [2_000.0, 1_000.0],
                         "tier": 1})
    back = pd.DataFrame({"invoice_no": ["INV1"], "period": ["2026-02"], "amount": [25_000.0], "kind": ["return"]})
    lines = clawback_lines(sold, back, {"REP": None, "DLR": None}).set_index("payee_id")
    assert lines.loc["R1", "commission"] == pytest.approx(-500.0)
    assert lines.loc["D1", "commission"] == pytest.approx(-250.0)
    assert lines.loc["R1", "amount"] == pytest.approx(-25_000.0) and lines.loc["D1", "amount"] == pytest.approx(-25_000.0)


def test_reversals_of_an_invoice_credited_to_two_payees_stop_at_the_invoice_amount_for_each():
    """The same invoice of 100,000 (R1 at 2 %, D1 at 1 %): a return of 70,000 and a write-off of
    50,000 later. Together they may reverse 100,000 only: the return 70,000, the write-off the
    30,000 left. R1 loses 1,400 then 600 (= its 2,000); D1 loses 700 then 300 (= its 1,000)."""
    sold = pd.DataFrame({"payee_id": ["R1", "D1"], "invoice_no": "INV1", "line_no": 1, "period": "2026-01",
                         "plan_id": ["REP", "DLR"], "amount": 100_000.0, "credited": [2_000.0, 1_000.0],
                         "tier": 1})
    back = pd.DataFrame({"invoice_no": ["INV1", "INV1"], "period": ["2026-02", "2026-04"],
                         "amount": [70_000.0, 50_000.0], "kind": ["return", "write_off"]})
    lines = clawback_lines(sold, back, {"REP": None, "DLR": None})
    by = lines.set_index(["payee_id", "period"])["commission"]
    assert by[("R1", "2026-02")] == pytest.approx(-1_400.0) and by[("R1", "2026-04")] == pytest.approx(-600.0)
    assert by[("D1", "2026-02")] == pytest.approx(-700.0) and by[("D1", "2026-04")] == pytest.approx(-300.0)


def test_two_reps_sharing_an_invoice_lose_their_own_lines_share():
    """Invoice INV2 has two lines: 60,000 sold by R1 and 40,000 by R2, each at 1 %; the dealer
    D1 is credited all 100,000 at 2 %. A return of 10,000 (not tied to a line) reverses 10 %
    of the invoice: R1 loses 6,000 · 1 % = 60, R2 4,000 · 1 % = 40, D1 10,000 · 2 % = 200."""
    sold = pd.DataFrame({"payee_id": ["R1", "R2", "D1", "D1"], "invoice_no": "INV2", "line_no": [1, 2, 1, 2],
                         "period": "2026-01", "plan_id": ["REP", "REP", "DLR", "DLR"],
                         "amount": [60_000.0, 40_000.0, 60_000.0, 40_000.0],
                         "credited": [600.0, 400.0, 1_200.0, 800.0], "tier": 1})
    back = pd.DataFrame({"invoice_no": ["INV2"], "period": ["2026-02"], "amount": [10_000.0], "kind": ["return"]})
    lines = clawback_lines(sold, back, {"REP": None, "DLR": None}).set_index("payee_id")["commission"]
    assert lines["R1"] == pytest.approx(-60.0) and lines["R2"] == pytest.approx(-40.0)
    assert lines["D1"] == pytest.approx(-200.0)


def test_a_payee_below_the_gate_earns_no_team_part_either():
    """Plan P: marginal 1 % from 0, gate 50 %, team share 20 %. Team T has R1 (target 100,000,
    sales 30,000 → 30 %) and R2 (target 100,000, sales 170,000 → 170 %); the team is at
    200,000 / 200,000 = 100 %. R1 is below the gate: nothing, although the team part alone
    would pay 0.2 · 100,000 · 1 % = 200. R2 earns 0.8 · 1,700 + 0.2 · 1,000 = 1,560."""
    plans = {"P": IncentivePlan((0.0,), (0.01,), gate=0.5, team_share=0.2, plan_id="P")}
    sales = pd.DataFrame({"payee_id": ["R1", "R2"], "period": "2026-01", "invoice_no": ["A", "B"],
                          "amount": [30_000.0, 170_000.0]})
    payees = pd.DataFrame({"payee_id": ["R1", "R2"], "period": "2026-01", "plan_id": "P",
                           "target": 100_000.0, "team": "T"})
    lines, summary = calculate_payouts(sales, payees, plans)
    paid = summary.set_index("payee_id")
    assert paid.loc["R1", "payable"] == 0.0
    assert paid.loc["R2", "payable"] == pytest.approx(1_560.0)
    team_line = lines[(lines["payee_id"] == "R1") & (lines["line_type"] == "team")]
    assert not team_line["passed_gate"].any() and team_line["credited"].sum() == 0.0


def test_an_all_team_plan_is_gated_on_the_team_attainment():
    """A team lead on plan L (stepped 0.5 %, gate 80 %, team share 100 %) sells nothing; team T
    is the lead (target 100,000, sales 0) and R2 (target 100,000, sales 170,000), at
    170,000 / 200,000 = 85 %. The lead earns 0.5 % · 85 % · 100,000 = 425: the lead's own 0 %
    does not gate a plan paid wholly on the team."""
    plans = {"L": IncentivePlan((0.0,), (0.005,), "stepped", gate=0.8, team_share=1.0, plan_id="L"),
             "P": IncentivePlan((0.0,), (0.01,), plan_id="P")}
    sales = pd.DataFrame({"payee_id": ["R2"], "period": "2026-01", "invoice_no": ["B"], "amount": [170_000.0]})
    payees = pd.DataFrame({"payee_id": ["LEAD", "R2"], "period": "2026-01", "plan_id": ["L", "P"],
                           "target": 100_000.0, "team": "T"})
    _, summary = calculate_payouts(sales, payees, plans)
    assert summary.set_index("payee_id").loc["LEAD", "payable"] == pytest.approx(425.0)
