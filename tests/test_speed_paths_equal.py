"""The fast paths give exactly what the general paths give, on any mix of cells.

Reading a form: a column whose cells are all of the expected kind is read whole at once
(:func:`dealerxl.book.parse.read_uniform_column`); every other column cell kind by cell kind.
UDF arguments: numeric arrays skip the per-cell conversion in
:mod:`dealerxl.excel.functions.convert`. Each fast path is compared with the general one.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from same_results import outcome

from dealerxl.book import parse, validate
from dealerxl.book.grid import Grid
from dealerxl.book.locate import Located
from dealerxl.excel.functions import convert
from dealerxl.forms import ENUMS, FORMS
from dealerxl.i18n import tr

COLUMN_TYPES = ("text", "enum", "date", "datetime", "number", "money", "percent", "int")


def column_of_type(column_type: str):
    return next(c for form in FORMS.values() for c in form.columns if c.type == column_type)


def enum_words() -> list[str]:
    """Codes and labels of the first dropdown list, as typed in several ways."""
    enum = column_of_type("enum").enum
    words = []
    for code in ENUMS[enum].codes[:3]:
        words += [code, f" {code.upper()} ", tr(f"enum.{enum}.{code}", "en"), tr(f"enum.{enum}.{code}", "zh-Hant")]
    return words


blanks = st.sampled_from([None, "", "  ", "\u3000", float("nan")])
numbers = st.one_of(st.floats(allow_nan=False, allow_infinity=False, width=64), st.integers(-10**18, 10**18),
                    st.sampled_from([0.5, -3.0, 1e20, 2.0**53 + 2, 46326.0, 46326.75, 3e6]),
                    st.floats(1, 106_750))  # Excel date serials up to 2192, with a time of day
dates = st.one_of(st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 12, 31)),
                  st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
texts = st.one_of(st.text(max_size=6), st.sampled_from(["#N/A", "#DIV/0!", " D01 ", "1,234", "１２％", "2026-10-31",
                                                        "yes", "abc"]), st.sampled_from(enum_words()))
any_cell = st.one_of(blanks, numbers, dates, texts, st.booleans())
# Columns mostly of one kind (so the fast paths are taken) and sometimes mixed (so they are refused).
kind_columns = st.one_of(*(st.lists(st.one_of(kind, blanks), max_size=30) for kind in (numbers, dates, texts)),
                         st.lists(any_cell, max_size=30))


def general_path(raw: pd.Series, column):
    kind = parse.kinds(raw)
    blank = parse.blank_mask(raw, kind)
    errors = parse.error_mask(raw, kind)
    values, bad = parse.parse_column(raw, kind, blank | errors, column)
    return values, bad, blank, errors


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=kind_columns, column_type=st.sampled_from(COLUMN_TYPES), first_row=st.integers(2, 50))
def test_a_column_read_whole_matches_the_cell_by_cell_reading(cells, column_type, first_row):
    column = column_of_type(column_type)
    raw = pd.Series(cells, dtype=object, index=pd.RangeIndex(first_row, first_row + len(cells), name="excel_row"))
    try:
        values, bad, blank, errors = general_path(raw, column)
    except (OverflowError, ValueError) as refused:  # dates past 2262 do not fit in nanoseconds
        try:  # the fast path refuses the same way, or leaves the column to the general path
            assert parse.read_uniform_column(raw, column) is None
        except type(refused):
            pass
        return
    fast = parse.read_uniform_column(raw, column)
    if fast is None:
        return
    pd.testing.assert_series_equal(fast.values, values, check_names=False)
    pd.testing.assert_series_equal(fast.bad, bad, check_names=False)
    pd.testing.assert_series_equal(fast.blank, blank, check_names=False)
    pd.testing.assert_series_equal(fast.errors, errors, check_names=False)


@pytest.mark.parametrize("cells, column_type", [
    ([1.0, None, "", 2.5, 7], "money"),
    ([46326.0, None, 46327.5], "date"),
    ([dt.datetime(2026, 10, 31, 9, 30), "", dt.date(2026, 1, 2)], "datetime"),
    ([" D01 ", None, "  ", "#N/A"], "text"),
])
def test_columns_of_the_expected_kind_take_the_fast_path(cells, column_type):
    raw = pd.Series(cells, dtype=object)
    assert parse.read_uniform_column(raw, column_of_type(column_type)) is not None


@pytest.mark.parametrize("cells, column_type", [
    ([1.0, "1,234"], "money"), ([1001.0, "D01"], "text"), ([True, 1.0], "number"), (["2026-10-31"], "date"),
])
def test_columns_needing_per_cell_reading_are_left_to_the_general_path(cells, column_type):
    raw = pd.Series(cells, dtype=object)
    assert parse.read_uniform_column(raw, column_of_type(column_type)) is None


def sales_rows(draw_cells: list[list]) -> Grid:
    form = FORMS["sales_transactions"]
    header = [tr(c.label_key, "en") for c in form.columns]
    return Grid("Sales", [header, *draw_cells])


def validate_both_ways(grid: Grid, form, monkeypatch):
    located = Located(grid, 0, {c.id: j for j, c in enumerate(form.columns)}, "table")
    with monkeypatch.context() as patch:
        patch.setattr(validate, "read_uniform_column", lambda raw, column: None)
        try:
            general = validate.validate_located(located, form)
        except (OverflowError, ValueError) as refused:  # dates past 2262 do not fit in nanoseconds
            patch.undo()
            with pytest.raises(type(refused)):
                validate.validate_located(located, form)
            return None, None
    return validate.validate_located(located, form), general


sales_cells = {
    "invoice_no": st.one_of(st.sampled_from(["INV1", "INV2", " INV3 ", "#N/A"]), blanks, numbers),
    "line_no": st.one_of(st.sampled_from([1.0, 2.0, 1.5, -1.0]), blanks, st.just("2")),
    "date": st.one_of(dates, blanks, st.sampled_from([46326.0, 0.0, "2026/10/31"])),
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data(), mixed=st.booleans())
def test_a_whole_form_reads_the_same_with_and_without_fast_paths(data, mixed, monkeypatch):
    form = FORMS["sales_transactions"]
    uniform = {"text": texts, "enum": st.sampled_from(enum_words()), "date": dates, "datetime": dates,
               "number": numbers, "money": numbers, "percent": numbers, "int": numbers}
    rows = []
    for _ in range(data.draw(st.integers(0, 12))):
        row = []
        for column in form.columns:
            cell = any_cell if mixed else st.one_of(uniform[column.type], blanks)
            row.append(data.draw(cell))
        rows.append(row)
    fast, general = validate_both_ways(sales_rows(rows), form, monkeypatch)
    if general is None:
        return
    pd.testing.assert_frame_equal(fast.data, general.data)
    pd.testing.assert_frame_equal(fast.raw, general.raw)
    assert fast.messages() == general.messages()
    assert fast.rejected == general.rejected


def test_the_sample_workbook_reads_the_same_with_and_without_fast_paths(sample_book, monkeypatch):
    from dealerxl.book.locate import locate
    from dealerxl.book.read import open_source

    workbook = open_source(sample_book)
    compared = 0
    for form in FORMS.values():
        located = locate(workbook, form)
        if located is None:
            continue
        fast = validate.validate_located(located, form)
        with monkeypatch.context() as patch:
            patch.setattr(validate, "read_uniform_column", lambda raw, column: None)
            general = validate.validate_located(located, form)
        pd.testing.assert_frame_equal(fast.data, general.data)
        assert fast.messages() == general.messages() and fast.rejected == general.rejected
        compared += 1
    assert compared > 10


udf_ranges = st.one_of(
    st.lists(st.floats(width=64), max_size=30).map(lambda v: np.array(v, dtype=float).reshape(-1, 1)),
    st.lists(st.integers(-10**12, 10**12), max_size=30).map(lambda v: np.array(v, dtype=np.int64)),
    st.lists(st.lists(st.one_of(st.floats(width=64), st.integers(-10**20, 10**20), st.none(), st.booleans(),
                                st.sampled_from(["12", " 3.5 ", "abc", "", "1e3", "1_000", "１２", "infinity"])),
                      min_size=1, max_size=1),
             max_size=30),
    st.lists(st.lists(st.one_of(st.floats(width=64), st.integers(-10**6, 10**6), st.none()), min_size=1, max_size=1),
             max_size=30),
)


@given(values=udf_ranges)
def test_a_range_read_as_numbers_equals_the_general_reading(values):
    fast, general = outcome(lambda: convert.numbers(values)), outcome(lambda: convert.numbers_any(values))
    if isinstance(general, tuple):  # a cell that is no number: the same refusal
        assert fast == general
    else:
        np.testing.assert_array_equal(fast, general)


@given(values=st.lists(st.floats(width=64), min_size=6, max_size=60), width=st.integers(1, 6))
def test_a_numeric_block_reads_as_the_general_path_reads_it(values, width):
    block = np.array(values[: len(values) // width * width], dtype=float).reshape(-1, width)
    fast, general = convert.matrix(block), convert.matrix(block.astype(object))
    np.testing.assert_array_equal(fast, general)
    assert fast.flags.f_contiguous == general.flags.f_contiguous
