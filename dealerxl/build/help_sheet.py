"""The hidden sheet that gives Excel's Insert Function dialog its texts.

Excel shows a VBA function's description and its arguments' descriptions (in Insert
Function and Function Arguments) only once they are registered with
``Application.MacroOptions``. The workbook registers them each time it opens
(:func:`dealerxl.build.vba.help_registration`), reading them from this sheet, so the texts
are in the workbook's language while the VBA stays ASCII. They are the same texts as the
README's function reference: ``udf.<NAME>`` and ``udf.<NAME>.<argument>`` of the
translation table.

Layout (row 1 is a header): one row per ``DX_`` function, sorted by name: name,
description, category, number of arguments, then one description per argument in the
order of the function's arguments.

Excel's limits, checked before anything is written: an argument description holds 1 to 255
characters and a function at most 60 of them ([MS-XLSB] 2.5.3 ArgDesc, 2.4.712
BrtNameExt, the records in which Excel keeps them). The description and the category are
held to the same 255 characters.
"""
from __future__ import annotations

from dealerxl.i18n import tr

from .layout import HELP_SHEET

MAX_HELP_TEXT = 255
MAX_ARGUMENT_DESCRIPTIONS = 60
HEADER = ("function", "description", "category", "arguments")


def help_rows(udfs, lang: str) -> list[list]:
    """The sheet's rows after the header: (name, description, category, count, descriptions…)."""
    category = _checked(tr("udf.category", lang), "udf.category", lang)
    rows = []
    for info in sorted(udfs.values(), key=lambda u: u.name):
        if len(info.args) > MAX_ARGUMENT_DESCRIPTIONS:
            raise ValueError(f"{info.name}: Excel takes at most {MAX_ARGUMENT_DESCRIPTIONS} argument descriptions")
        arguments = [_checked(tr(f"udf.{info.name}.{arg}", lang), f"udf.{info.name}.{arg}", lang) for arg in info.args]
        description = _checked(tr(f"udf.{info.name}", lang), f"udf.{info.name}", lang)
        rows.append([info.name, description, category, len(arguments), *arguments])
    return rows


def _checked(text: str, key: str, lang: str) -> str:
    if not 1 <= len(text) <= MAX_HELP_TEXT:
        raise ValueError(f"{key} ({lang}) has {len(text)} characters; Excel shows 1 to {MAX_HELP_TEXT} in its "
                         "function help")
    return text


def write_help_sheet(book, udfs, lang: str) -> None:
    """Add the hidden help sheet to an XlsxWriter workbook."""
    rows = help_rows(udfs, lang)
    sheet = book.add_worksheet(HELP_SHEET)
    sheet.write_row(0, 0, HEADER)
    for index, row in enumerate(rows, 1):
        sheet.write_row(index, 0, row)
    sheet.hide()
