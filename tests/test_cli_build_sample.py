"""The commands a new user runs first: build, sample and check."""
from __future__ import annotations

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from dealerxl.cli import main
from dealerxl.i18n import tr


@pytest.fixture(scope="module")
def sample_book(tmp_path_factory):
    path = tmp_path_factory.mktemp("sample") / "DealerWorkbook-sample.xlsm"
    assert main(["sample", "--size", "small", "--out", str(path)]) == 0
    return path


def test_sample_workbook_passes_its_own_check(sample_book, capsys):
    assert main(["check", str(sample_book)]) == 0


def test_sample_end_month_moves_the_data(tmp_path):
    path = tmp_path / "moved.xlsx"
    assert main(["sample", "--size", "small", "--out", str(path), "--end", "2025-06", "--lang", "en"]) == 0
    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name(tr("form.sales_transactions.sheet", "en")).to_python()
    header = rows[3]
    dates = pd.to_datetime([r[header.index(tr("col.invoice_date", "en"))] for r in rows[4:]])
    assert dates.max().strftime("%Y-%m") == "2025-06"


def test_sample_refuses_a_malformed_month(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["sample", "--out", str(tmp_path / "x.xlsx"), "--end", "2025-13"])


def test_build_writes_an_english_workbook_into_another_folder(tmp_path):
    assert main(["build", "--lang", "en", "--out", str(tmp_path)]) == 0
    book = CalamineWorkbook.from_path(str(tmp_path / "DealerWorkbook.xlsm"))
    assert book.sheet_names[0] == "Contents"
    assert (tmp_path / "templates" / "dealer_monthly.xlsx").exists()


def test_help_button_lists_every_button_in_the_workbook_language(tmp_path):
    from dealerxl.excel.actions.help import help_text
    from dealerxl.excel.ribbon import load_buttons

    text = help_text("en")
    for button in load_buttons().values():
        assert tr(f"ribbon.{button.id}", "en") in text
    assert "dealerxl --help" in text


def test_help_button_shows_a_message_box(tmp_path):
    from workbook_fixtures import StandInBook, write_workbook

    from dealerxl.excel.ribbon import on_button

    path = write_workbook(tmp_path / "book.xlsx", {"dealer_master": []}, "en")
    book = StandInBook(path)
    text = on_button("help", book)
    assert book.app.alerts and book.app.alerts[-1]["prompt"] == text
    assert book.app.alerts[-1]["title"] == tr("msg.app_title", "en")
    assert text.startswith(tr("msg.help_intro", "en"))
