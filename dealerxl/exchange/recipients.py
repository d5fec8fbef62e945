"""Who a shared form goes to: dealers from the dealer master, colleagues from the team roster.

A form naming ``dealer_id`` goes to dealers; one naming ``owner`` or ``evaluator_id`` (task
updates, prospect evaluations) to colleagues. For a period, the dealers active in that month
receive templates (:func:`~dealerxl.calc.channel.active_in_month`: under contract on one of
its days, as every sheet of the monthly report counts them); without one, the dealers that are
active or suspended today. Colleagues who have not left receive templates; a recipient's
language is the dealer master's ``language`` column when filled, else the workbook's.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dealerxl.forms import Form

RECIPIENT_COLUMNS = ("dealer_id", "owner", "evaluator_id")
ROSTERS = {
    # roster form, its id column, name column, the statuses that receive templates
    "dealers": ("dealer_master", "dealer_id", "dealer_name", ("active", "suspended")),
    "staff": ("team_roster", "staff_id", "staff_name", ("probation", "active", "on_leave")),
}


@dataclass(frozen=True)
class Recipient:
    id: str
    name: str
    lang: str
    email: str | None = None


def recipient_column(form: Form) -> str | None:
    """The column of ``form`` that names who filled it in, if any."""
    ids = {c.id for c in form.columns}
    return next((c for c in RECIPIENT_COLUMNS if c in ids), None)


def roster_of(form: Form) -> str:
    return "dealers" if recipient_column(form) in (None, "dealer_id") else "staff"


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    return text or None


def read_recipients(source, form: Form, workbook_lang: str, period: str | None = None) -> tuple[list[Recipient], list]:
    """The form's recipients for ``period`` (``YYYY-MM``) from the open workbook ``source``, and
    the roster's reading problems."""
    from dealerxl.book import read_form
    from dealerxl.calc.channel import active_in_month

    roster_form, id_column, name_column, receiving = ROSTERS[roster_of(form)]
    read = read_form(source, roster_form, lang=workbook_lang)
    data = read.data
    dated = {"join_date", "termination_date", "status"} <= set(data.columns)
    if roster_form == "dealer_master" and period is not None and dated:
        data = data[active_in_month(data["join_date"], data["termination_date"], data["status"], period)]
    elif "status" in data:
        data = data[data["status"].isin(receiving) | data["status"].isna()]
    langs = data["language"] if "language" in data else pd.Series(None, index=data.index, dtype=object)
    emails = data["email"] if "email" in data else pd.Series(None, index=data.index, dtype=object)
    recipients = [Recipient(str(rid), _text(name) or str(rid), _text(lang) or workbook_lang, _text(email))
                  for rid, name, lang, email in zip(data[id_column], data[name_column], langs, emails)]
    return recipients, read.problems


def choose(recipients: list[Recipient], wanted: list[str] | None, lang: str) -> tuple[list[Recipient], list[str]]:
    """``wanted`` ids out of the roster (in the order given), and the ids the roster lacks.

    Without a roster every wanted id becomes a recipient named by its id, in ``lang``.
    """
    if not wanted:
        return recipients, []
    known = {r.id: r for r in recipients}
    if not recipients:
        return [Recipient(w, w, lang) for w in dict.fromkeys(wanted)], []
    chosen = [known[w] for w in dict.fromkeys(wanted) if w in known]
    return chosen, [w for w in dict.fromkeys(wanted) if w not in known]
