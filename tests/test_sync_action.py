"""The "Sync from store" ribbon button, through the stand-in for the open workbook."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from support.postgres import store_url  # noqa: F401  (fixture)
from workbook_fixtures import WritableStandInBook, write_workbook

from dealerxl.excel.actions.sync import sync_book, with_formulas
from dealerxl.excel.ribbon import load_buttons
from dealerxl.forms import FORMS
from dealerxl.i18n import tr
from dealerxl.store import open_store

FORM = "sales_transactions"


@pytest.fixture
def book_path(tmp_path) -> Path:
    """A small zh-Hant workbook with the sales and dealer monthly tables (header in row 4)."""
    return write_workbook(tmp_path / "Dealer.xlsx", {FORM: [], "dealer_monthly": []}, "zh-Hant")


def written(book, table_name: str) -> list[pd.DataFrame]:
    for sheet in book.sheets:
        for table in sheet.tables:
            if table.name == table_name:
                return table.written
    raise AssertionError(table_name)


def labels(form_id: str, lang: str) -> list[str]:
    return [tr(c.label_key, lang) for c in FORMS[form_id].columns]


def test_the_button_is_on_the_ribbon_with_its_labels():
    assert load_buttons()["sync"].group == "workbook"
    assert tr("ribbon.sync", "en") == "Sync from store" and tr("ribbon.sync.tip", "zh-Hant")


def test_sync_writes_the_stores_rows_through_excel(store_url, book_path, sample_data):
    sales = sample_data[FORM]
    with open_store(store_url) as store:
        store.load_rows(FORM, sales)
        stored = store.read(FORM)
    book = WritableStandInBook(book_path)
    message = sync_book(book, url=store_url)
    [frame] = written(book, "tbl_sales_transactions")
    assert list(frame.columns) == labels(FORM, "zh-Hant")
    assert len(frame) == len(stored)
    amount = tr("col.amount", "zh-Hant")
    assert frame[amount].iloc[0] == "=ROUND(G5*H5*(1-I5),2)"
    assert frame[amount].iloc[-1] == f"=ROUND(G{4 + len(stored)}*H{4 + len(stored)}*(1-I{4 + len(stored)}),2)"
    first = stored.iloc[0]
    assert frame[tr("col.invoice_no", "zh-Hant")].iloc[0] == first["invoice_no"]
    assert frame[tr("col.transaction_type", "zh-Hant")].iloc[0] == tr(
        f"enum.transaction_type.{first['transaction_type']}", "zh-Hant")
    assert written(book, "tbl_dealer_monthly") == []  # nothing stored for it: left alone
    assert book.app.alerts[-1]["prompt"] == message
    assert tr("msg.sync.done", "zh-Hant", rows=len(stored), path=book.name) in message
    assert book.app.status_history[-1] is False  # the status bar is given back to Excel


def test_a_sheet_too_small_keeps_the_newest_periods_and_says_what_stayed(store_url, book_path, sample_data):
    sales = sample_data[FORM]
    with open_store(store_url) as store:
        store.load_rows(FORM, sales)
        latest = store.latest_periods(FORM, 800)
    book = WritableStandInBook(book_path)
    message = sync_book(book, url=store_url, sheet_rows=4 + 800)
    [frame] = written(book, "tbl_sales_transactions")
    assert len(frame) == latest.rows
    dates = pd.to_datetime(frame[tr("col.invoice_date", "zh-Hant")])
    assert sorted(dates.dt.strftime("%Y-%m").unique()) == latest.periods
    periods_left = sales["invoice_date"].dt.strftime("%Y-%m").nunique() - len(latest.periods)
    assert tr("msg.sync.left_in_store", "zh-Hant", rows=latest.rows_left, periods=periods_left) in message


def test_the_store_next_to_the_open_workbook_is_used_by_default(book_path, sample_data, monkeypatch):
    monkeypatch.delenv("DEALERXL_STORE_URL", raising=False)
    with open_store(None, book_path) as store:
        store.load_rows(FORM, sample_data[FORM].head(12))
    book = WritableStandInBook(book_path)
    sync_book(book)
    assert len(written(book, "tbl_sales_transactions")[0]) == 12


def test_an_empty_store_writes_nothing_and_says_so(store_url, book_path):
    book = WritableStandInBook(book_path)
    message = sync_book(book, url=store_url)
    assert written(book, "tbl_sales_transactions") == []
    assert "沒有可同步的資料" in message
    assert book.app.status_history[-1] is False


def test_a_store_that_cannot_be_opened_is_said_and_nothing_written(book_path):
    book = WritableStandInBook(book_path)
    message = sync_book(book, url="mysql://nowhere/db")
    assert written(book, "tbl_sales_transactions") == []
    assert "mysql://nowhere/db" in message and message.startswith("同步未完成")


def test_forms_without_a_table_are_named_in_the_message(store_url, tmp_path, sample_data):
    path = write_workbook(tmp_path / "only.xlsx", {"dealer_monthly": []}, "en")
    with open_store(store_url) as store:
        store.load_rows(FORM, sample_data[FORM].head(5))
        store.load_rows("dealer_monthly", sample_data["dealer_monthly"].head(5))
    book = WritableStandInBook(path)
    message = sync_book(book, url=store_url)
    assert len(written(book, "tbl_dealer_monthly")[0]) == 5
    assert "tbl_sales_transactions" in message


def test_formulas_follow_where_the_table_starts():
    frame = pd.DataFrame({"amount": [0.0, 0.0], "paid_amount": [1.0, 2.0], "open_amount": [None, None]})
    form = FORMS["receivables"]
    ids = [c.id for c in form.columns]
    full = pd.DataFrame({c: frame.get(c, [None, None]) for c in ids})
    out = with_formulas(full, "receivables", first_column=3, header_row=10)
    letter = {c: chr(ord("C") + ids.index(c)) for c in ("amount", "paid_amount")}
    assert list(out["open_amount"]) == [f"={letter['amount']}{r}-{letter['paid_amount']}{r}" for r in (11, 12)]


def test_a_sync_from_the_ribbon_is_recorded_in_the_audit_log(book_path, sample_data, monkeypatch):
    from dealerxl.store.audit import entries

    monkeypatch.delenv("DEALERXL_STORE_URL", raising=False)
    with open_store(None, book_path) as store:
        store.load_rows(FORM, sample_data[FORM].head(7))
    sync_book(WritableStandInBook(book_path))
    sync_book(WritableStandInBook(book_path), url="mysql://nowhere/db")
    with open_store(None, book_path) as store:
        log = entries(store).to_dict("records")
    assert [(row["job"], row["front_end"], row["exit_status"]) for row in log] == [
        ("sync", "ribbon", 0), ("sync", "ribbon", 2)]
    assert log[0]["row_counts"] == {FORM: 7}
