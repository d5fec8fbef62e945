"""What every workbook source gives the reader: sheets as grids of values.

The reader and validator only see this interface, so a saved file (read with
python-calamine, :mod:`dealerxl.book.workbook_file`) and a workbook open in Excel (read
through xlwings, :mod:`dealerxl.excel.live`) share every line of parsing and checking.

A :class:`Grid` is a sheet's values as rows of cells, starting at 0-based ``origin``
(row, column) of the sheet: blank cells are ``""`` or None; Excel error values are their
text (``"#N/A"``); dates are ``datetime``/``date``; numbers ``float``/``int``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

ERROR_VALUES = ("#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
                "#GETTING_DATA", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!")


@dataclass
class Grid:
    sheet: str
    rows: Sequence[Sequence[object]]
    origin: tuple[int, int] = (0, 0)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass(frozen=True)
class TableRef:
    """Where a named Excel Table sits: its sheet and its header row and columns (0-based)."""

    sheet: str
    header_row: int
    first_column: int
    last_column: int
    column_names: tuple[str, ...] = ()  # the header of each column, left to right, where known


class WorkbookSource(Protocol):
    label: str  # how the workbook is named in messages (file or book name)

    @property
    def sheet_names(self) -> list[str]: ...

    def grid(self, sheet: str) -> Grid: ...

    def table(self, name: str) -> TableRef | None: ...

    def defined_name(self, name: str) -> str | None: ...
