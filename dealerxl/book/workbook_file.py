"""A workbook file as a :class:`~dealerxl.book.grid.WorkbookSource`, read with python-calamine.

Opening checks what the file is before handing it to calamine, so a user hears "this is
password-protected" or "this file is damaged" rather than a library error:

* an OLE compound file (signature ``D0 CF 11 E0``) holding an ``EncryptionInfo`` stream is
  an encrypted (password-protected) Office file (MS-OFFCRYPTO 2.3.4); one holding a
  ``Workbook`` stream is an old ``.xls`` book; any other (a Word file…) is not a workbook;
* a zip that cannot be opened (e.g. cut short by a copy) is damaged;
* anything else is not a workbook.

calamine turns Excel error cells into blanks, so for ``.xlsx``/``.xlsm`` the error cells
(``t="e"``) are taken from the sheet XML and put back into the grid as their text. The
workbook's defined names (``DX_LANG``) also come from ``xl/workbook.xml``, and where each
Excel Table sits from the table parts.

A form in an Excel Table is first read as typed columns with fastexcel (numbers, text and
dates straight into arrays, about twice as fast as a Python value per cell, and smaller);
a table it cannot read faithfully (a column mixing kinds of cell, an error cell) is read
cell by cell instead, which gives the same result.
"""
from __future__ import annotations

import logging
import posixpath
import re
import zipfile
from functools import cached_property
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import python_calamine

try:  # typed columns without a Python object per cell; without them every sheet is read cell by cell
    import fastexcel
    import pyarrow
except ImportError:  # pragma: no cover - both are dependencies; a trimmed install still reads
    fastexcel = pyarrow = None
else:
    # fastexcel warns of each column whose kind of cell it cannot tell; such a column is read cell
    # by cell here, so the warning says nothing to the person running a job.
    logging.getLogger("fastexcel").setLevel(logging.ERROR)

from .grid import Grid, TableRef
from .problems import Problem, WorkbookUnreadable

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ERROR_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)(\d+)"[^>]*?\bt="e"[^>]*>(?:(?!</c>).)*?<v>([^<]*)</v>', re.S)
_ERROR_CELL_T_FIRST = re.compile(rb'<c\b[^>]*?\bt="e"[^>]*?\br="([A-Z]+)(\d+)"[^>]*>(?:(?!</c>).)*?<v>([^<]*)</v>', re.S)


def _unreadable(code: str, path: Path) -> WorkbookUnreadable:
    return WorkbookUnreadable(Problem(code, file=path.name, fields={"file": path.name}))


def _directory_entry(name: str) -> bytes:
    """How an OLE directory entry for stream ``name`` starts: the name in UTF-16LE padded to
    64 bytes, then its length in bytes including the terminating zero (MS-CFB 2.6.1)."""
    encoded = name.encode("utf-16-le")
    return encoded + b"\x00" * (64 - len(encoded)) + (len(encoded) + 2).to_bytes(2, "little")


_CELL_REF = re.compile(r"\$?([A-Z]+)\$?(\d+)")


def _table_ref(sheet: str, table: ElementTree.Element) -> TableRef | None:
    """Where a table part's header row sits (0-based), and its column names. With no
    header row (``headerRowCount="0"``) the row above the data is where headers would be."""
    corners = _CELL_REF.findall(table.get("ref", "").upper())
    if len(corners) != 2:
        return None
    (first_letters, first_row), (last_letters, _) = corners
    header_rows = int(table.get("headerRowCount", "1") or 1)
    header_row = int(first_row) - 1 + header_rows - 1
    names = tuple(column.get("name", "") for column in table.iter(f"{_MAIN}tableColumn")) if header_rows else ()
    return TableRef(sheet, header_row, _column_index(first_letters.encode()),
                    _column_index(last_letters.encode()), names)


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1


class WorkbookFile:
    """A workbook on disk. Nothing is ever written to it."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.label = self.path.name
        if not self.path.is_file():
            raise _unreadable("file_not_found", self.path)
        with open(self.path, "rb") as handle:
            signature = handle.read(8)
        if signature.startswith(OLE_SIGNATURE):
            data = self.path.read_bytes()
            if _directory_entry("EncryptionInfo") in data or _directory_entry("EncryptedPackage") in data:
                raise _unreadable("password_protected", self.path)
            if _directory_entry("Workbook") not in data and _directory_entry("Book") not in data:
                raise _unreadable("not_a_workbook", self.path)  # a Word or other Office file
        elif signature.startswith(ZIP_SIGNATURE):
            try:
                with zipfile.ZipFile(self.path) as package:
                    names = package.namelist()
            except (zipfile.BadZipFile, OSError, EOFError):
                raise _unreadable("corrupt_workbook", self.path) from None
            if "xl/workbook.xml" not in names and "content.xml" not in names and "xl/workbook.bin" not in names:
                raise _unreadable("not_a_workbook", self.path)
        else:
            raise _unreadable("not_a_workbook", self.path)
        self._zip_ok = signature.startswith(ZIP_SIGNATURE)
        try:
            self._book = python_calamine.CalamineWorkbook.from_path(str(self.path))
        except python_calamine.PasswordError:
            raise _unreadable("password_protected", self.path) from None
        except Exception:  # calamine raises several unrelated types for damaged files
            try:
                self._book = python_calamine.CalamineWorkbook.from_path(str(self.path))
            except Exception:
                raise _unreadable("corrupt_workbook", self.path) from None
        self._grids: dict[str, Grid] = {}

    @property
    def sheet_names(self) -> list[str]:
        return list(self._book.sheet_names)

    def grid(self, sheet: str) -> Grid:
        if sheet not in self._grids:
            try:
                rows = self._book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            except Exception:
                raise _unreadable("corrupt_workbook", self.path) from None
            self._put_back_errors(sheet, rows)
            self._grids[sheet] = Grid(sheet, rows, (0, 0))
        return self._grids[sheet]

    def table(self, name: str) -> TableRef | None:
        return self._package_parts["tables"].get(name.casefold())

    def typed_columns(self, sheet: str, header_row: int, names: list[str]) -> dict[str, pd.Series] | None:
        """The named columns of the rows below ``header_row`` as typed columns (numbers as
        floats, text as strings, dates as datetimes, blanks missing), read by fastexcel without
        making a Python object of every cell.

        None when that cannot be done faithfully, and the caller reads the sheet cell by cell:
        fastexcel or pyarrow not installed, a column holding more than one kind of cell (a
        number typed as text among numbers), an error cell in one of the columns (only the
        cell by cell reading puts its ``#N/A`` back), or headers not found as given.
        """
        if not self._zip_ok or not names or fastexcel is None:
            return None
        try:
            loaded = self._fast_reader.load_sheet(
                sheet, header_row=header_row, use_columns=list(names), dtype_coercion="strict",
                schema_sample_rows=None)
            batch, unreadable = loaded.to_arrow_with_errors()  # error cells (#N/A…) are listed here
        except Exception:  # fastexcel raises its own types for mixed columns and odd sheets
            return None
        if unreadable is not None and unreadable.errors:
            return None
        if list(batch.schema.names) != list(names):
            return None
        columns = {}
        for name, array in zip(batch.schema.names, batch.columns):
            column = _typed_series(array)
            if column is None:
                return None
            columns[name] = column
        return columns

    @cached_property
    def _package(self) -> zipfile.ZipFile:
        """The package opened once for the sheets' error cells (its directory read once), kept
        while this object lives, as calamine keeps the file."""
        return zipfile.ZipFile(self.path)

    @cached_property
    def _fast_reader(self):
        """fastexcel's reader, opened once like calamine's book (and like it, kept while this
        object lives)."""
        return fastexcel.read_excel(str(self.path))

    def forget_grid(self, sheet: str) -> None:
        """Let go of a sheet's cells once its form is read (a large sheet's cells as Python
        objects take several times the file's size); a later :meth:`grid` reads it again."""
        self._grids.pop(sheet, None)

    def defined_name(self, name: str) -> str | None:
        return self._package_parts["names"].get(name.casefold())

    # ---- the parts of an .xlsx package calamine does not expose ------------------------------

    @cached_property
    def _package_parts(self) -> dict:
        parts: dict = {"names": {}, "sheets": {}, "tables": {}}
        if not self._zip_ok:
            return parts
        try:
            with zipfile.ZipFile(self.path) as package:
                workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
                rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
        except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
            return parts
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL}Relationship")}
        for sheet in workbook.iter(f"{_MAIN}sheet"):
            target = targets.get(sheet.get(f"{_REL}id"), "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            parts["sheets"][sheet.get("name")] = path
        for defined in workbook.iter(f"{_MAIN}definedName"):
            text = (defined.text or "").strip().lstrip("=").strip()
            if len(text) >= 2 and text[0] == text[-1] == '"':
                text = text[1:-1].replace('""', '"')
            parts["names"][defined.get("name", "").casefold()] = text
        parts["tables"] = self._tables(parts["sheets"])
        return parts

    def _tables(self, sheet_parts: dict[str, str]) -> dict[str, TableRef]:
        """Excel Tables by name (case-insensitive, as Excel treats them), from each sheet's
        relationships and the table parts (ECMA-376 Part 1, 18.5.1.2): reading these few
        small parts is far cheaper than asking calamine, which loads every table's cells."""
        tables: dict[str, TableRef] = {}
        try:
            with zipfile.ZipFile(self.path) as package:
                names = set(package.namelist())
                for sheet, part in sheet_parts.items():
                    folder, file = posixpath.split(part)
                    rels_part = posixpath.join(folder, "_rels", file + ".rels")
                    if rels_part not in names:
                        continue
                    for rel in ElementTree.fromstring(package.read(rels_part)).iter(f"{_PKG_REL}Relationship"):
                        if not rel.get("Type", "").endswith("/table") or rel.get("TargetMode") == "External":
                            continue
                        target = rel.get("Target", "")
                        table_part = target.lstrip("/") if target.startswith("/") else \
                            posixpath.normpath(posixpath.join(folder, target))
                        if table_part not in names:
                            continue
                        table = ElementTree.fromstring(package.read(table_part))
                        ref = _table_ref(sheet, table)
                        for name in (table.get("name"), table.get("displayName")):
                            if ref is not None and name:
                                tables.setdefault(name.casefold(), ref)
        except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
            return tables
        return tables

    def _put_back_errors(self, sheet: str, rows: list[list]) -> None:
        part = self._package_parts["sheets"].get(sheet)
        if not part:
            return
        try:
            if not _holds_error_cells(self._package, part):
                return
            xml = self._package.read(part)
        except (KeyError, zipfile.BadZipFile, OSError):
            return
        put_back_errors(xml, rows)


def put_back_errors(xml: bytes, rows: list[list]) -> None:
    """Excel's error cells (``t="e"``) of a sheet's XML put into its ``rows`` as their text
    (calamine reads them as blanks)."""
    for pattern in (_ERROR_CELL, _ERROR_CELL_T_FIRST):
        for letters, row, value in pattern.findall(xml):
            r, c = int(row) - 1, _column_index(letters)
            if r < len(rows) and c < len(rows[r]):
                rows[r][c] = value.decode("utf-8", "replace")


_ERROR_TYPE = b't="e"'
_CHUNK = 1 << 22


def _holds_error_cells(package: zipfile.ZipFile, part: str) -> bool:
    """Whether a sheet part has any error cell, read in pieces so a large sheet's XML is
    never held whole just to find that it has none."""
    tail = b""
    with package.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            if _ERROR_TYPE in tail + chunk[:len(_ERROR_TYPE)] or _ERROR_TYPE in chunk:
                return True
            tail = chunk[-(len(_ERROR_TYPE) - 1):]
    return False


def _typed_series(array) -> pd.Series | None:
    """One Arrow column as the pandas column the reader's fast paths take, or None for a kind
    of column they do not (durations, nested values)."""
    kind = array.type
    if pyarrow.types.is_floating(kind) or pyarrow.types.is_integer(kind):
        return pd.Series(array.to_numpy(zero_copy_only=False), dtype="float64")
    if pyarrow.types.is_string(kind) or pyarrow.types.is_large_string(kind):
        # Kept in Arrow: the reader finds each distinct text once there (cheap) and makes
        # Python strings only of those.
        return pd.Series(pd.arrays.ArrowStringArray(array))
    if pyarrow.types.is_timestamp(kind) or pyarrow.types.is_date(kind):
        return pd.Series(array.to_pandas()).astype("datetime64[ms]")
    if pyarrow.types.is_boolean(kind) or pyarrow.types.is_null(kind):
        return pd.Series(array.to_pylist(), dtype=object)
    return None
