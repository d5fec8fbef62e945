"""Where things sit on a form sheet, and how each column type is formatted.

Every form sheet has the same layout, which the reader relies on only loosely (it finds
tables by name or header): title in row 1, instruction in row 2, the table's header in
row 4, data from row 5.
"""
from __future__ import annotations

TITLE_ROW = 0          # 0-based row indexes, as XlsxWriter counts
INSTRUCTION_ROW = 1
HEADER_ROW = 3
FIRST_DATA_ROW = HEADER_ROW + 1
FORMATTED_ROWS = 1000  # dropdowns and checks reach this far below the header, so new rows get them

NUMBER_FORMATS = {
    "int": "#,##0",
    "number": "#,##0.00",
    "money": "#,##0.00",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}

# Columns whose declared unit asks for another format than their type's: years without a
# thousands separator (2026, not 2,026), months as year-month, currency and quantities in
# whole units.
UNIT_FORMATS = {"year": "0", "month": "yyyy-mm", "currency": "#,##0", "units": "#,##0"}


def column_number_format(column) -> str | None:
    """The number format of a form column: its unit's where the unit decides it, else its type's."""
    return UNIT_FORMATS.get(column.unit) or NUMBER_FORMATS.get(column.type)


INPUT_FILL = "#FFF2CC"     # light yellow: cells people type into
COMPUTED_FONT = "#595959"  # grey: formulas, not to be typed over
HEADER_FILL = "#1F4E78"
TITLE_COLOR = "#1F4E78"
TABLE_STYLE = "Table Style Light 9"

LISTS_SHEET = "_lists"       # hidden sheet holding the dropdown lists
HELP_SHEET = "_dx_help"      # hidden sheet holding the functions' help for Excel's Insert Function dialog
CONFIG_SHEET = "xlwings.conf"
LANG_NAME = "DX_LANG"        # workbook-level defined name recording the language


def list_name(enum_id: str) -> str:
    """The defined name of a dropdown list's range on the lists sheet."""
    return f"list_{enum_id}"
