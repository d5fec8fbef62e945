"""KPI scores and grades take whole-array paths (a people × KPIs block, band positions); each
gives exactly what the general path gives: long rows scored by a group-by, grades looked up
by name. Compared cell by cell, floats to the bit, errors by their message."""
from __future__ import annotations

from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from same_results import assert_same, outcome

from dealerxl.calc import CalcError, people
from dealerxl.excel.functions.convert import column, first_items, numbers, table, used_rows
from dealerxl.excel.functions.incentives import (  # as written: they raise
    DX_KPI_GRADE,
    DX_KPI_SCORE,
    GRADE_COLUMNS,
    band_table,
    forced_shares,
    kpi_arguments,
)

NAN = float("nan")


# --- KPI scores: the block path against long rows and kpi_scores ---------------------------

def score_by_long_rows(actuals, targets, weights, directions=None, cap=None):
    """DX_KPI_SCORE the general way: the arguments read as the UDF reads them, targets and
    weights spread to every person, the block as long rows (person, KPI) and the sums per
    person by kpi_scores."""
    actual, target, weight, sign, capped_at = kpi_arguments(actuals, targets, weights, directions, cap)
    people_count = actual.shape[0]
    target, weight = (np.repeat(block, people_count, axis=0) if block.shape[0] == 1 else block
                      for block in (target, weight))
    return column(people._kpi_block_scores_by_rows(actual, target, weight, sign, capped_at, 0.001))


_actual = st.sampled_from([0.0, -0.0, 3.0, 8.0, 45.5, 100.0, 110.0, 250.0, -20.0, 1e300, float("inf"), NAN])
_target = st.sampled_from([1.0, 5.0, 10.0, 80.0, 100.0, 0.5, 1e-300, float("inf"), 0.0, -5.0, NAN])
_share = st.integers(0, 4)


@st.composite
def kpi_blocks(draw, cells=False):
    """A people × KPIs block with targets and weights (one row or one per person), often with
    weights adding up to 1 or 100, sometimes not; in Excel's cells (text, None) when ``cells``."""
    people_count, kpis = draw(st.integers(1, 6)), draw(st.integers(1, 11))
    actual = np.array(draw(st.lists(_actual, min_size=people_count * kpis, max_size=people_count * kpis)))
    actual = actual.reshape(people_count, kpis)
    blank_rows = draw(st.lists(st.booleans(), min_size=people_count, max_size=people_count))
    actual[np.array(blank_rows)] = NAN
    target_rows = draw(st.sampled_from([1, people_count]))
    target = np.array(draw(st.lists(_target, min_size=target_rows * kpis, max_size=target_rows * kpis)))
    target = target.reshape(target_rows, kpis)
    if draw(st.booleans()):  # mostly good targets, so the scores themselves get compared
        target = np.where((target > 0) & np.isfinite(target), target, 10.0)
    weight_rows = draw(st.sampled_from([1, people_count]))
    parts = np.array(draw(st.lists(_share, min_size=weight_rows * kpis, max_size=weight_rows * kpis)), dtype=float)
    parts = parts.reshape(weight_rows, kpis)
    total = parts.sum(axis=1, keepdims=True)
    scale = draw(st.sampled_from([1.0, 100.0]))
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.where(total > 0, parts / total, 0.0) * scale
    oddities = draw(st.lists(st.tuples(st.integers(0, weight.size - 1),
                                       st.sampled_from([-0.0, NAN, -0.5, 1e308, float("inf"), 0.7])), max_size=2))
    for at, value in oddities:
        weight.flat[at] = value
    direction = np.array(draw(st.lists(st.sampled_from([1, -1]), min_size=kpis, max_size=kpis)))
    if not cells:
        return actual, target, weight, direction
    as_cells = [np.where(np.isnan(block), None, block.astype(object)) if draw(st.booleans()) else block
                for block in (actual, target, weight)]
    if draw(st.booleans()):  # a number typed as text, or a word, in the actuals
        as_cells[0] = as_cells[0].astype(object)
        as_cells[0].flat[draw(st.integers(0, actual.size - 1))] = draw(st.sampled_from(["95", "n/a", True, ""]))
    words = np.where(direction > 0, draw(st.sampled_from(["higher", "higher_better", None])), "lower")
    return (*as_cells, words.astype(object).reshape(1, -1))


@settings(max_examples=400, deadline=None)
@given(kpi_blocks(), st.sampled_from([1.2, 1.0, 1.5, 0.0, NAN, float("inf")]), st.sampled_from([0.001, None, 0.0]))
def test_kpi_block_scores_equal_the_long_rows_scores_to_the_bit(block, cap, tolerance):
    actual, target, weight, direction = block
    fast = outcome(lambda: people.kpi_block_scores(actual, target, weight, direction, cap, tolerance))
    general = outcome(lambda: people._kpi_block_scores_by_rows(actual, target, weight, direction, cap, tolerance))
    assert_same(fast, general)


@settings(max_examples=300, deadline=None)
@given(kpi_blocks(cells=True), st.sampled_from([None, 1.2, 1.5, 0, "1.3", "abc"]), st.booleans())
def test_kpi_score_udf_equals_the_long_rows_path(block, cap, with_directions):
    actuals, targets, weights, directions = block
    args = (actuals, targets, weights, directions if with_directions else None, cap)
    assert_same(outcome(lambda: DX_KPI_SCORE(*args)), outcome(lambda: score_by_long_rows(*args)))


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 14).flatmap(lambda kpis: st.lists(
    st.lists(st.sampled_from([0.0, -0.0, 0.1, 0.2, 1 / 3, 0.7, 1e16, -1e16, 1.0, 3e-17, 1e308, float("inf")]),
             min_size=kpis, max_size=kpis), min_size=1, max_size=6)))
def test_sums_per_person_add_in_the_order_of_reduceat_over_each_persons_run(rows):
    people_major = np.array(rows)
    expected = np.add.reduceat(people_major.ravel(), np.arange(0, people_major.size, people_major.shape[1]))
    with np.errstate(invalid="ignore"):
        assert_same(people._person_sums(np.ascontiguousarray(people_major.T)), expected)


def test_a_shared_weight_row_sums_as_each_persons_own_row_would():
    weight = np.array([[0.1, 0.2, 0.3, 0.15, 0.05, 0.1, 0.05, 0.025, 0.025, 0.0]])
    actual = np.full((4, weight.size), 50.0)
    shared = people.kpi_block_scores(actual, [[100.0] * weight.size], weight)
    each = people.kpi_block_scores(actual, [[100.0] * weight.size], np.repeat(weight, 4, axis=0))
    assert_same(shared, each)
    assert shared.tolist() == pytest.approx([50.0] * 4)


def test_kpi_block_scores_blank_unmeasured_people_and_ignore_unweighted_kpis():
    actual = [[110, np.nan, 4], [np.nan] * 3, [90, 5, np.nan]]
    # the second KPI weighs 0 for the first person (blank actual, bad target: neither counts)
    weight = [[0.8, 0.0, 0.2], [0.5, 0.3, 0.2], [0.5, 0.3, 0.2]]
    target = [[100, -1, 5], [100, 10, 5], [100, 10, 5]]
    scores = people.kpi_block_scores(actual, target, weight, [1, 1, -1])
    assert scores[0] == pytest.approx(100 * (0.8 * 1.1 + 0.2 * 1.2))
    assert np.isnan(scores[1]) and np.isnan(scores[2])  # nothing measured; a weighted KPI not yet measured


def test_kpi_block_scores_name_the_person_whose_weights_are_off_as_kpi_scores_does():
    with pytest.raises(CalcError, match=r"^the KPI weights of 3 add up to 0\.9; they must add up to 100 %$"):
        people.kpi_block_scores(np.ones((3, 2)), [[1.0, 1.0]], [[0.5, 0.5], [0.6, 0.4], [0.5, 0.4]])
    with pytest.raises(CalcError, match="a KPI target must be > 0"):
        people.kpi_block_scores([[1.0, 2.0]], [[1.0, 0.0]], [[0.5, 0.5]])


# --- Grades: band positions against the grade names looked up -------------------------------

def grades_by_name(scores, bands, shares=None):
    """DX_KPI_GRADE the general way: the bands read as the UDF reads them, grade names from
    band_grades / forced_grades, each name then looked up among the bands for its bonus multiple."""
    grades, minimum, multiple, used = band_table(bands)
    value = numbers(first_items(scores, used_rows(scores)), "scores")
    band = people.band_grades(value, minimum, grades)
    if shares is not None:
        share = forced_shares(shares, used)
        order = np.argsort(-minimum, kind="stable")
        band = people.forced_grades(value, share[order], grades[order])
    position = pd.Index(grades).get_indexer(band)  # -1 for a blank score (no grade)
    bonus = np.where(position >= 0, multiple[position], np.nan)
    return table(dict(zip(GRADE_COLUMNS, (band, bonus))))


_grade_name = st.sampled_from(["A", "B", "C", "D", " E ", 1, 2.5, None, ""])
_minimum = st.sampled_from([0, 0.0, 50, 60.5, 70, 80, 90, "75", -10, None, NAN, "x", float("-inf")])
_multiple = st.sampled_from([0.0, 1.0, 1.2, 1.5, None, "2", "n/a"])
_score = st.sampled_from([95.0, 90.0, 89.99, 80.0, 72.5, 70.0, 65.0, 50.0, 0.0, -0.0, -5.0, NAN, None, "88",
                          "x", float("inf"), float("-inf")])


@st.composite
def band_tables(draw):
    rows = draw(st.integers(1, 6))
    width = draw(st.sampled_from([2, 3, 3, 3, 1]))
    table = [[draw(_grade_name), draw(_minimum), draw(_multiple)][:width] for _ in range(rows)]
    if draw(st.booleans()):  # a well-formed table: distinct grades, a band from 0
        minimums = draw(st.lists(st.sampled_from([0.0, 50.0, 60.0, 70.0, 80.0, 90.0]), min_size=rows,
                                 max_size=rows, unique=True))
        table = [[grade, minimum, row[-1]][:width] for grade, minimum, row in
                 zip("ABCDEF", sorted(minimums, reverse=True)[:-1] + [0.0], table)]
    return np.array(table, dtype=object).reshape(rows, width)


@st.composite
def grade_arguments(draw):
    bands = draw(band_tables())
    scores = np.array(draw(st.lists(_score, min_size=1, max_size=25)), dtype=object).reshape(-1, 1)
    if all(isinstance(v, float) for v in scores.ravel()) and draw(st.booleans()):
        scores = scores.astype(float)  # a float range, as xlwings gives numbers and blanks
    shares = draw(st.one_of(
        st.none(),
        st.lists(st.integers(0, 4), min_size=len(bands), max_size=len(bands)).map(
            lambda parts: (np.array(parts, dtype=float) / max(sum(parts), 1)).reshape(-1, 1)),
        st.lists(st.sampled_from([0.25, 0.5, None, NAN, -0.1]), min_size=1, max_size=7).map(
            lambda cells: np.array(cells, dtype=object).reshape(-1, 1))))
    return scores, bands, shares


@settings(max_examples=500, deadline=None)
@given(grade_arguments())
def test_kpi_grade_by_band_positions_equals_the_grades_looked_up_by_name(arguments):
    assert_same(outcome(lambda: DX_KPI_GRADE(*arguments)), outcome(lambda: grades_by_name(*arguments)))


def band_by_definition(scores, minimums):
    """The band of each score read off the definition, score by score: the one with the highest
    minimum the score reaches; −1 for a blank score."""
    if not minimums or any(np.isnan(m) for m in minimums):
        raise CalcError("each grade band needs a grade and a minimum score")
    if len(set(minimums)) < len(minimums):
        raise CalcError("two grade bands have the same minimum score")
    positions = []
    for score in scores:
        reached = [j for j, minimum in enumerate(minimums) if minimum <= score]
        if not reached and not np.isnan(score):
            raise CalcError(f"a score of {score:g} is below every grade band")
        positions.append(max(reached, key=minimums.__getitem__) if reached else -1)
    return np.array(positions, dtype=np.intp)


@settings(max_examples=200, deadline=None)
@given(st.lists(_score.filter(lambda v: isinstance(v, float)), max_size=30),
       st.lists(st.sampled_from([0.0, 50.0, 60.0, 70.0, 80.0, 90.0, float("-inf"), NAN]), min_size=1, max_size=5))
def test_band_index_picks_the_band_with_the_highest_minimum_reached(scores, minimums):
    assert_same(outcome(lambda: people.band_index(scores, minimums)),
                outcome(lambda: band_by_definition(scores, minimums)))


@settings(max_examples=200, deadline=None)
@given(st.lists(_score.filter(lambda v: isinstance(v, float)), max_size=30),
       st.lists(st.integers(0, 4), min_size=1, max_size=5), st.booleans())
def test_forced_index_picks_the_grade_forced_grades_gives(scores, parts, grouped):
    shares = np.array(parts, dtype=float) / max(sum(parts), 1)
    grades = np.array([f"G{i}" for i in range(len(parts))], dtype=object)
    groups = np.arange(len(scores)) % 2 if grouped else None
    forced = outcome(lambda: people.forced_grades(scores, shares, grades, groups))
    index = outcome(lambda: people.forced_index(scores, shares, groups))
    if isinstance(forced, tuple):
        assert index == forced
    else:
        assert [None if i < 0 else grades[i] for i in index] == forced.tolist()


def test_bands_sharing_a_grade_name_are_refused_with_the_grade_named():
    bands = np.array([["A", 90, 1.5], ["B", 50, 1.2], ["A", 0, 1.0]], dtype=object)
    assert outcome(lambda: DX_KPI_GRADE(np.array([[95.0], [5.0]]), bands)) == \
        ("InputError", 'bands: the grade "A" appears twice')


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([100.0, 95.0, 95.0, 90.0, 89.5, 80.0, 0.0, -0.0, -3.0, 1e-300, float("inf"),
                                 float("-inf"), NAN]), max_size=40),
       st.lists(st.integers(0, 5), min_size=1, max_size=6))
def test_forced_index_of_everyone_by_sorting_equals_the_group_by_rank(scores, parts):
    shares = np.array(parts, dtype=float) / max(sum(parts), 1)
    one_group = outcome(lambda: people.forced_index(scores, shares))
    by_group = outcome(lambda: people.forced_index(scores, shares, np.zeros(len(scores))))
    assert_same(one_group, by_group)


@settings(max_examples=200, deadline=None)
@given(st.lists(_score.filter(lambda v: isinstance(v, float)), max_size=30),
       st.lists(st.sampled_from([0.0, 50.0, 60.0, 70.0, 80.0, 90.0, -0.0, float("-inf"), float("inf")]),
                min_size=1, max_size=6))
def test_bands_reached_by_counting_equal_the_binary_search(scores, minimums):
    counted = outcome(lambda: people.band_index(scores, minimums))
    with mock.patch.object(people, "FEW_BANDS", 0):
        searched = outcome(lambda: people.band_index(scores, minimums))
    assert_same(counted, searched)
