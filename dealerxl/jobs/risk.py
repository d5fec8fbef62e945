"""The Risk review job (manual 8.2–8.4): receivables ageing, credit use, the ECL provision,
bad debts and the dealer early-warning rules for one month.

Reads the receivables, open orders, write-offs, ageing history, warning log and response
actions (chapter 8) with the dealer master, sales, dealer stock, complaints and surveys, as of
the month's last day. Every rule of the ``warning_rules`` settings gets one metric per dealer
(definitions in :mod:`dealerxl.forms.chapter08`), :func:`dealerxl.calc.risk.assess` turns them
into a composite score and class with the triggered rules and their numbers.

Rows the reader finds wrong, and rows naming a dealer that is not in the dealer master, are
left out and returned as problems. Tables are keyed by column ids (``review``, ``triggered``,
``ageing``, ``provision``, ``bad_debts``, ``unanswered``); :func:`report_sheets` turns them
into sheets people read.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.book import read_form, read_settings
from dealerxl.book.language import detect_language
from dealerxl.book.read import open_source
from dealerxl.book.references import check_references
from dealerxl.calc.receivables import (ageing, bad_debt_summary, credit_utilisation, days_past_due, dso,
                                       expected_credit_loss, lifetime_loss_rates, migration_flows,
                                       month_end_positions)
from dealerxl.calc.channel import active_in_month
from dealerxl.calc.risk import assess, drop_against_trend, unanswered_warnings
from dealerxl.calc.service import satisfaction_by_group
from dealerxl.forms import ENUMS, get_form
from dealerxl.i18n import has, tr
from dealerxl.jobs.common import (LEFT_OUT_COLUMNS, Inputs, JobResult, gather_left_out, left_out_rows, left_out_sheet,
                                  localise, settings_table)
from dealerxl.jobs.errors import JobError
from dealerxl.jobs.months import month_end, require_month_data

JOB = "risk"
REVIEW_FORM = "dealer_risk_review"
INPUT_FORMS = ("dealer_master", "receivables", "open_orders", "write_offs", "ageing_history", "warning_log",
               "response_actions", "sales_transactions", "dealer_stock", "complaint_log", "survey_responses",
               "ageing_buckets", "provision_matrix", "warning_rules")
CLOSED_WARNINGS = ("closed", "false_alarm")
CLOSED_ACTIONS = ("done", "cancelled")


def load_checked_inputs(source, form_ids, *, lang: str | None = None) -> Inputs:
    """Like :func:`dealerxl.jobs.common.load_inputs`, with ids checked against their masters
    (dealer, item…): a row naming an unknown dealer is a problem at its cell and is left out."""
    workbook = open_source(source)
    language = lang or detect_language(workbook)
    reads = {form_id: read_form(workbook, form_id) for form_id in form_ids}
    check_references(reads)
    frames = {form_id: read.data.reset_index(drop=True) for form_id, read in reads.items()}
    problems = [p for read in reads.values() for p in read.problems]
    settings = read_settings(workbook)
    problems.extend(settings.problems)
    return Inputs(frames, dict(settings), problems, language, getattr(workbook, "label", str(source)))


def load_risk_inputs(source, *, lang: str | None = None) -> Inputs:
    """The risk review's forms, read with :func:`load_checked_inputs`."""
    return load_checked_inputs(source, INPUT_FORMS, lang=lang)


def bucket_layout(buckets: pd.DataFrame) -> tuple[list[str], list[float]]:
    """Bucket codes in ageing order and the upper bounds (days past due) of all but the last."""
    table = buckets.assign(_to=pd.to_numeric(buckets["to_days"], errors="coerce"))
    table = table.sort_values("_to", na_position="last", kind="stable")
    if table["_to"].iloc[:-1].isna().any():
        raise JobError("msg.risk.open_bucket", label_fields={"sheet": "form.ageing_buckets.sheet"})
    return table["ageing_bucket"].tolist(), table["_to"].iloc[:-1].astype(float).tolist()


def open_items(inputs: Inputs, as_of: pd.Timestamp) -> pd.DataFrame:
    """Invoices issued by ``as_of`` with their open amount then: amount − paid (payments dated
    by ``as_of`` or undated) − written off (write-offs dated by ``as_of``), and days past due."""
    invoices = inputs["receivables"]
    invoices = invoices.loc[pd.to_datetime(invoices["invoice_date"]) <= as_of].copy()
    paid_dates = pd.to_datetime(invoices["paid_date"])
    paid = pd.to_numeric(invoices["paid_amount"], errors="coerce").fillna(0.0)
    invoices["paid_by_then"] = paid.where(paid_dates.isna() | (paid_dates <= as_of), 0.0)
    write_offs = inputs["write_offs"]
    write_offs = write_offs.loc[pd.to_datetime(write_offs["write_off_date"]) <= as_of]
    written = write_offs.groupby("invoice_no")["write_off_amount"].sum()
    invoices["written_off"] = invoices["invoice_no"].map(written).fillna(0.0).astype(float)
    invoices["open_amount"] = (invoices["amount"].astype(float) - invoices["paid_by_then"]
                               - invoices["written_off"]).clip(lower=0.0)
    invoices = invoices.loc[invoices["open_amount"] > 0].reset_index(drop=True)
    invoices["days_past_due"] = days_past_due(invoices["due_date"], as_of) if len(invoices) else np.array([], int)
    return invoices


def dealer_list(inputs: Inputs, as_of: pd.Timestamp, owing, ordering=()) -> pd.DataFrame:
    """Dealers reviewed: those active in the month (:func:`~dealerxl.calc.channel.active_in_month`),
    and any other dealer of the master still ``owing`` (ids with open invoices) or ``ordering``
    (ids with open orders) — a closed dealer's debt, or an order still open after its contract
    ended, is the riskiest kind."""
    dealers = inputs["dealer_master"]
    active = active_in_month(dealers["join_date"], dealers["termination_date"], dealers["status"], as_of.to_period("M"))
    exposed = dealers["dealer_id"].isin(owing) | dealers["dealer_id"].isin(ordering)
    columns = ["dealer_id", "dealer_name", "region", "credit_limit"]
    chosen = dealers.loc[active | exposed, columns].drop_duplicates("dealer_id")
    return chosen.sort_values("dealer_id").reset_index(drop=True)


def open_order_amounts(inputs: Inputs, as_of: pd.Timestamp) -> pd.DataFrame:
    """Orders taken by ``as_of`` with what is still to ship (order − shipped, at least 0)."""
    orders = inputs["open_orders"]
    orders = orders.loc[pd.to_datetime(orders["order_date"]) <= as_of]
    shipped = pd.to_numeric(orders["shipped_amount"], errors="coerce").fillna(0.0)
    return orders.assign(open_amount=(orders["order_amount"].astype(float) - shipped).clip(lower=0))


def receivables_by_dealer(items: pd.DataFrame, dealer_ids: pd.Index, codes, upper, as_of, inputs: Inputs) -> pd.DataFrame:
    """Ageing per dealer (one column per bucket and ``total``), overdue amount, overdue share,
    oldest days past due and DSO over the settings' period.

    The overdue amount is everything past its due date; the overdue share (the warning
    rule's metric) counts only what is more than ``overdue_grace_days`` past due, because a
    payment a few days late is mostly one in transit or waiting for the next payment run.
    """
    if len(items):
        table = ageing(items["due_date"], items["open_amount"], as_of, upper, codes, groups=items["dealer_id"])
    else:
        table = pd.DataFrame(columns=[*codes, "total"], dtype=float)
    table = table.reindex(dealer_ids, fill_value=0.0).astype(float)
    table.index.name = "dealer_id"
    overdue = items.loc[items["days_past_due"] > 0]
    table["overdue_amount"] = overdue.groupby("dealer_id")["open_amount"].sum().reindex(dealer_ids).fillna(0.0).to_numpy()
    late = items.loc[items["days_past_due"] > int(inputs.settings["overdue_grace_days"])]
    table["overdue_beyond_grace"] = late.groupby("dealer_id")["open_amount"].sum().reindex(dealer_ids).fillna(0.0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["overdue_share"] = np.where(table["total"] > 0, table["overdue_beyond_grace"] / table["total"], 0.0)
    oldest = items.groupby("dealer_id")["days_past_due"].max().clip(lower=0)
    table["days_past_due"] = oldest.reindex(dealer_ids).fillna(0).astype(int).to_numpy()
    period_days = float(inputs.settings["dso_period_days"])
    invoices = inputs["receivables"]
    dates = pd.to_datetime(invoices["invoice_date"])
    window = invoices.loc[(dates > as_of - pd.Timedelta(days=period_days)) & (dates <= as_of)]
    credit_sales = window.groupby("dealer_id")["amount"].sum().reindex(dealer_ids).fillna(0.0)
    table["dso"] = dso(table["total"].to_numpy(), credit_sales.to_numpy(), period_days)
    return table


def monthly_sales(inputs: Inputs, dealer_ids: pd.Index, last: pd.Period, months: int) -> np.ndarray:
    """Net sales (returns subtracted) per dealer × month, the ``months`` months ending at ``last``."""
    sales = inputs["sales_transactions"]
    period = pd.to_datetime(sales["invoice_date"]).dt.to_period("M")
    sign = np.where(sales["transaction_type"] == "return", -1.0, 1.0)
    net = pd.DataFrame({"dealer_id": sales["dealer_id"], "period": period,
                        "net": sign * pd.to_numeric(sales["amount"], errors="coerce").abs().fillna(0.0)})
    span = pd.period_range(last - (months - 1), last, freq="M")
    table = net.loc[net["period"].isin(span)].pivot_table(index="dealer_id", columns="period", values="net",
                                                         aggfunc="sum")
    return table.reindex(index=dealer_ids, columns=span).fillna(0.0).to_numpy(float)


def stock_build_up(inputs: Inputs, dealer_ids: pd.Index, last: pd.Period, months: int) -> np.ndarray:
    """The dealer's own stock at month end in months of its average sell-out over the recent months."""
    stock = inputs["dealer_stock"]
    period = pd.to_datetime(stock["month"]).dt.to_period("M")
    on_hand = stock.loc[period == last].groupby("dealer_id")["dealer_stock_qty"].sum().reindex(dealer_ids)
    recent = stock.loc[(period > last - months) & (period <= last)]
    sell_out = recent.groupby("dealer_id")["sell_out_qty"].sum().reindex(dealer_ids) / months
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sell_out.to_numpy(float) > 0, on_hand.to_numpy(float) / sell_out.to_numpy(float), np.nan)


def invoice_count(inputs: Inputs, dealer_ids: pd.Index, first_day: pd.Timestamp, last_day: pd.Timestamp) -> np.ndarray:
    """Distinct invoices per dealer dated from ``first_day`` to ``last_day`` (inclusive)."""
    sales = inputs["sales_transactions"]
    dates = pd.to_datetime(sales["invoice_date"])
    window = sales.loc[(dates >= first_day) & (dates <= last_day)]
    return window.groupby("dealer_id")["invoice_no"].nunique().reindex(dealer_ids).fillna(0).to_numpy(float)


def sales_drop(inputs: Inputs, dealer_ids: pd.Index, last: pd.Period) -> np.ndarray:
    """Drop of the recent months' average sales against the baseline months before them;
    blank for a dealer with fewer than ``risk_min_invoices`` invoices in the baseline."""
    settings = inputs.settings
    recent, baseline = int(settings["sales_drop_recent_months"]), int(settings["sales_drop_baseline_months"])
    drop = drop_against_trend(monthly_sales(inputs, dealer_ids, last, recent + baseline), recent, baseline)
    first = (last - (recent + baseline - 1)).start_time
    invoices = invoice_count(inputs, dealer_ids, first, (last - recent).end_time.normalize())
    return np.where(invoices >= int(settings["risk_min_invoices"]), drop, np.nan)


def complaint_rate(inputs: Inputs, dealer_ids: pd.Index, as_of: pd.Timestamp) -> np.ndarray:
    """Complaints per 100 invoices over the settings' complaint window ending at ``as_of``;
    blank with fewer than ``risk_min_invoices`` invoices or ``complaint_min_count`` complaints."""
    settings = inputs.settings
    start = as_of + pd.Timedelta(days=1) - pd.DateOffset(months=int(settings["complaint_window_months"]))
    complaints = inputs["complaint_log"]
    received = pd.to_datetime(complaints["received_at"])
    counted = complaints.loc[(received >= start) & (received < as_of + pd.Timedelta(days=1))]
    count = counted.groupby("dealer_id").size().reindex(dealer_ids).fillna(0).to_numpy(float)
    invoices = invoice_count(inputs, dealer_ids, start, as_of)
    enough = (invoices >= max(int(settings["risk_min_invoices"]), 1)) & (count >= int(settings["complaint_min_count"]))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(enough, 100.0 * count / invoices, np.nan)


def nps_drop(inputs: Inputs, dealer_ids: pd.Index, last: pd.Period, months: int) -> np.ndarray:
    """NPS points lost: NPS of the ``months`` months before the recent ones minus the recent NPS;
    blank when either period has fewer than ``nps_drop_min_responses`` NPS answers."""
    answers = inputs["survey_responses"]
    period = pd.to_datetime(answers["survey_date"]).dt.to_period("M")
    recent = (period > last - months) & (period <= last)
    before = (period > last - 2 * months) & (period <= last - months)
    chosen = answers.loc[recent | before].assign(window=np.where(recent[recent | before], "recent", "before"))
    # Plain floats: the reader's nullable integers carry <NA> for blank answers, which the
    # promoter/detractor flags cannot hold; NaN answers are left out of NPS either way.
    chosen = chosen.assign(nps_score=pd.to_numeric(chosen["nps_score"], errors="coerce").astype(float),
                           csat_score=pd.to_numeric(chosen["csat_score"], errors="coerce").astype(float))
    if chosen.empty:
        return np.full(len(dealer_ids), np.nan)
    scores = satisfaction_by_group(chosen, ["dealer_id", "window"])
    nps = scores.pivot(index="dealer_id", columns="window", values="nps").reindex(index=dealer_ids,
                                                                               columns=["before", "recent"])
    answered = scores.pivot(index="dealer_id", columns="window", values="nps_responses")
    answered = answered.reindex(index=dealer_ids, columns=["before", "recent"]).fillna(0).min(axis=1)
    enough = answered.to_numpy(float) >= int(inputs.settings["nps_drop_min_responses"])
    return np.where(enough, (nps["before"] - nps["recent"]).to_numpy(float), np.nan)


def warning_rule_table(inputs: Inputs) -> pd.DataFrame:
    """The ``warning_rules`` settings in the shape :func:`~dealerxl.calc.risk.assess` takes."""
    rules = settings_table(inputs, "warning_rules")
    return pd.DataFrame({
        "rule": rules["warning_rule"].to_numpy(),
        "amber": rules["amber_threshold"].astype(float).to_numpy(),
        "red": rules["red_threshold"].astype(float).to_numpy(),
        "direction": np.where(rules["risk_direction"] == "lower_riskier", -1.0, 1.0),
        "weight": rules["weight"].astype(float).to_numpy(),
        # A rules table from before the column existed: every rule decides, as it did then.
        "decisive": (rules["decisive"].fillna("yes") != "no").to_numpy() if "decisive" in rules
        else np.ones(len(rules), bool),
    })


def roll_rate_chain(inputs: Inputs, codes: list[str], upper: list[float],
                    as_of: pd.Timestamp) -> tuple[pd.DataFrame, int, pd.DataFrame]:
    """The roll-rate chain of the ``roll_rate_history_months`` months ending at ``as_of``.

    Every invoice of the receivables ledger is aged at each month end of the window
    (:func:`~dealerxl.calc.receivables.month_end_positions`, write-offs from the write-offs
    form); what each bucket's balance became a month later (next buckets, written off from the
    bucket it left, collected) is added up over the months
    (:func:`~dealerxl.calc.receivables.migration_flows`) and turned into average roll rates
    and lifetime loss rates (:func:`~dealerxl.calc.receivables.lifetime_loss_rates`).

    Returns the chain (one row per bucket), the months observed (pairs of month ends with an
    open balance at the first) and the rows left out: write-offs whose invoice is not in the
    ledger, and month-end balances of the ageing history that the ledger does not reproduce
    (the ledger then lacks invoices, and the roll rates miss what they would have shown).
    """
    months = int(inputs.settings["roll_rate_history_months"])
    last = as_of.to_period("M")
    ends = pd.period_range(last - months, last, freq="M").to_timestamp(how="end").normalize()
    ledger = inputs["receivables"]
    ledger = ledger.loc[pd.to_datetime(ledger["invoice_date"]) <= as_of]
    amount = pd.to_numeric(ledger["amount"], errors="coerce").fillna(0.0)
    paid = pd.to_numeric(ledger["paid_amount"], errors="coerce").fillna(0.0)
    # An invoice paid in full before the window opened is never open in it.
    ledger = ledger.loc[~((paid >= amount) & (pd.to_datetime(ledger["paid_date"]) <= ends[0]))]
    write_offs = inputs["write_offs"]
    written = write_offs.groupby("invoice_no").agg(amount=("write_off_amount", "sum"), date=("write_off_date", "min"))
    written = written.reindex(ledger["invoice_no"])
    written_on = pd.to_datetime(written["date"]).to_numpy()
    open_amount, bucket = month_end_positions(
        ledger["invoice_date"], ledger["due_date"], ledger["amount"], ledger["paid_amount"], ledger["paid_date"],
        written["amount"].to_numpy(), written_on, ends, upper)
    month = np.searchsorted(ends.to_numpy(), written_on, side="left")[:, None]  # the month end closing it
    written_off = np.where(np.arange(len(ends))[None, :] == month,
                           written["amount"].fillna(0.0).to_numpy(float)[:, None], 0.0)
    flows = migration_flows(open_amount, bucket, written_off, len(codes))
    chain = lifetime_loss_rates(flows).rename(columns={
        "balance": "observed_balance", "stayed": "stayed_share", "rolled_on": "rolled_on_share",
        "written_off": "written_off_share", "collected": "collected_share", "loss_rate": "lifetime_loss_rate"})
    chain.insert(0, "ageing_bucket", codes)
    observed = int((open_amount[:, :-1].sum(axis=0) > 0).sum())

    unknown = write_offs.loc[~write_offs["invoice_no"].isin(inputs["receivables"]["invoice_no"])]
    orphans = left_out_rows("write_offs", unknown["invoice_no"], "write_off_without_invoice",
                            dealer_id=unknown["dealer_id"], amount=unknown["write_off_amount"],
                            period=pd.to_datetime(unknown["write_off_date"]).dt.strftime("%Y-%m"))
    differences = history_differences(inputs["ageing_history"], open_amount, bucket, ends, codes)
    return chain, observed, gather_left_out([orphans, differences])


def history_differences(history: pd.DataFrame, open_amount: np.ndarray, bucket: np.ndarray, ends,
                        codes: list[str], tolerance: float = 1.0) -> pd.DataFrame:
    """Month-end balances of the ageing history that differ from the ledger's by more than
    ``tolerance`` (one unit: the ERP's ageing report rounds), as rows left out."""
    sums = np.zeros((len(ends), len(codes)))
    for column in range(len(ends)):  # a dozen month ends, each a whole-column count
        sums[column] = np.bincount(bucket[:, column], weights=open_amount[:, column], minlength=len(codes))
    ledger = pd.DataFrame(sums, index=pd.DatetimeIndex(ends).to_period("M").astype(str), columns=codes)
    recorded = history.assign(period=pd.to_datetime(history["month"]).dt.strftime("%Y-%m"))
    recorded = recorded.loc[recorded["period"].isin(ledger.index) & recorded["ageing_bucket"].isin(codes)]
    expected = ledger.stack().reindex(pd.MultiIndex.from_frame(recorded[["period", "ageing_bucket"]])).to_numpy()
    difference = recorded["balance"].astype(float).to_numpy() - expected
    off = np.abs(difference) > tolerance
    return left_out_rows("ageing_history", (recorded["period"] + " " + recorded["ageing_bucket"]).to_numpy()[off],
                         "ageing_history_differs", period=recorded["period"].to_numpy()[off], amount=difference[off])


def provision_methods(inputs: Inputs, codes: list[str], upper: list[float], as_of: pd.Timestamp,
                      balances: np.ndarray) -> dict:
    """Both provisions of the month, side by side: the roll-rate chain and the settings'
    provision matrix, each rate times the forward-looking factor (capped at 100 %).

    The roll-rate provision is worked out when the window holds at least
    ``roll_rate_min_months`` months and every bucket with a balance has a loss rate; the
    booked one is the roll-rate provision when ``use_roll_rates`` is on and it could be worked
    out, else the matrix. ``ratio`` is the larger total over the smaller; above
    ``provision_method_max_ratio`` the methods disagree and the review warns.
    """
    settings = inputs.settings
    factor = float(settings["ecl_forward_looking_factor"])
    matrix = settings_table(inputs, "provision_matrix").set_index("ageing_bucket")["loss_rate"]
    missing = [c for c in codes if c not in matrix.index]
    if missing:
        raise JobError("msg.risk.no_loss_rate", buckets=", ".join(missing),
                       label_fields={"sheet": "form.provision_matrix.sheet"})
    matrix_ecl = expected_credit_loss(balances, matrix.reindex(codes).astype(float).to_numpy(), factor)
    chain, observed, left_out = roll_rate_chain(inputs, codes, upper, as_of)
    roll = chain["lifetime_loss_rate"].to_numpy(float)
    unknown = [c for c, rate, owed in zip(codes, roll, balances) if np.isnan(rate) and owed > 0]
    reason = None
    if observed < int(settings["roll_rate_min_months"]):
        reason = "history"
    elif unknown:
        reason = "bucket"
    roll_ecl = expected_credit_loss(balances, np.nan_to_num(roll), factor)
    capped = np.nan_to_num(roll) * factor > 1.0
    table = pd.DataFrame({"ageing_bucket": codes, "balance": balances,
                          "roll_rate_loss_rate": np.where(np.isnan(roll), np.nan, roll_ecl["loss_rate"]),
                          "roll_rate_ecl": np.where(np.isnan(roll) & (balances > 0), np.nan, roll_ecl["ecl"]),
                          "matrix_loss_rate": matrix_ecl["loss_rate"], "matrix_ecl": matrix_ecl["ecl"],
                          "capped": np.where(capped | (matrix.reindex(codes).astype(float).to_numpy() * factor > 1),
                                             "yes", "no")})
    roll_total = float(table["roll_rate_ecl"].sum()) if reason is None else np.nan
    matrix_total = float(table["matrix_ecl"].sum())
    use_roll = bool(int(settings["use_roll_rates"])) and reason is None
    low, high = sorted([roll_total, matrix_total]) if reason is None else (np.nan, np.nan)
    ratio = high / low if reason is None and low > 0 else (np.inf if reason is None and high > 0 else np.nan)
    total = {"ageing_bucket": "total", "balance": float(balances.sum()), "roll_rate_ecl": roll_total,
             "matrix_ecl": matrix_total}
    table.loc[len(table)] = total
    chain_total = {"ageing_bucket": "total", "observed_balance": float(chain["observed_balance"].sum())}
    chain.loc[len(chain)] = chain_total
    return {"table": table, "chain": chain, "left_out": left_out, "observed": observed, "roll_reason": reason,
            "source": "roll_rates" if use_roll else "settings",
            "loss_rates": (roll_ecl if use_roll else matrix_ecl)["loss_rate"].to_numpy(float),
            "ecl": roll_total if use_roll else matrix_total, "roll_rate_ecl": roll_total, "matrix_ecl": matrix_total,
            "ratio": ratio, "max_ratio": float(settings["provision_method_max_ratio"]),
            "differ": bool(ratio > float(settings["provision_method_max_ratio"])) if not np.isnan(ratio) else False,
            "factor": factor, "capped": [c for c, flag in zip(codes, table["capped"]) if flag == "yes"]}


def trigger_text(triggered: pd.DataFrame, rules: pd.DataFrame, lang: str) -> pd.Series:
    """Per dealer, the rules that triggered with their numbers, e.g. ``逾期占比 0.52 ≥ 0.25``."""
    if triggered.empty:
        return pd.Series(dtype=object)
    direction = triggered["rule"].map(rules.set_index("rule")["direction"])
    sign = np.where(direction < 0, "≤", "≥")
    names = triggered["rule"].map(lambda r: tr(f"enum.warning_rule.{r}", lang))
    parts = names + " " + triggered["value"].map(_number) + " " + sign + " " + triggered["threshold"].map(_number)
    sep = "；" if lang.startswith("zh") else "; "
    return parts.groupby(triggered["dealer_id"]).agg(sep.join)


def _number(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def run_risk_review(source, month, *, lang: str | None = None) -> JobResult:
    """Read ``source`` (a path or an open workbook) and review dealer risk for ``month`` (as of its last day)."""
    as_of = month_end(month)
    last = as_of.to_period("M")
    inputs = load_risk_inputs(source, lang=lang)
    empty = require_month_data(inputs, last, JOB)
    settings = inputs.settings
    codes, upper = bucket_layout(settings_table(inputs, "ageing_buckets"))
    items = open_items(inputs, as_of)
    orders = open_order_amounts(inputs, as_of)
    dealers = dealer_list(inputs, as_of, items["dealer_id"], orders.loc[orders["open_amount"] > 0, "dealer_id"])
    dealer_ids = pd.Index(dealers["dealer_id"], name="dealer_id")
    ageing_table = receivables_by_dealer(items, dealer_ids, codes, upper, as_of, inputs)
    open_orders = orders["open_amount"].groupby(orders["dealer_id"]).sum().reindex(dealer_ids).fillna(0.0)
    credit = credit_utilisation(ageing_table["total"].to_numpy(), open_orders.to_numpy(),
                                dealers["credit_limit"].astype(float).to_numpy())

    recent = int(settings["sales_drop_recent_months"])
    metrics = pd.DataFrame({
        "overdue_share": ageing_table["overdue_share"].to_numpy(),
        "days_past_due": ageing_table["days_past_due"].to_numpy(float),
        "credit_use": credit["utilisation"].to_numpy(),
        "sales_drop": sales_drop(inputs, dealer_ids, last),
        "stock_build_up": stock_build_up(inputs, dealer_ids, last, recent),
        "complaint_rate": complaint_rate(inputs, dealer_ids, as_of),
        "nps_drop": nps_drop(inputs, dealer_ids, last, recent),
    }, index=dealer_ids)
    rules = warning_rule_table(inputs)
    summary_rows, triggered = assess(metrics, rules, (float(settings["risk_amber_score"]),
                                                      float(settings["risk_red_score"])))
    triggered = triggered.sort_values(["dealer_id", "level", "rule"], ascending=[True, False, True],
                                      kind="stable").reset_index(drop=True)

    review = pd.DataFrame({
        "dealer_id": dealer_ids.to_numpy(), "month": last.start_time, "region": dealers["region"].to_numpy(),
        "open_receivables": ageing_table["total"].to_numpy(), "overdue_amount": ageing_table["overdue_amount"].to_numpy(),
        "open_orders": open_orders.to_numpy(), "exposure": credit["exposure"].to_numpy(),
    })
    for column in metrics:
        review[column] = metrics[column].to_numpy()
    review = review.merge(summary_rows, on="dealer_id", how="left")
    review["risk_score"] = review["risk_score"].round(1)
    review["triggered_rules"] = review["dealer_id"].map(trigger_text(triggered, rules, inputs.lang)).astype(object).fillna("")
    review = review.reindex(columns=[c.id for c in get_form(REVIEW_FORM).columns])

    totals = ageing_table[codes].sum()
    provision = provision_methods(inputs, codes, upper, as_of, totals.to_numpy(float))

    by_dealer = ageing_table[[*codes, "total", "overdue_amount", "overdue_share", "days_past_due", "dso"]].copy()
    by_dealer["ecl"] = by_dealer[codes].to_numpy(float) @ provision["loss_rates"]
    by_dealer["credit_limit"] = dealers["credit_limit"].astype(float).to_numpy()
    by_dealer["exposure"] = credit["exposure"].to_numpy()
    by_dealer["utilisation"] = credit["utilisation"].to_numpy()
    by_dealer = by_dealer.reset_index()
    by_dealer.insert(1, "dealer_name", dealers["dealer_name"].to_numpy())
    total_row = by_dealer.drop(columns=["dealer_id", "dealer_name"]).sum(numeric_only=True)
    total_row[["overdue_share", "days_past_due", "dso", "utilisation"]] = np.nan
    beyond_grace = ageing_table["overdue_beyond_grace"].sum()
    total_row["overdue_share"] = beyond_grace / total_row["total"] if total_row["total"] else np.nan
    by_dealer.loc[len(by_dealer)] = {"dealer_id": "total", **total_row.to_dict()}

    write_offs = inputs["write_offs"]
    write_offs = write_offs.loc[pd.to_datetime(write_offs["write_off_date"]) <= as_of].copy()
    # A recovery dated after the review month is not known yet at its end.
    later = pd.to_datetime(write_offs["recovery_date"]) > as_of
    write_offs.loc[later, "recovered_amount"] = 0.0
    bad_debts = bad_debt_summary(write_offs, ["dealer_id"])
    if len(bad_debts):
        sums = bad_debts[["written_off", "recovered", "net_loss"]].sum()
        bad_debts.loc[len(bad_debts)] = {"dealer_id": "total", **sums.to_dict(),
                                         "recovery_rate": sums["recovered"] / sums["written_off"]
                                         if sums["written_off"] else np.nan}

    unanswered = response_follow_up(inputs, as_of)
    red = int((review["risk_class"] == "red").sum())
    warnings = []
    if provision["differ"]:
        warnings.append(f"provision_methods_differ:{provision['ratio']:.2f}")
    if provision["roll_reason"]:
        warnings.append(f"roll_rates_unavailable:{provision['roll_reason']}")
    if provision["capped"]:
        warnings.append(f"loss_rate_capped:{','.join(provision['capped'])}")
    summary = {"month": str(last), "as_of": as_of.date().isoformat(), "dealers": int(len(review)),
               "red": red, "amber": int((review["risk_class"] == "amber").sum()),
               "triggered_rules": int(len(triggered)), "open_receivables": float(totals.sum()),
               "overdue_amount": float(ageing_table["overdue_amount"].sum()), "ecl": float(provision["ecl"]),
               "loss_rate_source": provision["source"], "roll_rate_history_months": provision["observed"],
               "roll_rate_ecl": _plain(provision["roll_rate_ecl"]), "matrix_ecl": _plain(provision["matrix_ecl"]),
               "provision_ratio": _plain(provision["ratio"]), "provision_max_ratio": provision["max_ratio"],
               "provision_methods_differ": provision["differ"], "roll_rates_unavailable": provision["roll_reason"],
               "forward_looking_factor": provision["factor"], "unanswered_warnings": int(unanswered["unanswered"].sum()),
               "overdue_actions": int((unanswered["overdue_actions"] > 0).sum())}
    tables = {"review": review, "triggered": triggered[["dealer_id", "rule", "level", "value", "threshold"]],
              "ageing": by_dealer, "provision": provision["table"], "roll_rates": provision["chain"],
              "bad_debts": bad_debts, "unanswered": unanswered, "left_out": provision["left_out"]}
    return JobResult(job=JOB, lang=inputs.lang, tables=tables, problems=list(inputs.problems), warnings=warnings,
                     summary=summary, empty_forms=empty)


def _plain(value) -> float | None:
    """A number for the JSON summary: None where it could not be worked out (NaN, infinite)."""
    return None if value is None or not np.isfinite(value) else float(value)


def response_follow_up(inputs: Inputs, as_of: pd.Timestamp) -> pd.DataFrame:
    """Open warnings raised by ``as_of`` without an action after the settings' days, or with
    actions past their due date."""
    warnings = inputs["warning_log"]
    warnings = warnings.loc[(pd.to_datetime(warnings["warning_date"]) <= as_of)
                            & ~warnings["warning_status"].isin(CLOSED_WARNINGS)].reset_index(drop=True)
    actions = inputs["response_actions"]
    actions = actions.loc[pd.to_datetime(actions["action_date"]) <= as_of]
    follow = unanswered_warnings(warnings, actions, as_of, int(inputs.settings["warning_action_days"]),
                                 closed_statuses=CLOSED_ACTIONS)
    follow = follow.merge(warnings[["warning_id", "dealer_id", "warning_rule", "warning_level", "warning_status"]],
                          on="warning_id", how="left")
    flagged = follow.loc[follow["unanswered"] | (follow["overdue_actions"] > 0)]
    return flagged[["warning_id", "dealer_id", "warning_date", "warning_rule", "warning_level", "warning_status",
                    "days_open", "actions", "open_actions", "overdue_actions", "unanswered"]].reset_index(drop=True)


# ---- the report -----------------------------------------------------------------------------

# Column id → the enum whose labels its codes are shown with.
ENUM_COLUMNS = {"rule": "warning_rule", "warning_rule": "warning_rule", "level": "rag", "warning_level": "rag",
                "warning_status": "warning_status", "ageing_bucket": "ageing_bucket", "risk_class": "rag",
                "capped": "yes_no"}
HEADER_KEYS = {"rule": "col.warning_rule", "level": "col.warning_level", "value": "col.metric_value"}


def _label(column: str, lang: str) -> str:
    if column in HEADER_KEYS:
        return tr(HEADER_KEYS[column], lang)
    if column in ENUMS["ageing_bucket"].codes:
        return tr(f"enum.ageing_bucket.{column}", lang)
    return tr(f"col.{column}" if has(f"col.{column}") else f"report.risk.col.{column}", lang)


def _labelled(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A report table with codes as labels, the total row named, and headers as labels."""
    out = frame.copy()
    total = tr("report.risk.total", lang)
    for column in out.columns:
        enum = ENUM_COLUMNS.get(column)
        if enum:
            codes = set(ENUMS[enum].codes)
            out[column] = out[column].map(lambda v, e=enum, c=codes: tr(f"enum.{e}.{v}", lang) if v in c else v)
        if out[column].dtype == bool:
            out[column] = out[column].map(lambda v: tr(f"enum.yes_no.{'yes' if v else 'no'}", lang))
    for column in ("dealer_id", "ageing_bucket"):
        if column in out:
            out[column] = out[column].replace("total", total)
    out.columns = [_label(c, lang) for c in out.columns]
    return out


SHEETS = ("review", "triggered", "ageing", "provision", "roll_rates", "bad_debts", "unanswered", "left_out")


def report_sheets(result: JobResult) -> dict[str, pd.DataFrame]:
    """The result tables as sheets people read: localised sheet names, headers and codes."""
    lang = result.lang
    sheets = {tr("report.risk.sheet.review", lang): localise(result.tables["review"], REVIEW_FORM, lang)}
    for name in SHEETS[1:]:
        table = result.tables.get(name, pd.DataFrame(columns=LEFT_OUT_COLUMNS) if name == "left_out" else None)
        if name == "left_out":
            sheets[tr("left_out.sheet", lang)] = left_out_sheet(table, lang)
        elif table is not None:
            sheets[tr(f"report.risk.sheet.{name}", lang)] = _labelled(table, lang)
    return sheets


NUMBER_FORMATS = {
    **dict.fromkeys((*ENUMS["ageing_bucket"].codes, "total", "open_receivables", "overdue_amount", "open_orders",
                     "exposure", "credit_limit", "balance", "ecl", "written_off", "recovered", "net_loss",
                     "observed_balance", "roll_rate_ecl", "matrix_ecl"), "#,##0"),
    **dict.fromkeys(("overdue_share", "credit_use", "sales_drop", "utilisation", "base_loss_rate", "loss_rate",
                     "recovery_rate", "roll_rate_loss_rate", "matrix_loss_rate"), "0.0%"),
    **dict.fromkeys(("stayed_share", "rolled_on_share", "written_off_share", "collected_share",
                     "lifetime_loss_rate"), "0.00%"),
    **dict.fromkeys(("stock_build_up", "complaint_rate", "nps_drop", "risk_score", "dso"), "0.0"),
}


def report_formats(lang: str) -> dict[str, str]:
    """Header text → Excel number format for :func:`~dealerxl.jobs.common.write_result_workbook`."""
    return {_label(column, lang): fmt for column, fmt in NUMBER_FORMATS.items()}


def output_name(result: JobResult) -> str:
    """The report's file name in the workbook's language, e.g. ``風險檢視_2026-10.xlsx``."""
    return f"{tr('report.risk.file', result.lang)}_{result.summary['month']}.xlsx"


def summary_text(result: JobResult) -> str:
    """One sentence on what the review found, in the result's language, and what the two
    provision methods say when they disagree or one could not be worked out."""
    lang, s = result.lang, result.summary
    rates = tr(f"msg.risk.rates.{s['loss_rate_source']}", lang, months=s["roll_rate_history_months"])
    if s.get("roll_rate_ecl") is not None:
        rates += "；" if lang.startswith("zh") else "; "
        rates += tr("msg.risk.methods", lang, roll=f"{s['roll_rate_ecl']:,.0f}", matrix=f"{s['matrix_ecl']:,.0f}")
    text = tr("msg.risk.summary", lang, month=s["month"], dealers=s["dealers"], red=s["red"], amber=s["amber"],
              open=f"{s['open_receivables']:,.0f}", overdue=f"{s['overdue_amount']:,.0f}", ecl=f"{s['ecl']:,.0f}",
              rates=rates, unanswered=s["unanswered_warnings"])
    notes = provision_notes(result)
    return " ".join([text, *notes])


def provision_notes(result: JobResult) -> list[str]:
    """What a reader of the provision must be told: the methods disagree beyond the settings'
    factor, the roll-rate method could not be worked out, or a rate was capped at 100 %."""
    lang, s = result.lang, result.summary
    notes = []
    if s.get("provision_methods_differ"):
        notes.append(tr("msg.risk.methods_differ", lang, ratio=f"{s['provision_ratio']:.2f}",
                        limit=f"{s['provision_max_ratio']:g}"))
    if s.get("roll_rates_unavailable"):
        notes.append(tr(f"msg.risk.roll_unavailable.{s['roll_rates_unavailable']}", lang))
    capped = [w.split(":", 1)[1] for w in result.warnings if w.startswith("loss_rate_capped:")]
    if capped:
        names = [tr(f"enum.ageing_bucket.{code}", lang) for code in capped[0].split(",")]
        notes.append(tr("msg.risk.loss_rate_capped", lang, buckets="、".join(names) if lang.startswith("zh")
                        else ", ".join(names)))
    return notes
