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

from dealerxl.forms import get_form
from dealerxl.i18n import tr
from dealerxl.jobs.common import localise


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
