"""A workbook open in Excel, read through xlwings, as a
:class:`~dealerxl.book.grid.WorkbookSource`: the ribbon buttons validate exactly what
``dealerxl check`` validates on a saved file.

Only these xlwings calls are used (the tests' stand-in implements exactly them):
``book.name``, ``book.sheets`` (iteration, ``[name]``), ``sheet.name``, ``sheet.used_range``
with ``.row``, ``.column`` and ``.options(ndim=2, err_to_str=True).value``, ``sheet.tables``
(iteration) with ``table.name`` and ``table.range`` (``.row``, ``.column``, ``.columns.count``),
and ``book.names`` (iteration) with ``name.name`` and ``name.refers_to``.
"""
from __future__ import annotations

from dealerxl.book.grid import Grid, TableRef


class LiveBook:
    """Reads values from an open xlwings ``Book``; never writes to it."""

    def __init__(self, book):
        self.book = book
        self.label = book.name
        self._grids: dict[str, Grid] = {}
        self._tables: dict[str, TableRef] | None = None

    @property
    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]

    def grid(self, sheet: str) -> Grid:
        if sheet not in self._grids:
            used = self.book.sheets[sheet].used_range
            # err_to_str keeps #N/A and friends as their text (xlwings otherwise turns them into None).
            values = used.options(ndim=2, err_to_str=True).value or []
            self._grids[sheet] = Grid(sheet, [list(row) for row in values], (used.row - 1, used.column - 1))
        return self._grids[sheet]

    def table(self, name: str) -> TableRef | None:
        if self._tables is None:
            self._tables = {}
            for sheet in self.book.sheets:
                for table in sheet.tables:
                    area = table.range
                    self._tables[table.name.casefold()] = TableRef(
                        sheet.name, area.row - 1, area.column - 1, area.column + area.columns.count - 2)
        return self._tables.get(name.casefold())

    def defined_name(self, name: str) -> str | None:
        for defined in self.book.names:
            if defined.name.casefold() == name.casefold():
                return name_text(defined.refers_to)
        return None


def name_text(refers_to: str | None) -> str:
    """What a defined name holds: ``="zh-Hant"`` → ``zh-Hant``; a reference stays as written."""
    text = (refers_to or "").strip().lstrip("=").strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('""', '"')
    return text
