"""``dealerxl report`` and the 月報 ribbon button: where the report goes and what is said."""
from __future__ import annotations

import hashlib
import json
import shutil

import openpyxl
import pytest
from workbook_fixtures import WritableStandInBook

from dealerxl.cli import main
from dealerxl.excel.ribbon import load_buttons
from dealerxl.i18n import tr

MONTH = "2026-10"


@pytest.fixture
def book(sample_book, tmp_path):
    return shutil.copy(sample_book, tmp_path / "book.xlsx")


def digest(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_command_writes_the_report_in_reports_next_to_the_workbook_and_leaves_it_unchanged(book, tmp_path, capsys):
    before = digest(book)
    assert main(["report", str(book), "--month", MONTH]) == 0
    written = tmp_path / "reports" / f"月報_{MONTH}.xlsx"
    assert written.exists() and digest(book) == before
    printed = capsys.readouterr().out
    assert str(written) in printed and "月報" in printed
    assert len(openpyxl.load_workbook(written, read_only=True).sheetnames) == 8


def test_english_json_names_the_english_file_in_the_folder_given(book, tmp_path, capsys):
    out = tmp_path / "monthly"
    out.mkdir()
    assert main(["report", str(book), "--month", MONTH, "--out", str(out), "--json", "--lang", "en"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert done["outputs"] == [str(out / f"Monthly report_{MONTH}.xlsx")]
    assert done["summary"]["figures"]["revenue"] > 0
    assert openpyxl.load_workbook(done["outputs"][0], read_only=True).sheetnames[0] == "Summary"


def test_a_month_that_is_no_month_writes_nothing_and_exits_with_two(book, tmp_path, capsys):
    assert main(["report", str(book), "--month", "2026-13"]) == 2
    assert "YYYY-MM" in capsys.readouterr().err
    assert not (tmp_path / "reports").exists()


class OpenedBooks:
    """``app.books`` of xlwings: records the files opened."""

    def __init__(self):
        self.opened: list[str] = []

    def open(self, path):
        self.opened.append(path)


def test_button_says_why_when_the_report_cannot_be_worked_out(book, monkeypatch):
    from dealerxl.calc import CalcError
    from dealerxl.excel.actions.report import make_report
    from dealerxl.report import monthly

    def fails(*args, **kwargs):
        raise CalcError("no sales")

    monkeypatch.setattr(monthly, "run_monthly_report", fails)
    stand_in = WritableStandInBook(book)
    stand_in.app.books = OpenedBooks()
    message = make_report(stand_in, MONTH)
    assert "no sales" in message and stand_in.app.books.opened == []
    assert not (book.parent / "reports").exists()


def test_the_button_is_on_the_ribbon_with_its_labels():
    assert load_buttons()["monthly_report"].group == "report"
    assert tr("ribbon.monthly_report", "zh-Hant") == "月報"
    assert tr("ribbon.monthly_report.tip", "en")


def test_button_saves_the_report_beside_the_workbook_opens_it_and_says_where(book, tmp_path):
    from dealerxl.excel.actions.report import make_report

    stand_in = WritableStandInBook(book)
    stand_in.app.books = OpenedBooks()
    message = make_report(stand_in, MONTH)
    written = tmp_path / "reports" / f"月報_{MONTH}.xlsx"
    assert written.exists()
    assert stand_in.app.books.opened == [str(written)]
    assert str(written) in message
    assert stand_in.app.alerts[-1]["prompt"] == message
    assert stand_in.app.status_history[0] == tr("msg.monthly_report.progress", "zh-Hant")
    assert stand_in.app.status_history[-1] is False
    # The open workbook's tables are not written to.
    assert not [t for sheet in stand_in.sheets for t in sheet.tables if t.written]
