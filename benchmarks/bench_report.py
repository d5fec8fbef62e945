"""Time the whole monthly report on the sample workbook, split into read, calculate and write,
against reading the same input tables alone and writing the same output tables alone.

The workbook is what ``dealerxl sample --size large`` writes (``--size small`` for a quick
check), made in a temporary folder unless ``--workbook`` names one already made.

* read: open the workbook and read + validate every form the report uses, once;
* calculate: :func:`run_monthly_report` on that open workbook (sheets already parsed; each
  review still validates its own forms);
* write: :func:`write_report` (charts, formats, print layout);
* floor for reading: calamine's raw values of the same sheets, no validation;
* floor for writing: the report's output tables written with plain XlsxWriter (``write_row``,
  no formats, charts or conditional formats).

Times are printed in seconds with ratios to the floors; nothing is asserted (wall-clock
depends on the machine and its load).

    python benchmarks/bench_report.py [--size large|small] [--month YYYY-MM] [--workbook PATH] [--json OUT]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bench_replenish_job import make_sample, read_baseline, timed


def report_forms() -> list[str]:
    """Every form a review of the monthly report reads (the union of their input lists)."""
    import importlib

    from dealerxl.report.figures import SALES_FORMS

    forms = list(SALES_FORMS)
    for module in ("dealers", "incentives", "replenish", "risk", "service", "targets"):
        for form_id in getattr(importlib.import_module(f"dealerxl.jobs.{module}"), "INPUT_FORMS", ()):
            if form_id not in forms:
                forms.append(form_id)
    return forms


def _plain(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, (str, int, bool)):
        return value
    return str(value)


def write_floor(tables: dict[str, pd.DataFrame], path: Path) -> tuple[float, int]:
    """Seconds to write ``tables`` with plain XlsxWriter (one sheet each, row by row); cells written."""
    import xlsxwriter

    start = time.perf_counter()
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True, "remove_timezone": True})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    cells = 0
    for number, (name, frame) in enumerate(tables.items()):
        sheet = book.add_worksheet(f"t{number}")
        sheet.write_row(0, 0, [str(c) for c in frame.columns])
        for row, values in enumerate(frame.astype(object).to_numpy(), start=1):
            plain = [_plain(v) for v in values]
            sheet.write_row(row, 0, plain, date if any(isinstance(v, pd.Timestamp) for v in values) else None)
        cells += frame.size
    book.close()
    return time.perf_counter() - start, cells


def run(size: str, month: str, workbook: Path | None, folder: Path) -> dict:
    from dealerxl.book import read_form
    from dealerxl.book.read import open_source
    from dealerxl.report.monthly import run_monthly_report
    from dealerxl.report.workbook import write_report

    made_s = 0.0
    if workbook is None:
        made_s, workbook = timed(lambda: make_sample(size, month, folder))
    forms = report_forms()

    def read_all():
        book = open_source(workbook)
        rows = sum(len(read_form(book, form_id).data) for form_id in forms)
        return book, rows

    read_s, (book, rows_read) = timed(read_all)
    calc_s, result = timed(lambda: run_monthly_report(book, month))
    write_s, written = timed(lambda: write_report(result, folder / "report.xlsx"))
    floor_read_s, cells_read = read_baseline(workbook, forms)
    floor_write_s, cells_written = write_floor(result.tables, folder / "plain.xlsx")
    return {
        "size": size, "month": month, "workbook_mb": round(workbook.stat().st_size / 1e6, 2),
        "sample_written_s": round(made_s, 2), "forms_read": len(forms), "rows_read": int(rows_read),
        "cells_read_floor": int(cells_read), "output_rows": int(sum(len(t) for t in result.tables.values())),
        "cells_written_floor": int(cells_written), "report_mb": round(written.stat().st_size / 1e6, 2),
        "read_s": round(read_s, 2), "calculate_s": round(calc_s, 2), "write_s": round(write_s, 2),
        "total_s": round(read_s + calc_s + write_s, 2),
        "read_floor_s": round(floor_read_s, 2), "write_floor_s": round(floor_write_s, 2),
        "read_vs_floor": round(read_s / floor_read_s, 1) if floor_read_s else None,
        "write_vs_floor": round(write_s / floor_write_s, 1) if floor_write_s else None,
        "missing_parts": result.summary["missing_parts"], "problems": len(result.problems),
        "calculate_steps_s": result.summary["seconds"],
    }


def main(argv: list[str] | None = None) -> int:
    from dealerxl.sample import DEFAULT_END

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=("small", "large"), default="large")
    parser.add_argument("--month", default=DEFAULT_END, help="the month reported (default: the sample's last)")
    parser.add_argument("--workbook", type=Path, help="an existing sample workbook (skips making one)")
    parser.add_argument("--json", type=Path, help="also write the measurements to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dealerxl-bench-report-") as folder:
        numbers = run(args.size, args.month, args.workbook, Path(folder))
    print(f"monthly report on the {numbers['size']} sample ({numbers['workbook_mb']} MB, "
          f"{numbers['rows_read']:,} input rows in {numbers['forms_read']} forms, month {numbers['month']})")
    print(f"  read      {numbers['read_s']:8.2f} s   (calamine raw values alone: {numbers['read_floor_s']:.2f} s, "
          f"x{numbers['read_vs_floor']})")
    print(f"  calculate {numbers['calculate_s']:8.2f} s")
    for step, seconds in numbers["calculate_steps_s"].items():
        print(f"    {step:<22} {seconds:8.2f} s")
    print(f"  write     {numbers['write_s']:8.2f} s   (same {numbers['output_rows']:,} rows, plain XlsxWriter: "
          f"{numbers['write_floor_s']:.2f} s, x{numbers['write_vs_floor']})")
    print(f"  total     {numbers['total_s']:8.2f} s   report {numbers['report_mb']} MB")
    if numbers["missing_parts"]:
        print(f"  reviews not included: {numbers['missing_parts']}")
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
