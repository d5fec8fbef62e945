"""The workbook's language comes from DX_LANG, else from its sheet names, else zh-Hant."""
from __future__ import annotations

import pytest

from dealerxl.book import workbook_language
from workbook_fixtures import write_workbook

FORMS = {"dealer_master": [], "dealer_contracts": [], "settings": []}


@pytest.mark.parametrize("lang", ["zh-Hant", "zh-Hans", "en"])
def test_language_declared_by_the_defined_name(tmp_path, lang):
    # Sheets in English but DX_LANG says otherwise: the declaration wins.
    path = write_workbook(tmp_path / "book.xlsx", FORMS, "en", declare_lang=lang)
    assert workbook_language(path) == lang


def test_language_recognised_from_sheet_names_when_not_declared(tmp_path):
    path = write_workbook(tmp_path / "book.xlsx", FORMS, "zh-Hans", declare_lang=False)
    assert workbook_language(path) == "zh-Hans"


def test_unknown_sheets_fall_back_to_traditional_chinese(tmp_path):
    path = write_workbook(tmp_path / "book.xlsx", {"dealer_master": []}, "en", declare_lang=False,
                          sheet_names={"dealer_master": "Data"})
    assert workbook_language(path) == "zh-Hant"


def test_missing_file_is_named(tmp_path, capsys):
    from dealerxl.cli import main

    assert main(["check", str(tmp_path / "nowhere.xlsm")]) == 2  # nothing could be checked, as in every command
    assert capsys.readouterr().out.splitlines() == ["nowhere.xlsm: 找不到檔案 nowhere.xlsm"]
