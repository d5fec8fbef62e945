"""The inventory UDFs and calculations take shorter paths (only the statistics asked for, the
safety stock's spread computed once, one inverse normal for a constant service level, order
rounding and EOQ in one result array); each gives exactly what the general path gives: the
statistics table with masks, safety_stock / reorder_point / abc_xyz as public functions, and
the written equations. Compared cell by cell, floats to the bit, errors by their message."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from same_results import assert_same, outcome
from scipy.stats import norm

from dealerxl.calc import CalcError, demand
from dealerxl.calc import inventory as inv
from dealerxl.excel.functions.inventory import (  # as written: they raise
    DX_ABC_XYZ,
    DX_DEMAND_STATS,
    DX_EOQ,
    DX_ORDER_QTY,
    DX_REORDER_POINT,
    DX_SAFETY_STOCK,
    DX_SAFETY_STOCK_FILL_RATE,
)
from dealerxl.excel.functions.convert import (column, first_items, first_rows, matrix, numbers, one_number, table,
                                              used_rows)
from dealerxl.excel.functions.errors import InputError
from dealerxl.excel.functions.inventory import _per_item, _period_days

NAN, INF = float("nan"), float("inf")


# --- the general paths, as the UDFs were written on the public calculations -----------------

def history_table(demand_history, name="demand_history", rows=None):
    """The statistics table by the masked path (blanks set to zero first, every period counted),
    of the rows with data (or the first ``rows``), as the UDFs read them."""
    rows = used_rows(blocks=(demand_history,)) if rows is None else rows
    return demand.statistics_from_matrix(np.nan_to_num(matrix(first_rows(demand_history, rows), name), nan=0.0),
                                         blank_as_zero=False)


def _arguments(demand_history, lead_time_days, service_level, lead_time_sd_days, period_days):
    rows = used_rows(lead_time_days, lead_time_sd_days, service_level, blocks=(demand_history,))
    stats = history_table(demand_history, rows=rows)
    n = len(stats)
    lead = _per_item(lead_time_days, n, "lead_time_days", rows=rows)
    lead_sd = _per_item(lead_time_sd_days, n, "lead_time_sd_days", 0.0, rows=rows)
    level = _per_item(service_level, n, "service_level", rows=rows)
    d, sd = stats["mean_demand"].to_numpy(), stats["sd_demand"].to_numpy()
    return d, sd, lead, lead_sd, level, _period_days(period_days)


def safety_stock_general(demand_history, lead_time_days, service_level, lead_time_sd_days=None, period_days=None):
    d, sd, lead, lead_sd, level, days = _arguments(demand_history, lead_time_days, service_level, lead_time_sd_days,
                                                   period_days)
    return table({
        "mean_demand": d, "sd_demand": sd,
        "lead_time_demand_sd": inv.lead_time_demand_sd(d, sd, lead, lead_sd, days),
        "safety_stock": inv.safety_stock(d, sd, lead, level, lead_sd, days),
    })


def reorder_point_general(demand_history, lead_time_days, service_level, lead_time_sd_days=None, period_days=None):
    d, sd, lead, lead_sd, level, days = _arguments(demand_history, lead_time_days, service_level, lead_time_sd_days,
                                                   period_days)
    rop = inv.reorder_point(d, sd, lead, level, lead_sd, days)
    lead_demand = d * lead / days
    return table({"lead_time_demand": lead_demand, "safety_stock": rop - lead_demand, "reorder_point": rop})


def _fill_rate_items(rows, n, lead_time_days, fill_rate, order_quantity, lead_time_sd_days):
    """Lead time, fill rate, order quantity and lead-time SD per item, read in the UDF's order
    (lead time and its SD first), so the first refusal is the same."""
    lead = _per_item(lead_time_days, n, "lead_time_days", rows=rows)
    lead_sd = _per_item(lead_time_sd_days, n, "lead_time_sd_days", 0.0, rows=rows)
    return (lead, _per_item(fill_rate, n, "fill_rate", rows=rows), _per_item(order_quantity, n, "order_quantity", rows=rows),
            lead_sd)


def fill_rate_general(demand_history, lead_time_days, fill_rate, order_quantity, lead_time_sd_days=None,
                      period_days=None):
    rows = used_rows(lead_time_days, lead_time_sd_days, fill_rate, order_quantity, blocks=(demand_history,))
    stats = history_table(demand_history, rows=rows)
    n = len(stats)
    d, sd = stats["mean_demand"].to_numpy(), stats["sd_demand"].to_numpy()
    return column(inv.safety_stock_fill_rate(
        d, sd, *_fill_rate_items(rows, n, lead_time_days, fill_rate, order_quantity, lead_time_sd_days),
        _period_days(period_days)))


def abc_xyz_general(values, histories, a_share=0.8, b_share=0.95, x_max_cv=0.5, y_max_cv=1.0):
    rows = used_rows(values, blocks=(histories,))
    value = numbers(first_items(values, rows), "values")
    stats = history_table(histories, "histories", rows)
    if len(stats) != value.size:
        raise InputError("msg.udf.lengths", argument="values", cells=value.size, other="histories", rows=len(stats))
    result = inv.abc_xyz(value, stats["cv"].to_numpy(), one_number(a_share, "a_share", 0.8),
                         one_number(b_share, "b_share", 0.95), one_number(x_max_cv, "x_max_cv", 0.5),
                         one_number(y_max_cv, "y_max_cv", 1.0))
    result["cv"] = stats["cv"].to_numpy()
    return table(result)


def eoq_written(annual_demand, order_cost, holding_cost):
    """The EOQ equation as written, checks as in eoq."""
    demand_per_year = inv._array(annual_demand, "the annual demand")
    cost = inv._array(order_cost, "the order cost")
    holding = inv._array(holding_cost, "the holding cost per unit and year", 0.0, strict=True)
    return np.sqrt(2.0 * cost * demand_per_year / holding)


def order_quantity_written(need, moq=0.0, pack_size=1.0):
    """The order rounding as written: blanks replaced, ceil of packs, masks by np.where."""
    q = inv._array(need, "the quantity needed", None)
    minimum = np.nan_to_num(inv._array(moq, "the minimum order quantity"), nan=0.0)
    pack = np.nan_to_num(inv._array(pack_size, "the pack size", 0.0, strict=True), nan=1.0)
    packs = np.ceil(np.maximum(q, minimum) / pack - 1e-9)
    return np.where(q > 1e-9 * pack, packs * pack, np.where(np.isnan(q), np.nan, 0.0))


# --- ranges as xlwings delivers them --------------------------------------------------------

_demand_cell = st.sampled_from([0.0, -0.0, 1.0, 2.5, 7.0, 30.0, 1e-9, 123456.789, 1e300, NAN, None, "4", "x", -1.0,
                                INF])


@st.composite
def histories(draw, rows=None):
    """A block of history cells: a float array (numbers and blanks) or cells of any kind."""
    n = draw(st.integers(0, 6)) if rows is None else rows
    periods = draw(st.sampled_from([1, 2, 3, 12, 24, 25, 30]))
    cells = draw(st.lists(_demand_cell, min_size=n * periods, max_size=n * periods))
    block = np.array(cells, dtype=object).reshape(n, periods)
    if draw(st.booleans()):  # the usual case: numbers and blanks only, as a float array
        block = np.array([[NAN if c is None or isinstance(c, str) else abs(c) for c in row] for row in block.tolist()],
                         dtype=float).reshape(n, periods)
    return block


def per_item(values, rows, required=True):
    """A per-SKU argument: omitted, a single value or cell, a column (perhaps of the wrong length)."""
    pool = st.sampled_from(values)
    shapes = [st.builds(lambda v: np.array([[v]], dtype=object), pool), pool,
              st.lists(pool, min_size=rows, max_size=rows).map(lambda c: np.array(c, dtype=object).reshape(-1, 1)),
              st.lists(pool, min_size=rows, max_size=rows).map(lambda c: np.array(c, dtype=float).reshape(-1, 1))
              if all(isinstance(v, float) for v in values) else pool,
              st.builds(lambda v: np.full((rows, 1), v), st.sampled_from([v for v in values if isinstance(v, float)])),
              st.lists(pool, min_size=rows + 1, max_size=rows + 1).map(lambda c: np.array(c, dtype=object).reshape(-1, 1))]
    if not required:
        shapes.append(st.none())
    return st.one_of(shapes)


_leads = [0.0, 7.0, 14.0, 30.4375, 61.5, NAN, None, -1.0, "7"]
_levels = [0.5, 0.9, 0.95, 0.975, 0.99, 0.999999, NAN, None, 0.3, 1.0]
_period_days_values = st.sampled_from([None, 7, 7.0, 30.4375, 0, -3.0, "x"])


@st.composite
def policy_cases(draw):
    history = draw(histories())
    rows = history.shape[0]
    return (history, draw(per_item(_leads, rows)), draw(per_item(_levels, rows)),
            draw(per_item(_leads, rows, required=False)), draw(_period_days_values))


# --- the UDFs: fast path against the general path -------------------------------------------

@settings(max_examples=200, deadline=None)
@given(policy_cases())
def test_safety_stock_udf_gives_what_the_general_path_gives(case):
    assert_same(outcome(lambda: DX_SAFETY_STOCK(*case)), outcome(lambda: safety_stock_general(*case)))


@settings(max_examples=200, deadline=None)
@given(policy_cases())
def test_reorder_point_udf_gives_what_the_general_path_gives(case):
    assert_same(outcome(lambda: DX_REORDER_POINT(*case)), outcome(lambda: reorder_point_general(*case)))


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_fill_rate_safety_stock_udf_gives_what_the_general_path_gives(data):
    history = data.draw(histories())
    rows = history.shape[0]
    case = (history, data.draw(per_item(_leads, rows)), data.draw(per_item([0.5, 0.9, 0.98, 0.0, 1.0, NAN], rows)),
            data.draw(per_item([100.0, 5.0, 0.0, -1.0, NAN], rows)), data.draw(per_item(_leads, rows, required=False)),
            data.draw(_period_days_values))
    assert_same(outcome(lambda: DX_SAFETY_STOCK_FILL_RATE(*case)), outcome(lambda: fill_rate_general(*case)))


@settings(max_examples=200, deadline=None)
@given(histories())
def test_demand_statistics_udf_gives_the_masked_statistics_table(history):
    assert_same(outcome(lambda: DX_DEMAND_STATS(history)), outcome(lambda: table(history_table(history))))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_abc_xyz_udf_gives_what_the_general_path_gives(data):
    history = data.draw(histories())
    rows = history.shape[0]
    values = data.draw(per_item([0.0, 500.0, 300.0, 100.0, 40.0, NAN, None, -5.0, "x"], max(rows, 1)))
    limits = data.draw(st.sampled_from([(), (0.8, 0.95, 0.5, 1.0), (None, None, None, None), (0.5, 0.5, 0.0, 0.0),
                                        (0.9, 0.8), (0.8, 0.95, 1.0, 0.5), ("x",)]))
    assert_same(outcome(lambda: DX_ABC_XYZ(values, history, *limits)),
                outcome(lambda: abc_xyz_general(values, history, *limits)))


# 1e-9 · pack exactly: a need right at the noise threshold (it orders nothing).
_needs = [37.0, 61.0, -3.0, 0.0, -0.0, 24.000000001, 1e-12, 1e-9, 1e-9 * 12.0, 5.5, NAN, None, INF, -INF, "5"]


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_order_quantity_udf_gives_the_written_rounding(data):
    rows = data.draw(st.integers(1, 6))
    need = data.draw(per_item(_needs, rows))
    n = np.size(need)
    moq = data.draw(per_item([0.0, 50.0, 10.0, NAN, None, -1.0, INF], n, required=False))
    pack = data.draw(per_item([1.0, 12.0, 6.0, 0.5, NAN, None, 0.0, -2.0, INF], n, required=False))

    def general():
        rows = used_rows(need, moq, pack)
        needed = numbers(first_items(need, rows), "need")
        return column(order_quantity_written(needed, _per_item(moq, needed.size, "moq", 0.0, rows, "need"),
                                             _per_item(pack, needed.size, "pack_size", 1.0, rows, "need")))

    assert_same(outcome(lambda: DX_ORDER_QTY(need, moq, pack)), outcome(general))


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_eoq_udf_gives_the_written_equation(data):
    rows = data.draw(st.integers(1, 6))
    annual = data.draw(per_item([3120.0, 0.0, 1200.0, NAN, None, -1.0, INF, 1e308], rows))
    n = np.size(annual)
    cost = data.draw(per_item([12.0, 50.0, 0.0, NAN, None, -1.0, INF], n))
    holding = data.draw(per_item([0.005, 2.0, 0.0, NAN, -1.0, INF, 1e-320], n))

    def general():
        rows = used_rows(annual, cost, holding)
        per_year = numbers(first_items(annual, rows), "annual_demand")
        return column(eoq_written(per_year, _per_item(cost, per_year.size, "order_cost", rows=rows, other="annual_demand"),
                                  _per_item(holding, per_year.size, "holding_cost_per_unit_year", rows=rows,
                                            other="annual_demand")))

    assert_same(outcome(lambda: DX_EOQ(annual, cost, holding)), outcome(general))


# --- the calculations: fast path against the general path -----------------------------------

_values = st.sampled_from([0.0, 2.0, 20.0, 100.0, 0.5, NAN, -1.0, INF])
_arrays = st.one_of(_values, st.lists(_values, min_size=3, max_size=3).map(np.array))


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.sampled_from([0.5, 0.95, 0.999, NAN, 0.3, 1.0]),
                 st.lists(st.sampled_from([0.5, 0.9, 0.95, 0.999, NAN, 0.3, 1.0]), max_size=6).map(np.array),
                 st.tuples(st.sampled_from([0.5, 0.9, 0.95, 0.999, NAN, 0.2]), st.integers(0, 5))
                 .map(lambda c: np.full(c[1], c[0]))))
def test_one_service_level_for_every_item_gives_the_inverse_normal_of_each(levels):
    def each():
        level = np.asarray(levels, dtype=float)
        if np.any((level < 0.5) | (level >= 1)):
            raise CalcError(f"a service level must be at least 50 % and below 100 %; "
                            f"found {level[(level < 0.5) | (level >= 1)].ravel()[0]:g}")
        return norm.ppf(level)

    with np.errstate(invalid="ignore"):
        assert_same(outcome(lambda: inv.service_factor(levels)), outcome(each))


@settings(max_examples=200, deadline=None)
@given(_arrays, _arrays, _arrays, st.sampled_from([0.95, 0.5, 0.3, NAN]), _arrays, st.sampled_from([30.4375, 7.0, 0.0]))
def test_safety_stock_with_its_spread_agrees_with_the_separate_functions(d, sd, lead, level, lead_sd, days):
    with np.errstate(all="ignore"):
        fast = outcome(lambda: inv.safety_stock_and_spread(d, sd, lead, level, lead_sd, days))
        spread = outcome(lambda: inv.lead_time_demand_sd(d, sd, lead, lead_sd, days))
        general = spread if isinstance(spread, tuple) else outcome(
            lambda: (spread, inv.safety_stock(d, sd, lead, level, lead_sd, days)))
    if isinstance(fast, tuple) and isinstance(fast[0], str):
        assert fast == general
    else:
        assert_same(fast[0], general[0])
        assert_same(fast[1], general[1])


@settings(max_examples=200, deadline=None)
@given(_arrays, _arrays, _arrays, st.sampled_from([0.95, 0.5, 0.3, NAN]), _arrays, st.sampled_from([30.4375, 7.0, 0.0]))
def test_lead_time_demand_and_reorder_point_agree_with_the_written_sum(d, sd, lead, level, lead_sd, days):
    def general():
        checked_d = inv._array(d, "the mean demand")
        checked_lead = inv._array(lead, "the lead time (days)")
        ss = inv.safety_stock(d, sd, lead, level, lead_sd, days)
        return (checked_d * checked_lead / inv._period_days(days),
                checked_d * checked_lead / inv._period_days(days) + ss)

    with np.errstate(all="ignore"):
        fast = outcome(lambda: inv.lead_time_demand_and_reorder_point(d, sd, lead, level, lead_sd, days))
        expected = outcome(general)
        rop = outcome(lambda: inv.reorder_point(d, sd, lead, level, lead_sd, days))
    if isinstance(expected[0], str):
        assert fast == expected == rop
    else:
        assert_same(fast[0], expected[0])
        assert_same(fast[1], expected[1])
        assert_same(rop, expected[1])


_amounts = st.sampled_from([37.0, 61.0, -3.0, 0.0, 24.000000001, 1e-12, 1e-9, 1e-9 * 12.0, NAN, INF, -INF, 1e308, 12.0,
                            0.5, -1.0])
_amount_arrays = st.one_of(_amounts, st.lists(_amounts, min_size=4, max_size=4).map(np.array),
                           st.lists(_amounts, min_size=4, max_size=4).map(lambda v: np.array(v).reshape(4, 1)))


@settings(max_examples=300, deadline=None)
@given(_amount_arrays, _amount_arrays, _amount_arrays)
def test_order_rounding_and_eoq_give_their_written_equations(first, second, third):
    with np.errstate(all="ignore"):
        assert_same(outcome(lambda: inv.round_order_quantity(first, second, third)),
                    outcome(lambda: order_quantity_written(first, second, third)))
        assert_same(outcome(lambda: inv.eoq(first, second, third)), outcome(lambda: eoq_written(first, second, third)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0.0, 500.0, 300.0, 60.0, NAN, -1.0]),
                          st.sampled_from([0.2, 0.5, 0.7, 1.0, 1.4, NAN, INF])), max_size=12))
def test_abc_xyz_columns_are_the_columns_of_the_table(items):
    values, cvs = [v for v, _ in items], [c for _, c in items]
    frame = outcome(lambda: inv.abc_xyz(values, cvs))
    columns = outcome(lambda: inv.abc_xyz_columns(values, cvs))
    if isinstance(frame, tuple):
        assert columns == frame
    else:
        assert_same(columns, {name: frame[name].to_numpy() for name in frame.columns})


@settings(max_examples=200, deadline=None)
@given(histories(), st.sets(st.sampled_from(demand.STATISTICS), min_size=1).map(sorted))
def test_statistics_asked_for_are_those_of_the_masked_table(history, names):
    fast = outcome(lambda: demand.row_statistics(matrix(history), names))
    general = outcome(lambda: history_table(history, "range", history.shape[0]))  # every row, as given
    if isinstance(general, tuple):
        assert fast == general
    else:
        assert_same(fast, {name: general[name].to_numpy() for name in names})


def test_an_unknown_statistic_is_refused_by_name():
    with pytest.raises(CalcError, match="^no demand statistic named median$"):
        demand.row_statistics([[1.0, 2.0]], ("mean_demand", "median"))
