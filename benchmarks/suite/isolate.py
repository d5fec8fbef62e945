"""Running one measurement in a fresh process, so peak memory belongs to it alone."""
from __future__ import annotations

import multiprocessing
import resource
from concurrent.futures import ProcessPoolExecutor


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _call(function, args: tuple) -> dict:
    before = _peak_mb()
    result = function(*args)
    result["peak_mb"] = round(_peak_mb(), 1)
    result["start_mb"] = round(before, 1)
    return result


def isolated(function, *args) -> dict:
    """``function(*args)`` (returning a dict) in a new interpreter; adds ``peak_mb`` (peak
    resident memory of that process) and ``start_mb`` (before the call, after imports)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_call, function, args).result()
