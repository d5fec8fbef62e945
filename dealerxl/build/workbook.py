"""Writing the master workbook and the distributable templates from the form declarations."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_cell_to_rowcol, xl_rowcol_to_cell

from dealerxl.book.computed import results_to_cache
from dealerxl.book.in_place import keep_safety_copy, refuse_if_open
from dealerxl.forms import DEFAULT_ROWS, FORMS
from dealerxl.i18n import DEFAULT_LANG, check_lang, tr
from dealerxl.jobs.safety import atomic_write

from .cells import row_formula
from .layout import FIRST_DATA_ROW, HEADER_ROW, INSTRUCTION_ROW, LANG_NAME, TITLE_ROW
from .sheets import (column_validation, column_width, finish_form_table, settings_frame, sheet_name, used_enums, write_config_sheet,
                     write_form_sheet, write_index_sheet, write_lists_sheet)
from .styles import Styles

# Fixed document dates keep rebuilds identical, so the committed files only change when
# the declarations do.
BUILD_DATE = dt.datetime(2026, 1, 1)


def _new_book(path: Path, lang: str):
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False, "remove_timezone": True})
    book.set_properties({"title": tr("build.workbook_title", lang), "company": "dealerxl", "created": BUILD_DATE})
    book.define_name(LANG_NAME, f'="{lang}"')
    return book


def _rows_for(form_id: str, data: dict | None) -> pd.DataFrame | None:
    if data is not None and form_id in data:
        return data[form_id]
    if form_id in DEFAULT_ROWS:
        return pd.DataFrame(DEFAULT_ROWS[form_id])
    return None


def write_workbook(path: str | Path, *, lang: str = DEFAULT_LANG, data: dict[str, pd.DataFrame] | None = None,
                   macro: bool = True) -> Path:
    """Write the master workbook: index, settings, one sheet per form, xlwings.conf.

    ``data`` maps form id → DataFrame (column ids; coded columns as codes) to fill the
    tables; without it tables are empty except the settings' default rows. ``macro`` adds
    the VBA project, the ribbon and the functions' help sheet (the file should then end in
    ``.xlsm``). The file is written under a temporary name and renamed when complete; a file
    already there is refused while Excel has it open
    (:class:`~dealerxl.book.in_place.WorkbookOpen`) and otherwise first copied to
    ``.dealerxl-backup/`` beside it.
    """
    from dealerxl.excel.functions import UDFS

    from .help_sheet import write_help_sheet
    from .package import finish_macro_package
    from .ribbon import ribbon_xml
    from .vba import add_vba_project

    lang = check_lang(lang)
    path = Path(path)
    # The ribbon needs every button's labels: a missing one should stop the build before
    # minutes of writing rows, not after.
    ribbon = ribbon_xml(lang) if macro else None
    if path.exists():  # a workbook someone may have filled: not while Excel has it open, and kept
        refuse_if_open(path)
        keep_safety_copy(path)
    with atomic_write(path) as temporary:
        book = _new_book(temporary, lang)
        styles = Styles(book)
        forms = list(FORMS.values())
        names = {form.id: sheet_name(form, lang) for form in forms}
        write_index_sheet(book, styles, lang, forms, names)
        settings_values = None
        if data is not None and "settings" in data and len(data["settings"]):
            settings_values = dict(zip(data["settings"]["setting_id"], data["settings"]["setting_value"]))
        for form in forms:
            frame = settings_frame(lang, settings_values) if form.id == "settings" else _rows_for(form.id, data)
            write_form_sheet(book, styles, form, lang, frame)
        write_config_sheet(book)
        write_lists_sheet(book, lang, used_enums(forms))
        if macro:
            write_help_sheet(book, UDFS, lang)
        book.close()
        if macro:
            add_vba_project(temporary, UDFS)
            finish_macro_package(temporary, ribbon)
    return path


def write_template(path: str | Path, form_id: str, *, lang: str = DEFAULT_LANG,
                   issued: IssuedSheet | None = None) -> Path:
    """A distributable template: the form's sheet alone (with its dropdown lists), no macros.

    With ``issued`` it is one recipient's copy: the info line and the fixed columns filled
    and locked, the sheet protected with only the input cells open, and the manifest on a
    very hidden sheet (see :class:`IssuedSheet`).
    """
    lang = check_lang(lang)
    form = FORMS[form_id]
    path = Path(path)
    with atomic_write(path) as temporary:
        book = _new_book(temporary, lang)
        styles = Styles(book)
        if issued is None:
            write_form_sheet(book, styles, form, lang, _rows_for(form_id, None))
        else:
            _write_issued_sheet(book, styles, form, lang, issued)
        write_lists_sheet(book, lang, used_enums([form]))
        if issued is not None:
            _write_manifest_sheet(book, issued.manifest)
        book.close()
    return path


# ---- templates issued to one recipient ---------------------------------------------------------

ISSUED_ROWS = 300               # input rows an issued template offers (protection keeps the table from growing)
INFO_ROW = HEADER_ROW - 1       # the row between the instruction and the table: who and which period
MANIFEST_SHEET = "_dx_manifest"  # very hidden sheet: the signed description of an issued file
INFO_NOTE_COLUMN = 5            # info cells from column F on are notes (italic), before it labels and values


@dataclass(frozen=True)
class IssuedSheet:
    """What an issued template carries beyond the form itself.

    ``info`` is the line above the table, as (text, locked) cells from column A on
    (recipient label, id, name, period label, period, note); ``fixed`` maps column ids to the
    value every data row carries, written and locked (the recipient's id, the month);
    ``manifest`` is written as key/value rows on the very hidden :data:`MANIFEST_SHEET`.
    """

    info: tuple[str, ...]
    fixed: dict = field(default_factory=dict)
    manifest: tuple[tuple[str, str], ...] = ()
    rows: int = ISSUED_ROWS
    prefill: pd.DataFrame | None = None  # input values already known (a dealer's SKU list…), coded columns as codes


def locked_cells(form_id: str, lang: str, info: tuple[str, ...]) -> list[tuple[str, str]]:
    """The text cells an issued template locks above its data, as (A1 address, text):
    title, instruction, the info line and the table's headers. Their checksum goes into
    the manifest, so a changed locked cell is found when the file comes back."""
    form = FORMS[form_id]
    cells = [(xl_rowcol_to_cell(TITLE_ROW, 0), tr(form.label_key("title"), lang)),
             (xl_rowcol_to_cell(INSTRUCTION_ROW, 0), tr(form.label_key("instruction"), lang))]
    cells += [(xl_rowcol_to_cell(INFO_ROW, index), text) for index, text in enumerate(info)]
    cells += [(xl_rowcol_to_cell(HEADER_ROW, index), tr(column.label_key, lang))
              for index, column in enumerate(form.columns)]
    return cells


def _write_issued_sheet(book, styles: Styles, form, lang: str, issued: IssuedSheet) -> None:
    sheet = book.add_worksheet(sheet_name(form, lang))
    locked_text = book.add_format({"locked": True, "bold": True})
    for address, text in locked_cells(form.id, lang, issued.info):
        row, col = xl_cell_to_rowcol(address)
        if row == TITLE_ROW:
            sheet.write_string(row, col, text, styles.title)
        elif row == INSTRUCTION_ROW:
            sheet.write_string(row, col, text, styles.instruction)
        elif row == INFO_ROW:
            sheet.write_string(row, col, text, styles.instruction if col >= INFO_NOTE_COLUMN else locked_text)
    prefill = issued.prefill if issued.prefill is not None else pd.DataFrame()
    last_row = HEADER_ROW + max(issued.rows, len(prefill))
    rows = prefill.reset_index(drop=True).reindex(range(last_row - HEADER_ROW)).assign(**issued.fixed)
    headers = []
    for index, column in enumerate(form.columns):
        label = tr(column.label_key, lang)
        headers.append({"header": label, "header_format": styles.header})
        sheet.set_column(index, index, column_width(column, label))
        fixed = column.id in issued.fixed
        fmt = styles.cell(column, column.is_input and not fixed)
        known = _prefilled(prefill, column, lang)
        results = results_to_cache(column, rows) if column.formula else []
        for row in range(FIRST_DATA_ROW, last_row + 1):
            value = known[row - FIRST_DATA_ROW] if row - FIRST_DATA_ROW < len(known) else None
            if column.formula:
                sheet.write_formula(row, index, row_formula(form, column, row + 1), fmt, results[row - FIRST_DATA_ROW])
            elif fixed:
                sheet.write(row, index, issued.fixed[column.id], fmt)
            elif value is None:
                sheet.write_blank(row, index, None, fmt)
            else:
                sheet.write(row, index, value, fmt)
        check = column_validation(column, lang)
        if check and column.is_input and not fixed:
            sheet.data_validation(FIRST_DATA_ROW, index, last_row, index, check)
    finish_form_table(sheet, form, last_row, headers)
    # No password: protection guides the hand, the manifest's checksum is what detects changes.
    sheet.protect("", {"format_columns": True, "format_rows": True})
    sheet.activate()


def _prefilled(prefill: pd.DataFrame, column, lang: str) -> list:
    """A column's prefilled cells as plain values (labels for codes, None for blanks)."""
    if column.id not in prefill or column.formula:
        return []
    values = prefill[column.id]
    if column.enum:
        values = values.map(lambda code: tr(f"enum.{column.enum}.{code}", lang) if isinstance(code, str) else code)
    cells = values.astype(object).where(values.notna(), None).tolist()
    return [v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in cells]


def _write_manifest_sheet(book, rows: tuple[tuple[str, str], ...]) -> None:
    sheet = book.add_worksheet(MANIFEST_SHEET)
    for index, (key, value) in enumerate(rows):
        sheet.write_string(index, 0, key)
        sheet.write_string(index, 1, value)
    sheet.protect("")
    sheet.very_hidden()


MASTER_NAME = "DealerWorkbook.xlsm"
TEMPLATES_DIR = "templates"


def build_all(out_dir: str | Path = ".", lang: str = DEFAULT_LANG) -> list[Path]:
    """``DealerWorkbook.xlsm`` and ``templates/<form id>.xlsx`` for every shared form."""
    out = Path(out_dir)
    written = [write_workbook(out / MASTER_NAME, lang=lang)]
    for form in FORMS.values():
        if form.shared:
            written.append(write_template(out / TEMPLATES_DIR / f"{form.id}.xlsx", form.id, lang=lang))
    return written
