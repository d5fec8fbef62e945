"""The Incentives job (manual 4.5, 2.4): the month's statements, one per payee, and a summary.

Payees are the rows of ``incentive_assignments`` in every month they are active (proration
= days active ÷ days in the month, :func:`~dealerxl.calc.incentives.active_share`), with the
plan's draw. A salesperson's target is the sum of ``monthly_targets`` of their dealers in the
month; a dealer's is its own. Without monthly targets in the workbook they are set here with
the Set targets job for every year that has enough history (and said so).

Commission is worked out from the first month with a target to the statement month, so that
returns and write-offs take back commission at the rate the original invoice earned and
draws carry their balance; the statement shows the statement month. A reversal whose
original invoice earned no commission here (sold before the first target, or by someone
without a plan) is left out and listed (``left_out``).

Every sale is credited in full to its salesperson and to its dealer, each on their own plan
and in that plan's basis (:func:`credited_lines`): invoiced net sales, gross margin (net sales
less quantity × the item's unit cost) or collected sales (cash applied in the month to the
payee's invoices, from the receivables ledger).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError
from dealerxl.calc.clawbacks import months, reversals_from
from dealerxl.calc.incentives import active_share, plans_from_tables
from dealerxl.calc.payouts import calculate_payouts, commissionable_sales, statement_totals
from dealerxl.i18n import has, tr
from dealerxl.jobs.common import LEFT_OUT_COLUMNS, JobResult, gather_left_out, left_out_rows, load_inputs, settings_table
from dealerxl.jobs.errors import JobError
from dealerxl.jobs.months import parse_month, require_month_data

JOB = "incentives"
INPUT_FORMS = ("sales_transactions", "monthly_targets", "incentive_plans", "incentive_plan_tiers",
               "incentive_assignments", "write_offs", "dealer_master", "receivables", "item_master")
SUMMARY_COLUMNS = ["payee_id", "payee_type", "plan_id", "commission_basis", "target", "proration", "sales",
                   "attainment", "team_attainment", "earned", "accelerator", "cap_cut", "clawback", "draw", "balance",
                   "payable"]
LINE_COLUMNS = ["line_type", "invoice_no", "line_no", "dealer_id", "original_period", "plan_id", "tier", "band_lower",
                "rate", "attainment_from", "attainment_to", "amount", "basis_amount", "commission", "accelerator_extra",
                "credited"]
DEALER_SUMMARY_COLUMNS = ["dealer_id", "dealer_name", "period", "sales", "rebate", "commission", "clawback",
                          "credited", "lines"]
DEALER_LINE_COLUMNS = ["dealer_id", "payee_id", "payee_type", "period",
                       *[c for c in LINE_COLUMNS if c != "dealer_id"]]


def monthly_targets(inputs, source, last: pd.Period) -> tuple[pd.DataFrame, list[str]]:
    """The workbook's monthly targets up to ``last``, or, when it has none, targets set here
    for each year with enough history (the years set are returned as warnings)."""
    targets = inputs["monthly_targets"]
    if len(targets):
        return targets, []
    from dataclasses import replace

    from dealerxl.jobs.targets import INPUT_FORMS as TARGET_FORMS, set_targets

    first_sale = pd.to_datetime(inputs["sales_transactions"]["invoice_date"]).min()
    if pd.isna(first_sale):
        raise JobError("msg.incentives.no_sales", label_fields={"sheet": "form.sales_transactions.sheet"})
    # The target forms not read yet are read once for every year set (not once a year).
    extra = [f for f in TARGET_FORMS if f not in inputs.frames]
    if extra:
        more = load_inputs(source, extra, lang=inputs.lang)
        target_inputs = replace(inputs, frames={**inputs.frames, **more.frames})
    else:
        target_inputs = inputs
    parts, years = [], []
    for year in range(first_sale.year, last.year + 1):
        try:
            parts.append(set_targets(target_inputs, year).tables["monthly_targets"])
            years.append(str(year))
        except CalcError:
            continue  # a year without an annual target or without history before it has no targets
    if not parts:
        raise JobError("msg.incentives.no_targets", label_fields={
            "sheet": "form.monthly_targets.sheet", "annual": "form.annual_targets.sheet", "job": "ribbon.targets"})
    return pd.concat(parts, ignore_index=True), years


def payee_rows(assignments: pd.DataFrame, payee_types: dict, targets: pd.DataFrame,
               first: pd.Period, last: pd.Period) -> pd.DataFrame:
    """One row per payee and month from ``first`` to ``last`` they are active and have a target."""
    periods = pd.period_range(first, last, freq="M").astype(str)
    rows = assignments.merge(pd.DataFrame({"period": periods}), how="cross")
    rows["proration"] = active_share(rows["period"].to_numpy(), rows["start_date"].to_numpy(),
                                     rows["end_date"].to_numpy())
    rows = rows.loc[rows["proration"] > 0].copy()
    rows["payee_type"] = rows["plan_id"].map(payee_types)
    month = pd.to_datetime(targets["month"]).dt.to_period("M").astype(str)
    by_rep = targets.groupby([targets["sales_rep_id"].astype(str), month])["target_amount"].sum()
    by_dealer = targets.groupby([targets["dealer_id"].astype(str), month])["target_amount"].sum()
    keys = pd.MultiIndex.from_arrays([rows["payee_id"].astype(str), rows["period"]])
    dealer = (rows["payee_type"] == "dealer").to_numpy()
    rows["target"] = np.where(dealer, by_dealer.reindex(keys).to_numpy(), by_rep.reindex(keys).to_numpy())
    rows["draw"] = pd.to_numeric(rows["monthly_draw"], errors="coerce").fillna(0.0)
    rows = rows.loc[rows["target"] > 0]
    # Two assignment rows of one payee overlapping a month: the later start wins.
    rows = rows.sort_values(["payee_id", "period", "start_date"]).drop_duplicates(["payee_id", "period"], keep="last")
    return rows[["payee_id", "period", "plan_id", "payee_type", "team", "target", "proration", "draw"]] \
        .reset_index(drop=True)


def run_incentives(source, month, *, lang: str | None = None) -> JobResult:
    """Read ``source`` (a path or an open workbook) and work out the statements of ``month``.

    Tables: ``summary`` (one row per payee: :data:`SUMMARY_COLUMNS`), ``lines`` (every
    statement line of the month with ``payee_id``: :data:`LINE_COLUMNS`), the dealer
    statements (:func:`dealer_statements`): ``dealer_summary`` and ``dealer_lines``, and the
    ``monthly_targets`` the payouts were measured against (:func:`monthly_targets`).
    """
    last = parse_month(month)
    inputs = load_inputs(source, list(INPUT_FORMS), lang=lang)
    return incentive_statements(inputs, source, last)


def incentive_statements(inputs, source, last: pd.Period) -> JobResult:
    """The calculation part of :func:`run_incentives` on inputs already read (``source`` is
    read again only when the workbook has no monthly targets and they are set here)."""
    empty = require_month_data(inputs, last, JOB)
    plan_table = settings_table(inputs, "incentive_plans")
    plans = plans_from_tables(plan_table, settings_table(inputs, "incentive_plan_tiers"), inputs.settings)
    payee_types = dict(zip(plan_table["plan_id"].astype(str), plan_table["payee_type"]))
    targets, years_set = monthly_targets(inputs, source, last)
    first = pd.to_datetime(targets["month"]).min().to_period("M")
    transactions = inputs["sales_transactions"]
    transactions = transactions.loc[pd.to_datetime(transactions["invoice_date"]).dt.to_period("M") <= last]
    payees = payee_rows(inputs["incentive_assignments"], payee_types, targets, first, last)
    if payees.empty or not (payees["period"] == str(last)).any():
        raise JobError("msg.incentives.no_payee", month=str(last), label_fields={
            "assignments": "form.incentive_assignments.sheet", "targets": "form.monthly_targets.sheet"})

    bases = {plan_id: plan.basis for plan_id, plan in plans.items()}
    payees["basis"] = payees["plan_id"].map(bases)
    by_rep = commissionable_sales(transactions)
    lines_in, left_out = credited_lines(by_rep, inputs, payees.groupby("basis")["payee_id"].agg(set).to_dict(), last)
    # Each payee's lines in its plan's basis, for the months it has a plan and a target.
    lines_in = lines_in.loc[lines_in["payee_id"].isin(payees["payee_id"])]
    slot = pd.MultiIndex.from_frame(payees[["payee_id", "period"]]).get_indexer(
        pd.MultiIndex.from_frame(lines_in[["payee_id", "period"]]))
    basis_of_slot = np.append(payees["basis"].to_numpy(dtype=object), None)
    sales = lines_in.loc[(slot >= 0) & (lines_in["basis"].to_numpy(dtype=object) == basis_of_slot[slot])]
    reversals = reversals_from(transactions, inputs["write_offs"])
    reversals = reversals.loc[reversals["period"] <= str(last)]
    matched = reversals["invoice_no"].isin(sales["invoice_no"])
    unmatched = reversals.loc[~matched]
    for kind, form_id in (("return", "sales_transactions"), ("write_off", "write_offs")):
        rows = unmatched.loc[unmatched["kind"] == kind]
        left_out.append(left_out_rows(form_id, rows["invoice_no"], "reversal_without_commission",
                                      period=rows["period"], amount=rows["amount"]))
    lines, summary = calculate_payouts(sales.drop(columns="basis"), payees.drop(columns="basis"), plans,
                                       reversals.loc[matched])

    summary = summary.loc[summary["period"] == str(last)].copy()
    summary["payee_type"] = summary["plan_id"].map(payee_types)
    summary["commission_basis"] = summary["plan_id"].map(bases)
    with np.errstate(divide="ignore", invalid="ignore"):
        summary["attainment"] = summary["sales"] / (summary["target"] * summary["proration"])
    lines = lines.loc[lines["period"] == str(last)]
    lines = lines.sort_values(["payee_id", "line_type", "invoice_no", "line_no"], kind="stable")
    dealer_lines, dealer_summary = dealer_statements(lines, payee_types, by_rep, inputs["dealer_master"], last)
    warnings = [f"targets_set:{','.join(years_set)}"] if years_set else []
    if (~matched).any():
        warnings.append(f"unmatched_reversals:{int((~matched).sum())}")
    active = inputs["incentive_assignments"]
    active = active.loc[active_share(np.full(len(active), str(last)), active["start_date"].to_numpy(),
                                     active["end_date"].to_numpy()) > 0, "payee_id"].astype(str)
    without_target = sorted(set(active) - set(summary["payee_id"].astype(str)))
    left_out.append(left_out_rows("incentive_assignments", without_target, "payee_without_target",
                                  period=[str(last)] * len(without_target)))
    left_out = gather_left_out(left_out)
    total = summary["payable"].sum()
    result_summary = {"month": str(last), "payees": len(summary), "payable": float(total),
                      "clawback": float(summary["clawback"].sum()), "targets_set_for": years_set,
                      "unmatched_reversals": int((~matched).sum()),
                      "without_target": without_target}
    return JobResult(job=JOB, lang=inputs.lang,
                     tables={"summary": summary.reindex(columns=SUMMARY_COLUMNS).reset_index(drop=True),
                             "lines": lines.reindex(columns=["payee_id", *LINE_COLUMNS]).reset_index(drop=True),
                             "dealer_summary": dealer_summary, "dealer_lines": dealer_lines,
                             "left_out": left_out.reindex(columns=LEFT_OUT_COLUMNS),
                             # the targets paid against, for a caller that needs them too (the monthly report)
                             "monthly_targets": targets},
                     problems=_unique(inputs.problems), warnings=warnings, summary=result_summary,
                     empty_forms=empty)


def credited_lines(by_rep: pd.DataFrame, inputs, bases, last: pd.Period) -> tuple[pd.DataFrame, list]:
    """The lines each payee is credited with, per commission basis, and the rows left out.

    ``by_rep`` are the invoiced sale lines (:func:`~dealerxl.calc.payouts.commissionable_sales`,
    payee = the salesperson). Each line is credited to its salesperson and to its dealer.
    ``bases`` maps a basis to the payees paid on it (lines for other payees are not built), or
    is a set of bases for every payee. The lines carry ``amount`` (what counts toward
    attainment), ``basis_amount`` (what the rate is paid on), ``invoice_amount`` (the invoice's
    sales, for clawbacks) and ``basis``:

    * ``net_sales``: amount = basis = the invoiced line;
    * ``gross_margin``: amount = the invoiced line, basis = amount − quantity × unit cost of the
      item (a line whose item has no unit cost is left out and listed);
    * ``collected_sales``: the cash applied to an invoice (``paid_amount`` of the receivables
      ledger, in the month of ``paid_date``) spread over the invoice's sale lines in proportion
      to their amounts; amount = basis = that cash. Payments on an invoice without sale lines
      are left out and listed.
    """
    invoice_total = by_rep.groupby("invoice_no")["amount"].sum()
    sold = by_rep.assign(invoice_amount=by_rep["invoice_no"].map(invoice_total),
                         dealer_id=by_rep["dealer_id"].astype(str))
    wanted = bases if isinstance(bases, dict) else dict.fromkeys(bases)
    parts, left_out = [], []
    for basis, payees in wanted.items():
        # The lines someone on this basis is credited with: by the salesperson or by the dealer.
        rep = sold["payee_id"].isin(payees) if payees is not None else pd.Series(True, index=sold.index)
        dealer = sold["dealer_id"].isin(payees) if payees is not None else pd.Series(True, index=sold.index)
        lines, dropped = _basis_lines(sold.loc[rep | dealer], basis, inputs, last, sold["invoice_no"])
        left_out.extend(dropped)
        parts.append(lines.loc[lines["_row"].map(rep)].drop(columns="_row"))
        parts.append(lines.loc[lines["_row"].map(dealer)].drop(columns="_row").assign(
            payee_id=lambda frame: frame["dealer_id"]))
    parts = [part for part in parts if len(part)]
    lines = pd.concat(parts, ignore_index=True) if parts else sold.iloc[:0].assign(basis_amount=0.0, basis="")
    return lines.drop(columns=[c for c in ("sku", "quantity") if c in lines]), left_out


def _basis_lines(sold: pd.DataFrame, basis: str, inputs, last: pd.Period,
                 invoices: pd.Series) -> tuple[pd.DataFrame, list]:
    """``sold`` as lines of one basis (see :func:`credited_lines`), each with ``_row``, the
    sale line it comes from; and the rows left out (``invoices``: every invoice with a sale line)."""
    sold = sold.assign(_row=sold.index)
    if basis == "net_sales":
        return sold.assign(basis_amount=sold["amount"], basis=basis), []
    if basis == "gross_margin":
        cost = inputs["item_master"].drop_duplicates("sku").set_index("sku")["unit_cost"].astype(float)
        unit_cost = sold["sku"].map(cost)
        known = unit_cost.notna().to_numpy()
        costless = sold.loc[~known]
        dropped = left_out_rows("sales_transactions", costless["invoice_no"] + "/" + costless["line_no"].astype(str),
                                "line_without_unit_cost", dealer_id=costless["dealer_id"], period=costless["period"],
                                amount=costless["amount"])
        margin = sold["amount"] - sold["quantity"].astype(float) * unit_cost
        return sold.assign(basis_amount=margin, basis=basis).loc[known], [dropped]
    paid, orphans = cash_applied(inputs["receivables"], last)
    share = np.divide(sold["amount"].to_numpy(float), sold["invoice_amount"].to_numpy(float),
                      out=np.zeros(len(sold)), where=sold["invoice_amount"].to_numpy(float) != 0)
    cash = sold.assign(_share=share).drop(columns="period").merge(paid, on="invoice_no", how="inner")
    cash["amount"] = cash["cash"] * cash["_share"]
    cash = cash.sort_values("_paid_on", kind="stable").rename(columns={"cash_period": "period"})
    lines = cash.assign(basis_amount=cash["amount"], basis=basis).drop(columns=["cash", "_share", "_paid_on"])
    return lines, [orphans.loc[~orphans["key"].isin(invoices)]]


def cash_applied(receivables: pd.DataFrame, last: pd.Period) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cash applied per invoice and month up to ``last``: ``paid_amount`` in the month of
    ``paid_date`` (the ledger holds an invoice's payments to date and the date of the last one),
    and, as left-out rows, every payment of the ledger (for those whose invoice has no sale line)."""
    ledger = receivables.loc[pd.to_numeric(receivables["paid_amount"], errors="coerce").fillna(0.0) > 0]
    dates = pd.to_datetime(ledger["paid_date"])
    ledger = ledger.loc[dates.notna() & (dates.dt.to_period("M") <= last)]
    dates = pd.to_datetime(ledger["paid_date"])
    paid = pd.DataFrame({"invoice_no": ledger["invoice_no"].astype(str).to_numpy(),
                         "cash": ledger["paid_amount"].astype(float).to_numpy(),
                         "cash_period": months(dates, "calc.subject.payment_date").to_numpy(),
                         "_paid_on": dates.to_numpy(), "_payer": ledger["dealer_id"].astype(str).to_numpy()})
    paid = paid.sort_values("_paid_on", kind="stable").reset_index(drop=True)
    orphans = left_out_rows("receivables", paid["invoice_no"], "payment_without_sale_lines",
                            dealer_id=paid["_payer"], period=paid["cash_period"], amount=paid["cash"])
    return paid.drop(columns="_payer"), orphans


def dealer_statements(lines: pd.DataFrame, payee_types: dict, sales: pd.DataFrame, dealers: pd.DataFrame,
                      last: pd.Period) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-dealer statements of ``last``: every payout line that comes from a dealer's
    invoices (the dealer's own rebate and the commission of the salespeople on its sales,
    clawbacks included), and per dealer its sales and those lines added up.

    ``dealer_lines`` keeps each line's source (invoice, line, original period, plan, tier,
    rate) and who is paid; lines not tied to one dealer's invoice (team overrides) stay on
    the payee statements only. ``dealer_summary`` per dealer and period: sales = the dealer's
    commissionable invoice lines in the month (each counted once, whoever is paid on them);
    rebate = credited to the dealer itself (payee type dealer); commission = credited to
    everyone else; clawback = the reversal lines' part of both; credited = rebate +
    commission (:func:`~dealerxl.calc.payouts.statement_totals` by dealer and period).
    """
    own = lines.loc[lines["dealer_id"].notna()].copy()
    own["payee_type"] = own["plan_id"].map(payee_types)
    own["period"] = str(last)
    own = own.sort_values(["dealer_id", "payee_id", "line_type", "invoice_no", "line_no"], kind="stable")
    dealer_lines = own.reindex(columns=DEALER_LINE_COLUMNS).reset_index(drop=True)

    totals = statement_totals(own, ("dealer_id", "period"))
    rebate = own["credited"].where(own["payee_type"] == "dealer", 0.0).groupby(own["dealer_id"]).sum()
    counts = own.groupby("dealer_id").size()
    month_sales = sales.loc[sales["period"] == str(last)].groupby("dealer_id")["amount"].sum()
    names = dealers.drop_duplicates("dealer_id").set_index("dealer_id")["dealer_name"]
    ids = totals["dealer_id"]
    summary = pd.DataFrame({
        "dealer_id": ids, "dealer_name": ids.map(names), "period": totals["period"],
        "sales": ids.map(month_sales).fillna(0.0).to_numpy(float),
        "rebate": ids.map(rebate).to_numpy(float),
        "commission": totals["credited"].to_numpy(float) - ids.map(rebate).to_numpy(float),
        "clawback": totals["clawback"].to_numpy(float), "credited": totals["credited"].to_numpy(float),
        "lines": ids.map(counts).to_numpy(int),
    })
    return dealer_lines, summary.reindex(columns=DEALER_SUMMARY_COLUMNS).reset_index(drop=True)


def _unique(problems):
    seen, kept = set(), []
    for problem in problems:
        key = (problem.code, problem.sheet, problem.cell, problem.file)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept


# ---- the statement workbook -------------------------------------------------------------------

# The shared label of ``accelerator`` is the plan's multiplier; on a statement it is an amount.
OWN_LABELS = ("accelerator",)


def label(column: str, lang: str) -> str:
    """A statement column's header: the shared ``col.`` label, else the statement's own."""
    shared = f"col.{column}"
    return tr(shared if has(shared) and column not in OWN_LABELS else f"statement.col.{column}", lang)


def _shown(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    out = frame.copy()
    if "line_type" in out:
        out["line_type"] = out["line_type"].map(lambda v: tr(f"statement.line_type.{v}", lang))
    if "commission_basis" in out:
        out["commission_basis"] = out["commission_basis"].map(
            lambda v: tr(f"enum.commission_basis.{v}", lang) if isinstance(v, str) else v)
    if "payee_type" in out:
        out["payee_type"] = out["payee_type"].map(lambda v: tr(f"enum.payee_type.{v}", lang) if isinstance(v, str) else v)
    out.columns = [label(c, lang) for c in out.columns]
    return out


def payee_sheet_name(payee_id: str) -> str:
    """A payee's sheet: its id, without the characters Excel does not allow in a sheet name."""
    return "".join("_" if ch in "[]:*?/\\" else ch for ch in str(payee_id))[:31]


def summary_sheet(result: JobResult) -> tuple[str, pd.DataFrame]:
    """The statement workbook's first sheet: its name and the payees' summary as shown."""
    return tr("statement.sheet.summary", result.lang), _shown(result.tables["summary"], result.lang)


def statement_sheets(result: JobResult) -> dict[str, pd.DataFrame]:
    """Summary sheet first, then one sheet per payee with its lines and a total row."""
    lang = result.lang
    sheets = dict([summary_sheet(result)])
    lines = result.tables["lines"]
    for payee_id in result.tables["summary"]["payee_id"]:
        own = lines.loc[lines["payee_id"] == payee_id, LINE_COLUMNS]
        total = pd.DataFrame([{"line_type": "total", "commission": own["commission"].sum(),
                               "accelerator_extra": own["accelerator_extra"].sum(),
                               "credited": own["credited"].sum()}])
        sheets[payee_sheet_name(payee_id)] = _shown(pd.concat([own, total], ignore_index=True)
                                                    .reindex(columns=LINE_COLUMNS), lang)
    if "dealer_summary" in result.tables:
        sheets[tr("statement.sheet.dealer_summary", lang)] = _shown(result.tables["dealer_summary"], lang)
        sheets[tr("statement.sheet.dealer_lines", lang)] = _shown(dealer_lines_with_totals(result.tables["dealer_lines"]),
                                                                  lang)
    return sheets


def dealer_lines_with_totals(lines: pd.DataFrame) -> pd.DataFrame:
    """The dealer statement lines, each dealer's block followed by its total row."""
    # A dealer's sales appear once per payee paid on them, so the total row adds up the
    # money paid, not the amounts (the dealer summary has the sales, each counted once).
    money = ["commission", "accelerator_extra", "credited"]
    totals = lines[money].groupby(lines["dealer_id"]).sum().reset_index().assign(line_type="total")
    block = pd.concat([lines.assign(_order=0), totals.assign(_order=1)], ignore_index=True)
    block = block.sort_values(["dealer_id", "_order"], kind="stable").drop(columns="_order")
    return block.reindex(columns=DEALER_LINE_COLUMNS).reset_index(drop=True)


MONEY = ("target", "sales", "rebate", "earned", "accelerator", "cap_cut", "clawback", "draw", "balance", "payable", "amount",
         "basis_amount", "commission", "accelerator_extra", "credited")
PERCENT = ("proration", "attainment", "team_attainment", "band_lower", "attainment_from", "attainment_to")


def statement_formats(lang: str) -> dict[str, str]:
    """Header → number format: money with cents, attainment as a percentage, rates to 0.01 %."""
    formats = {label(c, lang): "#,##0.00" for c in MONEY}
    formats.update({label(c, lang): "0.0%" for c in PERCENT})
    formats[label("rate", lang)] = "0.00%"
    return formats


def output_name(result: JobResult) -> str:
    """The file name in the workbook's language, e.g. ``獎金對帳單_2026-10.xlsx``."""
    return f"{tr('statement.file', result.lang)}_{result.summary['month']}.xlsx"
