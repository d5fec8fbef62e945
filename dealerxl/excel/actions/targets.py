"""Ribbon button "Set targets": the month × dealer targets of ``dealerxl targets`` on the open workbook.

Reads the open book through :class:`~dealerxl.excel.live.LiveBook`, sets the targets of the
coming year (today's year + 1), writes them into the workbook's monthly targets table through
Excel and says what was done in a message box in the workbook's language. Input rows with
problems are left out and the first is named.
"""
from __future__ import annotations

import datetime as dt

from dealerxl.excel.ribbon import button


def targets_book(book, year: int | None = None) -> str:
    """Run the job on ``book`` (an open xlwings Book), write the table, return the message shown."""
    from dealerxl.book.language import detect_language
    from dealerxl.calc import CalcError
    from dealerxl.excel.live import LiveBook
    from dealerxl.excel.write_back import TableNotFound, show_progress, write_form_table
    from dealerxl.forms import get_form
    from dealerxl.i18n import tr
    from dealerxl.jobs.common import sheet_title
    from dealerxl.jobs.targets import OUTPUT_FORM, run_targets

    live = LiveBook(book)
    lang = detect_language(live)
    year = year or dt.date.today().year + 1
    try:
        show_progress(book, tr("msg.targets.progress_reading", lang))
        try:
            result = run_targets(live, year)
        except CalcError as error:
            return _say(book, lang, tr("msg.targets.failed", lang, reason=str(error)))
        table = result.tables[OUTPUT_FORM]
        show_progress(book, tr("msg.targets.progress_writing", lang, rows=len(table)))
        try:
            rows = write_form_table(book, OUTPUT_FORM, table, lang)
        except TableNotFound:
            return _say(book, lang, tr("msg.targets.no_table", lang, table=get_form(OUTPUT_FORM).table_name))
    finally:
        show_progress(book, None)
    summary = result.summary
    lines = [tr("msg.job_done", lang, job=tr("ribbon.targets", lang), rows=rows, target=sheet_title(OUTPUT_FORM, lang)),
             tr("msg.targets.summary", lang, year=summary["year"], total=f"{summary['total']:,.0f}",
                dealers=summary["dealers"])]
    if result.warnings:
        lines.append(tr("msg.targets.company_pattern", lang, scopes=", ".join(result.warnings)))
    if result.problems:
        lines.append(tr("msg.job_input_problems", lang, count=len(result.problems),
                        first=result.problems[0].message(lang)))
    return _say(book, lang, "\n".join(lines))


def _say(book, lang: str, text: str) -> str:
    from dealerxl.i18n import tr

    book.app.alert(text, title=tr("msg.app_title", lang))
    return text


@button("targets", group="sales", image_mso="ChartTrendline", order=200)
def targets(book) -> str:
    return targets_book(book)
