"""The messages of the workbook's data validation show bounds as a person writes them: only the
bound a column has, percentages as percentages, thousands separated, never an exponent."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from dealerxl.build.sheets import column_validation, written_bound
from dealerxl.forms import FORMS
from dealerxl.forms.model import Column
from dealerxl.i18n import LANGS

ROOT = Path(__file__).resolve().parents[1]
EXPONENT = re.compile(r"\d[eE][+-]?\d")


def checked(type_, low=None, high=None, lang="zh-Hant"):
    return column_validation(Column("amount", type_, min=low, max=high), lang)


def test_a_lower_bound_alone_is_said_alone_and_checked_as_at_least():
    check = checked("money", 0)
    assert (check["criteria"], check["value"]) == (">=", 0)
    assert check["error_message"] == "請輸入 0 以上的金額數字。"
    assert checked("int", 1, lang="en")["error_message"] == "Enter a whole number, 1 or more."
    assert checked("number", 1, lang="zh-Hans")["error_message"] == "请输入 1 以上的数字。"


def test_an_upper_bound_alone_is_said_alone_and_checked_as_at_most():
    check = checked("number", None, 1_000_000)
    assert (check["criteria"], check["value"]) == ("<=", 1_000_000)
    assert check["error_message"] == "請輸入 1,000,000 以下的數字。"


def test_both_bounds_are_written_as_a_person_writes_them():
    assert checked("percent", 0.5, 0.9999)["error_message"] == "請輸入 50% 到 99.99% 之間的百分比。"
    assert checked("int", 2000, 2100, "en")["error_message"] == "Enter a whole number from 2000 to 2100."
    assert checked("number", -0.25, 12_500.5, "en")["error_message"] == "Enter a number from -0.25 to 12,500.5."
    assert checked("number") is None  # no bound, no check


@pytest.mark.parametrize("lang", LANGS)
def test_no_form_column_shows_an_exponent_or_a_bound_it_does_not_have(lang):
    for form in FORMS.values():
        for column in form.columns:
            check = column_validation(column, lang)
            if not check or check["validate"] in ("list", "date"):
                continue
            message = check["error_message"]
            assert not EXPONENT.search(message), (form.id, column.id, message)
            bounds = [written_bound(b, column.type) for b in (column.min, column.max) if b is not None]
            assert re.findall(r"-?\d[\d,]*(?:\.\d+)?%?", message) == bounds, message  # the column's own bounds, no other


def test_the_built_workbook_carries_the_messages():
    with zipfile.ZipFile(ROOT / "DealerWorkbook.xlsm") as book:
        sheets = [book.read(name).decode("utf-8") for name in book.namelist()
                  if name.startswith("xl/worksheets/sheet")]
    messages = [m for sheet in sheets for m in re.findall(r'error="([^"]*)"', sheet)]
    assert messages and not any(EXPONENT.search(m) for m in messages)
    assert "請輸入 0 以上的金額數字。" in messages and "請輸入 0% 到 100% 之間的百分比。" in messages
    assert not any("1e+15" in sheet or "1E+15" in sheet or "-1000000000000000" in sheet for sheet in sheets)
