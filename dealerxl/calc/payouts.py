"""Incentive payouts for many payees and periods at once (manual 4.5, 2.4): statement lines
traceable to their source rows, and a summary per payee and period.

Inputs (DataFrames; periods are months, ``YYYY-MM`` text or dates):

* ``sales`` – commissionable lines: ``payee_id``, ``period``, ``invoice_no``, ``amount`` (≥ 0),
  optionally ``line_no`` and ``dealer_id``; within a payee and period, lines count toward
  attainment in the order given (sort by invoice date first);
* ``payees`` – one row per payee and period: ``payee_id``, ``period``, ``plan_id``, ``target``,
  optionally ``proration`` (days active ÷ days in the period, default 1), ``team``, ``draw``
  (default 0) and ``opening_balance`` (draw or negative balance carried in, first period only);
* ``plans`` – ``{plan_id: IncentivePlan}`` (see :func:`dealerxl.calc.incentives.plans_from_tables`);
* ``reversals`` – returns and write-offs of earlier invoices (see
  :func:`dealerxl.calc.clawbacks.clawback_lines`). Returns are not netted into the sales of
  the period they happen in: they take back the commission at the original rate, once.

The team part is paid on the team's attainment, not on invoices, so clawbacks reverse the
individual part only (a plan with team share 1 has nothing to claw back per invoice).

Order of the steps per payee and period: attainment on the prorated target, tiered commission
(individual part 1 − w on own attainment, team part w on the team's), gate, accelerator, cap
(prorated), clawbacks, draws.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError
from dealerxl.calc.clawbacks import apply_draws, clawback_lines, months
from dealerxl.calc.incentives import IncentivePlan, cap_amounts, commission

LINE_COLUMNS = ["payee_id", "period", "line_type", "invoice_no", "line_no", "dealer_id", "plan_id", "tier",
                "band_lower", "rate", "attainment_from", "attainment_to", "amount", "basis_amount", "multiplier",
                "share",
                "passed_gate", "commission", "accelerator_extra", "credited", "original_period", "within_window"]
SUMMARY_COLUMNS = ["payee_id", "period", "plan_id", "target", "proration", "sales", "attainment", "team_attainment",
                   "earned", "accelerator", "cap", "cap_cut", "clawback", "draw", "draw_advanced", "draw_recovered",
                   "balance", "payable"]


def _require(frame: pd.DataFrame, columns: set[str], what: str) -> None:
    missing = columns - set(frame.columns)
    if missing:
        raise CalcError("msg.calc.payouts.lack_column", label_fields={"what": what}, missing=', '.join(sorted(missing)))


def _numbers(series: pd.Series, what: str, default: float | None = None) -> np.ndarray:
    x = pd.to_numeric(series, errors="coerce")
    if default is not None:
        x = x.fillna(default)
    if x.isna().any():
        raise CalcError("msg.calc.payouts.number_row_blank_text", label_fields={"what": what}, value=int(np.flatnonzero(x.isna())[0]) + 1)
    return x.to_numpy(dtype=float)


def _prepare_payees(payees: pd.DataFrame, plans: dict[str, IncentivePlan]) -> pd.DataFrame:
    _require(payees, {"payee_id", "period", "plan_id", "target"}, "calc.subject.payee_rows")
    frame = payees.reset_index(drop=True).copy()
    frame["payee_id"] = frame["payee_id"].astype(str)
    frame["period"] = months(frame["period"], "calc.subject.period_of_payee_row")
    frame["plan_id"] = frame["plan_id"].astype(str)
    twice = frame.duplicated(["payee_id", "period"])
    if twice.any():
        row = frame[twice].iloc[0]
        raise CalcError("msg.calc.payouts.payee_has_two_rows", row=row['payee_id'], row2=row['period'])
    unknown = ~frame["plan_id"].isin(list(plans))
    if unknown.any():
        raise CalcError("msg.calc.payouts.payee_on_plan_which", iloc=frame['payee_id'][unknown].iloc[0], iloc2=frame['plan_id'][unknown].iloc[0])
    frame["target"] = _numbers(frame["target"], "calc.subject.target")
    frame["proration"] = _numbers(frame.get("proration", pd.Series(1.0, index=frame.index)), "calc.subject.proration", 1.0)
    bad = (frame["target"] <= 0) | (frame["proration"] <= 0) | (frame["proration"] > 1)
    if bad.any():
        row = frame[bad].iloc[0]
        raise CalcError("msg.calc.payouts.payee_target_proration_found", row=row['payee_id'], row2=row['period'], row3=row['target'], row4=row['proration'])
    frame["draw"] = _numbers(frame.get("draw", pd.Series(0.0, index=frame.index)), "calc.subject.draw", 0.0)
    frame["opening_balance"] = _numbers(frame.get("opening_balance", pd.Series(0.0, index=frame.index)),
                                        "calc.subject.opening_balance", 0.0)
    team = frame["team"] if "team" in frame else pd.Series(None, index=frame.index, dtype=object)
    # A payee without a team is a team of one: the team part is paid on their own attainment.
    frame["team"] = team.where(team.notna() & (team.astype(str) != ""), "\0" + frame["payee_id"]).astype(str)
    frame["effective_target"] = frame["target"] * frame["proration"]
    return frame


def _prepare_sales(sales: pd.DataFrame, payees: pd.DataFrame) -> pd.DataFrame:
    """Sales lines with ``slot``, the position of their payee-period row in ``payees``, sorted by it."""
    _require(sales, {"payee_id", "period", "invoice_no", "amount"}, "calc.subject.sales_lines")
    frame = sales.reset_index(drop=True).copy()
    frame["payee_id"] = frame["payee_id"].astype(str)
    frame["period"] = months(frame["period"], "calc.subject.period_of_sales_line")
    frame["invoice_no"] = frame["invoice_no"].astype(str)
    frame["amount"] = _numbers(frame["amount"], "calc.subject.sales_amount")
    if (frame["amount"] < 0).any():
        raise CalcError("msg.calc.payouts.invoice_has_negative_amount", iloc=frame['invoice_no'][frame['amount'] < 0].iloc[0])
    for optional in ("line_no", "dealer_id"):
        if optional not in frame:
            frame[optional] = None
    if "basis_amount" in frame:
        frame["basis_amount"] = _numbers(frame["basis_amount"], "calc.subject.commission_basis_amount")
    else:
        frame["basis_amount"] = frame["amount"]
    keys = pd.MultiIndex.from_frame(payees[["payee_id", "period"]])
    slot = keys.get_indexer(pd.MultiIndex.from_frame(frame[["payee_id", "period"]]))
    if (slot < 0).any():
        row = frame[slot < 0].iloc[0]
        raise CalcError("msg.calc.payouts.invoice_payee_has_no", row=row['invoice_no'], row2=row['payee_id'], row3=row['period'])
    frame["slot"] = slot
    frame["plan_id"] = payees["plan_id"].to_numpy()[slot]
    frame["effective_target"] = payees["effective_target"].to_numpy()[slot]
    # Attainment builds up line by line in the order given, within each payee and period.
    return frame.take(np.argsort(slot, kind="stable")).reset_index(drop=True)


def _per_sale(basis, sales) -> np.ndarray:
    """Basis amount per unit of sales (margin share, cash share); 1 where nothing was sold."""
    basis, sales = np.asarray(basis, dtype=float), np.asarray(sales, dtype=float)
    return np.divide(basis, sales, out=np.ones(sales.shape), where=sales != 0)


def _own_part_from_lines(result: pd.DataFrame, sale_lines: pd.DataFrame) -> None:
    """Earned, accelerator and cap cut with the individual part added up from the sale lines,
    each in its own line's basis (e.g. its own margin), so that lines and summary agree."""
    slots = sale_lines["slot"].to_numpy(dtype=int)
    size = len(result)
    extra = np.bincount(slots, weights=sale_lines["accelerator_extra"].to_numpy(float), minlength=size)
    paid = np.bincount(slots, weights=sale_lines["commission"].to_numpy(float), minlength=size)
    team_accelerator = result["team_accelerator"].to_numpy()
    result["earned"] = paid - extra + result["team_commission"].to_numpy() - team_accelerator
    result["accelerator"] = extra + team_accelerator
    cap = result["cap"].fillna(np.inf).to_numpy()
    result["cap_cut"] = np.maximum(result["earned"] + result["accelerator"] - cap, 0.0)


def _attribute(plans: dict[str, IncentivePlan], name: str) -> dict:
    """One attribute of every plan, for mapping a plan_id column."""
    return {plan_id: getattr(plan, name) for plan_id, plan in plans.items()}


def _pieces(a_from: np.ndarray, a_to: np.ndarray, edges: np.ndarray):
    """Split attainment ranges [a_from, a_to] at ``edges``: owner row, segment, piece bounds."""
    e = np.append(edges, np.inf)
    first = np.searchsorted(e, a_from, side="right") - 1
    last = np.maximum(np.searchsorted(e, a_to, side="left") - 1, first)
    count = last - first + 1
    owner = np.repeat(np.arange(a_from.size), count)
    start = np.cumsum(count) - count
    segment = first[owner] + np.arange(owner.size) - start[owner]
    low = np.maximum(a_from[owner], e[segment])
    high = np.minimum(a_to[owner], e[segment + 1])
    return owner, segment, low, high, start + count - 1


def _sale_lines(lines: pd.DataFrame, results: pd.DataFrame, plan: IncentivePlan) -> pd.DataFrame:
    """Statement lines of one plan's sales: one per line, split where a band or 100 % is crossed.

    ``results`` holds the period results indexed by slot (see :func:`_period_results`)."""
    slot = lines["slot"].to_numpy()
    target = lines["effective_target"].to_numpy()
    amount = lines["amount"].to_numpy()
    cumulative = pd.Series(amount).groupby(slot, sort=False).cumsum().to_numpy()
    a_to, a_from = cumulative / target, (cumulative - amount) / target
    edges = plan.line_edges()
    owner, segment, low, high, last_piece = _pieces(a_from, a_to, edges)
    piece_amount = (high - low) * target[owner]
    # The pieces of a line add up exactly to it: the last piece takes the rounding difference.
    piece_amount[last_piece] += amount - np.bincount(owner, weights=piece_amount, minlength=amount.size)
    piece_slot = slot[owner]
    # What the rate is paid on (sales, margin or cash): the piece's share of its line's basis.
    line_basis = lines["basis_amount"].to_numpy(dtype=float)
    per_sale = np.divide(line_basis, amount, out=np.zeros(amount.size), where=amount != 0)
    piece_basis = piece_amount * per_sale[owner]
    passed = results["passed_gate"].to_numpy()[piece_slot]
    if plan.mode == "marginal":
        band = plan.band_index(edges[segment])
        rate = plan.rate_at(edges[segment])
    else:
        band = results["tier"].to_numpy()[piece_slot] - 1
        rate = results["rate"].to_numpy()[piece_slot]
    multiplier = np.where(edges[segment] >= 1.0, plan.accelerator, 1.0)
    share = 1.0 - plan.team_share
    paid = piece_basis * rate * share * passed

    def source(column: str) -> np.ndarray:
        return lines[column].to_numpy()[owner]

    # The invoice's own amount, when the caller knows it (cash lines cover only what was paid).
    invoice = {"invoice_amount": source("invoice_amount")} if "invoice_amount" in lines else {}
    return pd.DataFrame({
        **invoice,
        "slot": piece_slot, "payee_id": source("payee_id"), "period": source("period"), "line_type": "sale",
        "invoice_no": source("invoice_no"), "line_no": source("line_no"), "dealer_id": source("dealer_id"),
        "plan_id": source("plan_id"), "tier": band + 1,
        "band_lower": np.where(band >= 0, np.asarray(plan.band_lower)[np.maximum(band, 0)], 0.0),
        "rate": rate, "attainment_from": low, "attainment_to": high, "amount": piece_amount,
        "basis_amount": piece_basis, "multiplier": multiplier, "share": share, "passed_gate": passed,
        "commission": paid * multiplier, "accelerator_extra": paid * (multiplier - 1.0),
    })


def _period_results(rows: pd.DataFrame, plan: IncentivePlan) -> pd.DataFrame:
    """Own and team commission, cap and cut of one plan's payee-period rows.

    The gate is a condition of taking part: a payee below it on its own attainment earns
    nothing, team part included (a team's success does not pay a member who did not reach the
    minimum). A plan paid wholly on the team (team share 1) is gated on the team's attainment.
    Amounts are in the plan's basis: the sales-based commission times the period's basis per
    unit of sales (``basis_ratio``, own; ``team_basis_ratio``, the team's), 1 for net sales."""
    target = rows["effective_target"].to_numpy()
    own = commission(rows["sales"].to_numpy(), target, plan)
    team = commission(rows["team_attainment"].to_numpy() * target, target, plan)
    w = plan.team_share
    own_ratio, team_ratio = rows["basis_ratio"].to_numpy(), rows["team_basis_ratio"].to_numpy()
    team_open = team["passed_gate"].to_numpy() & (own["passed_gate"].to_numpy() if w < 1 else True)
    team_base = np.where(team_open, team["base"].to_numpy(), 0.0) * team_ratio
    team_accelerator = np.where(team_open, team["accelerator"].to_numpy(), 0.0) * team_ratio
    if plan.mode == "marginal":
        target_incentive = target * plan.marginal_curve(1.0)
    else:
        target_incentive = target * plan.rate_at(1.0)
    cap = cap_amounts(plan, target_incentive * own_ratio, rows["proration"].to_numpy())
    earned = (1 - w) * own["base"].to_numpy() * own_ratio + w * team_base
    accelerator = (1 - w) * own["accelerator"].to_numpy() * own_ratio + w * team_accelerator
    return pd.DataFrame({
        "slot": rows.index.to_numpy(),
        "attainment": own["attainment"].to_numpy(), "tier": own["tier"].to_numpy(), "rate": own["rate"].to_numpy(),
        "passed_gate": own["passed_gate"].to_numpy(),
        "team_tier": team["tier"].to_numpy(), "team_rate": team["rate"].to_numpy(),
        "team_passed_gate": team_open,
        "team_commission": w * (team_base + team_accelerator),
        "team_accelerator": w * team_accelerator,
        "earned": earned, "accelerator": accelerator, "cap": np.where(np.isinf(cap), np.nan, cap),
        "cap_cut": np.maximum(earned + accelerator - cap, 0.0),
    })


def calculate_payouts(sales: pd.DataFrame, payees: pd.DataFrame, plans: dict[str, IncentivePlan],
                      reversals: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Statement lines and the summary per payee and period.

    Symbols per payee and period: s = Σ sales lines, T = target·proration, a = s/T, a_team =
    Σ team sales / Σ team T, w = team share, P(x, T) = tiered commission with gate and accelerator
    (:func:`dealerxl.calc.incentives.commission`), C = cap·proration (or m·target incentive).

    Equations: earned + accelerator = (1 − w)·P(s, T) + w·P(a_team·T, T);
    cap_cut = (earned + accelerator − C)⁺; clawback = Σ reversals at the original rate;
    E = earned + accelerator − cap_cut + clawback; draws turn E into ``payable``
    (:func:`dealerxl.calc.clawbacks.apply_draws`).

    Lines (``line_type`` sale, team, clawback_return, clawback_write_off) carry the invoice,
    line, period, tier, band, rate, attainment range and amount they come from; a sale line
    crossing a band (marginal) or 100 % (with an accelerator) is split in pieces that add up to
    it. ``credited`` is the line's commission after the period's cap cut, so the lines of a
    payee and period add up to earned + accelerator − cap_cut + clawback.

    Example (our own, by hand): rep R1, target 100,000, marginal bands 0 % → 1 %, 100 % → 2 %;
    invoices of 60,000 and 60,000 → the second crosses 100 % and is split 40,000 at 1 % and
    20,000 at 2 %: 600 + 400 + 400 = 1,400. A full return of the second invoice next month
    takes back its 800.

    >>> from dealerxl.calc.incentives import IncentivePlan
    >>> plans = {"P": IncentivePlan((0, 1.0), (0.01, 0.02), plan_id="P")}
    >>> sales = pd.DataFrame({"payee_id": "R1", "period": "2026-01", "invoice_no": ["A", "B"],
    ...                       "amount": [60_000.0, 60_000.0]})
    >>> payees = pd.DataFrame({"payee_id": "R1", "period": ["2026-01", "2026-02"], "plan_id": "P",
    ...                        "target": 100_000.0})
    >>> back = pd.DataFrame({"invoice_no": ["B"], "period": ["2026-02"], "amount": [60_000.0], "kind": ["return"]})
    >>> lines, summary = calculate_payouts(sales, payees, plans, back)
    >>> for row in lines[["invoice_no", "tier", "rate", "amount", "commission"]].round(4).values.tolist():
    ...     print(row)
    ['A', 1, 0.01, 60000.0, 600.0]
    ['B', 1, 0.01, 40000.0, 400.0]
    ['B', 2, 0.02, 20000.0, 400.0]
    ['B', 2, 0.0133, -60000.0, -800.0]
    >>> summary[["period", "earned", "clawback", "payable", "balance"]].round(2).values.tolist()
    [['2026-01', 1400.0, 0.0, 1400.0, 0.0], ['2026-02', 0.0, -800.0, 0.0, 800.0]]
    """
    period_rows = _prepare_payees(payees, plans)
    lines = _prepare_sales(sales, period_rows)
    slot = lines["slot"].to_numpy()
    period_rows["sales"] = np.bincount(slot, weights=lines["amount"].to_numpy(), minlength=len(period_rows))
    period_rows["basis"] = np.bincount(slot, weights=lines["basis_amount"].to_numpy(), minlength=len(period_rows))
    team = period_rows.groupby(["team", "period"])[["sales", "basis", "effective_target"]].transform("sum")
    period_rows["team_attainment"] = team["sales"] / team["effective_target"]
    period_rows["basis_ratio"] = _per_sale(period_rows["basis"], period_rows["sales"])
    period_rows["team_basis_ratio"] = _per_sale(team["basis"], team["sales"])

    results, sale_lines = [], []
    line_plan = lines["plan_id"].to_numpy()
    # One pass per plan (a handful of settings rows), each vectorised over all its payees and lines.
    for plan_id, rows in period_rows.groupby("plan_id", sort=True):
        results.append(_period_results(rows, plans[plan_id]))
    result = pd.concat(results).set_index("slot").sort_index()
    for plan_id in period_rows["plan_id"].unique():
        plan_lines = lines[line_plan == plan_id]
        if len(plan_lines):
            sale_lines.append(_sale_lines(plan_lines, result, plans[plan_id]))
    if sale_lines and not np.array_equal(lines["basis_amount"].to_numpy(), lines["amount"].to_numpy()):
        _own_part_from_lines(result, pd.concat(sale_lines, ignore_index=True))
    summary = pd.concat([period_rows, result], axis=1)

    team_rows = summary[summary["plan_id"].map(_attribute(plans, "team_share")) > 0]
    team_lines = pd.DataFrame({
        "slot": team_rows.index.to_numpy(),
        "payee_id": team_rows["payee_id"], "period": team_rows["period"], "line_type": "team",
        "plan_id": team_rows["plan_id"], "tier": team_rows["team_tier"], "rate": team_rows["team_rate"],
        "attainment_from": 0.0, "attainment_to": team_rows["team_attainment"],
        "amount": team_rows["team_attainment"] * team_rows["effective_target"],
        "basis_amount": team_rows["team_attainment"] * team_rows["effective_target"] * team_rows["team_basis_ratio"],
        "multiplier": 1.0, "share": team_rows["plan_id"].map(_attribute(plans, "team_share")),
        "passed_gate": team_rows["team_passed_gate"], "commission": team_rows["team_commission"],
        "accelerator_extra": team_rows["team_accelerator"],
    })
    commission_lines = pd.concat([frame for frame in (*sale_lines, team_lines) if len(frame)], ignore_index=True) \
        if sale_lines or len(team_lines) else pd.DataFrame(columns=[*LINE_COLUMNS, "slot"])
    gross = (summary["earned"] + summary["accelerator"]).to_numpy()
    # Share of each period's commission left after the cap: every line of the period keeps that share.
    kept = np.divide(gross - summary["cap_cut"].to_numpy(), gross, out=np.ones(len(summary)), where=gross > 0)
    factor = kept[commission_lines["slot"].to_numpy(dtype=int)]
    commission_lines["credited"] = commission_lines["commission"].to_numpy(dtype=float) * factor

    claws = pd.DataFrame(columns=LINE_COLUMNS)
    if reversals is not None and len(reversals):
        sold = commission_lines[commission_lines["line_type"] == "sale"]
        windows = {plan_id: plan.clawback_months for plan_id, plan in plans.items()}
        claws = clawback_lines(sold, reversals, windows,
                               paid_on_cash=[p for p, plan in plans.items() if plan.basis == "collected_sales"])
    parts = [frame for frame in (commission_lines, claws) if len(frame)]
    statement = (pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()).reindex(columns=LINE_COLUMNS)
    return statement, _summarise(summary, claws, plans)


def _summarise(summary: pd.DataFrame, claws: pd.DataFrame, plans: dict[str, IncentivePlan]) -> pd.DataFrame:
    clawback = (claws.groupby(["payee_id", "period"], as_index=False)
                .agg(clawback=("commission", "sum"), clawback_plan=("plan_id", "first"))
                if len(claws) else pd.DataFrame(columns=["payee_id", "period", "clawback", "clawback_plan"]))
    summary = summary.merge(clawback, on=["payee_id", "period"], how="outer")
    # A clawback can fall in a month without a plan row (the payee left): it still shows and is
    # owed, under the plan the invoice was paid on.
    summary["plan_id"] = summary["plan_id"].fillna(summary["clawback_plan"])
    numeric = ["sales", "earned", "accelerator", "cap_cut", "clawback", "draw", "opening_balance"]
    summary[numeric] = summary[numeric].astype(float).fillna(0.0)
    summary = summary.sort_values(["payee_id", "period"], kind="stable").reset_index(drop=True)
    net = summary["earned"] + summary["accelerator"] - summary["cap_cut"] + summary["clawback"]
    recoverable = summary["plan_id"].map(_attribute(plans, "draw_recoverable")).to_numpy(dtype=bool)
    draws = apply_draws(net.to_numpy(), summary["draw"].to_numpy(), recoverable,
                        summary["opening_balance"].to_numpy(), summary["payee_id"].to_numpy())
    summary[draws.columns] = draws.to_numpy()
    return summary.reindex(columns=SUMMARY_COLUMNS)


def commissionable_sales(transactions: pd.DataFrame) -> pd.DataFrame:
    """The sale lines of ``sales_transactions`` as payout input: payee = the sales rep, period =
    the invoice month, in invoice-date order (returns are reversals, see
    :func:`dealerxl.calc.clawbacks.reversals_from`).

    >>> lines = pd.DataFrame({"invoice_no": ["B", "A"], "line_no": [1, 1], "invoice_date": ["2026-03-09", "2026-03-02"],
    ...                       "transaction_type": "sale", "dealer_id": "D1", "amount": [10.0, 20.0],
    ...                       "sales_rep_id": "S1"})
    >>> commissionable_sales(lines)[["payee_id", "period", "invoice_no", "amount"]].values.tolist()
    [['S1', '2026-03', 'A', 20.0], ['S1', '2026-03', 'B', 10.0]]
    """
    sold = transactions[transactions["transaction_type"] == "sale"]
    sold = sold.assign(invoice_date=pd.to_datetime(sold["invoice_date"])) \
        .sort_values(["invoice_date", "invoice_no", "line_no"], kind="stable")
    return pd.DataFrame({
        "payee_id": sold["sales_rep_id"].astype(str).to_numpy(),
        "period": months(sold["invoice_date"], "calc.subject.invoice_date").to_numpy(),
        "invoice_no": sold["invoice_no"].astype(str).to_numpy(), "line_no": sold["line_no"].to_numpy(),
        "dealer_id": sold["dealer_id"].to_numpy(), "amount": sold["amount"].to_numpy(dtype=float),
        # What a gross-margin plan needs to cost the line.
        **{column: sold[column].to_numpy() for column in ("sku", "quantity") if column in sold},
    })


def statement_totals(lines: pd.DataFrame, by: tuple[str, ...] = ("payee_id", "period")) -> pd.DataFrame:
    """Statement lines added up per ``by`` (e.g. dealer and period for the dealer statement):
    amount and credited commission per line type, one row per group.

    >>> lines = pd.DataFrame({"dealer_id": ["D1", "D1", "D2"], "period": "2026-01",
    ...                       "line_type": ["sale", "clawback_return", "sale"], "amount": [100.0, -20.0, 50.0],
    ...                       "credited": [2.0, -0.4, 1.0]})
    >>> statement_totals(lines, ("dealer_id", "period"))[["dealer_id", "sales", "clawback", "credited"]].values.tolist()
    [['D1', 100.0, -0.4, 1.6], ['D2', 50.0, 0.0, 1.0]]
    """
    keys = list(by)
    missing = set(keys + ["line_type", "amount", "credited"]) - set(lines.columns)
    if missing:
        raise CalcError("msg.calc.payouts.statement_lines_lack_column", missing=', '.join(sorted(missing)))
    is_sale = lines["line_type"] == "sale"
    is_claw = lines["line_type"].astype(str).str.startswith("clawback")
    frame = lines[keys].assign(
        sales=np.where(is_sale, lines["amount"], 0.0), commission=np.where(is_sale, lines["credited"], 0.0),
        team=np.where(lines["line_type"] == "team", lines["credited"], 0.0),
        clawback=np.where(is_claw, lines["credited"], 0.0), credited=lines["credited"].astype(float))
    return frame.groupby(keys, sort=True, dropna=False).sum().reset_index()
