"""The package parts an openpyxl save leaves out, put back: the ribbon and the macro content type.

openpyxl keeps the VBA project (``keep_vba``) and even the ``customUI/`` part, but drops the
relationship in ``_rels/.rels`` that makes Excel load the ribbon; :func:`finish_package`
restores what the original file had, and applies chunked rewrites of sheet parts on the way.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path

RIBBON_FOLDER = "customUI/"
RIBBON_REL_TYPES = (
    "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility",
    "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility",
)
MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_RELATIONSHIP = re.compile(r"<Relationship\b[^>]*/>")


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name → its part in the package (``xl/worksheets/sheet3.xml``)."""
    from xml.etree import ElementTree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    relation = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as package:
        workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    parts = {}
    for sheet in workbook.iter(f"{main}sheet"):
        target = targets.get(sheet.get(relation), "")
        parts[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
            posixpath.join("xl", target))
    return parts


def finish_package(original: Path, saved: Path, rewrite: dict | None = None) -> None:
    """Put back into ``saved`` (rewritten in place) what openpyxl's save left out.

    Copies the original's ``customUI/`` (ribbon) parts byte for byte, the ribbon
    relationship(s) of ``_rels/.rels``, the content type overrides of those parts and the
    macro-enabled main content type when the original had it; ``rewrite`` maps a part name
    to a function taking its bytes and giving the new bytes in chunks.
    """
    rewrite = rewrite or {}
    with zipfile.ZipFile(original) as package:
        names = package.namelist()
        ribbon_parts = {n: package.read(n) for n in names if n.startswith(RIBBON_FOLDER)}
        rels = package.read("_rels/.rels").decode("utf-8") if "_rels/.rels" in names else ""
        types = package.read("[Content_Types].xml").decode("utf-8")
    ribbon_rels = [r for r in _RELATIONSHIP.findall(rels) if any(t in r for t in RIBBON_REL_TYPES)]
    ribbon_types = [o for o in re.findall(r"<Override\b[^>]*/>", types) if 'PartName="/customUI' in o]
    macro = MACRO_MAIN in types
    if not ribbon_parts and not macro and not rewrite:
        return
    temporary = saved.with_name(saved.name + ".part")
    try:
        with zipfile.ZipFile(saved) as package, zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
            for info in package.infolist():
                if info.filename.startswith(RIBBON_FOLDER):
                    continue
                data = package.read(info.filename)
                if info.filename == "[Content_Types].xml":
                    data = _with_types(data.decode("utf-8"), ribbon_types, macro).encode("utf-8")
                elif info.filename == "_rels/.rels":
                    data = _with_relationships(data.decode("utf-8"), ribbon_rels).encode("utf-8")
                elif info.filename in rewrite:
                    with target.open(info, "w", force_zip64=True) as stream:
                        for chunk in rewrite[info.filename](data):
                            stream.write(chunk)
                    continue
                target.writestr(info, data)
            for name, data in ribbon_parts.items():
                part = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                part.compress_type = zipfile.ZIP_DEFLATED
                target.writestr(part, data)
        temporary.replace(saved)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _with_relationships(rels: str, wanted: list[str]) -> str:
    """``rels`` with each wanted relationship present (by type and target), under a free id."""
    present = _RELATIONSHIP.findall(rels)
    ids = [int(n) for n in re.findall(r'Id="rId(\d+)"', rels)]
    next_id = max(ids, default=0) + 1
    for relationship in wanted:
        kind = re.search(r'Type="([^"]*)"', relationship).group(1)
        where = re.search(r'Target="([^"]*)"', relationship).group(1)
        if any(f'Type="{kind}"' in p and f'Target="{where}"' in p for p in present):
            continue
        rels = rels.replace("</Relationships>", f'<Relationship Id="rId{next_id}" Type="{kind}" '
                                                f'Target="{where}"/></Relationships>')
        next_id += 1
    return rels


def _with_types(types: str, overrides: list[str], macro: bool) -> str:
    for override in overrides:
        part = re.search(r'PartName="([^"]*)"', override).group(1)
        if f'PartName="{part}"' not in types:
            types = types.replace("</Types>", override + "</Types>")
    if macro:
        types = types.replace(PLAIN_MAIN, MACRO_MAIN)
    return types
