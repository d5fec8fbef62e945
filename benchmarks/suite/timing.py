"""Stopwatch and the fit of cost against size."""
from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np


class Stopwatch:
    """Named laps: ``with watch("read"): …`` adds the time spent to ``watch.laps["read"]``."""

    def __init__(self):
        self.laps: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.laps[name] = self.laps.get(name, 0.0) + time.perf_counter() - start


def best_and_result(repeat: int, function):
    """Shortest wall time of ``repeat`` calls (the least disturbed by other load on the
    machine), and the last call's result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def best_of(repeat: int, function) -> float:
    """Shortest wall time of ``repeat`` calls."""
    return best_and_result(repeat, function)[0]


def best_of_alternating(functions, repeat: int = 3, budget_s: float = 0.25, most: int = 200) -> list[float]:
    """Shortest wall time of each function, called in turn (one call of each per round) so a
    change in the machine's load touches all of them alike; at least ``repeat`` rounds, more
    (up to ``most``) while the rounds so far took under ``budget_s``: quick functions, the
    noisiest to time, get the most tries."""
    best = [float("inf")] * len(functions)
    spent, rounds = 0.0, 0
    while rounds < repeat or (spent < budget_s and rounds < most):
        for index, function in enumerate(functions):
            start = time.perf_counter()
            function()
            took = time.perf_counter() - start
            best[index] = min(best[index], took)
            spent += took
        rounds += 1
    return best


def fitted_exponent(sizes, costs) -> float:
    """Slope b of log cost = a + b·log size by least squares (b = 1: linear)."""
    x, y = np.log(np.asarray(sizes, dtype=float)), np.log(np.asarray(costs, dtype=float))
    return float(np.polyfit(x, y, 1)[0])
