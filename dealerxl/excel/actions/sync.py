"""Ribbon button "Sync from store": ``dealerxl sync`` on the workbook open in Excel.

Plans and merges exactly as the command does (:mod:`dealerxl.jobs.sync`: the newest periods
that fit the sheet, merged into the rows the table holds), reading the store next to the
open workbook (or ``$DEALERXL_STORE_URL``), and writes each form's rows through Excel into
its table, so charts, pivots, macros and the ribbon are never at risk; the file as last
saved is copied to ``.dealerxl-backup/`` first. Computed columns get their formulas, not values. The message box
says what was written and what stayed in the store.
"""
from __future__ import annotations

import pandas as pd

from dealerxl.excel.ribbon import button


def with_formulas(frame: pd.DataFrame, form_id: str, first_column: int, header_row: int) -> pd.DataFrame:
    """``frame`` in the form's column order with each computed column as its formula per row.

    The table is written from ``first_column`` (1-based) in the form's order, so the
    formula of row ``r`` names the cells of that row (``=ROUND(G5*H5*(1-I5),2)``); Excel
    takes text starting with ``=`` written to a cell as a formula.
    """
    from openpyxl.utils import get_column_letter

    from dealerxl.book.write_into import row_formulas
    from dealerxl.forms import get_form

    form = get_form(form_id)
    columns = [c for c in form.columns if c.id in frame.columns]
    letters = {c.id: get_column_letter(first_column + i) for i, c in enumerate(columns)}
    out = frame[[c.id for c in columns]].astype(object).copy()
    for column in columns:
        if column.formula:
            out[column.id] = row_formulas(column.formula, letters, header_row + 1, len(frame))
    return out


def plan_from_store(book, lang: str, *, url: str | None = None, months: int | None = None,
                    sheet_rows: int | None = None):
    """The rows to write into each table of the open ``book``, as a :class:`~dealerxl.jobs.common.JobResult`
    whose ``tables`` hold the frames (computed columns as formulas) and ``summary`` the plans.

    Raises :class:`~dealerxl.calc.CalcError` (in ``lang``) when the store cannot be opened or
    holds nothing for the workbook's tables.
    """
    from dealerxl.calc import CalcError
    from dealerxl.excel.write_back import TableNotFound, find_table
    from dealerxl.forms import get_form
    from dealerxl.i18n import tr
    from dealerxl.jobs.common import JobResult, sheet_title
    from dealerxl.excel.live import LiveBook
    from dealerxl.jobs.sync import (
        JOB,
        SHEET_ROWS,
        merge_summary,
        merged_into,
        plan_form,
        shown_url,
        stored_forms,
    )
    from dealerxl.store import StoreError, open_store

    limit = sheet_rows or SHEET_ROWS
    result = JobResult(JOB, lang)
    try:
        with open_store(url, book.fullname) as store:
            result.summary = {"store": shown_url(store.url), "workbook": str(book.fullname), "sheet_rows": limit,
                              "forms": {}}
            for form_id in stored_forms(store, None, lang):
                try:
                    table = find_table(book, form_id)
                except TableNotFound:
                    result.warnings.append(tr("msg.sync.no_table", lang, table=get_form(form_id).table_name,
                                              sheet=sheet_title(form_id, lang), rows=store.row_count(form_id)))
                    continue
                plan = plan_form(store, form_id, limit - table.range.row, months)
                merged = merged_into(store, LiveBook(book), form_id, plan, False, lang)
                result.summary["forms"][form_id] = {**plan.as_dict(), **merge_summary(merged)}
                result.tables[form_id] = with_formulas(merged.frame, form_id, table.range.column, table.range.row)
    except StoreError as error:
        raise CalcError(error.message(lang)) from None
    if not result.tables:
        raise CalcError(tr("msg.sync.nothing", lang, store=result.summary["store"]))
    return result


def sync_book(book, *, url: str | None = None, months: int | None = None, sheet_rows: int | None = None) -> str:
    """Sync the open ``book`` (an xlwings Book) from the store; return the message shown.

    ``url`` names the store (default: ``$DEALERXL_STORE_URL``, else the SQLite file beside
    the workbook); ``months`` and ``sheet_rows`` as for ``dealerxl sync``. The run is
    appended to the audit log, whatever its end.
    """
    from dealerxl.book.language import detect_language
    from dealerxl.calc import CalcError
    from dealerxl.excel.live import LiveBook
    from dealerxl.excel.write_back import (
        audit_ribbon_run,
        keep_copy_of_saved_file,
        say,
        say_done,
        show_progress,
        write_form_table,
    )
    from dealerxl.i18n import tr
    from dealerxl.jobs.common import take_run_record
    from dealerxl.jobs.sync import JOB, summary_lines

    lang = detect_language(LiveBook(book))
    try:
        show_progress(book, tr("msg.sync.progress_reading", lang))
        try:
            result = plan_from_store(book, lang, url=url, months=months, sheet_rows=sheet_rows)
        except CalcError as error:
            take_run_record()
            audit_ribbon_run(book, JOB, 2, detail=str(error))
            return say(book, lang, tr("msg.sync.failed", lang, reason=str(error)))
        rows = sum(len(frame) for frame in result.tables.values())
        show_progress(book, tr("msg.sync.progress_writing", lang, rows=rows))
        copied = keep_copy_of_saved_file(book, lang)
        if copied:
            result.warnings.append(copied)
        for form_id, frame in result.tables.items():
            write_form_table(book, form_id, frame, lang)
    finally:
        show_progress(book, None)
    result.summary["rows_written"] = rows
    result.summary["rows_left"] = sum(entry["rows_left"] for entry in result.summary["forms"].values())
    done = tr("msg.sync.done", lang, rows=rows, path=book.name)
    return say_done(book, lang, [done, *summary_lines(result)], [], job=JOB, result=result)


@button("sync", group="workbook", image_mso="RefreshAll", order=150)
def sync(book) -> str:
    return sync_book(book)
