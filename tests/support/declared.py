"""Checking a DataFrame against its form's declaration: the sample data's contract."""
from __future__ import annotations

import pandas as pd

from dealerxl.forms import ENUMS, DateOrder, NotAbove


def frame_problems(form, frame: pd.DataFrame) -> list[str]:
    """Every way ``frame`` breaks ``form``'s declaration, as readable lines. Computed
    (formula) columns may be left out; the workbook calculates them."""
    expected = [c.id for c in form.columns if c.is_input]
    declared = {c.id for c in form.columns}
    if [c for c in frame.columns if c in expected or c not in declared] != expected:
        return [f"{form.id}: columns {list(frame.columns)}"]
    found = [] if len(frame) else [f"{form.id}: no rows"]
    for column in form.columns:
        if column.id not in frame.columns:
            continue
        values = frame[column.id]
        present = values.dropna()
        where = f"{form.id}.{column.id}"
        if column.type in ("date", "datetime"):
            if not pd.api.types.is_datetime64_any_dtype(values):
                found.append(f"{where}: dtype {values.dtype}")
                continue
            if column.type == "date" and not (present == present.dt.normalize()).all():
                found.append(f"{where}: holds times of day")
        elif column.type == "int":
            if not pd.api.types.is_integer_dtype(values):
                found.append(f"{where}: dtype {values.dtype}")
        elif column.type in ("number", "money", "percent"):
            if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
                found.append(f"{where}: dtype {values.dtype}")
        elif not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            found.append(f"{where}: dtype {values.dtype}")
        elif not present.map(lambda v: isinstance(v, str)).all():
            found.append(f"{where}: non-text values")
        if column.enum and not set(present) <= set(ENUMS[column.enum].codes):
            found.append(f"{where}: unknown codes {set(present) - set(ENUMS[column.enum].codes)}")
        if column.required and column.is_input and values.isna().any():
            found.append(f"{where}: {int(values.isna().sum())} blanks in a required column")
        if column.min is not None and (present < column.min).any():
            found.append(f"{where}: below {column.min}")
        if column.max is not None and (present > column.max).any():
            found.append(f"{where}: above {column.max}")
    if frame.duplicated(list(form.key_columns)).any():
        found.append(f"{form.id}: duplicate keys")
    for rule in form.rules:
        if isinstance(rule, DateOrder):
            both = frame[[rule.earlier, rule.later]].dropna()
            if (both[rule.later] < both[rule.earlier]).any():
                found.append(f"{form.id}: {rule.later} before {rule.earlier}")
        elif isinstance(rule, NotAbove):
            both = frame[[rule.part, rule.whole]].dropna()
            if (both[rule.part] > both[rule.whole]).any():
                found.append(f"{form.id}: {rule.part} above {rule.whole}")
    return found
