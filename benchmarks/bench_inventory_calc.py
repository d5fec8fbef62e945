"""Time the inventory calculations on 5,000 SKUs × 36 months against reading their input.

Baseline, measured in the same run on the same machine: reading the long demand table
(180,000 rows) back from a CSV file written a moment before, which is the least any job
has to spend to get its input; with ``--xlsx`` also reading it from an .xlsx sheet with
calamine, which is what the workbook job really pays. Each calculation is reported in
seconds and as a ratio to the CSV read; nothing is asserted (wall-clock depends on the
machine and its load).

    python benchmarks/bench_inventory_calc.py [--skus 5000] [--months 36] [--repeat 3] [--xlsx]
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from dealerxl.calc import demand, inventory, replenishment, simulation
from suite.timing import best_and_result


def generated_demand(skus: int, months: int, seed: int = 7) -> tuple[np.ndarray, pd.DataFrame]:
    """Monthly demand (skus × months): gamma-distributed means, a share of intermittent items."""
    rng = np.random.default_rng(seed)
    mean = rng.gamma(1.2, 40.0, size=(skus, 1))
    quantity = rng.poisson(mean * rng.uniform(0.6, 1.4, size=(skus, months)))
    quantity[rng.random((skus, months)) < rng.uniform(0, 0.5, size=(skus, 1))] = 0
    items = pd.DataFrame({
        "sku": [f"SKU{i:05d}" for i in range(skus)], "location": "WH-C",
        "unit_cost": rng.uniform(5, 500, skus).round(2), "lead_time_days": rng.integers(7, 60, skus).astype(float),
        "lead_time_sd_days": rng.uniform(0, 10, skus).round(1), "order_cost": 300.0, "holding_cost_rate": 0.2,
        "moq": rng.choice([0, 10, 50], skus).astype(float), "pack_size": rng.choice([1, 6, 12, 24], skus).astype(float),
        "supplier_id": rng.choice([f"SUP{i:03d}" for i in range(40)], skus),
        "on_hand": rng.integers(0, 400, skus).astype(float), "on_order": rng.integers(0, 100, skus).astype(float),
        "reserved": rng.integers(0, 30, skus).astype(float),
    })
    return quantity.astype(float), items


def long_table(quantity: np.ndarray, skus: pd.Series) -> pd.DataFrame:
    """The demand history as the form holds it: one row per SKU and month."""
    n, m = quantity.shape
    months = pd.period_range(end="2026-10", periods=m, freq="M").to_timestamp()
    return pd.DataFrame({"sku": np.repeat(skus.to_numpy(), m), "location": "WH-C",
                         "month": np.tile(months.to_numpy(), n), "quantity": quantity.ravel()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skus", type=int, default=5000)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--xlsx", action="store_true", help="also time reading the table from .xlsx (slow to write)")
    args = parser.parse_args()

    quantity, items = generated_demand(args.skus, args.months)
    build_s, history = best_and_result(args.repeat, lambda: long_table(quantity, items["sku"]))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demand_history.csv"
        history.to_csv(path, index=False)
        read_s, _ = best_and_result(args.repeat, lambda: pd.read_csv(path, parse_dates=["month"]))
        xlsx_s = None
        if args.xlsx:
            book = Path(folder) / "demand_history.xlsx"
            history.to_excel(book, index=False, engine="xlsxwriter")
            xlsx_s, _ = best_and_result(1, lambda: pd.read_excel(book, engine="calamine"))

    timings: dict[str, float] = {}
    timings["demand statistics (long table)"], stats = best_and_result(
        args.repeat, lambda: demand.demand_statistics(history, ("sku", "location")))
    annual_value = stats["mean_demand"].to_numpy() * 12 * items["unit_cost"].to_numpy()
    timings["ABC-XYZ classes"], classes = best_and_result(
        args.repeat, lambda: inventory.abc_xyz(annual_value, stats["cv"].to_numpy()))
    d, sd = stats["mean_demand"].to_numpy(), stats["sd_demand"].to_numpy()
    lead, lead_sd = items["lead_time_days"].to_numpy(), items["lead_time_sd_days"].to_numpy()
    timings["safety stock + reorder point + EOQ"], _ = best_and_result(args.repeat, lambda: (
        inventory.reorder_point(d, sd, lead, 0.95, lead_sd),
        inventory.eoq(d * 12, 300.0, 0.2 * items["unit_cost"].to_numpy())))
    order_qty = inventory.eoq(d * 12, 300.0, 0.2 * items["unit_cost"].to_numpy())
    timings["fill-rate safety stock (bisection)"], _ = best_and_result(
        args.repeat, lambda: inventory.safety_stock_fill_rate(d, sd, lead, 0.98, np.maximum(order_qty, 1.0), lead_sd))
    positions = items.merge(stats, on=["sku", "location"]).assign(service_level=0.95)
    timings["replenishment proposal"], proposal = best_and_result(
        args.repeat, lambda: replenishment.replenishment_proposal(positions, "2026-11-30"))
    since = stats["periods_since_demand"].to_numpy()
    timings["stock health"], _ = best_and_result(args.repeat, lambda: inventory.stock_health(
        items["on_hand"], items["unit_cost"], d * 12, d, since))
    rop = inventory.reorder_point(d, sd, lead, 0.95, lead_sd)
    timings["simulation self-check (36 periods)"], _ = best_and_result(args.repeat, lambda: simulation.simulate_reorder_point_policy(
        quantity, rop, np.maximum(order_qty, 1.0), lead / inventory.MONTH_DAYS, lead_sd / inventory.MONTH_DAYS))

    print(f"{args.skus} SKUs × {args.months} months = {len(history):,} demand rows; "
          f"best of {args.repeat}; {len(proposal.orders)} proposals, {len(proposal.missing)} missing; "
          f"classes {classes.box.value_counts().to_dict()}")
    print(f"{'baseline: build the long table from numpy':45s} {build_s:8.3f} s")
    print(f"{'baseline: read the long table from CSV':45s} {read_s:8.3f} s")
    if xlsx_s is not None:
        print(f"{'baseline: read the long table from xlsx':45s} {xlsx_s:8.3f} s")
    total = 0.0
    for name, seconds in timings.items():
        total += seconds
        print(f"{name:45s} {seconds:8.3f} s   {seconds / read_s:6.2f} × CSV read")
    print(f"{'all calculations':45s} {total:8.3f} s   {total / read_s:6.2f} × CSV read")
    if xlsx_s is not None:
        print(f"{'all calculations':45s} {total:8.3f} s   {total / xlsx_s:6.2f} × xlsx read")


if __name__ == "__main__":
    main()
