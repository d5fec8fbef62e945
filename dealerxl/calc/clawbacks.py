"""Clawbacks (沖銷) and draws (manual 4.5): what later events take back from commission paid,
and how advances against commission are paid and recovered.

Source of the rules: Zoltners, Sinha & Lorimer, *The Complete Guide to Sales Force Incentive
Compensation* (AMACOM, 2006), on recoverable and non-recoverable draws and on charge-backs of
commission for returns and bad debt. The numbers in the examples are our own.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError

REVERSAL_KINDS = ("return", "write_off")


def months(values, what: str) -> pd.Series:
    """Periods (dates, ``2026-04`` text or month periods) as ``YYYY-MM`` text."""
    series = pd.Series(values).reset_index(drop=True)
    if isinstance(series.dtype, pd.PeriodDtype):
        return series.astype(str)
    # Each distinct value is parsed once: 500,000 lines hold a few dozen months.
    codes, distinct = pd.factorize(series.astype(str), use_na_sentinel=False)
    parsed = pd.to_datetime(pd.Series(distinct), errors="coerce", format="mixed")
    bad = parsed.isna()
    if bad.any():
        raise CalcError("msg.calc.clawbacks.not_month_use_yyyy", label_fields={"what": what}, distinct=distinct[bad.to_numpy()][0])
    return pd.Series(parsed.dt.strftime("%Y-%m").to_numpy()[codes], index=series.index)


def month_number(period: pd.Series) -> np.ndarray:
    """``YYYY-MM`` text as a month count (year·12 + month), for month differences."""
    text = period.astype(str)
    return text.str[:4].astype(int).to_numpy() * 12 + text.str[5:7].astype(int).to_numpy()


def invoice_amounts(sale_lines: pd.DataFrame) -> pd.Series:
    """Each invoice's own amount, every line counted once however many payees it is credited to.

    Equation: Sᵢ = Σ_lines max_p Aᵢₗₚ, with Aᵢₗₚ the amount of line l credited to payee p (the
    pieces of a line split at band edges added up first). Lines without a number count as one
    line per invoice. An ``invoice_amount`` column, when given, is taken as it is (largest value
    per invoice).

    Example (our own): lines 1 (60,000) and 2 (40,000) of INV2 are credited to their reps and
    both to the dealer: the invoice is 100,000, not 200,000.

    >>> lines = pd.DataFrame({"invoice_no": "INV2", "line_no": [1, 2, 1, 2], "payee_id": ["R1", "R2", "D1", "D1"],
    ...                       "amount": [60_000.0, 40_000.0, 60_000.0, 40_000.0]})
    >>> invoice_amounts(lines).to_dict()
    {'INV2': 100000.0}
    """
    invoice = sale_lines["invoice_no"].astype(str)
    if "invoice_amount" in sale_lines:
        return pd.to_numeric(sale_lines["invoice_amount"], errors="coerce").groupby(invoice).max().astype(float)
    line = sale_lines["line_no"] if "line_no" in sale_lines else pd.Series(np.nan, index=sale_lines.index)
    per_payee = sale_lines["amount"].astype(float).groupby([invoice, line, sale_lines["payee_id"].astype(str)],
                                                          dropna=False).sum()
    per_line = per_payee.groupby(level=[0, 1], dropna=False).max()
    return per_line.groupby(level=0).sum()


def clawback_lines(sale_lines: pd.DataFrame, reversals: pd.DataFrame, windows: dict,
                   paid_on_cash=()) -> pd.DataFrame:
    """Commission taken back for returned goods and written-off receivables, at the original rate.

    Each reversal (invoice_no, period of reversal, amount > 0, kind ``return`` or
    ``write_off``) is matched to the commission lines of its original invoice. Every payee
    credited on the invoice (the salesperson, the dealer's rebate, …) was credited on its own:
    a reversal takes back from each of them the reversed share of that payee's own credit.
    Symbols, per invoice i and payee p: Sᵢ = the invoice's amount (:func:`invoice_amounts`),
    Aᵢₚ = the amount credited to p in the plan's basis (sales, margin or cash: ``basis_amount``
    when the lines have it, else ``amount``), Kᵢₚ = commission credited to p (after the cap),
    ρᵢₚ = Kᵢₚ / Aᵢₚ (p's original rate).

    Equation: reversals of one invoice are taken in period order and limited so that together
    they never exceed Sᵢ: eff = clip(Sᵢ − earlier reversals, 0, amount); payee p loses the
    share eff / Sᵢ of its own credit: basis_amount = −eff/Sᵢ · Aᵢₚ, clawback = −eff/Sᵢ · Aᵢₚ · ρᵢₚ =
    −eff/Sᵢ · Kᵢₚ, in the period of the reversal, provided the reversal falls within the plan's
    clawback window (months after the original period; None = no limit). A full return
    therefore takes back exactly Kᵢₚ from every payee. A write-off takes nothing back from a
    plan in ``paid_on_cash`` (commission on cash collected): the amount written off was never
    collected, so it was never credited; nor does a return dated before such a payee was
    credited (the cash came in later, for what was kept).

    Example (our own): invoice INV1 of 100,000 earned the rep 2,000 (2 %) and the dealer
    1,000 (1 %); a return of 25,000 two months later takes back 25,000 · 2 % = 500 from the rep
    and 25,000 · 1 % = 250 from the dealer.

    >>> sale = pd.DataFrame({"payee_id": ["R1", "D1"], "invoice_no": ["INV1"] * 2, "period": ["2026-01"] * 2,
    ...                      "plan_id": ["REP", "DLR"], "amount": [100_000.0] * 2, "credited": [2_000.0, 1_000.0],
    ...                      "tier": [2, 1]})
    >>> back = pd.DataFrame({"invoice_no": ["INV1"], "period": ["2026-03"], "amount": [25_000.0], "kind": ["return"]})
    >>> clawback_lines(sale, back, {"REP": 12, "DLR": 12})[["payee_id", "period", "amount", "commission"]].values.tolist()
    [['R1', '2026-03', -25000.0, -500.0], ['D1', '2026-03', -25000.0, -250.0]]
    """
    missing = {"invoice_no", "period", "amount"} - set(reversals.columns)
    if missing:
        raise CalcError("msg.calc.clawbacks.reversals_lack_column", missing=', '.join(sorted(missing)))
    events = reversals.reset_index(drop=True).copy()
    events["invoice_no"] = events["invoice_no"].astype(str)
    events["period"] = months(events["period"], "calc.subject.period_of_reversal")
    events["kind"] = events["kind"].astype(str) if "kind" in events else "return"
    unknown = ~events["kind"].isin(REVERSAL_KINDS)
    if unknown.any():
        raise CalcError("msg.calc.clawbacks.reversal_return_write_off", iloc=events['kind'][unknown].iloc[0])
    amount = pd.to_numeric(events["amount"], errors="coerce")
    if amount.isna().any() or (amount < 0).any():
        raise CalcError("msg.calc.clawbacks.reversal_amount_number_amount")
    events["amount"] = amount.astype(float)

    # Only the invoices that are reversed matter: a few percent of the lines.
    sold = sale_lines[sale_lines["invoice_no"].astype(str).isin(events["invoice_no"].unique())]
    if "dealer_id" not in sold:
        sold = sold.assign(dealer_id=None)
    basis = sold["basis_amount"] if "basis_amount" in sold else sold["amount"]
    invoice_total = invoice_amounts(sold)
    credited = (sold.assign(invoice_no=sold["invoice_no"].astype(str), month=month_number(sold["period"]),
                            basis=basis.astype(float))
                .groupby(["invoice_no", "payee_id"], sort=False, dropna=False)
                .agg(original_amount=("amount", "sum"), original_basis=("basis", "sum"),
                     original_commission=("credited", "sum"),
                     month=("month", "min"), plan_id=("plan_id", "first"), tier=("tier", "max"),
                     dealer_id=("dealer_id", "first"))
                .reset_index())
    credited["original_period"] = (pd.to_datetime({"year": credited["month"] // 12 - (credited["month"] % 12 == 0),
                                                   "month": (credited["month"] - 1) % 12 + 1, "day": 1})
                                   .dt.strftime("%Y-%m"))
    credited = credited.drop(columns="month")
    unmatched = ~events["invoice_no"].isin(invoice_total.index)
    if unmatched.any():
        names = ", ".join(events["invoice_no"][unmatched].unique()[:5])
        raise CalcError("msg.calc.clawbacks.no_commissioned_sale_matches", names=names)

    events["order"] = np.arange(len(events))
    events = events.sort_values(["invoice_no", "period", "order"], kind="stable")
    total = events["invoice_no"].map(invoice_total).to_numpy()
    earlier = events.groupby("invoice_no")["amount"].cumsum().to_numpy() - events["amount"].to_numpy()
    events["effective"] = np.clip(total - earlier, 0.0, events["amount"].to_numpy())
    events["invoice_total"] = total

    lines = events.merge(credited, on="invoice_no", how="left")
    credited_on_cash = lines["plan_id"].isin(list(paid_on_cash)).to_numpy()
    # Credited on cash: a return before the payment was credited has nothing to take back.
    early = (lines["period"] < lines["original_period"]).to_numpy()
    if (early & ~credited_on_cash).any():
        bad = lines[early & ~credited_on_cash].iloc[0]
        raise CalcError("msg.calc.clawbacks.invoice_reversed_before_was", bad=bad['invoice_no'], bad2=bad['period'], bad3=bad['original_period'])
    # The share of the invoice this reversal takes back, the same for every payee credited on it.
    share = np.divide(lines["effective"].to_numpy(), lines["invoice_total"].to_numpy(),
                      out=np.zeros(len(lines)), where=lines["invoice_total"].to_numpy() > 0)
    rate = np.divide(lines["original_commission"], lines["original_basis"],
                     out=np.zeros(len(lines)), where=lines["original_basis"].to_numpy() > 0)
    window = lines["plan_id"].map(lambda plan: windows.get(plan)).astype(float).to_numpy()
    elapsed = month_number(lines["period"]) - month_number(lines["original_period"])
    within = np.isnan(window) | (elapsed <= window)
    takes_back = within & ~early & ~(credited_on_cash & (lines["kind"] == "write_off").to_numpy())
    commission = -share * lines["original_commission"].to_numpy() * takes_back
    return pd.DataFrame({
        "payee_id": lines["payee_id"], "period": lines["period"],
        "line_type": "clawback_" + lines["kind"], "invoice_no": lines["invoice_no"], "dealer_id": lines["dealer_id"],
        "original_period": lines["original_period"], "plan_id": lines["plan_id"], "tier": lines["tier"],
        "rate": rate, "amount": -share * lines["original_amount"].to_numpy(),
        "basis_amount": -share * lines["original_basis"].to_numpy(), "within_window": takes_back,
        "commission": commission + 0.0, "credited": commission + 0.0,
    })


def apply_draws(earned, draw, recoverable, opening_balance=0.0, payee=None) -> pd.DataFrame:
    """Draw advances and recoveries over consecutive periods of each payee.

    Symbols per period t of one payee: Eₜ = earnings after cap and clawbacks (may be negative),
    Dₜ = draw (guaranteed advance), Bₜ = balance owed by the payee after t, B₀ = opening balance.

    Recoverable draw: Bₜ = max(Bₜ₋₁ + Dₜ − Eₜ, 0); advanced = (Dₜ − Eₜ)⁺,
    recovered = advanced − (Bₜ − Bₜ₋₁), payable = Eₜ + Bₜ − Bₜ₋₁.
    Non-recoverable draw: only negative earnings are carried, Bₜ = max(Bₜ₋₁ − Eₜ, 0); the
    shortfall below the draw is a guarantee that is never recovered:
    payable = max(Eₜ + Bₜ − Bₜ₋₁, Dₜ).
    The balance recursion Bₜ = max(Bₜ₋₁ + xₜ, 0) is Lindley's; with Sₜ = Σ xₖ it has the closed
    form Bₜ = Sₜ + max(B₀, −min(0, min_{k≤t} Sₖ)), so every payee is done in one cumulative pass.

    Rows must be sorted by payee and period. Example (our own): draw 3,000 a month, recoverable,
    earnings 1,000, 2,000, 8,000 → paid 3,000, 3,000, then 8,000 − 3,000 recovery = 5,000.

    >>> apply_draws([1000, 2000, 8000], 3000, True, payee=["R1"] * 3)[["payable", "balance"]].values.tolist()
    [[3000.0, 2000.0], [3000.0, 3000.0], [5000.0, 0.0]]
    >>> apply_draws([1000, 2000, 8000], 3000, False, payee=["R1"] * 3)["payable"].tolist()
    [3000.0, 3000.0, 8000.0]
    """
    e = np.asarray(earned, dtype=float)
    d = np.broadcast_to(np.asarray(draw, dtype=float), e.shape)
    keep = np.broadcast_to(np.asarray(recoverable, dtype=bool), e.shape)
    b0 = np.broadcast_to(np.asarray(opening_balance, dtype=float), e.shape)
    if np.isnan(d).any() or (d < 0).any() or np.isnan(b0).any() or (b0 < 0).any():
        raise CalcError("msg.calc.clawbacks.draws_opening_balances_numbers")
    group = pd.Series(np.zeros(e.size) if payee is None else np.asarray(payee, dtype=object))
    x = np.where(keep, d - e, -e)
    s = pd.Series(x).groupby(group, sort=False).cumsum()
    low = np.minimum(s.groupby(group, sort=False).cummin().to_numpy(), 0.0)
    start = pd.Series(b0).groupby(group, sort=False).transform("first").to_numpy()
    balance = s.to_numpy() + np.maximum(start, -low)
    before = pd.Series(balance).groupby(group, sort=False).shift(1).to_numpy()
    before = np.where(np.isnan(before), start, before)
    change = balance - before
    net = e + change
    payable = np.where(keep, net, np.maximum(net, d))
    advanced = np.where(keep, np.maximum(d - e, 0.0), payable - net + np.maximum(change, 0.0))
    recovered = np.where(keep, advanced - change, np.maximum(-change, 0.0))
    return pd.DataFrame({"draw_advanced": advanced, "draw_recovered": recovered, "balance": balance,
                         "payable": payable})


def reversals_from(transactions: pd.DataFrame, write_offs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Reversal events from the ``sales_transactions`` return lines and the ``write_offs`` rows.

    A return line (negative amount, ``original_invoice_no``) reverses |amount| of its original
    invoice in the month of the return; a write-off reverses the amount written off, less any
    amount recovered, in the month of the write-off.

    >>> lines = pd.DataFrame({"invoice_no": ["C1"], "invoice_date": ["2026-03-05"], "transaction_type": ["return"],
    ...                       "amount": [-500.0], "original_invoice_no": ["INV1"]})
    >>> reversals_from(lines).values.tolist()
    [['INV1', '2026-03', 500.0, 'return']]
    """
    returns = transactions[transactions["transaction_type"] == "return"]
    orphan = returns["original_invoice_no"].isna() | (returns["original_invoice_no"].astype(str).str.strip() == "")
    if orphan.any():
        raise CalcError("msg.calc.clawbacks.return_does_not_name", iloc=returns['invoice_no'][orphan].iloc[0])
    parts = [pd.DataFrame({
        "invoice_no": returns["original_invoice_no"].astype(str).to_numpy(),
        "period": months(returns["invoice_date"], "calc.subject.date_of_return").to_numpy(),
        "amount": pd.to_numeric(returns["amount"], errors="coerce").abs().to_numpy(), "kind": "return"})]
    if write_offs is not None and len(write_offs):
        recovered = pd.to_numeric(write_offs.get("recovered_amount", 0.0), errors="coerce")
        written = pd.to_numeric(write_offs["write_off_amount"], errors="coerce")
        parts.append(pd.DataFrame({
            "invoice_no": write_offs["invoice_no"].astype(str).to_numpy(),
            "period": months(write_offs["write_off_date"], "calc.subject.date_of_write_off").to_numpy(),
            "amount": (written - np.nan_to_num(recovered)).clip(lower=0).to_numpy(), "kind": "write_off"}))
    return pd.concat(parts, ignore_index=True)
