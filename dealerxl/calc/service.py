"""Customer service metrics (manual 7.1 – 7.4): working hours, SLA breaches, CSAT and NPS.

Everything is vectorised: timestamps, scores and groups are arrays or DataFrame columns.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError


@dataclass(frozen=True)
class WorkCalendar:
    """Working time: a window per weekday, holidays off, make-up workdays on.

    ``day_start_hour``/``day_end_hour`` bound the working window (e.g. 9 and 18) on the
    working weekdays of ``weekmask`` (Monday first, as numpy's busday functions take it:
    ``"1111100"`` = Monday to Friday). ``hours_by_weekday``, when given, replaces both:
    seven ``(start, end)`` pairs, Monday first, ``None`` for a day off. ``holidays`` are
    dates not worked; ``makeup_days`` are dates worked although their weekday is off
    (補班), with the longest weekday window.
    """

    day_start_hour: float = 9.0
    day_end_hour: float = 18.0
    weekmask: str = "1111100"
    holidays: tuple = field(default_factory=tuple)
    makeup_days: tuple = field(default_factory=tuple)
    hours_by_weekday: tuple | None = None

    def __post_init__(self) -> None:
        if self.hours_by_weekday is None:
            if len(self.weekmask) != 7 or set(self.weekmask) - {"0", "1"} or "1" not in self.weekmask:
                raise CalcError("msg.calc.service.weekmask_needs_seven_digits", weekmask=self.weekmask)
            windows = [(self.day_start_hour, self.day_end_hour) if flag == "1" else None for flag in self.weekmask]
        else:
            windows = list(self.hours_by_weekday)
            if len(windows) != 7:
                raise CalcError("msg.calc.service.working_hours_need_one")
        for window in windows:
            if window is not None and not 0 <= window[0] < window[1] <= 24:
                raise CalcError(
                    "msg.calc.service.working_day_start_before", window=window[0], window2=window[1])
        if all(w is None for w in windows):
            raise CalcError("msg.calc.service.working_week_has_no")
        object.__setattr__(self, "_windows", windows)

    def window_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Start and end hour per weekday (Monday first); a day off has start = end = 0."""
        starts = np.array([w[0] if w else 0.0 for w in self._windows], dtype=float)
        ends = np.array([w[1] if w else 0.0 for w in self._windows], dtype=float)
        return starts, ends

    def makeup_window(self) -> tuple[float, float]:
        starts, ends = self.window_arrays()
        longest = int(np.argmax(ends - starts))
        return float(starts[longest]), float(ends[longest])


_EPOCH = np.datetime64("2000-01-03", "D")  # a Monday; any fixed Monday before the data works


def _dates(values) -> np.ndarray:
    return np.unique(pd.to_datetime(list(values)).values.astype("datetime64[D]")) if len(values) else \
        np.array([], dtype="datetime64[D]")


def _working_hours_since_epoch(moments: pd.Series, calendar: WorkCalendar) -> np.ndarray:
    """F(t): working hours from the epoch to each moment (NaN where the moment is missing)."""
    values = pd.to_datetime(moments).to_numpy(dtype="datetime64[ns]")
    missing = np.isnat(values)
    days = np.where(missing, _EPOCH, values.astype("datetime64[D]"))
    day_number = (days - _EPOCH).astype(int)
    weekday = day_number % 7
    starts, ends = calendar.window_arrays()
    day_hours = ends - starts
    # Hours of the whole days before each date, from the weekly pattern…
    before = (day_number // 7) * day_hours.sum() + np.concatenate([[0.0], np.cumsum(day_hours)])[weekday]
    # …corrected by the exceptions before each date: holidays remove, make-up days add.
    holidays = _dates(calendar.holidays)
    makeups = np.setdiff1d(_dates(calendar.makeup_days), holidays)
    m_start, m_end = calendar.makeup_window()
    exceptions = np.concatenate([holidays, makeups])
    exception_weekday = ((exceptions - _EPOCH).astype(int)) % 7
    delta = np.concatenate([-day_hours[exception_weekday[:holidays.size]],
                            (m_end - m_start) - day_hours[exception_weekday[holidays.size:]]])
    order = np.argsort(exceptions, kind="stable")
    exceptions, delta = exceptions[order], delta[order]
    before += np.concatenate([[0.0], np.cumsum(delta)])[np.searchsorted(exceptions, days, side="left")]
    # The part of the moment's own day inside that day's window.
    day_start, day_end = starts[weekday], ends[weekday]
    is_makeup = np.isin(days, makeups)
    day_start = np.where(is_makeup, m_start, day_start)
    day_end = np.where(is_makeup, m_end, day_end)
    day_end = np.where(np.isin(days, holidays), day_start, day_end)
    hour_of_day = (values - values.astype("datetime64[D]")).astype("timedelta64[s]").astype(float) / 3600.0
    within = np.clip(hour_of_day, day_start, np.maximum(day_start, day_end)) - day_start
    return np.where(missing, np.nan, before + within)


def working_hours(start, end, calendar: WorkCalendar | None = None) -> np.ndarray:
    """Working hours elapsed between ``start`` and ``end`` (element-wise).

    Equation: WH(s, e) = F(e) − F(s), where F(t) = (working days before t's date) · (h₁ − h₀)
    + [t's date is a working day] · (clip(hour(t), h₀, h₁) − h₀), for a working window
    [h₀, h₁) on working days (weekmask, minus holidays). Missing ends give NaN (case still
    open); an end before its start is an error.

    Weekends and holidays follow the same rule as Excel's NETWORKDAYS.INTL (Microsoft
    Support, "NETWORKDAYS.INTL function": a weekend string of seven 0/1 characters,
    Monday first, and a list of holiday dates).

    Example (worked by hand): window 09:00–18:00, Monday–Friday. A complaint received
    Friday 2026-11-27 16:30 and resolved Monday 2026-11-30 10:15 took 1.5 h on Friday plus
    1.25 h on Monday = 2.75 working hours; the weekend does not count.

    >>> float(working_hours(["2026-11-27 16:30"], ["2026-11-30 10:15"])[0])
    2.75
    """
    calendar = calendar or WorkCalendar()
    start = pd.Series(pd.to_datetime(pd.Series(start), errors="raise"))
    end = pd.Series(pd.to_datetime(pd.Series(end), errors="raise"))
    if len(start) != len(end):
        raise CalcError("msg.calc.service.start_end_need_same", start=len(start), end=len(end))
    backwards = (end < start).to_numpy()
    if backwards.any():
        row = int(np.flatnonzero(backwards)[0])
        raise CalcError("msg.calc.service.end_before_start_row", row=row + 1)
    return _working_hours_since_epoch(end, calendar) - _working_hours_since_epoch(start, calendar)


def sla_status(start, end, limit_hours, as_of, calendar: WorkCalendar | None = None) -> pd.DataFrame:
    """Elapsed working hours and breach flag per case, for open and closed cases.

    Equation: elapsed = WH(start, end if closed else as_of); breached = elapsed > limit.
    ``limit_hours`` is an array (e.g. from the severity's SLA) or a scalar.

    Example (worked by hand): a case opened Friday 2026-11-27 16:30 with a 4-hour limit,
    still open at Monday 2026-11-30 12:00 has used 1.5 + 3 = 4.5 h: breached.

    >>> sla_status(["2026-11-27 16:30"], [None], 4, "2026-11-30 12:00").to_dict("records")
    [{'elapsed_hours': 4.5, 'limit_hours': 4.0, 'open': True, 'breached': True}]
    """
    end_series = pd.Series(pd.to_datetime(pd.Series(end)))
    is_open = end_series.isna().to_numpy()
    effective_end = end_series.fillna(pd.Timestamp(as_of))
    elapsed = working_hours(start, effective_end, calendar)
    limit = np.broadcast_to(np.asarray(limit_hours, dtype=float), elapsed.shape)
    return pd.DataFrame({
        "elapsed_hours": elapsed,
        "limit_hours": limit,
        "open": is_open,
        "breached": elapsed > limit,
    })


def _scores_from_cells(scores, name: str) -> np.ndarray:
    """Answers of any kind (numbers, text, blanks) as floats with blanks dropped."""
    raw = pd.Series(np.ravel(np.asarray(scores, dtype=object)))
    values = pd.to_numeric(raw, errors="coerce").to_numpy(float)
    blank = raw.isna().to_numpy() | (raw.astype(str).str.strip() == "").to_numpy()
    not_numbers = np.isnan(values) & ~blank
    if not_numbers.any():
        raise CalcError("msg.calc.service.score_not_number", name=name, iloc=raw[not_numbers].iloc[0])
    return values[~np.isnan(values)]


def _scores(scores, low: int, high: int, name: str) -> np.ndarray:
    """Answers as floats with blanks dropped; text that is not a number is an error."""
    if isinstance(scores, np.ndarray) and scores.dtype.kind in "fiu":
        # Numbers and blanks only: there is no text to read or report, so skip the cell-by-cell reading.
        values = np.ravel(scores).astype(float, copy=False)
        present = values[~np.isnan(values)]
    else:
        present = _scores_from_cells(scores, name)
    outside = present[(present < low) | (present > high) | (present != np.round(present))]
    if outside.size:
        raise CalcError("msg.calc.service.scores_whole_numbers_from", name=name, low=low, high=high, outside=outside[0])
    return present


# Numbers a threshold may be given as; anything else takes the general path and its error.
_REAL = (int, float, np.integer, np.floating)


def _answers_on_scale(scores, low: int, high: int) -> tuple[np.ndarray, int] | None:
    """The answers of a range of numbers as bytes, and how many are blank, when every answer
    that is not blank (NaN) is a whole number from ``low`` to ``high``; None for anything
    else (cells that are not all numbers, or an answer to refuse), which :func:`_scores`
    then reads and reports. Blanks stand as ``low`` among the bytes, for the caller to discount.

    One cast to bytes (8-bit unsigned integers) and back tells whole numbers from the rest:
    a fraction, an infinity, NaN, a negative number or one above 255 does not come back equal
    to itself. Blanks are the only answers allowed to differ, so when the differences are as
    many as the NaN no other answer differed. The scale check then runs on the bytes.
    """
    if not (isinstance(scores, np.ndarray) and scores.dtype.kind in "fiu"):
        return None
    values = np.ravel(scores).astype(float, copy=False)
    with np.errstate(invalid="ignore", over="ignore"):  # NaN, negative and large numbers cast to some byte
        answers = values.astype(np.uint8)
    same = answers.astype(float) == values
    blanks = 0
    if not same.all():
        blank = np.isnan(values)
        blanks = np.count_nonzero(blank)
        if values.size - np.count_nonzero(same) != blanks:
            return None
        np.putmask(answers, blank, low)  # a blank's byte is arbitrary: give it one the caller can discount
    if answers.size and (answers.min() < low or answers.max() > high):
        return None
    return answers, blanks


def nps(scores) -> float:
    """Net Promoter Score of 0–10 answers; blanks ignored; NaN when there are none.

    Equation: NPS = 100 · (promoters − detractors) / n, promoters scoring 9–10,
    detractors 0–6 (passives 7–8 count only in n).
    Source: F. Reichheld, "The One Number You Need to Grow", Harvard Business Review, 2003.

    Example: 100 answers with 60 promoters, 25 passives and 15 detractors → NPS = 45.

    >>> nps([10] * 60 + [8] * 25 + [3] * 15)
    45.0
    """
    on_scale = _answers_on_scale(scores, 0, 10)
    if on_scale is None:
        return _nps_of_any_answers(scores)
    answers, blanks = on_scale  # blanks stand as 0, among the detractors
    n = answers.size - blanks
    if n == 0:
        return float("nan")
    return float(100.0 * (np.count_nonzero(answers >= 9) - (np.count_nonzero(answers <= 6) - blanks)) / n)


def _nps_of_any_answers(scores) -> float:
    """:func:`nps` by the general reading (any cells; a bad answer is reported)."""
    values = _scores(scores, 0, 10, "NPS")
    if values.size == 0:
        return float("nan")
    return float(100.0 * ((values >= 9).sum() - (values <= 6).sum()) / values.size)


def csat(scores, satisfied_from: int = 4, scale_max: int = 5) -> float:
    """Customer satisfaction: share of answers at ``satisfied_from`` or above on a 1–``scale_max`` scale.

    Equation: CSAT = 100 · |{s ≥ 4}| / n on the 1–5 scale ("top-two-box" share).
    Source: the top-two-box CSAT definition used by survey vendors, e.g. Qualtrics,
    "What is CSAT and how do you measure it?".

    Example: answers 5, 5, 4, 3, 2 → 3 of 5 satisfied → 60.

    >>> csat([5, 5, 4, 3, 2])
    60.0
    """
    on_scale = _answers_on_scale(scores, 1, scale_max) if isinstance(satisfied_from, _REAL) else None
    if on_scale is None:
        return _csat_of_any_answers(scores, satisfied_from, scale_max)
    answers, blanks = on_scale  # blanks stand as 1, among the satisfied only when the threshold is 1 or less
    n = answers.size - blanks
    if n == 0:
        return float("nan")
    satisfied = np.count_nonzero(answers >= satisfied_from) - (blanks if 1 >= satisfied_from else 0)
    return float(100.0 * satisfied / n)


def _csat_of_any_answers(scores, satisfied_from: int = 4, scale_max: int = 5) -> float:
    """:func:`csat` by the general reading (any cells; a bad answer is reported)."""
    values = _scores(scores, 1, scale_max, "CSAT")
    if values.size == 0:
        return float("nan")
    return float(100.0 * (values >= satisfied_from).sum() / values.size)


def satisfaction_by_group(responses: pd.DataFrame, by: list[str], min_sample: int = 30,
                          csat_column: str = "csat_score", nps_column: str = "nps_score",
                          satisfied_from: int = 4, promoter_from: int = 9, detractor_to: int = 6) -> pd.DataFrame:
    """CSAT and NPS per group (e.g. dealer and month), with response counts and small samples marked.

    Equations as in :func:`csat` and :func:`nps`, computed per group with group-bys
    (promoters score ``promoter_from`` or more, detractors ``detractor_to`` or less);
    ``small_sample`` is True when a group has fewer than ``min_sample`` answers, so a
    report can grey it out rather than rank dealers on three answers.

    Example: dealer D1 with NPS answers 10, 9, 3 → NPS 33.3 on 3 answers (small sample).

    >>> df = pd.DataFrame({"dealer_id": ["D1"] * 3, "csat_score": [5, 4, 2], "nps_score": [10, 9, 3]})
    >>> satisfaction_by_group(df, ["dealer_id"], min_sample=5).round(1).to_dict("records")
    [{'dealer_id': 'D1', 'csat_responses': 3, 'csat': 66.7, 'nps_responses': 3, 'nps': 33.3, 'small_sample': True}]
    """
    frame = responses[list(by)].copy()  # the group columns only: the answers' other columns are not needed
    # floats, not nullable integers: blanks must become NaN so the comparisons below stay boolean
    c = pd.to_numeric(responses[csat_column], errors="coerce").astype(float)
    n = pd.to_numeric(responses[nps_column], errors="coerce").astype(float)
    _scores(c.to_numpy(), 1, 5, "CSAT")  # numbers already (text became blank above): the quick check
    _scores(n.to_numpy(), 0, 10, "NPS")
    frame["_c_n"] = c.notna()
    frame["_c_sat"] = (c >= satisfied_from)
    frame["_n_n"] = n.notna()
    if not detractor_to < promoter_from:
        raise CalcError("msg.calc.service.nps_detractors_up_score", detractor_to=detractor_to, promoter_from=promoter_from)
    frame["_n_net"] = (n >= promoter_from).astype(int) - (n <= detractor_to).astype(int)
    frame.loc[n.isna(), "_n_net"] = 0
    grouped = frame.groupby(by, sort=True, dropna=False)[["_c_n", "_c_sat", "_n_n", "_n_net"]].sum()
    out = pd.DataFrame({
        "csat_responses": grouped["_c_n"].astype(int),
        "csat": 100.0 * grouped["_c_sat"] / grouped["_c_n"].where(grouped["_c_n"] > 0),
        "nps_responses": grouped["_n_n"].astype(int),
        "nps": 100.0 * grouped["_n_net"] / grouped["_n_n"].where(grouped["_n_n"] > 0),
    })
    out["small_sample"] = out[["csat_responses", "nps_responses"]].max(axis=1) < min_sample
    return out.reset_index()


def open_case_ageing(received, closed, as_of, groups: pd.DataFrame,
                     upper_days=(1, 3, 7, 14), labels=("≤1", "2–3", "4–7", "8–14", ">14")) -> pd.DataFrame:
    """Open cases by age (calendar days since received) per group (severity, dealer, cause…).

    Equation: age = as_of − received for cases without a closing time; counted into bands
    with upper bounds ``upper_days`` (inclusive), the last band open-ended.

    >>> g = pd.DataFrame({"severity": ["high", "high", "low"]})
    >>> open_case_ageing(["2026-10-30", "2026-10-01", "2026-10-30"], [None, None, "2026-10-31"], "2026-10-31", g).to_dict("records")
    [{'severity': 'high', '≤1': 1, '2–3': 0, '4–7': 0, '8–14': 0, '>14': 1, 'open_cases': 2}]
    """
    if len(labels) != len(upper_days) + 1:
        raise CalcError("msg.calc.service.age_bounds_need_band", upper_days=len(upper_days), upper_days2=len(upper_days) + 1)
    received_at = pd.to_datetime(pd.Series(np.ravel(np.asarray(received, dtype=object))))
    closed_at = pd.to_datetime(pd.Series(np.ravel(np.asarray(closed, dtype=object))))
    is_open = closed_at.isna().to_numpy()
    age = (pd.Timestamp(as_of) - received_at).dt.total_seconds().to_numpy() / 86400.0
    band = np.searchsorted(np.asarray(upper_days, dtype=float), age, side="left")
    frame = groups.reset_index(drop=True).loc[is_open].copy()
    frame["_band"] = pd.Categorical(np.asarray(labels, dtype=object)[band[is_open]], categories=list(labels))
    keys = list(groups.columns)
    table = frame.groupby(keys + ["_band"], observed=False, sort=True).size().unstack("_band", fill_value=0)
    table = table.reindex(columns=list(labels), fill_value=0)
    table.columns = list(labels)
    table["open_cases"] = table.sum(axis=1)
    return table[table["open_cases"] > 0].reset_index()
