"""Service UDFs: NPS, CSAT and working hours (manual 7.2 – 7.4)."""
from __future__ import annotations

import numpy as np

from dealerxl.calc import service
from dealerxl.excel.functions.convert import column, datetimes, flat, scalar
from dealerxl.excel.functions.registry import udf


def _answers(scores) -> np.ndarray:
    """Survey answers as one flat array: a range of numbers and blanks stays a float array (NaN the
    blanks); any other range becomes its cells, so the calculation can name a text answer."""
    if isinstance(scores, np.ndarray) and scores.dtype.kind == "f":
        return np.ravel(scores)
    return flat(scores)


@udf("scores")
def DX_NPS(scores):
    """Net Promoter Score (−100 … 100) of a range of 0–10 answers; blanks ignored."""
    return service.nps(_answers(scores))


@udf("scores")
def DX_CSAT(scores, satisfied_from=4):
    """Share (0–100) of 1–5 answers at ``satisfied_from`` or above; blanks ignored."""
    return service.csat(_answers(scores), int(scalar(satisfied_from, 4)))


@udf("start", "end", "holidays")
def DX_WORKING_HOURS(start, end, day_start_hour=9, day_end_hour=18, holidays=None, weekmask="1111100"):
    """Working hours between each start and end (one column), skipping weekends and holidays."""
    holiday_dates = [] if holidays is None else datetimes(holidays).dropna().tolist()
    calendar = service.WorkCalendar(float(scalar(day_start_hour, 9)), float(scalar(day_end_hour, 18)),
                                    str(scalar(weekmask, "1111100")), tuple(holiday_dates))
    return column(service.working_hours(datetimes(start), datetimes(end), calendar))

