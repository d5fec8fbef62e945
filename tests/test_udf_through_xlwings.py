"""Every DX_ function called as Excel calls it: through xlwings' own conversion layer, with the
converters its decorators declare, on cells as Excel hands them over (see :mod:`xlwings_udf`).

Each function gets the right answer, or one ``#VALUE!`` cell naming the argument and the cell
it cannot use, for: blanks, numbers stored as text, text and error values where a number
belongs, dates as serial numbers and as dates, a single cell where a range is expected, and
whole columns with their trailing blanks. Nothing it writes is NaN.
"""
from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from dealerxl.excel.functions import UDFS
from dealerxl.excel.functions.converters import CellArgument, RangeArgument, SpilledResult
from dealerxl.excel.functions.errors import Place
from udf_cells import excel_cells
from xlwings_udf import MISSING, call_udf, excel_function, shown

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from suite.udfs import cases  # noqa: E402  (realistic arguments for every function but one)

ROWS = 7
YEAR = [100.0, 90.0, 110.0, 120.0, 130.0, 150.0, 140.0, 135.0, 125.0, 120.0, 160.0, 200.0]
HISTORIES = np.array([YEAR * 2, [v * 2 for v in YEAR] * 2, [np.nan] * 12 + YEAR])
DEMAND = np.array([[5, 6, 5, 7, 6, 5], [np.nan, 4, np.nan, np.nan, 4, np.nan], [np.nan, 1, np.nan, np.nan, 30, 2]])
EXTRA = {  # the functions the benchmark leaves out (no short numpy form)
    "DX_FORECAST": ((HISTORIES, 3), None), "DX_FORECAST_RANGE": ((HISTORIES, 2), None),
    "DX_FORECAST_ACCURACY": ((HISTORIES, 6), None), "DX_DEMAND_CLASS": ((DEMAND,), None)}
DATE_ARGUMENTS = {"due_dates", "as_of", "period_start", "period_end", "start", "end", "holidays", "last_month"}
EPOCH = dt.datetime(1899, 12, 30)


def base_cases(rows: int = ROWS) -> dict:
    found = {name: args for name, (args, _) in cases(rows, seed=3).items()}
    found.update({name: args for name, (args, _) in EXTRA.items()})
    return found


CASES = base_cases()


def test_every_function_has_a_case():
    assert set(CASES) == set(UDFS)


@pytest.mark.parametrize("name", sorted(UDFS))
def test_every_function_declares_its_converters_through_xlwings(name):
    declared = excel_function(name).__xlfunc__
    info = UDFS[name]
    for arg in declared["args"]:
        wanted = RangeArgument if arg["name"] in info.array_args else CellArgument
        assert arg["options"]["convert"] is wanted, arg["name"]
    assert declared["ret"]["options"]["convert"] is SpilledResult


def through_excel(name, args, **kwargs):
    return shown(call_udf(name, *args, **kwargs))


def as_python(result) -> list[list]:
    return excel_cells(result)


@pytest.mark.parametrize("name", sorted(UDFS))
def test_ranges_as_excel_hands_them_over_give_what_the_arrays_give(name):
    args = CASES[name]
    assert through_excel(name, args) == shown(as_python(UDFS[name].function(*args)))


def _no_nan(rows) -> bool:
    return not any(isinstance(v, float) and math.isnan(v) for row in rows for v in row)


@pytest.mark.parametrize("name", sorted(UDFS))
def test_no_result_holds_nan_only_blanks(name):
    rows = call_udf(name, *CASES[name], cells=False)
    rows = rows if isinstance(rows, list) else [[rows]]
    assert _no_nan(rows)


def test_a_result_without_a_value_is_a_blank_cell():
    rows = call_udf("DX_ACHIEVEMENT", [[90.0], [5.0]], [[100.0], [None]], cells=False)
    assert rows == [["achievement_rate", "gap"], [0.9, -10.0], [None, None]]
    assert call_udf("DX_NPS", [[None]], cells=False) is None  # no answers: no score, not NaN


def _numbers_as_text(value):
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        cells = value.astype(object)
        cells[~np.isnan(value)] = [repr(float(v)) for v in value[~np.isnan(value)]]
        cells[np.isnan(value)] = None
        return cells
    return value


@pytest.mark.parametrize("name", sorted(UDFS))
def test_numbers_stored_as_text_are_numbers(name):
    info = UDFS[name]
    args = [a if arg in DATE_ARGUMENTS else _numbers_as_text(a) for arg, a in zip(info.args, CASES[name])]
    assert through_excel(name, args) == through_excel(name, CASES[name])


def _with_trailing_blanks(value, rows: int = 300):
    if isinstance(value, np.ndarray) and value.ndim == 2 and value.shape[0] > 1:
        return np.vstack([value.astype(object), np.full((rows, value.shape[1]), None, dtype=object)])
    return value


FIXED_LENGTH = {("DX_SEASONAL_SPLIT", "overrides")}  # one cell per period


@pytest.mark.parametrize("name", sorted(UDFS))
def test_whole_columns_with_trailing_blanks_give_the_same_cells(name):
    info = UDFS[name]
    args = [a if (name, arg) in FIXED_LENGTH else _with_trailing_blanks(a) for arg, a in zip(info.args, CASES[name])]
    assert through_excel(name, args) == through_excel(name, CASES[name])


def _first_number(value):
    """The index of the first number of a range or single value, or None."""
    cells = np.asarray(value, dtype=object).ravel()
    for i, cell in enumerate(cells.tolist()):
        if isinstance(cell, (int, float)) and not isinstance(cell, bool) and not (isinstance(cell, float) and
                                                                                  math.isnan(cell)):
            return i
    return None


def _bad_cases():
    for name in sorted(UDFS):
        info = UDFS[name]
        for position, (arg, value) in enumerate(zip(info.args, CASES[name])):
            if _first_number(value) is not None:
                yield name, position, arg


def _with_cell(args, position, value):
    original = args[position]
    index = _first_number(original)
    cells = np.array(original, dtype=object) if isinstance(original, np.ndarray) else np.array([[original]], dtype=object)
    cells.flat[index] = value
    changed = list(args)
    changed[position] = cells
    return changed, index, np.shape(original) if np.ndim(original) else (1, 1)


def _named(cell: str, arg: str, index: int, shape) -> bool:
    """Whether an error cell names the argument and, for a range, the cell's place in it."""
    if not cell.startswith(f"#VALUE! {arg}"):
        return False
    return int(np.prod(shape)) == 1 or Place(index, tuple(shape)).words("en") in cell


@pytest.mark.parametrize("name, position, arg", list(_bad_cases()))
def test_text_where_a_number_belongs_is_refused_by_argument_and_cell(name, position, arg):
    args, index, shape = _with_cell(CASES[name], position, "abc")
    [[cell]] = through_excel(name, args)
    assert _named(cell, arg, index, shape) and '"abc" is not' in cell, cell


@pytest.mark.parametrize("name, position, arg", list(_bad_cases()))
def test_an_error_value_is_refused_by_argument_and_cell(name, position, arg):
    args, index, shape = _with_cell(CASES[name], position, "#N/A")
    [[cell]] = through_excel(name, args)
    assert _named(cell, arg, index, shape) and "holds the error value #N/A" in cell, cell


def _as_dates(value):
    def date_of(serial):
        return EPOCH + dt.timedelta(milliseconds=round(serial * 86_400_000))
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        return np.array([[None if math.isnan(v) else date_of(v) for v in row] for row in value.tolist()], dtype=object)
    if isinstance(value, float):
        return date_of(value)
    return value


@pytest.mark.parametrize("name", sorted(n for n in UDFS if set(UDFS[n].args) & DATE_ARGUMENTS))
def test_dates_as_date_cells_are_the_serial_numbers_read_as_dates(name):
    info = UDFS[name]
    args = [_as_dates(a) if arg in DATE_ARGUMENTS else a for arg, a in zip(info.args, CASES[name])]
    assert any(isinstance(c, dt.datetime) for a in args for c in np.ravel(np.asarray(a, dtype=object)))
    assert through_excel(name, args) == through_excel(name, CASES[name])


SINGLE = base_cases(1)


def test_most_functions_take_a_single_cell_somewhere_in_the_one_item_case():
    assert sum(any(isinstance(a, np.ndarray) and a.size == 1 for a in args) for args in SINGLE.values()) >= 20


@pytest.mark.parametrize("name", sorted(UDFS))
def test_a_single_cell_where_a_range_is_expected_is_a_range_of_one(name):
    args = SINGLE[name]  # one item: a single cell (handed over as a value, not a range) where a column goes
    assert through_excel(name, args) == shown(as_python(UDFS[name].function(*args)))


def test_an_omitted_optional_argument_is_its_default():
    history = [[10.0, 20.0, 30.0, 0.0]]
    assert through_excel("DX_SAFETY_STOCK", [history, 30.4375, 0.95, MISSING, MISSING]) == \
        through_excel("DX_SAFETY_STOCK", [history, 30.4375, 0.95])


# --- the cases that went wrong --------------------------------------------------------------

PLAN = [[0.0, 0.01, "marginal"], [0.8, 0.015, None], [1.0, 0.02, None], [None, None, None]]


def test_commission_reads_the_mode_of_the_first_row_with_blanks_below_it():
    rows = through_excel("DX_COMMISSION", [[[1_200_000.0], [None], [500_000.0]], 1_000_000.0, PLAN, 1.5])
    assert rows[0] == ["attainment", "tier", "rate", "base", "accelerator", "cap_cut", "commission"]
    assert rows[1] == pytest.approx([1.2, 3, 0.02, 15_000, 2_000, 0, 17_000])
    assert rows[2] == [None] * 7 and rows[3][6] == pytest.approx(5_000)
    stepped = [[0.0, 0.01, "全額適用"], [1.0, 0.03, None], [None, None, None]]  # the mode as the sheet words it
    assert through_excel("DX_COMMISSION", [[[1_200_000.0]], 1_000_000.0, stepped])[1][6] == pytest.approx(36_000)
    assert through_excel("DX_COMMISSION", [[[1.0]], 1.0, [[0.0, 0.01, "both"], [1.0, 0.03, None]]]) == [[
        '#VALUE! plan, row 1, column 3: "both" is not one of Marginal (marginal), Stepped (stepped)']]


def test_kpi_score_reads_a_blank_direction_as_higher_and_the_sheet_words():
    actuals, targets, weights = [[110.0, 8.0, 4.0]], [[100.0, 10.0, 5.0]], [[0.5, 0.3, 0.2]]
    expected = [[pytest.approx(103.0)]]
    assert through_excel("DX_KPI_SCORE", [actuals, targets, weights, [["higher", None, "lower"]]]) == expected
    assert through_excel("DX_KPI_SCORE", [actuals, targets, weights, [["越高越好", None, "越低越好"]]]) == expected
    assert through_excel("DX_KPI_SCORE", [actuals, targets, weights, [[None, "Higher is better", -1.0]]]) == expected


def test_kpi_grade_ignores_a_blank_row_under_the_bands():
    bands = [["A", 90.0, 1.5], ["B", 80.0, 1.2], ["C", 0.0, 1.0], [None, None, None], [None, None, None]]
    assert through_excel("DX_KPI_GRADE", [[[95.0], [None], [85.0], [10.0]], bands]) == [
        ["grade", "bonus_multiple"], ["A", 1.5], [None, None], ["B", 1.2], ["C", 1.0]]
    assert through_excel("DX_KPI_GRADE", [[[95.0]], [["A", 90.0, 1.5], ["B", None, 1.0]]]) == [
        ["#VALUE! bands, row 2, column 2: must not be blank"]]


@pytest.mark.parametrize("as_of, message", [
    (None, "as_of must not be blank"), ("yesterday", 'as_of: "yesterday" is not a date (e.g. 2026-10-31)'),
    ("#N/A", "as_of holds the error value #N/A"), (True, 'as_of: "TRUE" is not a date (e.g. 2026-10-31)')])
def test_aging_names_a_blank_or_wrong_as_of_date(as_of, message):
    assert through_excel("DX_AGING", [[[46296.0]], [[100.0]], as_of]) == [[f"#VALUE! {message}"]]


def test_aging_takes_the_as_of_date_as_a_date_cell_or_text():
    expected = through_excel("DX_AGING", [[[46296.0], [46341.0]], [[100.0], [50.0]], 46326.0])
    assert expected[1] == [50.0, 100.0, 0.0, 0.0, 0.0, 0.0, 150.0]
    for as_of in (dt.datetime(2026, 10, 31), "2026-10-31", "2026/10/31"):
        assert through_excel("DX_AGING", [[[46296.0], [46341.0]], [[100.0], [50.0]], as_of]) == expected


def test_aging_refuses_an_amount_without_its_due_date():
    assert through_excel("DX_AGING", [[[46296.0], [None]], [[100.0], [5.0]], 46326.0]) == [
        ["#VALUE! due_dates, row 2: must not be blank"]]


def test_run_rate_refuses_an_as_of_date_before_the_period():
    assert through_excel("DX_RUN_RATE", [[[100.0]], "2026-02-20", "2026-03-01", "2026-03-31"]) == [[
        "#VALUE! as_of: 2026-02-20 is before the period starts (2026-03-01); there is no pace to project yet"]]
    per_row = through_excel("DX_RUN_RATE", [[[100.0], [100.0]], [[46091.0], [46070.0]], "2026-03-01", "2026-03-31"])
    assert per_row == [["#VALUE! as_of, row 2: 2026-02-17 is before the period starts (2026-03-01); "
                        "there is no pace to project yet"]]
    assert through_excel("DX_RUN_RATE", [[[100.0]], "2026-03-01", "2026-03-01", "2026-03-31"]) == [[3100.0]]


@pytest.mark.parametrize("name, args, message", [
    ("DX_SAFETY_STOCK", [[[10.0, "12 pcs", 30.0]], 30.0, 0.95], 'demand_history, column 2: "12 pcs" is not a number'),
    ("DX_ABC_XYZ", [[[500.0], ["n/a"]], [[1.0, 2.0], [3.0, 4.0]]], 'values, row 2: "n/a" is not a number'),
    ("DX_FORECAST", [[YEAR[:11] + ["x"]], 2], 'history, column 12: "x" is not a number'),
    ("DX_ALLOCATE", [100.0, [[1.0], ["x"]]], 'weights, row 2: "x" is not a number'),
    ("DX_AGING", [[[46296.0], [46296.0]], [[100.0], ["abc"]], 46326.0], 'amounts, row 2: "abc" is not a number'),
    ("DX_PVM", [[[100.0], ["x"]], [[1000.0], [500.0]], [[100.0], [50.0]], [[1100.0], [600.0]]],
     'prior_quantity, row 2: "x" is not a number'),
])
def test_text_in_a_number_cell_is_not_read_as_zero(name, args, message):
    assert through_excel(name, args) == [[f"#VALUE! {message}"]]


def test_working_hours_refuse_a_text_end_and_a_text_holiday_and_read_date_text():
    start, end = [[dt.datetime(2026, 11, 27, 9)]], [[dt.datetime(2026, 11, 30, 18)]]
    assert through_excel("DX_WORKING_HOURS", [start, [["soon"]]]) == [
        ['#VALUE! end: "soon" is not a date (e.g. 2026-10-31)']]
    assert through_excel("DX_WORKING_HOURS", [start, end, 9, 18, [["xmas"]]]) == [
        ['#VALUE! holidays: "xmas" is not a date (e.g. 2026-10-31)']]
    assert through_excel("DX_WORKING_HOURS", [start, end, 9, 18, [["2026-11-30"]]]) == [[9.0]]
    assert through_excel("DX_WORKING_HOURS", [start, [[None]]]) == [[None]]  # still open
    monday = [[[dt.datetime(2026, 11, 30, 9)]], [[dt.datetime(2026, 11, 30, 18)]]]
    assert through_excel("DX_WORKING_HOURS", [*monday, 9, 18, MISSING, 111110.0]) == [[0.0]]  # 0111110 typed in
    assert through_excel("DX_WORKING_HOURS", [*monday, 9, 18, MISSING, 1111100.0]) == [[9.0]]


def test_seasonal_split_refuses_a_text_target_and_reads_a_number_typed_as_text():
    history = [[v] for v in YEAR * 2]
    assert through_excel("DX_SEASONAL_SPLIT", ["lots", history]) == [
        ['#VALUE! annual_target: "lots" is not a number']]
    assert through_excel("DX_SEASONAL_SPLIT", ["1,200,000", history]) == \
        through_excel("DX_SEASONAL_SPLIT", [1_200_000.0, history])


def test_dso_refuses_columns_of_different_lengths():
    assert through_excel("DX_DSO", [[[1.0], [2.0]], [[3.0], [4.0], [5.0]]]) == [
        ["#VALUE! revenue has 3 cells but receivables_end has 2 rows; they must match row by row"]]


def test_a_mixed_range_keeps_its_numbers_numbers():
    # numpy's guess would make every cell of this range text: "100.0", "nan"
    assert through_excel("DX_ACHIEVEMENT", [[[90.0], [None], [" 1,234 "]], [[100.0], [100.0], [1000.0]]]) == [
        ["achievement_rate", "gap"], [0.9, -10.0], [None, None], [1.234, 234.0]]
