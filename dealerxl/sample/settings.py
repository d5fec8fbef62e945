"""Sample rows for the table-shaped settings forms that no chapter generator filled.

Settings are not random: the sample workbook carries the same default rows a new
workbook starts with (``dealerxl.forms.DEFAULT_ROWS``). The scalar settings sheet is
written from the declarations by the builder.
"""
from __future__ import annotations

import pandas as pd

from dealerxl.forms import DEFAULT_ROWS, FORMS


def default_frame(form_id: str) -> pd.DataFrame:
    """The default rows of a table-shaped settings form with exactly its columns, typed as
    declared: whole numbers as nullable integers (a blank bound stays blank), dates as datetime64."""
    form = FORMS[form_id]
    frame = pd.DataFrame(DEFAULT_ROWS[form_id]).reindex(columns=[c.id for c in form.columns])
    for column in form.columns:
        if column.type == "int":
            frame[column.id] = frame[column.id].astype("Int64")
        elif column.type in ("number", "money", "percent"):
            frame[column.id] = frame[column.id].astype(float)
        elif column.type in ("date", "datetime"):
            frame[column.id] = pd.to_datetime(frame[column.id])
    return frame


def generate(ctx) -> dict[str, pd.DataFrame]:
    return {form_id: default_frame(form_id) for form_id in DEFAULT_ROWS if form_id not in ctx.frames}
