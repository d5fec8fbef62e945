"""Issuing a shared form: one signed, protected template per recipient for one period.

Each file is the form's sheet in the recipient's language (headers, dropdowns, title and
instruction) with the recipient and period on the line above the table, the recipient
column and the month column filled and locked on every row, only the input cells open,
and the manifest (:mod:`.manifest`) on a very hidden sheet.
"""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pandas as pd

from dealerxl.calc import CalcError
from dealerxl.forms import FORMS, Form
from dealerxl.i18n import DEFAULT_LANG, tr

from . import manifest
from .recipients import Recipient, choose, read_recipients, recipient_column

PERIOD = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
RECIPIENT_TABLE = "recipients"


def shared_forms() -> list[Form]:
    """The forms sent out as templates, in manual order."""
    return [form for form in FORMS.values() if form.shared]


def shared_form(form_id: str, lang: str) -> Form:
    form = FORMS.get(form_id)
    if form is None or not form.shared:
        raise CalcError(tr("msg.exchange.not_shared", lang, form=form_id,
                           forms=", ".join(f.id for f in shared_forms())))
    return form


def check_period(period: str, lang: str) -> str:
    if not isinstance(period, str) or not PERIOD.fullmatch(period):
        raise CalcError(tr("msg.exchange.bad_period", lang, value=period))
    return period


def department_key(workbook, lang: str, *, create: bool = False) -> bytes | None:
    """The department key for ``workbook`` (a path or None), or a :class:`CalcError` in
    ``lang`` saying why it cannot be used (too short: how to make a good one)."""
    try:
        return manifest.department_key(workbook, create=create)
    except manifest.ManifestError as error:
        raise CalcError(tr(f"msg.{error.code}", lang, **error.fields)) from None


def fixed_values(form: Form, recipient: str, period: str) -> dict:
    """The cells every data row carries for this recipient and period."""
    fixed: dict = {}
    column = recipient_column(form)
    if column:
        fixed[column] = recipient
    if any(c.id == "month" and c.type == "date" for c in form.columns):
        year, month = map(int, period.split("-"))
        fixed["month"] = dt.datetime(year, month, 1)
    return fixed


def info_line(recipient: Recipient, period: str) -> tuple[str, ...]:
    lang = recipient.lang
    return (tr("exchange.info.recipient", lang), recipient.id, recipient.name, tr("exchange.info.period", lang),
            period, tr("exchange.info.note", lang))


def file_name(form_id: str, period: str, recipient: str) -> str:
    safe = re.sub(r"[^\w.-]+", "_", recipient, flags=re.UNICODE).strip("._") or "recipient"
    return f"{form_id}_{period}_{safe}.xlsx"


def plan_issue(form_id: str, period: str, *, workbook=None, recipients: list[str] | None = None,
               lang: str | None = None):
    """Who gets the form: a :class:`~dealerxl.jobs.common.JobResult` whose ``recipients``
    table lists id, name, language, e-mail and file name; nothing is written yet."""
    from dealerxl.book import open_source, workbook_language
    from dealerxl.jobs.common import JobResult

    shown = lang or DEFAULT_LANG
    roster, problems = [], []
    if workbook is not None:
        source = open_source(workbook)
        shown = lang or workbook_language(source)
        form = shared_form(form_id, shown)
        check_period(period, shown)
        roster, problems = read_recipients(source, form, lang or workbook_language(source), period)
    form = shared_form(form_id, shown)
    check_period(period, shown)
    # a key too short to be safe is refused before anything is written
    department_key(workbook if isinstance(workbook, (str, os.PathLike)) else None, shown)
    chosen, unknown = choose(roster, recipients, lang or shown)
    if unknown:
        raise CalcError(tr("msg.exchange.unknown_recipients", shown, ids=", ".join(unknown)))
    if not chosen:
        raise CalcError(tr("msg.exchange.no_recipients", shown))
    if lang:  # asked for one language: every file speaks it
        chosen = [Recipient(r.id, r.name, lang, r.email) for r in chosen]
    table = pd.DataFrame({
        "recipient": [r.id for r in chosen], "name": [r.name for r in chosen], "lang": [r.lang for r in chosen],
        "email": [r.email for r in chosen], "file": [file_name(form.id, period, r.id) for r in chosen]})
    result = JobResult("issue_templates", shown, tables={RECIPIENT_TABLE: table}, problems=list(problems),
                       summary={"form": form.id, "period": period, "recipients": len(chosen)})
    return result


def write_issued(result, folder: Path, *, workbook=None, prefill: dict | None = None,
                 rows: int | None = None) -> list[Path]:
    """Write the files planned in ``result`` into ``folder``; return them.

    ``prefill`` may map a recipient id to the input rows its file starts with (column ids,
    coded columns as codes), e.g. the dealer's SKU list. ``rows``: the input rows each file
    offers (default :data:`~dealerxl.build.workbook.ISSUED_ROWS`); the sheet is protected, so
    its table cannot grow beyond them.
    """
    from dealerxl.build.layout import HEADER_ROW
    from dealerxl.build.sheets import sheet_name
    from dealerxl.build.workbook import ISSUED_ROWS, IssuedSheet, locked_cells, write_template
    from dealerxl.jobs import progress

    form = FORMS[result.summary["form"]]
    period = result.summary["period"]
    key = department_key(workbook, result.lang, create=True)
    version = manifest.form_version(form)
    issued_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    folder.mkdir(parents=True, exist_ok=True)
    table = result.tables[RECIPIENT_TABLE]
    written = []
    for done, row in enumerate(table.itertuples(index=False)):
        progress.step(tr("msg.exchange.progress_issuing", result.lang), done, len(table))
        recipient = Recipient(row.recipient, row.name, row.lang, row.email)
        info = info_line(recipient, period)
        cells = locked_cells(form.id, recipient.lang, info)
        known = (prefill or {}).get(recipient.id)
        # the table offers the rows asked for, or more when the prefilled lines need them
        offered = max(rows or ISSUED_ROWS, 0 if known is None else len(known))
        geometry = manifest.TableGeometry(HEADER_ROW, 0, tuple(c.id for c in form.columns), offered)
        signed = manifest.sign({
            "form": form.id, "form_version": version, "recipient": recipient.id, "recipient_name": recipient.name,
            "period": period, "lang": recipient.lang, "sheet": sheet_name(form, recipient.lang),
            **geometry.fields(), "issued_at": issued_at,
            "locked_cells": ",".join(address for address, _ in cells),
            "locked_checksum": manifest.locked_checksum(cells)}, key)
        issued = IssuedSheet(info=info, fixed=fixed_values(form, recipient.id, period), manifest=signed,
                             rows=offered, prefill=known)
        written.append(write_template(folder / row.file, form.id, lang=recipient.lang, issued=issued))
    return written


def issue_templates(form_id: str, period: str, out_dir: str | Path, *, workbook=None,
                    recipients: list[str] | None = None, lang: str | None = None, prefill: dict | None = None,
                    rows: int | None = None):
    """Plan and write the templates; the :class:`JobResult` lists the files in ``outputs``."""
    result = plan_issue(form_id, period, workbook=workbook, recipients=recipients, lang=lang)
    result.outputs.extend(write_issued(result, Path(out_dir), workbook=workbook, prefill=prefill, rows=rows))
    return result
