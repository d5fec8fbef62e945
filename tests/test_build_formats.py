"""Number formats and protection of the built form sheets: years without a thousands
separator, months as year-month, whole amounts and quantities; the settings sheet open only
where values are typed; the index in the manual's order and set up for print."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from dealerxl.build.layout import FIRST_DATA_ROW, HEADER_ROW
from dealerxl.forms import FORMS
from dealerxl.i18n import tr

MASTER = Path(__file__).resolve().parents[1] / "DealerWorkbook.xlsm"


@pytest.fixture(scope="module")
def book():
    return openpyxl.load_workbook(MASTER, keep_vba=False)


def column_format(book, form_id: str, column_id: str) -> str:
    form = FORMS[form_id]
    sheet = book[tr(form.label_key("sheet"), "zh-Hant")]
    index = [c.id for c in form.columns].index(column_id) + 1
    return sheet.cell(FIRST_DATA_ROW + 1, index).number_format


@pytest.mark.parametrize("form_id", [f for f, form in FORMS.items() if any(c.id == "year" for c in form.columns)])
def test_years_print_without_a_thousands_separator(book, form_id):
    assert column_format(book, form_id, "year") == "0"


@pytest.mark.parametrize("form_id", [f for f, form in FORMS.items()
                                     if any(c.id == "month" and c.type == "date" for c in form.columns)])
def test_months_print_as_year_and_month(book, form_id):
    assert column_format(book, form_id, "month") == "yyyy-mm"


def test_amounts_and_quantities_print_as_whole_numbers(book):
    assert column_format(book, "sales_transactions", "quantity") == "#,##0"
    assert column_format(book, "sales_transactions", "amount") == "#,##0"


@pytest.mark.parametrize("form_id", [f for f, form in FORMS.items() if any(c.unit == "units" for c in form.columns)])
def test_every_column_declared_in_units_prints_whole_units(book, form_id):
    for column in FORMS[form_id].columns:
        if column.unit == "units":
            assert column_format(book, form_id, column.id) == "#,##0", column.id


def test_a_columns_format_follows_its_declared_unit_not_its_name():
    from dealerxl.build.layout import column_number_format
    from dealerxl.forms.model import Column

    assert column_number_format(Column("boxes", "number", unit="units")) == "#,##0"
    assert column_number_format(Column("order_qty", "number")) == "#,##0.00"
    assert column_number_format(Column("period", "date", unit="month")) == "yyyy-mm"
    assert column_number_format(Column("month", "date")) == "yyyy-mm-dd"


def test_the_settings_sheet_is_protected_with_only_the_values_open_and_yellow(book):
    form = FORMS["settings"]
    sheet = book[tr(form.label_key("sheet"), "zh-Hant")]
    assert sheet.protection.sheet
    for index, column in enumerate(form.columns, start=1):
        cell = sheet.cell(FIRST_DATA_ROW + 1, index)
        typed = column.id == "setting_value"
        assert cell.protection.locked is not typed, column.id
        assert (cell.fill.fgColor.rgb[-6:] == "FFF2CC") is typed, column.id


def test_the_index_lists_sections_in_the_manuals_order_and_prints_on_a4(book):
    sheet = book.worksheets[0]
    sections = [str(row[0]).split()[0] for row in sheet.iter_rows(min_row=HEADER_ROW + 2, values_only=True)
                if row[0]]
    numbers = [tuple(int(p) for p in s.split(".")) for s in sections if s[0].isdigit()]
    assert numbers == sorted(numbers)
    assert sheet.page_setup.paperSize == 9 and sheet.page_setup.orientation == "landscape"
