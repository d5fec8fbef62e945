"""Every kind of bad input gets a message naming the sheet, the cell and the reason, in the
workbook's language, and the file is left exactly as it was."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from dealerxl.book import read_form
from dealerxl.i18n import tr
from workbook_fixtures import ExcelError, labelled, write_workbook

CONTRACTS = "dealer_contracts"


def contract(n: int, **changes) -> dict:
    row = {"contract_id": f"C{n:04d}", "dealer_id": f"D{n:05d}", "contract_type": "distribution",
           "signed_date": dt.date(2026, 1, 2), "start_date": dt.date(2026, 1, 5), "end_date": dt.date(2026, 12, 31),
           "annual_target_amount": 1_200_000.0, "deposit": 50_000.0, "discount_rate": 0.05,
           "payment_terms_days": 30, "auto_renew": "yes", "notice_days": 60, "renewal_status": "not_due"}
    row.update(changes)
    return row


def contracts_book(tmp_path: Path, rows: list[dict], lang: str = "zh-Hant", **options) -> Path:
    return write_workbook(tmp_path / f"contracts-{lang}.xlsx", {CONTRACTS: labelled(CONTRACTS, rows, lang)}, lang,
                          **options)


class Unchanged:
    """Remembers a file's bytes and modification time to show reading left it alone."""

    def __init__(self, path: Path):
        self.path, self.data, self.mtime = path, path.read_bytes(), os.stat(path).st_mtime_ns

    def check(self) -> None:
        assert self.path.read_bytes() == self.data
        assert os.stat(self.path).st_mtime_ns == self.mtime


def read_problems(path: Path, form_id: str = CONTRACTS, lang: str = "zh-Hant"):
    before = Unchanged(path)
    result = read_form(path, form_id, lang=lang)
    before.check()
    return result, result.messages()


def sheet(lang: str, form_id: str = CONTRACTS) -> str:
    return tr(f"form.{form_id}.sheet", lang)


def test_clean_rows_read_typed_with_codes_and_excel_rows(tmp_path):
    result, messages = read_problems(contracts_book(tmp_path, [contract(1), contract(2)]))
    assert messages == []
    assert result.data.index.tolist() == [5, 6]
    first = result.data.loc[5]
    assert first["contract_type"] == "distribution" and first["auto_renew"] == "yes"
    assert first["start_date"] == dt.datetime(2026, 1, 5) and first["payment_terms_days"] == 30
    assert str(result.data["payment_terms_days"].dtype) == "Int64"


def test_file_that_is_not_a_workbook_is_named(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("this is a text file", encoding="utf-8")
    _, messages = read_problems(path)
    assert messages == ["notes.xlsx: notes.xlsx 不是 Excel 活頁簿"]


def test_password_protected_workbook_is_recognised(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = contracts_book(tmp_path, [contract(1)])
    locked = tmp_path / "locked.xlsx"
    with open(plain, "rb") as source, open(locked, "wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    _, messages = read_problems(locked, lang="en")
    assert messages == ["locked.xlsx: locked.xlsx is password-protected; remove the password before reading it"]


def test_truncated_workbook_is_reported_as_damaged(tmp_path):
    whole = contracts_book(tmp_path, [contract(1)])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    _, messages = read_problems(cut)
    assert len(messages) == 1 and messages[0].startswith("cut.xlsx: cut.xlsx 已損壞或不完整")


def test_renamed_sheet_is_found_by_its_table(tmp_path):
    path = contracts_book(tmp_path, [contract(1)], sheet_names={CONTRACTS: "我的合約"})
    result, messages = read_problems(path)
    assert messages == [] and result.sheet == "我的合約" and len(result.data) == 1


def test_renamed_sheet_without_table_is_found_by_its_headers(tmp_path):
    path = contracts_book(tmp_path, [contract(1), contract(2, deposit=-5)], sheet_names={CONTRACTS: "Sheet1"},
                          table_names={CONTRACTS: None})
    result, messages = read_problems(path)
    assert messages == [f"Sheet1!J6: 「{tr('col.deposit')}」不可為負數（-5）"]
    assert result.data.index.tolist() == [5]


def test_missing_sheet_names_the_expected_sheet(tmp_path):
    path = write_workbook(tmp_path / "other.xlsx", {"dealer_master": []}, "zh-Hant")
    _, messages = read_problems(path)
    assert messages == ["other.xlsx: 找不到工作表「經銷合約」（表格 tbl_dealer_contracts）"]
    _, messages = read_problems(path, lang="en")
    assert messages == ['other.xlsx: Sheet "Contracts" (table tbl_dealer_contracts) not found']


def test_table_moved_down_and_right_cites_its_new_cells(tmp_path):
    path = contracts_book(tmp_path, [contract(1), contract(2, end_date=dt.date(2025, 12, 31), signed_date=None)],
                          places={CONTRACTS: (10, 3)})
    _, messages = read_problems(path)
    # header on row 11 from column D: contract 2 is on row 13, end date the sixth column (I).
    assert messages == [f"{sheet('zh-Hant')}!I13: 「結束日期」早於「開始日期」（H13）"]


def test_table_moved_without_its_table_name_is_found_by_headers(tmp_path):
    path = contracts_book(tmp_path, [contract(1, deposit="abc")], places={CONTRACTS: (20, 1)},
                          table_names={CONTRACTS: None}, lang="en")
    _, messages = read_problems(path, lang="en")
    assert messages == ['Contracts!K22: "Deposit": "abc" is not an amount']


def test_numbers_as_text_full_width_and_thousands_separators_are_accepted(tmp_path):
    rows = [contract(1, deposit="50000", annual_target_amount="1,200,000", payment_terms_days="３０",
                     discount_rate="5%", notice_days="６０"),
            contract(2, deposit="１２，３４５．５", annual_target_amount=" 2,000,000.50 ")]
    result, messages = read_problems(contracts_book(tmp_path, rows))
    assert messages == []
    assert result.data["deposit"].tolist() == [50000.0, 12345.5]
    assert result.data["annual_target_amount"].tolist() == [1_200_000.0, 2_000_000.5]
    assert result.data["payment_terms_days"].tolist() == [30, 30]
    assert result.data.loc[5, "discount_rate"] == pytest.approx(0.05)
    assert result.data.loc[5, "notice_days"] == 60


def test_misplaced_thousands_separator_is_refused(tmp_path):
    _, messages = read_problems(contracts_book(tmp_path, [contract(1, deposit="12,34")]))
    assert messages == [f"{sheet('zh-Hant')}!J5: 「保證金」的值「12,34」不是金額數字"]


def test_dates_typed_as_text_are_accepted(tmp_path):
    rows = [contract(1, start_date="2026-02-01", end_date="2026/12/31", signed_date="2026年1月20日"),
            contract(2, start_date="２０２６－０３－０１", end_date=46387.0)]
    result, messages = read_problems(contracts_book(tmp_path, rows))
    assert messages == []
    assert result.data["start_date"].tolist() == [dt.datetime(2026, 2, 1), dt.datetime(2026, 3, 1)]
    assert result.data["end_date"].tolist() == [dt.datetime(2026, 12, 31), dt.datetime(2026, 12, 31)]
    assert result.data.loc[5, "signed_date"] == dt.datetime(2026, 1, 20)


def test_ambiguous_date_text_is_refused(tmp_path):
    _, messages = read_problems(contracts_book(tmp_path, [contract(1, start_date="01/05/2026")], lang="en"), lang="en")
    assert messages == [f"{sheet('en')}!E5: \"Start date\": \"01/05/2026\" is not a date (e.g. 2026-10-31)"]


def test_missing_required_column_is_named_at_the_header(tmp_path):
    path = contracts_book(tmp_path, [contract(1)], drop_columns={CONTRACTS: ["renewal_status"]})
    result, messages = read_problems(path)
    assert messages == [f"{sheet('zh-Hant')}!A4: 缺少必填欄位「續約狀態」"]
    assert result.data.empty


def test_missing_required_value_is_cited(tmp_path):
    _, messages = read_problems(contracts_book(tmp_path, [contract(1, dealer_id=None)], lang="en"), lang="en")
    assert messages == [f"{sheet('en')}!B5: \"Dealer ID\" must be filled in"]


def test_wrong_type_is_cited_in_english(tmp_path):
    path = contracts_book(tmp_path, [contract(1), contract(2, payment_terms_days="thirty")], lang="en")
    result, messages = read_problems(path, lang="en")
    assert messages == [f'{sheet("en")}!M6: "{tr("col.payment_terms_days", "en")}": "thirty" is not a whole number']
    assert result.data.index.tolist() == [5] and result.rejected == [6]


def test_fraction_in_a_whole_number_column_is_refused(tmp_path):
    _, messages = read_problems(contracts_book(tmp_path, [contract(1, notice_days=30.5)]))
    assert messages == [f"{sheet('zh-Hant')}!P5: 「通知期（天）」的值「30.5」不是整數"]


def test_value_not_in_list_shows_the_choices(tmp_path):
    _, messages = read_problems(contracts_book(tmp_path, [contract(1, contract_type="特約")]))
    assert messages == [f"{sheet('zh-Hant')}!C5: 「合約類型」的值「特約」不在清單中（可選：一般經銷、獨家經銷、代理、寄售）"]


def test_labels_of_other_languages_and_codes_are_accepted_in_lists(tmp_path):
    rows = [contract(1, contract_type="Agency", auto_renew="否"), contract(2, contract_type="consignment")]
    result, messages = read_problems(contracts_book(tmp_path, rows))
    assert messages == []
    assert result.data["contract_type"].tolist() == ["agency", "consignment"]
    assert result.data["auto_renew"].tolist() == ["no", "yes"]


def test_duplicate_key_cites_both_rows(tmp_path):
    rows = [contract(1), contract(2), contract(1, dealer_id="D09999")]
    result, messages = read_problems(contracts_book(tmp_path, rows))
    assert messages == [f"{sheet('zh-Hant')}!A7: 與 A5 重複：合約編號 相同的資料只能有一列"]
    assert result.data.index.tolist() == [6]
    _, messages = read_problems(contracts_book(tmp_path, rows, lang="en"), lang="en")
    assert messages == [f"{sheet('en')}!A7: Duplicates A5: only one row may have the same Contract no."]


def test_negative_quantity_is_refused_where_not_allowed(tmp_path):
    form = "dealer_monthly"
    row = {"dealer_id": "D00001", "month": dt.date(2026, 10, 1), "sku": "SKU001", "opening_stock_qty": -3,
           "received_qty": 10, "sell_out_qty": 5, "sell_out_amount": 500.0, "dealer_stock_qty": 2}
    path = write_workbook(tmp_path / "monthly.xlsx", {form: [row]}, "en")
    _, messages = read_problems(path, form, lang="en")
    # A sheet name with spaces is quoted the way Excel writes references.
    assert messages == ["'Dealer monthly report'!E5: \"Opening stock\" cannot be negative (-3)"]


def test_above_maximum_is_refused(tmp_path):
    _, messages = read_problems(contracts_book(tmp_path, [contract(1, discount_rate=1.5)]))
    assert messages == [f"{sheet('zh-Hant')}!K5: 「折扣率」的值 1.5 大於上限 1"]


def test_end_before_start_is_refused(tmp_path):
    path = contracts_book(tmp_path, [contract(1, start_date=dt.date(2026, 6, 1), end_date=dt.date(2026, 5, 31),
                                              signed_date=None)], lang="en")
    result, messages = read_problems(path, lang="en")
    assert messages == [f'{sheet("en")}!F5: "End date" is before "Start date" (E5)']
    assert result.data.empty


def test_error_values_are_reported_with_their_cells(tmp_path):
    rows = [contract(1, deposit=ExcelError("#N/A")), contract(2, annual_target_amount=ExcelError("#DIV/0!"))]
    result, messages = read_problems(contracts_book(tmp_path, rows))
    assert messages == [f"{sheet('zh-Hant')}!J5: 「保證金」的儲存格是錯誤值 #N/A",
                        f"{sheet('zh-Hant')}!I6: 「年度目標金額」的儲存格是錯誤值 #DIV/0!"]
    assert result.data.empty


def test_every_problem_of_a_sheet_comes_in_one_pass_in_reading_order(tmp_path):
    rows = [contract(1, deposit=-1, renewal_status="??"), contract(2, start_date="soon")]
    _, messages = read_problems(contracts_book(tmp_path, rows, lang="en"), lang="en")
    assert [m.split(":")[0] for m in messages] == [f"{sheet('en')}!J5", f"{sheet('en')}!Q5", f"{sheet('en')}!E6"]


def test_blank_rows_are_ignored_and_rows_below_the_table_are_read(tmp_path):
    rows = [contract(1), {}, {}, contract(2)]
    path = contracts_book(tmp_path, rows)
    result, messages = read_problems(path)
    assert messages == [] and result.data.index.tolist() == [5, 8]


def test_headers_in_another_language_and_any_order_are_matched(tmp_path):
    hans = {c: tr(f"col.{c}", "zh-Hans") for c in ("contract_id", "dealer_id", "end_date")}
    path = contracts_book(tmp_path, [contract(1)], headers={CONTRACTS: hans})
    result, messages = read_problems(path)
    assert messages == [] and result.data.loc[5, "end_date"] == dt.datetime(2026, 12, 31)


def test_rows_typed_below_the_table_range_are_read_and_checked(tmp_path):
    rows = [contract(1), contract(2), contract(3, deposit="n/a")]
    path = contracts_book(tmp_path, rows, lang="en", table_rows={CONTRACTS: 1})
    result, messages = read_problems(path, lang="en")
    assert messages == [f'{sheet("en")}!J7: "Deposit": "n/a" is not an amount']
    assert result.data.index.tolist() == [5, 6]


def test_messages_default_to_the_workbook_language(tmp_path):
    path = contracts_book(tmp_path, [contract(1, deposit=-1)], lang="zh-Hans")
    assert read_form(path, CONTRACTS).messages() == ["经销合同!J5: “保证金”不可为负数（-1）"]


def test_rows_holding_only_computed_formulas_count_as_blank(tmp_path):
    form = "sales_transactions"
    path = write_workbook(tmp_path / "sales.xlsx", {form: [{"amount": 0.0}, {"amount": 0.0}]}, "zh-Hant")
    result, messages = read_problems(path, form)
    assert messages == [] and result.data.empty


def test_part_above_its_whole_is_refused(tmp_path):
    form = "dealer_support_log"
    row = {"support_id": "SUP1", "dealer_id": "D1", "support_date": dt.date(2026, 3, 1), "support_type": "training",
           "staff_id": "S1", "invited_count": 10, "attended_count": 12, "status": "done"}
    path = write_workbook(tmp_path / "support.xlsx", {form: labelled(form, [row], "en")}, "en")
    _, messages = read_problems(path, form, lang="en")
    attended, invited = (tr(f"col.{c}", "en") for c in ("attended_count", "invited_count"))
    assert messages == [f"'{sheet('en', form)}'!I5: \"{attended}\" is greater than \"{invited}\" (H5)"]


def test_extra_columns_are_ignored(tmp_path):
    path = contracts_book(tmp_path, [contract(1)], headers={CONTRACTS: {"terms": "我的備註"}})
    result, messages = read_problems(path)
    assert messages == [] and result.data["terms"].isna().all()


def test_every_date_excel_has_is_read_up_to_9999_12_31_and_none_beyond(tmp_path):
    # 9999-12-31 is often typed for "no end": Excel has it (serial 2958465), so it is read;
    # serial 2958466 is beyond Excel's last day and named, never an overflow.
    rows = [contract(1, end_date=dt.datetime(9999, 12, 31)), contract(2, end_date=2958466.0),
            contract(3, end_date="9999-12-31"), contract(4, end_date=2958465.0)]
    result, messages = read_problems(contracts_book(tmp_path, rows, lang="en"), lang="en")
    assert [m.split(":")[0] for m in messages] == [f"{sheet('en')}!F6"]
    assert all("is not a date" in m for m in messages)
    assert result.data["end_date"].dt.strftime("%Y-%m-%d").tolist() == ["9999-12-31"] * 3


def test_a_percent_sign_is_read_only_in_percentage_columns(tmp_path):
    rows = [contract(1, discount_rate="12%"), contract(2, discount_rate="１２％", deposit="１２％"),
            contract(3, deposit="12%")]
    result, messages = read_problems(contracts_book(tmp_path, rows, lang="en"), lang="en")
    assert [m.split(":")[0] for m in messages] == [f"{sheet('en')}!J6", f"{sheet('en')}!J7"]  # the deposits
    assert result.data["discount_rate"].tolist() == [0.12]


def test_numbers_that_are_not_finite_are_refused(tmp_path):
    rows = [contract(1, deposit="1e999"), contract(2, annual_target_amount="-1e400"), contract(3, deposit="1e300")]
    result, messages = read_problems(contracts_book(tmp_path, rows, lang="en"), lang="en")
    assert [m.split(":")[0] for m in messages] == [f"{sheet('en')}!J5", f"{sheet('en')}!I6"]
    assert result.data["deposit"].tolist() == [1e300]
