"""Ribbon button "Incentives": the statements of ``dealerxl incentives`` for last month.

Reads the open book through :class:`~dealerxl.excel.live.LiveBook`, works out the statements
of the month before today, saves the statement workbook in ``reports/`` next to the open
workbook (``book.fullname``; the open workbook itself is not touched) and says where it is
in a message box in the workbook's language.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from dealerxl.excel.ribbon import button


def incentives_book(book, month: str | None = None) -> str:
    """Run the job on ``book`` (an open xlwings Book), save the statements, return the message shown."""
    import pandas as pd

    from dealerxl.book.language import detect_language
    from dealerxl.calc import CalcError
    from dealerxl.cli.incentives import notes
    from dealerxl.excel.live import LiveBook
    from dealerxl.excel.write_back import say, say_done, show_progress
    from dealerxl.i18n import tr
    from dealerxl.jobs.common import write_result_workbook
    from dealerxl.jobs.incentives import output_name, run_incentives, statement_formats, statement_sheets

    live = LiveBook(book)
    lang = detect_language(live)
    month = month or str(pd.Period(dt.date.today(), "M") - 1)
    try:
        show_progress(book, tr("msg.incentives.progress", lang))
        try:
            result = run_incentives(live, month, lang=lang)
        except CalcError as error:
            return say(book, lang, tr("msg.incentives.failed", lang, reason=str(error)))
        folder = Path(book.fullname).resolve().parent / "reports"
        folder.mkdir(parents=True, exist_ok=True)
        path = write_result_workbook(folder / output_name(result), statement_sheets(result),
                                     formats=statement_formats(lang))
    finally:
        show_progress(book, None)
    done = tr("msg.job_done_file", lang, job=tr("ribbon.incentives", lang), path=path)
    return say_done(book, lang, [done, *notes(result)], result.problems)


@button("incentives", group="sales", image_mso="Calculator", order=250)
def incentives(book) -> str:
    return incentives_book(book)
