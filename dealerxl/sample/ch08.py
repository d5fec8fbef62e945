"""Sample data for chapter 8: receivables, open orders, write-offs and recoveries, the warning
log and the response actions taken on it.

Receivables are the sales invoices (chapter 4's transactions summed by invoice) when they
exist, otherwise a stand-in set of invoices. Each dealer pays in its own way: most on time,
some a few weeks late, a few chronically late and part-paying, and the suspended ones stopped
paying before they stopped buying and end up written off. Warnings come from those payments: at each of the last months'
ends the overdue share and the oldest days past due are measured per dealer, and a warning
is logged whenever a dealer's level on a rule gets worse. Nothing loops over rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.forms import DEFAULT_ROWS
from dealerxl.sample.ch01 import as_dates, codes, dealers, month_starts, period_end, team_members
from dealerxl.sample.ch05 import document_numbers
from dealerxl.sample.settings import default_frame

# Payment behaviour: share of dealers, mean and spread of days paid after the due date.
BEHAVIOUR = pd.DataFrame({
    "behaviour": ["prompt", "slow", "chronic", "defaulter"],
    "share": [0.62, 0.24, 0.10, 0.04],
    "delay_mean": [-2.0, 18.0, 55.0, 40.0],
    "delay_sd": [5.0, 12.0, 30.0, 20.0],
})
WARNING_MONTHS = 6
ACTION_TEXT = {
    "reminder": "電話催收並寄發對帳單",
    "site_visit": "業務主管拜訪，了解資金與庫存狀況",
    "payment_plan": "簽訂分期還款協議，按月檢核",
    "reduce_credit_limit": "信用額度調降 30%，經主管核准",
    "suspend_shipments": "暫停出貨直到逾期款項結清",
    "prepayment_required": "新訂單改為款到發貨",
    "legal_action": "委請律師發存證信函並申請支付命令",
    "sales_support": "協助促銷消化庫存，調整進貨節奏",
}
OUTCOME_TEXT = np.array(["已收回部分逾期款", "經銷商承諾月底前付清", "已全數結清",
                         "情況改善，持續觀察", "未見改善，提報下一步措施"], dtype=object)
FIELD_FINDINGS = np.array(["門市人員大幅縮減，疑似經營困難", "負責人更換，付款窗口不明",
                           "徵信報告顯示票據退票紀錄", "競品以高折扣搶占其主要客戶"], dtype=object)


def not_after(dates, last) -> pd.DatetimeIndex:
    """``dates`` with anything later than ``last`` moved back to ``last``; blanks stay blank."""
    dates = pd.DatetimeIndex(dates)
    return dates.where((dates <= last) | dates.isna(), last)


def _dealer_book(ctx) -> pd.DataFrame:
    """Dealers with credit limit, payment terms and a payment behaviour."""
    rng = ctx.rng
    book = dealers(ctx)
    master = ctx.frames.get("dealer_master")
    n = len(book)
    size = rng.lognormal(0, 0.9, n)
    if master is not None and {"credit_limit", "payment_terms_days"} <= set(master.columns):
        terms = master.set_index("dealer_id").reindex(book["dealer_id"])
        limit = terms["credit_limit"].to_numpy(dtype=float)
        days = terms["payment_terms_days"].to_numpy(dtype=float)
    else:
        limit = np.round(size * 1_500_000, -4)
        days = rng.choice([30.0, 45.0, 60.0], size=n, p=[0.5, 0.3, 0.2])
    behaviour = rng.choice(BEHAVIOUR["behaviour"].to_numpy(), size=n, p=BEHAVIOUR["share"].to_numpy())
    end = period_end(ctx).normalize()
    failure = end - pd.to_timedelta(rng.integers(30, 240, n), unit="D")
    plan = ctx.plan.get("dealers")
    if master is not None and "status" in master.columns and plan is not None:
        # The dealers that stopped paying are the suspended ones: they fail within a month of
        # their last purchase. No dealer still trading defaults.
        status = master.set_index("dealer_id")["status"].reindex(book["dealer_id"]).to_numpy()
        stopped = pd.DatetimeIndex(plan.set_index("dealer_id")["until"].reindex(book["dealer_id"]))
        behaviour = np.where(status == "suspended", "defaulter", np.where(behaviour == "defaulter", "slow", behaviour))
        failure = pd.DatetimeIndex(np.where(status == "suspended", stopped + pd.to_timedelta(rng.integers(0, 30, n),
                                                                                             unit="D"), failure))
        failure = not_after(failure, end)
    return book.assign(size=size, credit_limit=limit, payment_terms_days=np.nan_to_num(days, nan=30.0),
                       behaviour=behaviour, failure_day=failure)


def _invoices(ctx, book: pd.DataFrame) -> pd.DataFrame:
    """Invoice number, dealer, date and amount: from the sales transactions when there are any."""
    sales = ctx.frames.get("sales_transactions")
    if sales is not None and len(sales):
        invoices = (sales.groupby("invoice_no", sort=True)
                    .agg(dealer_id=("dealer_id", "first"), invoice_date=("invoice_date", "min"),
                         amount=("amount", "sum"))
                    .reset_index())
        invoices = invoices[invoices["amount"] > 0]  # credit notes for returns are not receivables
        invoices = invoices[invoices["dealer_id"].isin(book["dealer_id"])]
        return invoices.assign(amount=invoices["amount"].round(0)).reset_index(drop=True)
    rng = ctx.rng
    months = month_starts(ctx)
    per_month = rng.poisson(np.clip(book["size"].to_numpy(), 0.3, 6)[:, None] * 1.5, (len(book), len(months)))
    dealer_idx = np.repeat(np.repeat(np.arange(len(book)), len(months)), per_month.ravel())
    month = np.repeat(np.tile(months.to_numpy(), len(book)), per_month.ravel())
    day = pd.to_timedelta(rng.integers(0, 28, len(month)), unit="D")
    amount = np.round(rng.lognormal(np.log(120_000), 0.7, len(month)) * np.sqrt(book["size"].to_numpy()[dealer_idx]), 0)
    frame = pd.DataFrame({"dealer_id": book["dealer_id"].to_numpy()[dealer_idx],
                          "invoice_date": pd.DatetimeIndex(month) + day, "amount": amount})
    frame = frame.sort_values(["invoice_date", "dealer_id"], ignore_index=True)
    frame.insert(0, "invoice_no", document_numbers("INV", frame["invoice_date"]))
    return frame


def _receivables(ctx, book: pd.DataFrame, invoices: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng
    end = period_end(ctx).normalize()
    n = len(invoices)
    dealer = book.set_index("dealer_id").loc[invoices["dealer_id"].to_numpy()]
    invoice_date = pd.DatetimeIndex(as_dates(invoices["invoice_date"])).normalize()
    due = invoice_date + pd.to_timedelta(dealer["payment_terms_days"].to_numpy(), unit="D")
    behaviour = BEHAVIOUR.set_index("behaviour").loc[dealer["behaviour"].to_numpy()]
    delay = rng.normal(behaviour["delay_mean"].to_numpy(), behaviour["delay_sd"].to_numpy())
    # Chronic late payers leave the odd invoice unpaid for many months (disputes, cash shortage).
    stuck = (dealer["behaviour"].to_numpy() == "chronic") & (rng.random(n) < 0.08)
    delay = delay + np.where(stuck, rng.uniform(150, 400, n), 0.0)
    # Defaulters stop paying altogether in the months before they fail.
    stopped = (dealer["behaviour"].to_numpy() == "defaulter") \
        & (invoice_date >= pd.DatetimeIndex(dealer["failure_day"]) - pd.Timedelta(days=300))
    paid_on = due + pd.to_timedelta(np.round(delay), unit="D")
    paid_on = pd.DatetimeIndex(np.maximum(paid_on, invoice_date))
    amount = invoices["amount"].to_numpy(dtype=float)
    settled = (paid_on <= end) & ~stopped
    # Chronic late payers have often paid part of an open invoice already.
    late_payer = np.isin(dealer["behaviour"].to_numpy(), ["chronic", "slow"])
    partial = ~settled & late_payer & (rng.random(n) < 0.35) & (due < end)
    partial_date = not_after(due + pd.to_timedelta(rng.integers(0, 30, n), unit="D"), end)
    paid_amount = np.where(settled, amount, np.where(partial, np.round(amount * rng.uniform(0.2, 0.7, n), 0), 0.0))
    paid_date = pd.DatetimeIndex(np.where(settled, paid_on, np.where(partial, partial_date, pd.NaT)))
    open_now = paid_amount < amount
    disputed = np.where(open_now & (rng.random(n) < 0.04), "yes", "no")
    return pd.DataFrame({
        "invoice_no": invoices["invoice_no"].to_numpy(dtype=object),
        "dealer_id": invoices["dealer_id"].to_numpy(dtype=object),
        "invoice_date": as_dates(invoice_date).to_numpy(),
        "due_date": as_dates(due).to_numpy(),
        "amount": amount,
        "paid_amount": paid_amount,
        "paid_date": as_dates(paid_date).to_numpy(),
        "disputed": disputed.astype(object),
    })


def _approver(ctx) -> str | None:
    roster = ctx.frames.get("team_roster")
    if roster is None or "role" not in roster.columns:
        return None
    head = roster.loc[roster["role"] == "department_head", "staff_id"]
    return head.iloc[0] if len(head) else None


def _write_offs(ctx, book: pd.DataFrame, ledger: pd.DataFrame) -> pd.DataFrame:
    """Each defaulter fails on a day of the last months and its invoices then past due are
    written off; some chronic late payers settle old invoices for less. A part is recovered
    later (liquidation dividends, guarantees)."""
    rng = ctx.rng
    end = period_end(ctx).normalize()
    failure_day = book.set_index("dealer_id")["failure_day"]
    behaviour = ledger["dealer_id"].map(book.set_index("dealer_id")["behaviour"]).to_numpy()
    failed_on = pd.DatetimeIndex(ledger["dealer_id"].map(failure_day))
    open_amount = ledger["amount"].to_numpy() - ledger["paid_amount"].to_numpy()
    days_due = (end - ledger["due_date"]).dt.days.to_numpy()
    bad = (behaviour == "defaulter") & (open_amount > 0) & (ledger["due_date"] < failed_on).to_numpy()
    settled = (behaviour == "chronic") & (open_amount > 0) & (days_due > 200) & (rng.random(len(ledger)) < 0.3)
    chosen = bad | settled
    picked = ledger[chosen].reset_index(drop=True)
    n = len(picked)
    bad, age = bad[chosen], days_due[chosen]
    settle_after = 200 + np.floor(rng.random(n) * (age - 199)).astype(int)
    written = pd.DatetimeIndex(np.where(
        bad, not_after(failed_on[chosen] + pd.to_timedelta(rng.integers(0, 25, n), unit="D"), end),
        picked["due_date"] + pd.to_timedelta(settle_after, unit="D")))
    reason = np.where(bad, rng.choice(["bankruptcy", "dealer_closed", "legal_exhausted"], size=n, p=[0.4, 0.4, 0.2]),
                      "settlement")
    amount = open_amount[chosen]
    recovers = bad & (rng.random(n) < 0.35)
    recovery_date = written + pd.to_timedelta(rng.integers(20, 200, n), unit="D")
    recovers &= np.asarray(recovery_date <= end)
    approver = _approver(ctx)
    return pd.DataFrame({
        "invoice_no": picked["invoice_no"].to_numpy(dtype=object),
        "dealer_id": picked["dealer_id"].to_numpy(dtype=object),
        "write_off_date": as_dates(written).to_numpy(),
        "write_off_amount": amount,
        "write_off_reason": reason.astype(object),
        "approved_by": np.full(n, approver, dtype=object),
        "recovered_amount": np.where(recovers, np.round(amount * rng.uniform(0.05, 0.4, n), 0), np.nan),
        "recovery_date": as_dates(recovery_date.where(recovers)).to_numpy(),
        "note": np.full(n, None, dtype=object),
    }).sort_values(["write_off_date", "invoice_no"], ignore_index=True)


def _open_orders(ctx, book: pd.DataFrame, ledger: pd.DataFrame) -> pd.DataFrame:
    """Orders taken in the last weeks and not yet fully shipped; dealers far past due are on hold."""
    rng = ctx.rng
    end = period_end(ctx).normalize()
    per_dealer = rng.poisson(1.2, len(book))
    per_dealer[book["behaviour"].to_numpy() == "defaulter"] = 0
    dealer = np.repeat(np.arange(len(book)), per_dealer)
    n = len(dealer)
    order_date = (end - pd.to_timedelta(rng.integers(0, 35, n), unit="D")).normalize()
    amount = np.round(rng.lognormal(np.log(90_000), 0.6, n) * np.sqrt(book["size"].to_numpy()[dealer]), 0)
    partly = rng.random(n) < 0.3
    shipped = np.where(partly, np.round(amount * rng.uniform(0.2, 0.8, n), 0), 0.0)
    still_open = ledger[ledger["paid_amount"] < ledger["amount"]]
    oldest_due = still_open.groupby("dealer_id")["due_date"].min()
    days_past_due = (end - book["dealer_id"].map(oldest_due)).dt.days.fillna(-1).to_numpy()[dealer]
    status = np.where(days_past_due > 90, "on_hold", np.where(partly, "partially_shipped", "open"))
    frame = pd.DataFrame({
        "order_no": np.zeros(n, dtype=object),
        "dealer_id": book["dealer_id"].to_numpy()[dealer].astype(object),
        "order_date": as_dates(order_date).to_numpy(),
        "requested_delivery_date": as_dates(order_date + pd.to_timedelta(rng.integers(3, 21, n), unit="D")).to_numpy(),
        "order_amount": amount,
        "shipped_amount": shipped,
        "order_status": status.astype(object),
    }).sort_values(["order_date", "dealer_id"], ignore_index=True)
    frame["order_no"] = document_numbers("SO", frame["order_date"])
    return frame


def _month_end_levels(ctx, ledger: pd.DataFrame, write_offs: pd.DataFrame) -> pd.DataFrame:
    """Per dealer and each of the last months' ends: overdue share and oldest days past due,
    with their red/amber/green level against the default warning rules. An invoice counts
    as open until it is paid or written off."""
    ends = (month_starts(ctx)[-WARNING_MONTHS:] + pd.offsets.MonthEnd(0)).to_numpy()
    closed_by = pd.Series(write_offs.set_index("invoice_no")["write_off_date"].reindex(ledger["invoice_no"]).to_numpy(),
                          index=ledger.index)
    inv = ledger[["dealer_id", "invoice_date", "due_date", "amount"]].assign(
        paid_date=ledger["paid_date"].where(ledger["paid_amount"] >= ledger["amount"], closed_by))
    k = len(ends)
    when = np.tile(ends, len(inv))
    rep = inv.loc[inv.index.repeat(k)].reset_index(drop=True)
    paid = rep["paid_date"].to_numpy()
    open_then = (rep["invoice_date"].to_numpy() <= when) & (pd.isna(paid) | (paid > when))
    past_due = open_then & (rep["due_date"].to_numpy() < when)
    days = np.where(past_due, (when - rep["due_date"].to_numpy()) / np.timedelta64(1, "D"), 0.0)
    frame = pd.DataFrame({"dealer_id": rep["dealer_id"].to_numpy(), "as_of": when,
                          "open": np.where(open_then, rep["amount"].to_numpy(), 0.0),
                          "overdue": np.where(past_due, rep["amount"].to_numpy(), 0.0), "days": days})
    per = frame.groupby(["dealer_id", "as_of"], sort=True).agg(open=("open", "sum"), overdue=("overdue", "sum"),
                                                               days_past_due=("days", "max")).reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        per["overdue_share"] = np.where(per["open"] > 0, per["overdue"] / per["open"], 0.0)
    rules = pd.DataFrame(DEFAULT_ROWS["warning_rules"]).set_index("warning_rule")
    long = per.melt(id_vars=["dealer_id", "as_of"], value_vars=["overdue_share", "days_past_due"],
                    var_name="warning_rule", value_name="metric_value")
    amber = long["warning_rule"].map(rules["amber_threshold"]).to_numpy()
    red = long["warning_rule"].map(rules["red_threshold"]).to_numpy()
    value = long["metric_value"].to_numpy()
    long["level"] = np.select([value >= red, value >= amber], [2, 1], 0)
    long["threshold"] = np.where(long["level"] == 2, red, amber)
    return long.sort_values(["dealer_id", "warning_rule", "as_of"], ignore_index=True)


def _warnings(ctx, book: pd.DataFrame, ledger: pd.DataFrame, write_offs: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng
    levels = _month_end_levels(ctx, ledger, write_offs)
    before = levels.groupby(["dealer_id", "warning_rule"])["level"].shift(1).fillna(0)
    raised = levels[(levels["level"] > before) & (levels["level"] > 0)].reset_index(drop=True)
    # The warning is logged on the first working days after the month end it was measured at.
    rule_date = pd.DatetimeIndex(raised["as_of"]) + pd.to_timedelta(rng.integers(1, 4, len(raised)), unit="D")
    rule_rows = pd.DataFrame({
        "dealer_id": raised["dealer_id"].to_numpy(dtype=object),
        "warning_date": rule_date,
        "warning_source": "rule_engine",
        "warning_rule": raised["warning_rule"].to_numpy(dtype=object),
        "warning_level": np.where(raised["level"] == 2, "red", "amber").astype(object),
        "metric_value": raised["metric_value"].round(4).to_numpy(),
        "threshold": raised["threshold"].to_numpy(),
        "description": None,
    })
    # Field staff and finance also raise warnings by hand, without a rule.
    end = period_end(ctx).normalize()
    k = max(2, len(book) // 15)
    manual_dealers = rng.choice(book["dealer_id"].to_numpy(), size=k, replace=False)
    manual_rows = pd.DataFrame({
        "dealer_id": manual_dealers.astype(object),
        "warning_date": end - pd.to_timedelta(rng.integers(0, 170, k), unit="D"),
        "warning_source": rng.choice(["field_visit", "sales_report", "finance", "credit_agency"], k).astype(object),
        "warning_rule": None,
        "warning_level": rng.choice(["amber", "red"], size=k, p=[0.7, 0.3]).astype(object),
        "metric_value": np.nan,
        "threshold": np.nan,
        "description": rng.choice(FIELD_FINDINGS, size=k),
    })
    log = pd.concat([rule_rows, manual_rows], ignore_index=True)
    log["warning_date"] = as_dates(not_after(log["warning_date"], end).normalize())
    log = log.sort_values(["warning_date", "dealer_id"], ignore_index=True)
    log.insert(0, "warning_id", document_numbers("W", log["warning_date"], 5))
    log["warning_status"] = "open"
    return log


def _responses(ctx, warnings: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """One or two actions for most warnings; recent ones are often still waiting. Returns the
    actions and each warning's status that follows from them."""
    rng = ctx.rng
    end = period_end(ctx).normalize()
    n = len(warnings)
    age = (end - warnings["warning_date"]).dt.days.to_numpy()
    answered = rng.random(n) < np.where(age > 14, 0.9, 0.5)
    count = np.where(answered, rng.integers(1, 3, n), 0)
    w = np.repeat(np.arange(n), count)
    m = len(w)
    red = warnings["warning_level"].to_numpy()[w] == "red"
    response = np.where(red, rng.choice(["payment_plan", "suspend_shipments", "reduce_credit_limit", "legal_action",
                                         "prepayment_required"], size=m),
                        rng.choice(["reminder", "site_visit", "sales_support"], size=m))
    start = pd.DatetimeIndex(warnings["warning_date"].to_numpy()[w])
    action_date = not_after(start + pd.to_timedelta(rng.integers(0, 8, m), unit="D"), end)
    due = action_date + pd.to_timedelta(rng.integers(7, 31, m), unit="D")
    finish = action_date + pd.to_timedelta(rng.integers(2, 40, m), unit="D")
    done = (finish <= end) & (rng.random(m) < 0.85)
    status = np.where(done, "done", np.where(rng.random(m) < 0.7, "in_progress", "not_started"))
    sales = team_members(ctx, "sales") if "team_roster" in ctx.frames else codes("SAL", 6, 2)
    actions = pd.DataFrame({
        "action_id": np.zeros(m, dtype=object),
        "warning_id": warnings["warning_id"].to_numpy()[w],
        "dealer_id": warnings["dealer_id"].to_numpy()[w],
        "response_type": response.astype(object),
        "action": pd.Series(response).map(ACTION_TEXT).to_numpy(dtype=object),
        "owner": rng.choice(sales, size=m).astype(object),
        "action_date": as_dates(action_date).to_numpy(),
        "due_date": as_dates(due).to_numpy(),
        "status": status.astype(object),
        "done_date": as_dates(finish.where(done)).to_numpy(),
        "outcome": np.where(done, rng.choice(OUTCOME_TEXT, size=m), None).astype(object),
    }).sort_values(["action_date", "warning_id"], ignore_index=True)
    actions["action_id"] = document_numbers("A", actions["action_date"], 5)
    all_done = actions.groupby("warning_id")["status"].agg(lambda s: bool((s == "done").all()))
    has_action = warnings["warning_id"].isin(actions["warning_id"])
    finished = warnings["warning_id"].map(all_done).fillna(False).astype(bool)
    status = np.where(finished, np.where(rng.random(n) < 0.1, "false_alarm", "closed"),
                      np.where(has_action, "under_action", "open"))
    return actions, pd.Series(status, index=warnings.index, dtype=object)


def _ageing_history(ctx, ledger: pd.DataFrame, write_offs: pd.DataFrame) -> pd.DataFrame:
    """The portfolio's ageing at every month end of the sample, rebuilt from the ledger: an
    invoice is open from its date until it is paid in full or written off (a part payment
    lowers what is open from its date on), and is aged by days past due at each month end."""
    buckets = pd.DataFrame(DEFAULT_ROWS["ageing_buckets"])
    upper = buckets["to_days"].dropna().to_numpy(dtype=float)
    bucket_codes = buckets["ageing_bucket"].to_numpy()
    written = write_offs.set_index("invoice_no")["write_off_date"].reindex(ledger["invoice_no"]).to_numpy()
    full = (ledger["paid_amount"] >= ledger["amount"]).to_numpy()
    closed = pd.DatetimeIndex(np.where(full, ledger["paid_date"].to_numpy(), written))
    first = pd.PeriodIndex(ledger["invoice_date"], freq="M").asi8
    last_month = ctx.end.ordinal
    # A month end counts while the invoice is still open on it: up to the month before it closed.
    last = np.where(closed.isna(), last_month, pd.PeriodIndex(closed, freq="M").asi8 - 1)
    last = np.minimum(last, last_month)
    first = np.maximum(first, ctx.months[0].ordinal)
    count = np.clip(last - first + 1, 0, None)
    row = np.repeat(np.arange(len(ledger)), count)
    month = np.repeat(first, count) + (np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count))
    month_start = pd.PeriodIndex.from_ordinals(month, freq="M").to_timestamp()
    month_end = month_start + pd.offsets.MonthEnd(0)
    paid_on = ledger["paid_date"].to_numpy()[row]
    part_paid = ~pd.isna(paid_on) & (paid_on <= month_end.to_numpy())
    amount = ledger["amount"].to_numpy()[row]
    balance = np.where(part_paid, amount - ledger["paid_amount"].to_numpy()[row], amount)
    days = (month_end - pd.DatetimeIndex(ledger["due_date"].to_numpy()[row])).days.to_numpy()
    bucket = np.searchsorted(upper, days, side="left")
    grid = pd.MultiIndex.from_product([month_starts(ctx), range(len(bucket_codes))], names=["month", "bucket"])
    balances = pd.Series(balance).groupby([month_start, bucket]).sum().reindex(grid, fill_value=0.0)
    # Write-offs of a month, in the bucket the invoice had reached on the day it was written off.
    wo = write_offs.merge(ledger[["invoice_no", "due_date"]], on="invoice_no")
    wo_bucket = np.searchsorted(upper, (wo["write_off_date"] - wo["due_date"]).dt.days.to_numpy(), side="left")
    wo_month = wo["write_off_date"].dt.to_period("M").dt.to_timestamp()
    wo_sum = wo["write_off_amount"].groupby([wo_month.to_numpy(), wo_bucket]).sum().reindex(grid, fill_value=0.0)
    return pd.DataFrame({
        "month": as_dates(grid.get_level_values("month")).to_numpy(),
        "ageing_bucket": bucket_codes[grid.get_level_values("bucket")].astype(object),
        "balance": balances.round(0).to_numpy(),
        "write_off_amount": wo_sum.round(0).to_numpy(),
    })


def generate(ctx) -> dict[str, pd.DataFrame]:
    book = _dealer_book(ctx)
    ledger = _receivables(ctx, book, _invoices(ctx, book))
    write_offs = _write_offs(ctx, book, ledger)
    warnings = _warnings(ctx, book, ledger, write_offs)
    actions, warning_status = _responses(ctx, warnings)
    warnings["warning_status"] = warning_status
    return {
        "warning_log": warnings,
        "response_actions": actions,
        "receivables": ledger,
        "open_orders": _open_orders(ctx, book, ledger),
        "write_offs": write_offs,
        "ageing_history": _ageing_history(ctx, ledger, write_offs),
        **{form_id: default_frame(form_id) for form_id in ("ageing_buckets", "provision_matrix", "warning_rules")},
    }
