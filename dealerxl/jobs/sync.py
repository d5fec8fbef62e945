"""Sync: the newest periods of the history store into the workbook's tables.

The store holds more history than a sheet can (Excel's 1,048,576 rows, less the rows above
a table's first data row). For each form, sync takes the store's periods newest first while
their rows fit, optionally at most ``months`` of them, and merges those rows into the form's
table (:mod:`dealerxl.jobs.sync_merge`: rows of the same key are replaced, rows only the
workbook holds stay); what stays in the store (rows and periods) is reported.
Rows of a dated form without a period stay in the store; a form with no date column has no
periods, and its rows are taken in key order up to what the sheet holds.

Headless, the workbook file is rewritten by :func:`dealerxl.book.write_into.write_into`
(refusing files whose charts, images… a rewrite would lose); the ribbon button writes
through Excel instead (:mod:`dealerxl.excel.actions.sync`). Both plan with the same
functions here.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dealerxl.calc import CalcError
from dealerxl.forms import FORMS, get_form
from dealerxl.i18n import listed_labels, tr
from dealerxl.jobs import progress
from dealerxl.jobs.common import JobResult, sheet_title
from dealerxl.store import EXCEL_MAX_ROWS, StoreError, open_store
from dealerxl.store.schema import PERIOD_COLUMN, period_source, quote, table_name

JOB = "sync"
NOT_SYNCED = ("settings",)  # tunable parameters belong to the workbook, not to the history
SHEET_ROWS = EXCEL_MAX_ROWS


@dataclass(frozen=True)
class FormPlan:
    """What sync takes of one form: its periods (oldest first) and rows, and what stays behind.

    ``dated`` is False for a form without periods (no date column): then ``periods`` is
    empty and ``rows`` are the first rows in key order.
    """

    form_id: str
    capacity: int
    periods: list[str]
    rows: int
    rows_left: int
    periods_left: int
    dated: bool = True

    def as_dict(self) -> dict:
        return {"rows": self.rows, "periods": list(self.periods),
                "first_period": self.periods[0] if self.periods else None,
                "last_period": self.periods[-1] if self.periods else None,
                "rows_left": self.rows_left, "periods_left": self.periods_left, "capacity": self.capacity}


def period_counts(store, form_id: str) -> dict[str | None, int]:
    """Rows per period of a form in the store (None: rows without a period)."""
    store.forms[form_id]  # an unknown form fails here, not in SQL
    rows = store.backend.execute(
        f"SELECT {quote(PERIOD_COLUMN)}, COUNT(*) FROM {quote(table_name(form_id))}"
        f" GROUP BY {quote(PERIOD_COLUMN)}").fetchall()
    return {period: int(count) for period, count in rows}


def choose_periods(counts: dict[str | None, int], capacity: int, months: int | None = None,
                   form_id: str = "", dated: bool = True) -> FormPlan:
    """The newest periods whose rows together fit in ``capacity`` (at most ``months`` of them).

    As :meth:`dealerxl.store.Store.latest_periods`: periods are taken newest first and the
    first one that does not fit ends the choice, so the sheet holds an unbroken run of the
    latest periods. A form without periods takes up to ``capacity`` rows.

    >>> plan = choose_periods({"2024-01": 5, "2024-02": 4, "2024-03": 3, None: 2}, capacity=8)
    >>> plan.periods, plan.rows, plan.rows_left, plan.periods_left
    (['2024-02', '2024-03'], 7, 7, 1)
    """
    total = sum(counts.values())
    if not dated:
        rows = min(total, capacity)
        return FormPlan(form_id, capacity, [], rows, total - rows, 0, dated=False)
    chosen, used = [], 0
    for period, count in sorted(((p, n) for p, n in counts.items() if p is not None), reverse=True):
        if used + count > capacity or (months is not None and len(chosen) >= months):
            break
        chosen.append(period)
        used += count
    periods = sum(1 for p in counts if p is not None)
    return FormPlan(form_id, capacity, sorted(chosen), used, total - used, periods - len(chosen))


def plan_form(store, form_id: str, capacity: int, months: int | None = None) -> FormPlan:
    form = get_form(form_id)
    return choose_periods(period_counts(store, form_id), capacity, months, form_id,
                          dated=period_source(form) is not None)


def read_planned(store, plan: FormPlan) -> pd.DataFrame:
    """The rows a plan takes, in the store's key order."""
    if not plan.dated:
        return store.read(plan.form_id).head(plan.capacity).reset_index(drop=True)
    if not plan.periods:
        return store.read(plan.form_id).iloc[0:0].reset_index(drop=True)
    return store.read(plan.form_id, period_from=plan.periods[0], period_to=plan.periods[-1]).reset_index(drop=True)


def stored_forms(store, requested: list[str] | None, lang: str = "en") -> list[str]:
    """The forms to sync: those asked for, else every form holding rows in the store."""
    if requested:
        unknown = [f for f in requested if f not in FORMS or f in NOT_SYNCED]
        if unknown:
            raise CalcError(tr("msg.sync.unknown_form", lang, form=", ".join(unknown),
                               known=", ".join(f for f in FORMS if f not in NOT_SYNCED)))
        return list(dict.fromkeys(requested))
    return [f for f in FORMS if f not in NOT_SYNCED and f in store.forms and store.row_count(f) > 0]


def split_forms(values: list[str] | None) -> list[str] | None:
    """``--forms a b,c`` → ``[a, b, c]`` (None when not given)."""
    if not values:
        return None
    return [part for value in values for part in re.split(r"[,\s]+", value) if part]


def shown_url(url: str) -> str:
    """A store URL fit to print: the password is left out."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", url)


def form_lines(plan: FormPlan, lang: str) -> list[str]:
    """What sync says of one form: rows and periods written, and what stayed in the store."""
    sheet = sheet_title(plan.form_id, lang)
    if plan.periods:
        lines = [tr("msg.sync.form_done", lang, sheet=sheet, rows=plan.rows, first=plan.periods[0],
                    last=plan.periods[-1])]
    else:
        lines = [tr("msg.sync.form_done_undated", lang, sheet=sheet, rows=plan.rows)]
    if plan.rows_left:
        lines.append(tr("msg.sync.left_in_store", lang, rows=plan.rows_left, periods=plan.periods_left))
    return lines


def merge_lines(entry: dict, lang: str) -> list[str]:
    """What became of the workbook's own rows: kept, replaced, taken off to make room, removed."""
    lines = []
    if entry.get("kept") or entry.get("replaced"):
        lines.append(tr("msg.sync.kept_rows", lang, kept=entry["kept"], replaced=entry["replaced"],
                        added=entry["added"]))
    lines += [tr("msg.sync.dropped_period", lang, period=period, rows=rows)
              for period, rows in entry.get("dropped_periods", {}).items()]
    lines += [tr("msg.sync.removed_period", lang, period=period, rows=rows)
              for period, rows in entry.get("removed_periods", {}).items()]
    return lines


def summary_lines(result: JobResult) -> list[str]:
    """Every form's lines, then the warnings (forms without a table, parts not kept, the safety copy)."""
    lines = []
    for form_id in result.tables:
        entry = result.summary["forms"][form_id]
        lines += form_lines(FormPlan(form_id=form_id, **_plan_fields(entry)), result.lang)
        lines += merge_lines(entry, result.lang)
    return lines + list(result.warnings)


def _plan_fields(entry: dict) -> dict:
    return {"capacity": entry["capacity"], "periods": entry["periods"], "rows": entry["rows"],
            "rows_left": entry["rows_left"], "periods_left": entry["periods_left"]}


def store_keys(store, form_id: str):
    """A function giving the keys the store holds in some periods (see :func:`merge_rows`)."""
    from dealerxl.book.table_rows import key_strings

    form = get_form(form_id)

    def keys(periods: list[str]) -> set[str]:
        rows = store.read(form_id, period_from=min(periods), period_to=max(periods))
        return set(key_strings(form, rows).dropna())
    return keys


def merged_into(store, source, form_id: str, plan: FormPlan, replace: bool, lang: str):
    """The store's planned rows merged into the table's rows in ``source`` (see
    :mod:`dealerxl.jobs.sync_merge`); a table that cannot take them raises CalcError."""
    from dealerxl.book.table_rows import table_rows
    from dealerxl.jobs.sync_merge import DoesNotFit, merge_rows

    try:
        return merge_rows(get_form(form_id), table_rows(source, form_id), read_planned(store, plan), plan.capacity,
                          replace=replace, store_keys=store_keys(store, form_id))
    except DoesNotFit as error:
        raise CalcError(tr("msg.sync.does_not_fit", lang, sheet=sheet_title(form_id, lang), rows=error.rows,
                           capacity=error.capacity)) from None


def merge_summary(merged) -> dict:
    return {"kept": merged.kept, "replaced": merged.replaced, "added": merged.added,
            "dropped_periods": dict(merged.dropped), "removed_periods": dict(merged.removed)}


def sync_workbook(workbook: str | Path, *, forms: list[str] | None = None, months: int | None = None,
                  url: str | None = None, out: str | Path | None = None, lang: str | None = None,
                  sheet_rows: int | None = None, replace: bool = False) -> JobResult:
    """Write the store's latest rows into the workbook's tables; nothing is written on any refusal.

    ``forms`` limits the forms (default: every form with stored rows whose table the
    workbook has); ``months`` keeps at most that many newest periods; ``url`` names the
    store (default: ``$DEALERXL_STORE_URL``, else the workbook's stem + ``.sqlite`` beside
    it); ``out`` writes a new workbook instead of rewriting ``workbook``; ``sheet_rows`` is
    the sheet's row limit. The store's rows are merged into each table: rows only the
    workbook holds stay, unless ``replace`` makes each table exactly the store's rows (what
    that removes is listed). In place, a workbook open in Excel is refused and a safety copy
    is kept first. Raises :class:`~dealerxl.calc.CalcError` (the reason in the workbook's
    language) when nothing can be written.
    """
    from dealerxl.book import workbook_language
    from dealerxl.book.workbook_file import WorkbookFile
    from dealerxl.book.write_into import (
        WriteRefused,
        parts_lost_by_rewrite,
        refuse_if_open_in_excel,
        write_into,
    )

    path = Path(workbook)
    book_lang = workbook_language(path)  # dropdown labels are written in it; unreadable: WorkbookUnreadable
    lang = lang or book_lang
    if months is not None and months < 1:
        raise CalcError(tr("msg.sync.bad_months", lang, value=months))
    target = Path(out) if out is not None else path
    in_place = target.resolve() == path.resolve()
    if in_place:
        try:  # before the store is opened: a workbook open in Excel is not touched at all
            refuse_if_open_in_excel(path)
        except WriteRefused as error:
            raise CalcError(error.message(lang)) from None
    if in_place and parts_lost_by_rewrite(path):
        # Refuse before the store is even opened: nothing is read, nothing is written.
        error = WriteRefused("msg.unsafe_write", file=path.name,
                             label_fields={"parts": tuple(_part_keys(parts_lost_by_rewrite(path)))})
        raise CalcError(error.message(lang))
    limit = sheet_rows or SHEET_ROWS
    source = WorkbookFile(path)
    result = JobResult(JOB, lang)
    try:
        with open_store(url, path) as store:
            result.summary = {"store": shown_url(store.url), "workbook": str(target), "sheet_rows": limit, "forms": {}}
            chosen = stored_forms(store, split_forms(forms), lang)
            for done, form_id in enumerate(chosen):
                progress.step(tr("msg.sync.progress_reading", lang), done, len(chosen))
                form = get_form(form_id)
                ref = source.table(form.table_name)
                if ref is None:
                    result.warnings.append(tr("msg.sync.no_table", lang, table=form.table_name,
                                              sheet=sheet_title(form_id, lang), rows=store.row_count(form_id)))
                    continue
                plan = plan_form(store, form_id, limit - (ref.header_row + 1), months)
                merged = merged_into(store, source, form_id, plan, replace, lang)
                result.tables[form_id] = merged.frame
                result.summary["forms"][form_id] = {**plan.as_dict(), **merge_summary(merged)}
    except StoreError as error:
        raise CalcError(error.message(lang)) from None
    if not result.tables:
        raise CalcError(tr("msg.sync.nothing", lang, store=result.summary.get("store", "")))
    progress.step(tr("msg.sync.progress_writing", lang, rows=sum(len(f) for f in result.tables.values())))
    try:
        written = write_into(path, result.tables, out=None if in_place else target, lang=book_lang,
                             sheet_rows=limit)
    except WriteRefused as error:
        raise CalcError(error.message(lang)) from None
    for form_id, table in written.tables.items():
        result.summary["forms"][form_id]["table"] = table.ref
        result.summary["forms"][form_id]["sheet"] = table.sheet
    result.summary["rows_written"] = sum(len(frame) for frame in result.tables.values())
    result.summary["rows_left"] = sum(entry["rows_left"] for entry in result.summary["forms"].values())
    if written.backup is not None:
        result.summary["backup"] = str(written.backup)
        result.warnings.append(tr("msg.in_place.backup", lang, path=written.backup))
    if written.dropped_parts:
        result.summary["dropped_parts"] = written.dropped_parts
        result.warnings.append(tr("msg.sync.dropped_parts", lang,
                                  parts=listed_labels(tuple(_part_keys(written.dropped_parts)), lang)))
    result.outputs.append(target)
    return result


def _part_keys(parts: list[str]) -> list[str]:
    from dealerxl.book.write_into import part_key

    return [part_key(p) for p in parts]
