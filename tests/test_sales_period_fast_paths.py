"""Period figures, holdout accuracy and seasonal indices take shorter paths when nothing is blank
(YoY/YTD/rolling sums on the matrix itself, seasonal naive scored once when it forecasts every
series, one moving average and no masks for the seasonal ratios, tables built from columns);
each gives exactly what the general path gives: floats to the bit, errors by their message."""
from __future__ import annotations

import contextlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from same_results import assert_same, outcome
from test_sales_fast_paths import _date_cell, _special, frame_columns

from dealerxl.calc import forecast, sales, targets
from dealerxl.excel.functions.sales import DX_SEASONAL_SPLIT, DX_YOY  # as written: they raise
from dealerxl.excel.functions.convert import (first_rows, matrix, numbers, one_date, one_number, one_whole_number, table,
                                              used_rows)

NAN = float("nan")
_month_value = st.one_of(st.floats(0, 1e4), st.integers(-50, 300).map(float), st.floats(-1e6, 1e6), _special)


def _matrices(min_months: int, max_months: int, values=_month_value):
    return st.integers(0, 5).flatmap(lambda rows: st.integers(min_months, max_months).flatmap(
        lambda months: st.lists(st.lists(values, min_size=months, max_size=months), min_size=rows, max_size=rows)
        .map(lambda cells: np.array(cells, dtype=float).reshape(rows, months))))


def _laid_out(x: np.ndarray, layout: str) -> np.ndarray:
    if layout == "F":
        return np.asfortranarray(x)
    if layout == "sliced":
        return np.hstack([x, x])[:, :x.shape[1]]
    return x


@contextlib.contextmanager
def _without(module, name: str):
    """A context in which the shorter path ``name`` of ``module`` declines, so the general path runs."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, name, lambda *_: None)
        yield


# --- period metrics (MoM, YoY, YTD, rolling 12) ------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(_matrices(1, 40), st.sampled_from(["C", "F", "sliced"]), st.integers(-1, 39), st.integers(0, 11))
def test_period_figures_on_the_matrix_itself_agree_with_the_padded_copy(x, layout, month, calendar_month):
    x = _laid_out(x, layout)
    t = x.shape[1] - 1 if month < 0 or month >= x.shape[1] else month
    fast = outcome(lambda: sales._metric_columns(x, t, calendar_month))
    with _without(sales, "_figures_in_matrix"):
        general = outcome(lambda: sales._metric_columns(x, t, calendar_month))
    assert_same(fast, general)


@settings(max_examples=150, deadline=None)
@given(_matrices(0, 30), st.one_of(st.none(), st.integers(0, 11)))
def test_last_month_metrics_are_the_period_metrics_of_the_last_month(x, calendar_month):
    fast = outcome(lambda: sales.last_month_metrics(x, calendar_month))
    if calendar_month is None:
        frame = x
    else:  # month labels ending in the calendar month given
        end = pd.Period(f"2026-{calendar_month + 1:02d}", "M")
        frame = pd.DataFrame(x, columns=pd.period_range(end=end, periods=x.shape[1], freq="M"))
    with _without(sales, "_figures_in_matrix"):
        general = outcome(lambda: frame_columns(sales.period_metrics(frame)))
    assert_same(fast, general)


def test_period_figures_with_a_blank_in_the_last_two_years_count_it_as_zero():
    history = np.arange(1.0, 25.0).reshape(1, -1)
    with_blank, as_zero = history.copy(), history.copy()
    with_blank[0, 20], as_zero[0, 20] = NAN, 0.0
    pd.testing.assert_frame_equal(sales.period_metrics(with_blank), sales.period_metrics(as_zero), check_exact=True)
    assert sales.period_metrics(with_blank)["ytd"].tolist() == [sum(range(13, 25)) - 21.0]


def _yoy_general(history, last_month):
    """DX_YOY as a month-labelled table through period_metrics, every sum on the padded copy."""
    x = matrix(first_rows(history, used_rows(blocks=(history,))), "history")
    blank = last_month is None or (np.size(last_month) == 1 and pd.isna(np.ravel(np.asarray(last_month, dtype=object))[0]))
    if not blank:
        end = one_date(last_month, "last_month")
        x = pd.DataFrame(x, columns=pd.period_range(end=end.to_period("M"), periods=x.shape[1], freq="M"))
    with _without(sales, "_figures_in_matrix"):
        metrics = sales.period_metrics(x)
    return table(metrics[["actual", "mom", "yoy", "ytd", "ytd_yoy", "rolling_12", "rolling_12_yoy"]]
                 .reset_index(drop=True))


@settings(max_examples=300, deadline=None)
@given(_matrices(0, 30), st.one_of(st.none(), _date_cell), st.booleans())
def test_yoy_udf_gives_the_cells_of_the_month_labelled_table(x, last_month, as_cell):
    if as_cell and last_month is not None:
        last_month = np.array([[last_month]], dtype=object)
    assert_same(outcome(lambda: DX_YOY(x, last_month)), outcome(lambda: _yoy_general(x, last_month)))


def test_yoy_udf_places_january_by_the_last_month():
    history = np.array([[10.0] * 12 + [12.0] * 12])  # the second year: March 2025 to February 2026
    cells = DX_YOY(history, "2026-02-15")
    assert cells[0].tolist() == ["actual", "mom", "yoy", "ytd", "ytd_yoy", "rolling_12", "rolling_12_yoy"]
    assert cells[1, 3] == 24.0  # YTD: January and February 2026
    assert DX_YOY(history, 46_068.0)[1, 3] == 24.0  # the same day as a serial number
    assert DX_YOY(history)[1, 3] == 144.0  # without it, the year starts at the first column


def test_yoy_udf_reads_dates_outside_python_years_as_the_month_labelled_table_does():
    history = np.arange(1.0, 27.0).reshape(1, -1)
    for last_month in (-1_000_000.0, 2_999_999.5, 46_091.25, "2026-3-1"):
        assert_same(outcome(lambda m=last_month: DX_YOY(history, m)), outcome(lambda m=last_month: _yoy_general(history, m)))


def test_yoy_on_a_large_matrix_is_the_general_result_to_the_bit():
    rng = np.random.default_rng(11)
    history = rng.gamma(3, 30, (3000, 24)) + 1
    history[:1000] = np.round(history[:1000])  # whole units too, as sales often are
    assert_same(DX_YOY(history, 46_091.0), _yoy_general(history, 46_091.0))


# --- holdout accuracy ----------------------------------------------------------------------

def test_overall_wape_of_columns_leaves_blank_errors_out_as_the_table_does():
    columns = {"abs_error_model": np.array([10.0, NAN]), "abs_error_naive": np.array([20.0, 40.0]),
               "actual_total": np.array([100.0, 300.0])}
    assert forecast.overall_wape(columns) == forecast.overall_wape(pd.DataFrame(columns)) == \
        {"wape_model": 0.025, "wape_naive": 0.15}


# --- seasonal indices and split --------------------------------------------------------------

_sales_month = st.one_of(st.floats(0, 1e4), st.integers(0, 300).map(float), st.floats(0, 1e-300),
                         st.sampled_from([0.0, -0.0, NAN, 1e300, float("inf"), 5e-324, -1.0]))


def _indices_general(*args):
    with _without(targets, "_ratio_to_moving_average_without_blanks"):
        return outcome(lambda: targets.seasonal_indices(*args))


@settings(max_examples=400, deadline=None)
@given(st.integers(0, 60).flatmap(lambda n: st.lists(_sales_month, min_size=n, max_size=n)),
       st.integers(1, 12), st.sampled_from([12, 4]), st.sampled_from([24, 36]))
def test_seasonal_indices_from_one_moving_average_agree_with_the_masked_path(history, start, periods, ma_months):
    y = np.array(history, dtype=float)
    assert_same(outcome(lambda: targets.seasonal_indices(y, start, periods, ma_months)),
                _indices_general(y, start, periods, ma_months))


def test_seasonal_indices_on_a_long_series_are_the_general_result_to_the_bit():
    rng = np.random.default_rng(13)
    months = np.arange(100_003)
    series = 1000 * (1 + 0.25 * np.sin(2 * np.pi * months / 12)) * rng.gamma(20, 1 / 20, months.size)
    for start in (1, 5, 12):
        assert_same(targets.seasonal_indices(series, start), _indices_general(series, start))


def _split_general(annual_target, history, periods, overrides, unit):
    """DX_SEASONAL_SPLIT through the seasonal split's table and the masked indices."""
    target = one_number(annual_target, "annual_target")
    count = one_whole_number(periods, "periods", 12)
    with _without(targets, "_ratio_to_moving_average_without_blanks"):
        indices = targets.seasonal_indices(matrix(history, "history").ravel(), 1, count)
    fixed = None if overrides is None else numbers(overrides, "overrides")
    return table(targets.seasonal_split(target, indices, fixed, one_number(unit, "unit", 1.0)))


@settings(max_examples=200, deadline=None)
@given(st.integers(10, 40).flatmap(lambda n: st.lists(_sales_month, min_size=n, max_size=n)),
       st.sampled_from([12_000_000.0, 1200.0, 0.0, 1e-3, -5.0, None]), st.sampled_from([12, 4]),
       st.sampled_from(["none", "last fixed", "first fixed", "all blank"]), st.sampled_from([None, 1.0, 0.01, 100.0]))
def test_seasonal_split_udf_gives_the_cells_of_the_split_table(history, annual_target, periods, overrides, unit):
    column = np.array(history, dtype=float).reshape(-1, 1)
    fixed = {"none": None, "all blank": np.full((periods, 1), NAN)}.get(overrides)
    if overrides in ("last fixed", "first fixed"):
        fixed = np.full((periods, 1), NAN)
        fixed[-1 if overrides == "last fixed" else 0] = 100.0
    args = (annual_target, column, periods, fixed, unit)
    assert_same(outcome(lambda: DX_SEASONAL_SPLIT(*args)), outcome(lambda: _split_general(*args)))


def test_seasonal_split_columns_are_the_split_table():
    columns = targets.seasonal_split_columns(1_200_000, [0.8, 1.0, 1.0, 1.2], [300_000, None, None, None])
    pd.testing.assert_frame_equal(pd.DataFrame(columns), targets.seasonal_split(
        1_200_000, [0.8, 1.0, 1.0, 1.2], [300_000, None, None, None]), check_exact=True)
    assert columns["overridden"].tolist() == [True, False, False, False]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.floats(0, 1e4), st.sampled_from([NAN, 0.0, -0.0, -1.0, -float("inf")])), max_size=20),
       st.integers(0, 13))
def test_history_trimming_and_its_bound_check_read_every_value_when_they_must(history, start):
    y = np.array(history, dtype=float)

    def trimmed_by_hand():
        if np.any(y < 0):
            raise targets.CalcError("the sales history cannot be below 0")
        if not 1 <= start <= 12:
            raise targets.CalcError("the first month of the history must be 1 to 12")
        known = np.flatnonzero(~np.isnan(y))
        if known.size == 0:
            raise targets.CalcError("the sales history is empty")
        return y[known[0]:known[-1] + 1], (start - 1 + int(known[0])) % 12

    fast, by_hand = outcome(lambda: targets._monthly_history(y, start)), outcome(trimmed_by_hand)
    if isinstance(by_hand, tuple) and isinstance(by_hand[0], str):
        assert fast == by_hand
    else:
        assert_same(fast[0], by_hand[0])
        assert fast[1] == by_hand[1]
