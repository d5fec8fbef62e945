"""Time the incentive payout calculation on 500,000 sales lines (120 reps, 2,000 dealers,
12 months) against baselines measured in the same run on the same machine:

* ``groupby``: summing the same lines per rep and month with pandas, the least any
  commission calculation has to do;
* ``csv read``: reading the same lines back from a CSV file written a moment before, the
  least a job spends to get its input.

The payout includes tier splitting of every line, team split, gate, accelerator, cap,
clawbacks of 2 % of the invoices (returns and write-offs) and draws. Each time is the best of
``--repeat`` runs; ratios are printed, nothing is asserted (wall-clock depends on the machine
and its load).

    python benchmarks/bench_incentive_calc.py [--lines 500000] [--reps 120] [--dealers 2000] [--months 12] [--repeat 3]
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from dealerxl.calc.incentives import IncentivePlan
from dealerxl.calc.payouts import calculate_payouts
from suite.timing import best_and_result


def generated_inputs(lines: int, reps: int, dealers: int, months: int, seed: int = 11):
    """Sales lines, payee-month rows, plans and reversals with realistic spread."""
    rng = np.random.default_rng(seed)
    periods = pd.period_range("2026-01", periods=months, freq="M").astype(str).to_numpy()
    dealer_rep = rng.integers(0, reps, dealers)  # each dealer is looked after by one rep
    dealer_size = rng.gamma(1.5, 1.0, dealers)
    dealer = rng.choice(dealers, size=lines, p=dealer_size / dealer_size.sum())
    month = np.sort(rng.integers(0, months, lines))
    invoice = np.arange(lines) // 3  # three lines an invoice on average
    amount = np.round(rng.lognormal(9.5, 1.0, lines), 2)
    rep_ids = np.array([f"S{i:04d}" for i in range(reps)])
    sales = pd.DataFrame({
        "payee_id": rep_ids[dealer_rep[dealer]], "period": periods[month],
        "invoice_no": np.char.add("INV", invoice.astype(str)), "line_no": np.arange(lines) % 3 + 1,
        "dealer_id": np.char.add("D", dealer.astype(str)), "amount": amount,
    })
    monthly = sales.groupby(["payee_id", "period"], as_index=False)["amount"].sum()
    payees = monthly.assign(
        target=monthly.groupby("payee_id")["amount"].transform("mean") * rng.uniform(0.8, 1.2, len(monthly)),
        plan_id=np.where(monthly["payee_id"].str[-1].isin(list("01")), "LEAD", "SAL"),
        team=np.array(["north", "central", "south", "east", "west"])[
            monthly["payee_id"].str[1:].astype(int).to_numpy() % 5],
        proration=np.where(rng.random(len(monthly)) < 0.03, 0.5, 1.0),
        draw=np.where(monthly["payee_id"].str[-1] == "7", 20_000.0, 0.0),
    ).drop(columns="amount")
    plans = {
        "SAL": IncentivePlan((0, 0.8, 1.0, 1.2), (0.01, 0.015, 0.02, 0.025), "marginal", gate=0.5, accelerator=1.5,
                             cap_amount=200_000, team_share=0.2, clawback_months=12, plan_id="SAL"),
        "LEAD": IncentivePlan((0, 0.9, 1.1), (0.003, 0.005, 0.007), "stepped", gate=0.8, accelerator=1.25,
                              cap_amount=300_000, team_share=1.0, clawback_months=12, plan_id="LEAD"),
    }
    reversed_invoices = rng.choice(invoice.max() + 1, size=len(np.unique(invoice)) // 50, replace=False)
    first_line = sales.drop_duplicates("invoice_no").set_index("invoice_no")
    picked = first_line.loc[np.char.add("INV", reversed_invoices.astype(str))]
    later = np.minimum(np.searchsorted(periods, picked["period"].to_numpy()) + rng.integers(0, 3, len(picked)),
                       months - 1)
    reversals = pd.DataFrame({
        "invoice_no": picked.index.to_numpy(), "period": periods[later],
        "amount": np.round(picked["amount"].to_numpy() * rng.uniform(0.2, 1.0, len(picked)), 2),
        "kind": np.where(rng.random(len(picked)) < 0.8, "return", "write_off"),
    })
    return sales, payees, plans, reversals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=500_000)
    parser.add_argument("--reps", type=int, default=120)
    parser.add_argument("--dealers", type=int, default=2_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    sales, payees, plans, reversals = generated_inputs(args.lines, args.reps, args.dealers, args.months)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sales.csv"
        sales.to_csv(path, index=False)
        read_time, _ = best_and_result(args.repeat, lambda: pd.read_csv(path))
    group_time, _ = best_and_result(args.repeat, lambda: sales.groupby(["payee_id", "period"])["amount"].sum())
    payout_time, (lines, summary) = best_and_result(args.repeat,
                                            lambda: calculate_payouts(sales, payees, plans, reversals))

    print(f"{len(sales):,} sales lines, {sales['payee_id'].nunique()} reps, {sales['dealer_id'].nunique():,} dealers, "
          f"{args.months} months, {len(reversals):,} reversals → {len(lines):,} statement lines, "
          f"{len(summary):,} payee-months")
    print(f"{'step':<28}{'seconds':>10}{'× group-by':>12}{'× csv read':>12}")
    for name, seconds in (("baseline: group-by sum", group_time), ("baseline: csv read", read_time),
                          ("payout calculation", payout_time)):
        print(f"{name:<28}{seconds:>10.3f}{seconds / group_time:>12.1f}{seconds / read_time:>12.2f}")


if __name__ == "__main__":
    main()
