"""The workbook's ``xlwings.conf`` sheet, read and changed without Excel and without openpyxl.

xlwings reads the sheet's keys from A1 down to the first blank cell, values beside them,
and a key found there wins over the user's own xlwings settings even when its value is
blank. :func:`update_config_sheet` therefore rewrites the sheet as one block of keys that
all have a value: it sets the keys asked for and drops blank-valued rows.

Only that sheet's part of the package changes: its ``<sheetData>`` is written anew with
inline strings, every other part is copied byte for byte (charts, pivots, the VBA project
and the ribbon included), so nothing an openpyxl load and save would lose is at risk. As
for every in-place write (:mod:`dealerxl.book.in_place`), the workbook must not be open in
Excel or LibreOffice, the previous file is kept in ``.dealerxl-backup/`` beside it, and the
new file is written under a temporary name and renamed only when complete.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from dealerxl.book.in_place import keep_safety_copy, lock_files, lock_owner
from dealerxl.book.package_parts import finish_package, sheet_parts
from dealerxl.jobs.safety import atomic_write

CONFIG_SHEET = "xlwings.conf"


class ConfigSheetRefused(ValueError):
    """Nothing was written; ``key`` and ``fields`` name the message (``msg.excel_setup.*``)."""

    def __init__(self, key: str, /, **fields):
        self.key, self.fields = key, fields
        super().__init__(f"{key}: {fields}")


@dataclass
class ConfigUpdate:
    """What :func:`update_config_sheet` did: keys set, blank keys removed, the backup kept."""

    changed: list[tuple[str, str]] = field(default_factory=list)
    removed_blank: list[str] = field(default_factory=list)
    backup: Path | None = None

    @property
    def wrote(self) -> bool:
        return bool(self.changed or self.removed_blank)


def read_config_sheet(path: Path) -> list[tuple[str, str]] | None:
    """The sheet's (key, value) rows as xlwings sees them (A1 down to the first blank key);
    None when the workbook has no ``xlwings.conf`` sheet."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    if CONFIG_SHEET not in book.sheet_names:
        return None
    rows = []
    for row in book.get_sheet_by_name(CONFIG_SHEET).to_python(skip_empty_area=False):
        key = _text(row[0] if row else "")
        if not key:
            break
        rows.append((key, _text(row[1] if len(row) > 1 else "")))
    return rows


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def update_config_sheet(path: str | Path, values: dict[str, str]) -> ConfigUpdate:
    """Set ``values`` (key → value, keys compared without case) in the workbook's
    ``xlwings.conf`` sheet, drop its blank-valued rows, and save the workbook in place.

    Raises :class:`ConfigSheetRefused` (nothing written) when the file is missing, open in
    Excel, or has no such sheet.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigSheetRefused("msg.excel_setup.not_found", file=str(path))
    locks = lock_files(path)
    if locks:
        raise ConfigSheetRefused("msg.excel_setup.open_in_excel", file=path.name, owner=lock_owner(locks[0]) or "?")
    rows = read_config_sheet(path)
    if rows is None:
        raise ConfigSheetRefused("msg.excel_setup.no_config_sheet", file=path.name)
    update = ConfigUpdate()
    wanted = {key.casefold(): (key, value) for key, value in values.items()}
    new_rows = []
    for key, value in rows:
        if key.casefold() in wanted:
            new_key, new_value = wanted.pop(key.casefold())
            if new_value != value:
                update.changed.append((key, new_value))
            value = new_value
        if value:
            new_rows.append((key, value))
        else:
            update.removed_blank.append(key)
    for key, value in wanted.values():
        new_rows.append((key, value))
        update.changed.append((key, value))
    if not update.wrote:
        return update
    part = sheet_parts(path)[CONFIG_SHEET]
    update.backup = keep_safety_copy(path)
    with atomic_write(path) as temporary:
        shutil.copyfile(path, temporary)
        finish_package(path, temporary, {part: lambda data: [_with_rows(data.decode("utf-8"), new_rows).encode("utf-8")]})
    return update


def _with_rows(xml: str, rows: list[tuple[str, str]]) -> str:
    """The sheet part with its cells replaced by ``rows`` (A: key, B: value, inline strings)."""
    cells = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t xml:space="preserve">{escape(key)}</t></is></c>'
        f'<c r="B{n}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c></row>'
        for n, (key, value) in enumerate(rows, 1))
    # A function as replacement: Windows paths hold backslashes that re would read as escapes.
    xml, count = re.subn(r"<sheetData\s*/>|<sheetData>.*?</sheetData>", lambda _: f"<sheetData>{cells}</sheetData>",
                         xml, count=1, flags=re.DOTALL)
    if count != 1:
        raise ValueError(f"{CONFIG_SHEET}: no sheetData element")
    dimension = f'<dimension ref="A1:B{max(len(rows), 1)}"/>'
    return re.sub(r"<dimension\b[^>]*/>", lambda _: dimension, xml, count=1)
