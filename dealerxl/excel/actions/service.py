"""Ribbon button "Service review": the review of ``dealerxl service`` for last month.

Reads the open book through :class:`~dealerxl.excel.live.LiveBook`, reviews the last complete
month, saves the report workbook in ``reports/`` next to the open workbook
(``book.fullname``; the open workbook itself is not touched) and says what was found and
where the file is in a message box in the workbook's language.
"""
from __future__ import annotations

from pathlib import Path

from dealerxl.excel.ribbon import button


def service_book(book, month: str | None = None) -> str:
    """Run the job on ``book`` (an open xlwings Book), save the report, return the message shown."""
    from dealerxl.book.language import detect_language
    from dealerxl.calc import CalcError
    from dealerxl.excel.actions.risk import last_complete_month
    from dealerxl.excel.live import LiveBook
    from dealerxl.excel.write_back import say, say_done, show_progress
    from dealerxl.i18n import tr
    from dealerxl.jobs.common import write_result_workbook
    from dealerxl.jobs.service import output_name, report_formats, report_sheets, run_service_review, summary_text

    live = LiveBook(book)
    lang = detect_language(live)
    try:
        show_progress(book, tr("msg.service.progress", lang))
        try:
            result = run_service_review(live, month or last_complete_month(), lang=lang)
        except CalcError as error:
            return say(book, lang, tr("msg.service.failed", lang, reason=str(error)))
        folder = Path(book.fullname).resolve().parent / "reports"
        folder.mkdir(parents=True, exist_ok=True)
        path = write_result_workbook(folder / output_name(result), report_sheets(result),
                                     formats=report_formats(lang))
        result.outputs.append(path)
    finally:
        show_progress(book, None)
    done = tr("msg.job_done_file", lang, job=tr("ribbon.service", lang), path=path)
    return say_done(book, lang, [done, summary_text(result)], result.problems)


@button("service", group="service", image_mso="ContactUs", order=450)
def service(book) -> str:
    return service_book(book)
