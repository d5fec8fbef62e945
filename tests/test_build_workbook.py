"""The built workbook: what openpyxl, olevba, the zip package and LibreOffice see in it."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pandas as pd
import pytest
from openpyxl import load_workbook

from dealerxl.build import MASTER_NAME, build_all, write_workbook
from dealerxl.build.layout import CONFIG_SHEET, FIRST_DATA_ROW, HEADER_ROW, LISTS_SHEET, column_number_format
from dealerxl.build.package import MACRO_MAIN, RIBBON_PART, RIBBON_REL_TYPE
from dealerxl.build.vba import DISPATCHER, ON_ACTION, UDF_MODULE_NAME
from dealerxl.excel.functions import UDFS
from dealerxl.excel.ribbon import load_buttons
from dealerxl.forms import ENUMS, FORMS, SETTINGS
from dealerxl.i18n import tr

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    build_all(out, "zh-Hant")
    return out


@pytest.fixture(scope="session")
def master(built) -> Path:
    return built / MASTER_NAME


@pytest.fixture(scope="session")
def book(master):
    return load_workbook(master)


def vba_modules(path: Path) -> dict[str, str]:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code.replace("\r\n", "\n")
                for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def test_every_form_has_its_table_with_the_declared_headers_in_order(book):
    for form in FORMS.values():
        sheet = book[tr(form.label_key("sheet"), "zh-Hant")]
        assert form.table_name in sheet.tables, form.id
        table = sheet.tables[form.table_name]
        header_row = sheet[table.ref.split(":")[0]].row
        assert header_row == HEADER_ROW + 1
        headers = [cell.value for cell in sheet[header_row]][:len(form.columns)]
        assert headers == [tr(c.label_key, "zh-Hant") for c in form.columns], form.id
        assert sheet.freeze_panes == f"A{FIRST_DATA_ROW + 1}"
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
        assert sheet.print_title_rows == f"${HEADER_ROW + 1}:${HEADER_ROW + 1}"
        assert sheet.cell(1, 1).value == tr(form.label_key("title"), "zh-Hant")
        assert sheet.cell(2, 1).value == tr(form.label_key("instruction"), "zh-Hant")


def test_coded_columns_have_dropdowns_from_their_list(book):
    lists = book.defined_names
    for form in FORMS.values():
        sheet = book[tr(form.label_key("sheet"), "zh-Hant")]
        sources = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in sheet.data_validations.dataValidation
                   if dv.type == "list"}
        for index, column in enumerate(form.columns):
            if column.enum:
                letter = sheet.cell(FIRST_DATA_ROW + 1, index + 1).column_letter
                assert sources.get(f"{letter}{FIRST_DATA_ROW + 1}") == f"list_{column.enum}", (form.id, column.id)
    for enum in ENUMS.values():
        if f"list_{enum.id}" in lists:
            sheet_name, cells = next(iter(lists[f"list_{enum.id}"].destinations))
            values = [c[0].value for c in book[sheet_name][cells]]
            assert values == [tr(f"enum.{enum.id}.{code}", "zh-Hant") for code in enum.codes]


def test_columns_carry_their_number_format_and_input_styling(book):
    form = FORMS["sales_transactions"]
    sheet = book[tr(form.label_key("sheet"), "zh-Hant")]
    for index, column in enumerate(form.columns, start=1):
        cell = sheet.cell(FIRST_DATA_ROW + 1, index)
        if column_number_format(column):
            assert cell.number_format == column_number_format(column), column.id
        if column.formula:
            assert str(cell.value).startswith("="), column.id
            assert cell.protection.locked
        else:
            assert cell.fill.fgColor.rgb.endswith("FFF2CC"), column.id


def test_settings_sheet_lists_every_setting_with_its_default(book):
    sheet = book[tr("form.settings.sheet", "zh-Hant")]
    rows = list(sheet.iter_rows(min_row=FIRST_DATA_ROW + 1, values_only=True))
    by_id = {row[0]: row for row in rows if row[0]}
    assert set(by_id) == set(SETTINGS)
    for setting in SETTINGS.values():
        assert by_id[setting.id][3] == setting.default
        assert by_id[setting.id][2] == tr(f"setting.{setting.id}", "zh-Hant")


def test_index_links_every_form(book):
    sheet = book[tr("build.index_sheet", "zh-Hant")]
    links = {cell.hyperlink.location for row in sheet.iter_rows() for cell in row if cell.hyperlink}
    for form in FORMS.values():
        assert f"'{tr(form.label_key('sheet'), 'zh-Hant')}'!A1" in links


def test_xlwings_conf_points_at_the_functions(book):
    sheet = book[CONFIG_SHEET]
    config = {row[0]: row[1] for row in sheet.iter_rows(values_only=True)}
    assert config["UDF Modules"] == "dealerxl.excel.functions"
    assert book[LISTS_SHEET].sheet_state == "hidden"
    assert book.defined_names["DX_LANG"].attr_text == '"zh-Hant"'


def test_package_holds_the_ribbon_its_relationship_and_the_macro_content_type(master):
    with zipfile.ZipFile(master) as package:
        names = package.namelist()
        assert RIBBON_PART in names and "xl/vbaProject.bin" in names
        rels = package.read("_rels/.rels").decode()
        assert f'Type="{RIBBON_REL_TYPE}"' in rels and f'Target="{RIBBON_PART}"' in rels
        types = package.read("[Content_Types].xml").decode()
        assert MACRO_MAIN in types
        ribbon = ElementTree.fromstring(package.read(RIBBON_PART))
    buttons = ribbon.findall(".//{*}button")
    assert sorted(b.get("id") for b in buttons) == sorted(load_buttons())
    subs = set(re.findall(r"(?im)^\s*Public Sub (\w+)\(", vba_modules(master)[DISPATCHER]))
    assert {b.get("onAction") for b in buttons} <= subs
    assert ribbon.find(".//{*}tab").get("label") == tr("ribbon.tab", "zh-Hant")


def test_vba_modules_round_trip_and_are_ascii(master):
    from dealerxl.build.vba import dispatcher_module, modules, workbook_module

    found = vba_modules(master)
    for name, (source, _) in modules(UDFS).items():
        assert name in found, name
        assert source.isascii()
    assert found[DISPATCHER].strip() == dispatcher_module().replace("\r\n", "\n").strip()  # nothing cut off
    assert found["ThisWorkbook"].strip().endswith(workbook_module().replace("\r\n", "\n").strip())
    assert f"Sub {ON_ACTION}(" in found[DISPATCHER]
    wrappers = found[UDF_MODULE_NAME]
    for name, info in UDFS.items():
        assert re.search(rf"(?m)^Function {name}\(", wrappers), name
        assert f'XLPy.CallUDF("dealerxl.excel.functions", "{name}"' in wrappers
        for arg in info.optional:
            assert f"Optional {arg}" in wrappers.split(f"Function {name}(")[1].split(")")[0]
    assert "Function XLPy()" in found["xlwings"]


def cell_values(path: Path) -> dict:
    book = load_workbook(path)
    return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()] for sheet in book.worksheets}


def test_committed_workbook_and_templates_are_the_output_of_dealerxl_build(built):
    committed = ROOT / MASTER_NAME
    assert cell_values(committed) == cell_values(built / MASTER_NAME), "run `dealerxl build` and commit"
    assert vba_modules(committed) == vba_modules(built / MASTER_NAME)
    with zipfile.ZipFile(committed) as a, zipfile.ZipFile(built / MASTER_NAME) as b:
        assert a.read(RIBBON_PART) == b.read(RIBBON_PART)
    templates = sorted(p.name for p in (built / "templates").iterdir())
    assert templates == sorted(p.name for p in (ROOT / "templates").iterdir())
    for name in templates:
        assert cell_values(ROOT / "templates" / name) == cell_values(built / "templates" / name), name


def test_templates_hold_one_form_each_without_macros(built):
    shared = [form for form in FORMS.values() if form.shared]
    assert shared and {f"{form.id}.xlsx" for form in shared} == {p.name for p in (built / "templates").iterdir()}
    for form in shared:
        path = built / "templates" / f"{form.id}.xlsx"
        with zipfile.ZipFile(path) as package:
            assert "xl/vbaProject.bin" not in package.namelist()
        book = load_workbook(path)
        assert book.sheetnames == [tr(form.label_key("sheet"), "zh-Hant"), LISTS_SHEET]


def test_english_build_uses_english_labels(tmp_path):
    path = write_workbook(tmp_path / "en.xlsm", lang="en")
    book = load_workbook(path)
    assert book.sheetnames[0] == "Contents"
    assert tr("form.dealer_master.sheet", "en") in book.sheetnames
    with zipfile.ZipFile(path) as package:
        assert b'label="Dealer Management"' in package.read(RIBBON_PART)


# Expected values of every computed column, written out independently of the formulas.
EXPECTED_FORMULAS = {
    ("staff_bonus", "bonus_amount"): lambda f: f.bonus_base * f.bonus_multiple + f.bonus_adjustment.fillna(0),
    ("market_research", "market_share"): lambda f: (f.our_sales / f.market_size).where(f.market_size > 0),
    ("market_research", "outlet_coverage"): lambda f: (f.outlets_covered / f.outlets_total).where(f.outlets_total > 0),
    ("annual_targets", "target_growth"):
        lambda f: (f.target_amount / f.prior_year_actual - 1).where(f.prior_year_actual > 0),
    ("sales_transactions", "amount"):
        lambda f: (f.quantity * f.unit_price * (1 - f.discount_rate.fillna(0))).round(2),
    ("dealer_monthly", "stock_difference"):
        lambda f: (f.opening_stock_qty.fillna(0) + f.received_qty.fillna(0) - f.sell_out_qty.fillna(0)
                   - f.returned_qty.fillna(0) - f.dealer_stock_qty.fillna(0)),
    ("stock_ledger", "available"): lambda f: f.on_hand.fillna(0) + f.on_order.fillna(0) - f.reserved.fillna(0),
    ("receivables", "open_amount"): lambda f: f.amount.fillna(0) - f.paid_amount.fillna(0),
    ("open_orders", "open_amount"): lambda f: f.order_amount.fillna(0) - f.shipped_amount.fillna(0),
    ("sop_register", "next_review_date"):
        lambda f: pd.Series([d + pd.DateOffset(months=int(m)) if pd.notna(d) else pd.NaT
                             for d, m in zip(f.last_review_date, f.review_interval_months.fillna(0))], index=f.index),
}


def test_every_computed_column_has_an_expected_value():
    declared = {(f.id, c.id) for f in FORMS.values() for c in f.columns if c.formula}
    assert declared == set(EXPECTED_FORMULAS)


@pytest.fixture(scope="session")
def sample_data():
    from dealerxl.sample import generate

    return generate("small")


@pytest.fixture(scope="session")
def recalculated(tmp_path_factory, sample_data):
    """The sample workbook as LibreOffice recalculated it (one conversion per test run)."""
    from support.libreoffice import LibreOffice

    folder = tmp_path_factory.mktemp("recalc")
    source = write_workbook(folder / "sample.xlsm", data=sample_data)
    converted = LibreOffice(folder / "profile").convert(source, folder / "out")
    return load_workbook(converted, data_only=True, read_only=True)


@pytest.mark.libreoffice
def test_libreoffice_recalculates_the_index_row_counts(recalculated, sample_data):
    rows = list(recalculated[tr("build.index_sheet", "zh-Hant")].iter_rows(min_row=FIRST_DATA_ROW + 1, values_only=True))
    counts = {row[1]: row[3] for row in rows if row[1]}
    total = 0
    for form in FORMS.values():
        expected = len(SETTINGS) if form.id == "settings" else len(sample_data.get(form.id, []))
        assert counts[tr(form.label_key("sheet"), "zh-Hant")] == expected, form.id
        total += expected
    assert rows[len(FORMS)][3] == total


@pytest.mark.libreoffice
@pytest.mark.parametrize("form_id, column_id", sorted(EXPECTED_FORMULAS))
def test_libreoffice_computes_each_formula_column_as_expected(recalculated, sample_data, form_id, column_id):
    form = FORMS[form_id]
    frame = sample_data[form_id].reset_index(drop=True)
    sheet = recalculated[tr(form.label_key("sheet"), "zh-Hant")]
    index = [c.id for c in form.columns].index(column_id)
    got = [row[index] for row in sheet.iter_rows(min_row=FIRST_DATA_ROW + 1, max_row=FIRST_DATA_ROW + len(frame),
                                                  values_only=True)]
    expected = EXPECTED_FORMULAS[(form_id, column_id)](frame)
    assert len(got) == len(frame)
    for position, (value, want) in enumerate(zip(got, expected)):
        if pd.isna(want):
            assert value in (None, ""), (position, value)
        elif isinstance(want, pd.Timestamp):
            assert pd.Timestamp(value).normalize() == want.normalize(), position
        else:
            assert value == pytest.approx(float(want), abs=0.006), position
