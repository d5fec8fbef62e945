"""Cross-form check: an id that names a master row (dealer, item, staff member, supplier)
must exist in that master form.

Run after every form is read, on the clean rows only; a row naming an unknown id gets a
problem at its cell and leaves the clean data, so nothing is computed for a dealer that
does not exist.
"""
from __future__ import annotations

from dealerxl.forms import FORMS
from dealerxl.forms.common import REFERENCES

from .problems import Problem
from .validate import FormRead


def check_references(reads: dict[str, FormRead]) -> None:
    """Add an ``unknown_reference`` problem for every clean row whose referenced id is not a
    key of its master form (in place); masters that were not found, or hold no rows, are
    not checked against."""
    known = {}
    for column_id, master_id in REFERENCES.items():
        master = reads.get(master_id)
        if master is None or master.sheet is None:
            continue
        # Every id typed in the master counts, even on a row rejected for another reason:
        # that row's own problem is reported there, not once more at every reference.
        source = master.raw if master.raw is not None and column_id in master.raw else master.data
        if column_id not in source:
            continue
        keys = {str(v).strip() for v in source[column_id].dropna()}
        if keys:  # an empty master (a partial workbook) is not a list of allowed ids
            known[column_id] = (master_id, keys)
    for form_id, read in reads.items():
        if read.sheet is None or read.data.empty or FORMS[form_id].kind == "settings":
            continue
        bad_rows: set[int] = set()
        for column_id, (master_id, keys) in known.items():
            if form_id == master_id or column_id not in read.data:
                continue
            values = read.data[column_id]
            # Text columns are read trimmed already; only other types need turning into text.
            as_text = values if values.dtype == "str" else values.astype(str).str.strip()
            unknown = values.notna() & ~as_text.isin(keys)
            for excel_row, value in values[unknown].items():
                read.problems.append(Problem(
                    "unknown_reference", read.sheet, read.cell(column_id, excel_row), form_id, column_id,
                    fields={"value": str(value)},
                    label_fields={"field": f"col.{column_id}", "master": f"form.{master_id}.sheet"}))
                bad_rows.add(excel_row)
        if bad_rows:
            read.data = read.data.drop(index=sorted(bad_rows))
            read.rejected = sorted(set(read.rejected) | bad_rows)
