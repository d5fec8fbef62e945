"""Time loading history into the store against building the same frames in memory, same run.

Two loads, into a fresh SQLite file and, when a PostgreSQL URL is given (``--postgres`` or
``$DEALERXL_TEST_POSTGRES_URL``), into a private schema of that database that is dropped
afterwards:

* ``sales_transactions`` of the large sample (500,000 lines) as bulk history, one
  transaction (``executemany`` on SQLite, ``COPY`` + ``INSERT … SELECT`` on PostgreSQL);
* 2,000 dealer monthly reports (one per dealer, ``--skus`` lines each) as submissions,
  one transaction per report, as ``collect`` will do.

Baselines measured in the same run: building the 2,000 report frames in memory, and
writing + reading the 500,000 lines as CSV in memory (the least any job spends to get
them). Rows per second and ratios are printed; nothing is asserted (wall-clock depends on
the machine and its load).

    python benchmarks/bench_store_load.py [--dealers 2000] [--skus 20] [--postgres URL]
"""
from __future__ import annotations

import argparse
import hashlib
import io
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from suite.postgres import private_postgres_schema

from dealerxl.sample import generate
from dealerxl.store import open_store


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def dealer_reports(dealers: int, skus: int, month: str = "2026-10") -> list[tuple[str, str, pd.DataFrame]]:
    """One dealer monthly report per dealer: (dealer id, checksum, frame)."""
    rng = np.random.default_rng(7)
    reports = []
    for n in range(dealers):
        opening = rng.integers(0, 200, skus).astype(float)
        received = rng.integers(0, 100, skus).astype(float)
        sold = np.minimum(opening + received, rng.integers(0, 150, skus)).astype(float)
        frame = pd.DataFrame({
            "dealer_id": f"D{n:05d}", "month": pd.Timestamp(f"{month}-01"),
            "sku": [f"SKU{i:05d}" for i in range(skus)], "sku_name": [f"Item {i}" for i in range(skus)],
            "opening_stock_qty": opening, "received_qty": received, "sell_out_qty": sold,
            "sell_out_amount": np.round(sold * rng.uniform(50, 500, skus), 2), "returned_qty": 0.0,
            "dealer_stock_qty": opening + received - sold,
        })
        checksum = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()).hexdigest()
        reports.append((f"D{n:05d}", checksum, frame))
    return reports


def csv_round_trip(frame: pd.DataFrame) -> pd.DataFrame:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    buffer.seek(0)
    return pd.read_csv(buffer)


def bench(label: str, url: str, sales: pd.DataFrame, reports) -> dict[str, float]:
    with open_store(url) as store:
        sales_s, _ = timed(lambda: store.load_rows("sales_transactions", sales))
        reports_s, _ = timed(lambda: [store.load_submission("dealer_monthly", dealer, "2026-10", checksum, frame)
                                      for dealer, checksum, frame in reports])
        rows = sum(len(frame) for _, _, frame in reports)
        assert store.row_count("dealer_monthly") == rows and store.row_count("sales_transactions") == len(sales)
        read_s, _ = timed(lambda: store.read("sales_transactions"))
    print(f"{label:>10}: sales_transactions {len(sales):,} rows in {sales_s:.2f} s = {len(sales) / sales_s:,.0f} rows/s;"
          f" read back in {read_s:.2f} s")
    print(f"{'':>10}  dealer_monthly {len(reports):,} reports ({rows:,} rows) in {reports_s:.2f} s ="
          f" {len(reports) / reports_s:,.0f} reports/s, {rows / reports_s:,.0f} rows/s")
    return {"sales": sales_s, "reports": reports_s}



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dealers", type=int, default=2000)
    parser.add_argument("--skus", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("DEALERXL_TEST_POSTGRES_URL"))
    args = parser.parse_args()

    generate_s, sample = timed(lambda: generate("large"))
    sales = sample["sales_transactions"]
    build_s, reports = timed(lambda: dealer_reports(args.dealers, args.skus))
    csv_s, _ = timed(lambda: csv_round_trip(sales))
    print(f"baselines: large sample generated in {generate_s:.2f} s; {len(sales):,} sales lines CSV write+read in"
          f" memory {csv_s:.2f} s; {args.dealers:,} report frames built in {build_s:.2f} s")

    with tempfile.TemporaryDirectory() as folder:
        times = {"sqlite": bench("sqlite", f"sqlite:///{Path(folder) / 'bench.sqlite'}", sales, reports)}
    if args.postgres:
        url, drop = private_postgres_schema(args.postgres)
        try:
            times["postgresql"] = bench("postgresql", url, sales, reports)
        finally:
            drop()
    for label, measured in times.items():
        print(f"{label:>10}: sales load / CSV round trip = {measured['sales'] / csv_s:.1f}x;"
              f" report loads / building them = {measured['reports'] / build_s:.1f}x")


if __name__ == "__main__":
    main()
