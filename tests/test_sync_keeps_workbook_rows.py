"""``dealerxl sync`` never deletes what only the workbook holds, never writes behind Excel's
back, and keeps a safety copy of the file before writing into it."""
from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from dealerxl.book import read_form, read_workbook
from dealerxl.book.in_place import BACKUP_FOLDER, excel_owner_file, keep_safety_copy, lock_owner
from dealerxl.cli import main
from dealerxl.exchange import collect_files, issue_templates
from dealerxl.exchange.manifest import KEY_VARIABLE
from dealerxl.i18n import tr
from dealerxl.jobs.sync import sync_workbook
from dealerxl.store import open_store
from support.keys import TEST_KEY

MONTH = "2026-11"  # the month after the sample's last: what a dealer sends next


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory) -> Path:
    """The small sample as ``dealerxl sample`` writes it (macros and ribbon included)."""
    path = tmp_path_factory.mktemp("sample") / "DealerWorkbook.xlsm"
    assert main(["sample", "--size", "small", "--out", str(path)]) == 0
    return path


@pytest.fixture
def book(sample_file, tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(KEY_VARIABLE, TEST_KEY)
    monkeypatch.delenv("DEALERXL_STORE_URL", raising=False)
    return Path(shutil.copy(sample_file, tmp_path / "DealerWorkbook.xlsm"))


def one_dealers_file(book: Path, folder: Path) -> Path:
    """One dealer's monthly report for MONTH, issued from the workbook and filled in."""
    from test_exchange import fill, monthly_rows

    result = issue_templates("dealer_monthly", MONTH, folder / "issued", workbook=book, recipients=["D00001"])
    [issued] = [Path(p) for p in result.outputs if Path(p).suffix == ".xlsx"]
    return fill(issued, folder / "inbox" / "D00001.xlsx", monthly_rows(8))


def every_row(path: Path) -> dict[str, pd.DataFrame]:
    read = read_workbook(path)
    return {form_id: form.data.reset_index(drop=True) for form_id, form in read.forms.items() if form.sheet}


def test_syncing_one_collected_file_keeps_every_row_the_workbook_had(book, tmp_path):
    inbox = one_dealers_file(book, tmp_path).parent
    collected = collect_files([inbox], workbook=book, archive=tmp_path / "archive")
    assert collected.summary["accepted"] == 1
    before = every_row(book)
    result = sync_workbook(book)
    after = every_row(book)
    monthly = result.summary["forms"]["dealer_monthly"]
    with open_store(None, book) as store:
        stored = store.row_count("dealer_monthly")
    assert stored > 0
    assert (monthly["kept"], monthly["added"], monthly["replaced"]) == (len(before["dealer_monthly"]), stored, 0)
    for form_id, rows in before.items():
        pd.testing.assert_frame_equal(after[form_id].iloc[:len(rows)], rows, check_dtype=False)
    monthly_after = read_form(book, "dealer_monthly").data  # every row, whatever other forms say of it
    assert len(monthly_after) == len(before["dealer_monthly"]) + stored
    assert set(monthly_after["month"].dt.strftime("%Y-%m")) == \
        set(before["dealer_monthly"]["month"].dt.strftime("%Y-%m")) | {MONTH}


def test_a_stored_row_replaces_the_workbook_row_of_the_same_key_in_its_place(book):
    monthly = read_form(book, "dealer_monthly").data.reset_index(drop=True)
    dealer, month = monthly.loc[3, "dealer_id"], monthly.loc[3, "month"].strftime("%Y-%m")
    submitted = monthly[(monthly["dealer_id"] == dealer) & (monthly["month"].dt.strftime("%Y-%m") == month)].copy()
    submitted["sell_out_qty"] = submitted["sell_out_qty"] + 1
    with open_store(None, book) as store:
        store.load_submission("dealer_monthly", dealer, month, "corrected", submitted)
    sync_workbook(book)
    after = read_form(book, "dealer_monthly").data.reset_index(drop=True)
    assert len(after) == len(monthly)
    changed = after["sell_out_qty"] != monthly["sell_out_qty"]
    assert changed.sum() == len(submitted)
    assert (after.loc[changed, "sell_out_qty"] == monthly.loc[changed, "sell_out_qty"] + 1).all()
    assert after.loc[changed, "stock_difference"].notna().all()


def test_rows_with_problems_and_the_users_own_column_survive_a_sync(tmp_path):
    from workbook_fixtures import write_workbook

    rows = [{"dealer_id": "D1", "month": pd.Timestamp("2026-09-01"), "sku": "A", "opening_stock_qty": "twelve"},
            {"dealer_id": "D2", "month": pd.Timestamp("2026-09-01"), "sku": "B", "opening_stock_qty": 5}]
    path = write_workbook(tmp_path / "book.xlsx", {"dealer_monthly": rows}, "en")
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    last = sheet.max_column + 1
    sheet.cell(4, last, "my note")
    sheet.cell(5, last, "call back")
    sheet.tables["tbl_dealer_monthly"].ref = sheet.tables["tbl_dealer_monthly"].ref[:-2] + \
        openpyxl.utils.get_column_letter(last) + "6"
    from openpyxl.worksheet.table import TableColumn
    table = sheet.tables["tbl_dealer_monthly"]
    table.tableColumns.append(TableColumn(id=len(table.tableColumns) + 1, name="my note"))
    table.autoFilter = None
    book.save(path)
    with open_store(None, path) as store:
        store.load_rows("dealer_monthly", pd.DataFrame([{"dealer_id": "D3", "month": pd.Timestamp("2026-10-01"),
                                                         "sku": "C", "opening_stock_qty": 7.0}]))
    sync_workbook(path)
    after = openpyxl.load_workbook(path).worksheets[0]
    column = {after.cell(4, c).value: c for c in range(1, after.max_column + 1)}
    opening = column[tr("col.opening_stock_qty", "en")]
    assert [after.cell(r, opening).value for r in (5, 6, 7)] == ["twelve", 5, 7]
    assert [after.cell(r, column["my note"]).value for r in (5, 6, 7)] == ["call back", None, None]


def test_a_full_sheet_takes_off_only_the_oldest_periods_the_store_holds_and_says_which(book, capsys):
    monthly = read_form(book, "dealer_monthly").data
    months = sorted(monthly["month"].dt.strftime("%Y-%m").unique())
    oldest = monthly[monthly["month"].dt.strftime("%Y-%m") == months[0]]
    with open_store(None, book) as store:
        store.load_rows("dealer_monthly", oldest.reset_index(drop=True))
        newer = oldest.assign(month=pd.Timestamp("2026-11-01")).reset_index(drop=True)
        store.load_rows("dealer_monthly", newer)
    header_row = 4
    sheet_rows = header_row + len(monthly) + len(newer) - 1  # one row short of holding both
    result = sync_workbook(book, forms=["dealer_monthly"], sheet_rows=sheet_rows, lang="en")
    entry = result.summary["forms"]["dealer_monthly"]
    assert entry["dropped_periods"] == {months[0]: len(oldest)}
    after = read_form(book, "dealer_monthly").data
    assert sorted(after["month"].dt.strftime("%Y-%m").unique()) == months[1:] + ["2026-11"]
    assert main(["sync", str(book), "--forms", "dealer_monthly", "--lang", "en"]) == 0  # room again: nothing taken
    said = capsys.readouterr().out
    assert "taken off" not in said


def test_a_sheet_too_small_for_the_workbooks_own_rows_is_refused_and_the_file_unchanged(book):
    from dealerxl.calc import CalcError

    monthly = read_form(book, "dealer_monthly").data
    with open_store(None, book) as store:
        newer = monthly.drop_duplicates(["dealer_id", "sku"]).head(3).assign(month=pd.Timestamp("2026-11-01"))
        store.load_rows("dealer_monthly", newer.reset_index(drop=True))
    before = book.read_bytes()
    with pytest.raises(CalcError, match="only the workbook holds"):
        sync_workbook(book, forms=["dealer_monthly"], sheet_rows=4 + len(monthly) - 1, lang="en")
    assert book.read_bytes() == before


def test_a_workbook_open_in_excel_is_refused_naming_the_user_and_out_still_writes(book, tmp_path, capsys):
    with open_store(None, book) as store:
        store.load_rows("dealer_monthly", read_form(book, "dealer_monthly").data.head(2).reset_index(drop=True))
    owner = book.with_name("~$" + book.name)
    owner.write_bytes(excel_owner_file("陳美玲"))
    before = book.read_bytes()
    assert main(["sync", str(book), "--lang", "en"]) == 2
    said = capsys.readouterr().err
    assert "陳美玲" in said and "open" in said and book.name in said
    assert book.read_bytes() == before and not (book.parent / BACKUP_FOLDER).exists()
    assert main(["sync", str(book), "--out", str(tmp_path / "copy.xlsm"), "--lang", "en"]) == 0
    assert book.read_bytes() == before
    owner.unlink()
    assert main(["sync", str(book), "--lang", "en"]) == 0


def test_a_safety_copy_is_kept_before_writing_in_place_and_named(book, capsys):
    with open_store(None, book) as store:
        store.load_rows("dealer_monthly", read_form(book, "dealer_monthly").data.head(2).reset_index(drop=True))
    before = book.read_bytes()
    assert main(["sync", str(book), "--lang", "en"]) == 0
    [copy] = list((book.parent / BACKUP_FOLDER).iterdir())
    assert copy.read_bytes() == before
    assert copy.name.startswith("DealerWorkbook.") and copy.suffix == ".xlsm"
    assert str(Path(BACKUP_FOLDER) / copy.name) in capsys.readouterr().out


def test_only_the_newest_copies_are_kept(tmp_path):
    import datetime as dt

    path = tmp_path / "Book.xlsm"
    for day in range(1, 6):
        path.write_bytes(f"version {day}".encode())
        keep_safety_copy(path, keep=3, now=dt.datetime(2026, 10, day, 9, 0, 0))
    copies = sorted(p.name for p in (tmp_path / BACKUP_FOLDER).iterdir())
    assert copies == [f"Book.202610{day:02d}-090000.xlsm" for day in (3, 4, 5)]
    assert (tmp_path / BACKUP_FOLDER / copies[-1]).read_bytes() == b"version 5"


def test_the_owner_file_of_excel_word_and_libreoffice_names_the_user(tmp_path):
    excel = tmp_path / "~$Book.xlsm"
    excel.write_bytes(excel_owner_file("Mei Lin"))
    assert len(excel.read_bytes()) == 165 and excel.read_bytes()[0] == 7
    assert excel.read_bytes()[55:57] == b"\x07\x00"
    assert lock_owner(excel) == "Mei Lin"
    word = tmp_path / "~$ok.docx"  # Word: the UTF-16 copy at byte 54, zero padding
    name = "張偉"
    data = bytes([len(name)]) + b"??" + b"\x00" * (54 - 3) + bytes([len(name), 0]) + name.encode("utf-16-le")
    word.write_bytes(data + b"\x00" * (162 - len(data)))
    assert lock_owner(word) == "張偉"
    office = tmp_path / ".~lock.Book.xlsm#"
    office.write_text("Lin Mei,host-7,lmei,07.12.2026 09:12,file:///home/lmei/.config/libreoffice/4;", "utf-8")
    assert lock_owner(office) == "Lin Mei"
    assert lock_owner(tmp_path / "missing") is None


def test_building_over_a_workbook_keeps_a_copy_and_refuses_while_it_is_open(tmp_path, capsys):
    master = tmp_path / "DealerWorkbook.xlsm"
    master.write_bytes(b"a workbook someone filled")
    master.with_name("~$" + master.name).write_bytes(excel_owner_file("Lin"))
    assert main(["build", "--out", str(tmp_path), "--lang", "en"]) == 2
    assert "Lin" in capsys.readouterr().err and master.read_bytes() == b"a workbook someone filled"
    master.with_name("~$" + master.name).unlink()
    assert main(["build", "--out", str(tmp_path), "--lang", "en"]) == 0
    [copy] = list((tmp_path / BACKUP_FOLDER).iterdir())
    assert copy.read_bytes() == b"a workbook someone filled"
