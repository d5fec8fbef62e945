"""Service UDFs: NPS, CSAT and working hours (manual 7.2 – 7.4)."""
from __future__ import annotations

import numpy as np

from dealerxl.calc import service
from dealerxl.excel.functions.convert import (column, datetimes, first_items, numbers, one_number, one_whole_number,
                                              scalar, used_rows)
from dealerxl.excel.functions.errors import InputError, refused
from dealerxl.excel.functions.registry import udf


def _answers(scores) -> np.ndarray:
    """Survey answers as one flat float array (NaN the blanks); a cell that is no number is
    refused by its place (the calculation checks the scale)."""
    if isinstance(scores, np.ndarray) and scores.dtype.kind == "f":
        return np.ravel(scores)
    return numbers(scores, "scores")


@udf("scores")
def DX_NPS(scores):
    """Net Promoter Score (−100 … 100) of a range of 0–10 answers; blanks ignored."""
    return service.nps(_answers(scores))


@udf("scores")
def DX_CSAT(scores, satisfied_from=4):
    """Share (0–100) of 1–5 answers at ``satisfied_from`` or above; blanks ignored."""
    return service.csat(_answers(scores), one_whole_number(satisfied_from, "satisfied_from", 4))


def _weekmask(value) -> str:
    """Working weekdays as seven 0/1 digits, Monday first; typed into a cell as a number,
    1111100 loses no digit but 0111110 loses its leading zero, which is put back."""
    mask = scalar(value, "1111100")
    if isinstance(mask, (int, float, np.integer, np.floating)) and not isinstance(mask, bool) \
            and float(mask).is_integer() and 0 <= mask <= 1111111:
        mask = f"{int(mask):07d}"
    mask = str(mask).strip()
    if len(mask) != 7 or set(mask) - {"0", "1"}:
        raise refused("weekmask", 0, (1,), mask, "weekmask")
    return mask


@udf("start", "end", "holidays")
def DX_WORKING_HOURS(start, end, day_start_hour=9, day_end_hour=18, holidays=None, weekmask="1111100"):
    """Working hours between each start and end (one column), skipping weekends and holidays.

    A blank end is a case still open (a blank result); an end that is no date is refused.
    """
    rows = used_rows(start, end)
    opened, closed = datetimes(first_items(start, rows), "start"), datetimes(first_items(end, rows), "end")
    if closed.size != opened.size:
        raise InputError("msg.udf.lengths", argument="end", cells=closed.size, other="start", rows=opened.size)
    holiday_dates = [] if holidays is None else datetimes(holidays, "holidays").dropna().tolist()
    calendar = service.WorkCalendar(one_number(day_start_hour, "day_start_hour", 9.0),
                                    one_number(day_end_hour, "day_end_hour", 18.0),
                                    _weekmask(weekmask), tuple(holiday_dates))
    return column(service.working_hours(opened, closed, calendar))
