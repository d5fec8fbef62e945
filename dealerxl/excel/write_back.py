"""Writing a job's result table into the workbook open in Excel, and telling the user.

Only these xlwings calls are used (the tests' stand-in implements exactly them):
``book.sheets`` (iteration), ``sheet.tables`` (iteration), ``table.name``,
``table.update(frame, index=False)`` (resizes the Excel Table to the frame),
``book.app.status_bar`` (assignment), ``book.app.alert(text, title=...)`` and
``book.fullname`` (where a job saves a file next to the workbook).
Jobs never write into the workbook file behind Excel's back: from the ribbon they write
through Excel itself, so the ribbon, the macros and every chart survive.
"""
from __future__ import annotations

import pandas as pd

from dealerxl.book.language import detect_language
from dealerxl.calc import CalcError
from dealerxl.excel.live import LiveBook
from dealerxl.forms import get_form
from dealerxl.i18n import tr
from dealerxl.jobs.common import localise, sheet_title


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


def show_progress(book, text: str | None) -> None:
    """Show ``text`` in Excel's status bar (None gives the bar back to Excel)."""
    book.app.status_bar = text if text else False


def tell(book, lang: str, message_key: str, **fields) -> None:
    """A message box in the workbook's language."""
    book.app.alert(tr(message_key, lang, **fields), title=tr("msg.app_title", lang))


def say(book, lang: str, text: str) -> str:
    """A message box with ``text`` (already in the workbook's language); return the text."""
    book.app.alert(text, title=tr("msg.app_title", lang))
    return text


def say_done(book, lang: str, lines: list[str], problems) -> str:
    """The closing message of a job: ``lines``, then how many input problems and the first of them."""
    lines = list(lines)
    if problems:
        lines.append(tr("msg.job_input_problems", lang, count=len(problems), first=problems[0].message(lang)))
    return say(book, lang, "\n".join(lines))


def run_into_table(book, *, job: str, code: str, form_id: str, table: str, run, notes) -> str:
    """Run a job on the open ``book`` and write its ``table`` into the form's table through Excel.

    ``run(live)`` works the job out from the :class:`~dealerxl.excel.live.LiveBook`;
    ``notes(result, lang)`` gives the lines said after "rows written". The status bar shows
    ``msg.<code>.progress_reading`` / ``progress_writing`` and is given back to Excel however
    the run ends; a :class:`~dealerxl.calc.CalcError` (``msg.<code>.failed``) or a missing table
    (``msg.<code>.no_table``) is said instead and nothing is written. Returns the message shown.
    """
    live = LiveBook(book)
    lang = detect_language(live)
    try:
        show_progress(book, tr(f"msg.{code}.progress_reading", lang))
        try:
            result = run(live)
        except CalcError as error:
            return say(book, lang, tr(f"msg.{code}.failed", lang, reason=str(error)))
        frame = result.tables[table]
        show_progress(book, tr(f"msg.{code}.progress_writing", lang, rows=len(frame)))
        try:
            rows = write_form_table(book, form_id, frame, lang)
        except TableNotFound:
            return say(book, lang, tr(f"msg.{code}.no_table", lang, table=get_form(form_id).table_name))
    finally:
        show_progress(book, None)
    done = tr("msg.job_done", lang, job=tr(f"ribbon.{job}", lang), rows=rows, target=sheet_title(form_id, lang))
    return say_done(book, lang, [done, *notes(result, lang)], result.problems)
