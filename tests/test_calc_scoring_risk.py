"""Scorecards, grades, tier hysteresis and early-warning rules."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealerxl.calc import CalcError
from dealerxl.calc.risk import assess, drop_against_trend, rule_levels
from dealerxl.calc.scoring import grade, tiers_with_hysteresis, weighted_scores


def test_gate_fails_a_candidate_whatever_its_score():
    result = weighted_scores([[100, 500], [0, 900]], [0.9, 0.1], gates=[np.nan, 600])
    assert result["score"].iloc[0] > result["score"].iloc[1]
    assert result["passed_gates"].tolist() == [False, True]


def test_lower_is_better_criteria_are_mirrored():
    result = weighted_scores([[1], [3]], [1], directions=[-1])
    assert result["score"].tolist() == [100.0, 0.0]


@given(st.lists(st.lists(st.floats(0, 1000), min_size=3, max_size=3), min_size=2, max_size=30),
       st.lists(st.floats(0.01, 10), min_size=3, max_size=3))
def test_scores_stay_between_0_and_100(values, weights):
    scores = weighted_scores(values, weights)["score"]
    assert scores.between(-1e-9, 100 + 1e-9).all()


def test_weights_must_match_criteria():
    with pytest.raises(CalcError, match="2 criteria but 3 weights"):
        weighted_scores([[1, 2]], [1, 1, 1])


def test_grades_follow_their_bands():
    assert grade([90, 89.9, 0], [90, 75, 60, 0], list("ABCD")).tolist() == ["A", "B", "D"]


def test_one_good_month_does_not_promote():
    path = tiers_with_hysteresis(np.array([[90, 50, 90, 50]]), ["silver"], ["gold", "silver", "bronze"],
                                 promote_at=[85, 70, 0], demote_below=[75, 40, 0], months_required=2)
    assert set(path[0]) == {"silver"}


def test_unknown_tier_is_named():
    with pytest.raises(CalcError, match="unknown tier 'platinum'"):
        tiers_with_hysteresis(np.array([[1]]), ["platinum"], ["gold"], [0], [0])


def test_rule_levels_refuse_thresholds_in_the_wrong_order():
    with pytest.raises(CalcError, match="amber threshold must come before"):
        rule_levels([1], 0.5, 0.2)


def test_assess_lists_the_numbers_that_triggered_each_rule():
    metrics = pd.DataFrame({"overdue_share": [0.3, 0.0], "days_past_due": [45, 0]}, index=["D1", "D2"])
    rules = pd.DataFrame({"rule": ["overdue_share", "days_past_due"], "amber": [0.1, 30], "red": [0.25, 90],
                          "direction": [1, 1], "weight": [1, 1]})
    summary, triggered = assess(metrics, rules)
    assert summary["risk_class"].tolist() == ["red", "green"]
    assert triggered[["rule", "level", "value", "threshold"]].values.tolist() == [
        ["overdue_share", "red", 0.3, 0.25], ["days_past_due", "amber", 45.0, 30.0]]


def test_rule_without_metric_is_named():
    with pytest.raises(CalcError, match="no metric for rule"):
        assess(pd.DataFrame({"a": [1]}), pd.DataFrame({"rule": ["b"], "amber": [1], "red": [2], "direction": [1], "weight": [1]}))


def test_sales_drop_against_trend():
    assert drop_against_trend(np.array([[10, 10, 10, 5, 5, 5.]]))[0] == pytest.approx(0.5)
