"""Demand statistics, safety stock, reorder point, EOQ, order rounding, ABC-XYZ and stock health."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from scipy.stats import norm

from dealerxl.calc import CalcError
from dealerxl.calc import demand, inventory as inv
from dealerxl.sample import generate

# --- worked examples -----------------------------------------------------------------------


def test_eoq_matches_the_textbook_pencil_example():
    # Nahmias, Production and Operations Analysis, ch. 4: 60 pencils a week, K = $12,
    # unit cost $0.02, 25 % a year → h = $0.005, Q* = sqrt(2·12·3120/0.005) = 3870.
    assert round(float(inv.eoq(3120, 12, 0.005))) == 3870


def test_eoq_of_a_whole_column_at_once():
    result = inv.eoq([1200, 3120, 0], [50, 12, 50], [2, 0.005, 2])
    assert np.allclose(result, [244.949, 3869.884, 0.0], atol=1e-3)


def test_loss_function_matches_the_printed_table():
    # Table of G_u(k) (Silver, Pyke & Thomas; Nahmias): G(0) = 0.3989, G(0.5) = 0.1978,
    # G(1) = 0.0833, G(1.5) = 0.0293, G(2) = 0.0085.
    assert np.allclose(inv.standard_normal_loss([0, 0.5, 1, 1.5, 2]),
                       [0.3989, 0.1978, 0.0833, 0.0293, 0.0085], atol=5e-5)


def test_fill_rate_factor_solves_the_loss_equation_for_every_item():
    q = np.array([100, 500, 50, 2000])
    sd = np.array([25, 40, 80, 10])
    beta = np.array([0.98, 0.95, 0.99, 0.9])
    k = inv.fill_rate_safety_factor(q, sd, beta)
    assert np.allclose(inv.standard_normal_loss(k), q * (1 - beta) / sd, rtol=1e-9)
    assert k[3] < 0  # a large order alone already serves 90 %: no protection needed


def test_fill_rate_safety_stock_is_never_negative():
    assert inv.safety_stock_fill_rate(100, 5, 30.4375, 0.9, 2000) == 0.0


def test_safety_stock_converts_lead_time_days_to_periods():
    # Same demand expressed monthly and weekly (d scales with the period, σd with its
    # square root) gives the same safety stock for the same lead time in days.
    monthly = inv.safety_stock(100, 20, 45, 0.95, 10, period_days=inv.MONTH_DAYS)
    weeks = inv.MONTH_DAYS / 7
    weekly = inv.safety_stock(100 / weeks, 20 / np.sqrt(weeks), 45, 0.95, 10, period_days=7)
    assert monthly == pytest.approx(weekly)


def test_safety_stock_worked_example_with_both_variabilities():
    # d = 100, σd = 20 a month, L = 2 months, σL = 0.5 months, 95 %:
    # σLTD = sqrt(2·20² + 100²·0.5²) = sqrt(3300), SS = 1.64485·57.446 = 94.49.
    ss = inv.safety_stock(100, 20, 2 * inv.MONTH_DAYS, 0.95, 0.5 * inv.MONTH_DAYS)
    assert float(ss) == pytest.approx(norm.ppf(0.95) * np.sqrt(3300))
    assert float(inv.reorder_point(100, 20, 2 * inv.MONTH_DAYS, 0.95, 0.5 * inv.MONTH_DAYS)) == pytest.approx(200 + ss)


def test_service_levels_outside_the_sensible_range_are_refused():
    with pytest.raises(CalcError, match="service level"):
        inv.safety_stock(10, 2, 7, [0.95, 1.0])
    with pytest.raises(CalcError, match="service level"):
        inv.safety_stock(10, 2, 7, 0.3)


def test_negative_lead_time_is_refused_with_a_plain_message():
    with pytest.raises(CalcError, match="lead time"):
        inv.safety_stock(10, 2, [7, -1], 0.95)


def test_min_max_and_order_up_to_levels():
    levels = inv.min_max_levels([100, 50], [30, 20])
    assert levels.to_dict("list") == {"min_level": [100.0, 50.0], "max_level": [130.0, 70.0]}
    # (R, S): d = 50 a week, σd = 10, L = 14 days, R = 7 days, 95 % → 150 + 1.645·sqrt(300)
    assert float(inv.order_up_to_level(50, 10, 14, 7, 0.95, period_days=7)) == pytest.approx(
        150 + norm.ppf(0.95) * np.sqrt(300))


def test_order_rounding_respects_moq_and_pack():
    assert inv.round_order_quantity([1, 49, 50, 51, 0, -5], 50, 10).tolist() == [50, 50, 50, 60, 0, 0]
    assert inv.round_order_quantity([24.000000001], 0, 12).tolist() == [24.0]


def test_abc_classes_worked_example():
    assert inv.abc_classes([500, 300, 100, 60, 40]).tolist() == ["A", "A", "B", "B", "C"]
    assert inv.abc_classes([500, 300, 100, 60, 40], a_share=0.5, b_share=0.9).tolist() == ["A", "B", "B", "C", "C"]
    assert inv.abc_classes([0, 0]).tolist() == ["C", "C"]


def test_policy_table_maps_each_box_and_reports_missing_boxes():
    classes = inv.abc_xyz([500, 300, 100], [0.2, 0.7, 1.5])
    policy = pd.DataFrame({"abc_class": ["A", "A"], "xyz_class": ["X", "Y"], "service_level": [0.98, 0.97],
                           "review_rule": ["continuous_eoq", "continuous_eoq"]})
    with pytest.raises(CalcError, match="BZ"):
        inv.apply_policy(classes, policy)
    full = pd.concat([policy, pd.DataFrame({"abc_class": ["B"], "xyz_class": ["Z"], "service_level": [0.9],
                                            "review_rule": ["min_max"]})])
    assert inv.apply_policy(classes, full).service_level.tolist() == [0.98, 0.97, 0.9]
    with pytest.raises(CalcError, match="twice"):
        inv.apply_policy(classes, pd.concat([full, full.iloc[:1]]))


def test_stock_health_flags_slow_and_obsolete_items():
    r = inv.stock_health(on_hand=[600, 50, 0, 500], unit_cost=[2.5, 4, 1, 1], annual_usage=[1200, 0, 10, 120],
                         forecast_per_month=[100, 0, 1, 10], months_since_last_sale=[1, 9, 20, 2],
                         slow_moving_months=6, obsolete_cover_months=24, excess_cover_months=6)
    assert r.slow_moving.tolist() == [False, True, False, False]  # nothing on hand is not slow stock
    assert r.obsolete.tolist() == [False, True, False, True]  # 500 / 10 = 50 months of cover
    assert r.excess_value.tolist() == [0.0, 200.0, 0.0, 440.0]
    assert r.turnover.iloc[0] == 2.0 and r.cover_months.iloc[3] == 50.0


# --- demand statistics -------------------------------------------------------------------


def test_missing_periods_count_as_zero_demand():
    history = pd.DataFrame({"sku": ["A", "A", "B", "B", "B"],
                            "month": ["2026-01-05", "2026-04-20", "2026-01-01", "2026-02-01", "2026-04-01"],
                            "quantity": [8, 4, 3, 3, 3]})
    stats = demand.demand_statistics(history).set_index("sku")
    assert stats.loc["A", "mean_demand"] == 3.0  # (8 + 0 + 0 + 4) / 4
    assert stats.loc["A", "intermittency"] == 0.5
    assert stats.loc["B", "sd_demand"] == pytest.approx(np.std([3, 3, 0, 3], ddof=1))


def test_weekly_buckets_and_sku_location_keys():
    history = pd.DataFrame({"sku": ["A"] * 3, "location": ["W1", "W1", "W2"],
                            "week": ["2026-11-02", "2026-11-16", "2026-11-03"], "qty": [7, 7, 2]})
    stats = demand.demand_statistics(history, ("sku", "location"), "week", "qty", bucket="week")
    assert stats.periods.tolist() == [3, 3] and stats.mean_demand.tolist() == [14 / 3, 2 / 3]


def test_demand_history_with_bad_rows_names_the_row():
    history = pd.DataFrame({"sku": ["A", "A"], "month": ["2026-01-01", "soon"], "quantity": [1, 2]})
    with pytest.raises(CalcError, match="row 2"):
        demand.demand_statistics(history)
    history = pd.DataFrame({"sku": ["A", "A"], "month": ["2026-01-01", "2026-02-01"], "quantity": [1, -2]})
    with pytest.raises(CalcError, match="row 2"):
        demand.demand_statistics(history)


def test_statistics_of_the_sample_demand_history_per_sku_and_location():
    frames = generate("small")
    history = frames["demand_history"]
    stats = demand.demand_statistics(history, ("sku", "location"))
    pairs = history[["sku", "location"]].drop_duplicates()
    assert len(stats) == len(pairs)
    one = stats.iloc[0]
    rows = history[(history.sku == one.sku) & (history.location == one.location)]
    assert one.mean_demand * one.periods == pytest.approx(rows.quantity.sum())
    assert ((stats.intermittency >= 0) & (stats.intermittency <= 1)).all()


# --- properties --------------------------------------------------------------------------

finite = st.floats(min_value=0, max_value=1e5, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(d=finite, sd=finite, lead=st.floats(0, 365), lead_sd=st.floats(0, 60),
       levels=st.lists(st.floats(0.5, 0.9999), min_size=2, max_size=6))
def test_safety_stock_is_non_negative_and_rises_with_service_level(d, sd, lead, lead_sd, levels):
    ordered = np.sort(np.array(levels))
    ss = inv.safety_stock(d, sd, lead, ordered, lead_sd)
    assert np.all(ss >= 0)
    assert np.all(np.diff(ss) >= -1e-9 * max(1.0, float(ss.max())))


@settings(max_examples=60, deadline=None)
@given(need=st.lists(st.floats(-100, 1e5, allow_nan=False), min_size=1, max_size=20),
       moq=st.floats(0, 1000), pack=st.integers(1, 500))
def test_rounded_order_covers_need_in_whole_packs_above_moq(need, moq, pack):
    q = inv.round_order_quantity(need, moq, pack)
    n = np.array(need)
    positive = n > 1e-9 * pack  # below that the need is rounding noise
    assert np.all(q[~positive] == 0)
    assert np.all(q[positive] >= n[positive] - 1e-6)
    assert np.all(q[positive] >= moq - 1e-6)
    assert np.allclose(q / pack, np.round(q / pack))


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=40),
       a=st.floats(0.05, 0.9), gap=st.floats(0, 0.09))
def test_class_a_is_the_smallest_top_set_reaching_its_share(values, a, gap):
    v = np.array(values)
    classes = inv.abc_classes(v, a, a + gap)
    total = v.sum()
    if total == 0:
        assert set(classes) == {"C"}
        return
    a_value = v[classes == "A"].sum()
    assert a_value / total >= a - 1e-9 or (classes[v > 0] == "A").all()
    smallest_a = v[classes == "A"].min()
    assert (a_value - smallest_a) / total < a + 1e-9  # dropping one A item falls short
    rank = {"A": 0, "B": 1, "C": 2}
    order = np.argsort(-v, kind="stable")
    assert np.all(np.diff([rank[c] for c in classes[order]]) >= 0)  # classes follow value


@settings(max_examples=40, deadline=None)
@given(stock=st.lists(finite, min_size=1, max_size=10), forecast=finite)
def test_stock_advice_is_never_negative(stock, forecast):
    r = inv.stock_health(stock, 1.0, forecast * 12, forecast, 3)
    assert (r[["days_of_supply", "cover_months", "excess_qty", "excess_value"]] >= 0).all().all()


def test_default_settings_tables_give_the_default_thresholds():
    from dealerxl.forms.chapter05 import DEFAULT_ROWS
    limits = inv.thresholds_from_settings(pd.DataFrame(DEFAULT_ROWS["abc_thresholds"]),
                                          pd.DataFrame(DEFAULT_ROWS["xyz_thresholds"]))
    assert limits == {"a_share": 0.8, "b_share": 0.95, "x_max": 0.5, "y_max": 1.0}
    classes = inv.abc_xyz([500, 300, 100], [0.2, 0.7, 1.5], **limits)
    policy = inv.apply_policy(classes, pd.DataFrame(DEFAULT_ROWS["abc_xyz_policy"]))
    assert policy.review_rule.tolist() == ["continuous_eoq", "continuous_eoq", "min_max"]


def test_thresholds_table_without_class_b_is_refused():
    with pytest.raises(CalcError, match="class B"):
        inv.thresholds_from_settings(pd.DataFrame({"abc_class": ["A"], "max_cumulative_share": [0.8]}),
                                     pd.DataFrame({"xyz_class": ["X", "Y"], "max_cv": [0.5, 1.0]}))


# Counting blanks as zero, every period counts for every row: the statistics take a path without
# masks, which must agree to the bit with the masked path on the same (blank-free) matrix.
_demand_cell = st.one_of(st.integers(0, 500).map(float), st.just(float("nan")), st.floats(0, 1e6, allow_nan=False))


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 8).flatmap(lambda periods: st.lists(st.lists(_demand_cell, min_size=periods, max_size=periods),
                                                          min_size=1, max_size=12)))
def test_demand_statistics_counting_blanks_as_zero_agree_with_the_masked_path(rows):
    matrix = np.array(rows, dtype=float)
    full = demand.statistics_from_matrix(matrix, blank_as_zero=True)
    masked = demand.statistics_from_matrix(np.nan_to_num(matrix, nan=0.0), blank_as_zero=False)
    pd.testing.assert_frame_equal(full, masked, check_exact=True)


def test_negative_demand_is_refused_on_both_paths():
    for blank_as_zero in (True, False):
        with pytest.raises(CalcError, match="demand cannot be negative"):
            demand.statistics_from_matrix([[1.0, -2.0, float("nan")]], blank_as_zero)


def _abc_reference(values, a_share, b_share):
    """ABC classes written out plainly: rank, share of the items before, thresholds."""
    v = np.nan_to_num(np.asarray(values, dtype=float), nan=0.0)
    order = np.argsort(-v, kind="stable")
    total = v.sum()
    classes = np.empty(v.size, dtype=object)
    before = 0.0
    for position in order:  # a loop is fine in a reference on a few items
        share_before = before / total if total > 0 else 1.0
        classes[position] = "C" if v[position] <= 0 else "A" if share_before < a_share else \
            "B" if share_before < b_share else "C"
        before += v[position]
    return classes


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 1000).map(float), st.just(float("nan")), st.just(0.0)), max_size=30),
       st.sampled_from([(0.8, 0.95), (0.5, 0.5), (0.2, 1.0), (1.0, 1.0)]))
def test_abc_classes_agree_with_a_plain_reference(values, thresholds):
    got = inv.abc_classes(values, *thresholds)
    assert got.dtype == object
    assert got.tolist() == _abc_reference(values, *thresholds).tolist()
    value, order, classes = inv.abc_ranking(values, *thresholds)
    assert classes.tolist() == got.tolist()
    assert order.tolist() == np.argsort(-np.nan_to_num(np.array(values, dtype=float)), kind="stable").tolist()


def test_abc_classes_refuse_negative_values():
    with pytest.raises(CalcError, match="annual value must be ≥ 0"):
        inv.abc_classes([10.0, -1.0])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(-5, 5, allow_nan=False), st.just(0.0), st.just(float("nan")),
                          st.just(float("inf")), st.just(float("-inf"))), max_size=12),
       st.sampled_from([(0.0, False), (0.0, True), (None, False), (1.0, False)]))
def test_validated_arrays_refuse_exactly_the_values_below_the_bound(values, bound):
    minimum, strict = bound
    x = np.array(values, dtype=float)
    with np.errstate(invalid="ignore"):
        bad = np.zeros(x.shape, dtype=bool) if minimum is None else (x <= minimum) if strict else (x < minimum)
    if bad.any():
        with pytest.raises(CalcError, match=f"found {x[bad][0]:g}$"):
            inv._array(x, "the value", minimum, strict)
    else:
        np.testing.assert_array_equal(inv._array(x, "the value", minimum, strict), x)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.integers(0, 1000).map(float), st.just(float("nan"))),
                          st.one_of(st.floats(0, 3, allow_nan=False), st.just(float("nan")), st.just(float("inf")))),
                max_size=25))
def test_abc_xyz_boxes_join_the_two_classes_of_each_item(items):
    values = [v for v, _ in items]
    cvs = np.array([c for _, c in items], dtype=float)
    table = inv.abc_xyz(values, cvs)
    expected_xyz = ["X" if c <= 0.5 else "Y" if c <= 1.0 else "Z" for c in cvs]  # NaN compares False: Z
    assert table["xyz_class"].tolist() == expected_xyz == inv.xyz_classes(cvs).tolist()
    assert table["abc_class"].tolist() == _abc_reference(values, 0.8, 0.95).tolist()
    assert table["box"].tolist() == [a + x for a, x in zip(table["abc_class"], table["xyz_class"])]
