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
    from dealerxl.book.language import detect_language
    from dealerxl.calc import CalcError
    from dealerxl.excel.live import LiveBook
    from dealerxl.excel.write_back import TableNotFound, show_progress, write_form_table
    from dealerxl.forms import get_form
    from dealerxl.i18n import tr
    from dealerxl.jobs.common import sheet_title
    from dealerxl.jobs.risk import REVIEW_FORM, run_risk_review, summary_text

    live = LiveBook(book)
    lang = detect_language(live)
    try:
        show_progress(book, tr("msg.risk.progress_reading", lang))
        try:
            result = run_risk_review(live, month or last_complete_month())
        except CalcError as error:
            return _say(book, lang, tr("msg.risk.failed", lang, reason=str(error)))
        review = result.tables["review"]
        show_progress(book, tr("msg.risk.progress_writing", lang, rows=len(review)))
        try:
            rows = write_form_table(book, REVIEW_FORM, review, lang)
        except TableNotFound:
            return _say(book, lang, tr("msg.risk.no_table", lang, table=get_form(REVIEW_FORM).table_name))
    finally:
        show_progress(book, None)
    lines = [tr("msg.job_done", lang, job=tr("ribbon.risk", lang), rows=rows, target=sheet_title(REVIEW_FORM, lang)),
             summary_text(result)]
    if result.problems:
        lines.append(tr("msg.job_input_problems", lang, count=len(result.problems),
                        first=result.problems[0].message(lang)))
    return _say(book, lang, "\n".join(lines))


def _say(book, lang: str, text: str) -> str:
    from dealerxl.i18n import tr

    book.app.alert(text, title=tr("msg.app_title", lang))
    return text


@button("risk", group="risk", image_mso="HighImportance", order=400)
def risk(book) -> str:
    return review_book(book)
