"""The ribbon XML: tooltips with a title and a body, and icons Excel really has."""
from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree

import pytest

from dealerxl.build.ribbon import ribbon_xml
from dealerxl.excel.ribbon import load_buttons
from dealerxl.i18n import LANGS, tr

CONTROL_IDS = Path(__file__).parent / "support" / "office_excel_control_ids.txt"


def published_control_ids() -> set[str]:
    lines = CONTROL_IDS.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def ribbon_buttons(lang: str) -> list[ElementTree.Element]:
    return ElementTree.fromstring(ribbon_xml(lang).encode("utf-8")).findall(".//{*}button")


def test_the_published_list_extract_is_what_it_claims():
    ids = published_control_ids()
    assert len(ids) > 1500
    assert {"FileSave", "Help", "RefreshAll", "ChartInsert"} <= ids


def test_every_icon_is_an_office_control_id_that_excel_2016_and_365_publish():
    unknown = {b.id: b.image_mso for b in load_buttons().values() if b.image_mso not in published_control_ids()}
    assert unknown == {}


def test_no_two_buttons_share_an_icon():
    icons = [b.image_mso for b in load_buttons().values()]
    assert len(icons) == len(set(icons)), sorted(i for i in icons if icons.count(i) > 1)


@pytest.mark.parametrize("lang", LANGS)
def test_the_tooltip_title_is_the_label_and_the_description_goes_below_it(lang):
    buttons = ribbon_buttons(lang)
    assert sorted(b.get("id") for b in buttons) == sorted(load_buttons())
    for button in buttons:
        name = button.get("id")
        assert button.get("screentip") == button.get("label") == tr(f"ribbon.{name}", lang)
        assert button.get("supertip") == tr(f"ribbon.{name}.tip", lang)
        assert all(len(button.get(attribute)) <= 1024 for attribute in ("label", "screentip", "supertip"))
