"""The "Dealer statements" ribbon button: the statement workbook saved beside the open workbook."""
from __future__ import annotations

import shutil

import openpyxl
import pytest
from workbook_fixtures import WritableStandInBook

from dealerxl.excel.ribbon import load_buttons
from dealerxl.i18n import tr

MONTH = "2026-10"


@pytest.fixture
def book(sample_book, tmp_path):
    return shutil.copy(sample_book, tmp_path / "book.xlsx")


def test_the_button_is_in_the_report_group_with_its_labels():
    assert load_buttons()["statements"].group == "report"
    for lang in ("zh-Hant", "zh-Hans", "en"):
        assert tr("ribbon.statements", lang) and tr("ribbon.statements.tip", lang)


def test_button_saves_one_sheet_per_dealer_beside_the_workbook_and_says_where(book, tmp_path):
    from dealerxl.excel.actions.statements import statements_book

    stand_in = WritableStandInBook(book)
    message = statements_book(stand_in, MONTH)
    written = list((tmp_path / "reports").glob("*.xlsx"))
    assert len(written) == 1 and str(written[0]) in message
    assert stand_in.app.alerts[-1]["prompt"] == message
    assert stand_in.app.status_history[0] == tr("msg.statements.progress", "zh-Hant")
    assert stand_in.app.status_history[-1] is False
    assert len(openpyxl.load_workbook(written[0], read_only=True).sheetnames) > 1
    assert not [t for sheet in stand_in.sheets for t in sheet.tables if t.written]


def test_button_says_why_when_the_statements_cannot_be_made_and_writes_nothing(book, monkeypatch):
    from dealerxl.calc import CalcError
    from dealerxl.excel.actions.statements import statements_book
    from dealerxl.report import statements

    def fails(*args, **kwargs):
        raise CalcError("no dealers")

    monkeypatch.setattr(statements, "run_statements", fails)
    message = statements_book(WritableStandInBook(book), MONTH)
    assert "no dealers" in message
    assert not (book.parent / "reports").exists()
