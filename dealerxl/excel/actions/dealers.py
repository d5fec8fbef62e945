"""Ribbon button "Dealer appraisal": the dealer review of ``dealerxl appraise`` on the open workbook.

Reads the open book through :class:`~dealerxl.excel.live.LiveBook`, appraises the last
complete month, writes one row per dealer into the workbook's dealer appraisal table through
Excel, and saves the whole review (appraisal with the metrics each dealer lacks, prospect
evaluation, renewals, market by region) as a new workbook in ``reports/`` beside it. What was
found is said in a message box in the workbook's language; input rows with problems are left
out and the first is named.
"""
from __future__ import annotations

from dealerxl.excel.actions.risk import last_complete_month
from dealerxl.excel.ribbon import button


def save_report(book, result, lang: str) -> str:
    """Save the review in ``reports/`` beside the open workbook; the line that says where (or why not)."""
    from dealerxl.excel.write_back import workbook_file
    from dealerxl.i18n import tr
    from dealerxl.jobs.common import write_result_workbook
    from dealerxl.jobs.dealers import output_name, report_formats, report_sheets

    path = workbook_file(book)
    if path is None:
        return tr("msg.dealers.reports_unsaved_book", lang)
    folder = path.resolve().parent / "reports"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        written = write_result_workbook(folder / output_name(result), report_sheets(result),
                                        formats=report_formats(result.lang))
    except OSError as error:
        return tr("msg.dealers.reports_not_saved", lang, reason=str(error))
    result.outputs.append(written)
    return tr("msg.dealers.reports_saved", lang, path=written)


def appraise_book(book, month: str | None = None) -> str:
    """Run the review on ``book`` (an open xlwings Book), write the table, save the report,
    return the message shown."""
    from dealerxl.excel.write_back import run_into_table
    from dealerxl.jobs.dealers import APPRAISAL_FORM, run_dealer_review, summary_text

    # The table takes the form's columns of the appraisal; the saved report keeps all of them
    # (the metrics a dealer lacks among them). It is saved once the table has been written.
    return run_into_table(book, job="dealers", code="dealers", form_id=APPRAISAL_FORM, table="appraisal",
                          run=lambda live: run_dealer_review(live, month or last_complete_month()),
                          notes=lambda result, lang: [save_report(book, result, lang), summary_text(result)])


@button("dealers", group="risk", image_mso="SortDialog", order=410)
def dealers(book) -> str:
    return appraise_book(book)
