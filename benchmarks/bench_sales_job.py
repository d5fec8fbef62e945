"""Time sales analysis, target allocation and incentive calculation on the sample workbook:
the read, each step and the whole, next to the time to just read the input tables in the
same run.

The workbook is what ``dealerxl sample --size large`` writes (``--size small`` for a quick
check), made in a temporary folder unless ``--workbook`` names one already made.

* baseline: calamine's raw cell values of the input sheets (settings included), no parsing
  or validation: the least any job pays to get its input;
* read: open the workbook and read + validate every form the three steps use, once;
* sales analysis (manual 4.4): sales per dealer × month, MoM / YoY / YTD / rolling 12 months,
  achievement against the monthly targets, contribution to growth by region and by dealer,
  price-volume-mix by product, Pareto of dealers and products, declining dealers, forecast of
  the next 3 months per dealer with its holdout WAPE (:mod:`dealerxl.calc.sales`,
  :mod:`dealerxl.calc.forecast`);
* target allocation: :func:`~dealerxl.jobs.targets.set_targets` for the month's year;
* incentives: :func:`~dealerxl.jobs.incentives.incentive_statements` for the month;
* whole: read + the three steps again from the file, as one run.

Each is printed in seconds and as a ratio to the baseline; calculations / read shows what
the three steps add to reading. Nothing is asserted (wall-clock depends on the machine).

    python benchmarks/bench_sales_job.py [--size large|small] [--month YYYY-MM] [--workbook PATH] [--json OUT]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import pandas as pd

from bench_replenish_job import make_sample, print_table, read_baseline, read_inputs, timed


def input_forms() -> list[str]:
    """The union of the forms the three steps read, in a stable order."""
    from dealerxl.jobs import incentives, targets

    forms = ["sales_transactions", "dealer_master", "monthly_targets"]
    for form_id in (*targets.INPUT_FORMS, *incentives.INPUT_FORMS):
        if form_id not in forms:
            forms.append(form_id)
    return forms


def sales_analysis(inputs, month: pd.Period) -> dict[str, pd.DataFrame]:
    """The sales review of ``month`` from the workbook's transactions and targets."""
    from dealerxl.calc import forecast, sales

    lines = inputs["sales_transactions"]
    dealers = inputs["dealer_master"].drop_duplicates("dealer_id").set_index("dealer_id")
    lines = lines.assign(date=pd.to_datetime(lines["invoice_date"]),
                         region=lines["dealer_id"].map(dealers["region"]))
    lines = lines.loc[lines["date"].dt.to_period("M") <= month]
    by_dealer = sales.sales_matrix(lines, by="dealer_id", last_month=month)
    targets = inputs["monthly_targets"]
    in_month = targets.loc[pd.to_datetime(targets["month"]).dt.to_period("M") == month]
    target = in_month.groupby("dealer_id")["target_amount"].sum().reindex(by_dealer.index)
    prior = month - 12
    by_product = sales.sales_matrix(lines, by="sku", last_month=month)
    return {
        "metrics": sales.period_metrics(by_dealer, month),
        "achievement": sales.achievement(by_dealer[month].to_numpy(), target.to_numpy()),
        "growth_by_region": sales.contribution_to_growth(lines, "region", str(month), str(prior)),
        "growth_by_dealer": sales.contribution_to_growth(lines, "dealer_id", str(month), str(prior)),
        "price_volume_mix": sales.price_volume_mix(lines, str(month), str(prior)),
        # Pareto over the last 12 months; a net return (negative) ranks as nothing sold.
        "pareto_dealers": sales.pareto(by_dealer.iloc[:, -12:].sum(axis=1).clip(lower=0).to_numpy(), by_dealer.index),
        "pareto_products": sales.pareto(by_product.iloc[:, -12:].sum(axis=1).clip(lower=0).to_numpy(),
                                        by_product.index),
        "declining": sales.declining_trend(by_dealer),
        "forecast": forecast.forecast(by_dealer, 3),
        "accuracy": forecast.holdout_accuracy(by_dealer),
    }


def run(size: str, month: str, workbook: Path | None, folder: Path) -> dict:
    from dealerxl.jobs.incentives import incentive_statements
    from dealerxl.jobs.targets import set_targets

    period = pd.Period(month, "M")
    made_s = 0.0
    if workbook is None:
        made_s, workbook = timed(lambda: make_sample(size, month, folder))
    forms = input_forms()
    baseline_s, cells = read_baseline(workbook, forms)
    read_s, inputs = timed(lambda: read_inputs(workbook, forms))
    analysis_s, analysis = timed(lambda: sales_analysis(inputs, period))
    targets_s, targets = timed(lambda: set_targets(inputs, period.year))
    incentives_s, statements = timed(lambda: incentive_statements(inputs, workbook, period))

    def whole():
        fresh = read_inputs(workbook, forms)
        sales_analysis(fresh, period)
        set_targets(fresh, period.year)
        incentive_statements(fresh, workbook, period)

    whole_s, _ = timed(whole)
    calc_s = analysis_s + targets_s + incentives_s
    return {
        "size": size, "month": month, "workbook_mb": round(workbook.stat().st_size / 1e6, 2),
        "sample_written_s": round(made_s, 2), "forms_read": len(forms),
        "rows_read": int(sum(len(frame) for frame in inputs.frames.values())), "cells_read_baseline": int(cells),
        "analysis_tables": len(analysis), "target_rows": len(targets.tables["monthly_targets"]),
        "payees": int(statements.summary["payees"]),
        "baseline_s": round(baseline_s, 3), "read_s": round(read_s, 3), "sales_analysis_s": round(analysis_s, 3),
        "targets_s": round(targets_s, 3), "incentives_s": round(incentives_s, 3), "calculate_s": round(calc_s, 3),
        "whole_s": round(whole_s, 3),
        "calculate_vs_read": round(calc_s / read_s, 2) if read_s else None,
        "whole_vs_baseline": round(whole_s / baseline_s, 2) if baseline_s else None,
    }


def main(argv: list[str] | None = None) -> int:
    from dealerxl.sample import DEFAULT_END

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("small", "large"), default="large")
    parser.add_argument("--month", default=DEFAULT_END, help="the month analysed and paid (default: the sample's last)")
    parser.add_argument("--workbook", type=Path, help="an existing sample workbook (skips making one)")
    parser.add_argument("--json", type=Path, help="also write the measurements to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dealerxl-bench-sales-") as folder:
        n = run(args.size, args.month, args.workbook, Path(folder))
    print_table(f"sales jobs on the {n['size']} sample ({n['workbook_mb']} MB, {n['rows_read']:,} input rows in "
                f"{n['forms_read']} forms, month {n['month']}, {n['target_rows']:,} target rows, {n['payees']} payees)",
                [("read + validate", n["read_s"]), ("sales analysis", n["sales_analysis_s"]),
                 ("target allocation", n["targets_s"]), ("incentives", n["incentives_s"]),
                 ("calculations together", n["calculate_s"]), ("whole (from file)", n["whole_s"])], n["baseline_s"],
                [f"calculations / read = {n['calculate_vs_read']}  (below 1: they add less than the read)"])
    if args.json:
        args.json.write_text(json.dumps(n, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
