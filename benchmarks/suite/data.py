"""Benchmark inputs: the large sample scaled, written once and kept under ``benchmarks/.cache``."""
from __future__ import annotations

import time
from pathlib import Path

CACHE = Path(__file__).resolve().parents[1] / ".cache"
QUICK_SCALE = 0.012  # 24 dealers, 6,000 sales lines: seconds, for the smoke run


def scaled_size(scale: float):
    """The large sample's size times ``scale`` (months stay 36)."""
    from dealerxl.sample import SIZES, Size

    large = SIZES["large"]
    return Size(f"large-x{scale:g}", dealers=max(12, round(large.dealers * scale)), months=large.months,
                transactions=max(2_000, round(large.transactions * scale)), skus=max(20, round(large.skus * scale)),
                staff=max(10, round(large.staff * scale)))


def make_workbook(scale: float, path: str) -> dict:
    """Generate the scaled sample and write it as a macro workbook (timed, in its own process)."""
    from dealerxl.build import write_workbook
    from dealerxl.sample import generate

    start = time.perf_counter()
    frames = generate(scaled_size(scale))
    generated = time.perf_counter()
    write_workbook(path, data=frames, macro=True)
    done = time.perf_counter()
    return {"rows": int(sum(len(f) for f in frames.values())),
            "sales_lines": int(len(frames["sales_transactions"])),
            "cells": int(sum(f.size for f in frames.values())),
            "generate_s": round(generated - start, 2), "write_s": round(done - generated, 2)}


def workbook_path(scale: float, cache: Path = CACHE) -> Path:
    return cache / f"sample-x{scale:g}.xlsm"
