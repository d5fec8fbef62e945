"""Ribbon buttons "Issue templates" and "Collect submissions" on the open workbook.

"Issue templates" writes last month's dealer monthly report for every current dealer of the
open workbook's dealer master into ``issued/dealer_monthly_<month>/`` next to it (as
``dealerxl templates issue`` does). "Collect submissions" collects every file in the
``inbox`` folder next to the workbook into its history store and writes the collection
report and the reminder list into ``reports/`` (as ``dealerxl collect`` does). The open
workbook itself is never changed.
"""
from __future__ import annotations

from pathlib import Path

from dealerxl.excel.ribbon import button

ISSUED_FORM = "dealer_monthly"
INBOX = "inbox"


def issue_for_book(book, month: str | None = None, form_id: str = ISSUED_FORM) -> str:
    from dealerxl.excel.actions.risk import last_complete_month
    from dealerxl.excel.write_back import run_into_file
    from dealerxl.exchange.issue import plan_issue, write_issued
    from dealerxl.i18n import tr

    period = month or last_complete_month()
    path = Path(book.fullname).resolve()

    def write(result, reports: Path) -> list[Path]:
        folder = reports.parent / "issued" / f"{form_id}_{period}"
        return [folder, *write_issued(result, folder, workbook=path)]

    def notes(result, lang: str) -> list[str]:
        folder = path.parent / "issued" / f"{form_id}_{period}"
        return [tr("msg.exchange.issued", lang, count=len(result.tables["recipients"]), form=form_id, period=period,
                   folder=folder)]

    return run_into_file(book, job="issue_templates", code="issue_templates",
                         run=lambda live: plan_issue(form_id, period, workbook=live),
                         write=write, notes=notes)


def collect_for_book(book) -> str:
    from dealerxl.excel.write_back import run_into_file
    from dealerxl.exchange.collect import (
        collect_files,
        output_name,
        summary_lines,
        write_outputs,
    )

    path = Path(book.fullname).resolve()
    inbox = path.parent / INBOX
    inbox.mkdir(exist_ok=True)
    return run_into_file(book, job="collect_submissions", code="collect_submissions",
                         run=lambda live: collect_files([inbox], workbook=live, workbook_path=path),
                         write=lambda result, reports: write_outputs(result, reports / output_name(result)),
                         notes=lambda result, lang: summary_lines(result))


@button("issue_templates", group="exchange", image_mso="FileSaveAs", order=700)
def issue_templates(book) -> str:
    return issue_for_book(book)


@button("collect_submissions", group="exchange", image_mso="GetPowerQueryDataFromFolder", order=710)
def collect_submissions(book) -> str:
    return collect_for_book(book)
