"""Typed parsing of cell values: what is accepted because it is unambiguous, and what is not."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, strategies as st

from dealerxl.book import parse


def run(parser, values, *args, **kwargs):
    raw = pd.Series(values, dtype=object)
    kind = parse.kinds(raw)
    blank = parse.blank_mask(raw, kind)
    return parser(raw, kind, blank, *args, **kwargs)


def test_booleans_in_three_languages_and_as_excel_values():
    values, bad = run(parse.parse_bool, ["是", "否", "Yes", "n", "TRUE", True, 0.0, "maybe", ""])
    assert values.tolist()[:7] == [True, False, True, False, True, True, False]
    assert bad.tolist() == [False] * 7 + [True, False]


def test_percent_text_and_percent_numbers_agree():
    values, bad = run(parse.parse_number, ["12%", "１２．５％", 0.12, "-3 %"])
    assert values.tolist() == pytest.approx([0.12, 0.125, 0.12, -0.03]) and not bad.any()


def test_excel_serials_and_date_time_text():
    values, bad = run(parse.parse_date, [46326.0, 46326.5, "2026-10-31 14:30", "2026年10月"], keep_time=True)
    assert values.tolist() == [dt.datetime(2026, 10, 31), dt.datetime(2026, 10, 31, 12),
                               dt.datetime(2026, 10, 31, 14, 30), dt.datetime(2026, 10, 1)]
    assert not bad.any()


def test_dates_drop_the_time_of_day_and_refuse_nonsense():
    values, bad = run(parse.parse_date, [dt.datetime(2026, 1, 2, 9, 15), "2026-02-30", "31/12/2026", -5.0])
    assert values.iloc[0] == dt.datetime(2026, 1, 2)
    assert bad.tolist() == [False, True, True, True]


def test_whitespace_only_text_is_blank():
    raw = pd.Series(["  ", "\u3000", "", None, "x"], dtype=object)
    assert parse.blank_mask(raw, parse.kinds(raw)).tolist() == [True, True, True, True, False]


def test_numbers_in_text_columns_read_as_their_digits():
    values, _ = run(parse.parse_text, [1001.0, 12.5, dt.date(2026, 1, 2), " D01 "])
    assert values.tolist() == ["1001", "12.5", "2026-01-02", "D01"]


@given(st.integers(min_value=-10**12, max_value=10**12))
def test_grouped_and_full_width_integers_read_back_exactly(number):
    grouped = f"{number:,}"
    full_width = str(number).translate({ord(str(d)): chr(0xFF10 + d) for d in range(10)}).replace("-", "－")
    values, bad = run(parse.parse_int, [grouped, full_width, float(number)])
    assert values.tolist() == [number] * 3 and not bad.any()
