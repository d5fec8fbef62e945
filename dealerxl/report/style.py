"""How the report workbooks look: cell formats, traffic lights, data bars and the print layout.

Shared by the monthly report and the dealer statements so both print alike. Every function
takes an open ``xlsxwriter`` workbook or worksheet; nothing here knows about the figures.
"""
from __future__ import annotations

FONT = {"font_name": "Microsoft JhengHei", "font_size": 10, "valign": "vcenter"}

FORMAT_SPECS = {
    "title": {"bold": True, "font_size": 16, "font_color": "#1F3864"},
    "subtitle": {"font_color": "#595959"},
    "section": {"bold": True, "font_size": 12, "font_color": "#FFFFFF", "bg_color": "#1F4E78"},
    "header": {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "align": "center"},
    "label": {"border": 1, "bg_color": "#F2F2F2"},
    "text": {"border": 1, "text_wrap": True},
    "money": {"border": 1, "num_format": "#,##0"},
    "percent": {"border": 1, "num_format": "0.0%"},
    "change_percent": {"border": 1, "num_format": "+0.0%;-0.0%;0.0%"},
    "change_money": {"border": 1, "num_format": "+#,##0;-#,##0;0"},
    "number": {"border": 1, "num_format": "#,##0.0"},
    "integer": {"border": 1, "num_format": "#,##0"},
    "date": {"border": 1, "num_format": "yyyy-mm-dd"},
    "note": {"italic": True, "font_color": "#595959"},
}

# Traffic-light fills for RAG levels (Excel's own "good / neutral / bad" colours).
RAG_FILLS = {
    "green": {"bg_color": "#C6EFCE", "font_color": "#006100"},
    "amber": {"bg_color": "#FFEB9C", "font_color": "#9C5700"},
    "red": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
}
DATA_BAR_COLOUR = "#5B9BD5"
A4 = 9  # XlsxWriter's paper code for A4


def cell_formats(book) -> dict:
    """Every named format of :data:`FORMAT_SPECS` added to ``book`` (name → Format)."""
    return {name: book.add_format({**FONT, **spec}) for name, spec in FORMAT_SPECS.items()}


def statement_formats(book, currency: str = "") -> dict:
    """The formats a dealer statement uses: the monthly report's, with amounts carrying the
    ``currency`` (e.g. NT$ 143,146) since a statement goes to a dealer."""
    formats = cell_formats(book)
    if currency:
        symbol = currency.replace('"', "")
        formats["money"] = book.add_format({**FONT, **FORMAT_SPECS["money"],
                                            "num_format": f'"{symbol} "#,##0;-"{symbol} "#,##0;"{symbol} "0'})
    return formats


def rag_formats(book) -> dict:
    """Fill formats for the traffic-light conditional formats (level code → Format)."""
    return {level: book.add_format(spec) for level, spec in RAG_FILLS.items()}


def traffic_lights_by_text(sheet, first_row: int, last_row: int, column: int, labels: dict, fills: dict) -> None:
    """Colour cells whose text is a RAG level's label: ``labels`` maps level code → the label shown."""
    if last_row < first_row:
        return
    for level, label in labels.items():
        if level in fills:
            sheet.conditional_format(first_row, column, last_row, column,
                                     {"type": "cell", "criteria": "==", "value": f'"{label}"', "format": fills[level]})


def traffic_light_icons(sheet, first_row: int, last_row: int, column: int, *, green_at: float, red_below: float,
                        reverse: bool = False) -> None:
    """Three traffic-light icons on numbers: green from ``green_at``, red below ``red_below``
    (``reverse`` when lower is better)."""
    if last_row < first_row:
        return
    sheet.conditional_format(first_row, column, last_row, column, {
        "type": "icon_set", "icon_style": "3_traffic_lights", "reverse_icons": reverse,
        "icons": [{"criteria": ">=", "type": "number", "value": green_at},
                  {"criteria": ">=", "type": "number", "value": red_below},
                  {"criteria": "<", "type": "number", "value": red_below}]})


def data_bars(sheet, first_row: int, last_row: int, column: int) -> None:
    """Solid data bars in a numeric column (longest bar = largest value)."""
    if last_row < first_row:
        return
    sheet.conditional_format(first_row, column, last_row, column,
                             {"type": "data_bar", "bar_color": DATA_BAR_COLOUR, "bar_solid": True})


def print_layout(sheet, *, header_rows: tuple[int, int] | None = None, title: str = "", page_label: str = "") -> None:
    """A4 landscape, fitted to one page wide (as many pages tall as needed), the header rows
    ``header_rows`` (first, last; 0-based) repeated on every page, page numbers in the footer.

    ``page_label`` is the word before the page number (e.g. 頁 / Page).
    """
    sheet.set_paper(A4)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    if header_rows is not None:
        sheet.repeat_rows(*header_rows)
    header_text = title.replace("&", "&&")
    if header_text:
        sheet.set_header(f"&L&\"-,Bold\"{header_text}")
    sheet.set_footer(f"&C{page_label.replace('&', '&&')} &P / &N")
