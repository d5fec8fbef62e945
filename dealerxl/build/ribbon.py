"""The ribbon XML: one tab, groups and buttons from :func:`dealerxl.excel.ribbon.load_buttons`."""
from __future__ import annotations

from xml.sax.saxutils import quoteattr

from dealerxl.excel.ribbon import load_buttons
from dealerxl.i18n import tr

from .vba import ON_ACTION

NAMESPACE = "http://schemas.microsoft.com/office/2009/07/customui"


def ribbon_xml(lang: str) -> str:
    """customUI14.xml for the workbook's language; every button calls the one VBA dispatcher.

    A button's tooltip has a bold title (``screentip``: the button's label) and a body
    (``supertip``: what the button does, ``ribbon.<id>.tip``)."""
    groups: dict[str, list] = {}
    for button in load_buttons().values():
        groups.setdefault(button.group, []).append(button)
    lines = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
             f'<customUI xmlns="{NAMESPACE}">', "  <ribbon>", "    <tabs>",
             f'      <tab id="dealerxlTab" label={quoteattr(tr("ribbon.tab", lang))}>']
    for group, buttons in groups.items():
        lines.append(f'        <group id="dx_group_{group}" label={quoteattr(tr(f"ribbon_group.{group}", lang))}>')
        for b in buttons:
            label = quoteattr(tr(f"ribbon.{b.id}", lang))
            lines.append(
                f'          <button id="{b.id}" label={label} screentip={label} '
                f'supertip={quoteattr(tr(f"ribbon.{b.id}.tip", lang))} imageMso="{b.image_mso}" '
                f'size="large" onAction="{ON_ACTION}"/>')
        lines.append("        </group>")
    lines += ["      </tab>", "    </tabs>", "  </ribbon>", "</customUI>", ""]
    return "\n".join(lines)
