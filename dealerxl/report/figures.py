"""The monthly report's numbers: the summary figures and the sales analysis.

Nothing here is a business rule of its own: sales figures come from
:mod:`dealerxl.calc.sales` (sales matrix, period metrics, achievement) and
:mod:`dealerxl.calc.forecast`, stock cover from :func:`dealerxl.calc.inventory.days_of_supply`,
and receivables, provision, complaints, SLA breaches and NPS from the risk and service
review jobs' own summaries. Net sales count returns as negative amounts, as the risk review does.

The definitions (docs/DEFINITIONS.md) are the same on every sheet: a dealer is active in the
month when under contract on one of its days (:func:`~dealerxl.calc.channel.active_in_month`);
achievement is the net sales of the dealers with a target in the month over that target, and
the sales of dealers without one are shown apart; demand is what was shipped plus what was
asked for and could not be served; SLA breaches and NPS come with their base (cases, answers).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError
from dealerxl.calc.channel import active_in_month, activity_breakdown
from dealerxl.calc.forecast import forecast_with_intervals
from dealerxl.calc.inventory import days_of_supply
from dealerxl.calc.sales import achievement, period_metrics, sales_matrix
from dealerxl.jobs.errors import JobError, reason
from dealerxl.jobs.incentives import monthly_targets

SALES_FORMS = ("sales_transactions", "monthly_targets", "dealer_master", "item_master", "stock_ledger",
               "demand_history", "team_roster")  # the roster names the staff who earn incentives
TREND_MONTHS = 24
FORECAST_MONTHS = 6
TOP_DEALERS = 10

# Summary figure id → how it is shown: money, percent (its change in points), count or days.
# A rate follows the figures it is worked out from (its base).
FIGURES = {
    "revenue": "money", "target": "money", "targeted_revenue": "money", "untargeted_revenue": "money",
    "achievement": "percent", "yoy": "percent", "ytd": "money",
    "ytd_yoy": "percent", "active_dealers": "count", "trading_dealers": "count", "new_dealers": "count",
    "lost_dealers": "count", "stock_value": "money", "days_of_supply": "days", "overdue_receivables": "money",
    "provision": "money", "complaints": "count", "service_cases": "count", "sla_breaches": "count",
    "sla_breach_share": "percent", "nps_responses": "count", "nps": "score",
}


def targets_of(inputs, source, period: pd.Period) -> tuple[pd.DataFrame, list[str]]:
    """The monthly targets as the incentives job takes them (the workbook's, else set from
    the annual targets); an empty table and the reason when there are none."""
    try:
        targets, years = monthly_targets(inputs, source, period)
    except CalcError as error:
        return inputs["monthly_targets"].iloc[:0], [f"targets: {reason(error, inputs.lang)}"]
    return targets, [f"targets_set:{','.join(years)}"] if years else []


def net_sales(transactions: pd.DataFrame) -> pd.DataFrame:
    """Sales lines with returns as negative amounts: ``dealer_id``, ``sku``, ``date``, ``amount``."""
    sign = np.where(transactions["transaction_type"] == "return", -1.0, 1.0)
    amount = sign * pd.to_numeric(transactions["amount"], errors="coerce").abs().fillna(0.0)
    return pd.DataFrame({"dealer_id": transactions["dealer_id"].astype(str), "sku": transactions["sku"].astype(str),
                         "date": pd.to_datetime(transactions["invoice_date"]), "amount": amount})


def monthly_target_total(targets: pd.DataFrame, period: pd.Period, by: pd.Series | None = None):
    """Σ target_amount of the month (per ``by`` value of the dealer when given)."""
    in_month = pd.to_datetime(targets["month"]).dt.to_period("M") == period
    chosen = targets.loc[in_month]
    amounts = pd.to_numeric(chosen["target_amount"], errors="coerce").fillna(0.0)
    if by is None:
        return float(amounts.sum())
    keys = chosen["dealer_id"].astype(str).map(by)
    return amounts.groupby(keys).sum()


def targeted_dealers(targets: pd.DataFrame, period: pd.Period) -> pd.Index:
    """Dealers with a target above 0 in the month."""
    per_dealer = monthly_target_total(targets, period, by=pd.Series(dict(zip(targets["dealer_id"].astype(str),
                                                                           targets["dealer_id"].astype(str)))))
    return pd.Index(per_dealer.index[per_dealer > 0].astype(str))


def month_net_sales(lines: pd.DataFrame, period: pd.Period) -> pd.Series:
    """Net sales of the month per dealer (returns subtracted)."""
    chosen = lines.loc[lines["date"].dt.to_period("M") == period]
    return chosen.groupby("dealer_id")["amount"].sum()


def _total_metrics(lines: pd.DataFrame, period: pd.Period) -> pd.Series:
    first = min(lines["date"].min().to_period("M"), period - 2 * 12) if len(lines) else period - 2 * 12
    matrix = sales_matrix(lines.assign(scope="all"), by="scope", first_month=first, last_month=period)
    # A month before the first sale: one row of zeros, not none.
    matrix = matrix.reindex(["all"], fill_value=0.0)
    return period_metrics(matrix, period).iloc[0]


def dealer_counts(dealers: pd.DataFrame, period: pd.Period, buyers=()) -> dict:
    """Dealers active in the month (:func:`~dealerxl.calc.channel.active_in_month`), those of
    them that bought something in it (``buyers``: dealer ids with a sale line in the month),
    those that joined in the month and those whose contract ended in it."""
    start, end = period.start_time.normalize(), period.end_time.normalize()
    joined = pd.to_datetime(dealers["join_date"])
    ended = pd.to_datetime(dealers["termination_date"])
    active = active_in_month(dealers["join_date"], dealers["termination_date"], dealers["status"], period)
    trading = active & dealers["dealer_id"].astype(str).isin(list(buyers)).to_numpy()
    signed = active_in_month(dealers["join_date"], None, dealers["status"], period)
    return {"active_dealers": int(active.sum()), "trading_dealers": int(trading.sum()),
            "new_dealers": int(((joined >= start) & (joined <= end) & signed).sum()),
            "lost_dealers": int(((ended >= start) & (ended <= end)).sum())}


def buyers_of(transactions: pd.DataFrame, period: pd.Period) -> pd.Index:
    """Dealers with at least one sale line (not a return) dated in the month: they traded."""
    dates = pd.to_datetime(transactions["invoice_date"]).dt.to_period("M")
    chosen = transactions.loc[(dates == period) & (transactions["transaction_type"] == "sale"), "dealer_id"]
    return pd.Index(chosen.astype(str).unique())


def dealer_activity(inputs, period: pd.Period) -> pd.DataFrame:
    """Dealers active in the month by today's status, trading or not
    (:func:`~dealerxl.calc.channel.activity_breakdown`)."""
    dealers = inputs["dealer_master"].drop_duplicates("dealer_id")
    active = active_in_month(dealers["join_date"], dealers["termination_date"], dealers["status"], period)
    trading = dealers["dealer_id"].astype(str).isin(buyers_of(inputs["sales_transactions"], period)).to_numpy()
    return activity_breakdown(dealers["status"].fillna("active"), active, trading)


def untargeted_sales(inputs, lines: pd.DataFrame, targets: pd.DataFrame, period: pd.Period) -> pd.DataFrame:
    """Dealers with net sales in the month but no target in it, by name, with why: not active in
    the month (not under contract, or a prospect) or active without a target."""
    dealers = inputs["dealer_master"].drop_duplicates("dealer_id").set_index(
        inputs["dealer_master"].drop_duplicates("dealer_id")["dealer_id"].astype(str))
    sales = month_net_sales(lines, period)
    sales = sales.loc[(sales != 0) & ~sales.index.isin(targeted_dealers(targets, period))]
    ids = pd.Index(sales.index.astype(str))
    known = ids.isin(dealers.index)
    active = np.zeros(len(ids), dtype=bool)
    if known.any():
        rows = dealers.loc[ids[known]]
        active[known] = active_in_month(rows["join_date"], rows["termination_date"], rows["status"], period)
    return pd.DataFrame({"dealer_id": ids, "dealer_name": ids.map(dealers["dealer_name"]),
                         "status": ids.map(dealers["status"]), "actual": sales.to_numpy(float),
                         "why": np.where(active, "no_target", "not_active")}).sort_values(
        ["actual", "dealer_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def stock_cover(inputs, period: pd.Period) -> tuple[float, float]:
    """Stock value (Σ on hand × unit cost) and its days of supply against the last 12 months'
    demand at cost (:func:`demand_quantity`, :func:`~dealerxl.calc.inventory.days_of_supply`)."""
    cost = inputs["item_master"].drop_duplicates("sku").set_index("sku")["unit_cost"].astype(float)
    stock = inputs["stock_ledger"]
    value = float((pd.to_numeric(stock["on_hand"], errors="coerce").fillna(0.0) * stock["sku"].map(cost).fillna(0.0)).sum())
    history = inputs["demand_history"]
    months = pd.to_datetime(history["month"]).dt.to_period("M")
    year = history.loc[(months > period - 12) & (months <= period)]
    usage = float((demand_quantity(year) * year["sku"].map(cost).fillna(0.0)).sum())
    return value, float(days_of_supply([value], [usage])[0])


def demand_quantity(history: pd.DataFrame) -> pd.Series:
    """Demand, one meaning on every sheet: shipped (``quantity``) plus asked for and not served
    (``unfulfilled_qty``) — what stock must cover, as the replenishment plan counts it."""
    shipped = pd.to_numeric(history["quantity"], errors="coerce").fillna(0.0)
    unserved = pd.to_numeric(history["unfulfilled_qty"], errors="coerce").fillna(0.0) \
        if "unfulfilled_qty" in history else 0.0
    return shipped + unserved


def _number(value) -> float:
    try:
        return float(value) if value is not None else np.nan
    except (TypeError, ValueError):
        return np.nan


def month_figures(inputs, targets: pd.DataFrame, period: pd.Period, risk, service, *, stock: bool,
                  lines: pd.DataFrame | None = None) -> dict:
    """Every summary figure of one month (blank where its source job could not run);
    ``targets`` are the monthly targets (:func:`dealerxl.jobs.incentives.monthly_targets`),
    ``risk`` and ``service`` the month's risk and service review results (or None); ``lines``
    the :func:`net_sales` of the sales lines when the caller already has them.

    Achievement = net sales of the dealers with a target in the month ÷ their target; the net
    sales of the others are ``untargeted_revenue`` (revenue = targeted + untargeted)."""
    lines = net_sales(inputs["sales_transactions"]) if lines is None else lines
    metrics = _total_metrics(lines, period)
    target = monthly_target_total(targets, period)
    by_dealer = month_net_sales(lines, period)
    targeted = float(by_dealer.loc[by_dealer.index.isin(targeted_dealers(targets, period))].sum())
    reached = achievement([targeted], [target]).iloc[0]
    figures = {"revenue": metrics["actual"], "target": target, "targeted_revenue": targeted,
               "untargeted_revenue": float(by_dealer.sum()) - targeted, "achievement": reached["achievement_rate"],
               "yoy": metrics["yoy"], "ytd": metrics["ytd"], "ytd_yoy": metrics["ytd_yoy"],
               **dealer_counts(inputs["dealer_master"], period, buyers_of(inputs["sales_transactions"], period))}
    # The stock ledger holds today's stock only: last month's stock is not known.
    value, days = stock_cover(inputs, period) if stock else (np.nan, np.nan)
    figures.update(stock_value=value, days_of_supply=days)
    risk_summary = risk.summary if risk is not None else {}
    service_summary = service.summary if service is not None else {}
    complaints = np.nan
    if service is not None:
        cases = service.tables["cases"]
        complaints = int((cases["in_month"] & (cases["case_kind"] == "complaint")).sum())
    figures.update(overdue_receivables=_number(risk_summary.get("overdue_amount")),
                   provision=_number(risk_summary.get("ecl")), complaints=complaints,
                   service_cases=_number(service_summary.get("cases")),
                   sla_breaches=_number(service_summary.get("breaches")),
                   sla_breach_share=_number(service_summary.get("breach_share")),
                   nps_responses=_number(service_summary.get("nps_responses")),
                   nps=_number(service_summary.get("nps")))
    return {name: float(figures[name]) for name in FIGURES}


def summary_table(current: dict, previous: dict) -> pd.DataFrame:
    """One row per figure: ``figure``, ``kind``, ``value``, ``previous``, ``change`` (value − previous)."""
    table = pd.DataFrame({"figure": list(FIGURES), "kind": list(FIGURES.values()),
                          "value": [current[f] for f in FIGURES], "previous": [previous[f] for f in FIGURES]})
    table["change"] = table["value"] - table["previous"]
    return table


# ---- the sales analysis ------------------------------------------------------------------------

def sales_by(lines: pd.DataFrame, keys: pd.Series, period: pd.Period, targets: pd.Series | None) -> pd.DataFrame:
    """Actual, YoY and YTD of the month per key (``keys`` aligned with ``lines``), with the
    target and achievement where ``targets`` (key → target) is given."""
    first = period - 2 * 12
    matrix = sales_matrix(lines.assign(key=keys.fillna("").astype(str).to_numpy()), by="key",
                          first_month=first, last_month=period)
    metrics = period_metrics(matrix, period)[["actual", "yoy", "ytd", "ytd_yoy"]]
    metrics.index.name = "key"
    table = metrics.reset_index()
    if targets is not None:
        table = table.merge(targets.rename("target").rename_axis("key").reset_index(), on="key", how="outer")
        table[["actual", "target"]] = table[["actual", "target"]].fillna(0.0)
        reached = achievement(table["actual"], table["target"])
        table["achievement_rate"], table["gap"] = reached["achievement_rate"], reached["gap"]
        table = table[["key", "actual", "target", "achievement_rate", "gap", "yoy", "ytd", "ytd_yoy"]]
    return table.sort_values("key", kind="stable").reset_index(drop=True)


def dealer_ranking(lines: pd.DataFrame, targets: pd.DataFrame, dealers: pd.DataFrame, period: pd.Period) -> pd.DataFrame:
    """Every dealer's month: actual, target, achievement, YoY, with name and region."""
    dealer_targets = monthly_target_total(targets, period, by=pd.Series(dict(zip(targets["dealer_id"].astype(str),
                                                                                targets["dealer_id"].astype(str)))))
    table = sales_by(lines, lines["dealer_id"], period, dealer_targets)
    names = dealers.drop_duplicates("dealer_id").set_index(dealers.drop_duplicates("dealer_id")["dealer_id"].astype(str))
    table = table.rename(columns={"key": "dealer_id"})
    table.insert(1, "dealer_name", table["dealer_id"].map(names["dealer_name"]))
    table.insert(2, "region", table["dealer_id"].map(names["region"]))
    return table.loc[table["dealer_id"] != ""].reset_index(drop=True)


def top_and_bottom(ranking: pd.DataFrame, count: int = TOP_DEALERS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``count`` dealers with the highest sales, and the ``count`` with a target and the
    lowest achievement."""
    top = ranking.sort_values(["actual", "dealer_id"], ascending=[False, True], kind="stable").head(count)
    with_target = ranking.loc[ranking["target"] > 0]
    bottom = with_target.sort_values(["achievement_rate", "dealer_id"], kind="stable").head(count)
    return top.reset_index(drop=True), bottom.reset_index(drop=True)


def trend_with_forecast(lines: pd.DataFrame, period: pd.Period, months: int = TREND_MONTHS,
                        horizon: int = FORECAST_MONTHS) -> pd.DataFrame:
    """Net sales of the ``months`` months to ``period`` and the forecast of the next ``horizon``
    with its 80 % prediction interval (:func:`~dealerxl.calc.forecast.forecast_with_intervals`):
    ``month``, ``actual``, ``forecast``, ``lower_80``, ``upper_80``."""
    first = period - (months - 1)
    matrix = sales_matrix(lines.assign(scope="all"), by="scope", first_month=first, last_month=period)
    history = matrix.to_numpy(float)[0] if len(matrix) else np.zeros(months)
    started = np.flatnonzero(history != 0)
    if len(started) == 0:
        raise JobError("msg.monthly_report.no_sales", months=months, month=str(period))
    ahead = forecast_with_intervals([np.where(np.arange(months) >= started[0], history, np.nan)], horizon)
    future = pd.period_range(period + 1, periods=horizon, freq="M")
    actual = pd.DataFrame({"month": [str(p) for p in matrix.columns], "actual": history, "forecast": np.nan,
                           "lower_80": np.nan, "upper_80": np.nan})
    ahead_rows = pd.DataFrame({"month": [str(p) for p in future], "actual": np.nan, "forecast": ahead["mean"][0],
                               "lower_80": ahead["lower"][0.8][0], "upper_80": ahead["upper"][0.8][0]})
    # The last actual month carries the forecast's and the interval's start, so the lines join.
    actual.loc[actual.index[-1], ["forecast", "lower_80", "upper_80"]] = history[-1]
    return pd.concat([actual, ahead_rows], ignore_index=True)


def sales_analysis(inputs, targets: pd.DataFrame, period: pd.Period,
                   lines: pd.DataFrame | None = None) -> dict[str, pd.DataFrame]:
    """Tables ``by_region``, ``by_channel``, ``by_product_group``, ``top_dealers``, ``bottom_dealers``, ``trend``,
    ``untargeted`` (:func:`untargeted_sales`) and ``dealer_activity`` (:func:`dealer_activity`)."""
    lines = net_sales(inputs["sales_transactions"]) if lines is None else lines
    dealers = inputs["dealer_master"].drop_duplicates("dealer_id")
    region = pd.Series(dealers["region"].to_numpy(), index=dealers["dealer_id"].astype(str))
    channel = pd.Series(dealers["channel_type"].to_numpy(), index=dealers["dealer_id"].astype(str))
    group = inputs["item_master"].drop_duplicates("sku").set_index("sku")["product_group"]
    ranking = dealer_ranking(lines, targets, dealers, period)
    top, bottom = top_and_bottom(ranking)
    return {
        "untargeted": untargeted_sales(inputs, lines, targets, period),
        "dealer_activity": dealer_activity(inputs, period),
        "by_region": sales_by(lines, lines["dealer_id"].map(region), period,
                              monthly_target_total(targets, period, by=region)),
        "by_channel": sales_by(lines, lines["dealer_id"].map(channel), period,
                               monthly_target_total(targets, period, by=channel)),
        "by_product_group": sales_by(lines, lines["sku"].map(group), period, None),
        "top_dealers": top, "bottom_dealers": bottom,
        "trend": trend_with_forecast(lines, period),
    }
