"""The Replenishment job (manual 5.1, 5.2, 5.4): what to order per SKU × location, and why.

Reads the stock ledger, the demand history and the item master, joins them into one stock
position per SKU × location, takes each item's service level (item override, else its
ABC-XYZ policy box, else the default setting), the box's review rule and review period,
and hands the positions to
:func:`dealerxl.calc.replenishment.replenishment_proposal`. Every SKU × location found in
the stock ledger or the demand history appears in the result: with a proposal, or among
the items whose parameters are missing (and which ones). The supplier scorecard and the
logistics cost per route and per region come with it, as the buyers read them together.

Returns a :class:`~dealerxl.jobs.common.JobResult` whose tables are keyed by column ids
(``proposal``, ``missing``, ``suppliers``, ``routes``, ``regions``); :func:`report_sheets` turns
them into sheets people read. Where the tables go is the front end's business.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dealerxl.calc.demand import demand_statistics
from dealerxl.calc.inventory import abc_xyz, apply_policy, thresholds_from_settings
from dealerxl.calc.replenishment import COUNT_CLASSES, REASON_FIELDS, REQUIRED, replenishment_proposal
from dealerxl.calc.supply import logistics_costs, supplier_scorecard
from dealerxl.forms import ENUMS, get_form
from dealerxl.i18n import has, listed, tr
from dealerxl.jobs.common import JobResult, load_inputs, localise, settings_table, sheet_title

JOB = "replenish"
INPUT_FORMS = ("item_master", "stock_ledger", "demand_history", "suppliers", "supplier_deliveries", "shipments",
               "abc_thresholds", "xyz_thresholds", "abc_xyz_policy", "supplier_score_weights",
               "supplier_grade_bands")
# What only the supplier scorecard and the logistics costs read (see run_replenishment).
SCORECARD_FORMS = ("suppliers", "supplier_deliveries", "shipments", "supplier_score_weights", "supplier_grade_bands")
PROPOSAL_FORM = "replenishment_proposal"
KEYS = ["sku", "location"]
ITEM_COLUMNS = ["sku", "sku_name", "unit_cost", "supplier_id", "lead_time_days", "lead_time_sd_days", "order_cost",
                "holding_cost_rate", "moq", "pack_size", "service_level_override", "status"]
SUPPLIER_COLUMNS = ["supplier_id", "supplier_name", "lines", "measured_lines", "on_time", "in_full", "otif",
                    "reject_rate", "lead_time_mean_days", "lead_time_sd_days", "lead_time_cv", "price_variance",
                    "score", "supplier_grade"]
LOGISTICS_COLUMNS = ["shipments", "shipped_units", "cost", "shipment_value", "cost_per_unit",
                     "cost_per_shipment", "cost_share_of_value", "late_shipments", "measured_shipments", "late_share"]


def as_of_date(value) -> pd.Timestamp:
    """The planning date: the given one, or today."""
    return pd.Timestamp(value if value is not None else dt.date.today()).normalize()


def demand_per_position(history: pd.DataFrame, as_of: pd.Timestamp, settings: dict) -> pd.DataFrame:
    """Mean and standard deviation of monthly demand per SKU × location over the settings'
    history window ending at the last month on or before ``as_of``.

    Demand is what was shipped plus what could not be served, so stock-outs do not shrink
    the safety stock. An item's history starts at its own first month; with fewer months
    than ``min_history_months`` its variability is unknown (listed as missing).

    Each position also gets its Syntetos–Boylan ``demand_class``. For intermittent and lumpy
    ones the mean is the Croston–SBA or TSB forecast and the standard deviation that
    forecast's error (root mean squared one-step error), which the proposal turns into a
    reorder point from a count distribution.
    """
    months = pd.to_datetime(history["month"])
    history = history.loc[months <= as_of].assign(
        demand=lambda h: h["quantity"].astype(float) + h.get("unfulfilled_qty", pd.Series(0.0, index=h.index))
        .astype(float).fillna(0.0))
    if history.empty:
        return pd.DataFrame(columns=[*KEYS, "mean_demand", "sd_demand", "cv", "demand_class"])
    last = pd.to_datetime(history["month"]).max().to_period("M")
    first = last - (int(settings["demand_history_months"]) - 1)
    history = history.loc[pd.to_datetime(history["month"]).dt.to_period("M") >= first]
    stats = demand_statistics(history, keys=KEYS, quantity="demand", first_period=first, last_period=last,
                              from_first_row=True, classify=True)
    counted = stats["demand_class"].isin(COUNT_CLASSES)
    stats.loc[counted, "mean_demand"] = stats.loc[counted, "intermittent_forecast"]
    # No one-step error before the first demand: an item first asked for in the last month
    # keeps the spread of its demand.
    error_sd = np.sqrt(stats["intermittent_mse"])
    stats.loc[counted, "sd_demand"] = error_sd[counted].fillna(stats.loc[counted, "sd_demand"])
    short = stats["periods"] < int(settings["min_history_months"])
    stats.loc[short, "sd_demand"] = np.nan
    return stats[[*KEYS, "mean_demand", "sd_demand", "cv", "demand_class"]]


def stock_positions(inputs, as_of: pd.Timestamp) -> pd.DataFrame:
    """One row per SKU × location in the stock ledger or the demand history, with stock,
    demand statistics, item parameters, ABC-XYZ class and service level."""
    settings = inputs.settings
    stock = inputs["stock_ledger"][[*KEYS, "on_hand", "on_order", "reserved"]]
    demand = demand_per_position(inputs["demand_history"], as_of, settings)
    items = inputs["item_master"][ITEM_COLUMNS]
    positions = stock.merge(demand, on=KEYS, how="outer").merge(items, on="sku", how="left")
    positions = positions.sort_values(KEYS, kind="stable").reset_index(drop=True)

    periods_per_year = 365.25 / float(settings["demand_period_days"])
    annual_value = positions["mean_demand"] * periods_per_year * positions["unit_cost"]
    classed = annual_value.notna()
    limits = thresholds_from_settings(settings_table(inputs, "abc_thresholds"),
                                      settings_table(inputs, "xyz_thresholds"))
    classes = abc_xyz(annual_value[classed].to_numpy(), positions.loc[classed, "cv"].to_numpy(), **limits)
    classes.index = positions.index[classed]
    positions["abc_class"] = classes["abc_class"].reindex(positions.index)
    positions["xyz_class"] = classes["xyz_class"].reindex(positions.index)
    policy = apply_policy(classes, settings_table(inputs, "abc_xyz_policy"))
    policy_level = pd.to_numeric(policy["service_level"], errors="coerce").reindex(positions.index)
    # The box's review rule decides whether stock is kept (make_to_order) and whether the
    # proposal is ordered as is or approved first (manual_review); unclassed items: continuous.
    positions["review_rule"] = policy["review_rule"].reindex(positions.index)
    # Periodic boxes protect over review period + lead time; a blank period is none (a
    # periodic rule then reviews once per demand period, see replenishment_proposal).
    if "review_period_days" in policy.columns:
        positions["review_period_days"] = pd.to_numeric(policy["review_period_days"],
                                                        errors="coerce").reindex(positions.index)
    positions["service_level"] = (positions["service_level_override"].astype(float)
                                  .fillna(policy_level).fillna(float(settings["default_service_level"])))
    if int(settings["use_fill_rate"]):
        positions["fill_rate"] = float(settings["fill_rate_target"])
    return positions.drop(columns=["service_level_override", "cv"])


def number_text(values: pd.Series) -> pd.Series:
    """Quantities as people read them: thousands separated, whole numbers without decimals."""
    numbers = pd.to_numeric(values, errors="coerce")
    whole = (numbers - numbers.round()).abs() < 0.05
    text = pd.Series([f"{v:,.0f}" if w else f"{v:,.1f}" for v, w in zip(numbers.fillna(0.0), whole)],
                     index=values.index)
    return text.where(numbers.notna(), "")


def parameter_names(missing: pd.Series, lang: str) -> pd.Series:
    """The comma-separated column ids of ``missing`` as the language's labels."""
    labels = {name: tr(_parameter_key(name), lang) for name in REQUIRED}
    return missing.fillna("").map(
        lambda ids: listed((labels.get(i.strip(), i.strip()) for i in ids.split(",") if i.strip()), lang))


def _parameter_key(name: str) -> str:
    # Demand statistics are missing for a reason (too little history) the column label alone
    # would not tell; the item parameters are named by their column headers.
    own = f"report.replenish.param.{name}"
    return own if has(own) else f"col.{name}"


def reason_text(proposal: pd.DataFrame, lang: str) -> pd.Series:
    """Each row's reason as a sentence in ``lang`` (``msg.replenishment.<reason>``)."""
    shown = {}
    for column in {c for fields in REASON_FIELDS.values() for c in fields}:
        if column == "status":
            labels = {code: tr(f"enum.item_status.{code}", lang) for code in ENUMS["item_status"].codes}
            status = proposal.get(column, pd.Series("", index=proposal.index))
            shown[column] = status.map(lambda v: labels.get(v, v) if isinstance(v, str) else "")
        elif column == "missing_parameters":
            shown[column] = proposal.get(column, pd.Series("", index=proposal.index)).fillna("")
        else:
            shown[column] = number_text(proposal[column])
    rows = pd.DataFrame(shown, index=proposal.index).to_dict("records")
    return pd.Series([tr(f"msg.replenishment.{reason}", lang, **{f: row[f] for f in REASON_FIELDS[reason]})
                      for reason, row in zip(proposal["replenishment_reason"], rows)],
                     index=proposal.index, dtype=object)


def supplier_table(inputs, as_of: pd.Timestamp) -> pd.DataFrame:
    """The supplier scorecard over the review window, with each supplier's name."""
    settings = inputs.settings
    deliveries = inputs["supplier_deliveries"]
    start = as_of - pd.DateOffset(months=int(settings["supplier_review_months"]))
    order_dates = pd.to_datetime(deliveries["order_date"])
    window = deliveries.loc[(order_dates > start) & (order_dates <= as_of)]
    card = supplier_scorecard(window, settings_table(inputs, "supplier_score_weights"),
                              settings_table(inputs, "supplier_grade_bands"), as_of,
                              float(settings["on_time_tolerance_days"]), float(settings["in_full_tolerance"]),
                              int(settings["supplier_min_deliveries"]))
    names = inputs["suppliers"][["supplier_id", "supplier_name"]].drop_duplicates("supplier_id")
    card = card.merge(names, on="supplier_id", how="left")
    return card.reindex(columns=SUPPLIER_COLUMNS)


def logistics_table(inputs, as_of: pd.Timestamp, by: str) -> pd.DataFrame:
    """Logistics cost per ``by`` (route, region) over the shipments up to ``as_of``
    (cancelled ones left out)."""
    shipments = inputs["shipments"]
    shipments = shipments.loc[(pd.to_datetime(shipments["ship_date"]) <= as_of)
                              & (shipments["shipment_status"] != "cancelled")]
    costs = logistics_costs(shipments, by=by, as_of=as_of,
                            late_tolerance_days=float(inputs.settings["late_shipment_tolerance_days"]))
    return costs.reindex(columns=[by, *LOGISTICS_COLUMNS])


def run_replenishment(source, *, as_of=None, lang: str | None = None, scorecards: bool = True) -> JobResult:
    """Read ``source`` (a path or an open workbook) and plan the replenishment at ``as_of``.

    Rows the reader found wrong are left out and returned as problems. Tables: ``proposal``
    (the replenishment proposal form, every SKU × location, missing ones included, plus the
    ``reason_text`` sentence; ``review_rule`` from the ABC-XYZ policy: make-to-order items
    keep no stock, manual-review ones are proposed but not counted as orders until approved),
    ``missing`` (the items lacking parameters, with their labels),
    and with ``scorecards`` ``suppliers``, ``routes`` and ``regions`` (logistics cost); without
    them the supplier and shipment forms are not read either.
    """
    planning_date = as_of_date(as_of)
    forms = [f for f in INPUT_FORMS if scorecards or f not in SCORECARD_FORMS]
    inputs = load_inputs(source, forms, lang=lang)
    return plan_replenishment(inputs, planning_date, scorecards=scorecards)


def plan_replenishment(inputs, planning_date: pd.Timestamp, *, scorecards: bool = True) -> JobResult:
    """The calculation part of :func:`run_replenishment` on inputs already read."""
    settings = inputs.settings
    positions = stock_positions(inputs, planning_date)
    result = replenishment_proposal(positions, planning_date, period_days=float(settings["demand_period_days"]),
                                    default_order_cost=float(settings["default_order_cost"]),
                                    default_holding_cost_rate=float(settings["default_holding_cost_rate"]))
    details = positions[[*KEYS, "sku_name", "supplier_id", "abc_class", "xyz_class", "demand_class", "review_rule",
                         "on_hand", "on_order", "reserved"]]
    missing = result.missing.merge(details, on=KEYS, how="left")
    missing["missing_parameters"] = parameter_names(missing["missing_parameters"], inputs.lang)
    proposal = pd.concat([result.orders, missing], ignore_index=True, sort=False)
    proposal = proposal.sort_values(KEYS, kind="stable").reset_index(drop=True)
    proposal["reason_text"] = reason_text(proposal, inputs.lang)
    proposal_columns = [c.id for c in get_form(PROPOSAL_FORM).columns] + ["reason_text"]
    tables = {"proposal": proposal.reindex(columns=proposal_columns),
              "missing": proposal.loc[proposal["replenishment_reason"] == "missing_parameters",
                                      [*KEYS, "sku_name", "supplier_id", "missing_parameters"]].reset_index(drop=True)}
    if scorecards:
        tables["suppliers"] = supplier_table(inputs, planning_date)
        tables["routes"] = logistics_table(inputs, planning_date, "route")
        tables["regions"] = logistics_table(inputs, planning_date, "region")
    # Orders placed as proposed, and those a buyer approves first (manual_review boxes).
    ordering = (proposal["proposed_qty"].fillna(0) > 0).to_numpy()
    review = (proposal["replenishment_reason"] == "manual_review").to_numpy()
    values = proposal["order_value"].fillna(0).to_numpy()
    summary = {"as_of": planning_date.date().isoformat(), "positions": len(proposal),
               "orders": int((ordering & ~review).sum()), "order_value": float(values[ordering & ~review].sum()),
               "for_review": int(review.sum()), "review_value": float(values[review].sum()),
               "missing_parameters": len(tables["missing"])}
    return JobResult(job=JOB, lang=inputs.lang, tables=tables, problems=list(inputs.problems), summary=summary)


def summary_lines(result: JobResult, lang: str | None = None) -> list[str]:
    """The proposal's summary in words: orders placed as proposed, and those awaiting review."""
    lang = lang or result.lang
    summary = result.summary
    lines = [tr("msg.replenishment.summary", lang, orders=summary["orders"], value=f"{summary['order_value']:,.0f}",
                missing=summary["missing_parameters"])]
    if summary.get("for_review"):
        lines.append(tr("msg.replenishment.for_review", lang, count=summary["for_review"],
                        value=f"{summary['review_value']:,.0f}"))
    return lines


def report_sheets(result: JobResult) -> dict[str, pd.DataFrame]:
    """The result tables as sheets people read: localised sheet names, headers and codes."""
    lang = result.lang
    proposal = result.tables["proposal"]
    people = localise(proposal, PROPOSAL_FORM, lang)
    people[tr("report.replenish.col.reason_text", lang)] = proposal["reason_text"].to_numpy()
    missing = localise(result.tables["missing"], PROPOSAL_FORM, lang)
    sheets = {sheet_title(PROPOSAL_FORM, lang): people, tr("report.replenish.sheet.missing", lang): missing}
    if "suppliers" in result.tables:
        sheets[tr("report.replenish.sheet.suppliers", lang)] = _labelled(result.tables["suppliers"], lang)
    for name in ("routes", "regions"):
        if name in result.tables:
            sheets[tr(f"report.replenish.sheet.{name}", lang)] = _labelled(result.tables[name], lang)
    return sheets


# Number formats of the report's columns (by column id): quantities whole, rates as percentages.
NUMBER_FORMATS = {
    **dict.fromkeys(("on_hand", "on_order", "reserved", "available", "proposed_qty", "order_value", "lines",
                     "measured_lines", "shipments", "shipped_units", "cost", "shipment_value", "late_shipments",
                     "measured_shipments"), "#,##0"),
    **dict.fromkeys(("forecast_qty", "safety_stock", "reorder_point", "order_up_to", "lead_time_mean_days",
                     "lead_time_sd_days", "score", "cost_per_unit", "cost_per_shipment"), "#,##0.0"),
    **dict.fromkeys(("on_time", "in_full", "otif", "reject_rate", "price_variance", "cost_share_of_value",
                     "late_share"), "0.0%"),
    "lead_time_cv": "0.00",
}


def report_formats(lang: str) -> dict[str, str]:
    """Header text → Excel number format for :func:`~dealerxl.jobs.common.write_result_workbook`."""
    return {_label(column, lang): fmt for column, fmt in NUMBER_FORMATS.items()}


def _label(column: str, lang: str) -> str:
    return tr(f"col.{column}" if has(f"col.{column}") else f"report.replenish.col.{column}", lang)


def _labelled(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A report table with each column id shown as its label (shared ``col.`` labels first)."""
    out = frame.copy()
    for column, enum in (("supplier_grade", "supplier_grade"), ("region", "region")):
        if column in out:
            out[column] = out[column].map(lambda v, e=enum: tr(f"enum.{e}.{v}", lang) if isinstance(v, str) else v)
    out.columns = [_label(c, lang) for c in out.columns]
    return out


def output_name(result: JobResult) -> str:
    """The report's file name in the workbook's language, e.g. ``補貨建議_2026-10-31.xlsx``."""
    return f"{sheet_title(PROPOSAL_FORM, result.lang)}_{result.summary['as_of']}.xlsx"
