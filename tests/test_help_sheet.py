"""The hidden sheet that Excel's Insert Function help is read from, in the workbook's language."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dealerxl.build import help_sheet
from dealerxl.build.help_sheet import HEADER, MAX_HELP_TEXT, help_rows
from dealerxl.build.layout import HELP_SHEET
from dealerxl.build.vba import UDF_MODULE_NAME
from dealerxl.excel.functions import UDFS
from dealerxl.i18n import LANGS, tr

MASTER = Path(__file__).resolve().parents[1] / "DealerWorkbook.xlsm"


@pytest.fixture(scope="module")
def sheet():
    return load_workbook(MASTER)[HELP_SHEET]


def test_the_help_sheet_is_hidden_and_holds_every_function_in_name_order(sheet):
    assert sheet.sheet_state == "hidden"
    rows = [row for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:len(HEADER)] == HEADER
    assert [row[0] for row in rows[1:]] == sorted(UDFS)


def test_each_row_holds_the_translation_tables_texts_in_the_workbooks_language(sheet):
    for row in sheet.iter_rows(min_row=2, values_only=True):
        name, description, category, count, *arguments = row
        info = UDFS[name]
        assert description == tr(f"udf.{name}", "zh-Hant")
        assert category == tr("udf.category", "zh-Hant")
        assert count == len(info.args)
        assert [a for a in arguments if a is not None] == [tr(f"udf.{name}.{arg}", "zh-Hant") for arg in info.args]


def test_argument_descriptions_line_up_with_the_vba_wrappers_parameters(sheet):
    """Excel matches ArgumentDescriptions to the VBA function's parameters by position."""
    from support.vba_compile import workbook_modules

    wrappers = workbook_modules(MASTER)[UDF_MODULE_NAME]
    for row in sheet.iter_rows(min_row=2, values_only=True):
        parameters = re.search(rf"(?m)^Function {row[0]}\((.*)\)\r?$", wrappers).group(1)
        assert len(parameters.split(", ")) == row[3], row[0]


@pytest.mark.parametrize("lang", LANGS)
def test_every_text_fits_excels_function_help_in_every_language(lang):
    for row in help_rows(UDFS, lang):
        for text in [row[1], row[2], *row[4:]]:
            assert 1 <= len(text) <= MAX_HELP_TEXT, (row[0], text)


def test_a_text_too_long_for_excel_stops_the_build(monkeypatch):
    monkeypatch.setattr(help_sheet, "tr", lambda key, lang: "x" * (MAX_HELP_TEXT + 1))
    with pytest.raises(ValueError, match="256 characters; Excel shows 1 to 255"):
        help_rows(UDFS, "en")


def test_the_vba_module_stays_ascii_while_the_help_is_chinese(sheet):
    from support.vba_compile import workbook_modules

    assert sheet["B2"].value != sheet["B2"].value.encode("ascii", "ignore").decode()
    for name, source in workbook_modules(MASTER).items():
        assert source.isascii(), name
    assert UDF_MODULE_NAME in workbook_modules(MASTER)
