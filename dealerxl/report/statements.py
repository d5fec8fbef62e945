"""Dealer statements: one printable sheet per dealer for a month.

Each statement shows the dealer's net sales against target for the month and the year to
date, its tier and tier change, its incentives or rebates, its receivables with their
ageing, and its open complaints. Every number comes from the existing jobs and
calculations; this module only gathers and lays them out:

* sales and targets: :func:`dealerxl.calc.sales.sales_matrix`, :func:`~dealerxl.calc.sales.period_metrics`
  and :func:`~dealerxl.calc.sales.achievement` (targets from the monthly targets table, or
  set by the Set targets job when the table is empty, as the Incentives job does);
* tier and tier change: the dealer appraisal (:mod:`dealerxl.jobs.dealers`) where that job is
  installed, else the tier in the dealer master with no change shown;
* incentives or rebates: :func:`dealerxl.jobs.incentives.run_incentives` (the dealer's payee row);
* receivables and ageing: :func:`dealerxl.jobs.risk.run_risk_review` (ageing per dealer, risk class);
* open complaints: the service review (:mod:`dealerxl.jobs.service`) where installed, else the
  complaint log's cases not resolved or closed by the month's end, with their days open.

:func:`run_statements` returns a :class:`~dealerxl.jobs.common.JobResult` whose tables are keyed
by dealer id (``dealers``, ``sales``, ``tiers``, ``incentives``, ``ageing``, ``complaints``);
:func:`write_statements` writes them as one sheet per dealer (A4, one page wide, header and
footer with the dealer and page numbers), atomically.
"""
from __future__ import annotations

import importlib
import re
from pathlib import Path

import numpy as np
import pandas as pd

from dealerxl.book.read import open_source
from dealerxl.calc import CalcError
from dealerxl.calc.sales import achievement, period_metrics, sales_matrix
from dealerxl.forms import ENUMS
from dealerxl.i18n import tr
from dealerxl.jobs import progress
from dealerxl.jobs.common import JobResult, load_inputs
from dealerxl.jobs.errors import JobError, reason
from dealerxl.jobs.months import parse_month, require_month_data
from dealerxl.jobs.outputs import new_workbook
from dealerxl.jobs.safety import atomic_write
from dealerxl.report import definitions
from dealerxl.report.layout import A4_PORTRAIT, column_pixels, shown_text, text_units
from dealerxl.report.style import A4, FONT, FORMAT_SPECS, statement_formats

JOB = "statements"
INPUT_FORMS = ("dealer_master", "sales_transactions", "monthly_targets", "complaint_log")
CLOSED_CASES = ("resolved", "closed")  # complaint log statuses that end a case
MAX_SHEET_NAME = 31
INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
COMPLAINTS_LISTED = 25  # a statement is one or two pages: the rest are counted, not listed
STATEMENT_DEFINITIONS = ("net_sales", "achievement", "tier", "commission", "overdue")
LONG_NOTE_UNITS = 80  # column-width units a wrapped note line holds across a statement (A4 portrait)


def _optional_job(module: str, function: str):
    """A job function of a module that may not be installed in this version; None when absent."""
    try:
        return getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError):
        return None


# ---- gathering the numbers -------------------------------------------------------------------

def signed_sales(transactions: pd.DataFrame) -> pd.DataFrame:
    """Sales lines with returns as negative amounts (net sales), as the risk review counts them."""
    sign = np.where(transactions["transaction_type"] == "return", -1.0, 1.0)
    amount = sign * pd.to_numeric(transactions["amount"], errors="coerce").abs().fillna(0.0)
    return pd.DataFrame({"dealer_id": transactions["dealer_id"].astype(str),
                         "date": transactions["invoice_date"], "amount": amount})


def _metrics(frame: pd.DataFrame, month: pd.Period, dealer_ids: pd.Index) -> pd.DataFrame:
    """:func:`period_metrics` for ``month`` per dealer over the 24 months ending there (0 where none)."""
    first = month - 23
    if frame.empty:
        matrix = pd.DataFrame(0.0, index=dealer_ids, columns=pd.period_range(first, month, freq="M"))
    else:
        matrix = sales_matrix(frame, by="dealer_id", value="amount", date="date", first_month=first, last_month=month)
        matrix = matrix.reindex(dealer_ids, fill_value=0.0)
    return period_metrics(matrix, month)


def sales_against_target(sales: pd.DataFrame, targets: pd.DataFrame, month: pd.Period,
                         dealer_ids: pd.Index) -> pd.DataFrame:
    """Per dealer: net sales, target, achievement and gap for the month and the year to date, and YoY."""
    actual = _metrics(signed_sales(sales), month, dealer_ids)
    target_lines = pd.DataFrame({"dealer_id": targets["dealer_id"].astype(str), "date": targets["month"],
                                 "amount": pd.to_numeric(targets["target_amount"], errors="coerce").fillna(0.0)})
    target = _metrics(target_lines, month, dealer_ids)
    this_month = achievement(actual["actual"], target["actual"])
    year = achievement(actual["ytd"], target["ytd"])
    return pd.DataFrame({
        "dealer_id": dealer_ids,
        "month_actual": this_month["actual"].to_numpy(), "month_target": this_month["target"].to_numpy(),
        "month_rate": this_month["achievement_rate"].to_numpy(), "month_gap": this_month["gap"].to_numpy(),
        "month_yoy": actual["yoy"].to_numpy(),
        "ytd_actual": year["actual"].to_numpy(), "ytd_target": year["target"].to_numpy(),
        "ytd_rate": year["achievement_rate"].to_numpy(), "ytd_gap": year["gap"].to_numpy(),
        "ytd_yoy": actual["ytd_yoy"].to_numpy(),
    })


def tier_table(source, month: pd.Period, dealers: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, str]:
    """Tier, previous tier, change, score and grade per dealer, and where they came from
    (``appraisal``, or ``dealer_master`` when the appraisal job is not installed or cannot be
    worked out for the month). One source of truth for the month: the appraisal's tier, with
    the month it has been held since (``tier_since``); the dealer master's tier (``master_tier``,
    where the appraisal's path started and which the appraisal does not update) is kept beside
    it, so a statement can show both."""
    review = _optional_job("dealerxl.jobs.dealers", "run_dealer_review")
    base = dealers[["dealer_id", "tier"]].copy()
    try:
        appraisal = review(source, str(month), lang=lang).tables["appraisal"] if review is not None else None
    except CalcError:
        appraisal = None  # no appraisal for this month: the dealer master's tier, as without the job
    columns = ["dealer_id", "tier", "previous_tier", "tier_change", "score", "grade", "tier_since", "master_tier",
               "appraised"]
    if appraisal is not None:
        wanted = [c for c in ("dealer_id", "score", "grade", "tier", "previous_tier", "tier_change", "tier_since")
                  if c in appraisal]
        merged = base.rename(columns={"tier": "master_tier"}).merge(
            appraisal[wanted].astype({"dealer_id": str}), on="dealer_id", how="left")
        # a dealer the appraisal leaves out keeps the dealer master's tier
        merged["appraised"] = merged["tier"].notna()
        merged["tier"] = merged["tier"].where(merged["appraised"], merged["master_tier"])
        return merged.reindex(columns=columns), "appraisal"
    return base.assign(master_tier=base["tier"], appraised=False).reindex(columns=columns), "dealer_master"


CASE_COLUMNS = ["dealer_id", "complaint_id", "received_at", "severity", "complaint_cause", "days_open"]


def open_complaints(source, month: pd.Period, complaints: pd.DataFrame, lang: str) -> tuple[pd.DataFrame, str]:
    """Complaints open at the month's end with their age in days, and where they came from.

    From the service review's cases (``service_review``: complaints whose ``open`` flag is
    set, aged ``age_days``) where that job is installed; else from the complaint log
    (``complaint_log``): received by the month's end and not resolved by then (a resolution
    dated later is not known yet; a case marked resolved or closed without a resolution time
    counts as closed), aged in whole days to the month's end.
    """
    end = month.end_time.normalize() + pd.Timedelta(days=1)  # the first moment after the month
    review = _optional_job("dealerxl.jobs.service", "run_service_review")
    try:
        cases = review(source, str(month), lang=lang).tables["cases"] if review is not None else None
    except CalcError:
        cases = None  # the service review cannot be worked out: the complaint log, as without the job
    if cases is not None:
        if {"case_kind", "case_id", "dealer_id", "open", "age_days"} <= set(cases.columns):
            cases = cases.loc[cases["open"].astype(bool) & (cases["case_kind"] == "complaint")]
            table = pd.DataFrame({"dealer_id": cases["dealer_id"].astype(str), "complaint_id": cases["case_id"],
                                  "received_at": pd.to_datetime(cases["received_at"]),
                                  "severity": cases.get("severity"), "complaint_cause": cases.get("cause"),
                                  "days_open": cases["age_days"]})
            return table.sort_values(["dealer_id", "received_at"]).reset_index(drop=True), "service_review"
    received = pd.to_datetime(complaints["received_at"], errors="coerce")
    resolved = pd.to_datetime(complaints["resolved_at"], errors="coerce")
    closed_undated = resolved.isna() & complaints["case_status"].isin(CLOSED_CASES)
    still_open = (received < end) & ~(resolved < end) & ~closed_undated
    cases = complaints.loc[still_open].copy()
    cases["dealer_id"] = cases["dealer_id"].astype(str)
    cases["received_at"] = received[still_open]
    cases["days_open"] = (end - cases["received_at"]).dt.days
    return (cases.reindex(columns=CASE_COLUMNS).sort_values(["dealer_id", "received_at"]).reset_index(drop=True),
            "complaint_log")


def run_statements(source, month, *, dealers=None, lang: str | None = None) -> JobResult:
    """Gather every dealer's statement numbers for ``month`` from ``source`` (a path or an open workbook).

    ``dealers`` limits the statements to those dealer ids (an unknown id is a CalcError);
    by default every dealer active in the month or still owing money gets one.
    """
    from dealerxl.jobs.incentives import monthly_targets, run_incentives
    from dealerxl.jobs.risk import run_risk_review

    period = parse_month(month)
    # opened once: every job below reads the same sheets, each read only the first time
    source = open_source(source)
    inputs = load_inputs(source, list(INPUT_FORMS), lang=lang)
    lang = inputs.lang
    empty = require_month_data(inputs, period, JOB)
    progress.step(tr("dealer_statement.progress.receivables", lang))
    risk = run_risk_review(source, str(period), lang=lang)
    ageing = risk.tables["ageing"]
    ageing = ageing.loc[ageing["dealer_id"] != "total"].astype({"dealer_id": str})
    master = inputs["dealer_master"].astype({"dealer_id": str}).drop_duplicates("dealer_id")
    reviewed = risk.tables["review"][["dealer_id", "risk_class"]].astype({"dealer_id": str})
    chosen = master.loc[master["dealer_id"].isin(ageing["dealer_id"])]
    if dealers:
        wanted = [str(d) for d in dealers]
        unknown = [d for d in wanted if d not in set(master["dealer_id"])]
        if unknown:
            raise JobError("msg.statements.unknown_dealers", dealers=", ".join(unknown))
        chosen = master.set_index("dealer_id").loc[wanted].reset_index()
    chosen = chosen[["dealer_id", "dealer_name", "region", "channel_type", "tier", "credit_limit"]]
    chosen = chosen.merge(reviewed, on="dealer_id", how="left").reset_index(drop=True)
    if chosen.empty:
        raise JobError("msg.statements.no_dealer", month=str(period))
    ids = pd.Index(chosen["dealer_id"], name="dealer_id")

    warnings = []
    progress.step(tr("dealer_statement.progress.sales", lang))
    try:
        targets, years_set = monthly_targets(inputs, source, period)
    except CalcError as error:
        # a statement without targets still shows sales, money owed and complaints
        targets, years_set = pd.DataFrame(columns=["dealer_id", "month", "target_amount"]), []
        warnings.append(tr("dealer_statement.warning.no_targets", lang, reason=reason(error, lang)))
    if years_set:
        warnings.append(tr("dealer_statement.warning.targets_set", lang, years=", ".join(years_set)))
        if str(period.year) not in years_set:  # the years set say nothing of this month's
            warnings.append(tr("dealer_statement.warning.no_year_target", lang, year=period.year,
                               sheet=tr("form.annual_targets.sheet", lang)))
    sales = sales_against_target(inputs["sales_transactions"], targets, period, ids)
    if targets.empty:  # no target is not a target of 0: leave target, achievement and gap blank
        sales[["month_target", "month_rate", "month_gap", "ytd_target", "ytd_rate", "ytd_gap"]] = np.nan

    progress.step(tr("dealer_statement.progress.incentives", lang))
    incentives_missing = None
    try:
        incentives = run_incentives(source, str(period), lang=lang)
        rebates = incentives.tables["summary"].astype({"payee_id": str})
        problems_of_incentives = incentives.problems
    except CalcError as error:
        incentives_missing = reason(error, lang)
        rebates, problems_of_incentives = pd.DataFrame(columns=["payee_id", "payee_type", "plan_id"]), []
        warnings.append(tr("dealer_statement.warning.no_incentives", lang, reason=incentives_missing))
    rebates = rebates.loc[rebates["payee_id"].isin(ids)].rename(columns={"payee_id": "dealer_id"})

    progress.step(tr("dealer_statement.progress.tiers", lang))
    tiers, tier_source = tier_table(source, period, chosen, lang)
    progress.step(tr("dealer_statement.progress.complaints", lang))
    cases, case_source = open_complaints(source, period, inputs["complaint_log"], lang)
    cases = cases.loc[cases["dealer_id"].isin(ids)].reset_index(drop=True)

    problems = _unique([*inputs.problems, *risk.problems, *problems_of_incentives])
    settings = inputs.settings
    summary = {"month": str(period), "dealers": len(chosen), "tier_source": tier_source,
               "currency": str(settings["statement_currency"]).strip(),
               "show_risk_class": bool(int(settings["statement_show_risk_class"])),
               "complaint_source": case_source, "open_complaints": len(cases),
               "incentives_missing": incentives_missing,
               "sales": float(sales["month_actual"].sum()),
               "target": float(sales["month_target"].sum()) if sales["month_target"].notna().any() else None}
    tables = {"dealers": chosen, "sales": sales, "tiers": tiers, "incentives": rebates.reset_index(drop=True),
              "ageing": ageing.loc[ageing["dealer_id"].isin(ids)].reset_index(drop=True), "complaints": cases}
    return JobResult(job=JOB, lang=lang, tables=tables, problems=problems, warnings=warnings, summary=summary,
                     empty_forms=empty)


def _unique(problems):
    seen, out = set(), []
    for problem in problems:
        key = problem.message("en")
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return out


# ---- sheet names -----------------------------------------------------------------------------

def sheet_names(dealer_ids, dealer_names) -> list[str]:
    """One valid, unique Excel sheet name per dealer: ``<id> <name>`` cut to 31 characters,
    without ``[]:*?/\\``, not starting or ending with an apostrophe, unique ignoring case
    (a clash gets ``~2``, ``~3``… in place of its last characters)."""
    used, names = set(), []
    for dealer_id, name in zip(dealer_ids, dealer_names):
        text = f"{dealer_id} {'' if pd.isna(name) else name}".strip()
        text = INVALID_SHEET_CHARS.sub("_", text).strip("'")[:MAX_SHEET_NAME].strip() or "_"
        if text.casefold() == "history":  # reserved by Excel
            text = f"{text}_"
        candidate, n = text, 1
        while candidate.casefold() in used:
            n += 1
            suffix = f"~{n}"
            candidate = text[:MAX_SHEET_NAME - len(suffix)] + suffix
        used.add(candidate.casefold())
        names.append(candidate)
    return names


def output_name(result: JobResult) -> str:
    """The statement workbook's file name in its language, e.g. ``經銷商對帳單_2026-10.xlsx``."""
    return f"{tr('dealer_statement.file', result.lang)}_{result.summary['month']}.xlsx"


# ---- writing ---------------------------------------------------------------------------------

def _code_label(enum: str, value, lang: str):
    if isinstance(value, str) and value in ENUMS[enum].codes:
        return tr(f"enum.{enum}.{value}", lang)
    return value


def _blank(value):
    """None for NaN/NA (an empty cell), the value otherwise."""
    try:
        return None if pd.isna(value) else value
    except (TypeError, ValueError):
        return value


def write_statements(result: JobResult, path: str | Path, *, dealers=None) -> Path:
    """Write the statements of ``result`` (only ``dealers`` when given) to ``path``, one sheet
    per dealer, atomically: a failure leaves any previous file as it was."""
    path = Path(path)
    table = result.tables["dealers"]
    if dealers is not None:
        table = table.loc[table["dealer_id"].isin([str(d) for d in dealers])]
    names = sheet_names(table["dealer_id"], table["dealer_name"])
    indexed = {name: frame.set_index("dealer_id", drop=False) for name, frame in result.tables.items()
               if name not in ("dealers", "complaints")}
    complaints = result.tables["complaints"]
    by_dealer = {key: group for key, group in complaints.groupby("dealer_id")} if len(complaints) else {}
    with atomic_write(path) as temporary:
        book = new_workbook(temporary)  # text stays text: never a formula or a link
        formats = statement_formats(book, result.summary.get("currency", ""))
        # A note longer than a column: merged over the statement's width and wrapped.
        formats["note_wrap"] = book.add_format({**FONT, **FORMAT_SPECS["note"], "text_wrap": True, "valign": "top"})
        for count, (sheet_name, dealer) in enumerate(zip(names, table.itertuples(index=False)), start=1):
            progress.step(tr("dealer_statement.progress.writing", result.lang), count, len(names))
            sheet = book.add_worksheet(sheet_name)
            _StatementSheet(sheet, formats, result, dealer, indexed,
                            by_dealer.get(dealer.dealer_id, complaints.iloc[0:0])).write()
        book.close()
    return path


class _MeasuredSheet:
    """A worksheet that notes the widest text written into each column (as shown, in
    column-width units), so the columns can be sized from their content."""

    def __init__(self, sheet, formats: dict):
        self._sheet, self.widths = sheet, {}
        self._number_formats = {id(f): f.num_format for f in formats.values()}

    def __getattr__(self, name):
        return getattr(self._sheet, name)

    def _note(self, column: int, value, fmt, header: bool = False) -> None:
        text = shown_text(value, self._number_formats.get(id(fmt)))
        width = text_units(text) * (1.08 if header else 1.0)
        self.widths[column] = max(self.widths.get(column, 0.0), width)

    def write(self, row, column, value, fmt=None):
        self._note(column, value, fmt)
        return self._sheet.write(row, column, value, fmt)

    def write_spilling(self, row, column, value, fmt=None):
        """Text that spills over the empty cells to its right (titles, notes): it does not
        size its column, or one sentence would make the first column as wide as itself."""
        return self._sheet.write(row, column, value, fmt)

    def write_number(self, row, column, value, fmt=None):
        self._note(column, value, fmt)
        return self._sheet.write_number(row, column, value, fmt)

    def write_row(self, row, column, values, fmt=None):
        for offset, value in enumerate(values):
            self._note(column + offset, value, fmt, header=True)
        return self._sheet.write_row(row, column, values, fmt)


class _StatementSheet:
    """One dealer's statement: title, then the five sections, laid out for A4 portrait.

    Columns are sized from what they show; a section that does not fit on the rest of a
    page starts on the next one; the page prints at the largest scale (at most 100 %) at
    which every column fits the paper."""

    COLUMNS = 6  # label column + five value columns
    ROW_PT = 15.0
    TITLE_PT = 24.0

    def __init__(self, sheet, formats: dict, result: JobResult, dealer, tables: dict, cases: pd.DataFrame):
        self.sheet, self.f, self.result, self.dealer = _MeasuredSheet(sheet, formats), formats, result, dealer
        self.lang = result.lang
        self.tables, self.cases = tables, cases
        self.row = 0
        self.breaks: list[int] = []

    def t(self, key: str, **fields) -> str:
        return tr(key, self.lang, **fields)

    def _row_of(self, table: str):
        frame = self.tables[table]
        return frame.loc[self.dealer.dealer_id] if self.dealer.dealer_id in frame.index else None

    def write(self) -> None:
        self.page_setup()
        self.title()
        self.sales()
        self.tier()
        self.incentives()
        self.receivables()
        self.complaints()
        self.fit_columns()

    def fit_columns(self) -> None:
        """Each column as wide as its widest text (at least the default), and the print
        scale at which they all fit the paper, with the page breaks found on the way."""
        widths = [max(12.0, self.sheet.widths.get(c, 0.0) + 3.0) for c in range(self.COLUMNS)]
        widths[0] = max(widths[0], 20.0)
        for column, width in enumerate(widths):
            self.sheet.set_column(column, column, round(width, 2))
        self.sheet.set_print_scale(max(70, A4_PORTRAIT.scale_for(sum(column_pixels(w) for w in widths))))
        if self.breaks:
            self.sheet.set_h_pagebreaks(self.breaks)

    def keep_together(self, rows: int) -> None:
        """A page break before the next ``rows`` rows when they do not fit on the rest of the page
        (at the smallest scale the page may get: a break too early, never a section cut)."""
        page_rows = int(A4_PORTRAIT.height_pt_at(100) // self.ROW_PT)
        start = self.breaks[-1] if self.breaks else 0
        used = self.row - start + (1 if not self.breaks else 0)  # the taller title row
        if used + rows > page_rows and rows <= page_rows and self.row > start:
            self.breaks.append(self.row)

    def page_setup(self) -> None:
        sheet = self.sheet
        sheet.set_paper(A4)
        sheet.set_portrait()
        sheet.set_margins(left=A4_PORTRAIT.left, right=A4_PORTRAIT.right, top=A4_PORTRAIT.top,
                          bottom=A4_PORTRAIT.bottom)
        sheet.center_horizontally()
        dealer = f"{self.dealer.dealer_id} {'' if pd.isna(self.dealer.dealer_name) else self.dealer.dealer_name}"
        # "&" starts a header/footer code in Excel; a dealer name may hold one
        dealer = dealer.replace("&", "&&")
        month = self.result.summary["month"]
        sheet.set_header(f"&L{dealer}&R{self.t('dealer_statement.title')} {month}")
        sheet.set_footer(f"&L{self.t('dealer_statement.footer')}&R" + self.t("dealer_statement.page"))
        sheet.hide_gridlines(2)

    def title(self) -> None:
        d, s = self.dealer, self.sheet
        s.write_spilling(0, 0, f"{self.t('dealer_statement.title')} {self.result.summary['month']}", self.f["title"])
        s.set_row(0, 24)
        region = _code_label("region", d.region, self.lang)
        channel = _code_label("channel_type", d.channel_type, self.lang)
        s.write_spilling(1, 0, f"{d.dealer_id}  {_blank(d.dealer_name) or ''}", self.f["subtitle"])
        s.write_spilling(2, 0, f"{tr('col.region', self.lang)}: {_blank(region) or '-'}    "
                      f"{tr('col.channel_type', self.lang)}: {_blank(channel) or '-'}", self.f["subtitle"])
        self.row = 3
        self.long_note(definitions.note(STATEMENT_DEFINITIONS, self.lang))

    def section(self, key: str, rows: int = 4) -> None:
        self.keep_together(rows + 1)
        self.sheet.merge_range(self.row, 0, self.row, self.COLUMNS - 1, self.t(key), self.f["section"])
        self.row += 1

    def headers(self, labels: list[str]) -> None:
        self.sheet.write_row(self.row, 0, labels, self.f["header"])
        self.row += 1

    def values(self, label: str, cells: list, formats: list[str]) -> None:
        self.sheet.write(self.row, 0, label, self.f["label"])
        self.cells(cells, formats, first_column=1)

    def cells(self, cells: list, formats: list[str], first_column: int = 0) -> None:
        """One row of values in their formats; blanks keep the format, with no value."""
        for column, (value, fmt) in enumerate(zip(cells, formats), start=first_column):
            value = _blank(value)
            if value is None:
                self.sheet.write_blank(self.row, column, None, self.f[fmt])
            else:
                self.sheet.write(self.row, column, value, self.f[fmt])
        self.row += 1

    def note(self, key: str, **fields) -> None:
        self.sheet.write_spilling(self.row, 0, self.t(key, **fields), self.f["note"])
        self.row += 1

    def long_note(self, text: str) -> None:
        """A sentence across the statement's columns, wrapped (it does not widen the first column)."""
        lines = max(1, int(np.ceil(text_units(text) / LONG_NOTE_UNITS)))
        self.sheet.merge_range(self.row, 0, self.row, self.COLUMNS - 1, text, self.f["note_wrap"])
        self.sheet.set_row(self.row, 15 * lines)
        self.row += 1

    def sales(self) -> None:
        row = self._row_of("sales")
        self.section("dealer_statement.section.sales")
        self.headers(["", self.t("dealer_statement.col.actual"), self.t("dealer_statement.col.target"),
                      self.t("dealer_statement.col.achievement"), self.t("dealer_statement.col.gap"),
                      self.t("dealer_statement.col.yoy")])
        for period in ("month", "ytd"):
            self.values(self.t(f"dealer_statement.row.{period}"),
                        [row[f"{period}_actual"], row[f"{period}_target"], row[f"{period}_rate"], row[f"{period}_gap"],
                         row[f"{period}_yoy"]], ["money", "money", "percent", "money", "percent"])
        self.row += 1

    def tier(self) -> None:
        row = self._row_of("tiers")
        self.section("dealer_statement.section.tier")
        self.headers([self.t("col.tier"), self.t("col.previous_tier"), self.t("col.tier_change"),
                      self.t("dealer_statement.col.score"), self.t("col.grade")])
        change = _blank(_code_label("tier_change", row["tier_change"], self.lang))
        self.sheet.write_row(self.row, 0, [_blank(_code_label("tier", row["tier"], self.lang)),
                                           _blank(_code_label("tier", row["previous_tier"], self.lang)),
                                           change], self.f["text"])
        score, grade = _blank(row["score"]), _blank(_code_label("appraisal_grade", row["grade"], self.lang))
        if score is None:
            self.sheet.write_blank(self.row, 3, None, self.f["number"])
        else:
            self.sheet.write_number(self.row, 3, float(score), self.f["number"])
        self.sheet.write(self.row, 4, grade if grade is not None else "", self.f["text"])
        self.row += 1
        if self.result.summary["tier_source"] != "appraisal" or not bool(row.get("appraised", False)):
            self.note("dealer_statement.note.tier_from_master")
        else:
            since = _blank(row.get("tier_since"))
            when = (self.t("dealer_statement.note.tier_since", month=pd.Timestamp(since).strftime("%Y-%m"))
                    if since is not None else self.t("dealer_statement.note.tier_held"))
            self.long_note(self.t("dealer_statement.note.tier_dates",
                                  tier=_blank(_code_label("tier", row["tier"], self.lang)) or "-", since=when,
                                  master=_blank(_code_label("tier", row["master_tier"], self.lang)) or "-"))
        self.row += 1

    def incentives(self) -> None:
        row = self._row_of("incentives")
        self.section("dealer_statement.section.incentives")
        missing = self.result.summary.get("incentives_missing")
        if missing:
            self.note("dealer_statement.note.incentives_missing", reason=missing)
        elif row is None:
            self.note("dealer_statement.note.no_incentives")
        else:
            self.headers(["", self.t("statement.col.sales"), self.t("statement.col.attainment"),
                          self.t("statement.col.earned"), self.t("statement.col.clawback"),
                          self.t("statement.col.payable")])
            self.values(str(_blank(row.get("plan_id")) or ""), [row["sales"], row["attainment"], row["earned"],
                                                                row["clawback"], row["payable"]],
                        ["money", "percent", "money", "money", "money"])
            basis = _blank(row.get("commission_basis"))
            if basis is not None:
                team = _blank(row.get("team_attainment"))
                self.long_note(self.t("dealer_statement.note.rebate_basis",
                                      basis=_code_label("commission_basis", basis, self.lang),
                                      team="-" if team is None else f"{float(team):.1%}"))
        self.row += 1

    def receivables(self) -> None:
        row = self._row_of("ageing")
        self.section("dealer_statement.section.receivables", rows=10)
        buckets = [c for c in ENUMS["ageing_bucket"].codes if c in self.tables["ageing"].columns]
        if row is None:
            self.note("dealer_statement.note.no_receivables")
            self.row += 1
            return
        # the ageing buckets down the left, the totals and credit figures beside them
        top = self.row
        self.sheet.write_row(top, 0, [self.t("dealer_statement.row.ageing"), self.t("dealer_statement.row.open_amount")],
                             self.f["header"])
        for offset, code in enumerate(buckets, start=1):
            self.sheet.write(top + offset, 0, tr(f"enum.ageing_bucket.{code}", self.lang), self.f["label"])
            self.sheet.write_number(top + offset, 1, float(row[code]), self.f["money"])
        left_end = top + len(buckets) + 1
        risk_class = _code_label("rag", _blank(self.dealer.risk_class), self.lang)
        lines = [("report.risk.col.total", row["total"], "money"), ("col.overdue_amount", row["overdue_amount"], "money"),
                 ("col.days_past_due", row["days_past_due"], "integer"), ("report.risk.col.dso", row["dso"], "number"),
                 ("col.credit_limit", row["credit_limit"], "money"),
                 ("report.risk.col.utilisation", row["utilisation"], "percent")]
        self.sheet.merge_range(top, 3, top, 4, self.t("dealer_statement.row.totals"), self.f["header"])
        self.sheet.write(top, 5, "", self.f["header"])
        for offset, (key, value, fmt) in enumerate(lines, start=1):
            self.sheet.merge_range(top + offset, 3, top + offset, 4, self.t(key), self.f["label"])
            value = _blank(value)
            if value is None:
                self.sheet.write_blank(top + offset, 5, None, self.f[fmt])
            else:
                self.sheet.write_number(top + offset, 5, float(value), self.f[fmt])
        offset = len(lines)
        if self.result.summary.get("show_risk_class", False):  # an internal rating: shown only when set so
            offset += 1
            self.sheet.merge_range(top + offset, 3, top + offset, 4, self.t("col.risk_class"), self.f["label"])
            self.sheet.write(top + offset, 5, _blank(risk_class) or "-", self.f["text"])
        self.row = max(left_end, top + offset + 1) + 1

    def complaints(self) -> None:
        cases = self.cases
        self.section("dealer_statement.section.complaints", rows=3 + min(len(cases), COMPLAINTS_LISTED))
        if cases.empty:
            self.note("dealer_statement.note.no_complaints")
            return
        self.note("dealer_statement.note.open_complaints", count=len(cases))
        self.headers([self.t("col.complaint_id"), self.t("col.received_at"), self.t("col.severity"),
                      self.t("col.complaint_cause"), self.t("dealer_statement.col.days_open")])
        for case in cases.head(COMPLAINTS_LISTED).itertuples(index=False):
            received = pd.Timestamp(case.received_at)
            cells = [case.complaint_id, received.to_pydatetime() if not pd.isna(received) else None,
                     _code_label("severity", case.severity, self.lang),
                     _code_label("complaint_cause", case.complaint_cause, self.lang), case.days_open]
            self.cells(cells, ["text", "date", "text", "text", "number"])
        if len(cases) > COMPLAINTS_LISTED:
            self.note("dealer_statement.note.more_complaints", count=len(cases) - COMPLAINTS_LISTED)
