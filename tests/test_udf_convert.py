"""UDF results are 2-D arrays that xlwings writes as they are; numeric ranges take the fast path.

A result that spills must be a 2-D array (a 1-D one would become a single row), hold no
``datetime64`` (those reach Excel as integers) and show blanks where the calculation has no
value. Arguments that are plain float ranges go straight to the calculation; every UDF must
give the same cells for them as for the same range read cell by cell, and must not write
into them.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from dealerxl.excel.functions import UDFS, convert
from udf_cells import excel_cell, excel_cells

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from suite.udfs import cases  # noqa: E402  (the benchmark's arguments: every UDF with a numpy case)

CASES = cases(40, seed=11)


def as_cells(argument):
    """The same range as xlwings delivers it when text is mixed in: an object array, blanks None."""
    if not isinstance(argument, np.ndarray):
        return argument
    cells = argument.astype(object)
    cells[pd.isna(argument)] = None
    return cells


def test_the_benchmark_covers_most_udfs():
    assert len(set(CASES) & set(UDFS)) >= 20


@pytest.mark.parametrize("name", sorted(set(CASES) & set(UDFS)))
def test_every_udf_result_spills_as_a_2d_array_or_fills_one_cell(name):
    args, _ = CASES[name]
    result = UDFS[name].function(*args)
    if isinstance(result, np.ndarray):
        assert result.ndim == 2 and result.dtype.kind != "M"
    else:
        assert np.ndim(result) == 0
    excel_cells(result)


@pytest.mark.parametrize("name", sorted(set(CASES) & set(UDFS)))
def test_a_float_range_and_the_same_cells_read_one_by_one_give_the_same_sheet(name):
    args, _ = CASES[name]
    fast = excel_cells(UDFS[name].function(*args))
    general = excel_cells(UDFS[name].function(*(as_cells(a) for a in args)))
    assert len(fast) == len(general)
    for fast_row, general_row in zip(fast, general):
        assert fast_row == pytest.approx(general_row, rel=1e-12, nan_ok=True) if all(
            isinstance(v, float) for v in fast_row + general_row) else fast_row == general_row


@pytest.mark.parametrize("name", sorted(set(CASES) & set(UDFS)))
def test_a_udf_leaves_its_ranges_as_they_were(name):
    args, _ = CASES[name]
    copies = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
    UDFS[name].function(*args)
    for before, after in zip(copies, args):
        if isinstance(before, np.ndarray):
            np.testing.assert_array_equal(before, after)


def test_a_float_column_is_handed_over_untouched_and_its_nan_written_blank():
    result = np.array([1.5, np.nan, -2.0])
    spilled = convert.column(result)
    assert spilled.shape == (3, 1) and np.shares_memory(spilled, result)
    assert excel_cells(spilled) == [[1.5], [None], [-2.0]]


def test_a_numeric_range_is_read_without_a_copy():
    block = np.arange(6, dtype=float).reshape(-1, 1)
    assert np.shares_memory(convert.numbers(block), block)
    history = np.arange(12, dtype=float).reshape(3, 4)
    assert np.shares_memory(convert.matrix(history), history)


def test_dates_in_a_result_reach_excel_as_datetimes_and_missing_ones_blank():
    stamps = pd.Series(pd.to_datetime(["2026-10-31 09:30", None]))
    assert excel_cells(convert.column(stamps)) == [[dt.datetime(2026, 10, 31, 9, 30)], [None]]
    assert excel_cells(convert.column(stamps.to_numpy())) == [[dt.datetime(2026, 10, 31, 9, 30)], [None]]
    local = pd.Series(pd.to_datetime(["2026-10-31 09:30"]).tz_localize("Asia/Taipei"))
    assert excel_cells(convert.column(local)) == [[dt.datetime(2026, 10, 31, 9, 30)]]


def test_a_table_has_its_header_first_and_keeps_numbers_text_dates_and_blanks():
    frame = pd.DataFrame({"dealer": ["D01", None], "amount": [1.5, np.nan], "count": [3, 4],
                          "late": [True, False], "due": pd.to_datetime(["2026-10-31", None])})
    result = convert.table(frame)
    assert result.shape == (3, 5) and result.dtype == object
    assert excel_cells(result) == [["dealer", "amount", "count", "late", "due"],
                                   ["D01", 1.5, 3, True, dt.datetime(2026, 10, 31)],
                                   [None, None, 4, False, None]]
    assert [type(v) for v in result[1, 1:4]] == [float, int, bool]  # Python scalars, as COM takes them
    assert excel_cells(convert.table({"rate": np.array([0.5])}, header=False)) == [[0.5]]


def test_serial_dates_read_as_one_array_equal_the_cell_by_cell_reading():
    serials = np.array([[46326.0], [np.nan], [46326.75]])
    pd.testing.assert_series_equal(convert.datetimes(serials), convert.datetimes(serials.astype(object)))


def spilled_one_by_one(values) -> list[list]:
    """The spilled column built cell by cell: blanks for NaN and None, everything else as it is."""
    return [[None if (v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA or v is pd.NaT) else v]
            for v in np.ravel(values).tolist()]


result_arrays = st.one_of(
    st.lists(st.floats(width=64), max_size=40).map(lambda v: np.array(v, dtype=float)),
    st.lists(st.floats(width=32), max_size=40).map(lambda v: np.array(v, dtype=np.float32)),
    st.lists(st.integers(-10**9, 10**9), max_size=40).map(np.array),
    st.lists(st.sampled_from(["red", "amber", "green"]), max_size=40).map(np.array),
    st.lists(st.one_of(st.floats(width=64), st.none(), st.text(max_size=3), st.integers(), st.just(pd.NA),
                       st.just(pd.NaT), st.just(np.float64("nan"))), max_size=40)
    .map(lambda v: np.array(v + [None], dtype=object)[:-1]),
)


@given(values=result_arrays)
def test_a_spilled_column_shows_what_the_cell_by_cell_conversion_shows(values):
    shown = excel_cells(convert.column(values))
    expected = spilled_one_by_one(values)
    assert len(shown) == len(expected)
    for (cell,), (wanted,) in zip(shown, expected):
        assert cell == excel_cell(wanted) or (cell != cell and wanted != wanted)


def test_times_typed_to_the_minute_read_as_typed_not_a_second_short():
    typed = pd.to_datetime(["2026-11-27 17:31", "2026-11-27 10:00", "2026-11-27 16:31", "2026-03-02 23:59"])
    serials = ((typed - convert.EXCEL_EPOCH) / pd.Timedelta(days=1)).to_numpy().reshape(-1, 1)
    assert convert.datetimes(serials).tolist() == typed.tolist()
    assert convert.datetimes(serials.astype(object)).tolist() == typed.tolist()


def test_working_hours_between_minute_times_are_whole_minutes():
    from dealerxl.excel.functions import UDFS

    start, end = (pd.Timestamp(t) for t in ("2026-11-27 16:31", "2026-11-27 17:31"))  # 17:31 read to the ns: 17:30:59.99…
    serial = [[(t - convert.EXCEL_EPOCH) / pd.Timedelta(days=1)] for t in (start, end)]
    hours = UDFS["DX_WORKING_HOURS"].function(np.array(serial[:1]), np.array(serial[1:]))
    assert hours.tolist() == [[1.0]]


def test_date_cells_read_as_dates_and_true_false_refused():
    cells = np.array([[dt.datetime(2026, 3, 10, 13, 5)], [dt.date(2026, 3, 11)], [None], [46091.0]], dtype=object)
    assert convert.datetimes(cells).tolist() == [pd.Timestamp("2026-03-10 13:05"), pd.Timestamp("2026-03-11"),
                                                 pd.NaT, pd.Timestamp("2026-03-10")]
    with pytest.raises(ValueError, match='due, row 2: "TRUE" is not a date'):
        convert.datetimes(np.array([[46091.0], [True]], dtype=object), "due")
    assert convert.datetimes(np.array([[dt.datetime(2026, 3, 10)]], dtype=object)).tolist() == \
        [pd.Timestamp("2026-03-10")]


def test_run_rate_takes_a_date_cell_and_refuses_true_as_a_date():
    run_rate = UDFS["DX_RUN_RATE"].function
    projected = run_rate(np.array([[100.0]]), dt.datetime(2026, 3, 10), dt.datetime(2026, 3, 1), "2026-03-31")
    assert projected.tolist() == [[pytest.approx(310.0)]]
    assert run_rate(np.array([[100.0]]), True, "2026-03-01", "2026-03-31").tolist() == [
        ['#VALUE! as_of: "TRUE" is not a date (e.g. 2026-10-31)']]
