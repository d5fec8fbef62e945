"""Sample rows for the table-shaped settings forms that no chapter generator filled.

Settings are not random: the sample workbook carries the same default rows a new
workbook starts with (``dealerxl.forms.DEFAULT_ROWS``). The scalar settings sheet is
written from the declarations by the builder.
"""
from __future__ import annotations

import pandas as pd

from dealerxl.forms import DEFAULT_ROWS, FORMS


def generate(ctx) -> dict[str, pd.DataFrame]:
    frames = {}
    for form_id, rows in DEFAULT_ROWS.items():
        if form_id in ctx.frames:
            continue
        columns = [c.id for c in FORMS[form_id].columns]
        frames[form_id] = pd.DataFrame(rows).reindex(columns=columns)
    return frames
