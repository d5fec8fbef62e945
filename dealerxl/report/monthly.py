"""The monthly report job: every review of the month gathered for one workbook.

:func:`run_monthly_report` opens the workbook once and hands the open object to each job
(sales analysis, replenishment, incentives, risk, dealer and service reviews), so a large
file is parsed once. A job that cannot be worked out for the month (a
:class:`~dealerxl.calc.CalcError`) does not stop the report: its sheet says why and the
reason is among the warnings. The summary figures compare the month with the one before,
so the risk and service reviews also run for the previous month.

:func:`dealerxl.report.workbook.write_report` writes the result; :func:`summary_workbook`
writes the summary sheet alone (the README's picture).
"""
from __future__ import annotations

import copy
import importlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dealerxl.book import Problem
from dealerxl.book.read import open_source
from dealerxl.calc import CalcError
from dealerxl.calc.inventory import stock_health
from dealerxl.i18n import tr
from dealerxl.jobs import progress
from dealerxl.jobs.common import JobResult, load_inputs
from dealerxl.jobs.errors import reason
from dealerxl.jobs.months import parse_month, require_month_data
from dealerxl.report.figures import (
    SALES_FORMS,
    demand_quantity,
    month_figures,
    net_sales,
    sales_analysis,
    summary_table,
    targets_of,
)

JOB = "monthly_report"

# Review jobs the report gathers: name → (module, function, how it is called).
PARTS = {
    "dealers": ("dealerxl.jobs.dealers", "run_dealer_review", "month"),
    "replenish": ("dealerxl.jobs.replenish", "run_replenishment", "as_of"),
    "incentives": ("dealerxl.jobs.incentives", "run_incentives", "month"),
    "risk": ("dealerxl.jobs.risk", "run_risk_review", "month"),
    "service": ("dealerxl.jobs.service", "run_service_review", "month"),
}
# What the report asks of a review beyond the month: no more than its sheets show (the
# replenishment's supplier scorecard and logistics costs are in its own workbook only).
PART_OPTIONS = {"replenish": {"scorecards": False}}
# Reviews whose summary also feeds last month's column of the summary sheet, and what each is
# asked to work out for it (no more than the summary's figures need).
PREVIOUS_MONTH_PARTS = {"risk": {}, "service": {"marketing_review": False}}


@dataclass
class MonthlyResult(JobResult):
    """A :class:`JobResult` that also keeps each review's own result (``parts``, name → JobResult)."""

    parts: dict = field(default_factory=dict)


def _job(name: str):
    module, function, _ = PARTS[name]
    try:
        return getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError):
        return None  # a review this version does not have: its sheet says so


def run_part(name: str, book, period: pd.Period, lang: str, **options):
    """One review's result for ``period`` (``options`` passed on to its job), or the reason
    (text) why there is none."""
    job = _job(name)
    if job is None:
        return "not_installed"
    how = PARTS[name][2]
    try:
        if how == "as_of":
            return job(book, as_of=period.end_time.normalize(), lang=lang, **options)
        return job(book, str(period), lang=lang, **options)
    except CalcError as error:
        return reason(error, lang)


def inventory_health(inputs, period: pd.Period) -> pd.DataFrame:
    """Per SKU: stock on hand at cost, last 12 months' demand (shipped plus unserved,
    :func:`~dealerxl.report.figures.demand_quantity`), and
    :func:`~dealerxl.calc.inventory.stock_health` (slow-moving, obsolete, excess) with the
    settings' month limits."""
    items = inputs["item_master"].drop_duplicates("sku").set_index("sku")
    stock = inputs["stock_ledger"]
    on_hand = pd.to_numeric(stock["on_hand"], errors="coerce").fillna(0.0).groupby(stock["sku"]).sum()
    last_issue = pd.to_datetime(stock["last_issue_date"]).groupby(stock["sku"]).max()
    history = inputs["demand_history"]
    months = pd.to_datetime(history["month"]).dt.to_period("M")
    year = history.loc[(months > period - 12) & (months <= period)]
    usage = demand_quantity(year).groupby(year["sku"]).sum()
    skus = on_hand.index[on_hand > 0]
    end = period.end_time.normalize()
    since = ((end - last_issue.reindex(skus)).dt.days / 30.4375).to_numpy(float)
    annual = usage.reindex(skus).fillna(0.0).to_numpy(float)
    settings = inputs.settings
    health = stock_health(on_hand.reindex(skus).to_numpy(float), items["unit_cost"].reindex(skus).astype(float).to_numpy(),
                          annual, annual / 12.0, since, slow_moving_months=float(settings["slow_moving_months"]),
                          obsolete_cover_months=float(settings["obsolete_cover_months"]))
    table = pd.DataFrame({"sku": skus, "sku_name": items["sku_name"].reindex(skus).to_numpy(),
                          "on_hand": on_hand.reindex(skus).to_numpy(float),
                          "stock_value": on_hand.reindex(skus).to_numpy(float)
                          * items["unit_cost"].reindex(skus).astype(float).fillna(0.0).to_numpy()})
    table = pd.concat([table, health[["days_of_supply", "slow_moving", "obsolete", "excess_value"]]
                       .reset_index(drop=True)], axis=1)
    flagged = table.loc[table["slow_moving"] | table["obsolete"]]
    return flagged.sort_values(["excess_value", "sku"], ascending=[False, True], kind="stable").reset_index(drop=True)


def reviewed_targets(incentives) -> tuple[pd.DataFrame, list[str]] | None:
    """The monthly targets the incentives review already worked out (the same the report would
    set: :func:`~dealerxl.jobs.incentives.monthly_targets`), with the note of the years it set;
    None without that review."""
    if incentives is None or "monthly_targets" not in incentives.tables:
        return None
    years = incentives.summary.get("targets_set_for") or []
    return incentives.tables["monthly_targets"], [f"targets_set:{','.join(years)}"] if years else []


def product_group_names(items: pd.DataFrame) -> pd.DataFrame:
    """Each product group's name as the item master gives it (the first one given), so charts
    name 冷氣機 rather than PG01; a group without a name keeps its code."""
    if "product_group_name" not in items:
        return pd.DataFrame({"product_group": [], "product_group_name": []})
    named = items[["product_group", "product_group_name"]].dropna()
    return named.drop_duplicates("product_group").reset_index(drop=True)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen, kept = set(), []
    for problem in problems:
        key = (problem.code, problem.sheet, problem.cell, problem.form_id, problem.column_id, repr(problem.fields))
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept


def run_monthly_report(source, month, *, lang: str | None = None) -> MonthlyResult:
    """Every review of ``month`` from ``source`` (a path or an open workbook), read once.

    Tables: ``summary`` (:func:`~dealerxl.report.figures.summary_table`), ``sales.<name>``
    (:func:`~dealerxl.report.figures.sales_analysis`), ``inventory_health`` and each
    review's tables as ``<review>.<table>``. ``parts`` keeps each review's result; a review
    that could not run is named in ``summary["missing_parts"]`` with its reason.
    """
    period = parse_month(month)
    book = open_source(source)
    inputs = load_inputs(book, list(SALES_FORMS), lang=lang)
    language = inputs.lang
    empty = require_month_data(inputs, period, JOB)
    parts, previous, missing, seconds = {}, {}, {}, {}
    steps = list(PARTS) + [f"{name}@previous" for name in PREVIOUS_MONTH_PARTS]
    for done, step in enumerate(steps):
        name, _, when = step.partition("@")
        progress.step(tr("msg.progress.working", language, job=tr(f"ribbon.{name}", language)), done, len(steps))
        started = time.perf_counter()
        outcome = run_part(name, book, period - 1 if when else period, language,
                           **(PREVIOUS_MONTH_PARTS[name] if when else PART_OPTIONS.get(name, {})))
        seconds[step] = round(time.perf_counter() - started, 3)
        if isinstance(outcome, JobResult):
            (previous if when else parts)[name] = outcome
        elif not when:
            missing[name] = outcome

    progress.step(tr("msg.progress.working", language, job=tr("report.monthly.sheet.sales", language)),
                  len(steps), len(steps) + 1)
    started = time.perf_counter()
    targets, target_notes = reviewed_targets(parts.get("incentives")) or targets_of(inputs, book, period)
    lines = net_sales(inputs["sales_transactions"])  # one signed copy of the sales lines for every figure
    current = month_figures(inputs, targets, period, parts.get("risk"), parts.get("service"), stock=True,
                            lines=lines)
    before = month_figures(inputs, targets, period - 1, previous.get("risk"), previous.get("service"),
                           stock=False, lines=lines)
    tables = {"summary": summary_table(current, before)}
    tables.update({f"sales.{name}": frame for name, frame in sales_analysis(inputs, targets, period, lines).items()})
    tables["inventory_health"] = inventory_health(inputs, period)
    # who is who: charts and tables name staff, not their ids
    tables["names.staff"] = inputs["team_roster"][["staff_id", "staff_name"]].drop_duplicates("staff_id")
    tables["names.product_group"] = product_group_names(inputs["item_master"])
    seconds["sales_and_summary"] = round(time.perf_counter() - started, 3)
    for name, part in parts.items():
        tables.update({f"{name}.{table}": frame for table, frame in part.tables.items()})
    problems = _unique([*inputs.problems, *(p for part in parts.values() for p in part.problems)])
    warnings = [*target_notes, *(f"{name}: {reason}" for name, reason in missing.items())]
    left_out = sum(len(part.tables["left_out"]) for part in parts.values() if "left_out" in part.tables)
    summary = {"month": str(period), "figures": {k: (None if np.isnan(v) else v) for k, v in current.items()},
               "parts": sorted(parts), "missing_parts": missing, "problems": len(problems), "left_out": left_out,
               "notes": report_notes(parts, target_notes, language), "seconds": seconds}
    # what the reviews found empty too, each form once
    empty += [form for part in parts.values() for form in part.empty_forms if form not in empty]
    empty = list(dict.fromkeys(empty))
    return MonthlyResult(job=JOB, lang=language, tables=tables, problems=problems, warnings=warnings,
                         summary=summary, parts=parts, empty_forms=empty)


def report_notes(parts: dict, target_notes: list[str], lang: str) -> list[str]:
    """What a reader of the summary must be told beside the figures: targets set here because
    the workbook had none, and what the two provision methods say when they disagree."""
    notes = []
    years = [note.split(":", 1)[1] for note in target_notes if note.startswith("targets_set:")]
    if years:
        notes.append(tr("msg.incentives.targets_set", lang, years=years[0]))
    if "risk" in parts:
        from dealerxl.jobs.risk import provision_notes

        notes.extend(provision_notes(parts["risk"]))
    return notes


def output_name(result: JobResult) -> str:
    """The report's file name in its language, e.g. ``月報_2026-10.xlsx``."""
    return f"{tr('report.monthly.file', result.lang)}_{result.summary['month']}.xlsx"


def summary_text(result: JobResult) -> str:
    """One sentence on what the report holds, in its language."""
    figures = result.summary["figures"]
    rate = figures.get("achievement")
    return tr("msg.monthly_report.summary", result.lang, month=result.summary["month"],
              revenue=f"{figures['revenue']:,.0f}", achievement="-" if rate is None else f"{rate:.1%}",
              sheets=8, problems=result.summary["problems"])


def summary_workbook(source, month, path: str | Path, *, lang: str | None = None) -> Path:
    """The monthly report's summary sheet alone, written to ``path`` (what the README shows)."""
    from dealerxl.report.workbook import write_report

    result = run_monthly_report(source, month, lang=lang)
    return write_report(result, path, sheets=("summary",))


def part_copy(part: JobResult, tables: dict) -> JobResult:
    """``part`` with other tables, without starting a new run record (no ``__init__``)."""
    shown = copy.copy(part)
    shown.tables = tables
    return shown
