"""The roll-rate provision worked out by hand on a ledger of six invoices, beside the provision
matrix, and the lifetime loss rates' properties."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workbook_fixtures import labelled, settings_rows, write_workbook

from dealerxl.calc import CalcError
from dealerxl.calc.receivables import lifetime_loss_rates, loss_rates_from_roll_rates, migration_flows
from dealerxl.jobs.risk import run_risk_review, summary_text

D = dt.date


def invoice(number, issued, due, amount, paid=None, paid_on=None):
    return {"invoice_no": number, "dealer_id": "D1", "invoice_date": issued, "due_date": due, "amount": amount,
            "paid_amount": paid, "paid_date": paid_on}


# Month ends observed: 31 Aug → 30 Sep and 30 Sep → 31 Oct (two months of history).
LEDGER = [
    # A: current on 31 Aug (due 15 Sep), 1–30 on 30 Sep, 400 paid 20 Oct, 600 in 31–60 on 31 Oct.
    invoice("A", D(2026, 8, 1), D(2026, 9, 15), 1_000, 400, D(2026, 10, 20)),
    # B: current on 31 Aug, paid in full on 12 Sep.
    invoice("B", D(2026, 8, 5), D(2026, 9, 10), 2_000, 2_000, D(2026, 9, 12)),
    # C: 1–30 on 31 Aug (due 20 Aug), 31–60 on 30 Sep, written off on 25 Oct.
    invoice("C", D(2026, 7, 20), D(2026, 8, 20), 500),
    # D: current on 30 Sep (due 1 Oct), 1–30 on 31 Oct, unpaid.
    invoice("D", D(2026, 9, 1), D(2026, 10, 1), 3_000),
    # E: current on 30 Sep, paid on 3 Oct.
    invoice("E", D(2026, 9, 5), D(2026, 10, 5), 1_000, 1_000, D(2026, 10, 3)),
    # F: issued in October, current on 31 Oct.
    invoice("F", D(2026, 10, 10), D(2026, 11, 9), 5_000),
]
WRITE_OFFS = [{"invoice_no": "C", "dealer_id": "D1", "write_off_date": D(2026, 10, 25), "write_off_amount": 500,
               "write_off_reason": "dealer_closed"}]


def workbook(tmp_path, extra=None, **changes):
    from dealerxl.forms import FORMS

    forms = {"dealer_master": [{"dealer_id": "D1", "dealer_name": "Dealer 1", "region": "north",
                                "channel_type": "dealer", "status": "active", "join_date": D(2020, 1, 1),
                                "credit_limit": 100_000, "payment_terms_days": 30, "sales_rep_id": "R1"}],
             "receivables": LEDGER, "write_offs": WRITE_OFFS, **(extra or {})}
    forms = {form_id: labelled(form_id, rows, "en") for form_id, rows in forms.items()}
    rows = settings_rows("en")
    values = {"roll_rate_history_months": 2, "roll_rate_min_months": 2, **changes}
    for row in rows:
        row["setting_value"] = values.get(row["setting_id"], row["setting_value"])
    forms["settings"] = rows
    for form_id in FORMS:
        forms.setdefault(form_id, [])
    return write_workbook(tmp_path / "book.xlsx", forms, "en")


def review(tmp_path, extra=None, **changes):
    return run_risk_review(workbook(tmp_path, extra, **changes), "2026-10", lang="en")


def test_roll_rates_and_lifetime_loss_rates_of_the_hand_made_ledger(tmp_path):
    """Where each bucket's balance went a month later, over both months:
    current 7,000 (A 1,000 and B 2,000 on 31 Aug, D 3,000 and E 1,000 on 30 Sep): 4,000 rolled
    to 1–30 (A, D), 3,000 collected (B, E) → roll 4/7, nothing written off;
    1–30 1,500 (C 500 on 31 Aug, A 1,000 on 30 Sep): 1,100 rolled to 31–60 (C, A's 600), 400
    collected → roll 11/15;
    31–60 500 (C on 30 Sep): written off in October, from the bucket it left → 100 %.
    Lifetime loss: 31–60 = 1; 1–30 = 11/15 · 1 = 0.7333; current = 4/7 · 0.7333 = 0.4190."""
    result = review(tmp_path)
    chain = result.tables["roll_rates"].set_index("ageing_bucket")
    assert chain.loc["current", "observed_balance"] == 7_000
    assert chain.loc["current", "rolled_on_share"] == pytest.approx(4 / 7)
    assert chain.loc["current", "collected_share"] == pytest.approx(3 / 7)
    assert chain.loc["d1_30", "rolled_on_share"] == pytest.approx(11 / 15)
    assert chain.loc["d31_60", "written_off_share"] == 1.0
    assert chain.loc["d31_60", "lifetime_loss_rate"] == 1.0
    assert chain.loc["d1_30", "lifetime_loss_rate"] == pytest.approx(11 / 15)
    assert chain.loc["current", "lifetime_loss_rate"] == pytest.approx(4 / 7 * 11 / 15)
    assert np.isnan(chain.loc["d61_90", "lifetime_loss_rate"])  # nothing was ever in 61–90 days
    assert result.summary["roll_rate_history_months"] == 2


def test_both_provisions_side_by_side_and_the_warning_when_they_differ(tmp_path):
    """Open on 31 Oct: F 5,000 current, D 3,000 in 1–30, A 600 in 31–60.
    Roll rates: 5,000 · 0.4190 + 3,000 · 0.7333 + 600 · 1 = 2,095.24 + 2,200 + 600 = 4,895.24.
    Provision matrix (defaults 0.5 %, 2 %, 6 %): 25 + 60 + 36 = 121. 4,895.24 / 121 = 40.5,
    more than the default 2: the review says so; the roll-rate provision is booked."""
    result = review(tmp_path)
    provision = result.tables["provision"].set_index("ageing_bucket")
    assert provision.loc["total", "roll_rate_ecl"] == pytest.approx(5_000 * 4 / 7 * 11 / 15 + 2_200 + 600)
    assert provision.loc["total", "matrix_ecl"] == pytest.approx(121)
    assert provision.loc["d1_30", "roll_rate_ecl"] == pytest.approx(2_200)
    assert result.summary["ecl"] == pytest.approx(4_895.238, abs=0.001)
    assert result.summary["provision_ratio"] == pytest.approx(4_895.238 / 121, rel=1e-6)
    assert result.summary["provision_methods_differ"] is True
    assert "differ 40.46-fold" in summary_text(result)


def test_without_roll_rates_the_matrix_is_booked_and_both_are_still_shown(tmp_path):
    result = review(tmp_path, use_roll_rates=0, provision_method_max_ratio=50)
    assert result.summary["ecl"] == pytest.approx(121) and result.summary["loss_rate_source"] == "settings"
    assert result.tables["provision"].set_index("ageing_bucket").loc["total", "roll_rate_ecl"] == pytest.approx(4_895.238,
                                                                                                              abs=0.001)
    assert not result.summary["provision_methods_differ"]


def test_too_little_history_leaves_the_matrix_and_says_why(tmp_path):
    result = review(tmp_path, roll_rate_min_months=3)
    assert result.summary["loss_rate_source"] == "settings" and result.summary["roll_rates_unavailable"] == "history"
    assert "fewer pairs of month ends" in summary_text(result)


def test_a_loss_rate_above_one_after_the_factor_is_capped_and_named(tmp_path):
    """With a forward-looking factor of 1.5 the 31–60 bucket's 100 % would be 150 %: it is taken
    as 100 % and named; 1–30 becomes 0.7333 · 1.5 = 1.1 → capped too."""
    result = review(tmp_path, ecl_forward_looking_factor=1.5)
    provision = result.tables["provision"].set_index("ageing_bucket")
    assert provision.loc["d31_60", "roll_rate_loss_rate"] == 1.0 and provision.loc["d31_60", "capped"] == "yes"
    assert provision.loc["d1_30", "capped"] == "yes" and provision.loc["current", "capped"] == "no"
    assert "were taken as 100 %: 1–30" in summary_text(result)


def test_month_wide_buckets_give_the_product_of_the_roll_rates():
    """Nothing stays, write-offs only from the oldest bucket: the chain is the textbook product."""
    rolls = np.array([0.3, 0.5, 0.6, 0.4])
    flows = np.zeros((4, 6))
    for i, roll in enumerate(rolls):
        flows[i, i + 1 if i < 3 else 4] = 1_000 * roll
        flows[i, 5] = 1_000 * (1 - roll)
    assert lifetime_loss_rates(flows)["loss_rate"].to_numpy() == pytest.approx(loss_rates_from_roll_rates(rolls))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.floats(0, 1e6), min_size=8, max_size=8), min_size=6, max_size=6))
def test_lifetime_loss_rates_are_shares_whatever_the_flows(rows):
    flows = np.array(rows)
    flows[:, :6] = np.triu(flows[:, :6])  # balances only age forward
    loss = lifetime_loss_rates(flows)["loss_rate"].to_numpy()
    known = ~np.isnan(loss)
    assert ((loss[known] >= -1e-12) & (loss[known] <= 1 + 1e-12)).all()


def test_a_balance_moving_back_to_a_younger_bucket_is_refused():
    flows = np.zeros((2, 4))
    flows[1, 0] = 10.0
    with pytest.raises(CalcError, match="younger"):
        lifetime_loss_rates(flows)


def test_a_write_off_counts_in_the_bucket_it_left_not_the_oldest():
    """One invoice of 100 in 1–30 days at a month end, written off during the next month:
    the write-off leaves 1–30 (not over 180 days)."""
    flows = migration_flows(np.array([[100.0, 0.0]]), np.array([[1, 2]]), np.array([[0.0, 100.0]]), 6)
    assert flows[1, 6] == 100.0 and flows[5].sum() == 0.0


# The ERP's ageing at 30 Sep as typed into the ageing history: 1–30 days says 1,500 where the
# ledger has A's 1,000; 31–60 days says C's 500, as the ledger does. A write-off of invoice Z,
# which the ledger does not hold, cannot be followed in the roll rates.
CHECKS = {"ageing_history": [{"month": D(2026, 9, 1), "ageing_bucket": "d1_30", "balance": 1_500},
                             {"month": D(2026, 9, 1), "ageing_bucket": "d31_60", "balance": 500}],
          "write_offs": [*WRITE_OFFS, {"invoice_no": "Z", "dealer_id": "D1", "write_off_date": D(2026, 9, 3),
                                       "write_off_amount": 80, "write_off_reason": "small_balance"}]}


def test_rows_the_roll_rates_cannot_use_are_listed_with_the_reason(tmp_path):
    """Listed: the 30 Sep 1–30 balance, 500 more than the ledger's 1,000; the write-off of Z (80).
    Not listed: the 31–60 balance that agrees."""
    left_out = review(tmp_path, CHECKS).tables["left_out"]
    rows = left_out[["form_id", "key", "amount", "reason"]].values.tolist()
    assert sorted(rows) == [["ageing_history", "2026-09 d1_30", 500.0, "ageing_history_differs"],
                            ["write_offs", "Z", 80.0, "write_off_without_invoice"]]


def test_the_data_quality_sheet_shows_every_row_left_out(tmp_path):
    import openpyxl

    from dealerxl.report.monthly import run_monthly_report
    from dealerxl.report.workbook import write_report

    sold = [{"invoice_no": "F", "line_no": 1, "invoice_date": D(2026, 10, 10), "transaction_type": "sale",
             "dealer_id": "D1", "sku": "K1", "quantity": 1, "unit_price": 5_000, "amount": 5_000,
             "sales_rep_id": "R1"}]
    result = run_monthly_report(workbook(tmp_path, {**CHECKS, "sales_transactions": sold}), "2026-10", lang="en")
    assert result.summary["left_out"] >= 2
    path = write_report(result, tmp_path / "report.xlsx", sheets=("data_quality",))
    cells = [v for row in openpyxl.load_workbook(path).active.iter_rows(values_only=True) for v in row if v]
    assert "Rows the reviews left out: %d" % result.summary["left_out"] in cells
    assert "2026-09 d1_30" in cells and "Z" in cells
    assert any(str(c).startswith("The ageing history's month-end balance differs") for c in cells)
