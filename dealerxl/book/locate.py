"""Finding a form's table in a workbook, wherever the user has put it.

In order: the Excel Table named ``tbl_<form id>``; a sheet named as the form in any of the
three languages; any other sheet holding a row of the form's headers (so a renamed sheet or
a table moved down or right is still found). Sheets named after or holding another form are
not searched for this one, so forms sharing columns (``dealer_id``, ``month``) are never
mistaken for each other.
"""
from __future__ import annotations

from dataclasses import dataclass

from dealerxl.forms import FORMS, Form

from .grid import Grid
from .language import header_lookup, normalise_label, sheet_labels

# How far down a sheet a header row is looked for.
HEADER_SCAN_ROWS = 500


@dataclass(frozen=True)
class Located:
    grid: Grid
    header_row: int  # index into grid.rows
    columns: dict[str, int]  # column id → index into the grid's row
    how: str  # "table", "sheet" or "scan"
    # The body's columns already typed (column id → column, one row per Excel row below the
    # header), when the source could read them so; the grid then holds no rows.
    typed: dict | None = None


def _typed_table(source, form: Form, ref) -> Located | None:
    """The form's table read as typed columns, found by the table's own column names (Excel
    keeps them equal to the header cells); None when the source cannot read it so."""
    if not ref.column_names or not hasattr(source, "typed_columns"):
        return None
    offsets = _match_headers(ref.column_names, form)
    if not offsets:
        return None
    found = {column_id: ref.first_column + offset for column_id, offset in offsets.items()}
    names = {column_id: ref.column_names[offset] for column_id, offset in offsets.items()}
    columns = source.typed_columns(ref.sheet, ref.header_row, list(names.values()))
    if columns is None:
        return None
    return Located(Grid(ref.sheet, [], (0, 0)), ref.header_row, found, "table",
                   typed={column_id: columns[name] for column_id, name in names.items()})


def _match_headers(cells, form: Form) -> dict[str, int]:
    """Column id → position of the first of ``cells`` that is one of the form's headers."""
    lookup = header_lookup(form.id)
    found: dict[str, int] = {}
    for index, value in enumerate(cells):
        column_id = lookup.get(normalise_label(value))
        if column_id and column_id not in found:
            found[column_id] = index
    return found


def _enough(form: Form, found: dict[str, int]) -> bool:
    """A row is the form's header when it has every required input column, or most columns."""
    required = [c.id for c in form.columns if c.required and c.is_input]
    if required and all(r in found for r in required) and len(found) >= min(2, len(form.columns)):
        return True
    return len(found) >= max(2, (len(form.columns) * 3 + 3) // 4)


def _best_header_row(grid: Grid, form: Form, require_enough: bool) -> tuple[int, dict[str, int]] | None:
    best: tuple[int, dict[str, int]] | None = None
    for row_index in range(min(len(grid.rows), HEADER_SCAN_ROWS)):
        found = _match_headers(grid.rows[row_index], form)
        if found and (best is None or len(found) > len(best[1])):
            best = (row_index, found)
    if best is None or (require_enough and not _enough(form, best[1])):
        return None
    return best


def _claimed_by_other_forms(source, form: Form) -> set[str]:
    claimed = set()
    names = {normalise_label(n): n for n in source.sheet_names}
    for other in FORMS.values():
        if other.id == form.id:
            continue
        for label in sheet_labels(other).values():
            if normalise_label(label) in names:
                claimed.add(names[normalise_label(label)])
        ref = source.table(other.table_name)
        if ref is not None:
            claimed.add(ref.sheet)
    return claimed


def locate(source, form: Form) -> Located | None:
    """Where ``form``'s header row is, or None when the workbook does not hold the form."""
    ref = source.table(form.table_name)
    if ref is not None and ref.sheet in source.sheet_names:
        typed = _typed_table(source, form, ref)
        if typed is not None:
            return typed
        grid = source.grid(ref.sheet)
        row = ref.header_row - grid.origin[0]
        if 0 <= row < len(grid.rows):
            found = _match_headers(grid.rows[row], form)
            if found:
                return Located(grid, row, found, "table")
    labels = {normalise_label(label) for label in sheet_labels(form).values()}
    for name in source.sheet_names:
        if normalise_label(name) in labels:
            grid = source.grid(name)
            best = _best_header_row(grid, form, require_enough=False)
            if best:
                return Located(grid, best[0], best[1], "sheet")
    claimed = _claimed_by_other_forms(source, form)
    for name in source.sheet_names:
        if name in claimed or normalise_label(name) in labels:
            continue
        best = _best_header_row(source.grid(name), form, require_enough=True)
        if best:
            return Located(source.grid(name), best[0], best[1], "scan")
    return None
