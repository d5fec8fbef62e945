"""Receivables: ageing, DSO, credit use, roll rates and the ECL provision matrix."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealerxl.calc import CalcError
from dealerxl.calc.receivables import (
    ageing, average_roll_rates, credit_utilisation, expected_credit_loss, loss_rates_from_roll_rates)


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
    rates = loss_rates_from_roll_rates(average_roll_rates(
        np.array([[100., 20, 10, 5], [100, 10, 8, 6], [100, 12, 5, 4]]), np.array([0., 3, 4])))
    assert np.all(np.diff(rates) >= 0)


def test_credit_use_counts_open_orders():
    result = credit_utilisation([80], [30], [100])
    assert result.loc[0, "exposure"] == 110 and bool(result.loc[0, "over_limit"])


def test_negative_credit_limit_is_refused():
    with pytest.raises(CalcError, match="negative"):
        credit_utilisation([1], [0], [-5])
