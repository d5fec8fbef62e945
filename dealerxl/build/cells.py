"""Turning a form's DataFrame column into the cell values XlsxWriter writes."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dealerxl.forms import ENUMS
from dealerxl.i18n import tr
from xlsxwriter.utility import xl_col_to_name

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def column_cells(values: pd.Series, column, lang: str) -> list:
    """Cell values for one column: codes become the language's labels, blanks None,
    dates datetimes, numbers floats (or ints), everything else text."""
    if column.enum:
        labels = {code: tr(f"enum.{column.enum}.{code}", lang) for code in ENUMS[column.enum].codes}
        values = values.map(lambda v: labels.get(v, v) if isinstance(v, str) else v)
    if column.type in ("date", "datetime"):
        values = pd.to_datetime(values, errors="coerce")
        return [None if pd.isna(v) else v.to_pydatetime() for v in values]
    if column.type in ("int", "number", "money", "percent"):
        numbers = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
        return [None if np.isnan(v) else (int(v) if column.type == "int" else float(v)) for v in numbers]
    if column.type == "bool":
        return [None if pd.isna(v) else bool(v) for v in values]
    return [None if (v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA) else
            (v if isinstance(v, (int, float)) else str(v)) for v in values.astype(object)]


def row_formula(form, column, excel_row: int) -> str:
    """The A1 formula of a computed column in one row (``{qty}*{price}`` → ``=E5*F5``).

    A1 references rather than structured references: LibreOffice and Excel agree on them.
    """
    letters = {c.id: xl_col_to_name(i) for i, c in enumerate(form.columns)}

    def cell(match: re.Match) -> str:
        return f"{letters[match.group(1)]}{excel_row}"

    return "=" + _PLACEHOLDER.sub(cell, column.formula)
