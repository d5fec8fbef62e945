"""Ribbon button "Risk review": the dealer risk review of ``dealerxl risk`` on the open workbook.

Reads the open book through :class:`~dealerxl.excel.live.LiveBook`, reviews the last complete
month (the review is a month-end one), writes one row per dealer into the workbook's dealer
risk review table through Excel, and says what was found in a message box in the workbook's
language. Input rows with problems are left out and the first is named.
"""
from __future__ import annotations

import datetime as dt

from dealerxl.excel.ribbon import button


def last_complete_month(today: dt.date | None = None) -> str:
    """``YYYY-MM`` of the month before ``today``'s (default: the real today)."""
    first = (today or dt.date.today()).replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def review_book(book, month: str | None = None) -> str:
    """Run the job on ``book`` (an open xlwings Book), write the table, return the message shown."""
    from dealerxl.excel.write_back import run_into_table
    from dealerxl.jobs.risk import REVIEW_FORM, run_risk_review, summary_text

    return run_into_table(book, job="risk", code="risk", form_id=REVIEW_FORM, table="review",
                          run=lambda live: run_risk_review(live, month or last_complete_month()),
                          notes=lambda result, lang: [summary_text(result)])


@button("risk", group="risk", image_mso="ConditionalFormattingIconSetsGallery", order=400)
def risk(book) -> str:
    return review_book(book)
