"""Cell formats, created once per workbook and shared by every sheet."""
from __future__ import annotations

from .layout import COMPUTED_FONT, HEADER_FILL, INPUT_FILL, TITLE_COLOR, column_number_format


class Styles:
    """XlsxWriter formats by role: title, instruction, header, and one per (type, input?)."""

    def __init__(self, book):
        self._book = book
        self.title = book.add_format({"bold": True, "font_size": 14, "font_color": TITLE_COLOR})
        self.instruction = book.add_format({"italic": True, "font_color": "#404040"})
        self.plain = book.add_format({})
        self.header = book.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_FILL,
                                       "text_wrap": True, "valign": "vcenter", "border": 1})
        self.link = book.add_format({"font_color": "#0563C1", "underline": 1})
        self._cells: dict[tuple[str | None, bool], object] = {}

    def cell(self, column, is_input: bool):
        """The format of a data cell: the column's number format (:func:`column_number_format`);
        yellow when typed in, grey and locked when computed or fixed."""
        number_format = column_number_format(column)
        key = (number_format, is_input)
        if key not in self._cells:
            spec = {"locked": not is_input}
            if number_format:
                spec["num_format"] = number_format
            if is_input:
                spec["bg_color"] = INPUT_FILL
            else:
                spec["font_color"] = COMPUTED_FONT
                spec["italic"] = True
            self._cells[key] = self._book.add_format(spec)
        return self._cells[key]
