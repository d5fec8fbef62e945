"""Early-warning rules: decisive and leading rules, the sales drop against a longer baseline."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealerxl.calc import CalcError
from dealerxl.calc.risk import assess, drop_against_trend

RULES = pd.DataFrame({"rule": ["overdue_share", "sales_drop", "stock_build_up"], "amber": [0.1, 0.3, 2.5],
                      "red": [0.25, 0.5, 4.0], "direction": [1, 1, 1], "weight": [3.0, 2.0, 1.0],
                      "decisive": [True, False, False]})


def test_a_red_leading_signal_alone_makes_a_dealer_amber_and_a_red_money_rule_red():
    metrics = pd.DataFrame({"overdue_share": [0.0, 0.3], "sales_drop": [0.6, 0.0], "stock_build_up": [1.0, 1.0]},
                           index=["LEADING", "MONEY"])
    summary, _ = assess(metrics, RULES)
    assert summary.set_index("dealer_id")["risk_class"].to_dict() == {"LEADING": "amber", "MONEY": "red"}


def test_several_red_leading_signals_make_a_dealer_red_through_the_score():
    metrics = pd.DataFrame({"overdue_share": [0.0], "sales_drop": [0.6], "stock_build_up": [5.0]}, index=["D1"])
    summary, triggered = assess(metrics, RULES)
    # (2·100 + 1·100) / 6 = 50 ≥ the red cut-off of 50.
    assert summary.iloc[0]["risk_score"] == pytest.approx(50.0) and summary.iloc[0]["risk_class"] == "red"
    assert triggered["rule"].tolist() == ["sales_drop", "stock_build_up"]


def test_without_a_decisive_column_every_red_rule_decides():
    metrics = pd.DataFrame({"overdue_share": [0.0], "sales_drop": [0.6], "stock_build_up": [1.0]}, index=["D1"])
    summary, _ = assess(metrics, RULES.drop(columns="decisive"))
    assert summary.iloc[0]["risk_class"] == "red"


@given(st.lists(st.floats(0, 1e6), min_size=15, max_size=15))
def test_the_class_never_falls_below_the_worst_level_of_a_decisive_rule(history):
    drop = drop_against_trend(np.array([history]), 3, 12)
    metrics = pd.DataFrame({"overdue_share": [0.3], "sales_drop": drop, "stock_build_up": [1.0]}, index=["D1"])
    assert assess(metrics, RULES)[0].iloc[0]["risk_class"] == "red"


def test_sales_drop_compares_the_recent_average_with_the_baseline_average():
    history = np.array([[120.0] * 6 + [80.0] * 6 + [50.0, 50.0, 50.0]])
    assert drop_against_trend(history, 3, 12)[0] == pytest.approx(0.5)
    assert drop_against_trend(history, 3, 3)[0] == pytest.approx(1 - 50 / 80)
    assert np.isnan(drop_against_trend(history[:, -10:], 3, 12)[0])


def test_sales_drop_needs_at_least_a_month_on_each_side():
    with pytest.raises(CalcError):
        drop_against_trend(np.ones((1, 6)), 3, 0)
