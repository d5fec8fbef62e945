"""The sales UDFs and calculations take shorter paths (price-volume-mix with one scratch array
and no table, the run rate's days counted once for a single period, the declining-trend sums
on the matrix itself when the months used hold no blank, target shares one component at a
time, WAPE without masks when nothing is blank, Pareto columns without a table, single date
cells read without pandas); each gives exactly what the general path gives. Compared cell by
cell, floats to the bit (the sign of zero too), errors by their message."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from same_results import assert_same, outcome

from dealerxl.calc import forecast, sales, targets
from dealerxl.excel.functions.sales import DX_PARETO, DX_PVM, DX_RUN_RATE, run_rate_arguments  # as written: they raise
from dealerxl.excel.functions import convert
from dealerxl.excel.functions.convert import datetimes, first_items, table, used_rows

NAN, INF = float("nan"), float("inf")


def frame_columns(frame: pd.DataFrame) -> dict:
    return {name: frame[name].to_numpy() for name in frame.columns}


_special = st.sampled_from([0.0, -0.0, NAN, INF, -INF, 1e308, -1e308, 5e-324, -1.0])


# --- price-volume-mix ------------------------------------------------------------------------

_sold = st.one_of(st.integers(1, 300).map(float), st.floats(0.001, 1e6))
# Blanks and infinities, but no totals beyond the largest float: there the grouped path's
# pandas sums and the plain sums part ways (∞ − ∞), as they always have.
_unusual = st.sampled_from([0.0, -0.0, NAN, INF, -INF, 5e-324, -1.0])
_any_quantity = st.one_of(_sold, st.integers(-5, 0).map(float), _unusual)
_revenue = st.one_of(st.floats(-1e6, 1e6), _unusual)


def _pvm_general(q0, r0, q1, r1) -> dict:
    """The grouped (pandas) path on the same columns, blanks as 0."""
    columns = {name: np.nan_to_num(np.asarray(v, dtype=float), nan=0.0)
               for name, v in (("q0", q0), ("r0", r0), ("q1", q1), ("r1", r1))}
    return frame_columns(sales._price_volume_mix(pd.DataFrame(columns), []))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_sold, st.floats(0.01, 1e3), _sold, st.floats(0.01, 1e3)), min_size=1, max_size=300))
def test_pvm_where_every_item_sells_in_both_periods_agrees_with_the_grouped_path(items):
    q0, p0, q1, p1 = (np.array(v) for v in zip(*items))
    fast = outcome(lambda: sales.price_volume_mix_effects(q0, q0 * p0, q1, q1 * p1))
    assert_same(fast, outcome(lambda: _pvm_general(q0, q0 * p0, q1, q1 * p1)))
    assert fast["new"].tolist() == fast["lost"].tolist() == [0.0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_any_quantity, _revenue, _any_quantity, _revenue), max_size=30))
def test_pvm_with_new_lost_blank_or_infinite_items_agrees_with_the_grouped_path(items):
    q0, r0, q1, r1 = (np.array(v, dtype=float) for v in zip(*items)) if items else [np.zeros(0)] * 4
    assert_same(outcome(lambda: sales.price_volume_mix_effects(q0, r0, q1, r1)),
                outcome(lambda: _pvm_general(q0, r0, q1, r1)))


def test_pvm_udf_spills_the_same_cells_as_the_table_of_effects():
    q0, r0, q1, r1 = (np.array([[100.0], [100.0], [5.0]]), np.array([[1000.0], [2000.0], [NAN]]),
                      np.array([[120.0], [80.0], [0.0]]), np.array([[1320.0], [1600.0], [0.0]]))
    assert_same(DX_PVM(q0, r0, q1, r1), table(sales.price_volume_mix_of_items(q0, r0, q1, r1)))
    empty = np.zeros((0, 1))
    assert_same(DX_PVM(empty, empty, empty, empty), table(sales.price_volume_mix_of_items(empty, empty, empty, empty)))
    assert DX_PVM(empty, empty, empty, empty).shape == (1, 8)  # the header alone


# --- run rate -------------------------------------------------------------------------------

_day = st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31))
_dates = st.one_of(_day.map(dt.date.isoformat), _day.map(lambda d: np.array([d], dtype="datetime64[D]")),
                   st.lists(_day, min_size=1, max_size=3).map(lambda d: np.array(d, dtype="datetime64[D]")),
                   st.sampled_from(["2026-03-01", "2026-03-10", "2026-03-31", "2026-02-28"]))
_actual = st.lists(st.one_of(st.floats(-1e6, 1e9), _special), max_size=6)


@settings(max_examples=400, deadline=None)
@given(_actual, _dates, _dates, _dates, st.sampled_from(["days", "working_days", "hours"]),
       st.lists(_day, max_size=3))
def test_run_rate_projected_totals_are_the_projection_column(actual, as_of, start, end, basis, holidays):
    off = np.array(holidays, dtype="datetime64[D]")
    fast = outcome(lambda: sales.run_rate_projected_totals(actual, as_of, start, end, basis, off))
    general = outcome(lambda: sales.run_rate_projection(actual, as_of, start, end, basis, off)["projection"].to_numpy())
    assert_same(fast, general)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_day, st.dates(dt.date(1700, 1, 1), dt.date(2500, 12, 31))), max_size=4))
def test_days_given_as_numpy_days_are_read_as_their_text_is(days):
    as_numpy = np.array(days, dtype="datetime64[D]")
    as_text = [d.isoformat() for d in days]
    assert_same(outcome(lambda: sales._days(as_numpy)), outcome(lambda: sales._days(as_text)))


_date_cell = st.one_of(
    st.integers(-10, 120_000).map(float), st.integers(40_000, 50_000), st.floats(-1e6, 3e6),
    st.sampled_from([0.0, 1.0, 60.0, 109_572.0, 109_573.0, NAN, INF, True, None, "", "x", "46091", "2026-3-1",
                     " 2026-03-01", "2026-02-30", "2026-13-01", "2026/03/01", "0999-01-01", "2026-03-01T10:00"]),
    st.dates(dt.date(1850, 1, 1), dt.date(2250, 12, 31)).map(dt.date.isoformat),
    st.just(np.float64(46091.0)), st.just(np.int64(46091)), st.just(dt.date(2026, 3, 5)))


@settings(max_examples=500, deadline=None)
@given(_date_cell, st.sampled_from(["value", "object cell", "float cell"]))
def test_a_single_date_cell_read_directly_is_the_day_datetimes_reads(value, shape):
    if shape == "object cell":
        value = np.array([[value]], dtype=object)
    elif shape == "float cell" and isinstance(value, float):
        value = np.array([[value]])
    day = convert.single_day(value)
    if day is not None:
        general = outcome(lambda: datetimes(value).to_numpy().astype("datetime64[D]"))
        assert_same(day, general)


def test_whole_serials_and_iso_text_are_read_directly():
    assert convert.single_day(46091.0).tolist() == [dt.date(2026, 3, 10)]
    assert convert.single_day(np.array([[46091]], dtype=object)).tolist() == [dt.date(2026, 3, 10)]
    assert convert.single_day("2026-03-01").tolist() == [dt.date(2026, 3, 1)]
    for other in ("2026-02-30", "2026-3-1", 46091.5, True, dt.datetime(2026, 3, 1), np.array([[1.0], [2.0]])):
        assert convert.single_day(other) is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.floats(0, 1e7), _special), min_size=1, max_size=5), _date_cell, _date_cell, _date_cell,
       st.booleans())
def test_run_rate_udf_gives_the_cells_of_the_general_reading(actual, as_of, start, end, working_days):
    column = np.array(actual, dtype=float).reshape(-1, 1)

    def general():  # every date by the general reading, the projection by its table
        actual_to_date, days = run_rate_arguments(column, as_of, start, end, quick=False)
        result = sales.run_rate_projection(actual_to_date, *days, basis="working_days" if working_days else "days",
                                           holidays=np.array([], dtype="datetime64[D]"))
        return convert.column(result["projection"])

    assert_same(outcome(lambda: DX_RUN_RATE(column, as_of, start, end, working_days)), outcome(general))


# --- declining dealers ----------------------------------------------------------------------

_month = st.one_of(st.floats(0, 1e4), st.integers(0, 300).map(float), _special)


def _declining_general(x, *args):
    """declining_trend with every sum taken on the copy with blanks as 0."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sales, "_recent_sums_without_blanks", lambda *_: None)
        return outcome(lambda: frame_columns(sales.declining_trend(x, *args)))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 6).flatmap(lambda rows: st.integers(1, 14).flatmap(
    lambda months: st.lists(st.lists(_month, min_size=months, max_size=months), min_size=rows, max_size=rows)
    .map(lambda cells: np.array(cells, dtype=float).reshape(rows, months)))),
    st.sampled_from(["C", "F", "sliced"]), st.sampled_from([(3, 6, 0.1), (1, 2, 0.0), (2, 3, -1.0), (0, 6, 0.1)]))
def test_declining_trend_on_the_matrix_itself_agrees_with_the_copy_without_blanks(x, layout, args):
    if layout == "F":
        x = np.asfortranarray(x)
    elif layout == "sliced":
        x = np.hstack([x, x])[:, :x.shape[1]]
    assert_same(outcome(lambda: frame_columns(sales.declining_trend(x, *args))), _declining_general(x, *args))


def test_declining_trend_with_a_blank_in_the_months_used_counts_it_as_zero():
    with_blank = sales.declining_trend([[100, 100, 100, 90, NAN, 70]])
    as_zero = sales.declining_trend([[100, 100, 100, 90, 0, 70]])
    pd.testing.assert_frame_equal(with_blank, as_zero, check_exact=True)


# --- target shares --------------------------------------------------------------------------

_share_value = st.one_of(st.floats(0, 1e4), st.floats(-2, 2), _special)
_weight = st.sampled_from([0.0, 0.2, 0.3, 0.5, 1.0, 1e-300, -1.0, NAN])


def _shares_general(*args):
    """allocation_basis with the components stacked in one table (blanks as 0)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(targets, "_blend_without_blanks", lambda *_: None)
        return outcome(lambda: targets.allocation_basis(*args))


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 8).flatmap(lambda n: st.tuples(*[st.lists(_share_value, min_size=n, max_size=n)] * 3)),
       st.sampled_from(["all", "no growth", "no potential", "history only", "short growth"]),
       st.tuples(_weight, _weight, _weight))
def test_target_shares_one_component_at_a_time_agree_with_the_stacked_table(values, given_parts, weights):
    h, g, p = (np.array(v, dtype=float) for v in values)
    if given_parts in ("no growth", "history only"):
        g = None
    if given_parts in ("no potential", "history only"):
        p = None
    if given_parts == "short growth":
        g = g[:1]
    args = (h, g, p, *weights)
    assert_same(outcome(lambda: targets.allocation_basis(*args)), _shares_general(*args))


def test_a_share_of_minus_zero_comes_out_as_plus_zero_as_in_the_stacked_sum():
    share = targets.allocation_basis([1.0, -0.0], None, None, 0.5, 0.2, 0.3)
    assert share.tolist() == [1.0, 0.0] and not np.signbit(share[1])


# --- WAPE and Pareto ------------------------------------------------------------------------

def _wape_masked(a, f, axis):
    """WAPE with every pair that has a blank left out, always through the masks."""
    a, f = np.asarray(a, dtype=float), np.asarray(f, dtype=float)
    ok = ~np.isnan(a) & ~np.isnan(f)
    error = np.where(ok, np.abs(a - f), 0.0).sum(axis=axis)
    scale = np.where(ok, np.abs(a), 0.0).sum(axis=axis)
    return np.where(scale > 0, error / scale, np.nan)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 3).flatmap(lambda rows: st.integers(0, 8).flatmap(lambda months: st.tuples(
    *[st.lists(st.one_of(st.floats(-1e4, 1e4), _special), min_size=rows * months, max_size=rows * months)
      .map(lambda v: np.array(v, dtype=float).reshape(rows, months))] * 2))),
    st.sampled_from([None, 0, 1]))
def test_wape_without_masks_agrees_with_the_masked_sums(pair, axis):
    actual, predicted = pair
    assert_same(outcome(lambda: forecast.wape(actual, predicted, axis)), outcome(lambda: _wape_masked(actual, predicted, axis)))
    assert_same(outcome(lambda: forecast.wape(5.0, 4.0)), outcome(lambda: _wape_masked(5.0, 4.0, None)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(0, 1e6), st.integers(0, 5).map(float), _special), max_size=30))
def test_pareto_udf_spills_the_columns_of_the_pareto_table(values):
    column = np.array(values, dtype=float).reshape(-1, 1)
    names = ("rank", "share", "cumulative_share", "pareto_class")

    def general():
        result = sales.pareto(first_items(column, used_rows(column)), None, 0.8, 0.95)
        return table({name: result[name] for name in names})

    assert_same(outcome(lambda: DX_PARETO(column)), outcome(general))
