"""Ids that name a master row (dealer, item, staff member, supplier) must exist in the master."""
from __future__ import annotations

import datetime as dt

from workbook_fixtures import write_workbook

from dealerxl.book import read_workbook
from dealerxl.cli import main

DEALER = {"dealer_id": "D001", "dealer_name": "北方商行", "region": "north", "channel_type": "dealer",
          "status": "active", "join_date": dt.datetime(2024, 1, 1)}


def order(number: str, dealer: str) -> dict:
    return {"order_no": number, "dealer_id": dealer, "order_date": dt.datetime(2026, 10, 5),
            "order_amount": 1000.0, "order_status": "open"}


def book_with_orders(tmp_path, lang="zh-Hant"):
    return write_workbook(tmp_path / "book.xlsx", {
        "dealer_master": [DEALER],
        "open_orders": [order("SO-1", "D001"), order("SO-2", "D999")],
    }, lang)


def test_unknown_dealer_is_reported_at_its_cell_and_left_out(tmp_path):
    read = read_workbook(book_with_orders(tmp_path, "en"))
    orders = read.forms["open_orders"]
    [problem] = [p for p in orders.problems if p.code == "unknown_reference"]
    master_sheet = read.forms["dealer_master"].sheet
    assert problem.message("en") == (f"{problem.address}: \"Dealer ID\": \"D999\" does not exist in the "
                                     f"\"{master_sheet}\" sheet")
    assert problem.cell == orders.cell("dealer_id", 6)
    assert orders.data["order_no"].tolist() == ["SO-1"]
    assert 6 in orders.rejected


def test_unknown_dealer_message_in_traditional_chinese(tmp_path):
    read = read_workbook(book_with_orders(tmp_path))
    [problem] = [p for p in read.problems if p.code == "unknown_reference"]
    assert "「D999」不存在於" in problem.message("zh-Hant")


def test_check_fails_on_an_unknown_dealer_without_touching_the_file(tmp_path, capsys):
    path = book_with_orders(tmp_path, "en")
    before = path.read_bytes()
    assert main(["check", str(path)]) == 1
    assert "D999" in capsys.readouterr().out
    assert path.read_bytes() == before


def test_an_empty_master_is_not_a_list_of_allowed_ids(tmp_path):
    path = write_workbook(tmp_path / "partial.xlsx", {"dealer_master": [], "open_orders": [order("SO-1", "D777")]}, "en")
    read = read_workbook(path)
    assert not [p for p in read.problems if p.code == "unknown_reference"]
    assert read.forms["open_orders"].data["order_no"].tolist() == ["SO-1"]
