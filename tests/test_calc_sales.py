"""Sales analysis: monthly matrix, achievement, YoY/MoM/YTD/rolling 12, run rate, contribution,
price-volume-mix, Pareto and declining dealers, on worked examples, sample data and properties."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from dealerxl.calc import CalcError
from dealerxl.calc.sales import (achievement, contribution_to_growth, declining_trend, pareto, period_metrics,
                                 price_volume_mix, price_volume_mix_of_items, run_rate_projection, sales_matrix)
from dealerxl.sample import generate


@pytest.fixture(scope="module")
def transactions():
    """Sample sales lines with the dealer's region and the item's product group joined on."""
    frames = generate("small")
    sales = frames["sales_transactions"].rename(columns={"invoice_date": "date"})
    sales = sales.merge(frames["dealer_master"][["dealer_id", "region"]], on="dealer_id", how="left")
    return sales.merge(frames["item_master"][["sku", "product_group"]], on="sku", how="left")


def test_sales_matrix_covers_every_month_and_keeps_the_total(transactions):
    matrix = sales_matrix(transactions, "dealer_id")
    months = transactions.date.dt.to_period("M")
    assert len(matrix.columns) == (months.max() - months.min()).n + 1
    assert matrix.to_numpy().sum() == pytest.approx(transactions.amount.sum())
    assert matrix.index.tolist() == sorted(transactions.dealer_id.unique())


def test_sales_matrix_by_two_keys_and_a_fixed_span(transactions):
    matrix = sales_matrix(transactions, ["region", "product_group"], "quantity", first_month="2026-01",
                          last_month="2026-12")
    assert matrix.columns[0] == pd.Period("2026-01", "M") and len(matrix.columns) == 12
    inside = transactions[transactions.date.dt.year == 2026]
    assert matrix.to_numpy().sum() == pytest.approx(inside.quantity.sum())


def test_a_date_that_is_not_a_date_names_its_row():
    bad = pd.DataFrame({"date": ["2026-01-01", "soon"], "dealer_id": ["A", "B"], "amount": [1, 2]})
    with pytest.raises(CalcError, match="sales row 2: date is not a date"):
        sales_matrix(bad)
    with pytest.raises(CalcError, match="needs the column"):
        sales_matrix(bad, value="net_amount")


def test_achievement_rate_and_gap():
    result = achievement([80, 120], [100, 100])
    assert result.achievement_rate.tolist() == [0.8, 1.2] and result.gap.tolist() == [-20, 20]


def test_period_metrics_match_a_hand_computed_month(transactions):
    matrix = sales_matrix(transactions, "region")
    metrics = period_metrics(matrix, "2026-06")
    x = matrix.loc[:, pd.Period("2025-07", "M"):pd.Period("2026-06", "M")].sum(axis=1)
    assert metrics.rolling_12.to_numpy() == pytest.approx(x.to_numpy())
    ytd = matrix.loc[:, pd.Period("2026-01", "M"):pd.Period("2026-06", "M")].sum(axis=1)
    assert metrics.ytd.to_numpy() == pytest.approx(ytd.to_numpy())
    june, june_before = matrix[pd.Period("2026-06", "M")], matrix[pd.Period("2025-06", "M")]
    expected = np.where(june_before > 0, june / june_before.where(june_before > 0) - 1, np.nan)
    assert metrics.yoy.to_numpy() == pytest.approx(expected, nan_ok=True)
    assert metrics.index.tolist() == matrix.index.tolist()


def test_period_metrics_leave_growth_blank_without_a_year_before():
    metrics = period_metrics(pd.DataFrame([[5.0, 6.0]], columns=pd.period_range("2026-01", periods=2, freq="M")))
    assert metrics.mom.iloc[0] == pytest.approx(0.2)
    assert np.isnan(metrics.yoy.iloc[0]) and np.isnan(metrics.rolling_12_yoy.iloc[0])


def test_run_rate_by_working_days_leaves_out_holidays():
    result = run_rate_projection([100.0, 100.0], "2026-03-10", "2026-03-01", "2026-03-31", "working_days",
                                 holidays=["2026-03-09"])
    assert result.elapsed_days.tolist() == [6, 6] and result.period_days.tolist() == [21, 21]
    assert result.projection.tolist() == pytest.approx([350.0, 350.0])
    with pytest.raises(CalcError, match="days or working_days"):
        run_rate_projection(1, "2026-03-10", "2026-03-01", "2026-03-31", "hours")


def test_contributions_add_up_to_total_growth(transactions):
    result = contribution_to_growth(transactions, "region", ("2026-01", "2026-06"), ("2025-01", "2025-06"))
    total = result.current.sum() / result.prior.sum() - 1
    assert result.contribution.sum() == pytest.approx(total)
    assert result.share_of_change.sum() == pytest.approx(1)


def test_pvm_effects_add_up_to_the_change_for_each_dealer(transactions):
    result = price_volume_mix(transactions, ("2026-01", "2026-06"), ("2025-01", "2025-06"), by="dealer_id")
    effects = result[["volume", "mix", "price", "new", "lost"]].sum(axis=1)
    assert effects.to_numpy() == pytest.approx(result.change.to_numpy(), abs=1e-6)
    assert result.change.sum() == pytest.approx(
        transactions[transactions.date.between("2026-01-01", "2026-06-30 23:59")].amount.sum()
        - transactions[transactions.date.between("2025-01-01", "2025-06-30 23:59")].amount.sum())


def test_pvm_puts_new_and_discontinued_items_apart():
    result = price_volume_mix_of_items([10, 0, 5], [100, 0, 50], [10, 4, 0], [100, 60, 0]).iloc[0]
    assert (result.volume, result.mix, result.price) == (0, 0, 0)
    assert (result.new, result.lost, result.change) == (60, -50, 10)


def test_pvm_with_only_a_volume_change_is_all_volume():
    result = price_volume_mix_of_items([10, 20], [100, 400], [20, 40], [200, 800]).iloc[0]
    assert (result.volume, result.mix, result.price) == pytest.approx((500, 0, 0))


def test_pareto_of_sample_dealers_puts_the_biggest_first(transactions):
    totals = transactions.groupby("dealer_id").amount.sum()
    result = pareto(totals.to_numpy(), totals.index)
    biggest = result.sort_values("rank").iloc[0]
    assert biggest.label == totals.idxmax() and biggest.pareto_class == "A"
    assert result.cumulative_share.max() == pytest.approx(1)


def test_declining_trend_flags_a_falling_dealer_only(transactions):
    matrix = sales_matrix(transactions, "dealer_id").iloc[:3].copy()
    falling = np.linspace(1000, 200, matrix.shape[1])
    matrix.iloc[0] = falling
    matrix.iloc[1] = falling[::-1]
    result = declining_trend(matrix)
    assert bool(result.declining.iloc[0]) and not bool(result.declining.iloc[1])
    with pytest.raises(CalcError, match="needs 6 months"):
        declining_trend([[1, 2, 3]])


# ---- properties ---------------------------------------------------------------------------

quantities = st.floats(0, 1e4, allow_nan=False)
prices = st.floats(0.01, 1e3, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(quantities, prices, quantities, prices), min_size=1, max_size=15))
def test_pvm_effects_always_add_up_to_the_revenue_change(items):
    q0, p0, q1, p1 = (np.array(v) for v in zip(*items))
    result = price_volume_mix_of_items(q0, q0 * p0, q1, q1 * p1).iloc[0]
    effects = result.volume + result.mix + result.price + result.new + result.lost
    assert effects == pytest.approx(result.change, abs=1e-6 * max(1.0, (q0 * p0).sum() + (q1 * p1).sum()))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=40), st.floats(0.1, 1.0),
       st.floats(0.0, 1.0))
def test_pareto_classes_never_improve_as_value_falls(values, a_share, extra):
    b_share = a_share + (1 - a_share) * extra
    result = pareto(values, a_share=a_share, b_share=b_share).sort_values("rank")
    ranks = result.pareto_class.map({"A": 0, "B": 1, "C": 2}).to_numpy()
    assert np.all(np.diff(ranks) >= 0)
    assert np.all(np.diff(result.cumulative_share.to_numpy()) >= -1e-12)


def test_a_month_outside_the_matrix_is_refused():
    matrix = pd.DataFrame([[1.0, 2.0]], columns=pd.period_range("2026-01", periods=2, freq="M"))
    with pytest.raises(CalcError, match="2025-12 is outside"):
        period_metrics(matrix, "2025-12")
    assert period_metrics(pd.DataFrame([[1.0, 2.0]], columns=["a", "b"])).mom.iloc[0] == 1.0


# Per-item totals of a single group take a path of plain sums; it must agree to the bit with the
# general (grouped) path, including items new or lost, blanks, returns (negative) and no items.
_quantity = st.one_of(st.integers(-5, 300).map(float), st.just(0.0), st.just(float("nan")))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_quantity, st.floats(1, 50), _quantity, st.floats(1, 50)), max_size=25))
def test_price_volume_mix_of_items_agrees_with_the_grouped_path(items):
    from dealerxl.calc.sales import _price_volume_mix, price_volume_mix_of_items

    q0 = np.array([q for q, _, _, _ in items], dtype=float)
    q1 = np.array([q for _, _, q, _ in items], dtype=float)
    r0 = q0 * np.array([p for _, p, _, _ in items], dtype=float)
    r1 = q1 * np.array([p for _, _, _, p in items], dtype=float)
    fast = price_volume_mix_of_items(q0, r0, q1, r1)
    columns = {name: np.nan_to_num(v, nan=0.0) for name, v in (("q0", q0), ("r0", r0), ("q1", q1), ("r1", r1))}
    pd.testing.assert_frame_equal(fast, _price_volume_mix(pd.DataFrame(columns), []), check_exact=True)
    if len(fast):
        effects = fast.iloc[0]
        assert effects["volume"] + effects["mix"] + effects["price"] + effects["new"] + effects["lost"] == \
            pytest.approx(effects["change"], abs=1e-6 * (1 + abs(effects["prior_revenue"]) + abs(effects["current_revenue"])))


def test_achievement_rate_and_gap_are_the_columns_of_achievement():
    from dealerxl.calc.sales import achievement_rate_and_gap

    actual, target = [95.0, 130.0, 10.0, float("nan")], [100.0, 0.0, float("nan"), 50.0]
    rate, gap = achievement_rate_and_gap(actual, target)
    table = achievement(actual, target)
    np.testing.assert_array_equal(rate, table["achievement_rate"].to_numpy())
    np.testing.assert_array_equal(gap, table["gap"].to_numpy())
    with pytest.raises(CalcError, match="2 actual values but 1 targets"):
        achievement_rate_and_gap([1, 2], [1])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 1000).map(float), st.just(float("nan"))), max_size=30))
def test_pareto_ranks_shares_and_classes_follow_their_definitions(values):
    table = pareto(values)
    v = np.nan_to_num(np.array(values, dtype=float), nan=0.0)
    order = np.argsort(-v, kind="stable")
    assert table["rank"].to_numpy()[order].tolist() == list(range(1, v.size + 1))
    total = v.sum()
    np.testing.assert_allclose(table["share"], v / total if total > 0 else np.zeros_like(v))
    before = np.concatenate([[0.0], np.cumsum(v[order])[:-1]]) / total if total > 0 else np.ones(v.size)
    expected = np.where(v[order] <= 0, "C", np.where(before < 0.8, "A", np.where(before < 0.95, "B", "C")))
    assert table["pareto_class"].to_numpy()[order].tolist() == expected.tolist()
