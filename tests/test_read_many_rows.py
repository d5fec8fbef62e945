"""Checks stay exact on big tables: every duplicate and every bad cell among many rows is cited."""
from __future__ import annotations

from dealerxl.book.grid import Grid
from dealerxl.book.locate import Located
from dealerxl.book.validate import validate_located
from dealerxl.forms import FORMS
from dealerxl.i18n import tr

FORM = FORMS["sales_transactions"]
ROWS = 60_000
REPEATED_LINE_ONE = (19_999, 40_001, 59_999)  # these rows repeat line 1 of their invoice


def sales_grid() -> Grid:
    header = [tr(c.label_key, "en") for c in FORM.columns]
    sale = tr("enum.transaction_type.sale", "en")
    body = []
    for i in range(ROWS):
        invoice = f"INV{i // 3:06d}"
        line = 1.0 if i in REPEATED_LINE_ONE else float(i % 3 + 1)
        price = "abc" if i % 15_000 == 7 else f"{1000 + i % 50:,}.5"
        body.append([invoice, line, "2026/10/%02d" % (1 + i % 28), sale, "D1", "S1", "１２", price, "5%", "", "", "",
                     "R1"])
    return Grid("Sales", [header, *body])


def test_every_duplicate_and_bad_price_among_many_rows_is_cited():
    grid = sales_grid()
    located = Located(grid, 0, {c.id: j for j, c in enumerate(FORM.columns)}, "table")
    result = validate_located(located, FORM)
    messages = [p.message("en") for p in result.problems]
    duplicates = [m for m in messages if "Duplicates" in m]
    prices = [m for m in messages if "is not an amount" in m]
    # Row i sits on Excel row i + 2; its invoice's first line is at row i - i % 3 + 2.
    assert duplicates == [f"Sales!A{i + 2}: Duplicates A{i - i % 3 + 2}: only one row may have the same "
                          f"{tr('col.invoice_no', 'en')}, {tr('col.line_no', 'en')}"
                          for i in REPEATED_LINE_ONE]
    assert prices == [f'Sales!H{i + 2}: "{tr("col.unit_price", "en")}": "abc" is not an amount'
                      for i in range(7, ROWS, 15_000)]
    assert len(result.data) == ROWS - 3 * 2 - 4
    assert result.data["quantity"].eq(12).all() and result.data["discount_rate"].round(6).eq(0.05).all()
