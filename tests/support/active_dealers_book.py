"""A hand-made workbook of six dealers for the "active in the month" tests: one active, one
suspended, one terminated mid-October, one terminated in April, a prospect and one joining in
November, with three October sales and two targets."""
from __future__ import annotations

import datetime as dt

from workbook_fixtures import labelled, settings_rows, write_workbook

D = dt.date


def dealer(dealer_id, status, joined, ended=None):
    return {"dealer_id": dealer_id, "dealer_name": f"Dealer {dealer_id}", "region": "north", "channel_type": "dealer",
            "status": status, "join_date": joined, "termination_date": ended, "credit_limit": 10_000,
            "payment_terms_days": 30, "sales_rep_id": "R1", "tier": "silver"}


def sale(number, day, dealer_id, amount):
    return {"invoice_no": f"S{number}", "line_no": 1, "invoice_date": day, "transaction_type": "sale",
            "dealer_id": dealer_id, "sku": "SKU1", "quantity": 1, "unit_price": amount, "discount_rate": 0,
            "amount": amount, "sales_rep_id": "R1"}


DEALERS = [
    dealer("D1", "active", D(2020, 1, 1)),                      # active, buys in October
    dealer("D2", "suspended", D(2021, 1, 1)),                   # suspended today: still under contract
    dealer("D3", "terminated", D(2019, 1, 1), D(2026, 10, 16)),  # traded until 16 October: active in October
    dealer("D4", "terminated", D(2018, 1, 1), D(2026, 4, 6)),   # gone since April
    dealer("D5", "prospect", D(2026, 8, 25)),                   # a prospect is not a dealer yet
    dealer("D6", "active", D(2026, 11, 2)),                     # joins in November
]
# October: D1 buys 1,000 and D3 500 (targets 800 and 400); D5, a prospect, buys 300 (no target).
SALES = [sale(1, D(2026, 10, 3), "D1", 1_000), sale(2, D(2026, 10, 5), "D3", 500), sale(3, D(2026, 10, 9), "D5", 300)]
TARGETS = [{"month": D(2026, 10, 1), "dealer_id": "D1", "year": 2026, "region": "north", "target_amount": 800},
           {"month": D(2026, 10, 1), "dealer_id": "D3", "year": 2026, "region": "north", "target_amount": 400}]


def write_book(folder):
    """The workbook written into ``folder`` (English labels)."""
    from dealerxl.forms import FORMS

    forms = {"dealer_master": DEALERS, "sales_transactions": SALES, "monthly_targets": TARGETS}
    forms = {form_id: labelled(form_id, rows, "en") for form_id, rows in forms.items()}
    forms["settings"] = settings_rows("en")
    for form_id in FORMS:
        forms.setdefault(form_id, [])
    return write_workbook(folder / "book.xlsx", forms, "en")
