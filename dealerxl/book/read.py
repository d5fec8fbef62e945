"""Reading forms, settings and whole workbooks into typed, validated DataFrames.

``source`` is everywhere a workbook path, a :class:`~dealerxl.book.grid.WorkbookSource`,
or an xlwings ``Book`` open in Excel (read through :mod:`dealerxl.excel.live`). Nothing is
ever written to it.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from os import PathLike

import pandas as pd

from dealerxl.forms import FORMS, SETTINGS, get_form
from dealerxl.i18n import DEFAULT_LANG

from .language import detect_language
from .locate import locate
from .parse import kinds, parse_number
from .problems import Problem, WorkbookUnreadable
from .references import check_references
from .validate import FormRead, empty_frame, validate_located
from .workbook_file import WorkbookFile

SETTINGS_FORM = "settings"


def open_source(source):
    """A :class:`WorkbookSource` for ``source``; raises :class:`WorkbookUnreadable`."""
    if isinstance(source, (str, PathLike)):
        return WorkbookFile(source)
    if hasattr(source, "grid") and hasattr(source, "sheet_names"):
        return source
    if hasattr(source, "sheets") and hasattr(source, "names"):
        from dealerxl.excel.live import LiveBook

        return LiveBook(source)
    raise TypeError(f"cannot read a workbook from {type(source).__name__}")


def _missing(source, form_id: str) -> FormRead:
    form = get_form(form_id)
    problem = Problem("missing_sheet", file=source.label, form_id=form_id, fields={"table": form.table_name},
                      label_fields={"sheet": form.label_key("sheet")})
    return FormRead(form_id, None, empty_frame(form), [problem])


def _unreadable(form_id: str, error: WorkbookUnreadable) -> FormRead:
    return FormRead(form_id, None, empty_frame(get_form(form_id)), [error.problem])


def read_form(source, form_id: str, *, lang: str | None = None) -> FormRead:
    """Read and validate one form. Problems with the file itself come back as problems too.

    Headers, sheet names and dropdown labels are recognised in every language; ``lang``
    only chooses the language of the messages (default: the workbook's own).
    """
    try:
        workbook = open_source(source)
    except WorkbookUnreadable as error:
        result = _unreadable(form_id, error)
        result.lang = lang or DEFAULT_LANG
        return result
    validated = _validated_forms(workbook)
    if form_id not in validated:
        form = get_form(form_id)
        located = locate(workbook, form)
        validated[form_id] = _missing(workbook, form_id) if located is None else validate_located(located, form)
        if located is not None and hasattr(workbook, "forget_grid"):
            workbook.forget_grid(located.grid.sheet)  # the typed frame is kept; the cells are not needed again
    # A copy per caller, as jobs add and drop columns of the frames they get. Copy-on-write
    # (pandas 3) makes it cost nothing until a caller changes something.
    known = validated[form_id]
    result = replace(known, data=known.data.copy(deep=False), problems=list(known.problems),
                     rejected=list(known.rejected), raw=None if known.raw is None else known.raw.copy(deep=False),
                     columns=dict(known.columns))
    result.lang = lang or detect_language(workbook)
    return result


def _validated_forms(workbook) -> dict:
    """Forms already validated from this open workbook (form id → FormRead).

    The monthly report runs several reviews on one open workbook and most of them read the
    same forms (sales lines, dealer master, receivables); validating a form is the costly
    part of reading it, so it is done once per opened workbook. A path is opened afresh on
    every call, so a changed file is always read anew.
    """
    validated = getattr(workbook, "_validated_forms", None)
    if validated is None:
        validated = {}
        try:
            workbook._validated_forms = validated
        except AttributeError:  # a source that takes no attributes: validate every time
            pass
    return validated


class SettingValues(dict):
    """Setting id → typed value, with the :class:`Problem` list of the settings sheet."""

    def __init__(self, values: dict, problems: list[Problem]):
        super().__init__(values)
        self.problems = problems


def read_settings(source, *, lang: str | None = None, form_read: FormRead | None = None) -> SettingValues:
    """Every declared :class:`~dealerxl.forms.Setting`, typed; a missing or bad row falls back
    to the declared default (and a bad value is reported with its cell)."""
    read = form_read or read_form(source, SETTINGS_FORM, lang=lang)
    values = {sid: setting.default for sid, setting in SETTINGS.items()}
    problems = list(read.problems)
    raw = read.raw
    if raw is None or "setting_id" not in raw or "setting_value" not in raw:
        return SettingValues(values, problems)
    raw = raw.drop(index=read.rejected)  # a row the form's own checks refused keeps its default
    ids = raw["setting_id"].map(lambda v: v.strip() if isinstance(v, str) else v)
    declared = ids.isin(list(SETTINGS))
    cells = raw["setting_value"][declared]
    ids = ids[declared]
    kind = kinds(cells)
    blank = cells.isna() | cells.map(lambda v: isinstance(v, str) and not v.strip())
    numbers, bad = parse_number(cells, kind, blank)
    column = read.columns["setting_value"]
    for excel_row, setting_id in ids.items():
        setting = SETTINGS[setting_id]
        if blank[excel_row] or isinstance(setting.default, str):
            if isinstance(setting.default, str) and not blank[excel_row]:
                values[setting_id] = str(cells[excel_row]).strip()
            continue
        value = numbers[excel_row]
        expected = "int" if isinstance(setting.default, int) else "number"
        where = dict(sheet=read.sheet, cell=f"{column}{excel_row}", form_id=SETTINGS_FORM, column_id="setting_value")
        labels = {"setting": f"setting.{setting_id}"}
        if bad[excel_row] or (expected == "int" and not float(value).is_integer()):
            problems.append(Problem("setting_wrong_type", **where, fields={"value": str(cells[excel_row])},
                                    label_fields={**labels, "expected": f"msg.type.{expected}"}))
            continue
        if setting.min is not None and value < setting.min:
            problems.append(Problem("setting_below_min", **where, fields={"value": f"{value:g}", "min": f"{setting.min:g}"},
                                    label_fields=labels))
            continue
        if setting.max is not None and value > setting.max:
            problems.append(Problem("setting_above_max", **where, fields={"value": f"{value:g}", "max": f"{setting.max:g}"},
                                    label_fields=labels))
            continue
        values[setting_id] = int(value) if expected == "int" else float(value)
    return SettingValues(values, problems)


@dataclass
class WorkbookRead:
    """Every declared form read from one workbook, and the workbook's language."""

    label: str
    lang: str
    forms: dict[str, FormRead] = field(default_factory=dict)
    settings: SettingValues | None = None
    file_problems: list[Problem] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        found = list(self.file_problems)
        for form_id, read in self.forms.items():
            found.extend(self.settings.problems if form_id == SETTINGS_FORM and self.settings is not None
                         else read.problems)
        return found

    @property
    def ok(self) -> bool:
        return not self.problems


def workbook_language(source) -> str:
    return detect_language(open_source(source))


def read_workbook(source, *, lang: str | None = None) -> WorkbookRead:
    """Read every declared form. ``lang`` overrides the detected language of messages."""
    label = getattr(source, "label", None) or str(getattr(source, "name", source))
    try:
        workbook = open_source(source)
    except WorkbookUnreadable as error:
        return WorkbookRead(error.problem.file or label, lang or DEFAULT_LANG, file_problems=[error.problem])
    result = WorkbookRead(workbook.label, lang or detect_language(workbook))
    for form_id in FORMS:
        result.forms[form_id] = read_form(workbook, form_id, lang=result.lang)
    check_references(result.forms)
    if SETTINGS_FORM in result.forms:
        result.settings = read_settings(workbook, form_read=result.forms[SETTINGS_FORM])
    return result


def frames(read: WorkbookRead) -> dict[str, pd.DataFrame]:
    """The clean DataFrame of every form that was found."""
    return {form_id: r.data for form_id, r in read.forms.items() if r.sheet is not None}
