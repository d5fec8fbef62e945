"""Looking at a returned file's package before any reader allocates anything for it.

A returned file is written outside the company, so its parts are checked with bounded
work first (:func:`inspect`), and only a file that passes is opened with python-calamine:

* what the file really is, from its bytes, whatever its name says: an Office Open XML
  workbook is read; an old ``.xls`` book, an OpenDocument ``.ods`` sheet or a binary
  ``.xlsb`` book renamed ``.xlsx`` is named as what it is; a password-protected or
  damaged file as such;
* the size of the file, the number of parts and each part's size when unpacked, counted
  while unpacking (a zip's own size fields can lie), so a zip bomb is refused after
  reading at most :attr:`Limits.part_bytes` of it, and every part's checksum (CRC-32);
* the shared-strings table's announced length, which calamine reserves memory for before
  reading a single string;
* in every worksheet, the box around the cells that hold something: calamine allocates a
  cell for every position of that box, so one value at ``XFD1048576`` would ask for
  hundreds of gigabytes. :func:`cells_outside` names the cells beyond what was issued.

Nothing here holds more than one part's chunk in memory at a time.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from dealerxl.book import Problem
from dealerxl.book.problems import column_letters

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
CHUNK = 1 << 20
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
            self._xml[part] = b"".join(_chunks(self.zip, self.zip.getinfo(part), self.limits, self.name))
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
KEEP_BYTES = 16 << 20  # sheet parts up to this size are kept from the size check for the box


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
    total = 0
    for info in infos:
        if info.filename == "xl/sharedStrings.xml":
            size = _check_shared_strings(package, info, limits, name)
        elif info.filename in sheet_parts and info.file_size <= KEEP_BYTES:
            result._xml[info.filename] = b"".join(_chunks(package, info, limits, name))
            size = len(result._xml[info.filename])
        else:
            size = _unpacked_size(package, info, limits, name)
        total += size
        if total > limits.total_bytes:
            raise _refuse("exchange.unpacks_too_large", name, limit=_megabytes(limits.total_bytes))
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


def _chunks(package: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, name: str):
    """The part unpacked a chunk at a time; refused once it grows beyond the part limit.
    zipfile checks the CRC-32 when the part ends, and stops at the size the zip announces."""
    size = 0
    with package.open(info) as stream:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limits.part_bytes:
                raise _refuse("exchange.unpacks_too_large", name, limit=_megabytes(limits.part_bytes))
            yield chunk


def _unpacked_size(package: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, name: str) -> int:
    return sum(len(chunk) for chunk in _chunks(package, info, limits, name))


def _check_shared_strings(package: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, name: str) -> int:
    """The strings table's size; refused when it announces more strings than its bytes can hold
    (calamine reserves room for the announced number before reading any)."""
    size, head = 0, b""
    for chunk in _chunks(package, info, limits, name):
        if len(head) < 4096:
            head += chunk[:4096]
        size += len(chunk)
    root = _SST.search(head)
    announced = _UNIQUE.search(root.group(1)) if root else None
    if announced and int(announced.group(1)) > size // SMALLEST_STRING_ITEM + 1:
        raise _refuse("corrupt_workbook", name)
    return size


def _quick_box(xml: bytes) -> tuple[int, int] | None:
    """The box around every cell of a sheet written the way spreadsheet programs write one
    (each cell's ``r`` its first attribute and its only one), at the speed of two regular
    expressions; None for any other sheet, which :func:`_scan_sheet` then reads exactly."""
    cells = _CELL_TAG.findall(xml)
    if any(prefix or not letters for prefix, letters, _ in cells):
        return None  # a cell without r first, or one with a namespace prefix
    if len(_ANY_R.findall(xml)) != len(cells) + xml.count(b'<row r="'):
        return None  # an r given twice, or somewhere a reader might take it from
    if not cells:
        return (-1, -1)
    last_row = max(map(int, (digits for _, _, digits in cells))) - 1
    last_col = max(_column(letters) for letters in {letters for _, letters, _ in cells})
    if last_row >= EXCEL_ROWS or last_col >= EXCEL_COLUMNS:
        return None
    return last_row, last_col


# every cell element; its column letters and row digits when r comes first, written plainly
_CELL_TAG = re.compile(rb'<(?:([A-Za-z_][\w.-]*):)?c(?: r="([A-Z]{1,3})([1-9][0-9]{0,6})")?[\s/>]')
_ANY_R = re.compile(rb"\sr\s*=")


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
