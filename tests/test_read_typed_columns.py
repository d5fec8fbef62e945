"""A form's table read as typed columns (fastexcel) gives exactly what reading it cell by
cell gives: the same clean rows, the same problems at the same cells, the same rows left out."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import xlsxwriter
from hypothesis import HealthCheck, given, settings, strategies as st

from dealerxl.book import read_form
from dealerxl.book.locate import locate
from dealerxl.book.workbook_file import WorkbookFile
from dealerxl.forms import ENUMS, FORMS
from dealerxl.i18n import tr

FORM = FORMS["sales_transactions"]
HEADER_ROW = 2  # a title above, a blank row, then the table


def write_sales(path, rows: list[list]) -> None:
    """The sales form as a workbook: its Excel Table with ``rows`` below the header. A text
    starting with ``#`` becomes an error cell (a formula whose result is that error)."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet(tr(FORM.label_key("sheet"), "zh-Hant"))
    as_date = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    sheet.write(0, 0, tr(FORM.label_key("sheet"), "zh-Hant"))
    for r, row in enumerate(rows, start=HEADER_ROW + 1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, (dt.date, dt.datetime)):
                sheet.write_datetime(r, c, value, as_date)
            elif isinstance(value, str) and value.startswith("#"):
                sheet.write_formula(r, c, "=NA()", None, value)
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    headers = [tr(c.label_key, "zh-Hant") for c in FORM.columns]
    sheet.add_table(HEADER_ROW, 0, HEADER_ROW + max(len(rows), 1), len(headers) - 1,
                    {"name": FORM.table_name, "columns": [{"header": h} for h in headers]})
    book.close()


def read_both_ways(path, monkeypatch):
    typed = read_form(path, FORM.id)
    with monkeypatch.context() as patch:
        patch.setattr(WorkbookFile, "typed_columns", lambda self, *args: None)
        by_cell = read_form(path, FORM.id)
    return typed, by_cell


def assert_same_read(typed, by_cell) -> None:
    pd.testing.assert_frame_equal(typed.data, by_cell.data)
    assert typed.messages() == by_cell.messages()
    assert typed.rejected == by_cell.rejected


def enum_words(enum: str) -> list[str]:
    codes = ENUMS[enum].codes[:3]
    return [*codes, *(tr(f"enum.{enum}.{code}", "zh-Hant") for code in codes), " Sale ", "nonsense"]


texts = st.one_of(st.sampled_from(["INV1", "INV2", " D01 ", "D02", "   ", "1,234", "2026-10-31", "abc"]),
                  st.text(alphabet="AB 12經銷", max_size=5))
numbers = st.one_of(st.sampled_from([1.0, 2.0, 1.5, -3.0, 0.0, 46326.0, 1e9]),
                    st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: round(v, 3)))
dates = st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2100, 12, 31)).map(
    lambda d: d.replace(microsecond=0))
errors = st.sampled_from(["#N/A", "#DIV/0!"])
blank = st.none()
KIND = {"text": texts, "date": dates, "int": numbers, "number": numbers, "money": numbers, "percent": numbers}


def cell_of(column) -> st.SearchStrategy:
    own = st.sampled_from(enum_words(column.enum)) if column.type == "enum" else KIND[column.type]
    return st.one_of(own, blank)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(data=st.data(), mixed_column=st.sampled_from([None, *range(len(FORM.columns))]),
       with_error=st.booleans())
def test_a_table_reads_the_same_typed_and_cell_by_cell(tmp_path_factory, monkeypatch, data, mixed_column, with_error):
    rows = []
    for _ in range(data.draw(st.integers(0, 15))):
        row = []
        for j, column in enumerate(FORM.columns):
            anything = st.one_of(texts, numbers, dates, st.booleans(), blank)
            row.append(data.draw(anything if j == mixed_column else cell_of(column)))
        rows.append(row)
    if with_error and rows:
        rows[0][0] = data.draw(errors)
    path = tmp_path_factory.mktemp("typed") / "sales.xlsx"
    write_sales(path, rows)
    assert_same_read(*read_both_ways(path, monkeypatch))


def clean_rows() -> list[list]:
    return [["INV1", 1.0, dt.datetime(2026, 10, 1), "sale", "D01", "SKU1", 2.0, 100.0, 0.1, 180.0, None, None, "S1"],
            ["INV1", 2.0, dt.datetime(2026, 10, 1), "sale", "D01", "SKU2", 1.0, 50.0, None, 50.0, None, None, "S1"]]


def test_a_clean_table_is_read_as_typed_columns(tmp_path):
    write_sales(tmp_path / "clean.xlsx", clean_rows())
    located = locate(WorkbookFile(tmp_path / "clean.xlsx"), FORM)
    assert located.typed is not None and located.how == "table"
    assert located.typed["quantity"].dtype == "float64"
    assert located.typed["invoice_date"].dtype.kind == "M"


def test_a_column_mixing_numbers_and_text_is_read_cell_by_cell(tmp_path, monkeypatch):
    rows = clean_rows()
    rows[1][6] = "1,000"  # a quantity typed as text among numbers
    write_sales(tmp_path / "mixed.xlsx", rows)
    assert locate(WorkbookFile(tmp_path / "mixed.xlsx"), FORM).typed is None
    typed, by_cell = read_both_ways(tmp_path / "mixed.xlsx", monkeypatch)
    assert_same_read(typed, by_cell)
    assert typed.data["quantity"].tolist() == [2.0, 1000.0]


def test_a_sheet_with_an_error_cell_is_read_cell_by_cell_so_the_error_is_reported(tmp_path):
    rows = clean_rows()
    rows[1][8] = "#N/A"  # an optional discount that is an error, not a blank
    write_sales(tmp_path / "error.xlsx", rows)
    assert locate(WorkbookFile(tmp_path / "error.xlsx"), FORM).typed is None
    read = read_form(tmp_path / "error.xlsx", FORM.id)
    assert [p.cell for p in read.problems] == ["I5"]
    assert read.rejected == [5]
