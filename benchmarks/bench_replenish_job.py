"""Time the whole Replenishment job on the sample workbook, split into read, calculate and
write, each next to the time to just read its input tables in the same run.

The workbook is what ``dealerxl sample --size large`` writes (5,000 SKUs; ``--size small``
for a quick check), made in a temporary folder unless ``--workbook`` names one already made.

* baseline: calamine's raw cell values of the job's input sheets (settings included), no
  parsing or validation: the least any job pays to get its input;
* read: open the workbook and read + validate the job's forms and settings (``load_inputs``);
* calculate: :func:`~dealerxl.jobs.replenish.plan_replenishment` on those inputs (demand
  statistics, ABC-XYZ, policy, proposal, supplier scorecard, logistics costs);
* write: the headless report (``report_sheets`` + ``write_result_workbook``);
* whole: :func:`~dealerxl.jobs.replenish.run_replenishment` from the file plus the write,
  as ``dealerxl replenish`` runs it.

Each step is printed in seconds and as a ratio to the baseline, and calculate / read shows
what the calculations add to reading; nothing is asserted (wall-clock depends on the machine
and its load).

    python benchmarks/bench_replenish_job.py [--size large|small] [--as-of YYYY-MM-DD] [--workbook PATH] [--json OUT]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd


def timed(fn):
    """Wall seconds of one call and its value."""
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def make_sample(size: str, month: str, folder: Path) -> Path:
    """The sample workbook as ``dealerxl sample --size SIZE`` writes it (zh-Hant, no macros)."""
    from dealerxl.build import write_workbook
    from dealerxl.sample import generate

    return write_workbook(folder / f"sample-{size}.xlsx", lang="zh-Hant", data=generate(size, month), macro=False)


def read_baseline(path: Path, forms: list[str]) -> tuple[float, int]:
    """Seconds to read the raw cell values of the forms' sheets and the settings sheet with
    calamine (no parsing, no validation); cells read."""
    import python_calamine

    from dealerxl.forms import get_form
    from dealerxl.i18n import tr

    sheets = {tr(get_form(f).label_key("sheet"), "zh-Hant") for f in [*forms, "settings"]}
    start = time.perf_counter()
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    cells = 0
    for name in book.sheet_names:
        if name in sheets:
            cells += sum(len(row) for row in book.get_sheet_by_name(name).to_python())
    return time.perf_counter() - start, cells


def read_inputs(path: Path, forms: list[str]):
    """The job's read: open the file, read and validate ``forms`` and the settings."""
    from dealerxl.jobs.common import load_inputs

    return load_inputs(path, forms)


def print_table(title: str, rows: list[tuple[str, float]], baseline_s: float, notes: list[str]) -> None:
    """Step, seconds and ratio to the baseline, one line each."""
    print(title)
    print(f"  {'step':<24}{'seconds':>10}{'x baseline':>12}")
    print(f"  {'baseline (raw read)':<24}{baseline_s:>10.2f}{1.0:>12.1f}")
    for name, seconds in rows:
        ratio = seconds / baseline_s if baseline_s else float("nan")
        print(f"  {name:<24}{seconds:>10.2f}{ratio:>12.1f}")
    for note in notes:
        print(f"  {note}")


def run(size: str, as_of: str, workbook: Path | None, folder: Path) -> dict:
    from dealerxl.jobs.common import write_result_workbook
    from dealerxl.jobs.replenish import (INPUT_FORMS, plan_replenishment, report_formats, report_sheets,
                                         run_replenishment)

    made_s = 0.0
    if workbook is None:
        made_s, workbook = timed(lambda: make_sample(size, as_of[:7], folder))
    forms = list(INPUT_FORMS)
    planning_date = pd.Timestamp(as_of)
    baseline_s, cells = read_baseline(workbook, forms)
    read_s, inputs = timed(lambda: read_inputs(workbook, forms))
    calc_s, result = timed(lambda: plan_replenishment(inputs, planning_date))

    def write(res, name):
        return write_result_workbook(folder / name, report_sheets(res), formats=report_formats(res.lang))

    write_s, _ = timed(lambda: write(result, "proposal.xlsx"))
    whole_s, _ = timed(lambda: write(run_replenishment(workbook, as_of=planning_date), "whole.xlsx"))
    return {
        "size": size, "as_of": as_of, "workbook_mb": round(workbook.stat().st_size / 1e6, 2),
        "sample_written_s": round(made_s, 2), "forms_read": len(forms),
        "rows_read": int(sum(len(frame) for frame in inputs.frames.values())), "cells_read_baseline": int(cells),
        "positions": int(result.summary["positions"]), "orders": int(result.summary["orders"]),
        "baseline_s": round(baseline_s, 3), "read_s": round(read_s, 3), "calculate_s": round(calc_s, 3),
        "write_s": round(write_s, 3), "whole_s": round(whole_s, 3),
        "calculate_vs_read": round(calc_s / read_s, 2) if read_s else None,
        "calculate_vs_baseline": round(calc_s / baseline_s, 2) if baseline_s else None,
        "whole_vs_baseline": round(whole_s / baseline_s, 2) if baseline_s else None,
    }


def main(argv: list[str] | None = None) -> int:
    from dealerxl.sample import DEFAULT_END

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("small", "large"), default="large")
    default_as_of = (pd.Period(DEFAULT_END, "M").end_time.normalize()).date().isoformat()
    parser.add_argument("--as-of", default=default_as_of, help="the planning date (default: the sample's last day)")
    parser.add_argument("--workbook", type=Path, help="an existing sample workbook (skips making one)")
    parser.add_argument("--json", type=Path, help="also write the measurements to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dealerxl-bench-replenish-") as folder:
        n = run(args.size, args.as_of, args.workbook, Path(folder))
    print_table(f"replenishment job on the {n['size']} sample ({n['workbook_mb']} MB, {n['rows_read']:,} input rows "
                f"in {n['forms_read']} forms, {n['positions']:,} SKU x location, as of {n['as_of']})",
                [("read + validate", n["read_s"]), ("calculate", n["calculate_s"]), ("write report", n["write_s"]),
                 ("whole job (from file)", n["whole_s"])], n["baseline_s"],
                [f"calculate / read = {n['calculate_vs_read']}  (below 1: the calculations add less than the read)"])
    if args.json:
        args.json.write_text(json.dumps(n, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
