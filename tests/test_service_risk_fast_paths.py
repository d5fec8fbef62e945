"""Shortcuts for ranges of plain numbers give exactly what the general reading gives.

NPS and CSAT count survey answers cast to bytes, DX_AGING subtracts serial numbers instead of
building dates, DSO blanks only the periods without sales, a single amber/red rule is two
comparisons, and an ageing bucket is a count of the bounds below a value. Each is compared
here with the general path it stands in for, on blanks, zeros, negatives, fractions, text,
single cells and empty ranges: same cells, same blanks, same errors.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealerxl.calc import CalcError
from dealerxl.calc import receivables, risk, service
from dealerxl.excel.functions.risk import DX_AGING, DX_DSO, DX_ECL  # as written: they raise
from dealerxl.excel.functions.service import DX_CSAT, DX_NPS
from dealerxl.excel.functions import risk as risk_functions
from dealerxl.excel.functions.convert import one_number, table, used_rows

NAN = float("nan")


def outcome(function, *args):
    """What a call gives: its result, or the error's kind and message."""
    try:
        return "ok", function(*args)
    except Exception as error:  # the general path's own errors are part of what must agree
        return "error", type(error).__name__, str(error)


def same_cells(a, b) -> bool:
    """Two results cell for cell: same values and types, NaN equal to NaN, nothing else loose."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        if not (isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) and a[0] == b[0]):
            return False
        if a[0] == "error":
            return a == b
        return same_cells(a[1], b[1])
    if isinstance(a, float) and isinstance(b, float):
        return (np.isnan(a) and np.isnan(b)) or a == b
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind == "f":
        return a.tobytes() == b.tobytes()
    for x, y in zip(a.ravel(), b.ravel()):
        if type(x) is not type(y):
            return False
        if isinstance(x, float) and np.isnan(x) and np.isnan(y):
            continue
        if isinstance(x, float) and x == y and np.signbit(x) != np.signbit(y):
            return False
        if x != y:
            return False
    return True


# Survey answers: the scale, just off it, fractions, huge numbers, infinities, blanks, −0.
_answer = st.one_of(st.integers(-3, 13).map(float), st.just(NAN), st.just(-0.0),
                    st.sampled_from([0.5, 4.5, 9.999, 255.0, 256.0, 1e9, -1e9, np.inf, -np.inf, 2.0 ** 63]))


@settings(max_examples=300, deadline=None)
@given(st.lists(_answer, max_size=30), st.sampled_from([(-1, 1), (1, -1), (-1,)]),
       st.sampled_from([4, 1, 1.0, 5, 6, 0, 3.5, np.int64(2), -300, 300, NAN]))
def test_nps_and_csat_of_a_number_range_equal_the_general_reading(answers, shape, satisfied_from):
    scores = np.array(answers, dtype=float).reshape(shape)
    assert same_cells(outcome(service.nps, scores), outcome(service._nps_of_any_answers, scores))
    assert same_cells(outcome(service.csat, scores, satisfied_from),
                      outcome(service._csat_of_any_answers, scores, satisfied_from))
    # and the worksheet functions agree with the same answers given as cells of any kind
    cells = np.array(answers, dtype=object).reshape(shape)
    assert same_cells(outcome(DX_NPS, scores), outcome(DX_NPS, cells))
    assert same_cells(outcome(DX_CSAT, scores, satisfied_from), outcome(DX_CSAT, cells, satisfied_from))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 10).map(float), st.just(NAN), st.just(-0.0)), max_size=60),
       st.integers(0, 7))
def test_answers_on_the_scale_take_the_byte_count_and_agree(answers, satisfied_from):
    scores = np.array(answers, dtype=float).reshape(-1, 1)
    assert service._answers_on_scale(scores, 0, 10) is not None
    assert same_cells(outcome(service.nps, scores), outcome(service._nps_of_any_answers, scores))
    stars = np.where(scores > 5, scores - 5, scores)
    stars[stars == 0] = 1.0
    assert service._answers_on_scale(stars, 1, 5) is not None
    assert same_cells(outcome(service.csat, stars, satisfied_from),
                      outcome(service._csat_of_any_answers, stars, satisfied_from))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-2, 300), max_size=30), st.sampled_from([np.int64, np.int32, np.uint8, np.int8]))
def test_integer_answers_count_like_the_general_reading(answers, dtype):
    scores = np.array(answers).astype(dtype)
    assert same_cells(outcome(service.nps, scores), outcome(service._nps_of_any_answers, scores))
    assert same_cells(outcome(service.csat, scores), outcome(service._csat_of_any_answers, scores))


def test_a_blank_among_answers_is_ignored_and_a_fraction_is_named():
    assert service.nps(np.array([[10.0], [NAN], [0.0], [9.0]])) == pytest.approx(100 / 3)
    assert np.isnan(service.csat(np.array([NAN, NAN])))
    assert np.isnan(service.nps(np.array([])))
    with pytest.raises(CalcError, match=r"CSAT scores must be whole numbers from 1 to 5 \(found 4.5\)"):
        service.csat(np.array([5.0, NAN, 4.5]))
    with pytest.raises(CalcError, match=r"NPS scores must be whole numbers from 0 to 10 \(found -1\)"):
        service.nps(np.array([3.0, -1.0, 11.0]))


def test_a_threshold_that_is_not_a_number_takes_the_general_path_and_its_error():
    scores = np.array([5.0, 4.0])
    assert same_cells(outcome(service.csat, scores, "4"), outcome(service._csat_of_any_answers, scores, "4"))


# Due dates as serial numbers: whole days, times of day, blanks, dates beyond what pandas holds.
_serial = st.one_of(st.integers(45000, 47000).map(float), st.floats(45000, 47000).map(lambda d: round(d, 3)),
                    st.just(NAN), st.sampled_from([-70000.0, -70001.0, 100000.0, 100001.0, 2958465.0, 0.0, -5.0]))
_amount = st.one_of(st.floats(-1e6, 1e7, allow_nan=False), st.just(NAN), st.just(0.0), st.just(-0.0),
                    st.sampled_from([np.inf, -np.inf]))
_as_of = st.sampled_from([46326.0, 46326, np.float64(46326.0), np.int64(46000), 46326.5, NAN, True,
                          "2026-10-31", 100000.0, 100001.0, -70000, 10 ** 30, np.array([[46326.0]])])
_buckets = st.sampled_from([None, np.array([[0.0], [30.0], [90.0]]), np.array([[30.0, NAN, 60.0]]),
                            np.array([[0.0], [0.0]]), np.array([[60.0], [30.0]]),
                            np.arange(-5.0, 400.0, 10.0).reshape(-1, 1)])


def general_aging(due, amounts, as_of, buckets):
    due, amounts, bounds, labels = risk_functions.aging_arguments(due, amounts, buckets)
    return risk_functions.aging_of_any_dates(due, amounts, as_of, bounds, labels)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_serial, _amount), max_size=40), _as_of, _buckets, st.integers(-1, 1))
def test_aging_of_serial_numbers_equals_the_general_reading_of_dates(items, as_of, buckets, extra):
    due = np.array([s for s, _ in items], dtype=float).reshape(-1, 1)
    amounts = np.array([a for _, a in items], dtype=float)
    amounts = np.concatenate([amounts, [1.0]])[:max(len(items) + extra, 0)].reshape(-1, 1)  # lengths may differ
    fast = outcome(DX_AGING, due, amounts, as_of, buckets)
    assert same_cells(fast, outcome(general_aging, due, amounts, as_of, buckets))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(45500, 47000).map(float), _amount), max_size=60),
       st.sampled_from([46326.0, 46326, np.int64(46100), 45000.0]), _buckets)
def test_aging_of_whole_serials_takes_the_subtraction_and_agrees(items, as_of, buckets):
    due = np.array([s for s, _ in items], dtype=float).reshape(-1, 1)
    amounts = np.array([a for _, a in items], dtype=float).reshape(-1, 1)
    assert risk_functions._serial_days_past_due(due, as_of) is not None
    assert same_cells(outcome(DX_AGING, due, amounts, as_of, buckets),
                      outcome(general_aging, due, amounts, as_of, buckets))


def test_aging_of_whole_serials_takes_the_subtraction():
    due = np.array([[46296.0], [46341.0], [46000.0]])
    assert risk_functions._serial_days_past_due(due, 46326.0).tolist() == [30.0, -15.0, 326.0]
    assert risk_functions._serial_days_past_due(due, 46326.5) is None
    assert risk_functions._serial_days_past_due(np.array([["2026-10-01"]], dtype=object), 46326.0) is None
    result = DX_AGING(due, np.array([[100.0], [NAN], [5.0]]), 46326.0)
    assert result[0].tolist() == ["≤0", "1–30", "31–60", "61–90", "91–180", ">180", "total"]
    assert result[1].tolist() == [0.0, 100.0, 0.0, 0.0, 0.0, 5.0, 105.0]


def test_aging_of_an_empty_range_has_the_header_only():
    empty = np.empty((0, 1))
    assert same_cells(DX_AGING(empty, empty, 46326.0), general_aging(empty, empty, 46326.0, None))
    assert DX_AGING(empty, empty, 46326.0).shape == (1, 7)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.integers(-50, 400).map(float), st.floats(allow_nan=True, allow_infinity=True),
                          st.just(-0.0)), max_size=40),
       st.lists(st.one_of(st.integers(-10, 200).map(float), st.just(-0.0), st.just(np.inf), st.just(-np.inf)),
                min_size=1, max_size=40, unique=True))
def test_counting_the_bounds_below_a_value_is_the_binary_search(days, bounds):
    bounds = np.sort(np.array(bounds))
    values = np.array(days, dtype=float)
    expected = np.searchsorted(bounds, values, side="left")
    assert same_cells(receivables._bounds_below(values, bounds), expected)
    if np.all(np.diff(bounds) > 0):
        assert same_cells(receivables.bucket_index(values, bounds), expected)


def test_bucket_index_of_a_single_number_is_a_number_as_before():
    assert receivables.bucket_index(31) == 2 and np.ndim(receivables.bucket_index(31)) == 0


_money = st.one_of(st.floats(-1e9, 1e9, allow_nan=False), st.just(0.0), st.just(-0.0), st.just(NAN),
                   st.just(np.inf), st.just(-np.inf))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_money, _money), max_size=30), st.sampled_from([30, 30.0, 365, 0, -1.5, NAN, np.float32(7.25)]))
def test_dso_of_columns_equals_the_formula_with_blanks(pairs, days):
    ar = np.array([a for a, _ in pairs], dtype=float)
    sales = np.array([s for _, s in pairs], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(sales > 0, ar / sales * days, np.nan)
    assert same_cells(receivables.dso(ar, sales, days), expected)
    rows = used_rows(ar, sales)  # the UDF stops at the last row with a figure; a blank period is 30 days
    with np.errstate(divide="ignore", invalid="ignore"):
        spilled = np.where(sales > 0, ar / sales * (30.0 if np.isnan(days) else days), np.nan)[:rows]
    assert same_cells(DX_DSO(ar.reshape(-1, 1), sales.reshape(-1, 1), days), spilled.reshape(-1, 1))


def test_dso_of_single_numbers_and_of_columns_against_one_number_uses_the_formula():
    assert float(receivables.dso(1_200_000, 7_300_000, 365)) == 60.0
    assert np.isnan(receivables.dso(np.array([10.0, 20.0]), 0.0)).all()
    assert receivables.dso(np.array([10.0, 20.0]), 100.0).tolist() == [3.0, 6.0]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_money, st.one_of(st.floats(0, 1), st.just(NAN), st.just(1.5))), max_size=20),
       st.sampled_from([1.0, 1.5, 0.0, -1.0, NAN, "1.2"]))
def test_ecl_columns_spill_the_same_cells_as_the_table(rows, factor):
    balances = np.array([b for b, _ in rows], dtype=float).reshape(-1, 1)
    rates = np.array([r for _, r in rows], dtype=float).reshape(-1, 1)

    def through_the_table():
        rows = used_rows(balances, rates)
        return table(receivables.expected_credit_loss(balances.ravel()[:rows], rates.ravel()[:rows],
                                                      one_number(factor, "forward_looking_factor", 1.0)))
    assert same_cells(outcome(DX_ECL, balances, rates, factor), outcome(through_the_table))


_level_value = st.one_of(st.floats(-2, 2), st.just(NAN), st.just(-0.0), st.just(np.inf), st.just(-np.inf),
                         st.sampled_from([0.1, 0.25, -0.1, -0.25]))
_threshold = st.one_of(st.sampled_from([0.1, 0.25, -0.1, -0.25, 0.0, -0.0, NAN, np.inf, None, "0.2"]),
                       st.floats(-1, 1))
_direction = st.sampled_from([1, -1, 0, 1.0, -2.5, NAN, np.int64(-1), True])


@settings(max_examples=400, deadline=None)
@given(st.lists(_level_value, max_size=30), _threshold, _threshold, _direction)
def test_one_amber_and_red_rule_gives_the_levels_of_the_rule_per_value(values, amber, red, direction):
    x = np.array(values, dtype=float)
    general = outcome(risk._levels_against_rules, x, amber, red, direction)
    assert same_cells(outcome(risk.rule_levels, x, amber, red, direction), general)
    assert same_cells(outcome(risk.rule_levels, x.reshape(-1, 1), amber, red, direction),
                      outcome(risk._levels_against_rules, x.reshape(-1, 1), amber, red, direction))


def test_rule_levels_of_a_single_number_keep_the_general_reading():
    assert risk.rule_levels(0.3, 0.1, 0.25) == "red"
    with pytest.raises(CalcError, match="amber threshold must come before the red one"):
        risk.rule_levels([0.3], 0.3, 0.1)
    assert risk.rule_levels(np.array([]), 0.3, 0.1).tolist() == []


def test_ageing_of_days_gives_the_table_of_ageing_by_dates():
    due = pd.to_datetime(["2026-11-10", "2026-10-15", "2026-07-01"])
    by_dates = receivables.ageing(due, [100, 200, 300], "2026-10-31", groups=["A", "B", "A"])
    by_days = receivables.ageing_of_days([-10, 16, 122], [100, 200, 300], groups=["A", "B", "A"])
    pd.testing.assert_frame_equal(by_dates, by_days)


_bucket_amount = st.one_of(st.floats(-1e12, 1e12), st.floats(-1e-3, 1e-3), st.just(np.inf), st.just(-np.inf),
                           st.just(-0.0))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_bucket_amount, _bucket_amount), min_size=2, max_size=40))
def test_the_ageing_total_is_the_row_sum_a_table_gives(pairs):
    # two items in each bucket: +inf and -inf in one bucket make its sum undefined (NaN)
    amounts = np.array(pairs, dtype=float).ravel()
    days = np.repeat(np.arange(len(pairs), dtype=float) * 10, 2)
    codes = [f"b{i}" for i in range(len(pairs))]
    sums, total = receivables.ageing_total(days, amounts, days[:-2:2], codes)
    row_sum = pd.DataFrame(sums.reshape(1, -1), columns=codes).sum(axis=1).iloc[0]
    assert np.float64(total).tobytes() == np.float64(row_sum).tobytes()
