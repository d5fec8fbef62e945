"""Scorecards and commissions take whole-array paths: every min–max criterion scaled at once,
the failed criteria spelled once per set of failures, the band of a commission looked up once.
Each gives exactly what the column-by-column, row-by-row way gives (kept here as the
reference): the same frames, floats to the bit, the same spilled cells and the same errors."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dealerxl.calc import CalcError
from dealerxl.calc.incentives import IncentivePlan, cap_amounts, commission, commission_columns
from dealerxl.calc.scoring import CODED_AT_MOST, NAMED_IN_ADVANCE, failed_criteria_names, normalise, weighted_scores
from dealerxl.excel.functions.convert import table
from dealerxl.excel.functions.incentives import (  # as written: they raise
    COMMISSION_COLUMNS, DX_COMMISSION, commission_arguments)
from dealerxl.excel.functions.risk import DX_SCORECARD, scorecard_arguments

NAN = float("nan")


# --- the reference: one criterion, one row, one band look-up at a time ----------------------

def weighted_scores_column_by_column(values, weights, directions=None, gates=None, methods=None, targets=None):
    """Weighted scores with each criterion normalised on its own and the failed criteria
    spelled row by row."""
    x = np.atleast_2d(np.asarray(values, dtype=float))
    n, m = x.shape
    w = np.asarray(weights, dtype=float).ravel()
    if w.size != m:
        raise CalcError(f"{m} criteria but {w.size} weights")
    if np.any(w < 0) or not np.nansum(w) > 0:
        raise CalcError("weights must be non-negative and add up to more than zero")
    d = np.ones(m) if directions is None else np.asarray(directions, dtype=float).ravel()
    meth = ["minmax"] * m if methods is None else list(methods)
    tgt = [None] * m if targets is None else list(targets)
    if len(d) != m or len(meth) != m or len(tgt) != m:
        raise CalcError("directions, methods and targets need one entry per criterion")
    scaled = np.column_stack([
        normalise(x[:, j], meth[j] or "minmax", int(np.sign(d[j]) or 1), tgt[j]) for j in range(m)
    ]) if m else np.zeros((n, 0))
    scaled = np.nan_to_num(scaled, nan=0.0)
    score = scaled @ w / w.sum()
    if gates is None:
        failed = np.zeros((n, m), dtype=bool)
    else:
        g = np.asarray(gates, dtype=float).ravel()
        if g.size != m:
            raise CalcError(f"{m} criteria but {g.size} gates")
        with np.errstate(invalid="ignore"):
            failed = ~np.isnan(g) & np.where(d >= 0, ~(x >= g), ~(x <= g))
    failed_names = [",".join(str(j + 1) for j in np.flatnonzero(row)) for row in failed]
    return pd.DataFrame({"score": score, "passed_gates": ~failed.any(axis=1), "failed_criteria": failed_names})


def marginal_curve_band_by_band(plan: IncentivePlan, attainment) -> np.ndarray:
    lower, rate = np.asarray(plan.band_lower), np.asarray(plan.rate)
    at_lower = np.concatenate([[0.0], np.cumsum(rate[:-1] * np.diff(lower))])
    a = np.asarray(attainment, dtype=float)
    index = np.searchsorted(lower, a, side="right") - 1
    safe = np.maximum(index, 0)
    return np.where(index >= 0, at_lower[safe] + rate[safe] * (a - lower[safe]), 0.0)


def rate_looked_up(plan: IncentivePlan, attainment) -> np.ndarray:
    index = np.searchsorted(np.asarray(plan.band_lower), np.asarray(attainment, dtype=float), side="right") - 1
    return np.where(index >= 0, np.asarray(plan.rate)[np.maximum(index, 0)], 0.0)


def commission_with_repeated_lookups(sales, target, plan: IncentivePlan) -> pd.DataFrame:
    """Commission with the band and the curve looked up afresh for each quantity."""
    s = np.atleast_1d(np.asarray(sales, dtype=float))
    t = np.broadcast_to(np.asarray(target, dtype=float), s.shape)
    if np.isnan(s).any() or (s < 0).any():
        raise CalcError("sales must be numbers ≥ 0 (give returns as reversals)")
    if np.isnan(t).any() or (t <= 0).any():
        raise CalcError("a target must be a number > 0")
    a = s / t
    index = np.searchsorted(np.asarray(plan.band_lower), a, side="right") - 1
    reached_rate = rate_looked_up(plan, a)
    passed = a >= plan.gate
    if plan.mode == "marginal":
        base = t * marginal_curve_band_by_band(plan, a)
        above = t * np.maximum(marginal_curve_band_by_band(plan, a) - marginal_curve_band_by_band(plan, 1.0), 0.0)
        target_incentive = t * marginal_curve_band_by_band(plan, 1.0)
    else:
        base = s * reached_rate
        above = reached_rate * np.maximum(s - t, 0.0)
        target_incentive = t * rate_looked_up(plan, 1.0)
    base = np.where(passed, base, 0.0)
    accelerator = np.where(passed, (plan.accelerator - 1.0) * above, 0.0)
    cap = cap_amounts(plan, target_incentive)
    cap_cut = np.maximum(base + accelerator - cap, 0.0)
    return pd.DataFrame({
        "attainment": a, "tier": index + 1, "rate": reached_rate, "passed_gate": passed,
        "base": base, "accelerator": accelerator, "cap": np.where(np.isinf(cap), np.nan, cap), "cap_cut": cap_cut,
        "payout": base + accelerator - cap_cut,
    })


def scorecard_through_a_frame(values, weights, directions=None, gates=None):
    """DX_SCORECARD with the scores as a DataFrame, spilled from the frame."""
    return table(weighted_scores_column_by_column(*scorecard_arguments(values, weights, directions, gates)))


def commission_through_a_frame_of_objects(sales, target, plan, accelerator=None, gate=None, cap=None):
    """DX_COMMISSION with a DataFrame of blank objects filled by ``.loc``."""
    plan_, amount, goal = commission_arguments(sales, target, plan, accelerator, gate, cap)
    filled = ~np.isnan(amount) & ~np.isnan(goal)
    result = pd.DataFrame(np.nan, index=range(amount.size), columns=COMMISSION_COLUMNS, dtype=object)
    if filled.any():
        computed = commission_with_repeated_lookups(amount[filled], goal[filled], plan_)
        computed["commission"] = computed["payout"]
        result.loc[filled, COMMISSION_COLUMNS] = computed[COMMISSION_COLUMNS].to_numpy(dtype=object)
    return table(result)


# --- comparing outcomes ------------------------------------------------------------------

def outcome(call):
    """What a call gives: its result, or the kind and message of its error."""
    try:
        return call()
    except (ValueError, TypeError, ArithmeticError, LookupError) as error:  # CalcError is a ValueError
        return (type(error).__name__, str(error))


def assert_same_floats(fast, general):
    """Equal to the bit, sign of zero included; NaN equal to NaN."""
    fast, general = np.asarray(fast, dtype=float), np.asarray(general, dtype=float)
    assert fast.shape == general.shape
    both_nan = np.isnan(fast) & np.isnan(general)
    assert np.array_equal(np.where(both_nan, 0.0, fast).view(np.int64), np.where(both_nan, 0.0, general).view(np.int64))


def assert_same_frames(fast, general):
    if isinstance(general, tuple) or isinstance(fast, tuple):  # an error: the same kind and message
        assert isinstance(fast, tuple) and fast == general
        return
    assert list(fast.columns) == list(general.columns)
    assert fast.dtypes.tolist() == general.dtypes.tolist()
    for name in general.columns:
        if general[name].dtype.kind == "f":
            assert_same_floats(fast[name].to_numpy(), general[name].to_numpy())
        else:
            assert fast[name].tolist() == general[name].tolist()


def assert_same_cells(fast, general):
    """Same error, or the same spilled array: same shape, each cell of the same type, floats to the bit."""
    if isinstance(general, tuple) or isinstance(fast, tuple):  # an error: the same kind and message
        assert isinstance(fast, tuple) and fast == general
        return
    assert fast.shape == general.shape and fast.dtype == general.dtype
    for a, b in zip(fast.ravel().tolist(), general.ravel().tolist()):
        assert type(a) is type(b)
        if isinstance(a, float):
            assert_same_floats(a, b)
        else:
            assert a == b


# --- scorecards ----------------------------------------------------------------------------

cells = st.one_of(st.just(NAN), st.just(0.0), st.just(-0.0), st.sampled_from([1.0, -1.0, 5.0]),
                  st.floats(-1e6, 1e6, allow_nan=False), st.floats(allow_nan=False))
optional_floats = st.one_of(st.just(NAN), st.floats(-1e3, 1e3, allow_nan=False))


@st.composite
def scorecards(draw, max_criteria=6):
    m = draw(st.integers(1, max_criteria))
    n = draw(st.integers(0, 12))
    rows = draw(st.lists(st.lists(cells, min_size=m, max_size=m), min_size=n, max_size=n))
    values = np.array(rows, dtype=float).reshape(n, m)
    if n and draw(st.booleans()):  # a criterion with every candidate equal, or every one blank
        values[:, draw(st.integers(0, m - 1))] = draw(st.sampled_from([NAN, 0.0, 3.0]))
    weights = draw(st.lists(st.one_of(st.just(0.0), st.floats(0, 10)), min_size=m, max_size=m))
    directions = draw(st.one_of(st.none(), st.lists(st.sampled_from([1.0, -1.0, 0.0, 2.5, -0.5]),
                                                    min_size=m, max_size=m)))
    gates = draw(st.one_of(st.none(), st.lists(optional_floats, min_size=m, max_size=m)))
    return values, weights, directions, gates


@settings(max_examples=300, deadline=None)
@given(scorecards(), st.booleans())
def test_scores_of_every_criterion_at_once_are_those_of_one_criterion_at_a_time(card, column_major):
    values, weights, directions, gates = card
    values = np.asfortranarray(values) if column_major else values  # as a DataFrame may hand it over
    assert_same_frames(outcome(lambda: weighted_scores(values, weights, directions, gates)),
                       outcome(lambda: weighted_scores_column_by_column(values, weights, directions, gates)))


@settings(max_examples=100, deadline=None)
@given(scorecards(), st.data())
def test_target_criteria_take_the_criterion_by_criterion_path_with_the_same_result(card, data):
    values, weights, directions, gates = card
    m = values.shape[1]
    methods = data.draw(st.lists(st.sampled_from(["minmax", "target", None, "ranked"]), min_size=m, max_size=m))
    targets = data.draw(st.lists(st.one_of(st.none(), st.sampled_from([50.0, 0.0, -1.0])), min_size=m, max_size=m))
    assert_same_frames(outcome(lambda: weighted_scores(values, weights, directions, gates, methods, targets)),
                       outcome(lambda: weighted_scores_column_by_column(values, weights, directions, gates,
                                                                        methods, targets)))


def test_a_blank_direction_or_a_short_list_is_refused_as_before():
    values = [[1.0, 2.0], [3.0, 4.0]]
    for directions in ([1.0, NAN], [1.0]):
        assert outcome(lambda: weighted_scores(values, [1, 1], directions)) == \
            outcome(lambda: weighted_scores_column_by_column(values, [1, 1], directions))
    assert outcome(lambda: weighted_scores(values, [1, 1], gates=[1.0]))[1] == "2 criteria but 1 gates"


@settings(max_examples=200, deadline=None)
@given(st.integers(1, NAMED_IN_ADVANCE + 4).flatmap(
    lambda m: st.lists(st.lists(st.booleans(), min_size=m, max_size=m), min_size=0, max_size=40).map(
        lambda rows: np.array(rows, dtype=bool).reshape(len(rows), m))))
def test_failed_criteria_are_spelled_as_row_by_row_whatever_the_number_of_criteria(failed):
    row_by_row = [",".join(str(j + 1) for j in np.flatnonzero(row)) for row in failed]
    names = failed_criteria_names(failed)
    assert names.dtype == object and names.tolist() == row_by_row


@settings(max_examples=50, deadline=None)
@given(st.sampled_from([NAMED_IN_ADVANCE + 1, CODED_AT_MOST, CODED_AT_MOST + 1, 80]).flatmap(
    lambda m: st.lists(st.sets(st.integers(0, m - 1), max_size=4), min_size=1, max_size=12).map(
        lambda sets: (m, sets))))
def test_many_criteria_are_named_from_the_sets_that_occur(case):
    m, sets = case
    failed = np.zeros((len(sets), m), dtype=bool)
    for row, criteria in enumerate(sets):
        failed[row, sorted(criteria)] = True
    assert failed_criteria_names(failed).tolist() == [",".join(str(j + 1) for j in sorted(c)) for c in sets]


@settings(max_examples=150, deadline=None)
@given(scorecards(max_criteria=4), st.booleans())
def test_the_spilled_scorecard_is_the_one_spilled_from_the_frame(card, blank_direction):
    values, weights, directions, gates = card
    cells_ = np.array(values, dtype=object)
    cells_[np.isnan(values)] = None  # blanks as xlwings hands them over
    weight_row = np.array([weights], dtype=float)
    direction_row = None if directions is None else np.array([directions], dtype=object)
    if direction_row is not None and blank_direction:
        direction_row[0, 0] = None
    gate_row = None if gates is None else np.array([gates], dtype=float)
    for block in (values, cells_):
        assert_same_cells(outcome(lambda: DX_SCORECARD(block, weight_row, direction_row, gate_row)),
                          outcome(lambda: scorecard_through_a_frame(block, weight_row, direction_row, gate_row)))


# --- commissions ---------------------------------------------------------------------------

@st.composite
def plans(draw):
    bands = draw(st.lists(st.floats(0.01, 3.0), max_size=4, unique=True))
    lower = (draw(st.sampled_from([0.0, 0.5])), *sorted(b + 0.5 for b in bands))
    lower = tuple(sorted(set(lower)))
    rates = draw(st.lists(st.floats(0.0, 0.2), min_size=len(lower), max_size=len(lower)))
    mode = draw(st.sampled_from(["marginal", "stepped"]))
    if mode == "stepped":
        rates = np.maximum.accumulate(rates).tolist()
    return IncentivePlan(lower, tuple(rates), mode, gate=draw(st.sampled_from([0.0, 0.5, 1.0])),
                         accelerator=draw(st.sampled_from([1.0, 1.5, 2.25])),
                         cap_amount=draw(st.one_of(st.none(), st.floats(0.0, 50_000))),
                         cap_target_multiple=draw(st.one_of(st.none(), st.floats(0.5, 3.0))))


sales_cells = st.one_of(st.just(0.0), st.floats(0, 5e6), st.sampled_from([1e6, 8e5, 5e5]))


@settings(max_examples=300, deadline=None)
@given(plans(), st.lists(sales_cells, min_size=1, max_size=20), st.sampled_from([1e6, 4e5, 1.0]), st.booleans())
def test_commission_with_one_band_lookup_is_the_commission_with_one_per_quantity(plan, sales, target, per_row):
    goal = np.full(len(sales), target) if per_row else target
    assert_same_frames(commission(sales, goal, plan), commission_with_repeated_lookups(sales, goal, plan))
    assert list(commission_columns(sales, goal, plan)) == list(commission(sales, goal, plan).columns)


def test_bad_sales_and_targets_are_refused_with_the_same_message():
    plan = IncentivePlan((0.0, 1.0), (0.01, 0.02))
    for sales, target in (([NAN], [1.0]), ([-1.0], [1.0]), ([1.0], [0.0]), ([1.0], [NAN])):
        assert outcome(lambda: commission(sales, target, plan)) == \
            outcome(lambda: commission_with_repeated_lookups(sales, target, plan))


plan_tables = st.sampled_from([
    np.array([[0.0, 0.01, "marginal"], [0.8, 0.015, None], [1.0, 0.02, None], [None, None, None]], dtype=object),
    np.array([[0.0, 0.01, "stepped"], [1.0, 0.03, None]], dtype=object),
    np.array([[0.5, 0.02], [1.2, 0.04]], dtype=object),
    np.array([[0.0, 0.01, "marginal"], [1.0, 0.02, "stepped"]], dtype=object),
])
sales_or_blank = st.one_of(st.none(), st.just(NAN), st.just(0.0), st.floats(0, 3e6), st.just(-5.0), st.just("text"))


@settings(max_examples=200, deadline=None)
@given(plan_tables, st.lists(sales_or_blank, min_size=0, max_size=15), st.data(),
       st.sampled_from([None, 1.5]), st.sampled_from([None, 0.5]), st.sampled_from([None, 30_000.0]))
def test_the_spilled_commission_is_the_one_filled_into_a_frame_of_objects(plan, sales, data, accelerator, gate, cap):
    amounts = np.array(sales, dtype=object).reshape(-1, 1)
    target = data.draw(st.one_of(
        st.sampled_from([1_000_000.0, np.array([[0.0]]), np.array([[None]])]),
        st.lists(st.one_of(st.none(), st.floats(1e4, 2e6)), min_size=len(sales), max_size=len(sales)).map(
            lambda t: np.array(t, dtype=object).reshape(-1, 1))))
    if data.draw(st.booleans()) and all(isinstance(v, float) for v in sales):
        amounts = amounts.astype(float)  # a range of numbers arrives as a float array
    assert_same_cells(outcome(lambda: DX_COMMISSION(amounts, target, plan, accelerator, gate, cap)),
                      outcome(lambda: commission_through_a_frame_of_objects(amounts, target, plan, accelerator,
                                                                           gate, cap)))


def test_a_full_column_of_sales_spills_an_integer_tier_and_float_amounts():
    plan = np.array([[0.0, 0.01, "marginal"], [1.0, 0.02, None]], dtype=object)
    spilled = DX_COMMISSION(np.array([[5e5], [1.5e6]]), 1e6, plan)
    assert_same_cells(spilled, commission_through_a_frame_of_objects(np.array([[5e5], [1.5e6]]), 1e6, plan))
    assert [type(v) for v in spilled[1]] == [float, int, float, float, float, float, float]
