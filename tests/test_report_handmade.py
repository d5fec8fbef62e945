"""The monthly report's summary on a workbook small enough to work every figure out by hand.

Four dealers, six sales lines, two invoices, three complaints and five survey answers; the
expected numbers are written out next to the rows they come from.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from workbook_fixtures import labelled, settings_rows, write_workbook

from dealerxl.report.monthly import run_monthly_report

MONTH = "2026-10"
D = dt.date


def dealer(dealer_id, region, joined, ended=None):
    return {"dealer_id": dealer_id, "dealer_name": f"Dealer {dealer_id}", "region": region,
            "channel_type": "dealer", "status": "terminated" if ended else "active", "join_date": joined,
            "termination_date": ended, "credit_limit": 10_000, "payment_terms_days": 30, "sales_rep_id": "R1"}


def sale(number, day, dealer_id, amount, kind="sale"):
    return {"invoice_no": f"S{number}", "line_no": 1, "invoice_date": day, "transaction_type": kind,
            "dealer_id": dealer_id, "sku": "SKU1", "quantity": 1, "unit_price": amount, "discount_rate": 0,
            "amount": amount, "sales_rep_id": "R1"}


def complaint(number, received, status="open"):
    return {"complaint_id": f"C{number}", "dealer_id": "D1", "received_at": received, "contact_channel": "phone",
            "severity": "low", "complaint_cause": "delivery", "description": "late", "case_status": status}


def answer(number, day, nps):
    return {"response_id": f"A{number}", "dealer_id": "D1", "survey_date": day, "survey_type": "periodic",
            "csat_score": 4, "nps_score": nps}


FORMS = {
    # October: D1, D2 (joined 5 Oct: new) and D3 (ended 20 Oct: lost) are dealers; D4 ended in August.
    # September: D1 and D3.
    "dealer_master": [dealer("D1", "north", D(2020, 1, 1)), dealer("D2", "south", D(2026, 10, 5)),
                      dealer("D3", "north", D(2019, 1, 1), D(2026, 10, 20)),
                      dealer("D4", "south", D(2018, 1, 1), D(2026, 8, 31))],
    # Net sales: Oct 2025 1000; 2026: Jan 500, Sep 800, Oct 1200 + 300 − 100 (a return) = 1400.
    "sales_transactions": [sale(1, D(2025, 10, 10), "D1", 1000), sale(2, D(2026, 1, 15), "D1", 500),
                           sale(3, D(2026, 9, 12), "D1", 800), sale(4, D(2026, 10, 3), "D1", 1200),
                           sale(5, D(2026, 10, 8), "D3", 300), sale(6, D(2026, 10, 9), "D3", 100, "return")],
    # Targets: September 1000, October 2000.
    "monthly_targets": [{"month": D(2026, 9, 1), "dealer_id": "D1", "year": 2026, "region": "north",
                         "target_amount": 1000},
                        {"month": D(2026, 10, 1), "dealer_id": "D1", "year": 2026, "region": "north",
                         "target_amount": 1000},
                        {"month": D(2026, 10, 1), "dealer_id": "D3", "year": 2026, "region": "north",
                         "target_amount": 1000}],
    # Stock 50 at cost 10 = 500; demand 10 a month for 12 months at cost 10 = 1200 a year.
    "item_master": [{"sku": "SKU1", "sku_name": "Widget", "product_group": "PG1", "unit": "pcs", "list_price": 20,
                     "unit_cost": 10, "supplier_id": "SUP1", "lead_time_days": 10, "status": "active"}],
    "stock_ledger": [{"sku": "SKU1", "location": "WH1", "on_hand": 50, "on_order": 0, "reserved": 0,
                      "last_issue_date": D(2026, 10, 28)}],
    # Demand is shipped + unserved: 10 shipped a month, and in October 5 more asked for that could
    # not be served → 125 a year at cost 10 = 1,250.
    "demand_history": [{"sku": "SKU1", "location": "WH1", "month": D(2025 + (m > 2), (m + 9) % 12 + 1, 1),
                        "quantity": 10, "unfulfilled_qty": 5 if m == 12 else 0} for m in range(1, 13)],
    # Overdue at 31 Oct: 700 (due 30 Sep) + 400 − 150 paid (due 15 Oct) = 950; at 30 Sep: nothing
    # (due that very day is not yet past due; the second invoice is not issued).
    "receivables": [{"invoice_no": "S3", "dealer_id": "D1", "invoice_date": D(2026, 8, 1),
                     "due_date": D(2026, 9, 30), "amount": 700},
                    {"invoice_no": "S5", "dealer_id": "D3", "invoice_date": D(2026, 10, 1),
                     "due_date": D(2026, 10, 15), "amount": 400, "paid_amount": 150, "paid_date": D(2026, 10, 20)}],
    # Complaints: two received in October, one in September.
    "complaint_log": [complaint(1, dt.datetime(2026, 9, 20, 10)), complaint(2, dt.datetime(2026, 10, 2, 9)),
                      complaint(3, dt.datetime(2026, 10, 12, 14), "resolved")],
    # A service ticket in October, answered within the hour and resolved the next day: no breach.
    "service_tickets": [{"ticket_id": "T1", "dealer_id": "D1", "ticket_type": "repair", "severity": "low",
                         "opened_at": dt.datetime(2026, 10, 5, 10), "first_response_at": dt.datetime(2026, 10, 5, 11),
                         "resolved_at": dt.datetime(2026, 10, 6, 10), "case_status": "resolved"}],
    # NPS in October: promoters 10, 9 (2 of 4), detractor 3 (1 of 4), passive 7 → 25;
    # September: one detractor → −100.
    "survey_responses": [answer(1, D(2026, 10, 3), 10), answer(2, D(2026, 10, 4), 9), answer(3, D(2026, 10, 5), 3),
                         answer(4, D(2026, 10, 6), 7), answer(5, D(2026, 9, 6), 2)],
}


@pytest.fixture(scope="module")
def summary(tmp_path_factory):
    from dealerxl.forms import FORMS as ALL

    forms = {form_id: labelled(form_id, rows, "zh-Hant") for form_id, rows in FORMS.items()}
    settings = settings_rows("zh-Hant")
    for row in settings:
        if row["setting_id"] == "survey_min_sample":
            row["setting_value"] = 1  # five answers are a sample here
    forms["settings"] = settings
    for form_id in ALL:
        forms.setdefault(form_id, [])
    path = write_workbook(tmp_path_factory.mktemp("handmade") / "book.xlsx", forms, "zh-Hant")
    result = run_monthly_report(path, MONTH)
    return result.tables["summary"].set_index("figure")


@pytest.mark.parametrize("name, value, previous", [
    ("revenue", 1400, 800),
    ("target", 2000, 1000),
    # Both October dealers with sales (D1 1200, D3 200) have a target; in September D1 (800).
    ("targeted_revenue", 1400, 800),
    ("untargeted_revenue", 0, 0),
    ("achievement", 0.7, 0.8),
    ("yoy", 0.4, np.nan),
    ("ytd", 2700, 1300),
    ("ytd_yoy", 1.7, np.nan),
    ("active_dealers", 3, 2),
    # Bought in the month: D1 and D3 in October, D1 in September.
    ("trading_dealers", 2, 1),
    ("new_dealers", 1, 0),
    ("lost_dealers", 1, 0),
    ("stock_value", 500, np.nan),
    ("days_of_supply", 500 / 1250 * 365.25, np.nan),
    ("overdue_receivables", 950, 0),
    # Default provision matrix: 250 at 16 days past due × 2 % + 700 at 31 days × 6 % = 47;
    # at 30 Sep the 700 is current: × 0.5 % = 3.5.
    ("provision", 47, 3.5),
    ("complaints", 2, 1),
    # The SLA base is every case received: October C2, C3 and T1 = 3; September C1 = 1.
    ("service_cases", 3, 1),
    # C2 (October) and C1 (September) were never answered; C3 was closed; T1 was on time.
    ("sla_breaches", 1, 1),
    ("sla_breach_share", 1 / 3, 1.0),
    ("nps_responses", 4, 1),
    ("nps", 25, -100),
])
def test_summary_figure_equals_the_hand_worked_value(summary, name, value, previous):
    row = summary.loc[name]
    assert row["value"] == pytest.approx(value)
    if np.isnan(previous):
        assert np.isnan(row["previous"])
    else:
        assert row["previous"] == pytest.approx(previous)
        assert row["change"] == pytest.approx(value - previous)
