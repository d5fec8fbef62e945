"""Incentive and appraisal UDFs (manual 4.5, 2.3, 2.4): tiered commission and weighted KPI
scores for whole ranges at once.

Plan layout for ``DX_COMMISSION`` (a range of 2 or 3 columns, one row per band, best
selected with its blank rows below, which are ignored)::

    band lower (attainment) | rate  | mode
    0                       | 1.0 % | marginal      ← mode in the first row (blank = marginal)
    80 %                    | 1.5 % |
    100 %                   | 2.0 % |

The mode is ``marginal`` (each band's slice at its own rate) or ``stepped`` (the whole amount
at the reached band's rate). Accelerator, gate and cap are optional single values.

KPI layout for ``DX_KPI_SCORE``: one row per person and one column per KPI in ``actuals``;
``targets`` and ``weights`` are either one row (the same for everyone) or the same shape as
``actuals``; ``directions`` is one row of higher/lower (blank = higher is better).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError, incentives, people
from dealerxl.excel.functions.convert import column, matrix, numbers, scalar, table
from dealerxl.excel.functions.registry import udf

COMMISSION_COLUMNS = ["attainment", "tier", "rate", "base", "accelerator", "cap_cut", "commission"]


def _texts(cells) -> pd.Series:
    """A column of cells as stripped text; blank cells become empty text."""
    series = pd.Series(np.asarray(cells, dtype=object))
    return series.where(series.notna(), "").astype(str).str.strip()


def _plan(plan, accelerator, gate, cap) -> incentives.IncentivePlan:
    cells = np.asarray(plan, dtype=object)
    if cells.ndim != 2 or cells.shape[1] < 2:
        raise CalcError("the plan is a range of two or three columns: band lower bound, rate, mode")
    values = matrix(cells[:, :2])
    used = ~np.isnan(values).all(axis=1)
    mode = "marginal"
    if cells.shape[1] >= 3:
        words = _texts(cells[:, 2])
        words = words[words != ""].str.lower().unique()
        if len(words) > 1:
            raise CalcError(f"the plan's mode column holds different modes: {sorted(words)}")
        mode = words[0] if len(words) else mode
    return incentives.IncentivePlan(
        band_lower=tuple(values[used, 0]), rate=tuple(values[used, 1]), mode=mode,
        gate=float(scalar(gate, 0.0)), accelerator=float(scalar(accelerator, 1.0)),
        cap_amount=scalar(cap, None))


def _per_row(values, rows: int, name: str) -> np.ndarray:
    x = numbers(values)
    if x.size == 1:
        return np.full(rows, x[0])
    if x.size != rows:
        raise CalcError(f"{name} has {x.size} cells but sales has {rows}")
    return x


@udf("sales", "target", "plan")
def DX_COMMISSION(sales, target, plan, accelerator=None, gate=None, cap=None):
    """Tiered commission per row of sales against its target, under a plan's tier table.

    Spills a header and one row per sales cell: attainment, tier, rate, base, accelerator,
    cap_cut, commission. A blank sales or target cell gives a blank row.
    """
    plan_ = _plan(plan, accelerator, gate, cap)
    amount = numbers(sales)
    goal = _per_row(target, amount.size, "target")
    filled = ~np.isnan(amount) & ~np.isnan(goal)
    result = pd.DataFrame(np.nan, index=range(amount.size), columns=COMMISSION_COLUMNS, dtype=object)
    if filled.any():
        computed = incentives.commission(amount[filled], goal[filled], plan_)
        computed["commission"] = computed["payout"]
        result.loc[filled, COMMISSION_COLUMNS] = computed[COMMISSION_COLUMNS].to_numpy(dtype=object)
    return table(result)


def _kpi_rows(actuals, targets, weights, directions) -> pd.DataFrame:
    """The KPI block as long rows (person, weight, target, actual, direction), without loops."""
    actual = matrix(actuals)
    people_count, kpis = actual.shape

    def spread(values, name: str) -> np.ndarray:
        block = matrix(values)
        if block.shape == (1, kpis):
            return np.repeat(block, people_count, axis=0)
        if block.shape != (people_count, kpis):
            raise CalcError(f"{name} must be one row of {kpis} cells or {people_count} rows × {kpis} columns; "
                            f"found {block.shape[0]} × {block.shape[1]}")
        return block

    target = spread(targets, "targets")
    weight = np.nan_to_num(spread(weights, "weights"))  # a blank weight: the KPI does not count for that person
    if directions is None:
        sign = np.ones(kpis, dtype=int)
    else:
        sign = people.directions(np.asarray(directions, dtype=object).ravel())
        if sign.size != kpis:
            raise CalcError(f"directions has {sign.size} cells but there are {kpis} KPIs")
    frame = pd.DataFrame({
        "staff_id": np.repeat(np.arange(people_count), kpis), "weight": weight.ravel(),
        "target": target.ravel(), "actual": actual.ravel(),
        "kpi_direction": np.tile(sign, people_count),  # ±1: people.directions takes these as they are
    })
    # Unweighted KPIs neither need a target nor count; give them a neutral one so they pass the checks.
    unused = frame["weight"] == 0
    frame.loc[unused, ["target", "actual"]] = 1.0
    return frame


@udf("actuals", "targets", "weights", "directions")
def DX_KPI_SCORE(actuals, targets, weights, directions=None, cap=None):
    """Weighted KPI score per person: 100 · Σ w·min(attainment, cap) / Σ w.

    Spills one column, one score per row of ``actuals``; a row with every actual blank, or
    with a weighted KPI not yet measured, gives a blank score. Weights of a row add up to 1 or
    to 100.
    """
    rows = _kpi_rows(actuals, targets, weights, directions)
    measured = ~np.isnan(matrix(actuals)).all(axis=1)
    scores = people.kpi_scores(rows[np.repeat(measured, matrix(actuals).shape[1])],
                               float(scalar(cap, 1.2)), 0.001)
    result = pd.Series(np.nan, index=range(measured.size))
    result[scores["staff_id"].to_numpy()] = scores["score"].to_numpy()
    return column(result.to_numpy())


@udf("scores", "bands", "shares")
def DX_KPI_GRADE(scores, bands, shares=None):
    """Grade and bonus multiple per score from a band table (grade, min score, bonus multiple);
    with ``shares`` (one per band row, adding up to 100 %) grades follow a forced distribution
    by rank instead. Spills grade and bonus_multiple under a header; blank scores stay blank.
    """
    cells = np.asarray(bands, dtype=object)
    if cells.ndim != 2 or cells.shape[1] < 2:
        raise CalcError("the bands are a range of two or three columns: grade, min score, bonus multiple")
    names = _texts(cells[:, 0])
    used = (names != "").to_numpy()
    grades = names[used].to_numpy(dtype=object)
    numbers_ = matrix(cells[used, 1:])
    minimum = numbers_[:, 0]
    multiple = numbers_[:, 1] if numbers_.shape[1] > 1 else np.full(grades.size, np.nan)
    value = numbers(scores)
    band = people.band_grades(value, minimum, grades)
    if shares is not None:
        share = numbers(shares)
        if share.size != cells.shape[0]:
            raise CalcError(f"shares has {share.size} cells but the bands have {cells.shape[0]} rows")
        order = np.argsort(-minimum, kind="stable")
        band = people.forced_grades(value, np.nan_to_num(share[used])[order], grades[order])
    position = pd.Index(grades).get_indexer(band)  # -1 for a blank score (no grade)
    bonus = np.where(position >= 0, multiple[position], np.nan)
    return table({"grade": band, "bonus_multiple": bonus})
