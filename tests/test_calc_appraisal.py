"""Dealer appraisal calculations: the worked examples' edge cases (blank and zero bases,
missing metrics, run lengths of the tier decision, prospect gates) and a few invariants."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dealerxl.calc import CalcError
from dealerxl.calc.appraisal import (
    MAX_MONTHS_OF_SUPPLY,
    contract_month_targets,
    monthly_matrix,
    months_of_supply,
    months_trading,
    normalised_layer,
    normalised_metrics,
    paid_on_time,
    prospect_verdicts,
    rate_per_hundred,
    rolling_sum,
    sales_achievement,
    sales_growth,
    tier_decision,
)
from dealerxl.calc.scoring import score_of_present

TIER_RULES = pd.DataFrame({"tier": ["bronze", "gold", "silver"], "tier_rank": [3, 1, 2],
                           "promote_min_score": [0, 85, 70], "demote_below_score": [0, 75, 60],
                           "months_required": [3, 3, 3]})


def weights(*rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["appraisal_metric", "weight", "kpi_direction", "normalisation", "target",
                                       "scale_min", "scale_max"])


# ---- matrices and metrics ------------------------------------------------------------------

def test_monthly_matrix_leaves_out_months_outside_the_span_and_unknown_dealers():
    span = pd.period_range("2026-02", "2026-03", freq="M")
    matrix = monthly_matrix(["D1", "D1", "D9", "D2"], ["2026-01-31", "2026-03-01", "2026-03-01", "2026-02-10"],
                            [5, 7, 100, 3], pd.Index(["D1", "D2"]), span)
    assert matrix.tolist() == [[0.0, 7.0], [3.0, 0.0]]


@given(st.lists(st.tuples(st.sampled_from(["D1", "D2", "D3", "D9"]), st.integers(0, 400),
                          st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False))), max_size=40))
def test_monthly_matrix_is_the_pivot_of_the_rows_by_dealer_and_month(rows):
    # The reference: each row's month as a period, summed by a pivot table over the span.
    span = pd.period_range("2025-06", "2026-03", freq="M")
    keys = [k for k, _, _ in rows]
    dates = [None if day == 400 else pd.Timestamp("2025-05-01") + pd.Timedelta(days=day) for _, day, _ in rows]
    values = [np.nan if v is None else v for _, _, v in rows]
    index = pd.Index(["D1", "D2", "D3"])
    table = pd.DataFrame({"key": keys, "period": pd.to_datetime(pd.Series(dates, dtype=object)).dt.to_period("M"),
                          "value": values})
    table = table.loc[table["period"].isin(span)]
    expected = table.pivot_table(index="key", columns="period", values="value", aggfunc="sum", dropna=False)
    expected = expected.reindex(index=index, columns=span).fillna(0.0).to_numpy(float)
    assert monthly_matrix(keys, dates, values, index, span) == pytest.approx(expected)


def test_rolling_window_longer_than_the_history_sums_everything_so_far():
    assert rolling_sum([[1, np.nan, 3]], 6).tolist() == [[1.0, 1.0, 4.0]]


def test_rolling_window_below_one_month_is_refused():
    with pytest.raises(CalcError, match="at least 1 month"):
        rolling_sum([[1, 2]], 0)


@given(arrays(float, (3, 8), elements=st.floats(0, 1e6)), st.integers(1, 10))
def test_rolling_sum_equals_the_plain_sum_of_the_last_months(matrix, months):
    expected = np.column_stack([matrix[:, max(0, j - months + 1):j + 1].sum(axis=1) for j in range(matrix.shape[1])])
    np.testing.assert_allclose(rolling_sum(matrix, months), expected, rtol=1e-9, atol=1e-6)


def test_zero_target_leaves_achievement_blank_not_infinite():
    assert np.isnan(sales_achievement([[50_000]], [[0]])).all()
    assert np.isnan(sales_achievement([[50_000]], [[np.nan]])).all()


def test_contract_with_zero_annual_target_gives_zero_target_and_blank_achievement():
    span = pd.period_range("2026-01", "2026-01", freq="M")
    target = contract_month_targets(["D1"], ["2025-01-01"], ["2026-12-31"], [0], pd.Index(["D1", "D2"]), span)
    assert target[0].tolist() == [0.0]
    assert np.isnan(target[1]).all()  # D2 has no contract and no typed target
    assert np.isnan(sales_achievement([[1_000]], target[:1])).all()


def test_contract_ending_before_the_month_end_does_not_set_that_month_target():
    span = pd.period_range("2026-01", "2026-02", freq="M")
    target = contract_month_targets(["D1", "D1"], ["2025-01-01", "2026-02-01"], ["2026-02-15", "2027-01-31"],
                                    [1_200_000, 2_400_000], pd.Index(["D1"]), span)
    assert target.tolist() == [[100_000.0, 200_000.0]]


def test_growth_is_blank_on_a_negative_base():
    assert np.isnan(sales_growth([[100]], [[-50]], [[True]])).all()


def test_payment_a_day_after_the_grace_is_late():
    on_time = paid_on_time([100, 100], ["2026-11-05", "2026-11-06"], ["2026-10-31", "2026-10-31"], 5)
    assert on_time.tolist() == [100.0, 0.0]


def test_negative_grace_days_are_refused():
    with pytest.raises(CalcError, match="grace days"):
        paid_on_time([1], ["2026-01-01"], ["2026-01-01"], -1)


def test_months_of_supply_is_capped_and_blank_without_anything_to_judge():
    supply = months_of_supply([[5_000, 0]], [[1, 0]], 1)
    assert supply[0, 0] == MAX_MONTHS_OF_SUPPLY
    assert np.isnan(supply[0, 1])


def test_complaint_rate_without_invoices_is_blank_not_zero():
    assert np.isnan(rate_per_hundred([[2]], [[0]])).all()


# ---- normalisation and the weighted score ---------------------------------------------------

def test_missing_metric_is_reweighted_not_counted_as_zero():
    rules = weights(("sales_achievement", 0.5, "higher_better", "target", 1, None, None),
                    ("payment_discipline", 0.5, "higher_better", "minmax", None, 0, 1))
    scaled, w, codes = normalised_metrics({"sales_achievement": np.array([0.8, 0.8]),
                                           "payment_discipline": np.array([np.nan, 0.0])}, rules)
    assert codes == ["sales_achievement", "payment_discipline"]
    result = score_of_present(scaled, w)
    # Dealer 1 lacks payment data: judged on achievement alone (80), half the weight missing.
    assert result["score"].tolist() == pytest.approx([80.0, 40.0])
    assert result["missing_weight"].tolist() == pytest.approx([0.5, 0.0])


def test_metric_without_fixed_scale_uses_each_month_dealers_as_the_scale():
    layer = normalised_layer([[1, 100], [3, 300]], "minmax", -1)
    assert layer.tolist() == [[100.0, 100.0], [0.0, 0.0]]


def test_target_normalisation_with_zero_target_names_the_metric():
    rules = weights(("sales_achievement", 1, "higher_better", "target", 0, None, None))
    with pytest.raises(CalcError, match="appraisal weights, sales_achievement: .*positive target"):
        normalised_metrics({"sales_achievement": np.array([[1.0]])}, rules)


def test_weights_naming_an_unknown_metric_are_refused():
    with pytest.raises(CalcError, match="unknown metrics: shelf_share"):
        normalised_metrics({"sales_achievement": np.ones(2)},
                           weights(("shelf_share", 1, "higher_better", "minmax", None, None, None)))


def test_weights_all_zero_are_refused():
    with pytest.raises(CalcError, match="no metric a weight above zero"):
        normalised_metrics({"sales_achievement": np.ones(2)},
                           weights(("sales_achievement", 0, "higher_better", "minmax", None, None, None)))


# ---- tiers ---------------------------------------------------------------------------------

def test_promotion_waits_for_the_full_run_of_months():
    # Silver → gold needs 3 months ≥ 85; gold is kept until 3 months < 75.
    scores = [[90, 90, 90, 90], [90, 90, 90, 40], [20, 90, 90, 90]]
    out = tier_decision(scores, months_trading([10, 11, 12, 13], [1, 1, 1]), ["silver"] * 3, TIER_RULES, 3)
    # First dealer: promoted in month 3, so month 4 is an unchanged gold month with no run.
    # Second: gold after month 3, one month below 75 is only the start of a demotion run.
    # Third: the run starts in month 2 and completes in month 4.
    assert out["tier"].tolist() == ["gold", "gold", "gold"]
    assert out["previous_tier"].tolist() == ["gold", "gold", "silver"]
    assert out["tier_change"].tolist() == ["unchanged", "unchanged", "promoted"]
    assert out["months_qualifying"].tolist() == [0, 1, 0]


def test_two_months_beyond_the_boundary_are_not_enough_when_three_are_required():
    out = tier_decision([[50, 90, 90]], [[30, 31, 32]], ["silver"], TIER_RULES, 3)
    assert out["tier"].tolist() == ["silver"]
    assert out["tier_change"].tolist() == ["unchanged"]
    assert out["months_qualifying"].tolist() == [2]


def test_demotion_needs_the_run_below_the_own_tier_floor():
    two_months = tier_decision([[80, 50, 50]], [[30, 31, 32]], ["silver"], TIER_RULES, 3)
    assert two_months["tier"].tolist() == ["silver"]
    three_months = tier_decision([[50, 50, 50]], [[30, 31, 32]], ["silver"], TIER_RULES, 3)
    assert three_months["tier"].tolist() == ["bronze"]
    assert three_months["previous_tier"].tolist() == ["silver"]
    assert three_months["tier_change"].tolist() == ["demoted"]


def test_a_blank_month_breaks_the_run():
    out = tier_decision([[90, 90, np.nan, 90, 90]], [[30, 31, 32, 33, 34]], ["silver"], TIER_RULES, 3)
    assert out["tier"].tolist() == ["silver"]
    assert out["months_qualifying"].tolist() == [2]


def test_dealer_below_the_minimum_months_is_new_and_keeps_its_starting_tier():
    out = tier_decision([[95, 95, 95]], months_trading([5, 6, 7], [6]), ["silver"], TIER_RULES, 3)
    assert out["tier"].tolist() == ["silver"]
    assert out["tier_change"].tolist() == ["new"]
    assert out["previous_tier"].tolist() == ["silver"]
    joined_this_month = tier_decision([[95, 95]], months_trading([6, 7], [7]), ["gold"], TIER_RULES, 1)
    assert joined_this_month["previous_tier"].tolist() == [None]
    assert joined_this_month["tier_change"].tolist() == ["new"]


def test_unknown_starting_tier_starts_at_the_lowest_tier():
    out = tier_decision([[10, 10]], [[30, 31]], ["platinum"], TIER_RULES, 3)
    assert out["tier"].tolist() == ["bronze"]


def test_recorded_tier_is_taken_as_given_and_the_path_goes_on_from_it():
    known = np.array([[None, "gold", None]], dtype=object)
    out = tier_decision([[50, 50, 50]], [[30, 31, 32]], ["bronze"], TIER_RULES, 3, known_tiers=known)
    assert out["previous_tier"].tolist() == ["gold"]
    assert out["tier"].tolist() == ["gold"]


def test_tier_decision_needs_matching_shapes():
    with pytest.raises(CalcError, match="same dealers × months"):
        tier_decision([[50, 50]], [[1, 2, 3]], ["bronze"], TIER_RULES, 1)


# ---- prospects -----------------------------------------------------------------------------

def test_gate_on_a_lower_is_better_criterion_is_a_ceiling():
    verdicts = prospect_verdicts([[31], [30]], [30], [-1], np.array([99, 99]), 75, 60)
    assert verdicts["failed"].ravel().tolist() == [True, False]
    assert verdicts["recommendation"].tolist() == ["reject", "sign"]


def test_blank_criterion_fails_no_gate_but_holds_the_prospect():
    verdicts = prospect_verdicts([[np.nan, 700]], [600, 600], [1, 1], np.array([95]), 75, 60)
    assert not verdicts["failed"].any()
    assert verdicts["recommendation"].tolist() == ["hold"]


def test_score_below_the_conditional_score_is_rejected():
    verdicts = prospect_verdicts([[700]], [np.nan], [1], np.array([59.9]), 75, 60)
    assert verdicts["recommendation"].tolist() == ["reject"]
