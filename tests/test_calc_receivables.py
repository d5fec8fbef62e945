"""Receivables: ageing, DSO, credit use, roll rates and the ECL provision matrix."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealerxl.calc import CalcError
from dealerxl.calc.receivables import (
    ageing, credit_utilisation, days_past_due, expected_credit_loss, lifetime_loss_rates, migration_flows)


def test_ifrs9_provision_matrix_example_gives_580000():
    gross = [15_000_000, 7_500_000, 4_000_000, 2_500_000, 1_000_000]
    result = expected_credit_loss(gross, [0.003, 0.016, 0.036, 0.066, 0.106])
    assert result["ecl"].sum() == pytest.approx(580_000)


def test_forward_looking_factor_scales_and_caps_loss_rates():
    result = expected_credit_loss([100, 100], [0.5, 0.8], forward_looking_factor=1.5)
    assert result["loss_rate"].tolist() == [0.75, 1.0]


def test_ageing_per_dealer_keeps_every_amount():
    due = pd.date_range("2026-01-01", periods=10, freq="25D")
    amounts = np.arange(1, 11) * 100.0
    table = ageing(due, amounts, "2026-10-31", groups=["A", "B"] * 5)
    assert table["total"].sum() == amounts.sum()
    assert list(table.index) == ["A", "B"]


@given(st.lists(st.tuples(st.integers(-100, 400), st.floats(0, 1e6)), min_size=1, max_size=50))
def test_ageing_buckets_sum_to_the_total(items):
    as_of = pd.Timestamp("2026-10-31")
    due = [as_of - pd.Timedelta(days=d) for d, _ in items]
    amounts = [a for _, a in items]
    table = ageing(due, amounts, as_of)
    assert table.drop(columns="total").sum(axis=1).iloc[0] == pytest.approx(sum(amounts))


def test_missing_due_date_is_refused_with_its_row():
    with pytest.raises(CalcError, match="row 2"):
        ageing(["2026-10-01", None], [1, 2], "2026-10-31")


def test_roll_rates_give_loss_rates_that_fall_with_freshness():
    """Four invoices over three month ends: 100 current → 1–30 → paid; 50 in 1–30 → 31–60 →
    61–90; 20 in 31–60 → 61–90 → written off; 10 in 61–90 → written off. 61–90 and 31–60 lose
    all, 1–30 rolls 50 of 150 on (1/3), current rolls all on: 1/3."""
    open_ = np.array([[100.0, 100.0, 0.0], [50.0, 50.0, 50.0], [20.0, 20.0, 0.0], [10.0, 0.0, 0.0]])
    bucket = np.array([[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]])
    written = np.array([[0, 0, 0], [0, 0, 0], [0, 0, 20.0], [0, 10.0, 0]])
    rates = lifetime_loss_rates(migration_flows(open_, bucket, written, 6))["loss_rate"].to_numpy()
    assert rates[:4] == pytest.approx([1 / 3, 1 / 3, 1.0, 1.0])
    assert np.isnan(rates[4:]).all()


def test_credit_use_counts_open_orders():
    result = credit_utilisation([80], [30], [100])
    assert result.loc[0, "exposure"] == 110 and bool(result.loc[0, "over_limit"])


def test_negative_credit_limit_is_refused():
    with pytest.raises(CalcError, match="negative"):
        credit_utilisation([1], [0], [-5])


# Dates as a datetime64 array (as a range of dates or serial numbers arrives) take a direct path;
# the same dates as Timestamps take the general reader. Both must agree, and the total
# row must agree with the grouped table for a single group.
_serial = st.floats(45000, 47000, allow_nan=False).map(lambda d: round(d, 2))
_amount = st.one_of(st.floats(-1e6, 1e7, allow_nan=False), st.just(float("nan")), st.just(0.0))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_serial, _amount), max_size=40), st.sampled_from(["2026-10-31", "2026-10-31 13:00", "2025-01-01"]))
def test_ageing_of_a_date_array_agrees_with_the_general_reading_and_the_grouped_table(items, as_of):
    serials = np.array([s for s, _ in items], dtype=float)
    amounts = np.array([a for _, a in items], dtype=float)
    due = (pd.Timestamp("1899-12-30") + pd.to_timedelta(serials, unit="D")).to_numpy()
    as_objects = [pd.Timestamp(d) for d in due]
    assert np.array_equal(days_past_due(due, as_of), days_past_due(as_objects, as_of))
    assert days_past_due(due, as_of).dtype == days_past_due(as_objects, as_of).dtype
    total = ageing(due, amounts, as_of)
    pd.testing.assert_frame_equal(total, ageing(as_objects, list(amounts), as_of))
    grouped = ageing(due, amounts, as_of, groups=np.zeros(len(items), dtype=int)).reset_index(drop=True)
    # a sum over many amounts may differ in its last bit between the two summation orders
    pd.testing.assert_frame_equal(total, grouped, check_exact=False, rtol=1e-12, atol=1e-6)


def test_ageing_without_items_has_the_bucket_columns_and_no_row():
    empty = ageing(np.array([], dtype="datetime64[ns]"), np.array([]), "2026-10-31")
    assert len(empty) == 0 and list(empty.columns)[-1] == "total"
    assert (empty.dtypes == float).all()


def test_a_missing_due_date_in_a_date_array_is_named_by_row():
    due = np.array(["2026-10-01", "NaT"], dtype="datetime64[ns]")
    with pytest.raises(CalcError, match="due date missing in row 2"):
        days_past_due(due, "2026-10-31")


def test_an_infinite_or_blank_amount_ages_like_the_grouped_table():
    due = np.array(["2026-10-01", "2026-10-20", "2026-12-01"], dtype="datetime64[ns]")
    amounts = np.array([np.inf, np.nan, 5.0])
    total = ageing(due, amounts, "2026-10-31")
    grouped = ageing(due, amounts, "2026-10-31", groups=[1, 1, 1]).reset_index(drop=True)
    pd.testing.assert_frame_equal(total, grouped)
    assert total["d1_30"].iloc[0] == np.inf and total["current"].iloc[0] == 5.0
