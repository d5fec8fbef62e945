"""The last step on the zip package: the ribbon part, its relationship and the
macro-enabled content type.

This runs after every other writer (XlsxWriter, pyopenvba), because they do not know the
ribbon part and openpyxl would drop its relationship on save.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

RIBBON_PART = "customUI/customUI14.xml"
RIBBON_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
PLAIN_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def _with_ribbon_relationship(rels: str) -> str:
    if RIBBON_REL_TYPE in rels:
        return rels
    ids = [int(n) for n in re.findall(r'Id="rId(\d+)"', rels)]
    new = (f'<Relationship Id="rId{max(ids, default=0) + 1}" Type="{RIBBON_REL_TYPE}" '
           f'Target="{RIBBON_PART}"/>')
    return rels.replace("</Relationships>", new + "</Relationships>")


def finish_macro_package(path: Path, ribbon_xml: str) -> None:
    """Add the ribbon and mark the workbook macro-enabled, rewriting the zip in place."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info.filename)) for info in source.infolist()]
    temporary = path.with_name(path.name + ".part")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == RIBBON_PART:
                continue
            if info.filename == "[Content_Types].xml":
                data = data.decode("utf-8").replace(PLAIN_MAIN, MACRO_MAIN).encode("utf-8")
            elif info.filename == "_rels/.rels":
                data = _with_ribbon_relationship(data.decode("utf-8")).encode("utf-8")
            target.writestr(info, data)
        ribbon = zipfile.ZipInfo(RIBBON_PART, date_time=(1980, 1, 1, 0, 0, 0))
        ribbon.compress_type = zipfile.ZIP_DEFLATED
        target.writestr(ribbon, ribbon_xml.encode("utf-8"))
    temporary.replace(path)
