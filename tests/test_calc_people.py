"""Staff appraisal: weighted KPI scores, grade bands, forced distribution and bonus."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealerxl.calc import CalcError
from dealerxl.calc.people import appraise, band_grades, bonus, forced_grades, kpi_attainment, kpi_scores
from dealerxl.forms.chapter02 import DEFAULT_ROWS, SETTINGS
from dealerxl.sample import generate

BANDS = pd.DataFrame(DEFAULT_ROWS["kpi_grade_bands"])
DISTRIBUTION = pd.DataFrame(DEFAULT_ROWS["forced_distribution"])
SETTING = {setting.id: setting.default for setting in SETTINGS}


def kpi_rows(staff, weights, targets, actuals, directions=None):
    frame = pd.DataFrame({"staff_id": staff, "weight": weights, "target": targets, "actual": actuals})
    if directions is not None:
        frame["kpi_direction"] = directions
    return frame


def test_weighted_score_of_a_worked_example():
    rows = kpi_rows(["S1"] * 3, [0.5, 0.3, 0.2], [100, 10, 5], [110, 8, 4], ["higher_better", "higher_better",
                                                                            "lower_better"])
    assert kpi_scores(rows)["score"].iloc[0] == pytest.approx(100 * (0.55 + 0.24 + 0.24))


def test_attainment_is_capped_so_one_kpi_cannot_hide_the_others():
    assert kpi_attainment([300, 0], [100, 5], [1, -1], 1.2).tolist() == [1.2, 1.2]


def test_weights_typed_as_whole_percentages_count_like_fractions():
    as_percent = kpi_scores(kpi_rows(["S1", "S1"], [60, 40], [10, 10], [10, 5]))["score"].iloc[0]
    assert as_percent == pytest.approx(80.0)


def test_weights_that_do_not_add_up_name_the_person_and_the_sum():
    with pytest.raises(CalcError, match="S2 add up to 0.9"):
        kpi_scores(kpi_rows(["S1", "S1", "S2", "S2"], [0.5, 0.5, 0.5, 0.4], [1] * 4, [1] * 4))


def test_relative_weights_are_normalised_when_no_tolerance_is_set():
    assert kpi_scores(kpi_rows(["S1", "S1"], [3, 1], [10, 10], [10, 6]), tolerance=None)["score"].iloc[0] == \
        pytest.approx(90.0)


def test_a_kpi_not_yet_measured_leaves_the_score_blank_and_counts_it():
    result = kpi_scores(kpi_rows(["S1", "S1"], [0.5, 0.5], [10, 10], [10, None]))
    assert np.isnan(result["score"].iloc[0]) and result["missing_kpis"].iloc[0] == 1


def test_bad_targets_and_directions_are_refused():
    with pytest.raises(CalcError, match="target must be > 0"):
        kpi_scores(kpi_rows(["S1"], [1], [0], [1]))
    with pytest.raises(CalcError, match="higher_better or lower_better"):
        kpi_scores(kpi_rows(["S1"], [1], [1], [1], ["sideways"]))


def test_grade_bands_take_the_highest_minimum_reached():
    assert band_grades([90, 89.99, 0, np.nan], BANDS["min_score"], BANDS["grade"]).tolist() == ["A", "B", "E", None]
    with pytest.raises(CalcError, match="below every grade band"):
        band_grades([-1], [0, 50], ["B", "A"])


def test_forced_distribution_keeps_ties_together_deterministically():
    scores = [95, 95, 90, 85, 80, 80, 80, 70, 60, 50]
    grades = forced_grades(scores, DISTRIBUTION["distribution_share"], DISTRIBUTION["grade"]).tolist()
    # Boundaries 1, 3, 7, 9, 10: the tie at the top shares A; the tie at rank 4–6 shares C.
    assert grades == ["A", "A", "B", "C", "C", "C", "C", "D", "D", "E"]
    reversed_input = forced_grades(scores[::-1], DISTRIBUTION["distribution_share"], DISTRIBUTION["grade"])
    assert reversed_input.tolist() == grades[::-1]


def test_forced_distribution_shares_must_add_up_to_one():
    with pytest.raises(CalcError, match="add up to 0.9"):
        forced_grades([1, 2], [0.5, 0.4], ["A", "B"])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 120), min_size=1, max_size=60))
def test_forced_grades_never_rank_a_lower_score_above_a_higher_one(scores):
    order = {g: i for i, g in enumerate(DISTRIBUTION["grade"])}
    grades = forced_grades(scores, DISTRIBUTION["distribution_share"], DISTRIBUTION["grade"])
    rank = np.array([order[g] for g in grades])
    s = np.asarray(scores)
    assert not ((s[:, None] > s[None, :]) & (rank[:, None] > rank[None, :])).any()
    assert not ((s[:, None] == s[None, :]) & (rank[:, None] != rank[None, :])).any()


def test_bonus_is_base_times_the_multiple_of_the_grade_plus_adjustment():
    assert bonus([50_000, 50_000], [1.2, 0.0], [np.nan, 2_000]).tolist() == [60_000.0, 2_000.0]


def test_sample_appraisal_grades_everyone_per_quarter_with_and_without_forced_distribution():
    rows = generate("small")["kpi_appraisal"]
    by = ("staff_id", "year", "quarter")
    banded = appraise(rows, BANDS, SETTING["kpi_attainment_cap"], SETTING["kpi_weight_tolerance"], by=by)
    assert len(banded) == rows.groupby(list(by)).ngroups
    scored = banded["score"].notna()
    assert banded.loc[scored, "score"].between(0, 100 * SETTING["kpi_attainment_cap"]).all()
    assert banded.loc[scored, "grade"].isin(BANDS["grade"]).all()
    forced = appraise(rows, BANDS, SETTING["kpi_attainment_cap"], SETTING["kpi_weight_tolerance"], DISTRIBUTION,
                      min_group=5, by=by, group_by=("year", "quarter"))
    per_quarter = forced[forced["score"].notna()].groupby(["year", "quarter"])
    top_share = per_quarter["grade"].apply(lambda g: (g == "A").mean())
    big = per_quarter.size() >= 5
    assert (top_share[big] <= 0.25).all()
    assert forced["bonus_multiple"].dropna().isin(BANDS["bonus_multiple"]).all()


# Rows ordered by a numeric person key (a people × KPIs range) are summed per person without a
# group-by; the same rows keyed by text take the group-by. Both must agree to the bit.
_kpi_row = st.tuples(st.sampled_from([0.0, 0.1, 0.2, 0.25, 0.3, 0.5, 1 / 3, 20.0, 50.0]),
                     st.one_of(st.floats(0, 500, allow_nan=False), st.just(float("nan"))),
                     st.floats(1, 200, allow_nan=False),
                     st.sampled_from(["higher_better", "lower_better", " Lower ", None, ""]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_kpi_row, min_size=1, max_size=5), min_size=1, max_size=8), st.sampled_from([0.001, None]))
def test_kpi_scores_of_rows_sorted_by_number_agree_with_the_group_by(people, tolerance):
    rows = pd.DataFrame([(person, *kpi) for person, kpis in enumerate(people) for kpi in kpis],
                        columns=["staff_id", "weight", "actual", "target", "kpi_direction"])
    by_text = rows.assign(staff_id=rows["staff_id"].map(lambda p: f"S{p:03d}"))
    outcomes = []
    for frame in (rows, by_text):
        try:
            outcomes.append(kpi_scores(frame, 1.2, tolerance))
        except CalcError as error:
            # the person is named by their key as typed (0.0 or S000): compare the rest
            outcomes.append(re.sub(r"weights of \S+ add", "weights of … add", str(error)))
    if isinstance(outcomes[0], str) or isinstance(outcomes[1], str):
        assert outcomes[0] == outcomes[1]
    else:
        fast, general = outcomes
        assert fast["staff_id"].tolist() == list(range(len(people)))
        pd.testing.assert_frame_equal(fast.drop(columns="staff_id"), general.drop(columns="staff_id"), check_exact=True)


_direction = st.one_of(st.sampled_from(["higher_better", "lower_better", "HIGHER", " lower ", "", "1", "-1", "sideways"]),
                       st.none(), st.just(float("nan")), st.sampled_from([1, -1, 1.0, -1.0, 2, True]))


@settings(max_examples=200, deadline=None)
@given(st.lists(_direction, max_size=12))
def test_directions_read_each_distinct_word_as_the_row_by_row_reading_does(words):
    from dealerxl.calc.people import _direction_signs, directions

    def outcome(read, values):
        try:
            return read(values).tolist()
        except CalcError as error:
            return str(error)

    cells = np.array(words, dtype=object)
    expected = outcome(_direction_signs, cells)
    assert outcome(directions, cells) == expected
    assert outcome(directions, pd.Series(words, dtype=object)) == expected
    if all(isinstance(w, str) for w in words):
        assert outcome(directions, pd.Series(words, dtype="str")) == expected
    if all(isinstance(w, (int, float)) and not isinstance(w, bool) for w in words):
        numbers = np.array(words, dtype=float)
        assert outcome(directions, numbers) == outcome(_direction_signs, numbers.astype(object))
