"""Incentive and appraisal UDFs (manual 4.5, 2.3, 2.4): tiered commission and weighted KPI
scores for whole ranges at once.

Plan layout for ``DX_COMMISSION`` (a range of 2 or 3 columns, one row per band, best
selected with its blank rows below, which are ignored)::

    band lower (attainment) | rate  | mode
    0                       | 1.0 % | marginal      ← mode in the first row (blank = marginal)
    80 %                    | 1.5 % |
    100 %                   | 2.0 % |

The mode is ``marginal`` (each band's slice at its own rate) or ``stepped`` (the whole amount
at the reached band's rate), or their labels in any of the three languages (分段累進, 全額適用). Accelerator, gate and cap are optional single values.

KPI layout for ``DX_KPI_SCORE``: one row per person and one column per KPI in ``actuals``;
``targets`` and ``weights`` are either one row (the same for everyone) or the same shape as
``actuals``; ``directions`` is one row of higher/lower (blank = higher is better), in any of
the three languages (越高越好, Higher is better, higher_better, or 1 / −1).
"""
from __future__ import annotations

import numpy as np

from dealerxl.calc import incentives, people
from dealerxl.excel.functions.convert import (block_numbers, blanks_done, coded, column, first_items, first_rows, matrix, numbers,
                                              one_number, per_row, texts, used_rows)
from dealerxl.excel.functions.errors import InputError, blank_cell
from dealerxl.excel.functions.language import headers
from dealerxl.excel.functions.registry import udf

COMMISSION_COLUMNS = ["attainment", "tier", "rate", "base", "accelerator", "cap_cut", "commission"]


def _plan(plan, accelerator, gate, cap) -> incentives.IncentivePlan:
    cells = np.asarray(plan, dtype=object)
    if cells.ndim != 2 or cells.shape[1] < 2:
        raise InputError("msg.udf.plan_shape", argument="plan")
    values = block_numbers(cells, "plan", (0, 1))[:, :2]
    used = ~np.isnan(values).all(axis=1)
    mode = "marginal"
    if cells.shape[1] >= 3:
        mode_cells = np.full(cells.shape, None, dtype=object)  # the mode column in place, so its cells are named
        mode_cells[:, 2] = cells[:, 2]
        modes = [m for m in coded(mode_cells, "plan", "commission_mode") if m is not None]
        if len(set(modes)) > 1:
            raise InputError("msg.udf.plan_modes", argument="plan", modes=", ".join(sorted(set(modes))))
        mode = modes[0] if modes else mode
    return incentives.IncentivePlan(
        band_lower=tuple(values[used, 0]), rate=tuple(values[used, 1]), mode=mode,
        gate=one_number(gate, "gate", 0.0), accelerator=one_number(accelerator, "accelerator", 1.0),
        cap_amount=one_number(cap, "cap", None))


def commission_arguments(sales, target, plan, accelerator=None, gate=None, cap=None):
    """DX_COMMISSION's arguments read: the plan, and the sales with their targets (one per
    sales cell), up to the last row with either."""
    rows = used_rows(sales, target)
    amount = numbers(first_items(sales, rows), "sales")
    return (_plan(plan, accelerator, gate, cap), amount,
            per_row(first_items(target, rows), amount.size, "target", "sales"))


@udf("sales", "target", "plan")
def DX_COMMISSION(sales, target, plan, accelerator=None, gate=None, cap=None, codes=None):
    """Tiered commission per row of sales against its target, under a plan's tier table.

    Spills a header and one row per sales cell: attainment, tier, rate, base, accelerator,
    cap_cut, commission. A blank sales or target cell gives a blank row.
    """
    plan_, amount, goal = commission_arguments(sales, target, plan, accelerator, gate, cap)
    filled = ~np.isnan(amount) & ~np.isnan(goal)
    # The spilled table built directly, not as a DataFrame of objects filled by .loc: the header,
    # then one row per sales cell, blank (None) where sales or target is blank. The tier is an int.
    out = np.empty((amount.size + 1, len(COMMISSION_COLUMNS)), dtype=object)
    out[0] = headers(COMMISSION_COLUMNS)
    body = out[1:]
    if not filled.any():
        body[:] = None
        return blanks_done(out)
    computed = incentives.commission_columns(amount[filled], goal[filled], plan_)
    computed["commission"] = computed["payout"]
    every = filled.all()
    spread = np.full(amount.size, np.nan)  # a float column at its rows, NaN in the blank ones
    for j, name in enumerate(COMMISSION_COLUMNS):
        values = computed[name]
        if every:
            body[:, j] = values
        elif name == "tier":  # ints: the blank rows are set blank below
            body[filled, j] = values
        else:
            spread[filled] = values
            body[:, j] = spread
        missing = ~filled if values.dtype.kind != "f" else ~filled | np.isnan(spread if not every else values)
        if missing.any():
            body[missing, j] = None
    return blanks_done(out)


def _kpi_block(values, name: str, shape: tuple[int, int]) -> np.ndarray:
    """Targets or weights: one row shared by everyone (kept as one row) or one row per person."""
    block = matrix(first_rows(values, shape[0]), name)
    if block.shape != (1, shape[1]) and block.shape != shape:
        raise InputError("msg.udf.kpi_shape", argument=name, kpis=shape[1], people=shape[0],
                         rows=block.shape[0], columns=block.shape[1])
    return block


# Directions written as words in formulas before the KPI sheets had a dropdown.
DIRECTION_WORDS = {"higher": people.HIGHER, "lower": people.LOWER, "1": people.HIGHER, "-1": people.LOWER}


def kpi_arguments(actuals, targets, weights, directions=None, cap=None):
    """DX_KPI_SCORE's arguments read: the actuals (people × KPIs, up to the last person with
    one), targets and weights (one row or one per person; a blank weight is 0), the direction
    sign per KPI and the cap."""
    actual = matrix(first_rows(actuals, used_rows(blocks=(actuals,))), "actuals")
    kpis = actual.shape[1]
    target = _kpi_block(targets, "targets", actual.shape)
    weight = np.nan_to_num(_kpi_block(weights, "weights", actual.shape))  # a blank weight: the KPI does not count
    if directions is None:
        sign = np.ones(kpis, dtype=int)
    else:
        words = coded(directions, "directions", "kpi_direction", DIRECTION_WORDS)
        if words.size != kpis:
            raise InputError("msg.udf.lengths", argument="directions", cells=words.size, other="actuals",
                             rows=kpis)
        sign = np.where(words == people.LOWER, -1, 1)  # blank: higher is better
    return actual, target, weight, sign, one_number(cap, "cap", 1.2)


@udf("actuals", "targets", "weights", "directions")
def DX_KPI_SCORE(actuals, targets, weights, directions=None, cap=None):
    """Weighted KPI score per person: 100 · Σ w·min(attainment, cap) / Σ w.

    Spills one column, one score per row of ``actuals``; a row with every actual blank, or
    with a weighted KPI not yet measured, gives a blank score. Weights of a row add up to 1 or
    to 100.
    """
    actual, target, weight, sign, capped_at = kpi_arguments(actuals, targets, weights, directions, cap)
    return column(people.kpi_block_scores(actual, target, weight, sign, capped_at, 0.001))


GRADE_COLUMNS = ("grade", "bonus_multiple")


@udf("scores", "bands", "shares")
def DX_KPI_GRADE(scores, bands, shares=None, codes=None):
    """Grade and bonus multiple per score from a band table (grade, min score, bonus multiple);
    with ``shares`` (one per band row, adding up to 100 %) grades follow a forced distribution
    by rank instead. Spills grade and bonus_multiple under a header; blank scores stay blank.
    """
    grades, minimum, multiple, used = band_table(bands)
    value = numbers(first_items(scores, used_rows(scores)), "scores")
    position = people.band_index(value, minimum)  # the band of each score; -1 for a blank score
    if shares is not None:
        share = forced_shares(shares, used)
        order = np.argsort(-minimum, kind="stable")
        position = np.append(order, -1)[people.forced_index(value, share[order])]
    # One row per band (a blank score's blank row first, the header last) picked by position:
    # the result in one step, each cell as the name lookup gives it.
    choices = np.empty((grades.size + 2, 2), dtype=object)
    choices[0] = (None, None)
    choices[1:-1, 0] = grades
    choices[1:-1, 1] = np.where(np.isnan(multiple), None, multiple)  # a band without a bonus multiple: blank
    choices[-1] = headers(GRADE_COLUMNS)
    pick = np.empty(value.size + 1, dtype=np.intp)
    pick[0] = -1
    np.add(position, 1, out=pick[1:])
    return blanks_done(np.take(choices, pick, axis=0))


def band_table(bands):
    """The grade bands read: the grades of the rows that name one, their minimum scores and
    bonus multiples (NaN without that column), and which rows of the range those are."""
    cells = np.asarray(bands, dtype=object)
    if cells.ndim != 2 or cells.shape[1] < 2:
        raise InputError("msg.udf.bands_shape", argument="bands")
    names = texts(cells[:, 0])
    used = (names != "").to_numpy()
    grades = names[used].to_numpy(dtype=object)
    _refuse_repeated_grades(grades)
    numbers_ = block_numbers(cells, "bands", range(1, cells.shape[1]))[used, 1:]
    minimum = numbers_[:, 0]
    if np.isnan(minimum).any():  # a grade without its minimum score
        raise blank_cell("bands", int(np.flatnonzero(used)[np.isnan(minimum)][0]) * cells.shape[1] + 1, cells.shape)
    multiple = numbers_[:, 1] if numbers_.shape[1] > 1 else np.full(grades.size, np.nan)
    return grades, minimum, multiple, used


def forced_shares(shares, used: np.ndarray) -> np.ndarray:
    """The forced-distribution share of each named band (one cell per band row; blank is 0)."""
    share = numbers(shares, "shares")
    if share.size != used.size:
        raise InputError("msg.udf.lengths", argument="shares", cells=share.size, other="bands", rows=used.size)
    return np.nan_to_num(share[used])


def _refuse_repeated_grades(grades: np.ndarray) -> None:
    """Two bands with one grade name would give that grade two bonus multiples."""
    seen = set()
    for grade in grades:
        if grade in seen:
            raise InputError("msg.udf.grade_twice", argument="bands", grade=grade)
        seen.add(grade)
