"""Crafting returned files the way an attacker would: parts of the package edited directly."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path


def rewrite(path: Path, out: Path, changes: dict) -> Path:
    """``path`` with parts changed: each of ``changes`` maps a part name to new bytes, a
    function of the old bytes, or None to leave the part out; new names are added."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    for name, change in changes.items():
        if change is None:
            parts.pop(name, None)
        else:
            parts[name] = change(parts[name]) if callable(change) else change
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return out


def form_sheet_part(path: Path) -> str:
    """The part of the first worksheet (the issued form's sheet)."""
    with zipfile.ZipFile(path) as package:
        return min(n for n in package.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))


def table_part(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return next(n for n in package.namelist() if n.startswith("xl/tables/"))


def add_rows(xml: bytes, rows: bytes) -> bytes:
    """Sheet XML with ``rows`` (``<row>`` elements) added at the end of its data."""
    if b"</sheetData>" in xml:
        return xml.replace(b"</sheetData>", rows + b"</sheetData>", 1)
    return xml.replace(b"<sheetData/>", b"<sheetData>" + rows + b"</sheetData>", 1)


def text_cell(address: str, text: str) -> bytes:
    from xml.sax.saxutils import escape

    return f'<c r="{address}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'.encode()


def number_cell(address: str, text: str) -> bytes:
    return f'<c r="{address}"><v>{text}</v></c>'.encode()


def set_cell(xml: bytes, address: str, cell: bytes) -> bytes:
    """Sheet XML with the cell at ``address`` replaced by ``cell`` (it must exist)."""
    pattern = re.compile(rb'<c r="' + address.encode() + rb'"[^>]*?(/>|>.*?</c>)', re.S)
    changed, count = pattern.subn(lambda _: cell, xml, count=1)
    assert count == 1, address
    return changed
