"""Writing form tables into an existing workbook without Excel: nothing else in it changes,
the macros and ribbon survive, and a refusal or a failure leaves the file as it was."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from workbook_fixtures import write_workbook

from dealerxl.book import read_form
from dealerxl.book.in_place import BACKUP_FOLDER
from dealerxl.book.write_into import WriteRefused, finish_package, write_into
from dealerxl.forms import FORMS
from dealerxl.i18n import tr

MASTER = Path(__file__).resolve().parents[1] / "DealerWorkbook.xlsm"
FORM = "sales_transactions"  # has a computed column (amount) and dropdown columns


@pytest.fixture
def master(tmp_path) -> Path:
    """A copy of the committed master workbook (macros, ribbon, every form's table)."""
    return Path(shutil.copy(MASTER, tmp_path / "DealerWorkbook.xlsm"))


@pytest.fixture(scope="module")
def sales(sample_data) -> pd.DataFrame:
    return sample_data[FORM].reset_index(drop=True)


def package(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def table_ref(path: Path, name: str) -> str:
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        if name in sheet.tables:
            return sheet.tables[name].ref
    raise AssertionError(f"no table {name}")


def macros(path: Path) -> list[tuple[str, str]]:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return sorted((vba_name, code) for _, _, vba_name, code in parser.extract_all_macros())
    finally:
        parser.close()


def test_written_rows_read_back_exactly_as_the_frame(master, sales):
    rows = sales.head(300)
    result = write_into(master, {FORM: rows})
    assert result.tables[FORM].ref == "A4:M304" == table_ref(master, "tbl_sales_transactions")
    back = read_form(master, FORM)
    assert back.problems == []
    pd.testing.assert_frame_equal(back.data.reset_index(drop=True), rows, check_dtype=False)


def test_macros_and_ribbon_survive_byte_for_byte(master, sales):
    before = package(master)
    write_into(master, {FORM: sales.head(50)})
    after = package(master)
    assert after["xl/vbaProject.bin"] == before["xl/vbaProject.bin"]
    assert after["customUI/customUI14.xml"] == before["customUI/customUI14.xml"]
    rels = after["_rels/.rels"].decode()
    assert 'relationships/ui/extensibility" Target="customUI/customUI14.xml"' in rels
    assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in after["[Content_Types].xml"]
    assert macros(master) == macros(MASTER)
    assert any("DX_OnAction" in code for _, code in macros(master))


def cells(sheet) -> list[list]:
    """Every cell's value or formula; an empty text cell counts as blank (openpyxl writes
    one as a cell without a value, which Excel's formulas see as "" all the same)."""
    return [[None if v == "" else v for v in row] for row in sheet.iter_rows(values_only=True)]


def test_every_other_sheet_keeps_its_cells_and_tables(master, sales):
    write_into(master, {FORM: sales.head(120)})
    old, new = openpyxl.load_workbook(MASTER), openpyxl.load_workbook(master)
    written = tr(FORMS[FORM].label_key("sheet"), "zh-Hant")
    assert old.sheetnames == new.sheetnames
    for name in old.sheetnames:
        if name == written:
            continue
        assert cells(new[name]) == cells(old[name]), name
        assert dict(new[name].tables.items()) == dict(old[name].tables.items())
        assert old[name].sheet_state == new[name].sheet_state
    assert set(new.defined_names) == set(old.defined_names)


def test_computed_columns_are_formulas_in_every_row(master, sales):
    write_into(master, {FORM: sales.head(40)})
    sheet = openpyxl.load_workbook(master)[tr(FORMS[FORM].label_key("sheet"), "zh-Hant")]
    assert [sheet[f"J{row}"].value for row in range(5, 45)] == [f"=ROUND(G{r}*H{r}*(1-I{r}),2)" for r in range(5, 45)]
    assert sheet["J45"].value is None


def test_dropdown_columns_hold_the_workbooks_labels(master, sales):
    write_into(master, {FORM: sales.head(5)})
    sheet = openpyxl.load_workbook(master)[tr(FORMS[FORM].label_key("sheet"), "zh-Hant")]
    assert sheet["D5"].value == tr(f"enum.transaction_type.{sales['transaction_type'][0]}", "zh-Hant")


def test_fewer_rows_clear_the_old_ones_and_keep_their_formats(master, sales):
    write_into(master, {FORM: sales.head(300)})
    write_into(master, {FORM: sales.head(20)})
    assert table_ref(master, "tbl_sales_transactions") == "A4:M24"
    sheet = openpyxl.load_workbook(master)[tr(FORMS[FORM].label_key("sheet"), "zh-Hant")]
    assert all(sheet.cell(row, col).value is None for row in range(25, 305) for col in range(1, 14))
    assert sheet["C200"].number_format == sheet["C5"].number_format == "yyyy-mm-dd"
    back = read_form(master, FORM)
    pd.testing.assert_frame_equal(back.data.reset_index(drop=True), sales.head(20), check_dtype=False)


def test_more_rows_than_the_checked_range_extend_the_dropdowns(master, sales):
    rows = sales.head(1200)
    write_into(master, {FORM: rows})
    sheet = openpyxl.load_workbook(master)[tr(FORMS[FORM].label_key("sheet"), "zh-Hant")]
    dropdown = [v for v in sheet.data_validations.dataValidation if v.type == "list" and "D5" in v.sqref]
    assert dropdown and "D1204" in dropdown[0].sqref
    assert sheet["C1204"].number_format == "yyyy-mm-dd"  # a new row took the first row's formats
    back = read_form(master, FORM)
    assert len(back.data) == 1200 and back.problems == []


def test_an_empty_frame_leaves_one_blank_row(master, sales):
    write_into(master, {FORM: sales.head(10)})
    write_into(master, {FORM: sales.iloc[0:0]})
    assert table_ref(master, "tbl_sales_transactions") == "A4:M5"
    assert read_form(master, FORM).data.empty


def test_several_forms_in_one_write(master, sample_data):
    frames = {f: sample_data[f].head(30).reset_index(drop=True) for f in ("dealer_monthly", "receivables")}
    write_into(master, frames)
    for form_id, frame in frames.items():
        back = read_form(master, form_id)
        assert back.problems == []
        # a computed column the frame does not carry is left to Excel to work out
        pd.testing.assert_frame_equal(back.data[frame.columns].reset_index(drop=True), frame, check_dtype=False)


def chart_workbook(path: Path, sales: pd.DataFrame) -> Path:
    """A form sheet with its table and a chart of it, as a user might add one."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet(tr(FORMS[FORM].label_key("sheet"), "en"))
    headers = [tr(c.label_key, "en") for c in FORMS[FORM].columns]
    sheet.write_row(3, 0, headers)
    for i, value in enumerate(sales["quantity"].head(5), start=4):
        sheet.write_number(i, 6, float(value))
    sheet.add_table(3, 0, 8, len(headers) - 1, {"name": "tbl_sales_transactions",
                                                "columns": [{"header": h} for h in headers]})
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": [sheet.name, 4, 6, 8, 6]})
    sheet.insert_chart("O2", chart)
    book.define_name("DX_LANG", '="en"')
    book.close()
    return path


def test_a_workbook_with_a_chart_is_refused_and_left_unchanged(tmp_path, sales):
    path = chart_workbook(tmp_path / "charted.xlsx", sales)
    before = path.read_bytes()
    with pytest.raises(WriteRefused) as refused:
        write_into(path, {FORM: sales.head(3)})
    assert refused.value.key == "msg.unsafe_write"
    message = refused.value.message("zh-Hant")
    assert "charted.xlsx" in message and "圖表" in message
    assert "charts" in refused.value.message("en")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["charted.xlsx"]


def test_a_workbook_with_a_chart_can_be_written_to_a_new_file(tmp_path, sales):
    path = chart_workbook(tmp_path / "charted.xlsx", sales)
    before = path.read_bytes()
    result = write_into(path, {FORM: sales.head(3)}, out=tmp_path / "copy.xlsx")
    assert "charts" in result.dropped_parts
    assert path.read_bytes() == before
    back = read_form(tmp_path / "copy.xlsx", FORM)
    pd.testing.assert_frame_equal(back.data.reset_index(drop=True), sales.head(3), check_dtype=False)


def test_a_failure_while_writing_leaves_the_file_untouched(master, sales, monkeypatch):
    import dealerxl.book.write_into as module

    before = master.read_bytes()

    def broken(original, saved, rewrite=None):
        finish_package(original, saved, rewrite)
        raise OSError("disk full")

    monkeypatch.setattr(module, "finish_package", broken)
    with pytest.raises(OSError, match="disk full"):
        write_into(master, {FORM: sales.head(100)})
    assert master.read_bytes() == before
    assert sorted(p.name for p in master.parent.iterdir()) == [BACKUP_FOLDER, master.name]


def test_a_failure_inside_the_save_leaves_the_file_untouched(master, sales, monkeypatch):
    before = master.read_bytes()

    def broken(self, filename):
        Path(filename).write_bytes(b"PK half a file")
        raise RuntimeError("killed")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken)
    with pytest.raises(RuntimeError, match="killed"):
        write_into(master, {FORM: sales.head(100)})
    assert master.read_bytes() == before
    assert sorted(p.name for p in master.parent.iterdir()) == [BACKUP_FOLDER, master.name]


def test_a_missing_table_is_refused_naming_it(tmp_path, sales):
    path = write_workbook(tmp_path / "book.xlsx", {"dealer_monthly": []}, "en")
    before = path.read_bytes()
    with pytest.raises(WriteRefused) as refused:
        write_into(path, {FORM: sales.head(3)})
    assert "tbl_sales_transactions" in refused.value.message("en") and "book.xlsx" in refused.value.message("en")
    assert path.read_bytes() == before


def test_more_rows_than_the_sheet_holds_are_refused(master, sales):
    before = master.read_bytes()
    with pytest.raises(WriteRefused) as refused:
        write_into(master, {FORM: sales.head(20)}, sheet_rows=20)
    assert refused.value.fields["capacity"] == 16  # 20 rows less the title, instruction, blank and header rows
    assert master.read_bytes() == before


def test_cells_below_the_table_are_never_overwritten(tmp_path, sales):
    rows = sales.head(6).astype(object).where(sales.head(6).notna(), None).to_dict("records")
    path = write_workbook(tmp_path / "book.xlsx", {FORM: rows}, "en", table_rows={FORM: 2})
    before = path.read_bytes()
    with pytest.raises(WriteRefused) as refused:
        write_into(path, {FORM: sales.head(4)})
    assert refused.value.fields["cell"].endswith("!A7")
    assert path.read_bytes() == before


def test_a_moved_table_in_a_plain_workbook_is_written_where_it_is(tmp_path, sales):
    path = write_workbook(tmp_path / "moved.xlsx", {FORM: []}, "zh-Hans", places={FORM: (9, 2)})
    write_into(path, {FORM: sales.head(25)})
    assert table_ref(path, "tbl_sales_transactions") == "C10:O35"
    back = read_form(path, FORM)
    assert back.problems == []
    pd.testing.assert_frame_equal(back.data.reset_index(drop=True), sales.head(25), check_dtype=False)
    with zipfile.ZipFile(path) as z:
        assert not any(n.startswith("customUI/") or n.endswith("vbaProject.bin") for n in z.namelist())


def test_text_that_looks_like_markup_or_a_formula_stays_text(master, sample_data):
    frame = sample_data["dealer_monthly"].head(40).reset_index(drop=True)
    notes = ["=SUM(A1:A3)", "a < b & c > d", "引號 \"x\" 'y'", "tab\there", "bell\x07gone"] * 8
    frame["note"] = pd.Series(notes, dtype="str")
    write_into(master, {"dealer_monthly": frame})
    back = read_form(master, "dealer_monthly")
    assert back.problems == []
    expected = [n.replace("\x07", "") for n in notes]
    assert back.data["note"].tolist() == expected
    note = openpyxl.utils.get_column_letter([c.id for c in FORMS["dealer_monthly"].columns].index("note") + 1)
    with zipfile.ZipFile(master) as z:
        part = next(n for n in z.namelist() if n.startswith("xl/worksheets/sheet") and
                    f'<c r="{note}5"'.encode() in z.read(n) and b"=SUM(A1:A3)" in z.read(n))
        xml = z.read(part).decode()
    assert "<f>SUM(A1:A3)</f>" not in xml and xml.count("=SUM(A1:A3)") == 8


def test_cells_beside_the_table_are_kept(tmp_path, sales):
    path = write_workbook(tmp_path / "book.xlsx", {FORM: []}, "en")
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    sheet["P5"], sheet["P12"] = "checked by", "Mei"
    book.save(path)
    write_into(path, {FORM: sales.head(30)})
    after = openpyxl.load_workbook(path).worksheets[0]
    assert (after["P5"].value, after["P12"].value) == ("checked by", "Mei")
    back = read_form(path, FORM)
    pd.testing.assert_frame_equal(back.data.reset_index(drop=True), sales.head(30), check_dtype=False)


@pytest.mark.libreoffice
def test_libreoffice_opens_the_written_workbook_and_works_the_formulas_out(master, sales, tmp_path):
    from support.libreoffice import LibreOffice

    rows = sales.head(200)
    write_into(master, {FORM: rows.drop(columns="amount")})  # no results cached: LibreOffice must work them out
    office = LibreOffice(tmp_path / "profile")
    try:
        converted = office.convert(master, tmp_path / "out")
    finally:
        office.remove_profile()
    back = read_form(converted, FORM)
    assert back.problems == []
    pd.testing.assert_frame_equal(back.data.reset_index(drop=True), rows, check_dtype=False)


def test_writing_again_over_a_full_table_replaces_every_row(master, sales):
    write_into(master, {FORM: sales.head(300)})
    again = sales.iloc[300:650].reset_index(drop=True)
    write_into(master, {FORM: again})
    assert table_ref(master, "tbl_sales_transactions") == "A4:M354"
    back = read_form(master, FORM)
    assert back.problems == []
    pd.testing.assert_frame_equal(back.data.reset_index(drop=True), again, check_dtype=False)
    sheet = openpyxl.load_workbook(master)[tr(FORMS[FORM].label_key("sheet"), "zh-Hant")]
    assert sheet["C200"].number_format == sheet["C354"].number_format == "yyyy-mm-dd"
    assert sorted(p.name for p in master.parent.iterdir()) == [BACKUP_FOLDER, master.name]
