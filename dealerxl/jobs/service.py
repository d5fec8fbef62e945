"""The Service review job (manual 6.1 – 6.4, 7.1 – 7.4): complaint and after-sales SLAs in
working hours, customer satisfaction, marketing budget against spend, promotion results and
the digital funnel for one month.

Reads the complaint log and the service tickets (chapter 7) with the SLA hours per
severity, the working hours and holidays of chapter 1 (the SLA clock runs only in working
time), the survey answers, the marketing plan, spend, promotions, claims and digital results
(chapter 6), the sales lines and the dealer and item masters, as of the month's last
moment. Rows the reader finds wrong, and rows naming a dealer or item that is not in its
master, are left out and returned as problems.

Tables, keyed by column ids: ``cases`` (every case received in the month or still open at
its end), ``sla_summary`` (by severity, dealer and cause), ``satisfaction`` (CSAT and NPS by
dealer, region and in total, over the month, 3 and 12 months), ``marketing`` (budget against
spend by campaign and channel), ``promotions`` (uplift over the baseline, incremental margin,
ROI) and ``funnel`` (the month's digital results). :func:`report_sheets` turns them into
sheets people read.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc.marketing import budget_vs_spend, funnel, promotion_sales, promotion_uplift
from dealerxl.calc.service import WorkCalendar, satisfaction_by_group, working_hours
from dealerxl.forms import DEFAULT_ROWS, ENUMS
from dealerxl.i18n import has, tr
from dealerxl.jobs.common import Inputs, JobResult
from dealerxl.jobs.months import require_month_data
from dealerxl.jobs.risk import load_checked_inputs, month_end

JOB = "service"
INPUT_FORMS = ("dealer_master", "item_master", "complaint_log", "service_tickets", "survey_responses", "sla_hours",
               "work_hours", "work_holidays", "marketing_plan", "marketing_spend", "promotion_plan",
               "promotion_claims", "digital_campaigns", "sales_transactions")
# What the service part alone reads (cases, SLA, satisfaction): see run_service_review.
SERVICE_FORMS = ("dealer_master", "item_master", "complaint_log", "service_tickets", "survey_responses", "sla_hours",
                 "work_hours", "work_holidays")
# Upper bounds (calendar days, inclusive) of the open-case age bands; the last band is open-ended.
AGE_BAND_DAYS = (1, 3, 7, 14, 30)
AGE_BANDS = ("d0_1", "d2_3", "d4_7", "d8_14", "d15_30", "d30_plus")
# Satisfaction windows: months ending with the reviewed one.
PERIODS = {"month": 1, "3m": 3, "12m": 12}
SUMMARY_DIMENSIONS = ("severity", "dealer_id", "cause")
CLAIM_NOT_PAID = ("rejected",)
CLOSED_CASES = ("resolved", "closed")


# ---- the working calendar -------------------------------------------------------------------

def work_calendar(inputs: Inputs) -> WorkCalendar:
    """The SLA clock's calendar from the settings: working hours per weekday (a weekday
    missing from the table keeps its default), holidays off and make-up workdays on."""
    defaults = settings_table_defaults("work_hours").set_index("weekday")
    hours = inputs.frames.get("work_hours")
    table = defaults if hours is None or hours.empty else \
        pd.concat([hours.drop_duplicates("weekday").set_index("weekday"), defaults]).groupby(level=0).first()
    table = table.reindex(ENUMS["weekday"].codes)
    start = pd.to_numeric(table["work_start_hour"], errors="coerce")
    end = pd.to_numeric(table["work_end_hour"], errors="coerce")
    works = (table["working_day"] == "yes") & start.notna() & end.notna() & (end > start)
    windows = tuple((float(s), float(e)) if w else None for s, e, w in zip(start, end, works))
    days = inputs.frames.get("work_holidays")
    if days is None or days.empty:
        holidays, makeups = (), ()
    else:
        dates = pd.to_datetime(days["holiday_date"]).dt.normalize()
        holidays = tuple(dates[days["day_type"] == "holiday"])
        makeups = tuple(dates[days["day_type"] == "makeup_workday"])
    return WorkCalendar(hours_by_weekday=windows, holidays=holidays, makeup_days=makeups)


def settings_table_defaults(form_id: str) -> pd.DataFrame:
    """The default rows of a table-shaped settings form."""
    return pd.DataFrame(DEFAULT_ROWS[form_id])


# ---- cases and SLAs -------------------------------------------------------------------------

def case_list(inputs: Inputs, month: pd.Period, moment: pd.Timestamp) -> pd.DataFrame:
    """Complaints and tickets received by ``moment`` that were received in ``month`` or were
    still open at ``moment``; responses and resolutions after ``moment`` are not known yet.
    A case marked resolved or closed without a resolution time counts as closed."""
    complaints = inputs["complaint_log"]
    tickets = inputs["service_tickets"]
    columns = ["case_kind", "case_id", "dealer_id", "severity", "cause", "received_at", "first_response_at",
               "resolved_at", "case_status"]
    cases = pd.concat([
        pd.DataFrame({"case_kind": "complaint", "case_id": complaints["complaint_id"],
                      "dealer_id": complaints["dealer_id"], "severity": complaints["severity"],
                      "cause": complaints["complaint_cause"], "received_at": complaints["received_at"],
                      "first_response_at": complaints["first_response_at"], "resolved_at": complaints["resolved_at"],
                      "case_status": complaints["case_status"]}),
        pd.DataFrame({"case_kind": "ticket", "case_id": tickets["ticket_id"], "dealer_id": tickets["dealer_id"],
                      "severity": tickets["severity"], "cause": tickets["ticket_type"],
                      "received_at": tickets["opened_at"], "first_response_at": tickets["first_response_at"],
                      "resolved_at": tickets["resolved_at"], "case_status": tickets["case_status"]}),
    ], ignore_index=True).reindex(columns=columns)
    for column in ("received_at", "first_response_at", "resolved_at"):
        cases[column] = pd.to_datetime(cases[column])
    cases = cases.loc[cases["received_at"] < moment].copy()
    # A case marked resolved or closed without its time is closed; when is unknown, so its
    # resolution clock stays blank rather than running on.
    cases["closed_undated"] = cases["resolved_at"].isna() & cases["case_status"].isin(CLOSED_CASES)
    for column in ("first_response_at", "resolved_at"):
        cases[column] = cases[column].where(cases[column] < moment)
    in_month = cases["received_at"].dt.to_period("M") == month
    cases["in_month"] = in_month
    cases["open"] = cases["resolved_at"].isna() & ~cases["closed_undated"]
    return cases.loc[in_month | cases["open"]].sort_values(["received_at", "case_id"], kind="stable").reset_index(drop=True)


def sla_targets(inputs: Inputs) -> pd.DataFrame:
    """Target hours per severity; a severity missing from the table keeps its default."""
    defaults = settings_table_defaults("sla_hours")
    table = inputs.frames.get("sla_hours")
    if table is not None and not table.empty:
        defaults = pd.concat([table, defaults]).drop_duplicates("severity")
    return defaults.set_index("severity")[["first_response_hours", "resolution_hours"]].astype(float)


def case_table(inputs: Inputs, month: pd.Period, moment: pd.Timestamp, calendar: WorkCalendar) -> pd.DataFrame:
    """Each case with its working hours to first response and to resolution (up to ``moment``
    while still waiting), the targets of its severity, breach flags and the open case's age."""
    cases = case_list(inputs, month, moment)
    settings = inputs.settings
    targets = sla_targets(inputs).reindex(cases["severity"])
    cases["first_response_target"] = targets["first_response_hours"].to_numpy()
    cases["resolution_target"] = targets["resolution_hours"].to_numpy()
    # Rounded to the second: the clock is kept in nanoseconds, targets in hours.
    cases["first_response_elapsed"] = np.round(working_hours(cases["received_at"],
                                                             cases["first_response_at"].fillna(moment), calendar), 4)
    cases["resolution_elapsed"] = np.round(working_hours(cases["received_at"], cases["resolved_at"].fillna(moment),
                                                         calendar), 4)
    cases.loc[cases["closed_undated"], "resolution_elapsed"] = np.nan
    cases.loc[cases["closed_undated"] & cases["first_response_at"].isna(), "first_response_elapsed"] = np.nan
    cases["first_response_breached"] = cases["first_response_elapsed"] > cases["first_response_target"]
    cases["resolution_breached"] = cases["resolution_elapsed"] > cases["resolution_target"]
    cases["breached"] = cases["first_response_breached"] | cases["resolution_breached"]
    used = cases["resolution_elapsed"] / cases["resolution_target"].where(cases["resolution_target"] > 0)
    cases["sla_at_risk"] = cases["open"] & ~cases["breached"] & (used >= float(settings["sla_warning_share"]))
    age = (moment - cases["received_at"]).dt.total_seconds() / 86400.0
    cases["age_days"] = age.where(cases["open"]).round(1)
    band = np.searchsorted(np.asarray(AGE_BAND_DAYS, float), np.ceil(age.to_numpy(float)), side="left")
    cases["age_band"] = np.where(cases["open"], np.asarray(AGE_BANDS, dtype=object)[band], None)
    cases["aged"] = cases["open"] & (age > float(settings["open_case_ageing_days"]))
    dealers = inputs["dealer_master"].drop_duplicates("dealer_id").set_index("dealer_id")
    cases.insert(3, "region", cases["dealer_id"].map(dealers["region"]))
    return cases[["case_kind", "case_id", "dealer_id", "region", "severity", "cause", "received_at",
                  "first_response_at", "resolved_at", "in_month", "open", "first_response_target",
                  "first_response_elapsed", "first_response_breached", "resolution_target", "resolution_elapsed",
                  "resolution_breached", "breached", "sla_at_risk", "age_days", "age_band", "aged"]]


def sla_summary(cases: pd.DataFrame) -> pd.DataFrame:
    """Per severity, dealer and cause (and in total): the month's cases, their breaches and
    breach share, median working hours to respond and to resolve; and the cases open at the
    month's end with those past the ageing limit."""
    month = cases.loc[cases["in_month"]]
    parts = []
    for dimension in (*SUMMARY_DIMENSIONS, "total"):
        key_month = month[dimension] if dimension != "total" else pd.Series("total", index=month.index)
        key_all = cases[dimension] if dimension != "total" else pd.Series("total", index=cases.index)
        grouped = month.groupby(key_month)
        part = pd.DataFrame({
            "cases": grouped.size(),
            "breaches": grouped["breached"].sum(),
            "first_response_breaches": grouped["first_response_breached"].sum(),
            "resolution_breaches": grouped["resolution_breached"].sum(),
            "median_first_response_hours": month["first_response_elapsed"].where(
                month["first_response_at"].notna()).groupby(key_month).median(),
            "median_resolution_hours": month["resolution_elapsed"].where(
                month["resolved_at"].notna()).groupby(key_month).median(),
        })
        backlog = cases.loc[cases["open"]].groupby(key_all[cases["open"]])
        part = part.join(pd.DataFrame({"open_cases": backlog.size(), "aged_open_cases": backlog["aged"].sum()}),
                         how="outer")
        part.index.name = "group"
        parts.append(part.reset_index().assign(dimension=dimension))
    table = pd.concat(parts, ignore_index=True)
    counts = ["cases", "breaches", "first_response_breaches", "resolution_breaches", "open_cases", "aged_open_cases"]
    table[counts] = table[counts].fillna(0).astype(int)
    table["breach_share"] = (table["breaches"] / table["cases"].where(table["cases"] > 0)).astype(float)
    return table[["dimension", "group", "cases", "breaches", "breach_share", "first_response_breaches",
                  "resolution_breaches", "median_first_response_hours", "median_resolution_hours", "open_cases",
                  "aged_open_cases"]]


# ---- satisfaction ---------------------------------------------------------------------------

def satisfaction(inputs: Inputs, month: pd.Period) -> pd.DataFrame:
    """CSAT and NPS per dealer, per region and in total over the month, 3 and 12 months,
    with the number of answers and groups below the settings' minimum sample marked."""
    settings = inputs.settings
    answers = inputs["survey_responses"]
    dealers = inputs["dealer_master"].drop_duplicates("dealer_id").set_index("dealer_id")
    answers = answers.assign(period_month=pd.to_datetime(answers["survey_date"]).dt.to_period("M"),
                             region=answers["dealer_id"].map(dealers["region"]), level_total="total",
                             csat_score=pd.to_numeric(answers["csat_score"], errors="coerce").astype(float),
                             nps_score=pd.to_numeric(answers["nps_score"], errors="coerce").astype(float))
    options = dict(min_sample=int(settings["survey_min_sample"]), satisfied_from=int(settings["csat_satisfied_min"]),
                   promoter_from=int(settings["nps_promoter_min"]), detractor_to=int(settings["nps_detractor_max"]))
    parts = []
    for period, months in PERIODS.items():
        chosen = answers.loc[(answers["period_month"] > month - months) & (answers["period_month"] <= month)]
        if chosen.empty:
            continue
        for level, keys in (("dealer", ["dealer_id", "region"]), ("region", ["region"]), ("total", ["level_total"])):
            table = satisfaction_by_group(chosen, keys, **options).drop(columns="level_total", errors="ignore")
            parts.append(table.assign(period=period, level=level))
    columns = ["period", "level", "dealer_id", "region", "csat_responses", "csat", "nps_responses", "nps",
               "small_sample"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True).reindex(columns=columns)


# ---- marketing ------------------------------------------------------------------------------

def marketing(inputs: Inputs, month: pd.Period, as_of: pd.Timestamp) -> pd.DataFrame:
    """Budget against spend by campaign and channel, to date, for the campaigns running in
    the month or spending in it; the month's own budget and spend beside; a total row."""
    plan = inputs["marketing_plan"].drop_duplicates("campaign_id").set_index("campaign_id")
    spend = inputs["marketing_spend"].assign(period=lambda f: pd.to_datetime(f["month"]).dt.to_period("M"))
    spend["actual_spend"] = pd.to_numeric(spend["actual_spend"], errors="coerce").fillna(0.0)
    running = plan.index[(pd.to_datetime(plan["start_date"]) <= as_of)
                         & (pd.to_datetime(plan["end_date"]) >= month.start_time)]
    active = set(running) | set(spend.loc[spend["period"] == month, "campaign_id"])
    to_date = spend.loc[spend["campaign_id"].isin(active) & (spend["period"] <= month)]
    keys = ["campaign_id", "marketing_channel"]
    columns = ["campaign_id", "campaign_name", "campaign_type", "marketing_channel", "budget", "actual_spend",
               "variance", "budget_use", "overspent", "month_budget", "month_spend"]
    if to_date.empty:
        return pd.DataFrame(columns=columns)
    table = budget_vs_spend(to_date, keys)
    this_month = to_date.loc[to_date["period"] == month].groupby(keys)[["budget", "actual_spend"]].sum()
    this_month.columns = ["month_budget", "month_spend"]
    table = table.merge(this_month.reset_index(), on=keys, how="left")
    table[["month_budget", "month_spend"]] = table[["month_budget", "month_spend"]].fillna(0.0)
    table["campaign_name"] = table["campaign_id"].map(plan["campaign_name"])
    table["campaign_type"] = table["campaign_id"].map(plan["campaign_type"])
    table["overspent"] = table["budget_use"] > 1.0 + float(inputs.settings["marketing_overspend_warning"])
    sums = table[["budget", "actual_spend", "variance", "month_budget", "month_spend"]].sum()
    total = {"campaign_id": "total", **sums.to_dict(),
             "budget_use": sums["actual_spend"] / sums["budget"] if sums["budget"] else np.nan,
             "overspent": bool(sums["budget"] and sums["actual_spend"] / sums["budget"]
                               > 1.0 + float(inputs.settings["marketing_overspend_warning"]))}
    table.loc[len(table)] = total
    return table[columns]


def sales_lines(inputs: Inputs) -> pd.DataFrame:
    """Net sales lines (returns negative) with the item's product group and the dealer's region."""
    sales = inputs["sales_transactions"]
    items = inputs["item_master"].drop_duplicates("sku").set_index("sku")
    dealers = inputs["dealer_master"].drop_duplicates("dealer_id").set_index("dealer_id")
    sign = np.where(sales["transaction_type"] == "return", -1.0, 1.0)
    return pd.DataFrame({"date": pd.to_datetime(sales["invoice_date"]),
                         "amount": sign * pd.to_numeric(sales["amount"], errors="coerce").abs().fillna(0.0),
                         "product_group": sales["sku"].map(items["product_group"]), "sku": sales["sku"],
                         "dealer_id": sales["dealer_id"], "region": sales["dealer_id"].map(dealers["region"])})


def promotions(inputs: Inputs, month: pd.Period, as_of: pd.Timestamp) -> pd.DataFrame:
    """Promotions that ran in the 12 months up to ``as_of`` (not cancelled): sales of their
    scope against the baseline of the weeks before without promotion (any promotion not
    cancelled counts as one), incremental margin at the settings' margin rate, cost (claims
    approved or, before approval, claimed; the budget while nothing is claimed) and ROI."""
    settings = inputs.settings
    plan = inputs["promotion_plan"]
    starts, ends = pd.to_datetime(plan["start_date"]), pd.to_datetime(plan["end_date"])
    window_start = (month - 11).start_time
    held = plan.loc[plan["campaign_status"] != "cancelled"]
    chosen = held.loc[(starts[held.index] <= as_of) & (ends[held.index] >= window_start)].reset_index(drop=True)
    columns = ["promotion_id", "promotion_name", "promotion_type", "campaign_id", "product_group", "sku",
               "dealer_id", "region", "start_date", "end_date", "promotion_days", "promo_sales", "baseline_sales",
               "uplift", "uplift_pct", "incremental_margin", "promotion_cost", "roi", "below_min_roi"]
    if chosen.empty:
        return pd.DataFrame(columns=columns)
    measured = promotion_sales(chosen, sales_lines(inputs), int(settings["promotion_baseline_weeks"]), as_of,
                               all_promotions=held)
    claims = inputs["promotion_claims"]
    claims = claims.loc[(pd.to_datetime(claims["claim_date"]) <= as_of) & ~claims["claim_status"].isin(CLAIM_NOT_PAID)]
    owed = pd.to_numeric(claims["approved_amount"], errors="coerce").fillna(
        pd.to_numeric(claims["claim_amount"], errors="coerce"))
    claimed = owed.groupby(claims["promotion_id"]).sum()
    cost = chosen["promotion_id"].map(claimed)
    cost = cost.fillna(pd.to_numeric(chosen["budget"], errors="coerce")).fillna(0.0).to_numpy(float)
    rate = float(settings["promotion_margin_rate"])
    result = promotion_uplift(measured["promo_sales"], measured["baseline_sales"], rate, rate, cost)
    table = pd.concat([chosen.drop(columns=["budget", "discount_rate", "expected_uplift", "campaign_status"],
                                   errors="ignore"), measured.drop(columns="promotion_id"), result], axis=1)
    table["promotion_cost"] = cost
    table["below_min_roi"] = table["roi"] < float(settings["promotion_min_roi"])
    return table[columns]


def funnel_table(inputs: Inputs, month: pd.Period) -> pd.DataFrame:
    """The month's digital results per campaign and channel with their funnel ratios, runs
    below the settings' minimum impressions marked, and a total row."""
    digital = inputs["digital_campaigns"]
    digital = digital.loc[pd.to_datetime(digital["month"]).dt.to_period("M") == month]
    counts = ["impressions", "clicks", "leads", "conversions", "cost", "attributed_revenue"]
    columns = ["campaign_id", "campaign_name", "marketing_channel", *counts[:5], "ctr", "lead_rate",
               "conversion_rate", "cost_per_lead", "cost_per_conversion", "attributed_revenue", "low_volume"]
    if digital.empty:
        return pd.DataFrame(columns=columns)
    table = digital.groupby(["campaign_id", "marketing_channel"], sort=True)[counts].sum(min_count=0).reset_index()
    table[counts] = table[counts].astype(float).fillna(0.0)
    table.loc[len(table)] = {"campaign_id": "total", **table[counts].sum().to_dict()}
    ratios = funnel(table["impressions"], table["clicks"], table["leads"], table["conversions"], table["cost"])
    table = pd.concat([table, ratios], axis=1)
    plan = inputs["marketing_plan"].drop_duplicates("campaign_id").set_index("campaign_id")
    table["campaign_name"] = table["campaign_id"].map(plan["campaign_name"])
    table["low_volume"] = table["impressions"] < float(inputs.settings["digital_min_impressions"])
    return table[columns]


# ---- the job --------------------------------------------------------------------------------

def run_service_review(source, month, *, lang: str | None = None, marketing_review: bool = True) -> JobResult:
    """Read ``source`` (a path or an open workbook) and review service and marketing for ``month``.

    With ``marketing_review=False`` only the service part is worked out (cases, SLA summary,
    satisfaction) and the marketing, promotion and funnel tables are left empty: all the
    monthly report needs of the month before."""
    as_of = month_end(month)
    period = as_of.to_period("M")
    moment = as_of + pd.Timedelta(days=1)  # the month's end: midnight after its last day
    inputs = load_checked_inputs(source, INPUT_FORMS if marketing_review else SERVICE_FORMS, lang=lang)
    empty = require_month_data(inputs, period, JOB)
    cases = case_table(inputs, period, moment, work_calendar(inputs))
    summary_table = sla_summary(cases)
    scores = satisfaction(inputs, period)
    if marketing_review:
        spend = marketing(inputs, period, as_of)
        promos = promotions(inputs, period, as_of)
        digital = funnel_table(inputs, period)
    else:
        spend, promos, digital = (pd.DataFrame(columns=["campaign_id", "actual_spend", "overspent"]),
                                  pd.DataFrame(columns=["below_min_roi"]),
                                  pd.DataFrame(columns=["campaign_id", "leads"]))

    in_month = cases.loc[cases["in_month"]]
    month_scores = scores.loc[(scores["period"] == "month") & (scores["level"] == "total")]
    spend_total = spend.loc[spend["campaign_id"] == "total"]
    summary = {
        "month": str(period), "as_of": as_of.date().isoformat(),
        "cases": int(len(in_month)), "breaches": int(in_month["breached"].sum()),
        "breach_share": float(in_month["breached"].mean()) if len(in_month) else None,
        "open_cases": int(cases["open"].sum()), "aged_open_cases": int(cases["aged"].sum()),
        "csat": _first(month_scores, "csat"), "nps": _first(month_scores, "nps"),
        "survey_responses": int(_first(month_scores, "csat_responses") or 0),
        "nps_responses": int(_first(month_scores, "nps_responses") or 0),
        "marketing_budget": _first(spend_total, "budget"), "marketing_spend": _first(spend_total, "actual_spend"),
        "overspent_lines": int(spend.loc[spend["campaign_id"] != "total", "overspent"].sum()) if len(spend) else 0,
        "promotions": int(len(promos)),
        "promotions_below_min_roi": int(promos["below_min_roi"].sum()) if len(promos) else 0,
        "leads": _first(digital.loc[digital["campaign_id"] == "total"], "leads"),
    }
    tables = {"cases": cases, "sla_summary": summary_table, "satisfaction": scores, "marketing": spend,
              "promotions": promos, "funnel": digital}
    return JobResult(job=JOB, lang=inputs.lang, tables=tables, problems=list(inputs.problems), summary=summary,
                     empty_forms=empty)


def _first(frame: pd.DataFrame, column: str):
    if frame.empty or pd.isna(frame[column].iloc[0]):
        return None
    return float(frame[column].iloc[0])


# ---- the report -----------------------------------------------------------------------------

SHEETS = ("cases", "sla_summary", "satisfaction", "marketing", "promotions", "funnel")
# Column id → the enum whose labels its codes are shown with.
ENUM_COLUMNS = {"severity": "severity", "region": "region", "campaign_type": "campaign_type",
                "marketing_channel": "marketing_channel", "promotion_type": "promotion_type"}
# Codes this report adds, shown with their own labels.
OWN_CODES = {"case_kind": ("complaint", "ticket"), "period": tuple(PERIODS), "level": ("dealer", "region", "total"),
             "dimension": (*SUMMARY_DIMENSIONS, "total"), "age_band": AGE_BANDS}
# Causes are complaint causes for complaints and ticket types for tickets (the codes differ).
CAUSE_ENUMS = ("complaint_cause", "ticket_type")


def _label(column: str, lang: str) -> str:
    return tr(f"col.{column}" if has(f"col.{column}") else f"report.service.col.{column}", lang)


def _code_labels(column: str, lang: str) -> dict:
    if column in ENUM_COLUMNS:
        enum = ENUM_COLUMNS[column]
        return {code: tr(f"enum.{enum}.{code}", lang) for code in ENUMS[enum].codes}
    if column in OWN_CODES:
        return {code: tr(f"report.service.{column}.{code}", lang) for code in OWN_CODES[column]}
    if column in ("cause", "group"):
        labels = {code: tr(f"enum.{enum}.{code}", lang) for enum in CAUSE_ENUMS for code in ENUMS[enum].codes}
        if column == "group":
            labels.update({code: tr(f"enum.severity.{code}", lang) for code in ENUMS["severity"].codes})
        return labels
    return {}


def _labelled(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A report table with codes as labels, total rows named, yes/no for flags and headers as labels."""
    out = frame.copy()
    total = tr("report.service.total", lang)
    for column in out.columns:
        labels = _code_labels(column, lang)
        if labels:
            out[column] = out[column].map(lambda v, m=labels: m.get(v, v))
        if out[column].dtype == bool:
            out[column] = out[column].map(lambda v: tr(f"enum.yes_no.{'yes' if v else 'no'}", lang))
    for column in ("campaign_id", "group"):
        if column in out:
            out[column] = out[column].replace("total", total)
    out.columns = [_label(c, lang) for c in out.columns]
    return out


def report_sheets(result: JobResult) -> dict[str, pd.DataFrame]:
    """The result tables as sheets people read: localised sheet names, headers and codes."""
    lang = result.lang
    return {tr(f"report.service.sheet.{name}", lang): _labelled(result.tables[name], lang) for name in SHEETS}


NUMBER_FORMATS = {
    **dict.fromkeys(("budget", "actual_spend", "variance", "month_budget", "month_spend", "promo_sales",
                     "baseline_sales", "uplift", "incremental_margin", "promotion_cost", "cost",
                     "attributed_revenue", "impressions", "clicks", "leads", "conversions"), "#,##0"),
    **dict.fromkeys(("breach_share", "budget_use", "uplift_pct", "roi", "ctr", "lead_rate", "conversion_rate"),
                    "0.0%"),
    **dict.fromkeys(("first_response_target", "resolution_target", "first_response_elapsed", "resolution_elapsed", "median_first_response_hours",
                     "median_resolution_hours", "age_days", "csat", "nps", "cost_per_lead", "cost_per_conversion"),
                    "0.0"),
    **dict.fromkeys(("received_at", "first_response_at", "resolved_at"), "yyyy-mm-dd hh:mm"),
    **dict.fromkeys(("start_date", "end_date"), "yyyy-mm-dd"),
}


def report_formats(lang: str) -> dict[str, str]:
    """Header text → Excel number format for :func:`~dealerxl.jobs.common.write_result_workbook`."""
    return {_label(column, lang): fmt for column, fmt in NUMBER_FORMATS.items()}


def output_name(result: JobResult) -> str:
    """The report's file name in the workbook's language, e.g. ``服務檢視_2026-10.xlsx``."""
    return f"{tr('report.service.file', result.lang)}_{result.summary['month']}.xlsx"


def summary_text(result: JobResult) -> str:
    """One sentence on what the review found, in the result's language."""
    lang, s = result.lang, result.summary
    blank = "–"
    share = blank if s["breach_share"] is None else f"{s['breach_share']:.0%}"
    return tr("msg.service.summary", lang, month=s["month"], cases=s["cases"], breaches=s["breaches"], share=share,
              open=s["open_cases"], aged=s["aged_open_cases"],
              csat=blank if s["csat"] is None else f"{s['csat']:.0f}",
              nps=blank if s["nps"] is None else f"{s['nps']:.0f}", responses=s["survey_responses"],
              spend=blank if s["marketing_spend"] is None else f"{s['marketing_spend']:,.0f}",
              budget=blank if s["marketing_budget"] is None else f"{s['marketing_budget']:,.0f}",
              promotions=s["promotions"], low_roi=s["promotions_below_min_roi"])
