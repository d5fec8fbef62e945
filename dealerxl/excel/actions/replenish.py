"""Ribbon button "Replenishment": the order proposal of ``dealerxl replenish`` on the open workbook.

Reads the open book through :class:`~dealerxl.excel.live.LiveBook`, plans at today's date,
writes the proposal (items missing parameters included, with what is missing) into the
workbook's replenishment proposal table through Excel, and says what was done in a message
box in the workbook's language. Input rows with problems are left out and the first is named.
"""
from __future__ import annotations

from dealerxl.excel.ribbon import button


def replenish_book(book, as_of=None) -> str:
    """Run the job on ``book`` (an open xlwings Book), write the table, return the message shown."""
    from dealerxl.book.language import detect_language
    from dealerxl.calc import CalcError
    from dealerxl.excel.live import LiveBook
    from dealerxl.excel.write_back import TableNotFound, show_progress, write_form_table
    from dealerxl.forms import get_form
    from dealerxl.i18n import tr
    from dealerxl.jobs.common import sheet_title
    from dealerxl.jobs.replenish import PROPOSAL_FORM, run_replenishment

    live = LiveBook(book)
    lang = detect_language(live)
    try:
        show_progress(book, tr("msg.replenishment.progress_reading", lang))
        try:
            # The open book is the user's screen: the scorecards belong to the saved report.
            result = run_replenishment(live, as_of=as_of, scorecards=False)
        except CalcError as error:
            return _say(book, lang, tr("msg.replenishment.failed", lang, reason=str(error)))
        proposal = result.tables["proposal"]
        show_progress(book, tr("msg.replenishment.progress_writing", lang, rows=len(proposal)))
        try:
            rows = write_form_table(book, PROPOSAL_FORM, proposal, lang)
        except TableNotFound:
            return _say(book, lang, tr("msg.replenishment.no_table", lang, table=get_form(PROPOSAL_FORM).table_name))
    finally:
        show_progress(book, None)
    job = tr("ribbon.replenish", lang)
    summary = result.summary
    lines = [tr("msg.job_done", lang, job=job, rows=rows, target=sheet_title(PROPOSAL_FORM, lang)),
             tr("msg.replenishment.summary", lang, orders=summary["orders"], value=f"{summary['order_value']:,.0f}",
                missing=summary["missing_parameters"])]
    if result.problems:
        lines.append(tr("msg.job_input_problems", lang, count=len(result.problems),
                        first=result.problems[0].message(lang)))
    return _say(book, lang, "\n".join(lines))


def _say(book, lang: str, text: str) -> str:
    from dealerxl.i18n import tr

    book.app.alert(text, title=tr("msg.app_title", lang))
    return text


@button("replenish", group="inventory", image_mso="TableInsert", order=300)
def replenish(book) -> str:
    return replenish_book(book)
