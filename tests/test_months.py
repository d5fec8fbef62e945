"""The month a job runs for: one reading for every job and command."""
import datetime as dt

import pandas as pd
import pytest

from dealerxl.calc import CalcError
from dealerxl.jobs.months import month_end, parse_month


@pytest.mark.parametrize("given", ["2026-10", "2026-10 ", "2026/10", "2026.10", "2026年10月", "2026 年 10 月",
                                   "２０２６－１０", "2026-10-31", "2026/10/01", "2026年10月5日",
                                   "2026-10-31 00:00:00", "2026-10-31T08:30", pd.Period("2026-10", "M"),
                                   pd.Period("2026-10-12", "D"), pd.Timestamp("2026-10-15"),
                                   dt.date(2026, 10, 1), dt.datetime(2026, 10, 31, 23, 59)])
def test_every_accepted_form_reads_as_the_same_month(given):
    assert parse_month(given) == pd.Period("2026-10", "M")


def test_a_one_digit_month_is_read():
    assert parse_month("2026-1") == pd.Period("2026-01", "M")


@pytest.mark.parametrize("given", ["10/2026", "31/10/2026", "2026-13", "2026-00", "2026-02-30", "2026-10x",
                                   "Oct 2026", "202610", "", "   ", None, 202610, pd.NaT])
def test_anything_else_is_refused_saying_what_is_accepted(given):
    with pytest.raises(CalcError, match="YYYY-MM"):
        parse_month(given)


def test_the_month_end_is_the_last_day_at_midnight():
    assert month_end("2026-02") == pd.Timestamp("2026-02-28")
    assert month_end("2028-02-10") == pd.Timestamp("2028-02-29")
