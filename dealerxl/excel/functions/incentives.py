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
        raise CalcError("msg.calc.incentives.plan_range_two_three")
    values = matrix(cells[:, :2])
    used = ~np.isnan(values).all(axis=1)
    mode = "marginal"
    if cells.shape[1] >= 3:
        words = _texts(cells[:, 2])
        words = words[words != ""].str.lower().unique()
        if len(words) > 1:
            raise CalcError("msg.calc.incentives.plan_mode_column_holds", words=sorted(words))
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
        raise CalcError("msg.calc.incentives.has_cells_but_sales", name=name, size=x.size, rows=rows)
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
    # The spilled table built directly, not as a DataFrame of objects filled by .loc: the header,
    # then one row per sales cell, blank (NaN) where sales or target is blank. The tier is an int.
    out = np.empty((amount.size + 1, len(COMMISSION_COLUMNS)), dtype=object)
    out[0] = COMMISSION_COLUMNS
    body = out[1:]
    if not filled.any():
        body[:] = np.nan
        return out
    computed = incentives.commission_columns(amount[filled], goal[filled], plan_)
    computed["commission"] = computed["payout"]
    every = filled.all()
    spread = np.full(amount.size, np.nan)  # a float column at its rows, NaN in the blank ones
    for j, name in enumerate(COMMISSION_COLUMNS):
        if every:
            body[:, j] = computed[name]
        elif name == "tier":  # ints: the blank rows stay NaN
            body[:, j] = np.nan
            body[filled, j] = computed[name]
        else:
            spread[filled] = computed[name]
            body[:, j] = spread
    return out


def _kpi_block(values, name: str, shape: tuple[int, int]) -> np.ndarray:
    """Targets or weights: one row shared by everyone (kept as one row) or one row per person."""
    block = matrix(values)
    if block.shape != (1, shape[1]) and block.shape != shape:
        raise CalcError("msg.calc.incentives.one_row_cells_rows", name=name, shape=shape[1], shape2=shape[0], shape3=shape[1], shape4=block.shape[0], shape5=block.shape[1])
    return block


@udf("actuals", "targets", "weights", "directions")
def DX_KPI_SCORE(actuals, targets, weights, directions=None, cap=None):
    """Weighted KPI score per person: 100 · Σ w·min(attainment, cap) / Σ w.

    Spills one column, one score per row of ``actuals``; a row with every actual blank, or
    with a weighted KPI not yet measured, gives a blank score. Weights of a row add up to 1 or
    to 100.
    """
    actual = matrix(actuals)
    kpis = actual.shape[1]
    target = _kpi_block(targets, "targets", actual.shape)
    weight = np.nan_to_num(_kpi_block(weights, "weights", actual.shape))  # a blank weight: the KPI does not count
    if directions is None:
        sign = np.ones(kpis, dtype=int)
    else:
        sign = people.directions(np.asarray(directions, dtype=object).ravel())
        if sign.size != kpis:
            raise CalcError("msg.calc.incentives.directions_has_cells_but", size=sign.size, kpis=kpis)
    return column(people.kpi_block_scores(actual, target, weight, sign, float(scalar(cap, 1.2)), 0.001))


GRADE_COLUMNS = ("grade", "bonus_multiple")


@udf("scores", "bands", "shares")
def DX_KPI_GRADE(scores, bands, shares=None):
    """Grade and bonus multiple per score from a band table (grade, min score, bonus multiple);
    with ``shares`` (one per band row, adding up to 100 %) grades follow a forced distribution
    by rank instead. Spills grade and bonus_multiple under a header; blank scores stay blank.
    """
    cells = np.asarray(bands, dtype=object)
    if cells.ndim != 2 or cells.shape[1] < 2:
        raise CalcError("msg.calc.incentives.bands_range_two_three")
    names = _texts(cells[:, 0])
    used = (names != "").to_numpy()
    grades = names[used].to_numpy(dtype=object)
    _refuse_repeated_grades(grades)
    numbers_ = matrix(cells[used, 1:])
    minimum = numbers_[:, 0]
    multiple = numbers_[:, 1] if numbers_.shape[1] > 1 else np.full(grades.size, np.nan)
    value = numbers(scores)
    position = people.band_index(value, minimum)  # the band of each score; -1 for a blank score
    if shares is not None:
        share = numbers(shares)
        if share.size != cells.shape[0]:
            raise CalcError("msg.calc.incentives.shares_has_cells_but", size=share.size, shape=cells.shape[0])
        order = np.argsort(-minimum, kind="stable")
        position = np.append(order, -1)[people.forced_index(value, np.nan_to_num(share[used])[order])]
    # One row per band (a blank score's blank row first, the header last) picked by position:
    # the result in one step, each cell as the name lookup gives it.
    choices = np.empty((grades.size + 2, 2), dtype=object)
    choices[0] = (None, np.nan)
    choices[1:-1, 0] = grades
    choices[1:-1, 1] = multiple
    choices[-1] = GRADE_COLUMNS
    pick = np.empty(value.size + 1, dtype=np.intp)
    pick[0] = -1
    np.add(position, 1, out=pick[1:])
    return np.take(choices, pick, axis=0)


def _refuse_repeated_grades(grades: np.ndarray) -> None:
    """Two bands with one grade name would give that grade two bonus multiples."""
    seen = set()
    for grade in grades:
        if grade in seen:
            raise CalcError("msg.calc.incentives.two_grade_bands_have", grade=grade)
        seen.add(grade)
