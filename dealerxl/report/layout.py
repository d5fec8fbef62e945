"""Placing a report sheet's blocks on a grid that knows every block's size.

A report sheet is a column of *sections*: a title bar, then a table, a chart or a note.
Everything is measured before anything is written: each column's width from the text it
shows in the report's font (CJK characters twice as wide as Latin ones), each row's
height, each chart's size in pixels. From those sizes the sheet's print scale follows
(at least :data:`MIN_SCALE`: a table too wide for the page at that scale is printed in
*bands* of columns, each repeating the table's key columns), and then the rows:

* a chart sits to the right of its table when both fit the page width, otherwise below it;
  either way it covers only rows and columns nothing else uses, so nothing overlaps;
* a section starts on a new page when it does not fit on the rest of the current one
  (a manual page break), and a chart is never cut by a page break;
* a table longer than a page continues on the next with its own header row written again
  at the top (no sheet-wide print titles, which would repeat the first table's header).

The pagination is worked out in points from the paper, the margins, the scale and the row
heights, the same arithmetic a spreadsheet application uses; the tests check it against
the pages LibreOffice prints.
"""
from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MIN_SCALE = 70                  # % : smaller print is not readable
PIXELS_PER_CHAR = 7             # an Excel column-width unit: the default font's digit width
COLUMN_PADDING_PX = 5           # Excel adds this to every column's width
POINTS_PER_PIXEL = 0.75         # 96 px to 72 pt per inch
ROW_PT = 15.0                   # every row of a report sheet: room for the CJK font's line height
TITLE_ROW_PT = 26.0
LINE_PT = 13.5                  # one more line of wrapped text in a cell
MAX_COLUMN_CHARS = 34.0         # a wider text wraps within the column
MIN_COLUMN_CHARS = 6.0
CHART_GAP_PX = 16               # between a table and the chart at its right
CHART_SIZE_PX = (560, 300)
HEIGHT_SAFETY = 0.96            # keep a little of each page free: applications round row heights
# LibreOffice sizes a column-width unit from the default font's digit width (Carlito 11 pt,
# about 7.4 px) where Excel rounds it to 7 px: pages are filled for the wider of the two.
WIDTH_SAFETY = 0.93
PAGE_FOOT_ROWS = 0              # rows kept free at a page's end (none: the footer has its own margin)


# ---- text widths -----------------------------------------------------------------------------

def char_units(ch: str) -> float:
    """Width of one character in column-width units of the report's 10 pt font: CJK and other
    full-width characters two, everything else a little over one."""
    return 2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.1


def text_units(text: str) -> float:
    """Width of ``text`` on one line, in column-width units."""
    return sum(char_units(ch) for ch in text)


def wrapped_units(text: str, lines: int) -> float:
    """The narrowest width at which ``text`` wraps into at most ``lines`` lines: Latin words
    break at spaces, CJK text between any two characters."""
    pieces = _pieces(text)
    if not pieces:
        return 0.0
    low, high = max(w for w, _ in pieces), sum(w + gap for w, gap in pieces)
    while high - low > 0.25:
        middle = (low + high) / 2
        if _lines_at(pieces, middle) <= lines:
            high = middle
        else:
            low = middle
    return high


def _pieces(text: str) -> list[tuple[float, float]]:
    """``text`` as the pieces a line may break between: (width, width of the space before it)."""
    pieces, current, gap = [], "", 0.0
    for ch in text:
        if ch == " ":
            if current:
                pieces.append((text_units(current), gap))
            current, gap = "", char_units(" ")
        elif char_units(ch) == 2.0:
            if current:
                pieces.append((text_units(current), gap))
                gap = 0.0
            pieces.append((2.0, gap))
            current, gap = "", 0.0
        else:
            current += ch
    if current:
        pieces.append((text_units(current), gap))
    return pieces


def _lines_at(pieces: list[tuple[float, float]], width: float) -> int:
    lines, used = 1, 0.0
    for piece, gap in pieces:
        if used and used + gap + piece > width:
            lines, used = lines + 1, piece
        else:
            used += (gap if used else 0.0) + piece
    return lines


def lines_needed(text: str, width: float) -> int:
    """Lines ``text`` takes in a column ``width`` units wide (wrapped)."""
    pieces = _pieces(text)
    return _lines_at(pieces, width) if pieces else 1


def column_pixels(width_units: float) -> int:
    """A column's width in pixels as Excel sizes it (``width`` × 7 + 5, rounded)."""
    return int(width_units * PIXELS_PER_CHAR + COLUMN_PADDING_PX + 0.5)


# ---- numbers as shown ------------------------------------------------------------------------

def shown_text(value, number_format: str | None) -> str:
    """How a value looks in a cell with ``number_format`` (close enough to size the column)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if hasattr(value, "strftime"):
        return "2026-10-01 00:00" if number_format and "h" in number_format else "2026-10-01"
    if isinstance(value, (int, float, np.integer, np.floating)):
        fmt = (number_format or "#,##0").split(";")[0]
        decimals = len(fmt.split(".")[1].rstrip("%,\")萬元")) if "." in fmt else 0
        number = float(value) * (100 if "%" in fmt else 1)
        text = f"{number:,.{decimals}f}" if "," in fmt else f"{number:.{decimals}f}"
        return ("+" if fmt.startswith("+") else "") + text + ("%" if "%" in fmt else "")
    return str(value)


# ---- the paper -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Paper:
    """A printed page: its size and margins in points, portrait or landscape."""

    width_pt: float
    height_pt: float
    left: float   # margins in inches, as the print setup takes them
    right: float
    top: float
    bottom: float

    @property
    def printable_width_pt(self) -> float:
        return self.width_pt - 72 * (self.left + self.right)

    @property
    def printable_height_pt(self) -> float:
        return self.height_pt - 72 * (self.top + self.bottom)

    def width_px_at(self, scale: int) -> float:
        """Sheet pixels that fit across the page at ``scale`` %."""
        return self.printable_width_pt * WIDTH_SAFETY / POINTS_PER_PIXEL * 100.0 / scale

    def height_pt_at(self, scale: int) -> float:
        """Sheet points (row heights) that fit down the page at ``scale`` %, less a margin of safety."""
        return self.printable_height_pt * 100.0 / scale * HEIGHT_SAFETY

    def scale_for(self, width_px: float) -> int:
        """The largest whole scale ≤ 100 % at which ``width_px`` fits across the page."""
        if width_px <= 0:
            return 100
        return int(min(100.0, math.floor(self.printable_width_pt * WIDTH_SAFETY / POINTS_PER_PIXEL
                                         / (width_px + 8) * 100.0)))


A4_LANDSCAPE = Paper(842.0, 595.0, left=0.4, right=0.4, top=0.6, bottom=0.6)
A4_PORTRAIT = Paper(595.0, 842.0, left=0.5, right=0.5, top=0.75, bottom=0.75)


def page_starts(heights: list[float], breaks: set[int], page_pt: float) -> list[int]:
    """The first row of every page: a new page at each manual break (a row index) and
    wherever the next row would not fit (``heights`` in points, ``page_pt`` per page)."""
    starts, used = [0], 0.0
    for row, height in enumerate(heights):
        if row in breaks and row != starts[-1]:
            starts.append(row)
            used = 0.0
        elif used + height > page_pt and row != starts[-1]:
            starts.append(row)
            used = 0.0
        used += height
    return starts


# ---- blocks ----------------------------------------------------------------------------------

@dataclass
class Series:
    """One chart series: the table column holding its values, a colour (None: the theme's)."""

    name: str
    column: int
    colour: int | None = None


@dataclass
class ChartSpec:
    """A chart over a table's data rows: ``kind`` line, column or stacked; ``categories`` the
    table column naming each point; ``unit`` money or count (how the value axis is labelled)."""

    title: str
    series: list[Series]
    categories: int = 0
    kind: str = "column"
    unit: str = "money"
    size_px: tuple[int, int] = CHART_SIZE_PX
    data: Table | None = None  # the table whose rows it draws, when not the one it stands by


@dataclass
class Table:
    """A table as it is shown: headers and values as the reader sees them.

    ``formats`` maps a column index to an Excel number format (``None``: text); ``cell_formats``
    overrides single cells ((data row, column) → format); ``bars`` are columns with data bars
    and ``rag`` a column whose RAG labels get traffic-light fills; ``total_rows`` are data rows
    left out of data bars (a 合計 row would dwarf every other bar); ``key_columns`` are the
    leading columns that name a row, repeated in every band of a table too wide for the page;
    ``after`` is called with (sheet, first data row, last data row) once a table whose rows
    are all on one page is written (for conditional formats on single cells).
    """

    frame: pd.DataFrame
    formats: dict[int, str | None]
    cell_formats: dict[tuple[int, int], str] = field(default_factory=dict)
    bars: tuple[int, ...] = ()
    rag: int | None = None
    rag_labels: dict[str, str] = field(default_factory=dict)
    total_rows: tuple[int, ...] = ()
    key_columns: int = 1
    chart: ChartSpec | None = None
    after: Callable | None = None
    charted: bool = False      # a chart draws its rows: they stay on one page, in one range
    placed: list = field(default_factory=list)  # (first data index, first row, last row) per page

    def __post_init__(self) -> None:
        if self.chart is not None:
            (self.chart.data or self).charted = True

    @property
    def headers(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def band(self, columns: list[int]) -> Table:
        """This table with only ``columns`` (indexes), formats and marks following them."""
        position = {old: new for new, old in enumerate(columns)}
        return Table(self.frame.iloc[:, columns], {position[c]: f for c, f in self.formats.items() if c in position},
                     {(r, position[c]): f for (r, c), f in self.cell_formats.items() if c in position},
                     tuple(position[c] for c in self.bars if c in position),
                     position.get(self.rag) if self.rag is not None else None, self.rag_labels, self.total_rows,
                     min(self.key_columns, len(columns)), None, None)


@dataclass
class Section:
    """A title bar and what it introduces: a table (with its chart), a chart alone, or notes."""

    title: str | None
    table: Table | None = None
    notes: tuple[str, ...] = ()


@dataclass
class Measured:
    """A table measured: each column's width in units, the header's lines and the lines each
    cell of each data row takes (rows × columns)."""

    widths: list[float]
    header_lines: int
    cell_lines: np.ndarray

    def row_lines(self, columns: list[int]) -> list[int]:
        """Lines of each data row when only ``columns`` are shown."""
        if not len(self.cell_lines):
            return []
        return [int(n) for n in self.cell_lines[:, columns].max(axis=1)]


def measure(table: Table) -> Measured:
    """Column widths from the header (wrapped into up to two lines) and every value as shown
    (wrapped when longer than :data:`MAX_COLUMN_CHARS`).

    A number column without per-cell formats is measured by its two extremes: a number's text
    in one format grows with its size and sign, so the largest and the most negative value
    show the widest texts."""
    frame = table.frame
    widths, long_texts = [], []
    for index, header in enumerate(table.headers):
        fmt = table.formats.get(index)
        own = any(c == index for _, c in table.cell_formats)
        values = frame.iloc[:, index]
        if not own and _is_number_column(values):
            texts = [shown_text(_plain(v), fmt) for v in _extremes(values)]
            units = [text_units(t) for t in texts]
            rows_of = None
        elif own:
            texts = [shown_text(_plain(v), table.cell_formats.get((r, index), fmt))
                     for r, v in enumerate(values.astype(object).to_numpy())]
            units = [_cached_units(t) for t in texts]
            rows_of = texts
        else:
            # Each distinct value once: names, codes and labels repeat down a column.
            codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
            distinct = [shown_text(_plain(v), fmt) for v in uniques] + [""]  # the last: blanks (code −1)
            units = [_cached_units(t) for t in distinct]
            rows_of = [distinct[c] for c in codes.tolist()]
        value_width = max(units, default=0.0)
        header_width = wrapped_units(header, 2) * 1.08  # bold is a little wider
        width = min(MAX_COLUMN_CHARS, max(MIN_COLUMN_CHARS, value_width + 1.5, header_width + 1.5))
        widths.append(width)
        if value_width > width - 1.5 and rows_of is None:  # numbers too wide to fit: measure each one
            rows_of = [shown_text(_plain(v), fmt) for v in values.astype(object).to_numpy()]
        long_texts.append([] if rows_of is None or value_width <= width - 1.5 else
                          [(row, text) for row, text in enumerate(rows_of) if _cached_units(text) > width - 1.5])
    header_lines = max((lines_needed(h, (w - 1.5) / 1.08) for h, w in zip(table.headers, widths)), default=1)
    cell_lines = np.ones((len(frame), len(widths)), dtype=int)
    for column, (texts, width) in enumerate(zip(long_texts, widths)):
        for row, text in texts:
            cell_lines[row, column] = min(lines_needed(text, width - 1.5), 4)
    return Measured(widths, min(header_lines, 3), cell_lines)


def _is_number_column(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _extremes(values: pd.Series) -> list:
    """The largest and the smallest finite value of a number column (none when it has none)."""
    numbers = values.to_numpy(dtype=float, na_value=np.nan)
    finite = numbers[np.isfinite(numbers)]
    return [finite.max(), finite.min()] if len(finite) else []


_UNITS: dict[str, float] = {}


def _cached_units(text: str) -> float:
    """:func:`text_units`, remembered: report columns repeat the same names and labels."""
    units = _UNITS.get(text)
    if units is None:
        if len(_UNITS) > 200_000:
            _UNITS.clear()
        units = _UNITS[text] = text_units(text)
    return units


def _plain(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def bands(widths: list[float], key_columns: int, budget_px: float, others: list[float] = ()) -> list[list[int]]:
    """Columns (``widths`` in units) split into bands no wider than ``budget_px``, each starting
    with the ``key_columns``; one band when they fit. A column placed at position p is as wide
    as the widest other table's column there (``others``), since a sheet column has one width."""
    def at(position: int, width: float) -> int:
        return column_pixels(max(width, others[position] if position < len(others) else 0.0))

    count = len(widths)
    keys = list(range(min(key_columns, count)))
    out, current = [], list(keys)
    used = sum(at(p, widths[c]) for p, c in enumerate(keys))
    for column in range(len(keys), count):
        step = at(len(current), widths[column])
        if len(current) > len(keys) and used + step > budget_px:
            out.append(current)
            current = list(keys)
            used = sum(at(p, widths[c]) for p, c in enumerate(keys))
            step = at(len(current), widths[column])
        current.append(column)
        used += step
    out.append(current)
    return out
