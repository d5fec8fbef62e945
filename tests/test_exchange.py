"""Templates out and back: issue, fill as a dealer would (openpyxl), collect into the store."""
from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from support.keys import OTHER_KEY, TEST_KEY, department_key  # noqa: F401  (fixture; the sample workbook gets no key file)
from support.postgres import store_url  # noqa: F401  (fixture)

from dealerxl.exchange import collect_files, issue_templates
from dealerxl.exchange.collect import write_outputs
from dealerxl.exchange.manifest import KEY_VARIABLE
from dealerxl.forms import ENUMS, FORMS
from dealerxl.i18n import tr
from dealerxl.store import open_store

MONTH = "2026-03"


def monthly_rows(n: int, seed: int = 0) -> pd.DataFrame:
    """What a dealer types into the dealer monthly report: ``n`` SKU lines."""
    opening = [float((seed * 7 + i * 13) % 50) for i in range(n)]
    received = [float((seed + i * 5) % 20) for i in range(n)]
    sold = [min(o + r, float((seed * 3 + i) % 30)) for i, (o, r) in enumerate(zip(opening, received))]
    return pd.DataFrame({
        "sku": [f"SKU{i:05d}" for i in range(n)], "sku_name": [f"Item {i}" for i in range(n)],
        "opening_stock_qty": opening, "received_qty": received, "sell_out_qty": sold,
        "sell_out_amount": [round(s * 125.5, 2) for s in sold], "returned_qty": 0.0,
        "dealer_stock_qty": [o + r - s for o, r, s in zip(opening, received, sold)],
    })


def file_lang(path: Path) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    rows = dict(book["_dx_manifest"].iter_rows(values_only=True))
    return rows["lang"]


def fill(issued: Path, out: Path, rows: pd.DataFrame, form_id: str = "dealer_monthly", first_row: int = 5) -> Path:
    """Type ``rows`` into the open cells of an issued file with openpyxl and save it as ``out``."""
    form = FORMS[form_id]
    lang = file_lang(issued)
    book = openpyxl.load_workbook(issued)
    sheet = book.worksheets[0]
    for offset, record in enumerate(rows.to_dict("records")):
        for index, column in enumerate(form.columns):
            if column.id not in record:
                continue
            value = record[column.id]
            if column.enum and value in ENUMS[column.enum].codes:
                value = tr(f"enum.{column.enum}.{value}", lang)
            if isinstance(value, pd.Timestamp):
                value = value.to_pydatetime()
            sheet.cell(first_row + offset, index + 1, value)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def issued_file(folder: Path, recipient: str, form_id: str = "dealer_monthly", month: str = MONTH) -> Path:
    return folder / f"{form_id}_{month}_{recipient}.xlsx"


def expected_rows(recipient: str, rows: pd.DataFrame, month: str = MONTH) -> pd.DataFrame:
    return rows.assign(dealer_id=recipient, month=pd.Timestamp(f"{month}-01"))


def stored(store, recipient: str, columns) -> pd.DataFrame:
    frame = store.read("dealer_monthly", MONTH, MONTH, filters={"dealer_id": recipient})
    return frame[list(columns)].sort_values("sku").reset_index(drop=True)


def assert_stored(store, recipient: str, rows: pd.DataFrame) -> None:
    expected = expected_rows(recipient, rows)
    pd.testing.assert_frame_equal(stored(store, recipient, expected.columns), expected.reset_index(drop=True),
                                  check_dtype=False)


@pytest.fixture(scope="module")
def issued(tmp_path_factory, sample_book):
    """The sample's dealer monthly templates for March 2026, issued once for the module."""
    folder = tmp_path_factory.mktemp("issued")
    with pytest.MonkeyPatch.context() as patch:  # the key for the module's issue only
        patch.setenv(KEY_VARIABLE, TEST_KEY)
        result = issue_templates("dealer_monthly", MONTH, folder, workbook=sample_book)
    return folder, result


def collect(sources, url, tmp_path, sample_book, **kw):
    return collect_files(sources, store_url=url, workbook=sample_book, archive=tmp_path / "archive", **kw)


def test_issued_dealer_monthly_files_round_trip_into_the_store(issued, sample_book, store_url, tmp_path):
    folder, _ = issued
    inbox = tmp_path / "inbox"
    sent = {"D00001": monthly_rows(3, 1), "D00003": monthly_rows(5, 2)}
    for recipient, rows in sent.items():
        fill(issued_file(folder, recipient), inbox / f"{recipient}.xlsx", rows)
    result = collect([inbox], store_url, tmp_path, sample_book, form_id="dealer_monthly", period=MONTH)
    assert [(o.recipient, o.status, o.rows) for o in result.collection.outcomes] == [
        ("D00001", "accepted", 3), ("D00003", "accepted", 5)]
    assert result.problems == []
    with open_store(store_url) as store:
        for recipient, rows in sent.items():
            assert_stored(store, recipient, rows)
        assert store.submissions("dealer_monthly")["status"].tolist() == ["accepted", "accepted"]
    # every received file is kept under its checksum
    for name in ("D00001", "D00003"):
        digest = hashlib.sha256((inbox / f"{name}.xlsx").read_bytes()).hexdigest()
        assert (tmp_path / "archive" / f"{digest}.xlsx").read_bytes() == (inbox / f"{name}.xlsx").read_bytes()
    missing = result.tables["missing"]
    assert "D00001" not in set(missing["recipient"]) and "D00002" in set(missing["recipient"])
    assert len(missing) == len(list(folder.glob("*.xlsx"))) - 2


def test_the_same_file_twice_changes_nothing(issued, sample_book, store_url, tmp_path):
    folder, _ = issued
    path = fill(issued_file(folder, "D00001"), tmp_path / "in" / "D00001.xlsx", monthly_rows(4))
    first = collect([path], store_url, tmp_path, sample_book)
    with open_store(store_url) as store:
        before = store.submissions(), store.read("dealer_monthly")
    again = collect([path], store_url, tmp_path, sample_book)
    assert [o.status for o in first.collection.outcomes + again.collection.outcomes] == ["accepted", "duplicate"]
    with open_store(store_url) as store:
        pd.testing.assert_frame_equal(store.submissions(), before[0])
        pd.testing.assert_frame_equal(store.read("dealer_monthly"), before[1])
    assert len(list((tmp_path / "archive").iterdir())) == 1


def test_a_newer_file_for_the_same_dealer_and_month_replaces_the_older_and_is_recorded(
        issued, sample_book, store_url, tmp_path):
    folder, _ = issued
    old = fill(issued_file(folder, "D00003"), tmp_path / "a" / "D00003.xlsx", monthly_rows(6, 1))
    new_rows = monthly_rows(2, 9)
    new = fill(issued_file(folder, "D00003"), tmp_path / "b" / "D00003.xlsx", new_rows)
    collect([old], store_url, tmp_path, sample_book)
    result = collect([new], store_url, tmp_path, sample_book)
    (outcome,) = result.collection.outcomes
    assert outcome.status == "replaced" and outcome.replaced_submission_id is not None
    replaced = result.tables["replaced"]
    assert replaced[["recipient", "submission", "replaced_by"]].values.tolist() == [
        ["D00003", outcome.replaced_submission_id, outcome.submission_id]]
    with open_store(store_url) as store:
        assert_stored(store, "D00003", new_rows)
        register = store.submissions("dealer_monthly")
        assert register["status"].tolist() == ["replaced", "accepted"]
        assert register["replaced_by"].iloc[0] == register["submission_id"].iloc[1]
    assert len(list((tmp_path / "archive").iterdir())) == 2


def unprotected_edit(path: Path, out: Path, edit) -> Path:
    book = openpyxl.load_workbook(path)
    edit(book)
    book.save(out)
    return out


def reasons(result) -> dict[str, list[str]]:
    return {o.file.name: [p.message(o.lang or result.lang) for p in o.problems]
            for o in result.collection.outcomes}


def test_changed_locked_cells_a_forged_manifest_and_foreign_files_are_rejected_and_nothing_is_stored(
        issued, sample_book, store_url, tmp_path):
    folder, _ = issued
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = fill(issued_file(folder, "D00002"), tmp_path / "good.xlsx", monthly_rows(3))

    def recipient_changed(book):
        book.worksheets[0]["B3"] = "D00005"

    def row_moved_to_another_dealer(book):
        book.worksheets[0]["A6"] = "D00005"

    def manifest_changed(book):
        sheet = book["_dx_manifest"]
        for row in sheet.iter_rows():
            if row[0].value == "recipient":
                row[1].value = "D00005"

    def header_changed(book):
        book.worksheets[0]["E4"] = "Anything"

    unprotected_edit(good, inbox / "1_recipient.xlsx", recipient_changed)
    unprotected_edit(good, inbox / "2_row.xlsx", row_moved_to_another_dealer)
    unprotected_edit(good, inbox / "3_manifest.xlsx", manifest_changed)
    unprotected_edit(good, inbox / "4_header.xlsx", header_changed)
    (inbox / "5_notes.txt").write_text("not a workbook")
    from dealerxl.build.workbook import write_template
    write_template(inbox / "6_plain_template.xlsx", "dealer_monthly", lang="en")
    shutil.copy(good, inbox / "7_truncated.xlsx")
    data = (inbox / "7_truncated.xlsx").read_bytes()
    (inbox / "7_truncated.xlsx").write_bytes(data[: len(data) // 2])

    result = collect([inbox], store_url, tmp_path, sample_book)
    assert [o.status for o in result.collection.outcomes] == ["rejected"] * 7
    found = reasons(result)
    assert found["1_recipient.xlsx"] == ["經銷商月報!B3: 鎖定的內容被修改：現為「D00005」，應為「D00002」"]
    assert found["2_row.xlsx"] == ["經銷商月報!A6: 經銷商編號 已鎖定為 D00002，不能改成「D00005」"]
    assert found["3_manifest.xlsx"] == ["3_manifest.xlsx: 範本的識別資料被修改過（簽章不符）"]
    assert found["4_header.xlsx"][0].startswith("經銷商月報!E4: 鎖定的內容被修改")
    assert found["5_notes.txt"] == ["5_notes.txt: 5_notes.txt 不是 Excel 活頁簿"]
    assert "沒有識別資料" in found["6_plain_template.xlsx"][0]
    assert "已損壞或不完整" in found["7_truncated.xlsx"][0]
    with open_store(store_url) as store:
        assert store.submissions().empty and store.row_count("dealer_monthly") == 0
    assert len(list((tmp_path / "archive").iterdir())) == 7  # rejected files are kept too
    assert result.problems and all(p.code == "exchange.rejected" for p in result.problems)


def test_a_file_signed_with_another_key_or_for_an_old_form_version_is_rejected(
        issued, sample_book, store_url, tmp_path, monkeypatch):
    from dealerxl.exchange import manifest

    folder, _ = issued
    good = fill(issued_file(folder, "D00002"), tmp_path / "good.xlsx", monthly_rows(3))

    def old_version(book):
        sheet = book["_dx_manifest"]
        fields = {row[0].value: row[1].value for row in sheet.iter_rows()}
        fields["form_version"] = "0" * 16
        for index, (key, value) in enumerate(manifest.sign(fields, TEST_KEY.encode()), 1):
            sheet.cell(index, 1, key)
            sheet.cell(index, 2, value)

    old = unprotected_edit(good, tmp_path / "old.xlsx", old_version)
    assert collect([old], store_url, tmp_path, sample_book).collection.outcomes[0].problems[0].code == \
        "exchange.unknown_version"
    monkeypatch.setenv(KEY_VARIABLE, OTHER_KEY)
    (outcome,) = collect([good], store_url, tmp_path, sample_book).collection.outcomes
    assert (outcome.status, outcome.problems[0].code) == ("rejected", "exchange.other_key")


def test_problems_are_all_reported_with_cells_in_the_recipients_language(issued, sample_book, store_url, tmp_path):
    folder, _ = issued
    rows = monthly_rows(3).astype(object)
    rows.loc[0, "sell_out_qty"] = "many"
    rows.loc[2, "opening_stock_qty"] = -5.0
    rows.loc[1, "sku"] = "SKU00000"
    # D00011's dealer master language is zh-Hans
    assert file_lang(issued_file(folder, "D00011")) == "zh-Hans"
    path = fill(issued_file(folder, "D00011"), tmp_path / "in" / "D00011.xlsx", rows)
    (outcome,) = collect([path], store_url, tmp_path, sample_book).collection.outcomes
    messages = [p.message(outcome.lang) for p in outcome.problems]
    assert outcome.status == "rejected"
    assert [m.split(":")[0] for m in messages] == ["经销商月报!G5", "经销商月报!A6", "经销商月报!E7"]
    assert all(re.search(r"[\u4e00-\u9fff]", m) for m in messages)
    with open_store(store_url) as store:
        assert store.submissions().empty


def test_the_report_and_the_reminder_list_are_written(issued, sample_book, sample_data, store_url, tmp_path):
    folder, _ = issued
    path = fill(issued_file(folder, "D00001"), tmp_path / "in" / "D00001.xlsx", monthly_rows(2))
    (tmp_path / "in" / "junk.txt").write_text("hello")
    result = collect([tmp_path / "in"], store_url, tmp_path, sample_book, form_id="dealer_monthly", period=MONTH)
    report, reminders = write_outputs(result, tmp_path / "reports" / "collection.xlsx")
    sheets = pd.read_excel(report, sheet_name=None, engine="calamine")
    assert list(sheets) == ["已接收", "待審", "退回", "已取代", "尚未繳交"]
    assert sheets["已接收"]["填表人代號"].tolist() == ["D00001"]
    assert sheets["退回"]["檔案"].tolist() == ["junk.txt"]
    mail = pd.read_csv(reminders, encoding="utf-8-sig", dtype=str)
    # headers in the language of the run, like the report's
    assert list(mail.columns) == ["填表人代號", "名稱", "電子郵件", "表單", "表單名稱", "期間", "語言"]
    assert len(mail) == len(list(folder.glob("*.xlsx"))) - 1
    first = mail.iloc[0]
    d00002 = sample_data["dealer_master"].set_index("dealer_id").loc["D00002"]
    assert (first["填表人代號"], first["名稱"], first["電子郵件"], first["期間"]) == (
        "D00002", d00002["dealer_name"], d00002["email"], MONTH)
    assert path.name not in set(mail["填表人代號"])


def test_ribbon_buttons_issue_into_issued_and_collect_the_inbox_next_to_the_workbook(sample_book, sample_data, tmp_path):
    from workbook_fixtures import WritableStandInBook

    from dealerxl.excel.ribbon import load_buttons, on_button

    buttons = load_buttons()
    assert buttons["issue_templates"].group == buttons["collect_submissions"].group == "exchange"
    path = tmp_path / "book.xlsx"
    path.write_bytes(sample_book.read_bytes())
    book = WritableStandInBook(path)
    from dealerxl.excel.actions.exchange import issue_for_book

    shown = issue_for_book(book, month=MONTH)
    folder = tmp_path / "issued" / f"dealer_monthly_{MONTH}"
    dealers = sample_data["dealer_master"]
    joined, ended = pd.to_datetime(dealers["join_date"]), pd.to_datetime(dealers["termination_date"])
    month = pd.Period(MONTH, "M")
    active = ((joined <= month.end_time) & (ended.isna() | (ended >= month.start_time))
              & (dealers["status"] != "prospect"))
    assert len(list(folder.glob("*.xlsx"))) == active.sum() and f"{folder}" in shown
    fill(issued_file(folder, "D00001"), tmp_path / "inbox" / "D00001.xlsx", monthly_rows(2))
    shown = on_button("collect_submissions", book)
    assert "共 1 個檔案：接受 1" in shown
    assert (tmp_path / "book.sqlite").exists() and len(list((tmp_path / "received").iterdir())) == 1
    reports = sorted((tmp_path / "reports").iterdir())
    assert [p.suffix for p in reports] == [".xlsx", ".csv"]
    with open_store(f"sqlite:///{tmp_path / 'book.sqlite'}") as store:
        assert_stored(store, "D00001", monthly_rows(2))


@pytest.mark.libreoffice
def test_a_file_filled_and_saved_again_by_libreoffice_is_accepted(issued, sample_book, tmp_path):
    from support.libreoffice import LibreOffice

    folder, _ = issued
    rows = monthly_rows(3, 4)
    filled = fill(issued_file(folder, "D00005"), tmp_path / "filled" / "D00005.xlsx", rows)
    office = LibreOffice()
    try:
        saved = office.convert(filled, tmp_path / "saved", to="xlsx")
    finally:
        office.remove_profile()
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    (outcome,) = collect([saved], url, tmp_path, sample_book).collection.outcomes
    assert outcome.status == "accepted", [p.message("en") for p in outcome.problems]
    with open_store(url) as store:
        assert_stored(store, "D00005", rows)
