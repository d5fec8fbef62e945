"""Ribbon button "Dealer statements": last month's statements of ``dealerxl statements``.

Works the statements out from the open workbook, saves the statement workbook in ``reports/``
next to it (the open workbook is not changed) and says where it is; the run is appended to
the audit log (:func:`~dealerxl.excel.write_back.run_into_file`).
"""
from __future__ import annotations

from dealerxl.excel.ribbon import button


def statements_book(book, month: str | None = None) -> str:
    """Write the dealer statements of ``month`` (default: the last complete month) for ``book``
    and return the message shown."""
    from dealerxl.cli.statements import notes
    from dealerxl.excel.actions.risk import last_complete_month
    from dealerxl.excel.write_back import run_into_file
    from dealerxl.report.statements import output_name, run_statements, write_statements

    return run_into_file(book, job="statements", code="statements",
                         run=lambda live: run_statements(live, month or last_complete_month()),
                         write=lambda result, folder: [write_statements(result, folder / output_name(result))],
                         notes=lambda result, lang: notes(result)[:1])


@button("statements", group="report", image_mso="FilePrintPreview", order=110)
def statements(book) -> str:
    return statements_book(book)
