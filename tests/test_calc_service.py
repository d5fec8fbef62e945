"""Service metrics: working hours, SLA, CSAT and NPS."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealerxl.calc import CalcError
from dealerxl.calc.service import WorkCalendar, csat, nps, satisfaction_by_group, sla_status, working_hours


def test_working_hours_skip_the_weekend():
    assert working_hours(["2026-11-27 16:30"], ["2026-11-30 10:15"])[0] == pytest.approx(2.75)


def test_working_hours_skip_holidays():
    calendar = WorkCalendar(holidays=("2026-11-30",))
    assert working_hours(["2026-11-27 16:30"], ["2026-12-01 10:15"], calendar)[0] == pytest.approx(2.75)


def test_time_outside_the_working_window_does_not_count():
    assert working_hours(["2026-11-26 20:00"], ["2026-11-27 08:00"])[0] == 0.0
    assert working_hours(["2026-11-26 07:00"], ["2026-11-26 19:00"])[0] == 9.0


def test_open_case_has_no_working_hours_yet():
    assert np.isnan(working_hours(["2026-11-26 10:00"], [None])[0])


def test_end_before_start_is_refused():
    with pytest.raises(CalcError, match="end before start in row 2"):
        working_hours(["2026-11-26 10:00", "2026-11-26 10:00"], ["2026-11-26 11:00", "2026-11-25 11:00"])


def test_calendar_refuses_a_day_that_ends_before_it_starts():
    with pytest.raises(CalcError, match="start before it ends"):
        WorkCalendar(18, 9)


moments = st.datetimes(min_value=pd.Timestamp("2025-01-01").to_pydatetime(),
                       max_value=pd.Timestamp("2027-01-01").to_pydatetime())


@settings(max_examples=60, deadline=None)
@given(moments, moments, moments)
def test_working_hours_add_up_over_an_intermediate_moment(a, b, c):
    first, middle, last = sorted([a, b, c])
    whole = working_hours([first], [last])[0]
    parts = working_hours([first], [middle])[0] + working_hours([middle], [last])[0]
    assert whole == pytest.approx(parts)
    assert 0 <= whole <= (last - first).total_seconds() / 3600 + 1e-9


def test_sla_breach_counts_open_cases_up_to_the_as_of_moment():
    status = sla_status(["2026-11-27 16:30", "2026-11-27 16:30"], ["2026-11-27 17:30", None], 4, "2026-11-30 12:00")
    assert status["breached"].tolist() == [False, True]
    assert status["open"].tolist() == [False, True]


def test_nps_and_csat_worked_examples():
    assert nps([10] * 60 + [8] * 25 + [3] * 15) == 45.0
    assert csat([5, 5, 4, 3, 2]) == 60.0


def test_scores_outside_the_scale_are_refused():
    with pytest.raises(CalcError, match="from 0 to 10"):
        nps([11])
    with pytest.raises(CalcError, match="from 1 to 5"):
        csat([0])
    with pytest.raises(CalcError, match="not a number"):
        csat(["good"])


@given(st.lists(st.integers(0, 10), min_size=1, max_size=200))
def test_nps_stays_between_minus_and_plus_hundred(scores):
    assert -100 <= nps(scores) <= 100


def test_satisfaction_by_group_marks_small_samples():
    responses = pd.DataFrame({"dealer_id": ["D1"] * 3 + ["D2"] * 40,
                              "csat_score": [5, 4, 2] + [5] * 40, "nps_score": [10, 9, 3] + [10] * 40})
    result = satisfaction_by_group(responses, ["dealer_id"], min_sample=30).set_index("dealer_id")
    assert result.loc["D1", "small_sample"] and not result.loc["D2", "small_sample"]
    assert result.loc["D2", "nps"] == 100.0 and result.loc["D2", "nps_responses"] == 40


def test_makeup_workday_counts_and_holiday_does_not():
    # Saturday 2026-11-28 is worked in exchange for Monday 2026-11-30.
    calendar = WorkCalendar(holidays=("2026-11-30",), makeup_days=("2026-11-28",))
    assert working_hours(["2026-11-27 17:00"], ["2026-12-01 10:00"], calendar)[0] == pytest.approx(1 + 9 + 1)


def test_weekday_windows_can_differ():
    short_friday = [(9, 18)] * 4 + [(9, 13), None, None]
    calendar = WorkCalendar(hours_by_weekday=tuple(short_friday))
    assert working_hours(["2026-11-26 17:00"], ["2026-11-30 10:00"], calendar)[0] == pytest.approx(1 + 4 + 1)


@settings(max_examples=40, deadline=None)
@given(moments, moments, moments)
def test_working_hours_add_up_with_holidays_and_makeup_days(a, b, c):
    calendar = WorkCalendar(holidays=("2025-10-10", "2026-02-17", "2026-02-18"), makeup_days=("2026-02-14",),
                            hours_by_weekday=((8.5, 17.5),) * 4 + ((8.5, 12),) + (None, None))
    first, middle, last = sorted([a, b, c])
    whole = working_hours([first], [last], calendar)[0]
    parts = working_hours([first], [middle], calendar)[0] + working_hours([middle], [last], calendar)[0]
    assert whole == pytest.approx(parts)
    assert 0 <= whole <= (last - first).total_seconds() / 3600 + 1e-9


def reference_working_hours(start, end, calendar):
    """Slow reference: walk minute by minute (tests only)."""
    starts, ends = calendar.window_arrays()
    m_start, m_end = calendar.makeup_window()
    holidays = {pd.Timestamp(d).date() for d in calendar.holidays}
    makeups = {pd.Timestamp(d).date() for d in calendar.makeup_days} - holidays
    minutes = pd.date_range(start, end, freq="min", inclusive="left")
    total = 0
    for moment in minutes:
        day = moment.date()
        if day in holidays:
            continue
        lo, hi = (m_start, m_end) if day in makeups else (starts[moment.weekday()], ends[moment.weekday()])
        hour = moment.hour + moment.minute / 60
        total += lo <= hour < hi
    return total / 60


@settings(max_examples=15, deadline=None)
@given(st.datetimes(min_value=pd.Timestamp("2026-02-10").to_pydatetime(), max_value=pd.Timestamp("2026-02-20").to_pydatetime()),
       st.integers(0, 6 * 24 * 60))
def test_working_hours_match_a_minute_by_minute_count(start, minutes):
    start = pd.Timestamp(start).floor("min")
    end = start + pd.Timedelta(minutes=minutes)
    calendar = WorkCalendar(holidays=("2026-02-16", "2026-02-17"), makeup_days=("2026-02-14",),
                            hours_by_weekday=((8.5, 17.5),) * 4 + ((8.5, 12),) + (None, None))
    assert working_hours([start], [end], calendar)[0] == pytest.approx(reference_working_hours(start, end, calendar))


def test_satisfaction_accepts_nullable_integer_scores_with_blanks():
    responses = pd.DataFrame({"dealer_id": ["D1", "D1", "D1"],
                              "csat_score": pd.array([5, None, 2], dtype="Int64"),
                              "nps_score": pd.array([10, 3, None], dtype="Int64")})
    result = satisfaction_by_group(responses, ["dealer_id"], min_sample=1).iloc[0]
    assert result["csat"] == 50.0 and result["nps"] == 0.0 and result["nps_responses"] == 2


def test_nps_promoter_and_detractor_bounds_come_from_the_caller():
    frame = pd.DataFrame({"dealer_id": ["D1"] * 4, "csat_score": [5, 5, 4, 3], "nps_score": [10, 8, 7, 6]})
    default = satisfaction_by_group(frame, ["dealer_id"]).iloc[0]
    wider = satisfaction_by_group(frame, ["dealer_id"], promoter_from=8, detractor_to=5).iloc[0]
    assert default["nps"] == 0.0  # one promoter, one detractor
    assert wider["nps"] == 50.0   # 10 and 8 promote, nobody detracts


def test_overlapping_promoter_and_detractor_bounds_are_refused():
    frame = pd.DataFrame({"dealer_id": ["D1"], "csat_score": [5], "nps_score": [9]})
    with pytest.raises(CalcError, match="detractors"):
        satisfaction_by_group(frame, ["dealer_id"], promoter_from=6, detractor_to=6)


# The numeric fast path for survey answers must read a float range exactly as the cell-by-cell path does.
_answer = st.one_of(st.integers(-2, 12).map(float), st.just(float("nan")), st.sampled_from([0.5, 9.999, 1e9]))


@settings(max_examples=150, deadline=None)
@given(st.lists(_answer, max_size=40))
def test_numeric_answers_give_the_same_nps_and_csat_as_the_same_answers_as_cells(answers):
    from dealerxl.calc.service import _scores, _scores_from_cells

    as_array = np.array(answers, dtype=float)
    as_cells = np.array(answers, dtype=object)
    assert np.array_equal(_scores_from_cells(as_array, "NPS"), as_array[~np.isnan(as_array)])
    for low, high, metric in ((0, 10, nps), (1, 5, csat)):
        outcomes = []
        for given_as in (as_array, as_cells, list(answers)):
            try:
                outcomes.append(("ok", repr(metric(given_as)), _scores(given_as, low, high, "X").tolist()))
            except CalcError as error:
                outcomes.append(("error", str(error)))
        assert outcomes[0] == outcomes[1] == outcomes[2]


def test_integer_answers_take_the_numeric_path_and_count_like_floats():
    assert nps(np.array([10, 9, 3, 7])) == nps([10.0, 9.0, 3.0, 7.0]) == 25.0
    with pytest.raises(CalcError, match="whole numbers from 1 to 5"):
        csat(np.array([[5.0], [6.0]]))
