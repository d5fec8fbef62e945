"""Writing the sheets of the master workbook: forms, settings, index, lists and xlwings.conf."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from dealerxl.book.computed import results_to_cache
from dealerxl.forms import ENUMS, FORMS, SETTINGS
from dealerxl.i18n import tr
from xlsxwriter.utility import xl_range_abs

from .cells import AbsentColumn, FormWorksheet, row_formula
from .layout import (CONFIG_SHEET, FIRST_DATA_ROW, FORMATTED_ROWS, HEADER_ROW, INSTRUCTION_ROW, LISTS_SHEET,
                     TABLE_STYLE, TITLE_ROW, list_name)
from .styles import Styles


def sheet_name(form, lang: str) -> str:
    return tr(form.label_key("sheet"), lang)


def column_width(column, label: str) -> float:
    if column.width:
        return column.width
    wide = sum(2 if ord(ch) > 0x2E80 else 1 for ch in label)  # CJK characters are twice as wide
    return max(10.0, min(wide + 4.0, 40.0))


def written_bound(value: float, column_type: str) -> str:
    """A bound as a person writes it in a message: a percentage as one (0.9999 → 99.99%),
    thousands separated from five digits on (1,000,000; a year stays 2000), never an exponent.

    >>> [written_bound(v, t) for v, t in ((1_000_000, "money"), (2000, "int"), (0.5, "number"), (0.9999, "percent"))]
    ['1,000,000', '2000', '0.5', '99.99%']
    """
    number = float(value) * (100 if column_type == "percent" else 1)
    text = f"{number:.10f}".rstrip("0").rstrip(".")
    whole, _, fraction = text.partition(".")
    if abs(number) >= 10_000:
        whole = f"{int(whole):,}"
    text = whole + (f".{fraction}" if fraction else "")
    return text + ("%" if column_type == "percent" else "")


def column_validation(column, lang: str) -> dict | None:
    """Data validation of a column: dropdown for coded columns, bounds for numbers and dates."""
    error = {"error_title": tr("build.invalid_title", lang)}
    if column.enum:
        return {"validate": "list", "source": f"={list_name(column.enum)}",
                "error_message": tr("build.invalid_list", lang), **error}
    if column.type in ("int", "number", "money", "percent"):
        if column.min is None and column.max is None:
            return None
        kind = "integer" if column.type == "int" else "decimal"
        what = tr(f"msg.type.{column.type}", lang)  # a whole number, a number, an amount, a percentage
        low, high = (None if bound is None else written_bound(bound, column.type) for bound in (column.min, column.max))
        if column.max is None:  # only the bound that matters: no made-up ceiling in the message
            return {"validate": kind, "criteria": ">=", "value": column.min,
                    "error_message": tr("build.invalid_number_min", lang, low=low, what=what), **error}
        if column.min is None:
            return {"validate": kind, "criteria": "<=", "value": column.max,
                    "error_message": tr("build.invalid_number_max", lang, high=high, what=what), **error}
        return {"validate": kind, "criteria": "between", "minimum": column.min, "maximum": column.max,
                "error_message": tr("build.invalid_number", lang, low=low, high=high, what=what), **error}
    if column.type in ("date", "datetime"):
        return {"validate": "date", "criteria": "between", "minimum": dt.date(1990, 1, 1),
                "maximum": dt.date(2100, 12, 31), "error_message": tr("build.invalid_date", lang), **error}
    return None


def is_typed_in(form, column) -> bool:
    """Whether people type into a column: every column without a formula, except on the
    settings sheet, where only the value is theirs (codes, names, units and help are the
    product's and locked)."""
    if form.kind == "settings":
        return column.id == "setting_value"
    return column.is_input


def write_form_sheet(book, styles: Styles, form, lang: str, frame: pd.DataFrame | None) -> str:
    """One form: title, instruction, and its Excel Table with formats and checks.

    Input columns are yellow; computed columns carry a same-row A1 formula in every data
    row. Formats and checks reach :data:`FORMATTED_ROWS` rows so new rows get them too.
    Data rows are encoded column by column and rendered when the file is assembled
    (:class:`~dealerxl.build.cells.FormWorksheet`), so large tables are quick to write.
    """
    name = sheet_name(form, lang)
    sheet = book.add_worksheet(name, worksheet_class=FormWorksheet)
    rows = 0 if frame is None else len(frame)
    last_row = HEADER_ROW + max(rows, 1)  # an empty table keeps one blank row
    checked_to = HEADER_ROW + max(rows, FORMATTED_ROWS)
    for top in (TITLE_ROW, INSTRUCTION_ROW, HEADER_ROW - 1):
        sheet.set_row(top, None, styles.plain)  # the column fills start below the title lines
    sheet.write(TITLE_ROW, 0, tr(form.label_key("title"), lang), styles.title)
    sheet.write(INSTRUCTION_ROW, 0, tr(form.label_key("instruction"), lang), styles.instruction)
    headers, cells, formats = [], [], []
    for index, column in enumerate(form.columns):
        label = tr(column.label_key, lang)
        headers.append({"header": label, "header_format": styles.header})
        fmt = styles.cell(column, is_typed_in(form, column))
        formats.append(fmt)
        sheet.set_column(index, index, column_width(column, label), fmt)
        if not rows:  # the empty table's row shows its styling (and formulas)
            if column.formula:  # its result on a blank row (0, or "" for IF(…,"",…)), as Excel stores it
                sheet.write_formula(FIRST_DATA_ROW, index, row_formula(form, column, FIRST_DATA_ROW + 1), fmt,
                                    results_to_cache(column, pd.DataFrame(index=[0]))[0])
            else:
                sheet.write_blank(FIRST_DATA_ROW, index, None, fmt)
        elif column.formula:
            cells.append(sheet.formula(form, column, frame))
        elif column.id in frame:
            cells.append(sheet.encode(frame[column.id], column, lang))
        else:
            cells.append(AbsentColumn())
        check = column_validation(column, lang)
        if check:
            sheet.data_validation(FIRST_DATA_ROW, index, checked_to, index, check)
    if rows:
        sheet.attach_rows(FIRST_DATA_ROW, rows, cells, formats)
    finish_form_table(sheet, form, last_row, headers)
    if form.kind == "settings":
        # locked cells stay as declared; the values stay open (no password: it guides the hand)
        sheet.protect("", {"format_columns": True, "format_rows": True, "sort": True, "autofilter": True})
    return name


def finish_form_table(sheet, form, last_row: int, headers: list[dict]) -> None:
    """The form's Excel Table down to ``last_row``, the frozen header and the print layout.

    Computed columns are declared as the table's calculated columns (``calculatedColumnFormula``,
    ECMA-376 Part 1, 18.5.1.1), so Excel fills their formula into every row added to the table.
    The formula is the one the cells hold, as in the table's first data row; it is set on the
    table after XlsxWriter has laid it out, because XlsxWriter would also write it into every
    cell, which the data rows already do.
    """
    sheet.add_table(HEADER_ROW, 0, last_row, len(form.columns) - 1,
                    {"name": form.table_name, "style": TABLE_STYLE, "columns": headers})
    for index, column in enumerate(form.columns):
        if column.formula:
            sheet.tables[-1]["columns"][index]["formula"] = row_formula(form, column, FIRST_DATA_ROW + 1)[1:]
    sheet.freeze_panes(FIRST_DATA_ROW, 0)
    # Printed forms: A4 landscape, all columns on one page width, the header on every page.
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW)


def settings_frame(lang: str, values: dict | None = None) -> pd.DataFrame:
    """The rows of the settings sheet: every declared setting with its labels, unit and
    value (the default unless ``values`` gives another)."""
    values = values or {}
    return pd.DataFrame([{
        "setting_id": s.id,
        "setting_group": tr(f"setting_group.{s.group}", lang),
        "setting_name": tr(f"setting.{s.id}", lang),
        "setting_value": values.get(s.id, s.default),
        "unit": tr(f"unit.{s.unit}", lang) if s.unit else None,
        "setting_help": tr(f"setting.{s.id}.help", lang),
    } for s in SETTINGS.values()], columns=[c.id for c in FORMS["settings"].columns])


def write_lists_sheet(book, lang: str, enum_ids: list[str]) -> None:
    """A hidden sheet with one column per dropdown list, each range named ``list_<enum>``."""
    sheet = book.add_worksheet(LISTS_SHEET)
    for index, enum_id in enumerate(enum_ids):
        codes = ENUMS[enum_id].codes
        sheet.write_column(0, index, [tr(f"enum.{enum_id}.{code}", lang) for code in codes])
        book.define_name(list_name(enum_id), f"='{LISTS_SHEET}'!{xl_range_abs(0, index, len(codes) - 1, index)}")
    sheet.hide()


def used_enums(forms) -> list[str]:
    seen: list[str] = []
    for form in forms:
        for column in form.columns:
            if column.enum and column.enum not in seen:
                seen.append(column.enum)
    return seen


def write_index_sheet(book, styles: Styles, lang: str, forms, sheet_names: dict[str, str]) -> None:
    """The 目錄 sheet: chapters and forms with links, purposes and a live row count.

    The row counts are native formulas (COUNTA over each table's first column below its
    header), so the index stays right as people add rows.
    """
    sheet = book.add_worksheet(tr("build.index_sheet", lang))
    sheet.write(TITLE_ROW, 0, tr("build.index_title", lang), styles.title)
    sheet.write(INSTRUCTION_ROW, 0, tr("build.index_instruction", lang), styles.instruction)
    header = [tr(f"build.index_{part}", lang) for part in ("chapter", "form", "purpose", "rows")]
    sheet.write_row(HEADER_ROW, 0, header, styles.header)
    row = FIRST_DATA_ROW
    first = row
    for form in sorted(forms, key=_manual_order):
        name = sheet_names[form.id]
        sheet.write(row, 0, f"{form.section} {tr(f'chapter.{form.chapter}', lang)}" if form.chapter else
                    tr("chapter.0", lang))
        sheet.write_url(row, 1, f"internal:'{name}'!A1", styles.link, string=name)
        sheet.write(row, 2, tr(form.label_key("purpose"), lang))
        sheet.write_formula(row, 3, f"=COUNTA('{name}'!A{FIRST_DATA_ROW + 1}:A1048576)")
        row += 1
    sheet.write(row, 2, tr("build.index_total", lang), styles.header)
    sheet.write_formula(row, 3, f"=SUM(D{first + 1}:D{row})")
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 26)
    sheet.set_column(2, 2, 70)
    sheet.set_column(3, 3, 10)
    sheet.freeze_panes(FIRST_DATA_ROW, 0)
    # printed: A4 landscape, one page wide, the header on every page
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW)
    sheet.activate()


def _manual_order(form) -> tuple:
    """Chapter, then section number by number (4.10 after 4.9), as the manual lists them."""
    return form.chapter, tuple(int(part) if part.isdigit() else 0 for part in str(form.section).split("."))


CONFIG_ENTRIES = (
    # xlwings reads this sheet (key in column A, value in B, no header) before any config file,
    # and a key it finds here wins even when its value is blank: a blank Interpreter_Win would
    # hide the user's own xlwings settings and fall back to the pythonw on the PATH. So only keys
    # with a value are written; `dealerxl excel setup` adds the interpreter of each machine.
    ("UDF Modules", "dealerxl.excel.functions"),
    ("Show Console", "False"),
    ("ADD_WORKBOOK_TO_PYTHONPATH", "False"),
)


def write_config_sheet(book) -> None:
    sheet = book.add_worksheet(CONFIG_SHEET)
    for row, (key, value) in enumerate((key, value) for key, value in CONFIG_ENTRIES if value):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 40)
