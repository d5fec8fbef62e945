"""What every job shares: loading validated inputs, labelling result tables, writing them.

A job is one user-visible task (set targets, plan replenishment, risk review…). It reads
the forms it needs with :func:`load_inputs`, calls calculations, and returns a
:class:`JobResult`; the front end (CLI or ribbon) decides where results go. Headless runs
write a new workbook with :func:`write_result_workbook` (never into the user's file).
"""
from __future__ import annotations

import getpass
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dealerxl.book import Problem, read_form, read_settings
from dealerxl.book.read import open_source
from dealerxl.book.language import detect_language
from dealerxl.forms import DEFAULT_ROWS, ENUMS, FORMS, get_form
from dealerxl.i18n import tr
from dealerxl.jobs import progress
from dealerxl.jobs.outputs import new_workbook
from dealerxl.jobs.safety import atomic_write


@dataclass
class Inputs:
    """Validated input frames (form id → clean DataFrame), settings, problems and language."""

    frames: dict[str, pd.DataFrame]
    settings: dict
    problems: list[Problem]
    lang: str
    label: str

    def __getitem__(self, form_id: str) -> pd.DataFrame:
        return self.frames[form_id]


def load_inputs(source, form_ids: list[str], *, lang: str | None = None) -> Inputs:
    """Read ``form_ids`` and the settings from ``source`` (a path or an open workbook).

    Rows with problems are left out of the frames (see :mod:`dealerxl.book`); every problem
    is returned so the job can report it instead of computing from bad rows silently.
    """
    workbook = open_source(source)
    language = lang or detect_language(workbook)
    frames, problems = {}, []
    for done, form_id in enumerate(form_ids):
        progress.step(tr("msg.progress.reading", language), done, len(form_ids))
        read = read_form(workbook, form_id)
        frames[form_id] = read.data.reset_index(drop=True)
        problems.extend(read.problems)
    settings = read_settings(workbook)
    problems.extend(settings.problems)
    return Inputs(frames, dict(settings), problems, language, getattr(workbook, "label", str(source)))


@dataclass
class JobResult:
    """What a job did: tables it produced, files written, counts and warnings (for ``--json``)."""

    job: str
    lang: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    outputs: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: dict = field(default_factory=dict)
    user: str = field(default_factory=lambda: _user())
    # the forms with no row in the job's month (:func:`dealerxl.jobs.months.require_month_data`)
    empty_forms: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # A job's files are written after its result exists: a new result starts a new record.
        _latest_result.set(self)
        _files_written.set(())

    def as_dict(self) -> dict:
        return {
            "job": self.job,
            "user": self.user,
            "outputs": [str(p) for p in self.outputs],
            "rows": {name: int(len(frame)) for name, frame in self.tables.items()},
            "problems": [p.as_dict(self.lang) for p in self.problems],
            "warnings": list(self.warnings),
            "empty_forms": list(self.empty_forms),
            "summary": self.summary,
        }


# What the latest job run in this context produced, for front ends whose common end path
# is not told (the ribbon's closing message): see :func:`take_run_record`.
_latest_result: ContextVar["JobResult | None"] = ContextVar("dealerxl_latest_result", default=None)
_files_written: ContextVar[tuple] = ContextVar("dealerxl_files_written", default=())


def take_run_record() -> tuple["JobResult | None", list[Path]]:
    """The latest :class:`JobResult` made in this context and the result workbooks written
    since; both are forgotten, so the next run starts clean."""
    result, files = _latest_result.get(), list(_files_written.get())
    _latest_result.set(None)
    _files_written.set(())
    return result, files


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some service accounts
        return ""


def localise(frame: pd.DataFrame, form_id: str, lang: str) -> pd.DataFrame:
    """A form-shaped frame for people: headers as the language's labels, codes as labels."""
    form = get_form(form_id)
    out = pd.DataFrame(index=frame.index)
    for column in form.columns:
        if column.id not in frame:
            continue
        values = frame[column.id]
        if column.enum:
            labels = {code: tr(f"enum.{column.enum}.{code}", lang) for code in ENUMS[column.enum].codes}
            values = values.map(lambda v: labels.get(v, v))
        out[tr(column.label_key, lang)] = values
    return out


@dataclass(frozen=True)
class _ResultColumn:
    """What :func:`~dealerxl.build.cells.encode_column` needs to know of a result column."""

    id: str
    type: str
    enum: str | None = None  # result tables carry labels already: never coded


# What pandas infers for an object column → how its cells are written.
_INFERRED_TYPES = {"integer": "number", "floating": "number", "mixed-integer-float": "number", "decimal": "number",
                   "boolean": "bool", "datetime": "datetime", "datetime64": "datetime", "date": "datetime"}


def _result_column_type(values: pd.Series) -> str:
    """``datetime``, ``bool``, ``number`` or ``text`` (a mix: numbers stay numbers, the rest text)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return "datetime"
    if pd.api.types.is_bool_dtype(values):
        return "bool"
    if pd.api.types.is_numeric_dtype(values):
        return "number"
    inferred = pd.api.types.infer_dtype(values, skipna=True) if values.dtype == object else "string"
    return _INFERRED_TYPES.get(inferred, "text")


def _column_width(header, values: pd.Series) -> float:
    """A width that shows the header and the first 200 values."""
    shown = [str(v) for v in values.head(200).tolist() if v is not None and not (isinstance(v, float) and v != v)]
    width = max([len(str(header))] + [len(text) for text in shown])
    return min(max(width * 1.2 + 2, 8), 50)


def write_result_workbook(path: str | Path, sheets: dict[str, pd.DataFrame], *, formats: dict | None = None) -> Path:
    """Write result tables to a new workbook, one sheet each (header row, filter, frozen
    header, widths), atomically: a failure leaves any previous file untouched.

    ``sheets`` maps sheet name → frame (headers already as people read them);
    ``formats`` may map a column header to an Excel number format. Dates get ``yyyy-mm-dd``.
    Cells are encoded a column at a time (:class:`~dealerxl.build.cells.FormWorksheet`),
    not written one by one: text stays text (a value starting with ``=`` is not made a
    formula), an infinite number becomes #DIV/0!, blanks stay blank, and a date among text
    in a column of mixed cells is written as its text.
    """
    from dealerxl.build.cells import FormWorksheet

    path = Path(path)
    formats = formats or {}
    with atomic_write(path) as temporary:
        book = new_workbook(temporary)  # text stays text: never a formula or a link
        header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
        date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        cached = {}
        for name, frame in sheets.items():
            sheet = book.add_worksheet(name[:31], worksheet_class=FormWorksheet)
            columns = list(frame.columns)
            sheet.write_row(0, 0, [str(c) for c in columns], header)
            encoded, column_formats = [], []
            for index, column in enumerate(columns):
                values = frame.iloc[:, index]
                kind = _result_column_type(values)
                if column in formats:
                    fmt = cached.setdefault(formats[column], book.add_format({"num_format": formats[column]}))
                else:
                    fmt = date_format if kind == "datetime" else None
                encoded.append(sheet.encode(values, _ResultColumn(str(column), kind), lang="", infinite_as_error=True))
                column_formats.append(fmt)
                sheet.set_column(index, index, _column_width(column, values))
            if len(frame) and columns:
                sheet.attach_rows(1, len(frame), encoded, column_formats)
            sheet.freeze_panes(1, 0)
            if columns:
                sheet.autofilter(0, 0, max(len(frame), 1), len(columns) - 1)
        book.close()
    _files_written.set((*_files_written.get(), path))
    return path


# Rows a job leaves out of its results, and why: every job returns them as a ``left_out`` table
# in these columns (``reason`` is a code, labelled ``left_out.reason.<code>``), and the monthly
# report's data-quality sheet lists them with the input problems.
LEFT_OUT_COLUMNS = ["form_id", "key", "dealer_id", "period", "amount", "reason"]


def left_out_rows(form_id: str, keys, reason: str, *, dealer_id=None, period=None, amount=None) -> pd.DataFrame:
    """Rows of ``form_id`` (named by ``keys``) a job leaves out for ``reason``, as a left-out table.

    >>> left_out_rows("open_orders", ["SO1"], "dealer_not_reviewed", dealer_id=["D9"], amount=[500.0]).values.tolist()
    [['open_orders', 'SO1', 'D9', None, 500.0, 'dealer_not_reviewed']]
    """
    keys = pd.Series(keys, dtype=object).reset_index(drop=True).astype(str)

    def column(values, kind=object):
        if values is None:
            return pd.Series([None] * len(keys), dtype=object) if kind is object else pd.Series(float("nan"), index=keys.index)
        return pd.Series(values).reset_index(drop=True).astype(kind)

    return pd.DataFrame({"form_id": form_id, "key": keys, "dealer_id": column(dealer_id), "period": column(period),
                         "amount": column(amount, float), "reason": reason}, columns=LEFT_OUT_COLUMNS)


def gather_left_out(frames) -> pd.DataFrame:
    """Left-out tables joined into one (an empty one with the columns when there are none)."""
    kept = [frame.reindex(columns=LEFT_OUT_COLUMNS) for frame in frames if frame is not None and len(frame)]
    return pd.concat(kept, ignore_index=True) if kept else pd.DataFrame(columns=LEFT_OUT_COLUMNS)


def left_out_sheet(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A left-out table as people read it: the form's sheet, the row, dealer, month, amount and
    the reason in words."""
    def sheet(form_id):
        return tr(FORMS[form_id].label_key("sheet"), lang) if form_id in FORMS else form_id

    out = pd.DataFrame({"sheet": frame["form_id"].map(sheet), "key": frame["key"], "dealer_id": frame["dealer_id"],
                        "period": frame["period"], "amount": pd.to_numeric(frame["amount"], errors="coerce"),
                        "reason": frame["reason"].map(lambda code: tr(f"left_out.reason.{code}", lang))})
    out.columns = [tr(f"left_out.col.{c}", lang) for c in out.columns]
    return out.reset_index(drop=True)


def sheet_title(form_id: str, lang: str) -> str:
    """The sheet name a form's table carries in ``lang``."""
    return tr(FORMS[form_id].label_key("sheet"), lang)


def settings_table(inputs: Inputs, form_id: str) -> pd.DataFrame:
    """A table-shaped settings form as typed, or its default rows when the workbook has none."""
    frame = inputs.frames.get(form_id)
    if frame is None or frame.empty:
        return pd.DataFrame(DEFAULT_ROWS[form_id])
    return frame
