"""Writing a job's result table into the workbook open in Excel, and telling the user.

Only these xlwings calls are used (the tests' stand-in implements exactly them):
``book.sheets`` (iteration), ``sheet.tables`` (iteration), ``table.name``,
``table.update(frame, index=False)`` (resizes the Excel Table to the frame),
``book.app.status_bar`` (assignment), ``book.app.alert(text, title=...)`` and
``book.fullname`` (where a job saves a file next to the workbook).
Jobs never write into the workbook file behind Excel's back: from the ribbon they write
through Excel itself, so the ribbon, the macros and every chart survive. Before a job writes
into a table, the file as last saved is copied to ``.dealerxl-backup/`` beside it, and a
result per period (an appraisal, a risk review, targets) is merged into the table: rows of
other periods stay.

Every job button ends here: :func:`run_into_table` and :func:`run_into_file` run a job,
show its steps (:mod:`dealerxl.jobs.progress`) in the status bar and append the run to
the audit log of the workbook's history store; a button with its own path ends with
:func:`say_done` or :func:`say`, which record the latest job result of the run.
"""
from __future__ import annotations

import sys

import pandas as pd

from dealerxl.book.language import detect_language
from dealerxl.calc import CalcError
from dealerxl.excel.live import LiveBook
from dealerxl.forms import get_form
from dealerxl.i18n import tr
from dealerxl.jobs import progress
from dealerxl.jobs.common import localise, sheet_title, take_run_record
from dealerxl.jobs.errors import reason
from dealerxl.jobs.months import empty_forms_note


class TableNotFound(LookupError):
    """The open workbook has no table for the form (deleted or renamed)."""


def find_table(book, form_id: str):
    name = get_form(form_id).table_name.casefold()
    for sheet in book.sheets:
        for table in sheet.tables:
            if table.name.casefold() == name:
                return table
    raise TableNotFound(form_id)


def write_form_table(book, form_id: str, frame: pd.DataFrame, lang: str) -> int:
    """Replace the rows of the form's table with ``frame`` (column ids, codes); return the row count."""
    table = find_table(book, form_id)
    people = localise(frame, form_id, lang)
    table.update(people.astype(object).where(people.notna(), None), index=False)
    return len(frame)


def merged_with_table(book, form_id: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` merged into the rows the open table holds (:mod:`dealerxl.jobs.sync_merge`):
    rows of the same key are replaced, the table's other rows kept as they are. A job that
    works out one month (an appraisal, a risk review, a year's targets) so leaves the other
    months in the table."""
    from dealerxl.book.table_rows import table_rows
    from dealerxl.jobs.sync_merge import merge_rows
    from dealerxl.store import EXCEL_MAX_ROWS

    table = find_table(book, form_id)
    merged = merge_rows(get_form(form_id), table_rows(LiveBook(book), form_id), frame,
                        EXCEL_MAX_ROWS - table.range.row)
    return merged.frame


def keeps_other_periods(form_id: str) -> bool:
    """Whether a form's rows are per period (its key holds its period column): a job's result
    for some periods is then merged into the table, never put in place of it."""
    from dealerxl.store.schema import period_source

    form = get_form(form_id)
    return period_source(form) in form.key_columns


def keep_copy_of_saved_file(book, lang: str) -> str | None:
    """Copy the open workbook's file as last saved to ``.dealerxl-backup/`` before a job writes
    into the workbook; the line that says where (None when it was never saved). Excel holds
    the workbook, so the copy is what the file was before the user saves the job's rows."""
    from dealerxl.book.in_place import keep_safety_copy

    path = workbook_file(book)
    if path is None:
        return None
    try:
        return tr("msg.in_place.backup", lang, path=keep_safety_copy(path))
    except OSError as error:
        return tr("msg.in_place.backup_failed", lang, file=path.name, reason=error.strerror or str(error))


# Books whose status bar a job holds now: the first text shown marks the start of a run.
_busy: set[int] = set()


def show_progress(book, text: str | None) -> None:
    """Show ``text`` in Excel's status bar (None gives the bar back to Excel).

    Every button shows its first text before it works anything out: that starts a new run,
    so a job result left over from an earlier one is never recorded with this one.
    """
    if text and id(book) not in _busy:
        take_run_record()
        _busy.add(id(book))
    elif not text:
        _busy.discard(id(book))
    book.app.status_bar = text if text else False


def tell(book, lang: str, message_key: str, **fields) -> None:
    """A message box in the workbook's language."""
    book.app.alert(tr(message_key, lang, **fields), title=tr("msg.app_title", lang))


def say(book, lang: str, text: str) -> str:
    """A message box with ``text`` (already in the workbook's language); return the text.

    A job result made during this run and not yet recorded (a button with its own closing
    path) is appended to the audit log first, unless the message is said while handling an
    error: the result left then is an inner job's, not the run's.
    """
    result, written = take_run_record()
    if result is not None and sys.exc_info()[1] is None:
        audit_ribbon_run(book, result.job, 1 if result.problems else 0, result=result, outputs=written)
    return _alert(book, lang, text)


def _alert(book, lang: str, text: str) -> str:
    book.app.alert(text, title=tr("msg.app_title", lang))
    return text


def say_done(book, lang: str, lines: list[str], problems, *, job: str | None = None, result=None,
             outputs=()) -> str:
    """The closing message of a job: ``lines``, then how many input problems and the first of them.

    The run is appended to the audit log: ``result`` (default: the latest job result of this
    run) gives the job, its tables and problems; ``outputs`` adds files written besides the
    result workbooks the run saved.
    """
    latest, written = take_run_record()
    result = result if result is not None else latest
    text = _closing_text(lang, [*lines, *empty_forms_note(result, lang)], problems)
    if result is not None or job is not None:
        audit_ribbon_run(book, job or result.job, 1 if problems else 0, result=result, outputs=[*written, *outputs])
    return _alert(book, lang, text)


def _closing_text(lang: str, lines: list[str], problems) -> str:
    lines = list(lines)
    if problems:
        lines.append(tr("msg.job_input_problems", lang, count=len(problems), first=problems[0].message(lang)))
    return "\n".join(lines)


def workbook_file(book):
    """The open workbook's file, or None when it was never saved (Excel's ``Book1`` has no folder)."""
    from pathlib import Path

    path = Path(getattr(book, "fullname", "") or "")
    return path if path.is_file() else None


def audit_ribbon_run(book, job: str, status: int, *, result=None, outputs=(), detail: str = "") -> str | None:
    """Append a ribbon run to the audit log of the workbook's store; None when recorded, else why not.

    The input checksum is that of the workbook file as last saved (what Excel holds may be
    newer). A workbook never saved has no store beside it: only ``$DEALERXL_STORE_URL`` can
    take its runs.
    """
    from dealerxl.store.audit import entry_for, record

    path = workbook_file(book)
    summary = getattr(result, "summary", {}) or {}
    arguments = {"workbook": str(getattr(book, "fullname", "")),
                 **{k: summary[k] for k in ("month", "year", "as_of") if k in summary}}
    entry = entry_for(job, status, result=result, front_end="ribbon", arguments=arguments,
                      inputs=[path] if path else [], outputs=outputs, detail=detail)
    return record(entry, workbook_path=path)


def _status_steps(book, heading: str):
    """A :mod:`~dealerxl.jobs.progress` callback showing the job's steps after ``heading``."""
    def show(text: str, done: int | None, total: int | None) -> None:
        counted = f" {done}/{total}" if done is not None and total else ""
        show_progress(book, f"{heading} — {text}{counted}")
    return show


def run_into_table(book, *, job: str, code: str, form_id: str, table: str, run, notes) -> str:
    """Run a job on the open ``book`` and write its ``table`` into the form's table through Excel.

    ``run(live)`` works the job out from the :class:`~dealerxl.excel.live.LiveBook`;
    ``notes(result, lang)`` gives the lines said after "rows written". The status bar shows
    ``msg.<code>.progress_reading`` (with the job's steps) / ``progress_writing`` and is given
    back to Excel however the run ends; a :class:`~dealerxl.calc.CalcError` (``msg.<code>.failed``)
    or a missing table (``msg.<code>.no_table``) is said instead and nothing is written. The run
    is appended to the audit log. Returns the message shown.
    """
    live = LiveBook(book)
    lang = detect_language(live)
    try:
        result, failed = _calculate(book, live, lang, job, code, tr(f"msg.{code}.progress_reading", lang), run)
        if failed is not None:
            return failed
        frame = result.tables[table]
        show_progress(book, tr(f"msg.{code}.progress_writing", lang, rows=len(frame)))
        try:
            find_table(book, form_id)
            copied = keep_copy_of_saved_file(book, lang)
            if keeps_other_periods(form_id):
                frame = merged_with_table(book, form_id, frame)
            rows = write_form_table(book, form_id, frame, lang)
        except TableNotFound:
            take_run_record()
            missing = get_form(form_id).table_name
            audit_ribbon_run(book, job, 2, result=result, detail=f"no table {missing}")
            return say(book, lang, tr(f"msg.{code}.no_table", lang, table=missing))
    finally:
        show_progress(book, None)
    done = tr("msg.job_done", lang, job=tr(f"ribbon.{job}", lang), rows=rows, target=sheet_title(form_id, lang))
    lines = [done, *notes(result, lang), *([copied] if copied else [])]
    return say_done(book, lang, lines, result.problems, job=job, result=result)


def _calculate(book, live, lang: str, job: str, code: str, heading: str, run):
    """Run a ribbon job with ``heading`` and its steps in the status bar.

    Returns ``(result, None)``, or ``(None, message said)`` when the calculation refused
    (:class:`~dealerxl.calc.CalcError`) or the machine or the store failed it (a full disk, a
    store gone: :mod:`dealerxl.jobs.faults`): the failure is audited and nothing is written.
    """
    from dealerxl.jobs.faults import FAULTS, fault_reason
    from dealerxl.store import StoreError

    show_progress(book, heading)
    try:
        with progress.reporting(_status_steps(book, heading)):
            return run(live), None
    except CalcError as error:
        take_run_record()
        audit_ribbon_run(book, job, 2, detail=str(error))
        return None, say(book, lang, tr(f"msg.{code}.failed", lang, reason=reason(error, lang)))
    except (StoreError, *FAULTS) as error:
        take_run_record()
        said = fault_reason(error, lang, file=getattr(book, "fullname", None)) or reason(error, lang)
        audit_ribbon_run(book, job, 2, detail=fault_reason(error, "en") or reason(error, "en"))
        return None, say(book, lang, tr("msg.fault.failed", lang, job=tr(f"ribbon.{job}", lang), reason=said))


def run_into_file(book, *, job: str, code: str, run, write, notes) -> str:
    """Run a job on the open ``book`` and save its result as a new file in ``reports/`` beside it.

    ``run(live)`` works the job out; ``write(result, folder)`` saves it (atomically) in the
    ``reports`` folder next to the workbook and returns the files written (the first is the
    one named in the message); ``notes(result, lang)`` gives the lines said after where the
    file is. The status bar shows ``msg.<code>.progress`` with the job's steps and is given back
    however the run ends; a :class:`~dealerxl.calc.CalcError` says ``msg.<code>.failed`` and
    writes nothing. The open workbook itself is not touched. The run is appended to the audit
    log. Returns the message shown.
    """
    from pathlib import Path

    from dealerxl.jobs.faults import FAULTS, fault_reason

    live = LiveBook(book)
    lang = detect_language(live)
    try:
        result, failed = _calculate(book, live, lang, job, code, tr(f"msg.{code}.progress", lang), run)
        if failed is not None:
            return failed
        folder = Path(book.fullname).resolve().parent / "reports"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            files = list(write(result, folder))
        except FAULTS as error:  # a full disk, a read-only folder: said, recorded, nothing half-written
            take_run_record()
            audit_ribbon_run(book, job, 2, result=result, detail=fault_reason(error, "en", file=folder))
            said = fault_reason(error, lang, file=folder)
            return say(book, lang, tr("msg.fault.failed", lang, job=tr(f"ribbon.{job}", lang), reason=said))
        for path in files:
            if path not in result.outputs:
                result.outputs.append(path)
    finally:
        show_progress(book, None)
    done = tr("msg.job_done_file", lang, job=tr(f"ribbon.{job}", lang), path=files[0])
    return say_done(book, lang, [done, *notes(result, lang)], result.problems, job=job, result=result)
