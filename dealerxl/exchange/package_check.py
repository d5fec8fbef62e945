"""Looking at a returned file's package before any reader allocates anything for it.

A returned file is written outside the company, so its parts are checked with bounded
work first (:func:`inspect`), and only a file that passes is opened with python-calamine:

* what the file really is, from its bytes, whatever its name says: an Office Open XML
  workbook is read; an old ``.xls`` book, an OpenDocument ``.ods`` sheet or a binary
  ``.xlsb`` book renamed ``.xlsx`` is named as what it is; a password-protected or
  damaged file as such;
* the size of the file, the number of parts and each part's size when unpacked, as the
  zip announces them (so a zip bomb is refused before anything is unpacked), then every
  part unpacked once: Python's zipfile stops at the announced size and checks the part's
  CRC-32, so a zip that lies about a size is refused as damaged;
* the shared-strings table's announced length, which calamine reserves memory for before
  reading a single string;
* in a worksheet that is read, the box around the cells that hold something: calamine
  allocates a cell for every position of that box, so one value at ``XFD1048576`` would
  ask for hundreds of gigabytes. :meth:`Package.cells_outside` names the cells beyond
  what was issued.

No more than one part is held whole at a time (besides the sheets kept for their box).
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import numpy as np

from dealerxl.book import Problem
from dealerxl.book.problems import column_letters

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_SST = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sst\b([^>]*)>")
_UNIQUE = re.compile(rb'\buniqueCount="\s*([0-9]+)\s*"')
SMALLEST_STRING_ITEM = 5  # "<si/>": the bytes each announced string needs at the least


@dataclass(frozen=True)
class Limits:
    """How large a returned file may be. A filled template of 50,000 rows is far below each."""

    file_bytes: int = 64 << 20
    parts: int = 1_000
    part_bytes: int = 128 << 20   # any one part, unpacked
    total_bytes: int = 256 << 20  # every part together, unpacked
    # Excel's own limit: longer text cannot be a cell's value (it is cut when written back)
    cell_chars: int = 32_767


DEFAULT_LIMITS = Limits()


class Refused(Exception):
    """The file is not read any further; ``problem`` says why (with the file's name)."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.code)


def _refuse(code: str, name: str, **fields) -> Refused:
    return Refused(Problem(code, file=name, fields={"file": name, **fields}))


class Package:
    """A checked Office Open XML package, kept open while it is read: its sheets' parts, their
    Excel Tables, and on demand the box of each sheet's filled cells. Use it in a ``with``."""

    def __init__(self, path: Path, name: str, limits: Limits, opened: zipfile.ZipFile):
        self.path, self.name, self.limits, self.zip = path, name, limits, opened
        self.sheets: dict[str, str] = {}            # sheet name → part
        self.tables: dict[str, list[str]] = {}      # sheet part → its table parts
        self._xml: dict[str, bytes] = {}            # sheet parts kept from the size check
        self._boxes: dict[str, tuple[int, int, bool]] = {}

    def __enter__(self) -> "Package":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.zip.close()
        self._xml.clear()

    def sheet_xml(self, sheet: str) -> bytes:
        part = self.sheets[sheet]
        if part not in self._xml:
            self._xml[part] = self.zip.read(part)  # within the part limit: checked when the package was
        return self._xml[part]

    def used_box(self, sheet: str) -> tuple[int, int, bool]:
        """The last row and column (0-based; -1 when none) of the cells of ``sheet`` that hold
        something, and whether the box is exact. Not exact: the box around every cell written,
        formatted blanks included (found far faster), which holds the exact one."""
        part = self.sheets[sheet]
        if part not in self._boxes:
            xml = self.sheet_xml(sheet)
            quick = _quick_box(xml)
            self._boxes[part] = (*quick, False) if quick is not None else (*_scan_sheet([xml], self.name), True)
        return self._boxes[part]

    def cells_outside(self, sheet: str, outside) -> list[str]:
        """The first few A1 addresses of cells of ``sheet`` holding something where
        ``outside(row, col)`` (0-based) is true, read exactly."""
        found: list[str] = []
        _scan_sheet([self.sheet_xml(sheet)], self.name, outside, found)
        return found

    def table_refs(self, sheet: str) -> list[str]:
        """The ``ref`` of every Excel Table on ``sheet`` (``A4:L304``), as the file has them."""
        refs = []
        for part in self.tables.get(self.sheets.get(sheet, ""), []):
            try:
                table = ElementTree.fromstring(_read_small(self.zip, part, self.limits))
            except KeyError:
                refs.append("")
                continue
            refs.append(table.get("ref", "").replace("$", "").upper())
        return refs

    def merged_ranges(self, sheet: str) -> list[tuple[str, str]]:
        """The merged ranges of ``sheet`` as (first, last) A1 addresses.

        Merging keeps only the first cell's value, so a merge across the table silently drops
        what the other cells held; the reader cannot see that, the package can.
        """
        return [(a.decode(), b.decode()) for a, b in _MERGED.findall(self.sheet_xml(sheet))]


_MERGED = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*\bref="([A-Z]+[0-9]+):([A-Z]+[0-9]+)"')
KEEP_BYTES = 16 << 20  # sheet parts up to this size are kept from the first reading for the box


def inspect(path: str | Path, name: str | None = None, limits: Limits = DEFAULT_LIMITS) -> Package:
    """Check the file at ``path`` (``name`` is how messages call it); :class:`Refused` if it
    fails. The :class:`Package` returned is open: close it (``with``)."""
    path = Path(path)
    name = name or path.name
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            signature = handle.read(8)
    except OSError:
        raise _refuse("file_not_found", name) from None
    if size > limits.file_bytes:
        raise _refuse("exchange.too_large", name, size=_megabytes(size), limit=_megabytes(limits.file_bytes))
    if signature.startswith(OLE_SIGNATURE):
        raise _ole_kind(path, name)
    if not signature.startswith(ZIP_SIGNATURE):
        raise _refuse("not_a_workbook", name)
    opened = None
    try:
        opened = zipfile.ZipFile(path)
        return _inspect_zip(Package(path, name, limits, opened))
    except Refused:
        if opened is not None:
            opened.close()
        raise
    except UNREADABLE:
        # cut short, a checksum that does not match, an unknown compression: not readable as sent
        if opened is not None:
            opened.close()
        raise _refuse("corrupt_workbook", name) from None


UNREADABLE = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError,
              ElementTree.ParseError, UnicodeDecodeError, ValueError, KeyError)


def _megabytes(size: int) -> str:
    return f"{size / (1 << 20):,.1f}"


def _ole_kind(path: Path, name: str) -> Refused:
    from dealerxl.book.workbook_file import _directory_entry

    with open(path, "rb") as handle:
        data = handle.read()  # within Limits.file_bytes
    if _directory_entry("EncryptionInfo") in data or _directory_entry("EncryptedPackage") in data:
        return _refuse("password_protected", name)
    if _directory_entry("Workbook") in data or _directory_entry("Book") in data:
        return _refuse("exchange.really_xls", name)
    return _refuse("not_a_workbook", name)


def _inspect_zip(result: Package) -> Package:
    package, name, limits = result.zip, result.name, result.limits
    infos = package.infolist()
    names = [info.filename for info in infos]
    if len(names) != len(set(names)):
        # two parts of one name: which one a reader takes is up to the reader
        raise _refuse("corrupt_workbook", name)
    known = set(names)
    if "xl/workbook.xml" not in known:
        if "content.xml" in known or "mimetype" in known:
            raise _refuse("exchange.really_ods", name)
        if "xl/workbook.bin" in known:
            raise _refuse("exchange.really_xlsb", name)
        raise _refuse("not_a_workbook", name)
    if len(infos) > limits.parts:
        raise _refuse("exchange.too_many_parts", name, count=len(infos), limit=limits.parts)
    if any(info.file_size > limits.part_bytes for info in infos):
        raise _refuse("exchange.unpacks_too_large", name, limit=_megabytes(limits.part_bytes))
    if sum(info.file_size for info in infos) > limits.total_bytes:
        raise _refuse("exchange.unpacks_too_large", name, limit=_megabytes(limits.total_bytes))
    result.sheets = _sheet_parts(package, known, limits)
    sheet_parts = set(result.sheets.values())
    for info in infos:
        # zipfile unpacks no more than the size the zip announces (checked above) and then
        # checks the part's CRC-32: a zip that lies about a size is refused as damaged
        data = package.read(info)
        if info.filename == "xl/sharedStrings.xml":
            _check_shared_strings(data, name)
        elif info.filename in sheet_parts and len(data) <= KEEP_BYTES:
            result._xml[info.filename] = data
    result.tables = _table_parts(package, known, sheet_parts, limits)
    return result


def _read_small(package: zipfile.ZipFile, part: str, limits: Limits) -> bytes:
    """A part read whole (workbook, relationships, tables: small), never beyond the part limit."""
    with package.open(part) as stream:
        data = stream.read(limits.part_bytes + 1)
    if len(data) > limits.part_bytes:
        raise ValueError(part)
    return data


def _target(folder: str, target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))


def _sheet_parts(package: zipfile.ZipFile, known: set[str], limits: Limits) -> dict[str, str]:
    book = ElementTree.fromstring(_read_small(package, "xl/workbook.xml", limits))
    rels_part = "xl/_rels/workbook.xml.rels"
    rels = ElementTree.fromstring(_read_small(package, rels_part, limits)) if rels_part in known else None
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")} if rels is not None \
        else {}
    sheets = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        part = _target("xl", targets.get(sheet.get(f"{_REL}id"), ""))
        if part in known:
            sheets[sheet.get("name", "")] = part
    return sheets


def _table_parts(package: zipfile.ZipFile, known: set[str], sheet_parts: set[str], limits: Limits) -> dict:
    tables: dict[str, list[str]] = {}
    for part in sheet_parts:
        folder, file = posixpath.split(part)
        rels_part = posixpath.join(folder, "_rels", file + ".rels")
        if rels_part not in known:
            continue
        for rel in ElementTree.fromstring(_read_small(package, rels_part, limits)).iter(f"{_PKG_REL}Relationship"):
            if rel.get("Type", "").endswith("/table") and rel.get("TargetMode") != "External":
                tables.setdefault(part, []).append(_target(folder, rel.get("Target", "")))
    return tables


def _check_shared_strings(data: bytes, name: str) -> None:
    """Refuse a strings table announcing more strings than its bytes can hold (calamine
    reserves room for the announced number before reading any)."""
    root = _SST.search(data[:4096])
    announced = _UNIQUE.search(root.group(1)) if root else None
    if announced and int(announced.group(1)) > len(data) // SMALLEST_STRING_ITEM + 1:
        raise _refuse("corrupt_workbook", name)


def _quick_box(xml: bytes) -> tuple[int, int] | None:
    """The box around every cell of a sheet written the way spreadsheet programs write one
    (each cell ``<c r="A1"``, with ``r`` its first attribute and its only one), found with
    a few whole-array operations; None for any other sheet, which :func:`_scan_sheet` then
    reads exactly. Anything unusual (a namespace prefix, ``r`` given twice or elsewhere,
    spacing or quotes no spreadsheet program writes) makes the sheet "other"."""
    data = np.frombuffer(xml, dtype=np.uint8)
    space = (data == 32) | (data == 9) | (data == 10) | (data == 13)
    tag_end = space | (data == 47) | (data == 62)  # whitespace, "/" or ">" after a tag's name
    cells = _find(data, b"<c")
    cells = cells[tag_end[np.minimum(cells + 2, len(data) - 1)]]
    prefixed = _find(data, b":c")
    if prefixed.size and tag_end[np.minimum(prefixed + 2, len(data) - 1)].any():
        return None
    first = _find(data, b'<c r="')
    if first.size != cells.size:
        return None  # a cell whose r is not its first attribute, or written otherwise
    if _r_attributes(data, space) != first.size + xml.count(b'<row r="'):
        return None  # an r given twice, or somewhere a reader might take it from
    if not first.size:
        return (-1, -1)
    window = data[np.minimum(first[:, None] + 6 + np.arange(11), len(data) - 1)]
    upper, digit = (window >= 65) & (window <= 90), (window >= 48) & (window <= 57)
    letters = np.argmin(upper, axis=1)                            # where the column letters end
    after = ~digit & (np.arange(11)[None, :] >= letters[:, None])
    end = np.argmax(after, axis=1)                                # where the row digits end
    closed = window[np.arange(len(window)), end] == 34            # then the closing quote
    digits = end - letters
    if not ((letters >= 1) & (letters <= 3) & (digits >= 1) & (digits <= 7) & closed).all():
        return None
    if (window[np.arange(len(window)), letters] == 48).any():
        return None  # a row number with a leading zero (or row 0): not as programs write it
    # the largest numbers have the most digits (letters): work them out for those refs only
    longest = np.flatnonzero(digits == digits.max())
    width = int(digits.max())
    row_digits = window[longest[:, None], letters[longest][:, None] + np.arange(width)].astype(np.int64) - 48
    last_row = int((row_digits @ (10 ** np.arange(width - 1, -1, -1))).max()) - 1
    widest = np.flatnonzero(letters == letters.max())
    count = int(letters.max())
    col_letters = window[widest[:, None], np.arange(count)].astype(np.int64) - 64
    last_col = int((col_letters @ (26 ** np.arange(count - 1, -1, -1))).max()) - 1
    if last_row >= EXCEL_ROWS or last_col >= EXCEL_COLUMNS:
        return None
    return last_row, last_col


def _find(data: np.ndarray, pattern: bytes) -> np.ndarray:
    """Where ``pattern`` starts in ``data``."""
    size = len(data) - len(pattern) + 1
    if size <= 0:
        return np.empty(0, dtype=np.int64)
    found = data[:size] == pattern[0]
    for offset, byte in enumerate(pattern[1:], start=1):
        found &= data[offset:offset + size] == byte
    return np.flatnonzero(found)


def _r_attributes(data: np.ndarray, space: np.ndarray) -> int:
    """How many attributes named ``r`` the XML holds, however written: an ``r`` after
    whitespace or a quote, then ``=`` after any whitespace."""
    before = space[:-1] | (data[:-1] == 34) | (data[:-1] == 39)
    candidates = np.flatnonzero((data[1:] == 114) & before) + 1
    if not candidates.size:
        return 0
    solid = np.flatnonzero(~space)
    following = np.searchsorted(solid, candidates + 1)
    inside = following < solid.size
    return int((data[solid[np.minimum(following, solid.size - 1)]] == 61)[inside].sum())


def _scan_sheet(chunks, name: str, outside=None, found: list | None = None) -> tuple[int, int]:
    """The last row and column (0-based) of the sheet's cells holding something.

    Positions are followed exactly as calamine follows them: a cell's ``r`` gives its row
    and column; a cell without one sits at the row of its ``<row>`` element (the one after
    the previous row when that has no ``r`` either) and the column after the cell before;
    a self-closing cell is skipped. A cell holds something when any element opens inside
    it (a value, an inline string, a formula). With ``outside(row, col)``, every such cell
    for which it is true is added to ``found`` (stopping after a few). A position beyond
    Excel's grid, or one written in a way no spreadsheet program writes it, is refused.
    """
    tail = b""
    row, col, cell, holds = 0, 0, None, False
    last_row = last_col = -1
    for chunk in chunks:
        text = tail + chunk
        cut = text.rfind(b"<")  # "<" cannot occur inside a tag: every tag before the last "<" is whole
        body, tail = (text[:cut], text[cut:]) if cut >= 0 else (text, b"")
        for match in _TAG.finditer(body):
            closing, local, attributes = match.group(1), match.group(2), match.group(3)
            empty = attributes.endswith(b"/")
            if cell is not None:
                if local == b"c" and closing:
                    cell = None
                elif not closing and not empty and not holds:
                    holds = True  # a reader makes a cell of whatever opens inside it
                    last_row, last_col = max(last_row, cell[0]), max(last_col, cell[1])
                    if outside is not None and outside(*cell):
                        found.append(f"{column_letters(cell[1])}{cell[0] + 1}")
                        if len(found) >= 5:
                            return last_row, last_col
                continue
            if local == b"row" and not empty:  # calamine skips a self-closing row altogether
                if closing:
                    row, col = row + 1, 0
                elif (where := _position(attributes, name)) is not None:
                    row = _row_number(where, name)
            elif local == b"c" and not closing and not empty:
                where = _position(attributes, name)
                if where is not None:
                    letters, digits = _CELL.fullmatch(where).groups() if _CELL.fullmatch(where) else (None, None)
                    if letters is None:
                        raise _refuse("corrupt_workbook", name)
                    col = _column(letters)
                    cell = (_row_number(digits, name) if digits else row, col)
                else:
                    cell = (row, col)
                if not (0 <= cell[0] < EXCEL_ROWS and 0 <= cell[1] < EXCEL_COLUMNS):
                    raise _refuse("exchange.beyond_grid", name)
                col, holds = cell[1] + 1, False
    return last_row, last_col


_TAG = re.compile(rb"""<(/?)(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""")
_ATTRIBUTE = re.compile(rb"""([A-Za-z_][\w.:-]*)\s*=\s*("[^"]*"|'[^']*')""")
_CELL = re.compile(rb"\$?([A-Z]{1,3})\$?([0-9]*)")


def _position(attributes: bytes, name: str) -> bytes | None:
    """The ``r`` attribute's value; refused when given twice or written with entities."""
    values = [value[1:-1] for key, value in _ATTRIBUTE.findall(attributes) if key == b"r"]
    if len(values) > 1 or (values and b"&" in values[0]):
        raise _refuse("corrupt_workbook", name)
    return values[0].strip() if values else None


def _row_number(digits: bytes, name: str) -> int:
    if not digits.isdigit() or len(digits) > 8:
        raise _refuse("exchange.beyond_grid", name)
    return int(digits) - 1


def _column(letters: bytes) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ch - 64
    return index - 1
