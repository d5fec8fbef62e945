"""Hand-worked cases of a plan's commission basis: net sales, gross margin, collected sales."""
from __future__ import annotations

import pandas as pd
import pytest

from dealerxl.calc.incentives import IncentivePlan, plan_from_rows
from dealerxl.calc.payouts import calculate_payouts, commissionable_sales
from dealerxl.jobs.common import Inputs
from dealerxl.jobs.incentives import credited_lines

TIERS = pd.DataFrame({"plan_id": ["P", "P"], "band_lower": [0.0, 1.0], "rate": [0.01, 0.02]})


def one_payee(plan_id="P", target=100_000.0):
    return pd.DataFrame({"payee_id": ["R1"], "period": ["2026-01"], "plan_id": [plan_id], "target": [target]})


def test_the_basis_column_of_the_plan_table_is_read():
    plan = plan_from_rows({"plan_id": "P", "commission_basis": "gross_margin"}, TIERS)
    assert plan.basis == "gross_margin"
    assert plan_from_rows({"plan_id": "P", "commission_basis": float("nan")}, TIERS).basis == "net_sales"


def test_gross_margin_plan_reaches_its_tiers_on_sales_and_pays_on_each_lines_margin():
    """Marginal plan 1 % up to 100 % of target, 2 % above; target 100,000. Invoice A sells
    60,000 at a margin of 15,000 (25 %), invoice B 60,000 at a margin of 30,000 (50 %).
    Attainment runs on sales: A fills 0–60 %, B 60–120 %, split 40,000 below and 20,000 above
    100 %. Paid on margin: A 15,000 · 1 % = 150; B 20,000 · 1 % = 200 and 10,000 · 2 % = 200.
    Total 550 (on net sales the same plan pays 600 + 400 + 400 = 1,400)."""
    plans = {"P": IncentivePlan((0.0, 1.0), (0.01, 0.02), basis="gross_margin", plan_id="P")}
    sales = pd.DataFrame({"payee_id": "R1", "period": "2026-01", "invoice_no": ["A", "B"],
                          "amount": [60_000.0, 60_000.0], "basis_amount": [15_000.0, 30_000.0]})
    lines, summary = calculate_payouts(sales, one_payee(), plans)
    assert lines["commission"].round(6).tolist() == [150.0, 200.0, 200.0]
    assert lines["basis_amount"].round(6).tolist() == [15_000.0, 20_000.0, 10_000.0]
    assert summary["attainment"].iloc[0] == pytest.approx(1.2)
    assert summary["earned"].iloc[0] == pytest.approx(550.0) and summary["payable"].iloc[0] == pytest.approx(550.0)


def test_gross_margin_basis_costs_each_line_at_the_items_unit_cost():
    """Line 1: 10 units of K1 for 6,000, unit cost 400 → margin 6,000 − 4,000 = 2,000.
    Line 2: 5 units of K2 (no unit cost in the item master) → left out and listed."""
    transactions = pd.DataFrame({"invoice_no": "I1", "line_no": [1, 2], "invoice_date": "2026-01-05",
                                 "transaction_type": "sale", "dealer_id": "D1", "sku": ["K1", "K2"],
                                 "quantity": [10.0, 5.0], "amount": [6_000.0, 4_000.0], "sales_rep_id": "R1"})
    inputs = Inputs({"item_master": pd.DataFrame({"sku": ["K1"], "unit_cost": [400.0]})}, {}, [], "en", "test")
    lines, left_out = credited_lines(commissionable_sales(transactions), inputs, {"gross_margin"},
                                     pd.Period("2026-01", "M"))
    rep = lines.loc[lines["payee_id"] == "R1"]
    assert rep["basis_amount"].tolist() == [2_000.0] and rep["amount"].tolist() == [6_000.0]
    assert set(lines["payee_id"]) == {"R1", "D1"}
    dropped = pd.concat(left_out)
    assert dropped["key"].tolist() == ["I1/2"] and dropped["reason"].tolist() == ["line_without_unit_cost"]


def test_collected_basis_credits_the_cash_applied_in_the_month_to_each_payees_share():
    """Invoice I1 (line 1: 6,000 by R1, line 2: 4,000 by R2, dealer D1) has 5,000 paid on
    2026-02-10: in 2026-02, R1 is credited 5,000 · 6/10 = 3,000, R2 2,000 and D1 5,000.
    I2 (unpaid) credits nothing; a payment of 700 on I9, which has no sale line, is left out
    and listed. The cash of I3, paid in March, is not credited in a February statement."""
    transactions = pd.DataFrame({"invoice_no": ["I1", "I1", "I2", "I3"], "line_no": [1, 2, 1, 1],
                                 "invoice_date": "2026-01-20", "transaction_type": "sale", "dealer_id": "D1",
                                 "sku": "K1", "quantity": 1.0, "amount": [6_000.0, 4_000.0, 3_000.0, 1_000.0],
                                 "sales_rep_id": ["R1", "R2", "R1", "R1"]})
    ledger = pd.DataFrame({"invoice_no": ["I1", "I2", "I9", "I3"], "dealer_id": "D1",
                           "amount": [10_000.0, 3_000.0, 700.0, 1_000.0],
                           "paid_amount": [5_000.0, 0.0, 700.0, 1_000.0],
                           "paid_date": pd.to_datetime(["2026-02-10", None, "2026-02-11", "2026-03-02"])})
    inputs = Inputs({"receivables": ledger}, {}, [], "en", "test")
    lines, left_out = credited_lines(commissionable_sales(transactions), inputs, {"collected_sales"},
                                     pd.Period("2026-02", "M"))
    credited = lines.groupby(["payee_id", "period"])["basis_amount"].sum()
    assert credited.to_dict() == {("D1", "2026-02"): 5_000.0, ("R1", "2026-02"): 3_000.0,
                                  ("R2", "2026-02"): 2_000.0}
    assert (lines["amount"] == lines["basis_amount"]).all()
    assert set(lines["invoice_amount"]) == {10_000.0}
    dropped = pd.concat(left_out)
    assert dropped["key"].tolist() == ["I9"] and dropped["reason"].tolist() == ["payment_without_sale_lines"]


def test_a_plan_on_collected_sales_loses_returns_but_not_write_offs():
    """Dealer D1 on a 2 % plan on collected sales; invoice I1 of 10,000 paid in full in
    January → credited 200. A return of 2,500 in February takes back 2,500 · 2 % = 50. A
    write-off of 1,000 of another invoice I2 (6,000 sold, 5,000 collected → 100 credited)
    takes nothing back: the 1,000 was never collected, so never credited. A return of 3,000
    of I2 in March reverses half the invoice (3,000 / 6,000), so half of the 100: 50."""
    plans = {"C": IncentivePlan((0.0,), (0.02,), basis="collected_sales", plan_id="C")}
    sales = pd.DataFrame({"payee_id": "D1", "period": "2026-01", "invoice_no": ["I1", "I2"],
                          "amount": [10_000.0, 5_000.0], "invoice_amount": [10_000.0, 6_000.0]})
    payees = pd.DataFrame({"payee_id": "D1", "period": ["2026-01", "2026-02", "2026-03"], "plan_id": "C",
                           "target": 10_000.0})
    back = pd.DataFrame({"invoice_no": ["I1", "I2", "I2"], "period": ["2026-02", "2026-02", "2026-03"],
                         "amount": [2_500.0, 1_000.0, 3_000.0], "kind": ["return", "write_off", "return"]})
    lines, summary = calculate_payouts(sales, payees, plans, back)
    february = lines.loc[lines["period"] == "2026-02"].set_index("invoice_no")["commission"]
    assert february["I1"] == pytest.approx(-50.0) and february["I2"] == 0.0
    march = lines.loc[lines["period"] == "2026-03"].set_index("invoice_no")["commission"]
    assert march["I2"] == pytest.approx(-50.0)
    assert summary.set_index("period").loc["2026-01", "earned"] == pytest.approx(300.0)
