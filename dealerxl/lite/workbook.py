"""``DealerWorkbook-Lite.xlsx``: the master workbook for xlwings Lite, with its buttons.

The same index, settings and form sheets as the desktop workbook (one writer makes both), no
VBA, no ribbon and no xlwings.conf sheet. Beside the index table sits the Lite panel: one
button per script of :data:`~dealerxl.lite.scripts.SCRIPTS` with its help text, and the cell
the scripts write their message to.

A button is what xlwings Lite documents for sheet buttons: a shape with a name of its own and
a hyperlink to the cell it covers; the script's ``@script(button="[name]sheet!cell")`` names
both. Clicking the shape selects that cell, which Lite answers by running the script.
XlsxWriter names text boxes ``TextBox 1``, ``TextBox 2``…, so the names are set in the
drawing part after it wrote the file.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd

from dealerxl.build.workbook import write_workbook
from dealerxl.i18n import DEFAULT_LANG, check_lang, tr

from .scripts import MESSAGE_CELL, MESSAGE_LABEL_ROW, PANEL_COLUMN, PANEL_TITLE_ROW, SCRIPTS, index_sheet_name

LITE_NAME = "DealerWorkbook-Lite.xlsx"
BUTTON_SIZE = (190, 36)      # pixels: one column of 26 characters, two rows
BUTTON_FILL = "#1F6F43"
TIP_COLUMN = chr(ord(PANEL_COLUMN) + 1)
_TEXTBOX_NAME = re.compile(r'(<xdr:cNvPr id="\d+" name=")TextBox \d+(")')


def _panel(book, sheet, lang: str) -> None:
    """The Lite panel beside the index table: title, instruction, buttons, message cell."""
    from xlsxwriter.utility import xl_cell_to_rowcol

    title = book.add_format({"bold": True, "font_size": 12})
    note = book.add_format({"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"})
    message = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    # The index prints as on the desktop: the panel is for the screen.
    sheet.print_area(0, 0, sheet.dim_rowmax, 3)
    column = xl_cell_to_rowcol(f"{PANEL_COLUMN}1")[1]
    sheet.set_column(column, column, 28)
    sheet.set_column(column + 1, column + 1, 72)
    sheet.write(PANEL_TITLE_ROW - 1, column, tr("lite.panel_title", lang), title)
    sheet.merge_range(PANEL_TITLE_ROW, column, PANEL_TITLE_ROW, column + 1, tr("lite.panel_instruction", lang),
                      book.add_format({"italic": True, "font_color": "#595959"}))
    index = index_sheet_name(lang)
    for script in SCRIPTS:
        row, col = xl_cell_to_rowcol(script.cell)
        sheet.insert_textbox(row, col, tr(script.label, lang), {
            "width": BUTTON_SIZE[0], "height": BUTTON_SIZE[1], "object_position": 3,
            "url": f"internal:'{index}'!{script.cell}", "tip": tr(script.label, lang),
            "fill": {"color": BUTTON_FILL}, "line": {"none": True},
            "font": {"color": "white", "bold": True, "size": 11},
            "align": {"vertical": "middle", "horizontal": "center"}})
        sheet.merge_range(row, col + 1, row + 1, col + 1, tr(script.tip, lang), note)
    sheet.write(MESSAGE_LABEL_ROW - 1, column, tr("lite.message_label", lang), title)
    row, col = xl_cell_to_rowcol(MESSAGE_CELL)
    sheet.merge_range(row, col, row + 5, col + 1, None, message)


def name_buttons(path: Path) -> None:
    """Give the panel's text boxes their buttons' names, in the order they were drawn (rewrites the zip)."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    names = iter(script.button for script in SCRIPTS)
    renamed = 0
    rewritten = []
    for info, data in entries:
        if info.filename.startswith("xl/drawings/drawing") and info.filename.endswith(".xml"):
            def rename(match):
                nonlocal renamed
                renamed += 1
                return match.group(1) + next(names) + match.group(2)
            data = _TEXTBOX_NAME.sub(rename, data.decode("utf-8")).encode("utf-8")
        rewritten.append((info, data))
    if renamed != len(SCRIPTS):
        raise RuntimeError(f"{path.name}: {renamed} text boxes for {len(SCRIPTS)} buttons")
    temporary = path.with_name(path.name + ".part")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in rewritten:
            target.writestr(info, data)
    temporary.replace(path)


def write_lite_workbook(path: str | Path, *, lang: str = DEFAULT_LANG,
                        data: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write the Lite workbook (``data`` fills the forms' tables as for the desktop one)."""
    lang = check_lang(lang)
    path = write_workbook(path, lang=lang, data=data, macro=False, index_panel=_panel)
    name_buttons(path)
    return path
