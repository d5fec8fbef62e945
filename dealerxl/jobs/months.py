"""The month a job runs for, however it was given, and whether the workbook has data for it:
one reading and one rule for every job.

Accepted: ``2026-10``, ``2026/10``, ``2026.10``, ``2026年10月`` (one- or two-digit month,
full-width digits too), a date in those orders (``2026-10-31``: its month), and the
Python/pandas month or date types. Anything else (``10/2026``, ``2026-13``, ``2026-10x``)
is refused with a message saying what is accepted, never guessed at.

**Months without data.** Each month job names in :data:`ACTIVITY_FORMS` the forms whose rows
dated in a month are that month's activity (sales, receivables, complaints…; a row's month
is that of the form's period column, :func:`~dealerxl.store.schema.period_source`).
:func:`require_month_data` applies one rule: when none of them has a row in the month (a
month after the last data, before the first, or a gap) the job refuses, naming the month,
the forms and the months the workbook does hold, and nothing is written; when only some of
them have none, the job runs and its result names those forms (``empty_forms``), which every
front end says after the result (:func:`empty_forms_note`).
"""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from dealerxl.book.parse import FULL_WIDTH
from dealerxl.forms import get_form
from dealerxl.i18n import listed, tr
from dealerxl.jobs.errors import JobError

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
    raise JobError("msg.month.not_a_month", value=value)


def month_end(value) -> pd.Timestamp:
    """The last day of the month of ``value`` (see :func:`parse_month`), at midnight."""
    return parse_month(value).end_time.normalize()


# Job → the forms whose rows in a month are that month's activity (forms the job reads itself).
ACTIVITY_FORMS: dict[str, tuple[str, ...]] = {
    "monthly_report": ("sales_transactions", "demand_history"),
    "risk": ("sales_transactions", "receivables", "complaint_log"),
    "dealers": ("sales_transactions", "receivables", "dealer_monthly", "complaint_log"),
    "service": ("complaint_log", "service_tickets", "survey_responses", "marketing_spend"),
    "incentives": ("sales_transactions",),
    "statements": ("sales_transactions", "complaint_log"),
}


def form_months(frame: pd.DataFrame, form_id: str) -> pd.Series:
    """The month of each row of a form's frame (its period column's month; NaT-like when blank)."""
    from dealerxl.store.schema import period_source

    column = period_source(get_form(form_id))
    if column is None or column not in frame:
        return pd.Series([], dtype="period[M]")
    return pd.to_datetime(frame[column], errors="coerce").dropna().dt.to_period("M")


def require_month_data(inputs, month, job: str) -> list[str]:
    """The job's activity forms without a row in ``month``; a :class:`JobError` when none has one.

    >>> from types import SimpleNamespace
    >>> sales = pd.DataFrame({"invoice_date": pd.to_datetime(["2026-09-03", "2026-10-30"])})
    >>> inputs = SimpleNamespace(frames={"sales_transactions": sales})
    >>> require_month_data(inputs, "2026-10", "incentives")
    []
    >>> require_month_data(inputs, "2026-11", "incentives")
    Traceback (most recent call last):
    dealerxl.jobs.errors.JobError: 2026-11 has no data: Sales transactions have no row dated in that month (the workbook holds 2026-09 to 2026-10); choose a month with data
    """
    period = parse_month(month)
    # The rule is about the forms the job read: one that works out only part of its review
    # (the service review without marketing) reads only some of them.
    forms = tuple(f for f in ACTIVITY_FORMS[job] if f in inputs.frames) or ACTIVITY_FORMS[job]
    months = {form_id: form_months(inputs.frames[form_id], form_id) for form_id in forms
              if form_id in inputs.frames}
    empty = [form_id for form_id, held in months.items() if not (held == period).any()]
    if len(empty) < len(forms):
        return empty
    sheets = tuple(get_form(form_id).label_key("sheet") for form_id in forms)
    held = pd.concat([m for m in months.values() if len(m)]) if any(len(m) for m in months.values()) else None
    if held is None:
        raise JobError("msg.month.no_data_at_all", month=str(period), label_fields={"forms": sheets})
    raise JobError("msg.month.no_data", month=str(period), first=str(held.min()), last=str(held.max()),
                   label_fields={"forms": sheets})


def empty_forms_note(result, lang: str) -> list[str]:
    """The line every front end says when some of the month's forms had no data (else nothing)."""
    empty = getattr(result, "empty_forms", None)
    if not empty:
        return []
    sheets = listed((tr(get_form(form_id).label_key("sheet"), lang) for form_id in empty), lang)
    return [tr("msg.month.some_empty", lang, month=result.summary.get("month", ""), forms=sheets)]