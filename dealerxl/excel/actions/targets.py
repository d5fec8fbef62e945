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
    from dealerxl.excel.write_back import run_into_table
    from dealerxl.jobs.targets import OUTPUT_FORM, run_targets, summary_lines

    year = year or dt.date.today().year + 1
    return run_into_table(book, job="targets", code="targets", form_id=OUTPUT_FORM, table=OUTPUT_FORM,
                          run=lambda live: run_targets(live, year), notes=summary_lines)


@button("targets", group="sales", image_mso="ChartTrendline", order=200)
def targets(book) -> str:
    return targets_book(book)
