"""Benchmark inputs: the large sample scaled, written once and kept under ``benchmarks/.cache``."""
from __future__ import annotations

import hashlib
import re
import time
from functools import lru_cache
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


# What shapes a sample workbook: its data, the forms, their labels and the workbook writer.
SHAPING_CODE = ("sample", "forms", "i18n", "build", "book")  # book: the cached formula results


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A short hash of the code that shapes a sample workbook, so a workbook cached by other code
    (older sample data, other forms) is never taken for this code's."""
    import dealerxl

    root = Path(dealerxl.__file__).resolve().parent
    digest = hashlib.sha256()
    for folder in SHAPING_CODE:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in (".py", ".tsv") and path.is_file():
                digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:10]


def workbook_path(scale: float, cache: Path = CACHE) -> Path:
    """The cached workbook of ``scale`` for this code (see :func:`code_fingerprint`)."""
    return cache / f"sample-x{scale:g}-{code_fingerprint()}.xlsm"


def forget_other_workbooks(scale: float, cache: Path = CACHE) -> list[Path]:
    """Remove the cached workbooks of ``scale`` made by other code (a few hundred MB each); return them."""
    keep = workbook_path(scale, cache)
    same_scale = re.compile(rf"sample-x{re.escape(f'{scale:g}')}(-[0-9a-f]+)?\.xlsm")
    stale = [p for p in cache.glob("sample-x*.xlsm") if p != keep and same_scale.fullmatch(p.name)]
    for old in stale:
        old.unlink()
    return stale
