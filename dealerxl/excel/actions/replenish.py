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
    from dealerxl.excel.write_back import run_into_table
    from dealerxl.jobs.replenish import PROPOSAL_FORM, run_replenishment, summary_lines

    def notes(result, lang):
        return summary_lines(result, lang)

    # The open book is the user's screen: the scorecards belong to the saved report.
    return run_into_table(book, job="replenish", code="replenishment", form_id=PROPOSAL_FORM, table="proposal",
                          run=lambda live: run_replenishment(live, as_of=as_of, scorecards=False), notes=notes)


@button("replenish", group="inventory", image_mso="ForecastInsert", order=300)
def replenish(book) -> str:
    return replenish_book(book)
