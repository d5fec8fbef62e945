"""The monthly report's summary figures recomputed from the workbook's raw tables with plain
pandas, by the definitions of docs/DEFINITIONS.md, without any of the package's code.

    python tests/recompute_summary.py WORKBOOK --month 2026-10

The workbook is read with openpyxl: each form is the Excel Table ``tbl_<form id>``, its header
cells are the columns' labels (any of the three languages) and coded cells hold the codes'
labels; both are looked up in the label files (``dealerxl/i18n/*.tsv``, read as data). The
monthly targets are taken as the workbook holds them. Nothing of ``dealerxl`` is imported:
an independent second reading of the same definitions.
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

LABELS = Path(__file__).resolve().parents[1] / "dealerxl" / "i18n"
# Coded columns read here → their list of codes (labels are turned back into codes).
CODED = {"transaction_type": "transaction_type", "status": "dealer_status", "case_status": "case_status",
         "severity": "severity", "ageing_bucket": "ageing_bucket", "weekday": "weekday", "working_day": "yes_no",
         "day_type": "day_type"}
FIGURES = ["revenue", "target", "targeted_revenue", "untargeted_revenue", "achievement", "yoy", "ytd", "ytd_yoy",
           "active_dealers", "trading_dealers", "new_dealers", "lost_dealers", "stock_value", "days_of_supply",
           "overdue_receivables", "provision", "complaints", "service_cases", "sla_breaches", "sla_breach_share",
           "nps_responses", "nps"]


# ---- reading -----------------------------------------------------------------------------------

def label_table() -> tuple[dict, dict]:
    """Column label → column ids, and (code list, label) → code, from the label files."""
    columns, codes = {}, {}
    for path in sorted(LABELS.glob("*.tsv")):
        with path.open(encoding="utf-8") as handle:
            for row in csv.reader(handle, delimiter="\t"):
                if not row or row[0].startswith("#") or len(row) < 4:
                    continue
                key, labels = row[0], row[1:4]
                if key.startswith("col.") and key.count(".") == 1:
                    for label in labels:
                        columns.setdefault(label, set()).add(key[4:])
                elif key.startswith("enum.") and key.count(".") == 2:
                    _, enum, code = key.split(".")
                    for label in labels:
                        codes[(enum, label)] = code
    return columns, codes


def read_tables(path) -> dict[str, pd.DataFrame]:
    """Every ``tbl_<form>`` table of the workbook as a frame keyed by column id, codes as codes."""
    columns, codes = label_table()
    book = openpyxl.load_workbook(path, data_only=True)
    tables = {}
    for sheet in book.worksheets:
        for name, ref in sheet.tables.items():  # openpyxl lists a sheet's tables as (name, range)
            if not name.startswith("tbl_"):
                continue
            rows = [[cell.value for cell in row] for row in sheet[ref]]
            header, body = rows[0], [r for r in rows[1:] if any(v is not None for v in r)]
            ids = []
            for label in header:
                candidates = columns.get(str(label), {str(label)})
                ids.append(sorted(candidates)[0] if len(candidates) == 1 else _pick(candidates, name[4:]))
            frame = pd.DataFrame(body, columns=ids)
            for column, enum in CODED.items():
                if column in frame:
                    frame[column] = frame[column].map(lambda v, e=enum: codes.get((e, v), v))
            tables[name[4:]] = frame
    return tables


# The columns this script reads, per table: a header label shared by two column ids (日期 is
# both a holiday's and a support visit's date) is the one of them the table's reading needs.
READ = {"settings": {"setting_id", "setting_value"}, "work_holidays": {"holiday_date", "day_type"},
        "stock_ledger": {"sku", "location", "on_hand"}, "demand_history": {"sku", "location", "month", "quantity"}}


def _pick(candidates: set, form_id: str) -> str:
    """The column id a label shared by several ids stands for in ``form_id`` (see :data:`READ`)."""
    wanted = candidates & READ.get(form_id, set())
    return sorted(wanted or candidates)[0]


def settings(tables) -> dict:
    rows = tables["settings"]
    return {str(k): v for k, v in zip(rows["setting_id"], rows["setting_value"])}


def dates(values) -> pd.Series:
    return pd.to_datetime(pd.Series(values), errors="coerce")


def numbers(values) -> pd.Series:
    return pd.to_numeric(pd.Series(values), errors="coerce")


# ---- sales and targets -------------------------------------------------------------------------

def net_sales_by_month(sales: pd.DataFrame) -> pd.DataFrame:
    """Per dealer and month: Σ sale amounts − Σ |return amounts| (§2)."""
    amount = numbers(sales["amount"]).abs().fillna(0.0)
    signed = np.where(sales["transaction_type"] == "return", -amount, amount)
    return pd.DataFrame({"dealer_id": sales["dealer_id"].astype(str), "month": dates(sales["invoice_date"]).dt.to_period("M"),
                         "amount": signed})


def growth(now: float, before: float) -> float:
    return now / before - 1 if before > 0 else float("nan")


def sales_figures(tables, month: pd.Period) -> dict:
    lines = net_sales_by_month(tables["sales_transactions"])
    by_month = lines.groupby("month")["amount"].sum()

    def total(first, last):
        return float(by_month[(by_month.index >= first) & (by_month.index <= last)].sum())

    revenue = total(month, month)
    january = pd.Period(f"{month.year}-01", "M")
    targets = tables["monthly_targets"]
    in_month = dates(targets["month"]).dt.to_period("M") == month
    per_dealer = numbers(targets.loc[in_month, "target_amount"]).fillna(0.0).groupby(
        targets.loc[in_month, "dealer_id"].astype(str)).sum()
    targeted = set(per_dealer.index[per_dealer > 0])
    this_month = lines.loc[lines["month"] == month]
    targeted_revenue = float(this_month.loc[this_month["dealer_id"].isin(targeted), "amount"].sum())
    target = float(per_dealer.sum())
    return {"revenue": revenue, "target": target, "targeted_revenue": targeted_revenue,
            "untargeted_revenue": revenue - targeted_revenue,
            "achievement": targeted_revenue / target if target > 0 else float("nan"),
            "yoy": growth(revenue, total(month - 12, month - 12)),
            "ytd": total(january, month), "ytd_yoy": growth(total(january, month), total(january - 12, month - 12))}


# ---- dealers -----------------------------------------------------------------------------------

def dealer_figures(tables, month: pd.Period) -> dict:
    """§1: under contract on a day of the month, prospects not."""
    dealers = tables["dealer_master"].drop_duplicates("dealer_id")
    first, last = month.start_time.normalize(), month.end_time.normalize()
    joined, ended = dates(dealers["join_date"]), dates(dealers["termination_date"])
    signed = dealers["status"].fillna("active") != "prospect"
    active = (joined.isna() | (joined <= last)) & (ended.isna() | (ended >= first)) & signed
    sales = tables["sales_transactions"]
    sold = (dates(sales["invoice_date"]).dt.to_period("M") == month) & (sales["transaction_type"] == "sale")
    buyers = set(sales.loc[sold, "dealer_id"].astype(str))
    return {"active_dealers": int(active.sum()),
            "trading_dealers": int((active & dealers["dealer_id"].astype(str).isin(buyers)).sum()),
            "new_dealers": int((joined.between(first, last) & signed).sum()),
            "lost_dealers": int(ended.between(first, last).sum())}


# ---- stock -------------------------------------------------------------------------------------

def stock_figures(tables, month: pd.Period) -> dict:
    """Stock at cost and its days of supply against 12 months of demand (shipped + unserved, §4)."""
    cost = tables["item_master"].drop_duplicates("sku").set_index("sku")["unit_cost"].astype(float)
    stock = tables["stock_ledger"]
    value = float((numbers(stock["on_hand"]).fillna(0.0) * stock["sku"].map(cost).fillna(0.0)).sum())
    demand = tables["demand_history"]
    months = dates(demand["month"]).dt.to_period("M")
    year = demand.loc[(months > month - 12) & (months <= month)]
    quantity = numbers(year["quantity"]).fillna(0.0) + numbers(year.get("unfulfilled_qty")).fillna(0.0) \
        if "unfulfilled_qty" in year else numbers(year["quantity"]).fillna(0.0)
    usage = float((quantity * year["sku"].map(cost).fillna(0.0)).sum())
    return {"stock_value": value, "days_of_supply": value / usage * 365.25 if usage > 0 else float("nan")}


# ---- receivables and the provision -------------------------------------------------------------

def bucket_bounds(tables) -> tuple[list[str], np.ndarray]:
    rows = tables["ageing_buckets"].assign(to=lambda f: numbers(f["to_days"]))
    rows = rows.sort_values("to", na_position="last", kind="stable")
    return rows["ageing_bucket"].tolist(), rows["to"].iloc[:-1].to_numpy(float)


def open_at(tables, when: pd.Timestamp) -> pd.DataFrame:
    """Each invoice's open amount at ``when`` (amount − paid by then − written off by then, §5)."""
    ledger = tables["receivables"]
    ledger = ledger.loc[dates(ledger["invoice_date"]) <= when].copy()
    paid_on = dates(ledger["paid_date"]).to_numpy()
    paid = numbers(ledger["paid_amount"]).fillna(0.0).to_numpy()
    offs = tables["write_offs"]
    offs = offs.loc[dates(offs["write_off_date"]) <= when]
    written = numbers(offs["write_off_amount"]).groupby(offs["invoice_no"].to_numpy()).sum()
    ledger["open"] = np.clip(numbers(ledger["amount"]).to_numpy() - np.where(pd.isna(paid_on) | (paid_on <= when), paid, 0)
                             - ledger["invoice_no"].map(written).fillna(0.0).to_numpy(), 0, None)
    ledger["days"] = (when - dates(ledger["due_date"])).dt.days.to_numpy()
    return ledger.loc[ledger["open"] > 0]


def provision(tables, month: pd.Period) -> float:
    """§6: roll rates followed month to month on the ledger, or the settings' matrix."""
    values = settings(tables)
    codes, upper = bucket_bounds(tables)
    n = len(codes)
    factor = float(values["ecl_forward_looking_factor"])
    as_of = month.end_time.normalize()
    now = open_at(tables, as_of)
    balance = np.bincount(np.searchsorted(upper, now["days"].to_numpy(float), side="left"), weights=now["open"],
                          minlength=n)
    matrix = tables["provision_matrix"].set_index("ageing_bucket")["loss_rate"].astype(float).reindex(codes).to_numpy()
    matrix_ecl = float((balance * np.minimum(matrix * factor, 1.0)).sum())

    history = int(values["roll_rate_history_months"])
    ends = [(month - k).end_time.normalize() for k in range(history, -1, -1)]
    offs = tables["write_offs"]
    written = offs.groupby("invoice_no").agg(amount=("write_off_amount", "sum"), date=("write_off_date", "min"))
    flows, observed = np.zeros((n, n + 2)), 0
    for start, end in zip(ends[:-1], ends[1:]):
        before, after = open_at(tables, start), open_at(tables, end)
        if before.empty:
            continue
        observed += 1
        moved = before[["invoice_no", "open", "days"]].merge(after[["invoice_no", "open", "days"]], on="invoice_no",
                                                            how="left", suffixes=("", "_next"))
        origin = np.searchsorted(upper, moved["days"].to_numpy(float), side="left")
        stays = np.minimum(moved["open_next"].fillna(0.0).to_numpy(), moved["open"].to_numpy())
        target = np.searchsorted(upper, moved["days_next"].fillna(0).to_numpy(float), side="left")
        off = moved["invoice_no"].map(written["amount"]).fillna(0.0).to_numpy(float)
        off_on = dates(moved["invoice_no"].map(written["date"]))
        off = np.where((off_on > start) & (off_on <= end), np.minimum(off, moved["open"].to_numpy() - stays), 0.0)
        for i, j, stay, gone, was in zip(origin, target, stays, off, moved["open"].to_numpy()):
            flows[i, j] += stay
            flows[i, n] += gone
            flows[i, n + 1] += was - stay - gone
    loss = np.full(n, np.nan)
    for i in range(n - 1, -1, -1):
        left = flows[i, n:].sum() + flows[i, i + 1:n].sum()
        if left > 0:
            loss[i] = (flows[i, n] + sum(flows[i, j] * loss[j] for j in range(i + 1, n) if flows[i, j] > 0)) / left
    usable = observed >= int(values["roll_rate_min_months"]) and not any(np.isnan(loss) & (balance > 0))
    if int(values["use_roll_rates"]) and usable:
        return float((balance * np.minimum(np.nan_to_num(loss) * factor, 1.0)).sum())
    return matrix_ecl


def receivable_figures(tables, month: pd.Period) -> dict:
    now = open_at(tables, month.end_time.normalize())
    return {"overdue_receivables": float(now.loc[now["days"] > 0, "open"].sum()), "provision": provision(tables, month)}


# ---- service -----------------------------------------------------------------------------------

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def calendar(tables) -> tuple[dict, set, set]:
    hours = tables["work_hours"].drop_duplicates("weekday").set_index("weekday")
    windows = {}
    for day in WEEKDAYS:
        row = hours.loc[day]
        start, end = float(row["work_start_hour"] or 0), float(row["work_end_hour"] or 0)
        windows[day] = (start, end) if row["working_day"] == "yes" and end > start else None
    days = tables["work_holidays"]
    holidays = set(dates(days.loc[days["day_type"] == "holiday", "holiday_date"]).dt.date)
    makeups = set(dates(days.loc[days["day_type"] == "makeup_workday", "holiday_date"]).dt.date) - holidays
    return windows, holidays, makeups


def working_hours(start: pd.Timestamp, end: pd.Timestamp, cal) -> float:
    """Hours inside the working windows between two moments, day by day (§7)."""
    windows, holidays, makeups = cal
    longest = max((w for w in windows.values() if w), key=lambda w: w[1] - w[0])
    total, day = 0.0, start.normalize()
    while day <= end:
        if day.date() in holidays:
            window = None
        elif day.date() in makeups:
            window = longest
        else:
            window = windows[WEEKDAYS[day.weekday()]]
        if window:
            opens, closes = day + pd.Timedelta(hours=window[0]), day + pd.Timedelta(hours=window[1])
            overlap = (min(end, closes) - max(start, opens)).total_seconds() / 3600
            total += max(overlap, 0.0)
        day += pd.Timedelta(days=1)
    return total


def service_figures(tables, month: pd.Period) -> dict:
    moment = month.end_time.normalize() + pd.Timedelta(days=1)
    complaints, tickets = tables["complaint_log"], tables["service_tickets"]
    cases = pd.concat([
        pd.DataFrame({"kind": "complaint", "severity": complaints["severity"], "received": dates(complaints["received_at"]),
                      "answered": dates(complaints["first_response_at"]), "resolved": dates(complaints["resolved_at"]),
                      "status": complaints["case_status"]}),
        pd.DataFrame({"kind": "ticket", "severity": tickets["severity"], "received": dates(tickets["opened_at"]),
                      "answered": dates(tickets["first_response_at"]), "resolved": dates(tickets["resolved_at"]),
                      "status": tickets["case_status"]})], ignore_index=True)
    cases = cases.loc[(cases["received"] < moment) & (cases["received"].dt.to_period("M") == month)].copy()
    sla = tables["sla_hours"].set_index("severity")
    cal = calendar(tables)
    breaches = 0
    for case in cases.itertuples(index=False):
        answered = case.answered if pd.notna(case.answered) and case.answered < moment else None
        resolved = case.resolved if pd.notna(case.resolved) and case.resolved < moment else None
        closed_undated = resolved is None and pd.isna(case.resolved) and case.status in ("resolved", "closed")
        response = None if closed_undated and answered is None else \
            round(working_hours(case.received, answered or moment, cal), 4)
        resolution = None if closed_undated else round(working_hours(case.received, resolved or moment, cal), 4)
        late = (response is not None and response > float(sla.loc[case.severity, "first_response_hours"])) or \
            (resolution is not None and resolution > float(sla.loc[case.severity, "resolution_hours"]))
        breaches += int(late)
    answers = tables["survey_responses"]
    answers = answers.loc[dates(answers["survey_date"]).dt.to_period("M") == month]
    scores = numbers(answers["nps_score"]).dropna()
    values = settings(tables)
    promoters = (scores >= float(values["nps_promoter_min"])).sum()
    detractors = (scores <= float(values["nps_detractor_max"])).sum()
    return {"complaints": int((cases["kind"] == "complaint").sum()), "service_cases": len(cases),
            "sla_breaches": breaches, "sla_breach_share": breaches / len(cases) if len(cases) else float("nan"),
            "nps_responses": len(scores),
            "nps": 100.0 * (promoters - detractors) / len(scores) if len(scores) else float("nan")}


# ---- the summary -------------------------------------------------------------------------------

def month_figures(tables, month: pd.Period, *, stock: bool) -> dict:
    figures = {**sales_figures(tables, month), **dealer_figures(tables, month),
               **receivable_figures(tables, month), **service_figures(tables, month)}
    # Only today's stock is known: last month's is blank.
    figures.update(stock_figures(tables, month) if stock else {"stock_value": np.nan, "days_of_supply": np.nan})
    return figures


def summary(path, month: str) -> pd.DataFrame:
    """One row per figure: ``value`` (the month) and ``previous`` (the month before)."""
    tables = read_tables(path)
    period = pd.Period(month, "M")
    now, before = month_figures(tables, period, stock=True), month_figures(tables, period - 1, stock=False)
    return pd.DataFrame({"value": [now[f] for f in FIGURES], "previous": [before[f] for f in FIGURES]}, index=FIGURES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook")
    parser.add_argument("--month", required=True)
    arguments = parser.parse_args()
    with pd.option_context("display.float_format", "{:,.4f}".format):
        print(summary(arguments.workbook, arguments.month).to_string())


if __name__ == "__main__":
    main()
