"""Time collecting returned dealer monthly reports against merely opening and reading them, same run.

``--files`` signed dealer monthly reports (one per dealer, ``--skus`` lines each, written
as Excel saves a filled template: values in the input cells) are generated, then timed:

* reading: open every file and read every sheet's cells with python-calamine (what any
  tool must do to see the data at all);
* collecting: ``collect_files`` into a fresh SQLite store (and into a private schema of
  PostgreSQL when ``--postgres`` or ``$DEALERXL_TEST_POSTGRES_URL`` gives one): checksum
  and archive copy, the package checks (file kind, unpacked sizes, the box of filled cells),
  manifest signature, the table's place, locked cells, the form's checks in child processes
  with memory and time limits, one transaction per file;
* the same into SQLite with every check but in this process (``isolate=False``), which
  shows what the child processes cost or save.

Files per second and the ratio are printed, and files per CPU second (this process and the
child processes it waited for), which depends far less on what else the machine runs;
nothing is asserted (wall-clock depends on the machine and its load).

    python benchmarks/bench_collect.py [--files 2000] [--skus 20] [--postgres URL]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from suite.postgres import private_postgres_schema

sys.path.insert(0, str(Path(__file__).resolve().parent))

MONTH = "2026-10"


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def cpu_seconds() -> float:
    """CPU time of this process and of the child processes it has waited for."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def dealer_lines(dealers: list[str], skus: int) -> dict[str, pd.DataFrame]:
    """Each dealer's typed lines: SKU, name and the quantities, consistent stock arithmetic."""
    rng = np.random.default_rng(7)
    lines = {}
    for dealer in dealers:
        opening = rng.integers(0, 200, skus).astype(float)
        received = rng.integers(0, 100, skus).astype(float)
        sold = np.minimum(opening + received, rng.integers(0, 150, skus)).astype(float)
        lines[dealer] = pd.DataFrame({
            "sku": [f"SKU{i:05d}" for i in range(skus)], "sku_name": [f"Item {i}" for i in range(skus)],
            "opening_stock_qty": opening, "received_qty": received, "sell_out_qty": sold,
            "sell_out_amount": np.round(sold * rng.uniform(50, 500, skus), 2), "returned_qty": 0.0,
            "dealer_stock_qty": opening + received - sold})
    return lines


def returned_files(folder: Path, count: int, skus: int) -> list[Path]:
    from dealerxl.exchange import issue_templates

    dealers = [f"D{n:05d}" for n in range(1, count + 1)]
    result = issue_templates("dealer_monthly", MONTH, folder, recipients=dealers, lang="zh-Hant",
                             prefill=dealer_lines(dealers, skus))
    return list(result.outputs)


def read_only(files: list[Path]) -> int:
    """Open each file and read every sheet's values; the cells seen."""
    import python_calamine

    cells = 0
    for path in files:
        book = python_calamine.CalamineWorkbook.from_path(str(path), load_tables=True)
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells += sum(len(r) for r in rows)
    return cells


def collect(files: list[Path], url: str, archive: Path, isolate: bool = True) -> dict[str, int]:
    from dealerxl.exchange import collect_files

    result = collect_files(files, store_url=url, archive=archive, isolate=isolate)
    return result.summary



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--skus", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("DEALERXL_TEST_POSTGRES_URL"))
    args = parser.parse_args(argv)
    os.environ.setdefault("DEALERXL_EXCHANGE_KEY", "be" * 32)

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        made_s, files = timed(lambda: returned_files(folder / "returned", args.files, args.skus))
        size = sum(p.stat().st_size for p in files)
        print(f"generated {len(files):,} dealer monthly files ({args.skus} lines each, {size / 1e6:.1f} MB) "
              f"in {made_s:.1f} s")
        read_s, cells = timed(lambda: read_only(files))
        print(f"{'read only':>30}: {read_s:.2f} s = {len(files) / read_s:,.1f} files/s ({cells:,} cells)")
        stores = {"sqlite": (f"sqlite:///{folder / 'bench.sqlite'}", None, True),
                  "sqlite (in process)": (f"sqlite:///{folder / 'bench-here.sqlite'}", None, False)}
        if args.postgres:
            stores["postgresql"] = (*private_postgres_schema(args.postgres), True)
        try:
            for label, (url, _, isolate) in stores.items():
                archive = folder / f"archive-{label.split()[0]}-{isolate}"
                cpu_before = cpu_seconds()
                collect_s, summary = timed(lambda url=url, archive=archive, isolate=isolate:
                                           collect(files, url, archive, isolate))
                cpu_s = cpu_seconds() - cpu_before
                if summary["accepted"] != len(files):
                    print(f"collect into {label} accepted {summary['accepted']} of {len(files)} files",
                          file=sys.stderr)
                    return 1
                print(f"{'collect ' + label:>30}: {collect_s:.2f} s = {len(files) / collect_s:,.1f} files/s;"
                      f" {collect_s / read_s:.1f}x the read-only time; {len(files) / cpu_s:,.1f} files per CPU"
                      " second")
        finally:
            for _, drop, _ in stores.values():
                if drop:
                    drop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
