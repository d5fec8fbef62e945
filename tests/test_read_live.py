"""The live-Excel adapter reads an open book into the same grids, so it finds the same problems."""
from __future__ import annotations

import datetime as dt

from dealerxl.book import read_form, read_workbook
from dealerxl.excel.live import LiveBook
from workbook_fixtures import ExcelError, StandInBook, labelled, write_workbook

ROWS = [{"contract_id": "C1", "dealer_id": "D1", "contract_type": "agency", "start_date": dt.date(2026, 1, 1),
         "end_date": dt.date(2026, 12, 31), "auto_renew": "yes", "renewal_status": "not_due", "deposit": 100.0},
        {"contract_id": "C2", "dealer_id": "D2", "contract_type": "agency", "start_date": dt.date(2026, 1, 1),
         "end_date": dt.date(2026, 12, 31), "auto_renew": "yes", "renewal_status": "not_due",
         "deposit": ExcelError("#N/A")}]


def test_open_book_and_saved_file_give_the_same_rows_and_problems(tmp_path):
    path = write_workbook(tmp_path / "live.xlsx", {"dealer_contracts": labelled("dealer_contracts", ROWS, "en")},
                          "en", places={"dealer_contracts": (6, 2)})
    from_file = read_form(path, "dealer_contracts")
    from_excel = read_form(StandInBook(path), "dealer_contracts")
    assert [p.message("en") for p in from_excel.problems] == [p.message("en") for p in from_file.problems] == [
        'Contracts!L9: "Deposit" holds the error value #N/A']
    assert from_excel.data.equals(from_file.data) and from_excel.data.index.tolist() == [8]


def test_adapter_asks_xlwings_for_errors_as_text_and_finds_tables_and_language(tmp_path):
    path = write_workbook(tmp_path / "live.xlsx", {"dealer_contracts": []}, "zh-Hans", places={"dealer_contracts": (4, 1)})
    book = StandInBook(path)
    live = LiveBook(book)
    table = live.table("TBL_DEALER_CONTRACTS")
    assert (table.sheet, table.header_row, table.first_column) == ("经销合同", 4, 1)
    assert live.defined_name("DX_LANG") == "zh-Hans"
    live.grid("经销合同")
    assert book.sheets["经销合同"].used_range.options_seen == [{"ndim": 2, "err_to_str": True}]
    assert read_workbook(book).lang == "zh-Hans"
