"""Ribbon button "Monthly report" (月報): the report of ``dealerxl report`` on the open workbook.

Reads the open book through :class:`~dealerxl.excel.live.LiveBook` once for every review,
reports the last complete month, saves the report as a new workbook in ``reports/`` next to
the open workbook (which is not changed), opens it in Excel and says where it is. Progress
shows in the status bar and the run is appended to the audit log
(:func:`~dealerxl.excel.write_back.run_into_file`).
"""
from __future__ import annotations

from dealerxl.excel.ribbon import button


def make_report(book, month: str | None = None) -> str:
    """Write the monthly report of ``month`` (default: the last complete month) for ``book``,
    open it in Excel and return the message shown."""
    from dealerxl.excel.actions.risk import last_complete_month
    from dealerxl.excel.write_back import run_into_file
    from dealerxl.report.monthly import output_name, run_monthly_report, summary_text
    from dealerxl.report.workbook import write_report

    def write(result, folder):
        path = write_report(result, folder / output_name(result))
        book.app.books.open(str(path))  # the report is what the user wants to see next
        return [path]

    return run_into_file(book, job="monthly_report", code="monthly_report",
                         run=lambda live: run_monthly_report(live, month or last_complete_month()),
                         write=write, notes=lambda result, lang: [summary_text(result)])


@button("monthly_report", group="report", image_mso="ChartInsert", order=100)
def monthly_report(book) -> str:
    return make_report(book)
