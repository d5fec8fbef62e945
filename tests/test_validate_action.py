"""The "Validate workbook" ribbon button checks the open book and shows the result in its language."""
from __future__ import annotations

import datetime as dt
import os

from dealerxl.excel.ribbon import load_buttons, on_button
from dealerxl.forms import FORMS
from workbook_fixtures import StandInBook, labelled, settings_rows, write_workbook


def workbook(tmp_path, lang, contracts):
    forms = {form_id: [] for form_id in FORMS}
    forms["settings"] = settings_rows(lang)
    forms["dealer_contracts"] = labelled("dealer_contracts", contracts, lang)
    return write_workbook(tmp_path / f"book-{lang}.xlsx", forms, lang)


def contract(n, **changes):
    row = {"contract_id": f"C{n}", "dealer_id": f"D{n}", "contract_type": "agency", "start_date": dt.date(2026, 1, 1),
           "end_date": dt.date(2026, 12, 31), "auto_renew": "yes", "renewal_status": "not_due"}
    return {**row, **changes}


def test_validate_button_is_on_the_workbook_group():
    button = load_buttons()["validate"]
    assert (button.group, button.image_mso) == ("workbook", "ErrorChecking")


def test_clean_book_shows_no_problems(tmp_path):
    book = StandInBook(workbook(tmp_path, "zh-Hant", [contract(1)]))
    on_button("validate", book)
    assert book.app.alerts == [{"title": "檢查活頁簿", "prompt": "book-zh-Hant.xlsx：未發現問題"}]


def test_problems_are_counted_and_listed_with_their_cells_and_nothing_is_written(tmp_path):
    path = workbook(tmp_path, "en", [contract(1, deposit=-1), contract(1)])
    before = path.read_bytes(), os.stat(path).st_mtime_ns
    book = StandInBook(path)
    on_button("validate", book)
    (alert,) = book.app.alerts
    assert alert["title"] == "Validate workbook"
    assert alert["prompt"].splitlines() == [
        "book-en.xlsx: 2 problems found", "",
        'Contracts!J5: "Deposit" cannot be negative (-1)',
        "Contracts!A6: Duplicates A5: only one row may have the same Contract no."]
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before


def test_a_long_list_is_cut_with_a_count_of_the_rest(tmp_path):
    book = StandInBook(workbook(tmp_path, "zh-Hant", [contract(n, deposit=-1) for n in range(20)]))
    on_button("validate", book)
    lines = book.app.alerts[0]["prompt"].splitlines()
    assert lines[0] == "book-zh-Hant.xlsx：發現 20 個問題"
    assert len(lines) == 2 + 15 + 1 and lines[-1].startswith("……另有 5 個問題")
