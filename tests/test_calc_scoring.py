"""Normalisation on a fixed scale, scores over the criteria present, and tier hysteresis
with per-tier run lengths and recorded tiers."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealerxl.calc import CalcError
from dealerxl.calc.scoring import normalise, score_of_present, tiers_with_hysteresis, weighted_score_columns

ORDER = ["gold", "silver", "bronze"]
PROMOTE, DEMOTE = [85, 70, 0], [78, 62, 0]


def test_fixed_scale_clips_values_beyond_its_ends():
    assert normalise([0, 3, 9], low=1, high=5).tolist() == [0.0, 50.0, 100.0]


def test_lower_is_better_on_a_fixed_scale_is_mirrored():
    assert normalise([1, 2.5, 4], direction=-1, low=1, high=4).tolist() == [100.0, 50.0, 0.0]


def test_a_scale_whose_top_is_not_above_its_bottom_is_refused():
    with pytest.raises(CalcError, match="top"):
        normalise([1, 2], low=5, high=5)


def test_blank_values_stay_blank_whatever_the_method():
    assert np.isnan(normalise([np.nan, 2], "target", direction=-1, target=2)[0])
    assert np.isnan(normalise([np.nan, 2], low=0, high=4)[0])
    assert np.isnan(normalise([np.nan, np.nan])).all()


def test_score_of_present_reweights_and_reports_the_missing_share():
    result = score_of_present([[100, np.nan], [np.nan, np.nan], [50, 100]], [3, 1])
    assert result["score"].tolist()[0] == 100.0 and np.isnan(result["score"].iloc[1])
    assert result["score"].iloc[2] == pytest.approx(62.5)
    assert result["missing_weight"].tolist() == pytest.approx([0.25, 1.0, 0.0])


@given(st.lists(st.lists(st.one_of(st.none(), st.floats(0, 100)), min_size=3, max_size=3), min_size=1, max_size=20),
       st.lists(st.floats(0.01, 10), min_size=3, max_size=3))
def test_score_of_present_stays_within_the_scores_given(rows, weights):
    scaled = np.array([[np.nan if v is None else v for v in row] for row in rows])
    score = score_of_present(scaled, weights)["score"].to_numpy()
    known = ~np.isnan(scaled).all(axis=1)
    assert np.isnan(score[~known]).all()
    assert (score[known] >= np.nanmin(scaled[known], axis=1) - 1e-9).all()
    assert (score[known] <= np.nanmax(scaled[known], axis=1) + 1e-9).all()


def test_a_dealer_just_above_the_promotion_line_for_too_few_months_stays():
    # Gold needs 3 months at 85 or more: 85.1, 85.1, then 84.9 resets the run.
    path = tiers_with_hysteresis([[85.1, 85.1, 84.9, 85.1]], ["silver"], ORDER, PROMOTE, DEMOTE, 3)
    assert path[0].tolist() == ["silver"] * 4


def test_a_dealer_just_below_its_demotion_line_once_is_not_demoted():
    path = tiers_with_hysteresis([[77.9, 78.0, 77.9, 77.9]], ["gold"], ORDER, PROMOTE, DEMOTE, 3)
    assert path[0].tolist() == ["gold"] * 4


def test_each_tier_has_its_own_run_length():
    # Into silver after 1 month at 70+, into gold only after 2 at 85+.
    path, runs = tiers_with_hysteresis([[71, 86, 86, 86]], ["bronze"], ORDER, PROMOTE, DEMOTE, [2, 1, 1],
                                       with_runs=True)
    assert path[0].tolist() == ["silver", "silver", "gold", "gold"]
    assert runs[0].tolist() == [0, 1, 0, 0]


def test_a_blank_month_breaks_a_run():
    path = tiers_with_hysteresis([[90, np.nan, 90]], ["silver"], ORDER, PROMOTE, DEMOTE, 2)
    assert path[0].tolist() == ["silver"] * 3


def test_recorded_tiers_replace_the_worked_out_ones_and_the_path_goes_on_from_them():
    known = [[None, "gold", None]]
    path = tiers_with_hysteresis([[50, 50, 80]], ["bronze"], ORDER, PROMOTE, DEMOTE, 1, known_tiers=known)
    assert path[0].tolist() == ["bronze", "gold", "gold"]


def test_an_unknown_recorded_tier_is_named():
    with pytest.raises(CalcError, match="platinum"):
        tiers_with_hysteresis([[50]], ["bronze"], ORDER, PROMOTE, DEMOTE, 1, known_tiers=[["platinum"]])


def test_thresholds_must_cover_every_tier():
    with pytest.raises(CalcError, match="3 tiers"):
        tiers_with_hysteresis([[50]], ["bronze"], ORDER, [85, 70], DEMOTE, 1)


def test_each_candidate_lists_the_gates_it_fails_a_ceiling_where_lower_is_better():
    # Criterion 1 has a floor of 50, criterion 2 (lower is better) a ceiling of 10, criterion 3 no gate;
    # a blank value fails its gate.
    columns = weighted_score_columns([[60, 5, 1], [40, 12, 1], [np.nan, 10, 1], [50, np.nan, 1]], [1, 1, 1],
                                     directions=[1, -1, 1], gates=[50, 10, np.nan])
    assert columns["failed_criteria"].tolist() == ["", "1,2", "1", "2"]
    assert columns["passed_gates"].tolist() == [True, False, False, False]
