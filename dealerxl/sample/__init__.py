"""Realistic, deterministic sample data for every form.

``generate(size, end)`` returns ``{form_id: DataFrame}`` whose columns are the forms'
column ids and whose coded columns hold codes (not labels). Each chapter module
``chNN.py`` defines ``generate(ctx) -> dict[str, DataFrame]``; modules run in
:data:`ORDER` so later ones can use what earlier ones made (``ctx.frames``): staff first,
then dealers, items, sales, the stock movements those sales make, receivables, service…
Randomness comes only from ``ctx.rng`` (seeded), so the same size, end month and seed always
give the same data.

What a chapter decides that is no form but that a later chapter must follow lives in
``ctx.plan``: each dealer's expected purchases and growth (``"dealers"``, set with the dealer
master) and each item's expected demand month by month (``"item_demand"``, set with the item
master), so that the sales drawn later buy what the dealers are sized for and sell the items
the way their life cycle says.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import import_module

import numpy as np
import pandas as pd

# Module order: each may read the frames of those before it.
ORDER = ["ch01", "ch02", "ch03", "ch05", "ch04", "ch05_stock", "ch08", "ch06", "ch07", "ch09", "ch10", "ch11", "ch12",
         "settings"]

DEFAULT_END = "2026-10"


@dataclass(frozen=True)
class Size:
    name: str
    dealers: int
    months: int
    transactions: int
    skus: int
    staff: int


SIZES = {
    "small": Size("small", dealers=40, months=24, transactions=6_000, skus=60, staff=20),
    "large": Size("large", dealers=2_000, months=36, transactions=500_000, skus=5_000, staff=120),
}


@dataclass
class SampleContext:
    size: Size
    end: pd.Period  # last month of data (monthly period)
    rng: np.random.Generator
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    plan: dict = field(default_factory=dict)  # what later chapters follow that is no form (see above)

    @property
    def months(self) -> pd.PeriodIndex:
        """The ``size.months`` months ending with ``end``, oldest first."""
        return pd.period_range(end=self.end, periods=self.size.months, freq="M")


def generate(size: str | Size = "small", end: str = DEFAULT_END, seed: int = 20261031) -> dict[str, pd.DataFrame]:
    """Sample data for every form that has a generator, keyed by form id."""
    spec = SIZES[size] if isinstance(size, str) else size
    ctx = SampleContext(spec, pd.Period(end, freq="M"), np.random.default_rng(seed))
    for name in ORDER:
        try:
            module = import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue  # that chapter has no generator yet
            raise
        for form_id, frame in module.generate(ctx).items():
            if form_id in ctx.frames:
                raise ValueError(f"sample data for form {form_id!r} generated twice")
            ctx.frames[form_id] = frame
    return ctx.frames
