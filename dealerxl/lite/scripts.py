"""The month-end jobs on the workbook open in Excel on the web or on Mac (xlwings Lite scripts).

Each script reads the open workbook through xlwings' ``Book`` API with
:class:`~dealerxl.excel.live.LiveBook` (the reader the desktop ribbon uses, so validation and
every ``sheet!cell`` message are the same), runs the same job as the desktop button and writes
its result into the open workbook: a form's table for replenishment, risk review and targets;
a sheet of its own for the incentive statements and the monthly summary, which the desktop
edition saves as files (Lite cannot save files). What it did is said in the workbook's
language in the message cell of the index sheet, in a message box, and in Lite's output pane.

Lite has no status bar and no files beside the workbook: progress goes to the output pane, and
the runs are not appended to an audit log (the history store is not reachable from Lite).

A job whose rows are per period (risk review, targets) is merged into its table as the desktop
button merges it: rows of the same key replaced, the other periods' rows kept.

Only these xlwings calls are used (the tests' stand-in implements exactly them, with values as
Lite hands them over): everything :class:`LiveBook` reads, ``table.update(frame, index=False)``,
``book.sheets`` (iteration, ``[name]``, ``add(name, after=sheet)``), ``sheet[address].value``
(read and write), ``sheet[address].number_format`` (write), ``sheet.clear_contents()`` and
``book.app.alert(text, title=...)``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from dealerxl.book.language import detect_language
from dealerxl.book.problems import column_letters
from dealerxl.calc import CalcError
from dealerxl.excel.live import LiveBook
from dealerxl.excel.write_back import (TableNotFound, find_table, keeps_other_periods, merged_with_table,
                                       write_form_table)
from dealerxl.forms import get_form
from dealerxl.i18n import tr
from dealerxl.jobs import progress
from dealerxl.jobs.common import sheet_title
from dealerxl.jobs.errors import reason
from dealerxl.jobs.months import empty_forms_note

# ---- where the panel sits on the index sheet (the workbook builder draws it there) -------------

PANEL_COLUMN = "F"        # the buttons; their help text in the column after
PANEL_TITLE_ROW = 1       # 1-based rows, as Excel and the button references count
FIRST_BUTTON_ROW = 5
BUTTON_ROWS = 3           # each button covers two rows, then a gap
MESSAGE_LABEL_ROW = FIRST_BUTTON_ROW + 6 * BUTTON_ROWS
MESSAGE_CELL = f"{PANEL_COLUMN}{MESSAGE_LABEL_ROW + 1}"


@dataclass(frozen=True)
class Script:
    """A script of ``main.py``: ``function`` its name there, ``button`` the shape on the index
    sheet that runs it (the shape's linked cell is :attr:`cell`), ``label`` and ``tip`` the
    translation keys of its caption and help text, ``run(book)`` the job."""

    function: str
    button: str
    label: str
    tip: str
    run: Callable
    row: int

    @property
    def cell(self) -> str:
        return f"{PANEL_COLUMN}{self.row}"


def index_sheet_name(lang: str) -> str:
    return tr("build.index_sheet", lang)


def last_complete_month(today: dt.date | None = None) -> str:
    """``YYYY-MM`` of the month before ``today``'s, as the desktop buttons take it."""
    first = (today or dt.date.today()).replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


# ---- saying what happened --------------------------------------------------------------------

def say(book, lang: str, text: str) -> str:
    """Show ``text`` in the index sheet's message cell, a message box and the output pane; return it."""
    print(text)
    try:
        book.sheets[index_sheet_name(lang)][MESSAGE_CELL].value = text
    except (KeyError, IndexError):  # the index sheet was renamed or removed: the box still says it
        pass
    try:
        book.app.alert(text, title=tr("msg.app_title", lang))
    except NotImplementedError:  # an engine without message boxes: the cell and the pane have it
        pass
    return text


def say_done(book, lang: str, lines: list[str], result) -> str:
    """The closing message: ``lines``, the forms without data, then how many input problems and the first."""
    lines = [*lines, *empty_forms_note(result, lang)]
    if result.problems:
        lines.append(tr("msg.job_input_problems", lang, count=len(result.problems),
                        first=result.problems[0].message(lang)))
    return say(book, lang, "\n".join(lines))


def _printing(heading: str):
    def show(text: str, done: int | None, total: int | None) -> None:
        counted = f" {done}/{total}" if done is not None and total else ""
        print(f"{heading} — {text}{counted}")
    return show


def _calculate(book, lang: str, code: str, heading: str, run):
    """``(result, None)``, or ``(None, message said)`` when the job refused its inputs."""
    print(heading)
    try:
        with progress.reporting(_printing(heading)):
            return run(), None
    except CalcError as error:
        return None, say(book, lang, tr(f"msg.{code}.failed", lang, reason=reason(error, lang)))


# ---- jobs that fill a form's table -------------------------------------------------------------

def _into_table(book, *, job: str, code: str, form_id: str, table: str, run, notes) -> str:
    live = LiveBook(book)
    lang = detect_language(live)
    result, failed = _calculate(book, lang, code, tr(f"msg.{code}.progress_reading", lang), lambda: run(live))
    if failed is not None:
        return failed
    frame = result.tables[table]
    print(tr(f"msg.{code}.progress_writing", lang, rows=len(frame)))
    try:
        find_table(book, form_id)
        if keeps_other_periods(form_id):  # as the desktop button: other periods' rows stay
            frame = merged_with_table(book, form_id, frame)
        rows = write_form_table(book, form_id, frame, lang)
    except TableNotFound:
        return say(book, lang, tr(f"msg.{code}.no_table", lang, table=get_form(form_id).table_name))
    done = tr("msg.job_done", lang, job=tr(f"ribbon.{job}", lang), rows=rows, target=sheet_title(form_id, lang))
    return say_done(book, lang, [done, *notes(result, lang)], result)


def replenishment(book, as_of=None) -> str:
    """The order proposal at ``as_of`` (default today) into the replenishment proposal table."""
    from dealerxl.jobs.replenish import PROPOSAL_FORM, run_replenishment, summary_lines

    return _into_table(book, job="replenish", code="replenishment", form_id=PROPOSAL_FORM, table="proposal",
                       run=lambda live: run_replenishment(live, as_of=as_of, scorecards=False), notes=summary_lines)


def risk_review(book, month: str | None = None) -> str:
    """The dealer risk review of ``month`` (default last month) into the dealer risk review table."""
    from dealerxl.jobs.risk import REVIEW_FORM, run_risk_review, summary_text

    return _into_table(book, job="risk", code="risk", form_id=REVIEW_FORM, table="review",
                       run=lambda live: run_risk_review(live, month or last_complete_month()),
                       notes=lambda result, lang: [summary_text(result)])


def targets(book, year: int | None = None) -> str:
    """The month × dealer targets of ``year`` (default next year) into the monthly targets table."""
    from dealerxl.jobs.targets import OUTPUT_FORM, run_targets, summary_lines

    year = year or dt.date.today().year + 1
    return _into_table(book, job="targets", code="targets", form_id=OUTPUT_FORM, table=OUTPUT_FORM,
                       run=lambda live: run_targets(live, year), notes=summary_lines)


def validate(book) -> str:
    """Check every form of the open workbook, as the desktop button and ``dealerxl check`` do."""
    from dealerxl.excel.actions.validate import validation_report

    live = LiveBook(book)
    lang = detect_language(live)
    print(tr("msg.lite.validating", lang))
    _, text = validation_report(live)
    return say(book, lang, text)


# ---- jobs whose result is a sheet of its own ---------------------------------------------------

def _cells(frame: pd.DataFrame) -> list[list]:
    """A table as rows for Excel: header first, every missing value None (a blank, not #NUM!)."""
    body = frame.astype(object).where(frame.notna(), None)
    rows = [[v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in row] for row in body.to_numpy().tolist()]
    return [[str(c) for c in frame.columns], *rows]


def write_result_sheet(book, lang: str, name: str, blocks: list[tuple]) -> str | None:
    """Write ``blocks`` one under the other on sheet ``name``; None when done, else the message why not.

    A block is ``(title, table)`` or ``(title, table, formats)``, ``formats`` mapping a row of
    the table (0 = first data row) to the number format of its numeric cells. The sheet is
    made after the last one. If it exists it is rewritten only when this job wrote it (its A1
    holds the title written below); a sheet of the user's with that name is left alone and the
    job says so.
    """
    title = name.replace("_", " ")
    existing = {sheet.name: sheet for sheet in book.sheets}
    if name in existing:
        sheet = existing[name]
        if sheet["A1"].value != title:
            return tr("msg.lite.sheet_taken", lang, sheet=name)
        sheet.clear_contents()
    else:
        sheet = book.sheets.add(name, after=list(book.sheets)[-1])
    sheet["A1"].value = title
    row = 3
    for heading, frame, *formats in blocks:
        sheet[f"A{row}"].value = heading
        cells = _cells(frame)
        sheet[f"A{row + 1}"].value = cells
        numeric = [i for i, column in enumerate(frame.columns) if pd.api.types.is_numeric_dtype(frame[column])]
        for index, number_format in (formats[0] if formats else {}).items():
            first, last = column_letters(numeric[0]), column_letters(numeric[-1])
            sheet[f"{first}{row + 2 + index}:{last}{row + 2 + index}"].number_format = number_format
        row += len(cells) + 2
    return None


def _into_sheet(book, *, job: str, code: str, run, sheet_blocks, name_of, notes) -> str:
    live = LiveBook(book)
    lang = detect_language(live)
    result, failed = _calculate(book, lang, code, tr(f"msg.{code}.progress", lang), lambda: run(live, lang))
    if failed is not None:
        return failed
    name = name_of(result).removesuffix(".xlsx")[:31]
    refused = write_result_sheet(book, lang, name, sheet_blocks(result, lang))
    if refused is not None:
        return say(book, lang, refused)
    done = tr("msg.lite.job_done_sheet", lang, job=tr(f"ribbon.{job}", lang), sheet=name)
    return say_done(book, lang, [done, *notes(result)], result)


def incentives(book, month: str | None = None) -> str:
    """The incentive statements of ``month`` (default last month) on a sheet: the summary, then each payee's lines."""
    from dealerxl.cli.incentives import notes
    from dealerxl.jobs.incentives import output_name, run_incentives, statement_sheets

    return _into_sheet(book, job="incentives", code="incentives",
                       run=lambda live, lang: run_incentives(live, month or last_complete_month(), lang=lang),
                       sheet_blocks=lambda result, lang: list(statement_sheets(result).items()),
                       name_of=output_name, notes=notes)


def summary_frame(result, lang: str) -> pd.DataFrame:
    """The monthly report's summary figures as people read them: figure, this month, last month, change."""
    table = result.tables["summary"]
    t = lambda key: tr(f"report.monthly.{key}", lang)  # noqa: E731
    return pd.DataFrame({t("col.figure"): [t(f"figure.{f}") for f in table["figure"]],
                         t("col.this_month"): table["value"].to_numpy(float),
                         t("col.last_month"): table["previous"].to_numpy(float),
                         t("col.change"): table["change"].to_numpy(float)})


def monthly_summary(book, month: str | None = None) -> str:
    """The monthly report's key figures of ``month`` (default last month) on a sheet of the open workbook."""
    from dealerxl.report.monthly import output_name, run_monthly_report
    from dealerxl.report.workbook import KIND_NUMBER_FORMATS

    def blocks(result, lang):
        kinds = result.tables["summary"]["kind"]
        formats = {row: KIND_NUMBER_FORMATS[kind] for row, kind in enumerate(kinds)}
        return [(tr("report.monthly.section.figures", lang), summary_frame(result, lang), formats)]

    def notes(result):
        figures, rate = result.summary["figures"], result.summary["figures"].get("achievement")
        return [tr("msg.lite.monthly_summary", result.lang, month=result.summary["month"],
                   revenue=f"{figures['revenue']:,.0f}", achievement="-" if rate is None else f"{rate:.1%}")]

    return _into_sheet(book, job="monthly_report", code="monthly_report",
                       run=lambda live, lang: run_monthly_report(live, month or last_complete_month()),
                       sheet_blocks=blocks, name_of=output_name, notes=notes)


SCRIPTS: tuple[Script, ...] = tuple(
    Script(function, button, f"ribbon.{label}", tip, run, FIRST_BUTTON_ROW + index * BUTTON_ROWS)
    for index, (function, button, label, tip, run) in enumerate([
        ("validate_workbook", "dx_validate", "validate", "ribbon.validate.tip", validate),
        ("replenishment_proposal", "dx_replenish", "replenish", "ribbon.replenish.tip", replenishment),
        ("risk_review", "dx_risk", "risk", "ribbon.risk.tip", risk_review),
        ("set_targets", "dx_targets", "targets", "ribbon.targets.tip", targets),
        ("incentive_statements", "dx_incentives", "incentives", "msg.lite.incentives.tip", incentives),
        ("monthly_summary", "dx_monthly_report", "monthly_report", "msg.lite.monthly_report.tip", monthly_summary),
    ]))
