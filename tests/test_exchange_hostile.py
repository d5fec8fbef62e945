"""Returned files are hostile input: each crafted file is refused with its name and reason,
nothing of it reaches the store, and the collection goes on with the next file."""
from __future__ import annotations

import hashlib
import hmac
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from support.packages import add_rows, form_sheet_part, number_cell, rewrite, set_cell, table_part, text_cell
from support.keys import TEST_KEY, department_key, issue_all  # noqa: F401  (fixture)
from support.postgres import store_url  # noqa: F401  (fixture)
from test_exchange import MONTH, assert_stored, collect, fill, issued_file, monthly_rows

from dealerxl.exchange import manifest
from dealerxl.exchange.manifest import KEY_VARIABLE
from dealerxl.exchange.package_check import Limits
from dealerxl.store import open_store


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    return issue_all(tmp_path_factory.mktemp("issued"),
                     ("dealer_monthly", MONTH, ["D00001", "D00002", "D00003"], "zh-Hant"))


def filled(issued: Path, tmp_path: Path, recipient: str = "D00001", rows: int = 3, seed: int = 0) -> Path:
    return fill(issued_file(issued, recipient), tmp_path / "filled" / f"{recipient}-{seed}.xlsx",
                monthly_rows(rows, seed))


def outcome_of(result, name: str):
    return next(o for o in result.collection.outcomes if o.file.name == name)


def reasons(outcome) -> list[str]:
    return [p.message(outcome.lang or "en") for p in outcome.problems]


def store_is_empty(url: str) -> None:
    with open_store(url) as store:
        assert store.submissions().empty and store.row_count("dealer_monthly") == 0


# ---- a dealer must only ever write its own rows ------------------------------------------------

def test_a_table_moved_elsewhere_to_write_other_dealers_rows_is_refused(issued, tmp_path, store_url, sample_book):
    """D00001 moves its table to N310:Y312 and writes rows for D00002 and D00003 there."""
    good = filled(issued, tmp_path)
    book = openpyxl.load_workbook(good)
    sheet = book.worksheets[0]
    table = next(iter(sheet.tables.values()))
    table.ref = "N310:Y312"
    for col in range(12):
        sheet.cell(310, 14 + col, sheet.cell(4, 1 + col).value)
    for row, (dealer, month) in enumerate((("D00002", "2026-09-01"), ("D00003", "2025-01-01")), start=311):
        values = [dealer, pd.Timestamp(month).to_pydatetime(), "SKU9", "x", 1, 1, 1, 100, 0, 1, None, None]
        for col, value in enumerate(values):
            sheet.cell(row, 14 + col, value)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    book.save(inbox / "1_moved.xlsx")
    result = collect([inbox], store_url, tmp_path, sample_book)
    (outcome,) = result.collection.outcomes
    assert outcome.status == "rejected"
    assert any(p.code in ("exchange.outside_table", "exchange.table_moved") for p in outcome.problems)
    assert any("N310" in m or "N310:Y312" in m for m in reasons(outcome)), reasons(outcome)
    store_is_empty(store_url)
    # D00002's genuine file still goes in (its rows were never written by anyone else)
    genuine = fill(issued_file(issued, "D00002"), tmp_path / "inbox2" / "D00002.xlsx", monthly_rows(2, 5))
    (outcome,) = collect([genuine], store_url, tmp_path, sample_book).collection.outcomes
    assert outcome.status == "accepted"
    with open_store(store_url) as store:
        assert_stored(store, "D00002", monthly_rows(2, 5))


def test_only_the_table_ref_changed_is_refused_as_moved(issued, tmp_path):
    from dealerxl.exchange.returned import check_file

    good = filled(issued, tmp_path)
    part = table_part(good)
    moved = rewrite(good, tmp_path / "moved.xlsx", {part: lambda xml: xml.replace(b'ref="A4:L304"', b'ref="A4:L305"')})
    checked = check_file(moved, TEST_KEY.encode())
    assert [p.code for p in checked.problems] == ["exchange.table_moved"]
    assert "A4:L305" in checked.problems[0].message("en") and "A4:L304" in checked.problems[0].message("en")


def test_a_row_typed_below_the_table_is_refused_naming_its_cell(issued, tmp_path, store_url, sample_book):
    good = filled(issued, tmp_path)
    book = openpyxl.load_workbook(good)
    sheet = book.worksheets[0]
    sheet.protection.sheet = False  # what a recipient does to type where the form does not let them
    sheet["C305"] = "SKU-EXTRA"
    sheet["E305"] = 5
    path = tmp_path / "inbox" / "below.xlsx"
    path.parent.mkdir()
    book.save(path)
    (outcome,) = collect([path], store_url, tmp_path, sample_book).collection.outcomes
    assert outcome.status == "rejected"
    assert [m.split(":")[0] for m in reasons(outcome)] == ["經銷商月報!C305", "經銷商月報!E305"]
    assert "300" in reasons(outcome)[0] and "A4:L304" in reasons(outcome)[0]
    store_is_empty(store_url)


def test_a_file_of_a_million_rows_is_refused_before_it_is_read(issued, tmp_path):
    from dealerxl.exchange.returned import check_file

    good = filled(issued, tmp_path)
    rows = b"".join(b'<row r="%d"><c r="C%d"><v>%d</v></c></row>' % (n, n, n) for n in range(305, 1_000_305))
    big = rewrite(good, tmp_path / "million.xlsx", {form_sheet_part(good): lambda xml: add_rows(xml, rows)})
    checked = check_file(big, TEST_KEY.encode())
    assert {p.code for p in checked.problems} == {"exchange.outside_table"}
    assert [p.cell for p in checked.problems] == ["C305", "C306", "C307", "C308", "C309"]


# ---- no file may stop a collection -------------------------------------------------------------

def far_cell_file(good: Path, out: Path) -> Path:
    return rewrite(good, out, {form_sheet_part(good): lambda xml: add_rows(
        xml, b'<row r="1048576">' + number_cell("XFD1048576", "1") + b"</row>")})


def test_one_cell_at_xfd1048576_is_refused_by_name_and_the_next_file_goes_in(issued, tmp_path, store_url,
                                                                          sample_book):
    inbox = tmp_path / "inbox"
    far_cell_file(filled(issued, tmp_path), inbox / "1_far.xlsx")
    fill(issued_file(issued, "D00002"), inbox / "2_good.xlsx", monthly_rows(2, 3))
    assert (inbox / "1_far.xlsx").stat().st_size < 64_000  # a small file that would ask for 512 GiB
    result = collect([inbox], store_url, tmp_path, sample_book)
    far, good = result.collection.outcomes
    assert far.status == "rejected" and far.problems[0].address == "經銷商月報!XFD1048576"
    assert good.status == "accepted"


def zip_bomb(good: Path, out: Path, unpacked: int) -> Path:
    """``good`` whose form sheet unpacks to ``unpacked`` bytes of padding (compressed tiny)."""
    part = form_sheet_part(good)
    with zipfile.ZipFile(good) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    xml = parts.pop(part)
    head, tail = xml.split(b"<sheetData>", 1) if b"<sheetData>" in xml else xml.split(b"<sheetData/>", 1)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
        info = zipfile.ZipInfo(part)
        info.compress_type = zipfile.ZIP_DEFLATED
        with target.open(info, "w") as stream:
            stream.write(head + b"<!--")
            block = b" " * (1 << 20)
            for _ in range(unpacked // len(block)):
                stream.write(block)
            stream.write(b"--><sheetData>" + tail)
    return out


def said_size(data: bytes, part: str, size: int) -> bytes:
    """The zip ``data`` claiming ``size`` as the unpacked size of ``part`` (APPNOTE 4.3.7 and
    4.3.12: the local header and the central directory both say it)."""
    data = bytearray(data)
    end = data.rfind(b"PK\x05\x06")
    count = int.from_bytes(data[end + 10:end + 12], "little")
    entry = int.from_bytes(data[end + 16:end + 20], "little")
    for _ in range(count):
        name_length, extra, comment = (int.from_bytes(data[entry + k:entry + k + 2], "little") for k in (28, 30, 32))
        if data[entry + 46:entry + 46 + name_length].decode() == part:
            local = int.from_bytes(data[entry + 42:entry + 46], "little")
            for where in (entry + 24, local + 22):
                data[where:where + 4] = size.to_bytes(4, "little")
        entry += 46 + name_length + extra + comment
    return bytes(data)


def test_a_zip_bomb_is_refused_after_reading_no_more_than_the_limit(issued, tmp_path):
    from dealerxl.exchange.returned import check_file

    bomb = zip_bomb(filled(issued, tmp_path), tmp_path / "bomb.xlsx", 300 << 20)
    assert bomb.stat().st_size < 2 << 20  # a few hundred kilobytes that unpack to 300 MB
    checked = check_file(bomb, TEST_KEY.encode())
    assert [p.code for p in checked.problems] == ["exchange.unpacks_too_large"]
    assert "128.0 MB" in checked.problems[0].message("en")
    # the zip's own size fields lie (a small size for the huge part): reading stops at the size
    # the zip gives, and the part's checksum then does not match
    lying = tmp_path / "lying.xlsx"
    lying.write_bytes(said_size(bomb.read_bytes(), form_sheet_part(bomb), 50_000))
    assert [p.code for p in check_file(lying, TEST_KEY.encode()).problems] == ["corrupt_workbook"]


def test_a_shared_strings_table_announcing_billions_of_strings_is_refused(issued, tmp_path):
    import re

    from dealerxl.exchange.returned import check_file

    sent = issued_file(issued, "D00001")  # as XlsxWriter writes it: with a shared-strings table
    lying = rewrite(sent, tmp_path / "sst.xlsx", {"xl/sharedStrings.xml": lambda xml: re.sub(
        rb'uniqueCount="\d+"', b'uniqueCount="4000000000"', xml)})
    assert [p.code for p in check_file(lying, TEST_KEY.encode()).problems] == ["corrupt_workbook"]


def nul_in_sku_name(good: Path, out: Path) -> Path:
    return rewrite(good, out, {form_sheet_part(good): lambda xml: set_cell(xml, "D5", text_cell("D5", "Item\x00 one"))})


def test_a_nul_character_is_refused_naming_its_cell_and_the_run_goes_on(issued, tmp_path, store_url, sample_book):
    inbox = tmp_path / "inbox"
    nul_in_sku_name(filled(issued, tmp_path), inbox / "1_nul.xlsx")
    fill(issued_file(issued, "D00002"), inbox / "2_good.xlsx", monthly_rows(2, 3))
    result = collect([inbox], store_url, tmp_path, sample_book)
    bad, good = result.collection.outcomes
    assert bad.status == "rejected" and [p.code for p in bad.problems] == ["exchange.control_character"]
    assert bad.problems[0].address == "經銷商月報!D5" and "U+0000" in reasons(bad)[0]
    assert good.status == "accepted"


def test_the_store_refuses_nul_text_itself_on_both_stores(store_url):
    from dealerxl.store import StoreError

    frame = monthly_rows(1).assign(dealer_id="D1", month=pd.Timestamp(f"{MONTH}-01"), note="a\x00b")
    with open_store(store_url) as store:
        with pytest.raises(StoreError, match="NUL"):
            store.load_submission("dealer_monthly", "D1", MONTH, "x", frame)
        assert store.submissions().empty


def test_a_damaged_file_in_the_command_line_run_still_gives_a_report_and_an_audit_row(
        issued, tmp_path, capsys):
    from dealerxl.cli import main
    from dealerxl.store.audit import entries

    inbox = tmp_path / "inbox"
    far_cell_file(filled(issued, tmp_path), inbox / "1_far.xlsx")
    nul_in_sku_name(filled(issued, tmp_path, "D00002"), inbox / "2_nul.xlsx")
    fill(issued_file(issued, "D00003"), inbox / "3_good.xlsx", monthly_rows(2, 3))
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    report = tmp_path / "report.xlsx"
    code = main(["collect", str(inbox), "--store", url, "--archive", str(tmp_path / "archive"), "--out", str(report),
                 "--lang", "en"])
    out = capsys.readouterr().out
    assert code == 1 and "1 accepted" in out and "2 rejected" in out
    rejected = pd.read_excel(report, sheet_name="Rejected", engine="calamine")
    assert rejected["File"].tolist() == ["1_far.xlsx", "2_nul.xlsx"]
    with open_store(url) as store:
        (row,) = entries(store).to_dict("records")[-1:]
    assert row["job"] == "collect_submissions" and row["exit_status"] == 1


# ---- values ------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell, value", [(number_cell("E5", "inf"), "inf"), (number_cell("H5", "1e309"), "inf"),
                                         (text_cell("G5", "1e999"), "1e999")])
def test_numbers_that_are_not_finite_are_refused_on_both_stores(issued, tmp_path, store_url, sample_book, cell, value):
    good = filled(issued, tmp_path)
    address = cell.split(b'"')[1].decode()
    bad = rewrite(good, tmp_path / "inbox" / "inf.xlsx",
                  {form_sheet_part(good): lambda xml: set_cell(xml, address, cell)})
    (outcome,) = collect([bad], store_url, tmp_path, sample_book).collection.outcomes
    assert outcome.status == "rejected"
    assert [p.address for p in outcome.problems] == [f"經銷商月報!{address}"]
    store_is_empty(store_url)


def test_a_full_width_percent_in_a_money_column_is_refused(issued, tmp_path, store_url, sample_book):
    rows = monthly_rows(2).astype(object)
    rows.loc[0, "sell_out_amount"] = "１２％"
    path = fill(issued_file(issued, "D00001"), tmp_path / "inbox" / "pct.xlsx", rows)
    (outcome,) = collect([path], store_url, tmp_path, sample_book).collection.outcomes
    assert outcome.status == "rejected" and outcome.problems[0].address == "經銷商月報!H5"
    store_is_empty(store_url)


def test_ids_differing_only_by_invisible_or_full_width_characters_are_one_key(issued, tmp_path, store_url,
                                                                             sample_book):
    rows = monthly_rows(3)
    rows.loc[1, "sku"] = "SKU\u200b00000"  # a zero-width space inside SKU00000
    path = fill(issued_file(issued, "D00001"), tmp_path / "inbox" / "zw.xlsx", rows)
    (outcome,) = collect([path], store_url, tmp_path, sample_book).collection.outcomes
    assert outcome.status == "rejected" and outcome.problems[0].code == "duplicate_key"
    rows.loc[1, "sku"] = "ＳＫＵ\u202e00001"  # full-width letters and a bidirectional control
    path = fill(issued_file(issued, "D00001"), tmp_path / "inbox" / "fw.xlsx", rows)
    (outcome,) = collect([path], store_url, tmp_path, sample_book).collection.outcomes
    assert outcome.status == "accepted", reasons(outcome)
    with open_store(store_url) as store:
        assert sorted(store.read("dealer_monthly")["sku"]) == ["SKU00000", "SKU00001", "SKU00002"]


def test_an_ods_or_xlsb_renamed_xlsx_is_named_for_what_it_is(tmp_path):
    from dealerxl.exchange.returned import check_file

    ods = tmp_path / "ods.xlsx"
    with zipfile.ZipFile(ods, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        package.writestr("content.xml", "<office:document-content/>")
    xlsb = tmp_path / "xlsb.xlsx"
    with zipfile.ZipFile(xlsb, "w") as package:
        package.writestr("xl/workbook.bin", b"\x83\x01\x00")
    assert "OpenDocument spreadsheet (.ods)" in check_file(ods, TEST_KEY.encode()).problems[0].message("en")
    assert "binary workbook (.xlsb)" in check_file(xlsb, TEST_KEY.encode()).problems[0].message("en")


@pytest.mark.libreoffice
def test_a_real_xls_or_ods_renamed_xlsx_is_named_for_what_it_is(issued, tmp_path):
    from support.libreoffice import LibreOffice

    from dealerxl.exchange.returned import check_file

    good = filled(issued, tmp_path)
    office = LibreOffice()
    try:
        made = office.convert_many([good], tmp_path / "xls", "xls") + office.convert_many([good], tmp_path / "ods", "ods")
    finally:
        office.remove_profile()
    for path, kind in zip(made, ("Excel 97–2003 workbook (.xls)", "OpenDocument spreadsheet (.ods)")):
        renamed = path.with_name(path.stem + "-" + path.suffix[1:] + ".xlsx")
        path.rename(renamed)
        (problem,) = check_file(renamed, TEST_KEY.encode()).problems
        assert kind in problem.message("en") and "damaged" not in problem.message("en")


# ---- the department key and the inbox -------------------------------------------------------------

def test_a_key_shorter_than_32_hex_digits_is_refused_with_how_to_make_one(tmp_path, monkeypatch, capsys):
    from dealerxl.cli import main

    monkeypatch.setenv(KEY_VARIABLE, "abc")
    code = main(["templates", "issue", "--form", "dealer_monthly", "--month", MONTH, "--dealers", "D1", "--out",
                 str(tmp_path / "out"), "--lang", "en"])
    err = capsys.readouterr().err
    assert code == 2 and "at least 32 hexadecimal digits" in err and "secrets.token_hex(32)" in err
    assert not (tmp_path / "out").exists()
    monkeypatch.setenv(KEY_VARIABLE, "this is not hex at all, however long it is")
    with pytest.raises(manifest.ManifestError):
        manifest.department_key()


def test_the_key_id_reveals_nothing_about_the_key():
    key = TEST_KEY.encode()
    assert manifest.key_id(key) == hmac.new(key, b"dealerxl department key id", hashlib.sha256).hexdigest()[:16]
    # an id cannot be computed without the key: no key-independent hash of it is published
    assert manifest.key_id(key) not in hashlib.sha256(b"dealerxl key id:" + key).hexdigest()


def test_a_manifest_of_the_first_format_is_refused_asking_to_issue_again(issued, tmp_path):
    from dealerxl.exchange.returned import check_file

    book = openpyxl.load_workbook(filled(issued, tmp_path))
    for row in book["_dx_manifest"].iter_rows():
        if row[0].value == "format":
            row[1].value = "dealerxl-exchange/1"
    book.save(tmp_path / "old.xlsx")
    (problem,) = check_file(tmp_path / "old.xlsx", TEST_KEY.encode()).problems
    assert problem.code == "exchange.old_manifest" and "issue the template again" in problem.message("en")


def test_a_link_in_the_inbox_is_never_followed(issued, tmp_path, store_url, sample_book):
    secret = tmp_path / "book.exchange-key"
    secret.write_text(TEST_KEY)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "key.xlsx").symlink_to(secret)
    (inbox / "folder").symlink_to(tmp_path, target_is_directory=True)
    fill(issued_file(issued, "D00001"), inbox / "good.xlsx", monthly_rows(2))
    result = collect([inbox], store_url, tmp_path, sample_book)
    statuses = {o.file.name: (o.status, [p.code for p in o.problems]) for o in result.collection.outcomes}
    assert statuses == {"folder": ("rejected", ["exchange.link"]), "good.xlsx": ("accepted", []),
                        "key.xlsx": ("rejected", ["exchange.link"])}
    archived = b"".join(p.read_bytes() for p in (tmp_path / "archive").iterdir())
    assert TEST_KEY.encode() not in archived and len(list((tmp_path / "archive").iterdir())) == 1


# ---- the reader's own process stays safe ----------------------------------------------------------

def huge_string(sent: Path, out: Path, size: int) -> Path:
    """``sent`` with one more shared string of ``size`` characters (within every size limit,
    but the reader must hold it whole)."""
    import re

    def grow(xml: bytes) -> bytes:
        xml = re.sub(rb'(count|uniqueCount)="(\d+)"', lambda m: m.group(1) + b'="' + str(int(m.group(2)) + 1).encode()
                     + b'"', xml)
        return xml.replace(b"</sst>", b"<si><t>" + b"x" * size + b"</t></si></sst>")

    return rewrite(sent, out, {"xl/sharedStrings.xml": grow})


def test_a_file_that_makes_the_reader_run_out_of_memory_is_rejected_and_the_next_is_read(issued, tmp_path):
    from dealerxl.exchange.collect import receive_file, take_check
    from dealerxl.exchange.sandbox import Checker

    hungry = huge_string(issued_file(issued, "D00001"), tmp_path / "hungry.xlsx", 100 << 20)
    second = filled(issued, tmp_path, "D00002")
    received = [receive_file(path, tmp_path / "archive") for path in (hungry, second)]
    items = [(o.archived, o.file.name) for o in received]
    with Checker(TEST_KEY.encode(), memory=32 << 20) as checker:  # the reader may take 32 MB more
        first, then = checker.check_all(items)
    assert first.problems[0].code in ("exchange.check_died", "exchange.unexpected"), first.problems
    assert "hungry.xlsx" in first.problems[0].message("en")
    assert take_check(received[1], then).status == "checked"  # a new child read the next file
    with Checker(TEST_KEY.encode(), seconds=0.01) as hurried:
        (late,) = hurried.check_all(items[1:])
    assert late.problems[0].code == "exchange.check_timeout" and "0.01 seconds" in late.problems[0].message("en")
    with Checker(TEST_KEY.encode(), workers=2) as checker:
        both = list(checker.check_all(items))
    assert [p.code for p in both[0].problems] == ["exchange.empty"] and both[1].ok  # room enough: read as usual


def test_the_package_limits_scale_with_what_is_asked(issued, tmp_path):
    from dealerxl.exchange.returned import check_file

    good = filled(issued, tmp_path)
    assert check_file(good, TEST_KEY.encode()).ok
    small = Limits(file_bytes=1_000)
    assert [p.code for p in check_file(good, TEST_KEY.encode(), limits=small).problems] == ["exchange.too_large"]
    few = Limits(parts=3)
    assert [p.code for p in check_file(good, TEST_KEY.encode(), limits=few).problems] == ["exchange.too_many_parts"]
    tight = Limits(part_bytes=10_000, total_bytes=10_000)
    assert [p.code for p in check_file(good, TEST_KEY.encode(), limits=tight).problems] == [
        "exchange.unpacks_too_large"]
