"""The core aggregations as native spreadsheet formulas (SUMIFS) recalculated by LibreOffice,
against the same aggregations in dealerxl; the numbers must agree.

Aggregations: sales by dealer × month (last 12 months), achievement of the last month
against a target (the same month a year before plus 8 %), receivables ageing buckets per dealer, stock cover per SKU
(on hand ÷ average demand of the last 3 months). Recalculation time is LibreOffice's
convert of the workbook with the formulas minus the convert of the same data without them
(load and save cancel out).
"""
from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from .timing import best_of

BUCKET_UPPER = (0, 30, 60, 90, 180)


def inputs(frames: dict, end_month: str) -> dict:
    """The columns both sides aggregate, prepared once (not timed)."""
    end = pd.Period(end_month, "M")
    sales = frames["sales_transactions"]
    discount = pd.to_numeric(sales["discount_rate"], errors="coerce").fillna(0)
    amount = (sales["quantity"].astype(float) * sales["unit_price"].astype(float) * (1 - discount)).round(2)
    # The sample carries no monthly targets (they are the targets job's output), so each
    # dealer's target for the month is its sales in the same month a year before plus 8 %.
    year_before = str(end - 12)
    months_of = pd.to_datetime(sales["invoice_date"]).dt.to_period("M").astype(str)
    targets = (amount[months_of == year_before].groupby(sales["dealer_id"][months_of == year_before]).sum() * 1.08)
    targets = targets.round(2).rename("target_amount").rename_axis("dealer_id").reset_index()
    receivables = frames["receivables"]
    open_amount = receivables["amount"].fillna(0) - receivables["paid_amount"].fillna(0)
    demand = frames["demand_history"]
    return {
        "end": end, "months": pd.period_range(end=end, periods=12, freq="M"),
        "sales": pd.DataFrame({"dealer_id": sales["dealer_id"], "invoice_date": pd.to_datetime(sales["invoice_date"]),
                               "month": pd.to_datetime(sales["invoice_date"]).dt.to_period("M").astype(str),
                               "amount": amount}),
        "targets": targets,
        "receivables": pd.DataFrame({"dealer_id": receivables["dealer_id"],
                                     "due_date": pd.to_datetime(receivables["due_date"]), "open": open_amount}),
        "ledger": frames["stock_ledger"][["sku", "on_hand"]].fillna({"on_hand": 0}),
        "demand": pd.DataFrame({"sku": demand["sku"], "month": pd.to_datetime(demand["month"]).dt.to_period("M").astype(str),
                                "quantity": demand["quantity"].fillna(0)}),
    }


def dealerxl_aggregations(data: dict) -> dict:
    """The four aggregations with dealerxl's calculations."""
    from dealerxl.calc.inventory import cover_periods
    from dealerxl.calc.receivables import ageing
    from dealerxl.calc.sales import achievement, sales_matrix

    months = data["months"]
    by_month = sales_matrix(data["sales"], value="amount", date="invoice_date",
                            first_month=str(months[0]), last_month=str(months[-1]))
    targets = data["targets"]
    actual = by_month.iloc[:, -1].reindex(targets["dealer_id"]).fillna(0.0).to_numpy()
    achieved = achievement(actual, targets["target_amount"].to_numpy())
    receivables = data["receivables"]
    buckets = ageing(receivables["due_date"], receivables["open"], data["end"].end_time.normalize(),
                     upper_days=BUCKET_UPPER, groups=receivables["dealer_id"])
    stock = data["ledger"].groupby("sku")["on_hand"].sum()
    recent = data["demand"][data["demand"]["month"].isin([str(m) for m in months[-3:]])]
    forecast = recent.groupby("sku")["quantity"].sum().reindex(stock.index).fillna(0.0) / 3
    cover = cover_periods(stock.to_numpy(), forecast.to_numpy())
    return {"by_month": by_month, "achievement": achieved.assign(dealer_id=targets["dealer_id"].to_numpy()),
            "ageing": buckets, "cover": pd.Series(cover, index=stock.index)}


def _excel_serial(stamp: pd.Timestamp) -> int:
    return int((stamp.normalize() - pd.Timestamp("1899-12-30")).days)


def write_formula_workbook(path: Path, data: dict, formulas: bool) -> dict:
    """The input columns on data sheets and, with ``formulas``, the result sheets as SUMIFS.
    Returns where each result lives (sheet, keys) for reading back."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheets = {}
    for name, frame in (("sales", data["sales"][["dealer_id", "month", "amount"]]),
                        ("recv", data["receivables"].assign(due=data["receivables"]["due_date"].map(_excel_serial))
                         [["dealer_id", "due", "open"]]),
                        ("ledger", data["ledger"]), ("demand", data["demand"])):
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, list(frame.columns))
        for index, column in enumerate(frame.columns):
            sheet.write_column(1, index, frame[column].tolist())
        sheets[name] = len(frame) + 1
    layout = {}
    if formulas:
        def col(sheet, letter):
            return f"{sheet}!${letter}$2:${letter}${sheets[sheet]}"

        months = [str(m) for m in data["months"]]
        dealers = sorted(data["sales"]["dealer_id"].dropna().unique())
        grid = book.add_worksheet("by_month")
        grid.write_row(0, 1, months)
        for row, dealer in enumerate(dealers, start=1):
            grid.write(row, 0, dealer)
            for c in range(1, len(months) + 1):
                ref = xlsxwriter.utility.xl_rowcol_to_cell(row, c, row_abs=False, col_abs=False)
                grid.write_formula(row, c, f"=SUMIFS({col('sales', 'C')},{col('sales', 'A')},$A{row + 1},"
                                           f"{col('sales', 'B')},{ref[:-len(str(row + 1))]}$1)")
        layout["by_month"] = dealers
        targets = data["targets"]
        sheet = book.add_worksheet("achievement")
        sheet.write_row(0, 0, ["dealer_id", "target", "actual", "achievement"])
        for row, (dealer, target) in enumerate(zip(targets["dealer_id"], targets["target_amount"]), start=1):
            sheet.write(row, 0, dealer)
            sheet.write(row, 1, float(target))
            sheet.write_formula(row, 2, f'=SUMIFS({col("sales", "C")},{col("sales", "A")},A{row + 1},'
                                        f'{col("sales", "B")},"{months[-1]}")')
            sheet.write_formula(row, 3, f'=IF(B{row + 1}>0,C{row + 1}/B{row + 1},"")')
        layout["achievement"] = list(targets["dealer_id"])
        as_of = _excel_serial(data["end"].end_time)
        debtors = sorted(data["receivables"]["dealer_id"].dropna().unique())
        sheet = book.add_worksheet("ageing")
        sheet.write_row(0, 0, ["dealer_id", "current", "d1_30", "d31_60", "d61_90", "d91_180", "d180_plus"])
        # current: due on or after the day (not yet past due); bucket i: upper[i-1] < days past
        # due <= upper[i], i.e. as_of - upper[i] <= due < as_of - upper[i-1]; the last: older still
        bounds = ([(as_of, None)] + [(as_of - BUCKET_UPPER[i], as_of - BUCKET_UPPER[i - 1])
                                     for i in range(1, len(BUCKET_UPPER))] + [(None, as_of - BUCKET_UPPER[-1])])
        for row, dealer in enumerate(debtors, start=1):
            sheet.write(row, 0, dealer)
            for c, (low, high) in enumerate(bounds, start=1):
                criteria = (f',{col("recv", "B")},">={low}"' if low is not None else "") + \
                           (f',{col("recv", "B")},"<{high}"' if high is not None else "")
                sheet.write_formula(row, c, f'=SUMIFS({col("recv", "C")},{col("recv", "A")},$A{row + 1}{criteria})')
        layout["ageing"] = debtors
        skus = sorted(data["ledger"]["sku"].dropna().unique())
        sheet = book.add_worksheet("cover")
        sheet.write_row(0, 0, ["sku", "on_hand", "forecast_per_month", "cover_months"])
        recent = [str(m) for m in data["months"][-3:]]
        for row, sku in enumerate(skus, start=1):
            r = row + 1
            sheet.write(row, 0, sku)
            sheet.write_formula(row, 1, f'=SUMIFS({col("ledger", "B")},{col("ledger", "A")},A{r})')
            demand = "+".join(f'SUMIFS({col("demand", "C")},{col("demand", "A")},A{r},{col("demand", "B")},"{m}")'
                              for m in recent)
            sheet.write_formula(row, 2, f"=({demand})/3")
            sheet.write_formula(row, 3, f'=IF(B{r}>0,IF(C{r}>0,B{r}/C{r},"inf"),0)')
        layout["cover"] = skus
    book.close()
    return layout


def _differences(results_path: Path, layout: dict, ours: dict) -> dict:
    """Largest absolute difference between LibreOffice's numbers and dealerxl's, per aggregation."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(results_path))

    def rows(name):
        return book.get_sheet_by_name(name).to_python()[1:]

    def worst(a, b):
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
        both = np.isfinite(a) & np.isfinite(b)
        mismatched = int((np.isfinite(a) != np.isfinite(b)).sum())
        return float(np.abs(a[both] - b[both]).max(initial=0.0)) + (float("inf") if mismatched else 0.0)

    grid = np.array([[float(v) for v in r[1:]] for r in rows("by_month")])
    expected = ours["by_month"].reindex(layout["by_month"]).fillna(0.0).to_numpy()
    ach = [r[3] if r[3] != "" else np.nan for r in rows("achievement")]
    ageing_lo = np.array([[float(v) for v in r[1:]] for r in rows("ageing")])
    ageing_ours = ours["ageing"].reindex(layout["ageing"]).fillna(0.0).iloc[:, :len(BUCKET_UPPER) + 1].to_numpy()
    cover_lo = [np.inf if r[3] == "inf" else float(r[3]) for r in rows("cover")]
    return {"sales by dealer x month": worst(grid, expected),
            "achievement": worst(ach, ours["achievement"]["achievement_rate"]),
            "receivables ageing": worst(ageing_lo, ageing_ours),
            "stock cover": worst(np.where(np.isinf(cover_lo), -1, cover_lo),
                                 np.where(np.isinf(ours["cover"].reindex(layout["cover"])), -1,
                                          ours["cover"].reindex(layout["cover"])))}


def compare(scale: float, end_month: str) -> dict:
    """LibreOffice vs dealerxl on the scaled sample at ``scale`` (in its own process)."""
    from dealerxl.sample import generate

    from .data import scaled_size

    frames = generate(scaled_size(scale))
    data = inputs(frames, end_month)
    ours_s = best_of(3, lambda: dealerxl_aggregations(data))
    ours = dealerxl_aggregations(data)
    folder = Path(tempfile.mkdtemp(prefix="dealerxl-native-"))
    try:
        import sys

        sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
        from support.libreoffice import LibreOffice

        office = LibreOffice(folder / "profile")
        plain, with_formulas = folder / "plain.xlsx", folder / "formulas.xlsx"
        write_formula_workbook(plain, data, formulas=False)
        layout = write_formula_workbook(with_formulas, data, formulas=True)
        office.convert(plain, folder / "warm")  # first start of a fresh profile is slow: not counted
        start = time.perf_counter()
        office.convert(plain, folder / "plain-out")
        load_save = time.perf_counter() - start
        start = time.perf_counter()
        converted = office.convert(with_formulas, folder / "formulas-out", timeout=3600)
        with_recalc = time.perf_counter() - start
        differences = _differences(converted, layout, ours)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    formula_cells = (len(layout["by_month"]) * 12 + len(layout["achievement"]) * 2
                     + len(layout["ageing"]) * (len(BUCKET_UPPER) + 1) + len(layout["cover"]) * 3)
    return {"scale": scale, "sales_lines": int(len(data["sales"])), "formula_cells": formula_cells,
            "libreoffice_recalc_s": max(with_recalc - load_save, 1e-3), "libreoffice_total_s": with_recalc,
            "dealerxl_s": ours_s, "max_abs_difference": differences}


def dealerxl_only(scale: float, end_month: str) -> dict:
    """dealerxl's time for the aggregations alone at ``scale`` (for the extrapolated comparison)."""
    from dealerxl.sample import generate

    from .data import scaled_size

    data = inputs(generate(scaled_size(scale)), end_month)
    return {"scale": scale, "dealerxl_s": best_of(3, lambda: dealerxl_aggregations(data))}
