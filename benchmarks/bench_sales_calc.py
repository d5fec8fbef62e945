"""Time the target and sales-analysis calculations on 500,000 transaction lines against reading them.

Data: generated here with numpy (default 500,000 lines, 2,000 dealers, 1,000 SKUs in 20
product groups, 5 regions, 36 months ending 2026-10; seasonal, growing, with returns).
Baselines, measured in the same run on the same machine: reading the same table back from
an .xlsx sheet written a moment before with XlsxWriter, read with calamine (what a workbook
job really pays), and from a CSV file (the least any job pays). Each step is reported in
seconds and as a ratio to each baseline; nothing is asserted (wall-clock depends on the
machine and its load).

    python benchmarks/bench_sales_calc.py [--rows 500000] [--dealers 2000] [--months 36] [--repeat 3] [--no-xlsx]
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from dealerxl.calc import forecast, sales, targets
from suite.timing import best_and_result


def generated_transactions(rows: int, dealers: int, months: int, skus: int = 1000, seed: int = 11) -> pd.DataFrame:
    """Sales lines: dealers of very different size, a yearly season, growth, 3 % returns."""
    rng = np.random.default_rng(seed)
    dealer_size = rng.pareto(1.5, dealers) + 0.2
    dealer = rng.choice(dealers, rows, p=dealer_size / dealer_size.sum())
    calendar = pd.period_range(end="2026-10", periods=months, freq="M")
    season = 1 + 0.35 * np.sin(2 * np.pi * (calendar.month.to_numpy() - 3) / 12)
    month_weight = season * np.linspace(1, 1.3, months)
    month = rng.choice(months, rows, p=month_weight / month_weight.sum())
    first_day = calendar.to_timestamp().to_numpy()
    day = first_day[month] + (rng.integers(0, 28, rows) * np.timedelta64(1, "D"))
    sku = rng.zipf(1.3, rows) % skus
    price = rng.uniform(50, 2000, skus).round(0)[sku] * (1 + 0.02 * month / 12)
    quantity = rng.integers(1, 40, rows).astype(float)
    quantity[rng.random(rows) < 0.03] *= -1  # returns
    return pd.DataFrame({
        "date": day, "dealer_id": np.char.add("D", np.char.zfill(dealer.astype(str), 5)),
        "sku": np.char.add("SKU", np.char.zfill(sku.astype(str), 5)),
        "product_group": np.char.add("PG", np.char.zfill((sku % 20).astype(str), 2)),
        "region": np.array(["north", "central", "south", "east", "west"])[dealer % 5],
        "quantity": quantity, "amount": (quantity * price).round(2),
    })


def baselines(frame: pd.DataFrame, folder: Path, repeat: int, xlsx: bool) -> dict[str, float]:
    """Seconds to read ``frame`` back from CSV and (unless skipped) from an XlsxWriter .xlsx with calamine."""
    csv = folder / "sales.csv"
    frame.to_csv(csv, index=False)
    result = {"read CSV": best_and_result(repeat, lambda: pd.read_csv(csv, parse_dates=["date"]))[0]}
    if xlsx:
        book = folder / "sales.xlsx"
        start = time.perf_counter()
        with pd.ExcelWriter(book, engine="xlsxwriter", engine_kwargs={"options": {"constant_memory": True}}) as w:
            frame.to_excel(w, sheet_name="sales", index=False)
        print(f"(writing the .xlsx took {time.perf_counter() - start:.1f} s; not counted)")
        result["read xlsx (calamine)"] = best_and_result(1, lambda: pd.read_excel(book, engine="calamine"))[0]
    return result


def steps(t: pd.DataFrame) -> dict:
    """Every calculation, as name → zero-argument callable, in the order a monthly job runs them."""
    last = t["date"].max().to_period("M")
    year_ago = last - 12
    ytd_now = (str(pd.Period(f"{last.year}-01", "M")), str(last))
    ytd_before = (str(pd.Period(f"{last.year - 1}-01", "M")), str(year_ago))
    state: dict = {}

    def dealer_matrix():
        state["dealers"] = sales.sales_matrix(t, "dealer_id")
        return state["dealers"]

    def targets_split_and_allocation():
        company = state["dealers"].sum(axis=0)
        history = company.to_numpy()[-24:]
        indices = targets.seasonal_indices(history, start_month=company.index[-24].month)
        split = targets.seasonal_split(1000 * round(history[-12:].sum() * 1.1 / 1000), indices, unit=1000)
        matrix = state["dealers"].to_numpy()
        base = matrix[:, -12:].sum(axis=1)
        growth = sales.growth_rate(matrix[:, -6:].sum(axis=1), matrix[:, -18:-12].sum(axis=1))
        potential = base * np.random.default_rng(1).uniform(0.8, 1.6, base.size)
        share = targets.allocation_basis(np.maximum(base, 0), growth, potential, 0.5, 0.2, 0.3)
        floors = np.maximum(base, 0) * 0.8
        total = 1000 * np.ceil(max(split.target.sum(), floors.sum() + 1000) / 1000)
        state["targets"] = targets.allocate(total, share, floors, None, 1000)
        return split, state["targets"]

    return {
        "monthly matrix by dealer": dealer_matrix,
        "monthly matrix by SKU (quantity)": lambda: sales.sales_matrix(t, "sku", "quantity"),
        "seasonal split + allocation to dealers": targets_split_and_allocation,
        "YoY, MoM, YTD, rolling 12": lambda: sales.period_metrics(state["dealers"]),
        "achievement vs target": lambda: sales.achievement(state["dealers"].iloc[:, -1].to_numpy(),
                                                          state["targets"] / 12),
        "run-rate projection (working days)": lambda: sales.run_rate_projection(
            state["dealers"].iloc[:, -1].to_numpy(), last.to_timestamp() + pd.Timedelta(days=17),
            last.to_timestamp(), last.to_timestamp(how="end"), "working_days"),
        "contribution to growth (region, dealer, group)": lambda: [
            sales.contribution_to_growth(t, by, ytd_now, ytd_before) for by in ("region", "dealer_id", "product_group")],
        "price-volume-mix by dealer": lambda: sales.price_volume_mix(t, ytd_now, ytd_before, by="dealer_id"),
        "Pareto of dealers and SKUs": lambda: [
            sales.pareto(t.groupby(by).amount.sum().to_numpy()) for by in ("dealer_id", "sku")],
        "declining dealers": lambda: sales.declining_trend(state["dealers"]),
        "forecast per dealer (6 months)": lambda: forecast.forecast(state["dealers"].to_numpy(), 6),
        "holdout WAPE per dealer": lambda: forecast.overall_wape(
            forecast.holdout_accuracy(state["dealers"].to_numpy(), 6)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--dealers", type=int, default=2000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-xlsx", action="store_true", help="skip the .xlsx baseline (writing it takes a while)")
    args = parser.parse_args()

    frame = generated_transactions(args.rows, args.dealers, args.months)
    print(f"{len(frame):,} transaction lines, {frame.dealer_id.nunique():,} dealers, {args.months} months")
    with tempfile.TemporaryDirectory() as folder:
        base = baselines(frame, Path(folder), args.repeat, not args.no_xlsx)
    names = list(base)
    print(f"\n{'step':48s} {'seconds':>8s} " + " ".join(f"{'÷ ' + n:>22s}" for n in names))
    for name, seconds in base.items():
        print(f"{'baseline: ' + name:48s} {seconds:8.3f}")
    total = 0.0
    for name, step in steps(frame).items():
        seconds, _ = best_and_result(args.repeat, step)
        total += seconds
        print(f"{name:48s} {seconds:8.3f} " + " ".join(f"{seconds / base[n]:22.2f}" for n in names))
    print(f"{'all calculations':48s} {total:8.3f} " + " ".join(f"{total / base[n]:22.2f}" for n in names))


if __name__ == "__main__":
    main()
