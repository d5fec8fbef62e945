"""Reading a written report back as a printer would see it: the cells each drawing covers,
the pages the rows fall on, the print scale and width, the number formats and what each
chart draws. Works from the file alone (openpyxl and the package's XML), independent of the
code that laid the sheets out."""
from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

import openpyxl
from openpyxl.utils.cell import range_boundaries

from dealerxl.report.layout import page_starts

PAPER_PT = {9: (595.0, 842.0)}  # A4 portrait (width, height)
SECTION_FILL = "1F4E78"
HEADER_FILL = "DDEBF7"


@dataclass
class Anchor:
    first_col: int
    first_row: int
    last_col: int
    last_row: int
    chart: str | None = None


@dataclass
class Chart:
    path: str
    values: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    axis_format: str | None = None
    axis_title: bool = False


def _sheet_parts(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its part's path."""
    book = package.read("xl/workbook.xml").decode()
    rels = package.read("xl/_rels/workbook.xml.rels").decode()
    targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)})
    out = {}
    for name, rid in re.findall(r'<sheet name="([^"]+)" sheetId="\d+"[^>]*r:id="(rId\d+)"', book):
        name = name.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        out[name] = posixpath.normpath(posixpath.join("xl", targets[rid]))
    return out


def _relations(package: zipfile.ZipFile, part: str) -> dict[str, str]:
    folder, name = posixpath.split(part)
    rels_path = posixpath.join(folder, "_rels", name + ".rels")
    if rels_path not in package.namelist():
        return {}
    text = package.read(rels_path).decode()
    out = {}
    for match in re.finditer(r"<Relationship [^>]*>", text):
        tag = match.group(0)
        rid = re.search(r'Id="([^"]+)"', tag).group(1)
        target = re.search(r'Target="([^"]+)"', tag).group(1)
        out[rid] = posixpath.normpath(posixpath.join(folder, target))
    return out


def anchors_and_charts(path) -> dict[str, list[Anchor]]:
    """Sheet name → its drawings' anchors (0-based, inclusive cells they cover), with the chart parsed."""
    out: dict[str, list[Anchor]] = {}
    with zipfile.ZipFile(path) as package:
        for sheet, part in _sheet_parts(package).items():
            anchors = []
            for drawing in (t for t in _relations(package, part).values() if "/drawings/" in t):
                xml = package.read(drawing).decode()
                chart_rels = _relations(package, drawing)
                for block in re.findall(r"<xdr:twoCellAnchor.*?</xdr:twoCellAnchor>", xml, re.S):
                    numbers = [int(n) for n in re.findall(
                        r"<xdr:(?:col|colOff|row|rowOff)>(\d+)</xdr:(?:col|colOff|row|rowOff)>", block)]
                    col, col_off, row, row_off, to_col, to_col_off, to_row, to_row_off = numbers
                    # a drawing ending exactly on a cell's edge does not cover that cell
                    last_col = to_col if to_col_off > 0 else to_col - 1
                    last_row = to_row if to_row_off > 0 else to_row - 1
                    rid = re.search(r'r:id="(rId\d+)"', block)
                    chart = chart_rels.get(rid.group(1)) if rid else None
                    anchors.append(Anchor(col, row, last_col, last_row, chart))
            out[sheet] = anchors
    return out


def read_chart(path, chart_part: str) -> Chart:
    with zipfile.ZipFile(path) as package:
        xml = package.read(chart_part).decode()
    chart = Chart(chart_part)
    chart.values = re.findall(r"<c:val>.*?<c:f>(.*?)</c:f>", xml, re.S)
    chart.categories = re.findall(r"<c:cat>.*?<c:f>(.*?)</c:f>", xml, re.S)
    axis = re.search(r"<c:valAx>(.*?)</c:valAx>", xml, re.S)
    if axis:
        found = re.search(r'<c:numFmt formatCode="([^"]*)"', axis.group(1))
        chart.axis_format = found.group(1).replace("&quot;", '"') if found else None
        chart.axis_title = "<c:title>" in axis.group(1)
    return chart


def reference_cells(book, reference: str) -> list:
    """The values of the cells a chart formula such as ``'銷售'!$B$5:$B$9`` names."""
    sheet_name, cells = reference.rsplit("!", 1)
    sheet = book[sheet_name.strip("'").replace("''", "'")]
    min_col, min_row, max_col, max_row = range_boundaries(cells.replace("$", ""))
    return [sheet.cell(r, c).value for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]


def filled_cells(sheet) -> set[tuple[int, int]]:
    """(row, column), 0-based, of every cell holding a value, and every cell of a merged range."""
    cells = {(c.row - 1, c.column - 1) for row in sheet.iter_rows() for c in row if c.value not in (None, "")}
    for merged in sheet.merged_cells.ranges:
        cells |= {(r - 1, c - 1) for r in range(merged.min_row, merged.max_row + 1)
                  for c in range(merged.min_col, merged.max_col + 1)}
    return cells


def overlaps(sheet, anchors: list[Anchor]) -> list[str]:
    """What is drawn over a filled cell or over another drawing."""
    problems = []
    cells = filled_cells(sheet)
    for anchor in anchors:
        covered = [(r, c) for (r, c) in cells
                   if anchor.first_row <= r <= anchor.last_row and anchor.first_col <= c <= anchor.last_col]
        if covered:
            r, c = min(covered)
            problems.append(f"{sheet.title}: a drawing covers {openpyxl.utils.get_column_letter(c + 1)}{r + 1}")
    for i, a in enumerate(anchors):
        for b in anchors[i + 1:]:
            if a.first_row <= b.last_row and b.first_row <= a.last_row and a.first_col <= b.last_col \
                    and b.first_col <= a.last_col:
                problems.append(f"{sheet.title}: two drawings overlap at row {max(a.first_row, b.first_row) + 1}")
    return problems


@dataclass
class Print:
    scale: int
    fit_to_page: bool
    printable_width_pt: float
    page_height_pt: float        # of sheet points, at the scale
    width_pt: float              # of the printed columns, at the scale
    page_starts: list[int]       # 0-based first row of every page


def column_width_px(sheet, index: int) -> float:
    """A column's width in pixels (1-based index): the file's width (which includes the
    cell padding) in 7-pixel digits as Excel sizes it, and 6 % more as LibreOffice does
    (its unit is the default font's 7.4-pixel digit)."""
    # openpyxl keys a run of columns of one width (<col min="6" max="7">) by its first letter
    dimension = next((d for d in sheet.column_dimensions.values()
                      if d.min is not None and d.max is not None and d.min <= index <= d.max), None)
    width = dimension.width if dimension is not None and dimension.customWidth else 8.43 + 5 / 7
    return width * 7 * 1.06


def printed(sheet) -> Print:
    setup, margins = sheet.page_setup, sheet.page_margins
    portrait_w, portrait_h = PAPER_PT[int(setup.paperSize or 9)]
    width, height = (portrait_h, portrait_w) if setup.orientation == "landscape" else (portrait_w, portrait_h)
    scale = int(setup.scale or 100)
    fit = bool(sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage)
    area = sheet.print_area
    if area:
        reference = (area[0] if isinstance(area, (list, tuple)) else area).split("!")[-1].replace("$", "")
        min_col, min_row, max_col, max_row = range_boundaries(reference)
    else:
        max_col, max_row = sheet.max_column, sheet.max_row
    columns_pt = sum(column_width_px(sheet, c) for c in range(1, max_col + 1)) * 0.75
    page_pt = (height - 72 * (margins.top + margins.bottom)) * 100.0 / scale
    heights = [(sheet.row_dimensions[r].height or 15.0) if r in sheet.row_dimensions else 15.0
               for r in range(1, max_row + 1)]
    breaks = {b.id for b in sheet.row_breaks.brk}  # a break after 1-based row id: next page at 0-based id
    starts = page_starts(heights, breaks, page_pt)
    return Print(scale, fit, width - 72 * (margins.left + margins.right), page_pt, columns_pt * scale / 100.0,
                 starts)


def page_of(starts: list[int], row: int) -> int:
    return max(i for i, start in enumerate(starts) if start <= row)


def split_drawings(sheet, anchors: list[Anchor], pages: Print) -> list[str]:
    return [f"{sheet.title}: a chart from row {a.first_row + 1} to {a.last_row + 1} is cut by a page break"
            for a in anchors if page_of(pages.page_starts, a.first_row) != page_of(pages.page_starts, a.last_row)]


def _fill(cell) -> str:
    colour = cell.fill.fgColor.rgb if cell.fill is not None and cell.fill.fill_type else None
    return (colour or "")[-6:].upper() if isinstance(colour, str) else ""


def pages_without_a_heading(sheet, anchors: list[Anchor], pages: Print) -> list[str]:
    """Pages after the first whose first filled row is neither a section title, a table's
    header nor a chart: a continuation page must say what its rows are."""
    cells = filled_cells(sheet)
    problems = []
    for number, start in enumerate(pages.page_starts[1:], start=2):
        end = pages.page_starts[number] if number < len(pages.page_starts) else sheet.max_row
        rows = sorted({r for r, _ in cells if start <= r < end} | {a.first_row for a in anchors if start <= a.first_row < end})
        if not rows:
            continue
        first = rows[0]
        if any(a.first_row == first for a in anchors):
            continue
        if _fill(sheet.cell(first + 1, 1)) not in (SECTION_FILL, HEADER_FILL):
            problems.append(f"{sheet.title}: page {number} starts with row {first + 1} without a title or header")
    return problems


def bad_number_formats(sheet, month_headers: set[str]) -> list[str]:
    """Columns of a table whose numbers are all whole but print with decimals (2.00: a
    quantity or an amount in a format for fractions), and month columns printed as a day."""
    problems = []
    blocks: dict[tuple[int, int], list] = {}   # (column, header row) → its numeric cells
    header_of: dict[int, tuple[int, str]] = {}
    # A long table repeats its header on its next page: the repeat belongs to the same table
    # (a column is formatted once for all its rows), so it keeps the first header's row.
    table_of: dict[int, int] = {}
    last_header: tuple[int, tuple] | None = None
    for row in sheet.iter_rows():
        signature = tuple((c.column, c.value) for c in row if _fill(c) == HEADER_FILL and isinstance(c.value, str))
        if signature:
            same = last_header is not None and last_header[1] == signature
            table_of[row[0].row] = table_of[last_header[0]] if same else row[0].row
            last_header = (row[0].row, signature)
        for cell in row:
            if _fill(cell) == HEADER_FILL and isinstance(cell.value, str):
                header_of[cell.column] = (table_of[cell.row], cell.value)
                continue
            value, fmt = cell.value, cell.number_format or "General"
            header_row, header = header_of.get(cell.column, (0, ""))
            if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" not in fmt:
                blocks.setdefault((cell.column, header_row), []).append(cell)
            if isinstance(value, dt.datetime) and header in month_headers and "d" in fmt:
                problems.append(f"{sheet.title}!{cell.coordinate}: a month shown as a day ({fmt})")
    for cells in blocks.values():
        decimals = [c for c in cells if re.search(r"\.0*0(?![^\"]*\")", c.number_format or "")]
        if decimals and len(decimals) == len(cells) and all(float(c.value).is_integer() for c in cells) \
                and any(c.value != 0 for c in cells):
            problems.append(f"{sheet.title}!{cells[0].coordinate}: whole numbers as {cells[0].number_format}")
    return problems
