"""The Dealer review job (manual 3.1, 3.3, 3.4, 8.1): the monthly dealer appraisal with its
tiers, the prospect evaluation, contract renewals and the market research roll-up.

Appraisal metrics (each over the ``appraisal_window_months`` months ending with the month,
so one odd month does not decide a dealer's standing):

- ``sales_achievement``: net sales (returns subtracted) / target; the target is the month's
  row in the monthly targets when there is one, else the running contract's annual target / 12;
- ``sales_growth``: net sales / net sales of the same months a year before − 1 (only for a
  dealer that traded all of those months);
- ``payment_discipline``: of the invoice amounts falling due in the window (disputed invoices
  left out), the share paid by the due date plus the risk review's grace days;
- ``stock_health``: months of supply — the dealer's stock at month end / its average monthly
  sell-out, from the dealer monthly report, or the dealer stock form for months the report
  lacks (stock with no sell-out at all counts as :data:`MAX_MONTHS_OF_SUPPLY`);
- ``complaint_rate``: complaints received per 100 sales invoices;
- ``training_attendance``: people attending / people invited to the dealer's trainings over
  the ``appraisal_training_window_months``.

Each metric is normalised per the ``appraisal_weights`` settings; the score is the weighted
mean of the metrics a dealer has (:func:`~dealerxl.calc.scoring.score_of_present`), and the
metrics it lacks are listed beside it. Tiers follow ``tier_rules`` with hysteresis over the
:data:`HISTORY_MONTHS` months before: the path starts from the dealer master's tier and
takes every tier recorded in the dealer appraisal table as given.

The formulas (rolling windows, ratios, months of supply, normalisation, the tier decision,
prospect gates) are in :mod:`dealerxl.calc.appraisal` and :mod:`dealerxl.calc.scoring`; this
module reads the forms, shapes them into dealer × month arrays and labels the results.

Rows the reader finds wrong, rows naming an unknown dealer or prospect, and prospect scores
outside their criterion's scale are left out and returned as problems.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.book import Problem, read_form, read_settings
from dealerxl.book.language import detect_language
from dealerxl.book.read import open_source
from dealerxl.book.references import check_references
from dealerxl.calc.appraisal import (
    MAX_MONTHS_OF_SUPPLY,
    contract_month_targets,
    monthly_matrix,
    months_of_supply,
    months_trading,
    normalised_metrics,
    paid_on_time,
    prospect_verdicts,
    rate_per_hundred,
    rolling_sum,
    sales_achievement,
    sales_growth,
    share,
    tier_decision,
)
from dealerxl.calc.channel import active_in_month, market_rollup, renewal_alerts
from dealerxl.calc.scoring import grade, score_of_present
from dealerxl.forms import DEFAULT_ROWS, ENUMS
from dealerxl.i18n import has, listed, tr
from dealerxl.jobs import progress
from dealerxl.jobs.common import Inputs, JobResult, settings_table
from dealerxl.jobs.months import require_month_data
from dealerxl.jobs.risk import month_end, monthly_sales

JOB = "dealers"
APPRAISAL_FORM = "dealer_appraisal"
INPUT_FORMS = ("dealer_master", "dealer_contracts", "sales_transactions", "monthly_targets", "receivables",
               "dealer_monthly", "dealer_stock", "complaint_log", "dealer_support_log", "dealer_appraisal",
               "dealer_prospects", "prospect_scores", "market_research", "prospect_criteria", "appraisal_weights",
               "dealer_grade_bands", "tier_rules")
# Forms that other jobs write or that hold settings with defaults: a workbook without them is
# not missing anything the department types in.
OPTIONAL_FORMS = ("monthly_targets", "dealer_appraisal", "prospect_criteria", "appraisal_weights",
                  "dealer_grade_bands", "tier_rules")
METRICS = ENUMS["appraisal_metric"].codes
# Months of scores before the appraised month that the tier path is worked out over: long
# enough for any months_required of a few months to play out from the starting tier.
HISTORY_MONTHS = 12
# Renewal statuses that settle a contract's end: no alert for them.
SETTLED_RENEWALS = ("renewed", "terminated")
OPEN_RENEWALS = ("not_due", "under_review", "renewing")


# ---- reading -------------------------------------------------------------------------------

def load_dealer_inputs(source, *, lang: str | None = None) -> Inputs:
    """The forms of the review, ids checked against their masters (dealer, prospect), prospect
    scores checked against their criterion's scale; every bad row is a problem and left out."""
    workbook = open_source(source)
    language = lang or detect_language(workbook)
    reads = {}
    for done, form_id in enumerate(INPUT_FORMS):
        progress.step(tr("msg.progress.reading", language), done, len(INPUT_FORMS))
        reads[form_id] = read_form(workbook, form_id)
    check_references(reads)
    check_prospect_ids(reads["prospect_scores"], reads["dealer_prospects"])
    criteria = reads["prospect_criteria"].data
    check_prospect_scales(reads["prospect_scores"], criteria if len(criteria) else
                          pd.DataFrame(DEFAULT_ROWS["prospect_criteria"]))
    problems = [p for form_id, read in reads.items() for p in read.problems
                if not (form_id in OPTIONAL_FORMS and p.code == "missing_sheet")]
    frames = {form_id: read.data.reset_index(drop=True) for form_id, read in reads.items()}
    settings = read_settings(workbook)
    problems.extend(settings.problems)
    return Inputs(frames, dict(settings), problems, language, getattr(workbook, "label", str(source)))


def _reject(read, rows: pd.Index, problems: list[Problem]) -> None:
    read.problems.extend(problems)
    read.data = read.data.drop(index=rows)
    read.rejected = sorted(set(read.rejected) | set(rows))


def check_prospect_ids(scores, prospects) -> None:
    """A criterion score for a prospect that is not in the prospect list is a problem at its cell."""
    if scores.sheet is None or scores.data.empty or prospects.sheet is None:
        return
    source = prospects.raw if prospects.raw is not None and "prospect_id" in prospects.raw else prospects.data
    known = set(source["prospect_id"].dropna().astype(str).str.strip())
    ids = scores.data["prospect_id"].astype(str).str.strip()
    bad = scores.data.index[~ids.isin(known)]
    _reject(scores, bad, [Problem("unknown_reference", scores.sheet, scores.cell("prospect_id", row), "prospect_scores",
                                  "prospect_id", fields={"value": str(scores.data.at[row, "prospect_id"])},
                                  label_fields={"field": "col.prospect_id", "master": "form.dealer_prospects.sheet"})
                          for row in bad])


def check_prospect_scales(scores, criteria: pd.DataFrame) -> None:
    """A score outside its criterion's scale (``scale_min``–``scale_max``; below zero for a
    criterion without one) is a problem at its cell and the row is left out."""
    if scores.sheet is None or scores.data.empty:
        return
    scale = criteria.set_index("prospect_criterion")[["scale_min", "scale_max"]].apply(pd.to_numeric, errors="coerce")
    data = scores.data
    low = data["prospect_criterion"].map(scale["scale_min"]).fillna(0.0).astype(float)
    high = data["prospect_criterion"].map(scale["scale_max"]).astype(float)
    value = pd.to_numeric(data["criterion_value"], errors="coerce").astype(float)
    below, above = value < low, value > high
    problems = []
    for row in data.index[below | above]:
        code, bound = ("below_min", "min") if below[row] else ("above_max", "max")
        problems.append(Problem(code, scores.sheet, scores.cell("criterion_value", row), "prospect_scores",
                                "criterion_value", fields={"value": f"{value[row]:g}",
                                                           bound: f"{(low if below[row] else high)[row]:g}"},
                                label_fields={"field": "col.criterion_value"}))
    _reject(scores, data.index[below | above], problems)


# ---- monthly matrices ----------------------------------------------------------------------

def per_month(frame: pd.DataFrame, dates: pd.Series, values, dealer_ids: pd.Index, span: pd.PeriodIndex) -> np.ndarray:
    """Sum of ``values`` per dealer × month of ``dates`` over ``span``; 0 where nothing."""
    return monthly_matrix(frame["dealer_id"].to_numpy(), dates, values, dealer_ids, span)


def targets(inputs: Inputs, dealer_ids: pd.Index, span: pd.PeriodIndex) -> np.ndarray:
    """Target per dealer × month: the monthly targets' row, else the running contract's
    annual target / 12 (:func:`~dealerxl.calc.appraisal.contract_month_targets`)."""
    contracts = inputs["dealer_contracts"]
    rows = inputs["monthly_targets"]
    typed = None
    if not rows.empty:
        table = pd.DataFrame({"dealer_id": rows["dealer_id"],
                              "period": pd.to_datetime(rows["month"]).dt.to_period("M"),
                              "target": pd.to_numeric(rows["target_amount"], errors="coerce")})
        typed = table.pivot_table(index="dealer_id", columns="period", values="target", aggfunc="sum")
        typed = typed.reindex(index=dealer_ids, columns=span).to_numpy(float)
    return contract_month_targets(contracts["dealer_id"], contracts["start_date"], contracts["end_date"],
                                  contracts["annual_target_amount"], dealer_ids, span, typed=typed)


def payment_on_time(inputs: Inputs, dealer_ids: pd.Index, span: pd.PeriodIndex) -> tuple[np.ndarray, np.ndarray]:
    """Amount falling due and the part of it paid on time, per dealer × month due (disputed
    invoices left out; on time per :func:`~dealerxl.calc.appraisal.paid_on_time` with the risk
    review's ``overdue_grace_days``)."""
    invoices = inputs["receivables"]
    invoices = invoices.loc[invoices["disputed"].fillna("no") != "yes"]
    amount = pd.to_numeric(invoices["amount"], errors="coerce").fillna(0.0)
    on_time = paid_on_time(invoices["paid_amount"], invoices["paid_date"], invoices["due_date"],
                           int(inputs.settings["overdue_grace_days"]))
    due = per_month(invoices, invoices["due_date"], amount, dealer_ids, span)
    return due, per_month(invoices, invoices["due_date"], on_time, dealer_ids, span)


def stock_reports(inputs: Inputs, dealer_ids: pd.Index, span: pd.PeriodIndex) -> tuple[np.ndarray, np.ndarray]:
    """Stock at month end and sell-out per dealer × month: the dealer monthly report, and the
    dealer stock form for the dealer-months the report lacks; blank where neither has a row."""
    def totals(form_id: str) -> pd.DataFrame:
        frame = inputs[form_id]
        table = pd.DataFrame({"dealer_id": frame["dealer_id"], "period": pd.to_datetime(frame["month"]).dt.to_period("M"),
                              "stock": pd.to_numeric(frame["dealer_stock_qty"], errors="coerce"),
                              "sold": pd.to_numeric(frame["sell_out_qty"], errors="coerce")})
        return table.groupby(["dealer_id", "period"])[["stock", "sold"]].sum()

    combined = totals("dealer_monthly").combine_first(totals("dealer_stock"))
    stock = combined["stock"].unstack("period").reindex(index=dealer_ids, columns=span).to_numpy(float)
    sold = combined["sold"].unstack("period").reindex(index=dealer_ids, columns=span).to_numpy(float)
    return stock, sold


def invoices_per_month(inputs: Inputs, dealer_ids: pd.Index, span: pd.PeriodIndex) -> np.ndarray:
    """Distinct sales invoices (returns not counted) per dealer × month."""
    sales = inputs["sales_transactions"]
    sales = sales.loc[sales["transaction_type"] != "return"].drop_duplicates("invoice_no")
    return per_month(sales, sales["invoice_date"], np.ones(len(sales)), dealer_ids, span)


def training_counts(inputs: Inputs, dealer_ids: pd.Index, span: pd.PeriodIndex) -> tuple[np.ndarray, np.ndarray]:
    """People invited and attending the dealer's trainings per dealer × month (cancelled ones left out)."""
    log = inputs["dealer_support_log"]
    log = log.loc[(log["support_type"] == "training") & (log["status"] != "cancelled") & log["invited_count"].notna()]
    invited = per_month(log, log["support_date"], pd.to_numeric(log["invited_count"]).fillna(0), dealer_ids, span)
    attended = per_month(log, log["support_date"], pd.to_numeric(log["attended_count"]).fillna(0), dealer_ids, span)
    return invited, attended


def metric_history(inputs: Inputs, dealers: pd.DataFrame, months: pd.PeriodIndex) -> dict[str, np.ndarray]:
    """Every appraisal metric per dealer × month of ``months`` (blank where it cannot be known)."""
    settings = inputs.settings
    window = int(settings["appraisal_window_months"])
    training_window = int(settings["appraisal_training_window_months"])
    ids = pd.Index(dealers["dealer_id"])
    reach = max(window + 12, training_window)
    span = pd.period_range(months[0] - reach, months[-1], freq="M")
    keep = slice(reach, None)

    sales = monthly_sales(inputs, ids, span[-1], len(span))
    sales_window = rolling_sum(sales, window)
    achievement = sales_achievement(sales_window, rolling_sum(targets(inputs, ids, span), window))
    # Growth only for a dealer trading through all of the year-earlier months.
    joined = month_numbers(dealers["join_date"])
    prior_start = span[keep].asi8 - 12 - (window - 1)
    traded = joined[:, None] <= prior_start[None, :]
    growth = sales_growth(sales_window[:, keep], sales_window[:, reach - 12:len(span) - 12], traded)

    due, on_time = payment_on_time(inputs, ids, span)
    stock, sold = stock_reports(inputs, ids, span)
    complaints = inputs["complaint_log"]
    complaint_count = per_month(complaints, complaints["received_at"], np.ones(len(complaints)), ids, span)
    invited, attended = training_counts(inputs, ids, span)
    return {
        "sales_achievement": achievement[:, keep],
        "sales_growth": growth,
        "payment_discipline": share(rolling_sum(on_time, window), rolling_sum(due, window))[:, keep],
        "stock_health": months_of_supply(stock, sold, window, MAX_MONTHS_OF_SUPPLY)[:, keep],
        "complaint_rate": rate_per_hundred(rolling_sum(complaint_count, window),
                                           rolling_sum(invoices_per_month(inputs, ids, span), window))[:, keep],
        "training_attendance": share(rolling_sum(attended, training_window),
                                     rolling_sum(invited, training_window))[:, keep],
    }


# ---- the appraisal -------------------------------------------------------------------------

def appraised_dealers(inputs: Inputs, last: pd.Period) -> pd.DataFrame:
    """Dealers active in the month (:func:`~dealerxl.calc.channel.active_in_month`: under
    contract on one of its days, prospects not)."""
    dealers = inputs["dealer_master"]
    keep = active_in_month(dealers["join_date"], dealers["termination_date"], dealers["status"], last)
    return dealers.loc[keep].drop_duplicates("dealer_id").sort_values("dealer_id").reset_index(drop=True)


def recorded_tiers(inputs: Inputs, dealer_ids: pd.Index, months: pd.PeriodIndex) -> np.ndarray:
    """Tiers the dealer appraisal table holds per dealer × month (None where not recorded)."""
    rows = inputs["dealer_appraisal"]
    rows = rows.loc[rows["tier"].notna()]
    table = pd.DataFrame({"dealer_id": rows["dealer_id"], "period": pd.to_datetime(rows["month"]).dt.to_period("M"),
                          "tier": rows["tier"]}).drop_duplicates(["dealer_id", "period"], keep="last")
    known = table.pivot(index="dealer_id", columns="period", values="tier") if len(table) else pd.DataFrame()
    known = known.reindex(index=dealer_ids, columns=months)
    return known.astype(object).where(known.notna(), None).to_numpy(dtype=object).copy()


def appraise(inputs: Inputs, last: pd.Period) -> pd.DataFrame:
    """One row per dealer trading in ``last``: metrics, score, grade, tier movement."""
    settings = inputs.settings
    dealers = appraised_dealers(inputs, last)
    ids = pd.Index(dealers["dealer_id"])
    months = pd.period_range(last - HISTORY_MONTHS, last, freq="M")
    values = metric_history(inputs, dealers, months)
    scaled, weights, metrics = normalised_metrics(values, settings_table(inputs, "appraisal_weights"))
    flat = score_of_present(scaled.reshape(-1, len(metrics)), weights)
    scores = flat["score"].to_numpy().reshape(len(ids), len(months))

    # Months the dealer had traded by each month's end; a dealer newer than the minimum keeps
    # its starting tier, and months before it joined have no score to move on.
    tenure = months_trading(months.asi8, month_numbers(dealers["join_date"]))
    known = recorded_tiers(inputs, ids, months)
    known[:, -1] = None  # the appraised month is worked out afresh
    tiers = tier_decision(scores, tenure, dealers["tier"].to_numpy(dtype=object), settings_table(inputs, "tier_rules"),
                          int(settings["appraisal_min_months_active"]), known_tiers=known)

    bands = settings_table(inputs, "dealer_grade_bands")
    score_now = scores[:, -1]
    grades = grade(np.nan_to_num(score_now), bands["min_score"].astype(float), bands["grade"])
    missing = pd.DataFrame({m: np.isnan(values[m][:, -1]) for m in metrics})
    table = pd.DataFrame({
        "dealer_id": ids, "month": last.start_time, "dealer_name": dealers["dealer_name"].to_numpy(),
        "region": dealers["region"].to_numpy(),
        **{m: values[m][:, -1] for m in METRICS},
        "appraisal_score": score_now,
        "grade": np.where(np.isnan(score_now), None, grades),
        "previous_tier": tiers["previous_tier"],
        "tier": tiers["tier"],
        "tier_change": tiers["tier_change"],
        # Held since this month (blank: through the whole path the appraisal followed).
        "tier_since": np.where(tiers["tier_since"] >= 0, months.start_time.to_numpy()[np.maximum(tiers["tier_since"], 0)],
                               np.datetime64("NaT")),
        "months_qualifying": tiers["months_qualifying"],
        # The tier recorded in the dealer master, where the appraisal's path started: the
        # appraisal's tier is the one that counts for the month.
        "master_tier": dealers["tier"].to_numpy(dtype=object),
        "missing_metrics": codes_listed(missing.to_numpy(), metrics),
        "missing_weight": flat["missing_weight"].to_numpy().reshape(len(ids), len(months))[:, -1],
    })
    table["score"] = table["appraisal_score"]
    return table


def month_numbers(dates) -> np.ndarray:
    """Months since 1970-01 of each date (``Period.asi8``), for month arithmetic on arrays."""
    return pd.to_datetime(pd.Series(dates)).dt.to_period("M").array.asi8


def codes_listed(mask: np.ndarray, codes) -> np.ndarray:
    """Per row of ``mask`` (rows × codes), the codes it marks joined by commas; None when none.

    >>> codes_listed(np.array([[True, False, True], [False, False, False]]), ["a", "b", "c"]).tolist()
    ['a,c', None]
    """
    labels = pd.Series([f"{c}," for c in codes], dtype=object)
    joined = pd.DataFrame(np.asarray(mask, dtype=bool)).dot(labels) if len(mask) else pd.Series([], dtype=object)
    text = np.array([str(v) for v in joined], dtype=object) if len(mask) else np.array([], dtype=object)
    text = np.char.rstrip(text.astype(str), ",").astype(object)
    return np.where(text != "", text, None)


# ---- prospects -----------------------------------------------------------------------------

def evaluate_prospects(inputs: Inputs) -> pd.DataFrame:
    """Weighted score, gates, grade and recommendation (with its reason in words) per prospect
    with criterion scores."""
    lang, settings = inputs.lang, inputs.settings
    criteria = settings_table(inputs, "prospect_criteria")
    criteria = criteria.loc[criteria["weight"].astype(float) > 0].reset_index(drop=True)
    scores = inputs["prospect_scores"]
    columns = ["prospect_id", "dealer_name", "region", "prospect_stage", "evaluation_date", *criteria["prospect_criterion"],
               "weighted_score", "gates_passed", "failed_gates", "missing_criteria", "grade",
               "prospect_recommendation", "recommendation_reason"]
    if scores.empty or criteria.empty:
        return pd.DataFrame(columns=columns)
    raw = scores.pivot_table(index="prospect_id", columns="prospect_criterion", values="criterion_value",
                             aggfunc="mean").reindex(columns=criteria["prospect_criterion"]).astype(float)
    codes = np.asarray(criteria["prospect_criterion"], dtype=object)
    x = raw.to_numpy(float)
    scaled, weights, _ = normalised_metrics({c: x[:, j] for j, c in enumerate(codes)}, criteria,
                                            code="prospect_criterion", what="calc.subject.prospect_criteria")
    score = score_of_present(scaled, weights)["score"].to_numpy()
    floor = pd.to_numeric(criteria["gate_floor"], errors="coerce").to_numpy(float)
    pass_score, conditional = float(settings["prospect_pass_score"]), float(settings["prospect_conditional_score"])
    verdicts = prospect_verdicts(x, floor, np.where(criteria["kpi_direction"] == "lower_better", -1, 1), score,
                                 pass_score, conditional)
    failed, missing, recommendation = verdicts["failed"], verdicts["missing"], verdicts["recommendation"]
    bands = settings_table(inputs, "dealer_grade_bands")

    def reason(i: int) -> str:
        if failed[i].any():
            return "；".join(tr("msg.dealers.reason.gate", lang, criterion=tr(f"enum.prospect_criterion.{c}", lang),
                                value=f"{x[i, j]:g}", floor=f"{floor[j]:g}")
                            for j, c in enumerate(codes) if failed[i, j])
        if missing[i].any():
            return tr("msg.dealers.reason.missing", lang,
                      criteria=listed([tr(f"enum.prospect_criterion.{c}", lang) for c in codes[missing[i]]], lang))
        key = {"sign": "pass", "sign_with_conditions": "conditional", "reject": "low"}[recommendation[i]]
        return tr(f"msg.dealers.reason.{key}", lang, score=f"{score[i]:.1f}", pass_score=f"{pass_score:g}",
                  conditional=f"{conditional:g}")

    prospects = inputs["dealer_prospects"].drop_duplicates("prospect_id").set_index("prospect_id")
    ids = raw.index
    table = pd.DataFrame({
        "prospect_id": ids,
        **{column: prospects[column].reindex(ids).to_numpy(dtype=object)
           for column in ("dealer_name", "region", "prospect_stage", "evaluation_date")},
        **{c: x[:, j] for j, c in enumerate(codes)},
        "weighted_score": score,
        "gates_passed": np.where(failed.any(axis=1), "no", "yes"),
        "failed_gates": codes_listed(failed, codes),
        "missing_criteria": codes_listed(missing, codes),
        "grade": grade(np.nan_to_num(score), bands["min_score"].astype(float), bands["grade"]),
        "prospect_recommendation": recommendation,
        "recommendation_reason": [reason(i) for i in range(len(ids))],  # words per prospect, once each
    })
    return table[columns]


# ---- renewals and the market ---------------------------------------------------------------

def renewals_due(inputs: Inputs, as_of: pd.Timestamp) -> pd.DataFrame:
    """Contracts ending within the alert window (the setting, or the contract's own notice
    period when longer), and contracts that have lapsed with no renewal decision; settled
    ones (renewed, terminated) are left out."""
    contracts = inputs["dealer_contracts"]
    contracts = contracts.loc[~contracts["renewal_status"].isin(SETTLED_RENEWALS)].reset_index(drop=True)
    columns = ["contract_id", "dealer_id", "dealer_name", "contract_type", "end_date", "days_left", "notice_days",
               "renewal_status", "auto_renew", "expired", "owner"]
    if contracts.empty:
        return pd.DataFrame(columns=columns)
    notice = pd.to_numeric(contracts["notice_days"], errors="coerce").fillna(
        float(inputs.settings["contract_default_notice_days"]))
    alerts = renewal_alerts(contracts["end_date"], as_of, int(inputs.settings["contract_renewal_alert_days"]),
                            notice.to_numpy(float))
    lapsed = alerts["expired"] & contracts["renewal_status"].isin(OPEN_RENEWALS)
    names = inputs["dealer_master"].drop_duplicates("dealer_id").set_index("dealer_id")["dealer_name"]
    table = contracts.assign(days_left=alerts["days_left"], expired=np.where(alerts["expired"], "yes", "no"),
                             notice_days=notice.astype(int), dealer_name=contracts["dealer_id"].map(names))
    table = table.loc[alerts["alert"] | lapsed, columns]
    return table.sort_values(["days_left", "contract_id"], kind="stable").reset_index(drop=True)


def market_by_region(inputs: Inputs, as_of: pd.Timestamp) -> pd.DataFrame:
    """The latest survey of each region, city and product group no older than the setting's
    months, rolled up by region, with a total row."""
    research = inputs["market_research"]
    month = pd.to_datetime(research["month"])
    oldest = as_of.to_period("M") - (int(inputs.settings["market_research_max_age_months"]) - 1)
    research = research.loc[(month <= as_of) & (month.dt.to_period("M") >= oldest)]
    columns = ["region", "market_size", "prior_market_size", "our_sales", "outlets_total", "outlets_covered",
               "market_growth", "market_share", "outlet_coverage", "surveys", "latest_survey"]
    if research.empty:
        return pd.DataFrame(columns=columns)
    latest = research.sort_values("month", kind="stable").drop_duplicates(["region", "city", "product_group"],
                                                                          keep="last")
    everything = pd.concat([latest, latest.assign(region="total")], ignore_index=True)
    rolled = market_rollup(everything).rename(columns={"growth": "market_growth", "share": "market_share",
                                                       "coverage": "outlet_coverage"})
    grouped = everything.groupby("region")
    rolled["surveys"] = rolled["region"].map(grouped.size()).astype(int)
    rolled["latest_survey"] = rolled["region"].map(grouped["month"].max())
    regions = [r for r in ENUMS["region"].codes if r in set(rolled["region"])] + ["total"]
    return rolled.set_index("region").loc[regions].reset_index()[columns]


# ---- the job -------------------------------------------------------------------------------

def run_dealer_review(source, month, *, lang: str | None = None) -> JobResult:
    """The dealer review of ``month`` (``"2026-10"``) as of its last day, from ``source``
    (a workbook path or an open book): tables ``appraisal``, ``prospects``, ``renewals``, ``market``."""
    as_of = month_end(month)
    last = as_of.to_period("M")
    inputs = load_dealer_inputs(source, lang=lang)
    empty = require_month_data(inputs, last, JOB)
    progress.step(tr("msg.progress.working", inputs.lang, job=tr("ribbon.dealers", inputs.lang)))
    appraisal = appraise(inputs, last)
    prospects = evaluate_prospects(inputs)
    renewals = renewals_due(inputs, as_of)
    market = market_by_region(inputs, as_of)
    tiers = appraisal["tier"].value_counts()
    moves = appraisal["tier_change"].value_counts()
    recommended = prospects["prospect_recommendation"].value_counts()
    summary = {"month": str(last), "as_of": as_of.date().isoformat(), "dealers": len(appraisal),
               "tiers": {t: int(tiers.get(t, 0)) for t in ENUMS["tier"].codes},
               "promoted": int(moves.get("promoted", 0)), "demoted": int(moves.get("demoted", 0)),
               "new": int(moves.get("new", 0)), "incomplete": int(appraisal["missing_metrics"].notna().sum()),
               "prospects": len(prospects),
               "recommendations": {r: int(recommended.get(r, 0)) for r in ENUMS["prospect_recommendation"].codes},
               "renewals": len(renewals), "lapsed": int((renewals["expired"] == "yes").sum()),
               "regions": int((market["region"] != "total").sum())}
    tables = {"appraisal": appraisal, "prospects": prospects, "renewals": renewals, "market": market}
    return JobResult(job=JOB, lang=inputs.lang, tables=tables, problems=list(inputs.problems), summary=summary,
                     empty_forms=empty)


# ---- the report ----------------------------------------------------------------------------

ENUM_COLUMNS = {"region": "region", "grade": "appraisal_grade", "tier": "tier", "previous_tier": "tier",
                "master_tier": "tier",
                "tier_change": "tier_change", "prospect_stage": "prospect_stage", "gates_passed": "yes_no",
                "prospect_recommendation": "prospect_recommendation", "contract_type": "contract_type",
                "renewal_status": "renewal_status", "auto_renew": "yes_no", "expired": "yes_no"}
LIST_COLUMNS = {"missing_metrics": "appraisal_metric", "failed_gates": "prospect_criterion",
                "missing_criteria": "prospect_criterion"}
HIDDEN = ("score",)  # the same number as appraisal_score, kept for callers under its short name


def _label(column: str, lang: str) -> str:
    if column in ENUMS["prospect_criterion"].codes:
        return tr(f"enum.prospect_criterion.{column}", lang)
    return tr(f"col.{column}" if has(f"col.{column}") else f"report.dealers.col.{column}", lang)


def _labelled(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A report table with codes as labels, the total row named and headers as labels."""
    out = frame.drop(columns=[c for c in HIDDEN if c in frame])
    for column in out.columns:
        if column in ENUM_COLUMNS:
            enum = ENUM_COLUMNS[column]
            labels = {code: tr(f"enum.{enum}.{code}", lang) for code in ENUMS[enum].codes}
            out[column] = out[column].map(lambda v, l=labels: l.get(v, v))
        elif column in LIST_COLUMNS:
            enum = LIST_COLUMNS[column]
            out[column] = out[column].map(
                lambda v, e=enum: listed([tr(f"enum.{e}.{c}", lang) for c in v.split(",")], lang)
                if isinstance(v, str) and v else v)
    if "region" in frame:
        out["region"] = out["region"].replace("total", tr("report.dealers.total", lang))
    out.columns = [_label(c, lang) for c in out.columns]
    return out


SHEETS = ("appraisal", "prospects", "renewals", "market")


def report_sheets(result: JobResult) -> dict[str, pd.DataFrame]:
    """The result tables as sheets people read: localised sheet names, headers and codes."""
    return {tr(f"report.dealers.sheet.{name}", result.lang): _labelled(result.tables[name], result.lang)
            for name in SHEETS}


NUMBER_FORMATS = {
    **dict.fromkeys(("sales_achievement", "sales_growth", "payment_discipline", "training_attendance",
                     "market_growth", "market_share", "outlet_coverage", "missing_weight"), "0.0%"),
    **dict.fromkeys(("stock_health", "complaint_rate", "appraisal_score", "weighted_score"), "0.0"),
    **dict.fromkeys(("market_size", "prior_market_size", "our_sales"), "#,##0"),
}


def report_formats(lang: str) -> dict[str, str]:
    """Header text → Excel number format for :func:`~dealerxl.jobs.common.write_result_workbook`."""
    return {_label(column, lang): fmt for column, fmt in NUMBER_FORMATS.items()}


def output_name(result: JobResult) -> str:
    """The report's file name in the workbook's language, e.g. ``經銷商考核_2026-10.xlsx``."""
    return f"{tr('report.dealers.file', result.lang)}_{result.summary['month']}.xlsx"


def summary_text(result: JobResult) -> str:
    """One sentence on what the review found, in the result's language."""
    lang, s = result.lang, result.summary
    return tr("msg.dealers.summary", lang, month=s["month"], dealers=s["dealers"], gold=s["tiers"].get("gold", 0),
              silver=s["tiers"].get("silver", 0), bronze=s["tiers"].get("bronze", 0), promoted=s["promoted"],
              demoted=s["demoted"], incomplete=s["incomplete"], prospects=s["prospects"],
              sign=s["recommendations"]["sign"], renewals=s["renewals"])
