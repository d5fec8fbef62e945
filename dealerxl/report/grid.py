"""Writing a report sheet from its sections, laid out by :mod:`dealerxl.report.layout`.

:class:`GridSheet` collects a sheet's sections, then in :meth:`GridSheet.finish` measures
them, chooses the print scale, places every table, chart and note on rows and columns of
their own with page breaks where a section would not fit, and writes the cells, the
conditional formats, the charts and the print setup. The written sheet holds the numbers
exactly as the sections gave them; only where they sit is decided here.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dealerxl.report import style
from dealerxl.report.layout import (
    CHART_GAP_PX,
    CHART_SIZE_PX,
    LINE_PT,
    MIN_SCALE,
    POINTS_PER_PIXEL,
    ROW_PT,
    TITLE_ROW_PT,
    ChartSpec,
    Paper,
    Section,
    Table,
    bands,
    column_pixels,
    measure,
)

SIDE_BY_SIDE_MIN_SCALE = 85   # % : a chart goes beside its table only if the page stays this large
BAND_SCALE = 80               # % : a table wider than the page at this scale is printed in bands
KEEP_WITH_TITLE_ROWS = 3      # data rows that must follow a title and header on the same page
SECTION_ROW_PT = 19.5
PAGE_EDGE_PX = 4             # beyond a chart's right edge, inside the printed columns
MIN_BESIDE_CHART_PX = 400     # a narrower chart is not worth reading: it goes below its table


@dataclass
class _Unit:
    """Something placed: a title bar, a table band, a chart below a table, or a note."""

    kind: str                      # "title", "table", "chart", "note"
    text: str = ""
    table: Table | None = None
    widths: list[float] = field(default_factory=list)  # the band's own measured widths
    header_lines: int = 1
    row_lines: list[int] = field(default_factory=list)
    chart: ChartSpec | None = None
    beside: bool = False           # a chart beside this table
    source: _Unit | None = None    # for a chart below: the table unit it draws
    span: int = 1                  # columns a title bar fills
    placed: dict = field(default_factory=dict)


class GridSheet:
    """One report sheet laid out on a grid.

    ``formats`` are the named cell formats of :func:`dealerxl.report.style.cell_formats`;
    ``number_format`` gives a bordered cell format for an Excel number format text;
    ``axis_label(unit, divisor)`` names a chart's value axis (e.g. 百萬元 for money in millions).
    """

    def __init__(self, book, sheet, formats: dict, number_format, rag_fills: dict, *, paper: Paper,
                 title: str, subtitle: str, axis_label, landscape: bool = True):
        self.book, self.sheet, self.f = book, sheet, formats
        self.number_format, self.rag_fills, self.axis_label = number_format, rag_fills, axis_label
        self.paper, self.landscape = paper, landscape
        self.title, self.subtitle = title, subtitle
        self.sections: list[Section] = []
        self.scale = 100
        self.page_breaks: list[int] = []
        self.heights: list[float] = []
        self._charts: list[tuple] = []  # (unit, row, column, x offset): inserted once every table is placed

    def add(self, section: Section) -> None:
        self.sections.append(section)

    # ---- layout ----------------------------------------------------------------------------

    def _units(self) -> list[_Unit]:
        """Sections as units, wide tables split into bands against the page at :data:`BAND_SCALE`.

        A sheet column has one width for every table that uses it, so the bands are worked
        out again with the other tables' widths until no band is wider than the page."""
        budget_px = self.paper.width_px_at(BAND_SCALE)
        tables = [(s, measure(s.table)) for s in self.sections if s.table is not None]
        splits = {id(s): [list(range(len(m.widths)))] for s, m in tables}
        for _ in range(8):
            changed = False
            for section, measured in tables:
                others = [0.0] * max((len(m.widths) for _, m in tables), default=0)
                for other, other_measured in tables:
                    own = other is section
                    for columns in splits[id(other)]:
                        if own and len(splits[id(other)]) == 1:
                            continue  # the table unsplit: its own widths are no constraint
                        for position, column in enumerate(columns):
                            others[position] = max(others[position], other_measured.widths[column])
                new = bands(measured.widths, section.table.key_columns, budget_px, others)
                if new != splits[id(section)]:
                    splits[id(section)], changed = new, True
            if not changed:
                break
        measures = {id(s): m for s, m in tables}
        units: list[_Unit] = []
        for section in self.sections:
            table = section.table
            if table is None:
                if section.title:
                    units.append(_Unit("title", section.title))
                units.extend(_Unit("note", note) for note in section.notes)
                continue
            measured = measures[id(section)]
            column_sets = splits[id(section)]
            for number, columns in enumerate(column_sets, start=1):
                part = table if len(column_sets) == 1 else table.band(columns)
                title = section.title
                if title and len(column_sets) > 1:
                    title = f"{title} ({number}/{len(column_sets)})"
                if title:
                    units.append(_Unit("title", title))
                units.extend(_Unit("note", note) for note in (section.notes if number == 1 else ()))
                band = _Unit("table", table=part, widths=[measured.widths[c] for c in columns],
                             header_lines=measured.header_lines, row_lines=measured.row_lines(columns))
                units.append(band)
                if number == 1 and table.chart is not None and _has_data(table.chart.data or table, table.chart):
                    units.append(_Unit("chart", chart=table.chart, source=band))
        return units

    def _column_widths(self, units: list[_Unit]) -> list[float]:
        count = max((len(u.widths) for u in units if u.kind == "table"), default=1)
        widths = [0.0] * count
        for unit in units:
            for index, width in enumerate(unit.widths):
                widths[index] = max(widths[index], width)
        return [w or 10.0 for w in widths]

    def _choose_scale(self, units: list[_Unit], widths: list[float]) -> None:
        """The scale from the widest table, then lowered (not under
        :data:`SIDE_BY_SIDE_MIN_SCALE`) where that puts a chart beside its table."""
        pixels = [column_pixels(w) for w in widths]
        tables_px = max((sum(pixels[:len(u.widths)]) for u in units if u.kind == "table"), default=0)
        scale = max(MIN_SCALE, self.paper.scale_for(tables_px))
        charts = [u for u in units if u.kind == "chart"]
        for chart in charts:
            source = chart.source
            table_px = sum(pixels[:len(source.widths)])
            width, height = chart.chart.size_px
            width = min(width, int(self.paper.width_px_at(SIDE_BY_SIDE_MIN_SCALE) - table_px - CHART_GAP_PX))
            if width >= MIN_BESIDE_CHART_PX:
                chart.chart.size_px = (width, height)
                scale = min(scale, self.paper.scale_for(max(tables_px, table_px + CHART_GAP_PX + width)))
                chart.beside = True
        page_pt = self.paper.height_pt_at(scale)
        for chart in charts:  # beside a table longer than a page it would be cut: below it then
            if chart.beside and _table_height(chart.source) + SECTION_ROW_PT > page_pt:
                chart.beside = False
        self.scale = scale
        # a chart below its table is no wider than the page, nor than it needs
        room = self.paper.width_px_at(scale) - 8
        for chart in (u for u in charts if not u.beside):
            width, height = chart.chart.size_px
            chart.chart.size_px = (int(min(CHART_SIZE_PX[0], room)), height)

    def finish(self) -> None:
        units = self._units()
        widths = self._column_widths(units)
        self._choose_scale(units, widths)
        self.widths = widths
        for index, width in enumerate(widths):
            self.sheet.set_column(index, index, round(width, 2))
        span = len(widths)
        self._place(units, span)
        self._print_setup()

    # ---- placing ---------------------------------------------------------------------------

    def _place(self, units: list[_Unit], span: int) -> None:
        page_pt = self.paper.height_pt_at(self.scale)
        heights: list[float] = []
        self.heights = heights
        sheet, f = self.sheet, self.f

        def add_row(height: float) -> int:
            heights.append(height)
            return len(heights) - 1

        used = 0.0

        def new_page() -> None:
            nonlocal used
            self.page_breaks.append(len(heights))
            used = 0.0

        def room() -> float:
            return page_pt - used

        def take(height: float) -> int:
            nonlocal used
            used += height
            return add_row(height)

        sheet.write(take(TITLE_ROW_PT), 0, self.title, f["title"])
        sheet.write(take(ROW_PT), 0, self.subtitle, f["subtitle"])
        take(ROW_PT / 2)
        index = 0
        while index < len(units):
            unit = units[index]
            group = [unit]
            # a title keeps with what follows it; a table with the chart that goes beside or below it
            while group[-1].kind in ("title", "note") and index + len(group) < len(units) \
                    and units[index + len(group)].kind != "title":
                group.append(units[index + len(group)])
            tables = [u for u in group if u.kind == "table"]
            after = index + len(group)
            if tables and after < len(units) and units[after].kind == "chart" and units[after].beside:
                group.append(units[after])
            index += len(group)
            needed = self._group_height(group)
            head = self._group_head_height(group)
            if (needed > room() and needed <= page_pt) or (needed > page_pt and head > room()):
                if used > 0:
                    new_page()
            for part in group:
                if part.kind == "title":
                    row = take(SECTION_ROW_PT)
                    width = len(next((u.widths for u in group if u.kind == "table"), [])) or span
                    self._write_title(row, part.text, width)
                elif part.kind == "note":
                    sheet.write(take(ROW_PT), 0, part.text, f["note"])
                elif part.kind == "table":
                    self._write_table(part, take, new_page, room)
                elif part.kind == "chart":
                    if part.beside:
                        source = part.source
                        top = source.placed["header"]
                        self._charts.append((part, top, len(source.widths), CHART_GAP_PX))
                        # rows below a short table stay free down to the chart's foot
                        chart_pt = part.chart.size_px[1] * POINTS_PER_PIXEL + 4
                        while sum(heights[top:]) < chart_pt:
                            take(ROW_PT)
                    else:
                        chart_pt = part.chart.size_px[1] * POINTS_PER_PIXEL + 4
                        if chart_pt > room():
                            new_page()
                        first = len(heights)
                        rows = math.ceil(chart_pt / ROW_PT)
                        for _ in range(rows):
                            take(ROW_PT)
                        self._charts.append((part, first, 0, 0))
            take(ROW_PT / 2)  # a little air between sections
        for unit, row, column, x_offset in self._charts:
            self._insert_chart(unit, row, column, x_offset)

    def _group_head_height(self, group: list[_Unit]) -> float:
        """What must share a page with a section's title: the header and a few rows."""
        height = 0.0
        for unit in group:
            if unit.kind in ("title", "note"):
                height += SECTION_ROW_PT if unit.kind == "title" else ROW_PT
            elif unit.kind == "table":
                height += _header_pt(unit) + KEEP_WITH_TITLE_ROWS * ROW_PT
                break
        return height

    def _group_height(self, group: list[_Unit]) -> float:
        height = 0.0
        for unit in group:
            if unit.kind == "title":
                height += SECTION_ROW_PT
            elif unit.kind == "note":
                height += ROW_PT
            elif unit.kind == "table":
                table_pt = _table_height(unit)
                beside = next((u for u in group if u.kind == "chart" and u.beside), None)
                chart_pt = beside.chart.size_px[1] * POINTS_PER_PIXEL + 4 if beside else 0.0
                height += max(table_pt, chart_pt)
        return height

    def _write_title(self, row: int, text: str, width: int) -> None:
        """A section's title bar, filled across the width of the block it introduces."""
        if width > 1:
            self.sheet.merge_range(row, 0, row, width - 1, text, self.f["section"])
        else:
            self.sheet.write(row, 0, text, self.f["section"])

    def _write_table(self, unit: _Unit, take, new_page, room) -> None:
        """Header and data rows; on a new page the header is written again above the rest."""
        table, sheet = unit.table, self.sheet
        headers = table.headers
        header_pt = _header_pt(unit)
        formats = [self._cell_format(table.formats.get(i)) for i in range(len(headers))]
        chunks: list[tuple[int, int, int]] = []  # (first data index, first sheet row, last sheet row)
        keep_whole = table.charted  # a chart's rows are one range: its table is never cut

        def header() -> int:
            row = take(header_pt)
            sheet.write_row(row, 0, headers, self.f["header"])
            return row

        header_row = header()
        unit.placed["header"] = header_row
        writers = [column_writer(sheet, c, table.frame.iloc[:, c]) for c in range(len(headers))]
        own = {(r, c): self._cell_format(f) for (r, c), f in table.cell_formats.items() if f}
        count = len(table.frame)
        chunk_start, chunk_row = 0, None
        for r in range(count):
            height = ROW_PT + (unit.row_lines[r] - 1) * LINE_PT if r < len(unit.row_lines) else ROW_PT
            if not keep_whole and height > room() and chunk_row is not None:
                chunks.append((chunk_start, chunk_row, chunk_row + (r - chunk_start) - 1))
                new_page()
                header()
                chunk_start, chunk_row = r, None
            row = take(height)
            if chunk_row is None:
                chunk_row = row
            if own:
                for c, write in enumerate(writers):
                    write(row, r, own.get((r, c), formats[c]))
            else:
                for write, fmt in zip(writers, formats):
                    write(row, r, fmt)
        if chunk_row is not None:
            chunks.append((chunk_start, chunk_row, chunk_row + (count - chunk_start) - 1))
        unit.placed["chunks"] = table.placed = chunks
        self._conditional_formats(unit, chunks)
        if table.after is not None and len(chunks) == 1:
            table.after(sheet, chunks[0][1], chunks[0][2])

    def _cell_format(self, number_format: str | None):
        return self.f["text"] if number_format is None else self.number_format(number_format)

    def _conditional_formats(self, unit: _Unit, chunks: list[tuple[int, int, int]]) -> None:
        table = unit.table
        if not chunks:
            return
        totals = set(table.total_rows)

        def ranges(column: int, skip_totals: bool) -> list[str]:
            out = []
            for start, first, last in chunks:
                rows = [first + k for k in range(last - first + 1) if not (skip_totals and start + k in totals)]
                out.extend(_runs(rows, column))
            return out

        for column in table.bars:
            parts = ranges(column, True)
            if parts:
                first, *_ = parts
                self.sheet.conditional_format(first, {"type": "data_bar", "bar_color": style.DATA_BAR_COLOUR,
                                                      "bar_solid": True, "multi_range": " ".join(parts)})
        if table.rag is not None:
            parts = ranges(table.rag, False)
            for level, label in table.rag_labels.items():
                if level in self.rag_fills and parts:
                    self.sheet.conditional_format(parts[0], {"type": "cell", "criteria": "==", "value": f'"{label}"',
                                                             "format": self.rag_fills[level],
                                                             "multi_range": " ".join(parts)})

    # ---- charts ----------------------------------------------------------------------------

    def _insert_chart(self, unit: _Unit, row: int, column: int, x_offset: int) -> None:
        spec = unit.chart
        data = spec.data or unit.source.table
        (start, first, last), = data.placed
        chart = self.book.add_chart({"type": "line"} if spec.kind == "line" else
                                    {"type": "column", **({"subtype": "stacked"} if spec.kind == "stacked" else {})})
        name = self.sheet.get_name()
        values = data.frame
        for series in spec.series:
            options = {"name": series.name, "categories": [name, first, spec.categories, last, spec.categories],
                       "values": [name, first, series.column, last, series.column]}
            if series.colour is not None:
                options["line" if spec.kind == "line" else "fill"] = {"color": f"#{series.colour:06X}"}
            if spec.kind == "line":
                options["marker"] = {"type": "none"}
            chart.add_series(options)
        numbers = np.concatenate([np.asarray(values.iloc[:, s.column], dtype=float) for s in spec.series])
        if spec.kind == "stacked":
            numbers = np.nansum(np.column_stack([np.asarray(values.iloc[:, s.column], dtype=float)
                                                 for s in spec.series]), axis=1)
        largest = float(np.nanmax(np.abs(numbers))) if np.isfinite(numbers).any() else 0.0
        number_format, divisor = value_axis_format(largest, spec.unit)
        chart.set_y_axis({"num_format": number_format, "name": self.axis_label(spec.unit, divisor),
                          "name_font": {"size": 9, "bold": False}, "num_font": {"size": 8},
                          "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
        chart.set_x_axis({"num_font": {"size": 8}})
        chart.set_title({"name": spec.title, "name_font": {"size": 11}})
        chart.set_legend({"position": "bottom"} if len(spec.series) > 1 else {"none": True})
        chart.set_size({"width": spec.size_px[0], "height": spec.size_px[1]})
        self.sheet.insert_chart(row, column, chart, {"x_offset": x_offset, "y_offset": 2, "object_position": 3})

    # ---- printing --------------------------------------------------------------------------

    def _print_setup(self) -> None:
        sheet, paper = self.sheet, self.paper
        for row, height in enumerate(self.heights):
            sheet.set_row(row, height)
        sheet.set_paper(style.A4)
        if self.landscape:
            sheet.set_landscape()
        else:
            sheet.set_portrait()
        sheet.set_print_scale(self.scale)
        sheet.set_margins(left=paper.left, right=paper.right, top=paper.top, bottom=paper.bottom)
        if self.page_breaks:
            sheet.set_h_pagebreaks(sorted(set(self.page_breaks)))
        sheet.print_area(0, 0, max(len(self.heights) - 1, 0), self._print_columns() - 1)

    def _print_columns(self) -> int:
        """Columns the pages show: the tables' and, when a chart reaches past them, one more
        column sized to the chart's right edge (so no column spills onto a page of its own)."""
        pixels = [column_pixels(w) for w in self.widths]
        tables = sum(pixels)
        reach = max([tables] + [sum(pixels[:column]) + x_offset + chart.width
                                for row, column, chart, x_offset, *_ in self.sheet.charts])
        if reach <= tables:
            return len(pixels)
        room = reach + PAGE_EDGE_PX - tables
        self.sheet.set_column(len(pixels), len(pixels), max((room - 5) / 7.0, 0.1))
        return len(pixels) + 1


def value_axis_format(largest: float, unit: str) -> tuple[str, int]:
    """A value axis' number format and the divisor its title names: money in millions from
    ten million, in thousands from ten thousand, else as the cells show it."""
    if unit == "money" and largest >= 10_000_000:
        return "#,##0,,", 1_000_000
    if unit == "money" and largest >= 10_000:
        return "#,##0,", 1_000
    return "#,##0", 1


def _has_data(table: Table, chart: ChartSpec) -> bool:
    """A chart is drawn only over a table with rows and at least one non-zero number."""
    if table.frame.empty:
        return False
    for series in chart.series:
        numbers = np.asarray(table.frame.iloc[:, series.column], dtype=float)
        if np.any(np.isfinite(numbers) & (numbers != 0)):
            return True
    return False


def _header_pt(unit: _Unit) -> float:
    return ROW_PT + (unit.header_lines - 1) * LINE_PT


def _table_height(unit: _Unit) -> float:
    rows = sum(ROW_PT + (lines - 1) * LINE_PT for lines in unit.row_lines[:len(unit.table.frame)])
    return _header_pt(unit) + rows


def _runs(rows: list[int], column: int) -> list[str]:
    """Consecutive ``rows`` of ``column`` as A1 ranges."""
    from xlsxwriter.utility import xl_range

    out, start, previous = [], None, None
    for row in rows:
        if start is None:
            start = previous = row
        elif row == previous + 1:
            previous = row
        else:
            out.append(xl_range(start, column, previous, column))
            start = previous = row
    if start is not None:
        out.append(xl_range(start, column, previous, column))
    return out


def plain_cell(value):
    """A value XlsxWriter writes: None for blanks and non-finite numbers, plain Python types."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (float, np.floating)):
        return None if not math.isfinite(float(value)) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime().replace(tzinfo=None)
    if isinstance(value, pd.Period):
        return str(value)
    return value


def column_writer(sheet, column: int, values: pd.Series):
    """A function ``write(row, index, fmt)`` writing value ``index`` of ``values`` into ``row``
    of ``column``: the column's values are turned into cells once (:func:`plain_cell`; blanks
    and non-finite numbers as blank cells), numbers and dates each with XlsxWriter's own method."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values.to_numpy(dtype=float, na_value=np.nan)
        finite = np.isfinite(numbers).tolist()
        cells = numbers.tolist()

        def write_number(row: int, index: int, fmt) -> None:
            if finite[index]:
                sheet.write_number(row, column, cells[index], fmt)
            else:
                sheet.write_blank(row, column, None, fmt)
        return write_number
    if pd.api.types.is_datetime64_any_dtype(values) and getattr(values.dt, "tz", None) is None:
        stamps = [None if pd.isna(v) else v for v in values.dt.to_pydatetime()]

        def write_date(row: int, index: int, fmt) -> None:
            if stamps[index] is None:
                sheet.write_blank(row, column, None, fmt)
            else:
                sheet.write_datetime(row, column, stamps[index], fmt)
        return write_date
    plain = [plain_cell(v) for v in values.astype(object).to_numpy()]

    def write_value(row: int, index: int, fmt) -> None:
        value = plain[index]
        if value is None:
            sheet.write_blank(row, column, None, fmt)
        elif isinstance(value, str):
            sheet.write_string(row, column, value, fmt)
        else:
            sheet.write(row, column, value, fmt)
    return write_value
