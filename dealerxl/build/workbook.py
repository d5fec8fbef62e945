"""Writing the master workbook and the distributable templates from the form declarations."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import xlsxwriter

from dealerxl.forms import DEFAULT_ROWS, FORMS
from dealerxl.i18n import DEFAULT_LANG, check_lang, tr
from dealerxl.jobs.safety import atomic_write

from .layout import LANG_NAME
from .sheets import (settings_frame, sheet_name, used_enums, write_config_sheet, write_form_sheet,
                     write_index_sheet, write_lists_sheet)
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
    the VBA project and the ribbon (the file should then end in ``.xlsm``). The file is
    written under a temporary name and renamed when complete.
    """
    from dealerxl.excel.functions import UDFS

    from .package import finish_macro_package
    from .ribbon import ribbon_xml
    from .vba import add_vba_project

    lang = check_lang(lang)
    path = Path(path)
    # The ribbon needs every button's labels: a missing one should stop the build before
    # minutes of writing rows, not after.
    ribbon = ribbon_xml(lang) if macro else None
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
        book.close()
        if macro:
            add_vba_project(temporary, UDFS)
            finish_macro_package(temporary, ribbon)
    return path


def write_template(path: str | Path, form_id: str, *, lang: str = DEFAULT_LANG) -> Path:
    """A distributable template: the form's sheet alone (with its dropdown lists), no macros."""
    lang = check_lang(lang)
    form = FORMS[form_id]
    path = Path(path)
    with atomic_write(path) as temporary:
        book = _new_book(temporary, lang)
        styles = Styles(book)
        write_form_sheet(book, styles, form, lang, _rows_for(form_id, None))
        write_lists_sheet(book, lang, used_enums([form]))
        book.close()
    return path


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
