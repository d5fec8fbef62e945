"""Table rows written straight into a sheet part's XML, and old rows left out before loading.

openpyxl builds a Python object per cell, which for a sheet of a million rows means minutes
and gigabytes. :mod:`dealerxl.book.write_into` therefore lets openpyxl write only a table's
first data row; the rows below are rendered here, a block at a time, with the styles openpyxl
gave that first row. Old rows that will be written again are dropped from a copy of the file
before openpyxl reads it.
"""
from __future__ import annotations

import datetime as dt
import math
import os
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

from dealerxl.forms import get_form

# ---- loading less: old rows that will be rewritten are left out before openpyxl reads ---------

def without_rewritten_rows(source: Path, row_counts: dict[str, int]) -> Path | None:
    """A copy of ``source`` without the table rows that will be written again, or None.

    openpyxl reads every cell into a Python object: syncing into a table that already holds
    a million rows would take minutes and gigabytes just to throw them away. Rows 2..n of
    each table's old data (n: the rows about to be written) are dropped from the copy when
    they hold nothing but the table's own cells; everything else stays as it is.
    """
    import tempfile

    from openpyxl.utils.cell import range_boundaries

    with zipfile.ZipFile(source) as package:
        names = package.namelist()
        wanted = {get_form(form_id).table_name.casefold(): count for form_id, count in row_counts.items()}
        tables = {}  # table part → (first col, header row, last col, last row, rows to write)
        for name in names:
            if name.startswith("xl/tables/") and name.endswith(".xml"):
                head = package.read(name)[:2000].decode("utf-8", "replace")
                tag = re.search(r"<table\b[^>]*>", head)
                table = tag and re.search(r'\bname="([^"]+)"', tag.group(0))
                ref = tag and re.search(r'\bref="([^"]+)"', tag.group(0))
                if not (table and ref):
                    continue
                table, ref = table.group(1), ref.group(1)
                if table.casefold() in wanted:
                    tables[posixpath.basename(name)] = (*range_boundaries(ref), wanted[table.casefold()])
        trims = {}  # sheet part → [(first col, last col, first row, last row)]
        for name in names:
            if tables and name.startswith("xl/worksheets/_rels/") and name.endswith(".rels"):
                rels = package.read(name).decode("utf-8")
                sheet = "xl/worksheets/" + posixpath.basename(name)[:-len(".rels")]
                for target in re.findall(r'Target="([^"]*tables/[^"]+)"', rels):
                    if posixpath.basename(target) in tables:
                        first_col, header, last_col, last, count = tables[posixpath.basename(target)]
                        if min(last, header + count) >= header + 2:
                            trims.setdefault(sheet, []).append((first_col, last_col, header + 2, min(last, header + count)))
        if not trims:
            return None
        handle, temporary = tempfile.mkstemp(prefix=f".{source.stem}.", suffix=source.suffix, dir=source.parent)
        os.close(handle)
        lighter = Path(temporary)
        try:
            with zipfile.ZipFile(lighter, "w", zipfile.ZIP_DEFLATED) as target:
                for info in package.infolist():
                    data = package.read(info.filename)
                    if info.filename in trims:
                        data = _drop_rows(data.decode("utf-8"), trims[info.filename]).encode("utf-8")
                    target.writestr(info, data)
        except BaseException:
            lighter.unlink(missing_ok=True)
            raise
    return lighter


_ROW = re.compile(r'<row r="(\d+)"([^>]*?)(?:/>|>(.*?)</row>)', re.DOTALL)
_CELL_COLUMN = re.compile(r'<c r="([A-Z]+)\d+"')


def _drop_rows(xml: str, blocks: list[tuple[int, int, int, int]]) -> str:
    """``xml`` without the rows of ``blocks`` (first col, last col, first row, last row)
    that carry no attributes of their own and no cell outside the block's columns."""
    from functools import lru_cache

    from openpyxl.utils import column_index_from_string

    column_index = lru_cache(maxsize=None)(column_index_from_string)

    def keep_or_drop(match: re.Match) -> str:
        row = int(match.group(1))
        for first_col, last_col, first_row, last_row in blocks:
            if first_row <= row <= last_row:
                plain = re.fullmatch(r'(\s+spans="[^"]*")?\s*', match.group(2) or "") is not None
                columns = _CELL_COLUMN.findall(match.group(3) or "")
                if plain and all(first_col <= column_index(c) <= last_col for c in columns):
                    return ""
        return match.group(0)

    return _ROW.sub(keep_or_drop, xml)


# ---- rows rendered straight into the sheet's XML ------------------------------------------------

@dataclass(frozen=True)
class GeneratedRows:
    """The rows of a table below its first data row ``first_row``, rendered after openpyxl's
    save: per column its letters, kind (text, number, date, bool, formula, blank), one value
    per row from ``first_row`` on, and for formulas the results (floats) to cache."""

    first_row: int
    columns: list[tuple[str, str, list, list]]

    @property
    def last_row(self) -> int:
        return self.first_row + max((len(values) for _, _, values, _ in self.columns), default=1) - 1


ROWS_PER_CHUNK = 20_000  # rows rendered at once: bounds the memory the text takes
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_FIRST_REAL_DAY = dt.datetime(1900, 3, 1)  # before it Excel counts a 1900-02-29 that never was


def sheet_rewrite(results: dict[str, tuple[int, list]], generated: list[GeneratedRows]):
    """The rewrite of one sheet part: formula results into openpyxl's cells, then the
    generated rows spliced in after each table's first data row."""
    put_results = _with_results(results) if results else (lambda xml: xml)

    def rewrite(data: bytes):
        xml = put_results(data.decode("utf-8"))
        if generated:
            xml = _widen_dimension(xml, max(g.last_row for g in generated))
        position = 0
        for rows in sorted(generated, key=lambda g: g.first_row):
            end = _row_end(xml, rows.first_row)
            styles = _row_styles(xml[position:end], rows.first_row)
            yield xml[position:end].encode("utf-8")
            for text in render_rows(rows, styles):
                yield text.encode("utf-8")
            position = end
        yield xml[position:].encode("utf-8")

    return rewrite


def _row_end(xml: str, row: int) -> int:
    """Where the ``<row>`` element of ``row`` ends in the sheet XML."""
    start = re.search(rf'<row r="{row}"[ >/]', xml)
    if start is None:
        raise ValueError(f"row {row} missing from the saved sheet")
    if xml[xml.index(">", start.start()) - 1] == "/":
        return xml.index(">", start.start()) + 1
    return xml.index("</row>", start.start()) + len("</row>")


def _row_styles(xml: str, row: int) -> dict[str, str]:
    """Column letters → the style id openpyxl gave each cell of ``row``."""
    styles = {}
    for attributes in re.findall(rf'<c (r="[A-Z]+{row}"[^>]*?)/?>', xml):
        letters = re.match(r'r="([A-Z]+)', attributes).group(1)
        style = re.search(r'\bs="(\d+)"', attributes)
        styles[letters] = style.group(1) if style else ""
    return styles


def _widen_dimension(xml: str, last_row: int) -> str:
    """The ``<dimension>`` of the sheet reaching ``last_row`` (readers size their grid by it)."""
    def widen(match: re.Match) -> str:
        from openpyxl.utils.cell import range_boundaries

        min_col, min_row, max_col, max_row = range_boundaries(match.group(1))
        from openpyxl.utils import get_column_letter

        return (f'<dimension ref="{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}'
                f'{max(max_row, last_row)}"/>')

    return re.sub(r'<dimension ref="([^"]+)"\s*/>', widen, xml, count=1)


def render_rows(rows: GeneratedRows, styles: dict[str, str]):
    """``<row>`` elements for every row after the first, ``ROWS_PER_CHUNK`` rows a piece."""
    total = rows.last_row - rows.first_row + 1
    for start in range(1, total, ROWS_PER_CHUNK):
        stop = min(start + ROWS_PER_CHUNK, total)
        numbers = [str(rows.first_row + i) for i in range(start, stop)]
        columns = [_render_cells(letters, kind, values[start:stop], results[start:stop], numbers,
                                 f' s="{styles[letters]}"' if styles.get(letters) else "")
                   for letters, kind, values, results in rows.columns]
        yield "".join(f'<row r="{n}">{"".join(cells)}</row>' for n, cells in zip(numbers, zip(*columns)))


def _render_cells(letters: str, kind: str, values: list, results: list, numbers: list[str], style: str) -> list[str]:
    """One column's ``<c>`` elements, one per row (``numbers``), as openpyxl would write them."""
    blank = [f'<c r="{letters}{n}"{style}/>' if style else "" for n in numbers]
    values = values + [None] * (len(numbers) - len(values))
    if kind == "text":
        return [b if v is None else f'<c r="{letters}{n}"{style} t="inlineStr"><is><t{_space(v)}>{escape(v)}</t></is></c>'
                for v, n, b in zip(values, numbers, blank)]
    if kind in ("number", "date", "bool", "raw"):
        return [b if v is None else _typed_cell(f"{letters}{n}", style, v) for v, n, b in zip(values, numbers, blank)]
    if kind == "formula":
        results = results + [None] * (len(numbers) - len(results))
        return [b if v is None else f'<c r="{letters}{n}"{style}><f>{escape(v[1:])}</f>{_result(r)}</c>'
                for v, r, n, b in zip(values, results, numbers, blank)]
    return blank


def _typed_cell(address: str, style: str, value) -> str:
    """One cell by the kind of its value: text (kept as text, whatever it looks like), a
    boolean, or a number or date."""
    if isinstance(value, str):
        return f'<c r="{address}"{style} t="inlineStr"><is><t{_space(value)}>{escape(value)}</t></is></c>'
    if isinstance(value, (bool, np.bool_)):
        return f'<c r="{address}"{style} t="b"><v>{int(value)}</v></c>'
    text = _number(value)
    return f'<c r="{address}"{style}/>' if text is None else f'<c r="{address}"{style} t="n"><v>{text}</v></c>'


def _space(text: str) -> str:
    return ' xml:space="preserve"' if text != text.strip() else ""


def _number(value) -> str | None:
    """A cell number as text: ints as they are, floats exactly, datetimes as Excel serials."""
    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    if isinstance(value, dt.datetime):
        serial = (value - _EXCEL_EPOCH).total_seconds() / 86_400 - (value < _FIRST_REAL_DAY)
        return str(int(serial)) if float(serial).is_integer() else repr(serial)
    if isinstance(value, int):
        return str(value)
    return repr(float(value)) if math.isfinite(value) else None


def _result(value) -> str:
    return f"<v>{value!r}</v>" if value is not None and math.isfinite(value) else ""


def _with_results(columns: dict[str, tuple[int, list]]):
    """A rewrite of a sheet part giving formula cells of ``columns`` their results.

    openpyxl writes a formula cell as ``<c r="J5" s="18"><f>…</f><v /></c>``; a number the
    frame holds for that cell goes into ``<v>``, so a reader without Excel (the jobs) sees
    the values, not blanks. Cells whose result is not a number are left for Excel.
    """
    pattern = re.compile(r'<c r="(' + "|".join(map(re.escape, columns)) + r')(\d+)"([^>]*)><f>([^<]*)</f><v ?/></c>')

    def result(match: re.Match) -> str:
        first, values = columns[match.group(1)]
        index = int(match.group(2)) - first
        if 0 <= index < len(values) and math.isfinite(values[index]):
            return (f'<c r="{match.group(1)}{match.group(2)}"{match.group(3)}><f>{match.group(4)}</f>'
                    f"<v>{values[index]!r}</v></c>")
        return match.group(0)

    return lambda xml: pattern.sub(result, xml)
