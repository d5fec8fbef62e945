"""Checking a located form's rows in one pass, every check vectorised over rows.

Every problem names its cell. Rows with a problem are kept out of the clean DataFrame (so
nothing is computed from a bad row) but are reported; blank rows are ignored.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dealerxl.forms import ENUMS, DateOrder, Form, NotAbove
from dealerxl.i18n import DEFAULT_LANG
from dealerxl.text import key_text

from .computed import as_column, evaluate, inputs_of
from .locate import Located
from .parse import DATE_DTYPE, _as_text, blank_mask, error_mask, kinds, parse_column, read_uniform_column
from .problems import Problem, column_letters

NUMERIC_TYPES = ("int", "number", "money", "percent")
DTYPES = {"int": "Int64", "number": "float64", "money": "float64", "percent": "float64", "date": DATE_DTYPE,
          "datetime": DATE_DTYPE, "bool": "boolean", "text": "str", "enum": "str"}
CHOICES_SHOWN = 8  # how many allowed values a "not in the list" message lists


@dataclass
class FormRead:
    """One form as read: the clean rows, every problem, and where each row came from.

    ``data`` has the form's column ids as columns, typed, coded columns as codes, and is
    indexed by the Excel row number each row was read from (``excel_row``). ``raw`` holds
    the cells as found (all non-blank rows, same index) for callers that type values
    themselves: every column of a settings form, the key columns of any other form (the ids
    typed in a master count as known even on a row rejected for another reason). Keeping
    every raw cell of a large form would cost more memory than its typed frame.
    ``rejected`` lists the Excel rows left out of ``data``.
    """

    form_id: str
    sheet: str | None
    data: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    raw: pd.DataFrame | None = None
    rejected: list[int] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # column id → column letters
    lang: str = DEFAULT_LANG  # the language problems are shown in

    def messages(self) -> list[str]:
        """Every problem as ``sheet!cell: reason`` in :attr:`lang`."""
        return [p.message(self.lang) for p in self.problems]

    @property
    def ok(self) -> bool:
        return not self.problems

    def cell(self, column_id: str, excel_row: int) -> str:
        return f"{self.columns[column_id]}{excel_row}"


def empty_frame(form: Form) -> pd.DataFrame:
    frame = pd.DataFrame({c.id: pd.Series(dtype=DTYPES[c.type]) for c in form.columns})
    frame.index.name = "excel_row"
    return frame


def _shown(value: object) -> str:
    return "" if value is None else _as_text(value)


class _Collector:
    """Problems gathered as (row, column) so they come out in reading order."""

    def __init__(self, form: Form, sheet: str, letters: dict[str, str], column_order: dict[str, int]):
        self.form, self.sheet, self.letters, self.order = form, sheet, letters, column_order
        self.items: list[tuple[int, int, Problem]] = []
        self.bad_rows: set[int] = set()

    def add(self, code: str, column_id: str, rows: pd.Index, values=None, labels=None, reject: bool = True,
            **fields) -> None:
        """One problem per Excel row in ``rows``; ``values`` (aligned) fills ``{value}``. With
        ``reject=False`` the rows stay in the clean data (the problem is reported only)."""
        label_fields = {"field": self.form.column(column_id).label_key, **(labels or {})}
        letters, order = self.letters[column_id], self.order[column_id]
        shown = values.map(_shown).tolist() if values is not None else None
        for i, row in enumerate(rows.tolist()):
            row_fields = dict(fields)
            if shown is not None:
                row_fields["value"] = shown[i]
            for name, value in list(row_fields.items()):
                if isinstance(value, pd.Series):
                    row_fields[name] = value.iloc[i]
            problem = Problem(code, self.sheet, f"{letters}{row}", self.form.id, column_id,
                              fields=row_fields, label_fields=label_fields)
            self.items.append((row, order, problem))
            if reject:
                self.bad_rows.add(row)

    def sorted(self) -> list[Problem]:
        return [p for _, _, p in sorted(self.items, key=lambda item: (item[0], item[1]))]


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _cells(body, positions: list[int]) -> pd.DataFrame:
    """The body's cells in the given grid columns (short rows padded with blanks)."""
    width = max(positions) + 1
    rows = [r if len(r) >= width else list(r) + [None] * (width - len(r)) for r in body]
    frame = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(columns=range(width), dtype=object)
    return frame[positions].copy()


def validate_located(located: Located, form: Form) -> FormRead:
    grid = located.grid
    origin_row, origin_col = grid.origin
    header_excel_row = origin_row + located.header_row + 1
    letters = {cid: column_letters(origin_col + idx) for cid, idx in located.columns.items()}
    order = {c.id: i for i, c in enumerate(form.columns)}
    present = [c for c in form.columns if c.id in located.columns]
    if located.typed is not None:
        raw = pd.DataFrame({c.id: located.typed[c.id] for c in present})
    else:
        raw = _cells(grid.rows[located.header_row + 1:], [located.columns[c.id] for c in present])
        raw.columns = [c.id for c in present]
    raw.index = pd.RangeIndex(header_excel_row + 1, header_excel_row + 1 + len(raw), name="excel_row")

    collect = _Collector(form, grid.sheet, letters, order)
    header_problems = []
    first_letters = column_letters(origin_col + min(located.columns.values()))
    for column in form.columns:
        if column.required and column.is_input and column.id not in located.columns:
            header_problems.append(Problem("missing_column", grid.sheet, f"{first_letters}{header_excel_row}",
                                           form.id, column.id, label_fields={"field": column.label_key}))

    # Columns of one expected kind are read whole at once; the others cell kind by cell kind.
    uniform = {c.id: read_uniform_column(raw[c.id], c) for c in present}
    uniform = {cid: read for cid, read in uniform.items() if read is not None}
    for cid in raw.columns:  # the general path reads cells as Python values, whatever the source gave
        if cid not in uniform and raw[cid].dtype != object:
            raw[cid] = raw[cid].astype(object)
    kind = {cid: kinds(raw[cid]) for cid in raw.columns if cid not in uniform}
    blank = {cid: uniform[cid].blank if cid in uniform else blank_mask(raw[cid], kind[cid]) for cid in raw.columns}
    # A row is blank when nothing was typed into it: computed columns hold formulas on every
    # row of the table (their cached 0 or "" does not make a row).
    typed = [c.id for c in present if c.is_input] or list(raw.columns)
    all_blank = np.logical_and.reduce([blank[cid].to_numpy() for cid in typed]) if typed else None
    if all_blank is not None and all_blank.any():
        keep = ~all_blank
        raw = raw[keep]
        kind = {cid: s[keep] for cid, s in kind.items()}
        blank = {cid: s[keep] for cid, s in blank.items()}
        uniform = {cid: read.rows(keep) for cid, read in uniform.items()}

    parsed: dict[str, pd.Series] = {}
    usable: dict[str, pd.Series] = {}
    for column in present:
        cid = column.id
        if cid in uniform:
            values, bad, errors = uniform[cid].values, uniform[cid].bad, uniform[cid].errors
            skip = blank[cid] | errors
        else:
            errors = error_mask(raw[cid], kind[cid])
            skip = blank[cid] | errors
            values, bad = parse_column(raw[cid], kind[cid], skip, column)
        if column.key and column.type == "text":
            values = key_text(values)  # one spelling per id: full-width and invisible characters do not count
        if errors.any():
            collect.add("error_value", cid, raw.index[errors], raw[cid][errors])
        if column.is_input:
            if column.required and blank[cid].any():
                collect.add("required_value", cid, raw.index[blank[cid]])
            if bad.any():
                if column.type == "enum":
                    choices = tuple(f"enum.{column.enum}.{code}" for code in ENUMS[column.enum].codes[:CHOICES_SHOWN])
                    collect.add("not_in_list", cid, raw.index[bad], raw[cid][bad], labels={"choices": choices})
                else:
                    collect.add("wrong_type", cid, raw.index[bad], raw[cid][bad],
                                labels={"expected": f"msg.type.{column.type}"})
            if column.type in NUMERIC_TYPES:
                _check_bounds(collect, column, values)
        else:
            values = values.where(~bad)
        parsed[cid] = values
        usable[cid] = ~(skip | bad)

    _work_out_computed(collect, form, parsed, usable)
    _check_keys(collect, form, parsed, usable)
    _check_rules(collect, form, parsed)

    data = pd.DataFrame({c.id: (parsed[c.id] if c.id in parsed else pd.Series(index=raw.index, dtype=DTYPES[c.type]))
                         .astype(DTYPES[c.type]) for c in form.columns}, index=raw.index)
    if header_problems:
        rejected = raw.index.tolist()
        data = data.iloc[0:0]
    else:
        rejected = sorted(collect.bad_rows)
        data = data.drop(index=rejected)
    data.index.name = "excel_row"
    kept = raw if form.kind == "settings" else raw[[k for k in form.key_columns if k in raw.columns]]
    return FormRead(form.id, grid.sheet, data, header_problems + collect.sorted(), kept, rejected, letters)



def _work_out_computed(collect: _Collector, form: Form, parsed: dict, usable: dict) -> None:
    """Computed columns from their inputs in the same row, never from the cached results.

    A file saved by a program that does not calculate has no results (or stale ones) in its
    formula cells; the declared formula gives the value (:mod:`dealerxl.book.computed`). A
    cached number that differs is reported with its cell (the row is kept, with the worked-out
    value). A column whose inputs are not all in the table keeps what its cells hold.
    """
    for column in form.columns:
        if not column.formula or not all(i in parsed for i in inputs_of(column.formula)):
            continue
        needed = inputs_of(column.formula)
        worked = as_column(evaluate(column.formula, pd.DataFrame({i: parsed[i] for i in needed})), column,
                           parsed[needed[0]].index)
        cached = parsed.get(column.id)
        if cached is not None and len(worked):
            checked = np.logical_and.reduce([usable[i].to_numpy() for i in needed]) & cached.notna().to_numpy()
            if column.type in ("date", "datetime"):
                same = cached.to_numpy(dtype=DATE_DTYPE) == worked.to_numpy(dtype=DATE_DTYPE)
            else:
                same = np.isclose(cached.to_numpy(dtype="float64"), worked.to_numpy(dtype="float64"),
                                  rtol=1e-9, atol=1e-9)
            differs = checked & ~same
            if differs.any():
                rows = cached.index[differs]
                collect.add("computed_differs", column.id, rows, reject=False,
                            value=cached[differs].map(_result_text), expected=worked[differs].map(_result_text))
        parsed[column.id] = worked
        usable[column.id] = worked.notna()


def _result_text(value) -> str:
    """A formula's result as a person reads it: a date, a number to 15 digits, or blank."""
    if value is None or pd.isna(value):
        return '""'
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return f"{float(value):.15g}"


def _check_bounds(collect: _Collector, column, values: pd.Series) -> None:
    if column.min is not None:
        below = values.notna() & (values < column.min)
        if below.any():
            if column.min == 0:
                collect.add("negative", column.id, values.index[below], values[below])
            else:
                collect.add("below_min", column.id, values.index[below], values[below], min=_number_text(column.min))
    if column.max is not None:
        above = values.notna() & (values > column.max)
        if above.any():
            collect.add("above_max", column.id, values.index[above], values[above], max=_number_text(column.max))


def _check_keys(collect: _Collector, form: Form, parsed: dict, usable: dict) -> None:
    keys = list(form.key_columns)
    if not keys or not all(k in parsed for k in keys):
        return
    complete = np.logical_and.reduce([usable[k].to_numpy() for k in keys])
    frame = pd.DataFrame({k: parsed[k] for k in keys})[complete]
    if frame.empty:
        return
    duplicated = frame.duplicated(keys, keep="first")
    if not duplicated.any():
        return
    rows = pd.Series(frame.index, index=frame.index)
    first = rows.groupby([frame[k] for k in keys], dropna=False, sort=False).transform("first")
    later = frame.index[duplicated.to_numpy()]
    first_rows = first[duplicated]
    other = first_rows.map(lambda r: f"{collect.letters[keys[0]]}{r}")
    labels = {"fields": tuple(form.column(k).label_key for k in keys)}
    collect.add("duplicate_key", keys[0], later, other=other, labels=labels)
    collect.bad_rows.update(first_rows.tolist())



def _check_rules(collect: _Collector, form: Form, parsed: dict) -> None:
    for rule in form.rules:
        if isinstance(rule, DateOrder):
            first, second, code, cited = rule.earlier, rule.later, "date_order", rule.later
            if first not in parsed or second not in parsed:
                continue
            broken = parsed[first].notna() & parsed[second].notna() & (parsed[second] < parsed[first])
            other_id = first
        elif isinstance(rule, NotAbove):
            if rule.part not in parsed or rule.whole not in parsed:
                continue
            part, whole = parsed[rule.part], parsed[rule.whole]
            broken = part.notna() & whole.notna() & (part > whole)
            cited, other_id, code = rule.part, rule.whole, "not_above"
        else:
            continue
        if broken.any():
            rows = broken.index[broken.to_numpy()]
            other = pd.Series([f"{collect.letters[other_id]}{r}" for r in rows.tolist()], index=rows)
            collect.add(code, cited, rows, parsed[cited][broken],
                        labels={"other_field": form.column(other_id).label_key}, other=other)
