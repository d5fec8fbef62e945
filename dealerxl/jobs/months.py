"""The month a job runs for, however it was given: one reading for every job.

Accepted: ``2026-10``, ``2026/10``, ``2026.10``, ``2026年10月`` (one- or two-digit month,
full-width digits too), a date in those orders (``2026-10-31``: its month), and the
Python/pandas month or date types. Anything else (``10/2026``, ``2026-13``, ``2026-10x``)
is refused with a message saying what is accepted, never guessed at.
"""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from dealerxl.book.parse import FULL_WIDTH
from dealerxl.calc import CalcError

_MONTH = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:月\s*)?"
                    r"(?:(?:[-/.]|(?<=月))\s*(\d{1,2})\s*(?:日)?)?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")


def parse_month(value) -> pd.Period:
    """``value`` as a monthly period; a CalcError naming what is accepted otherwise.

    >>> [str(parse_month(v)) for v in ("2026-10", "2026/1", "2026年10月", "２０２６－１０", "2026-10-31")]
    ['2026-10', '2026-01', '2026-10', '2026-10', '2026-10']
    """
    if isinstance(value, pd.Period):
        return value.asfreq("M")
    if isinstance(value, (dt.date, pd.Timestamp)) and not pd.isna(value):
        return pd.Period(year=value.year, month=value.month, freq="M")
    text = str(value).translate(FULL_WIDTH).strip() if isinstance(value, str) else None
    match = _MONTH.fullmatch(text) if text else None
    if match:
        year, month, day = int(match[1]), int(match[2]), match[3]
        try:
            dt.date(year, month, 1 if day is None else int(day))  # a real month, and a real day if one is given
            return pd.Period(year=year, month=month, freq="M")
        except ValueError:
            pass
    raise CalcError(f"{value!r} is not a month: give it as YYYY-MM (e.g. 2026-10)")


def month_end(value) -> pd.Timestamp:
    """The last day of the month of ``value`` (see :func:`parse_month`), at midnight."""
    return parse_month(value).end_time.normalize()
