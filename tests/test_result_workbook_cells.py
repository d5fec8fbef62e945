"""Result workbooks are written a column at a time; every cell must read back as XlsxWriter's
own cell-by-cell ``write()`` leaves it, with the same number format."""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from dealerxl.jobs.common import write_result_workbook

FORMATS = {"金額": "#,##0", "比率": "0.0%"}


def written_cell_by_cell(path, sheets: dict[str, pd.DataFrame], formats: dict) -> None:
    """Each cell through XlsxWriter's ``write()`` (dates formatted, blanks skipped)."""
    book = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True, "remove_timezone": True,
                                           "strings_to_formulas": False, "strings_to_urls": False})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    own = {text: book.add_format({"num_format": text}) for text in formats.values()}
    for name, frame in sheets.items():
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, [str(c) for c in frame.columns])
        for j, column in enumerate(frame.columns):
            values = frame[column]
            fmt = own.get(formats.get(column))
            if fmt is None and (pd.api.types.is_datetime64_any_dtype(values)
                                or pd.api.types.infer_dtype(values, skipna=True) in ("datetime", "date")):
                fmt = date_format
            for i, value in enumerate(values.astype(object).where(values.notna(), None).tolist()):
                sheet.write(i + 1, j, value, fmt)
    book.close()


def cells_of(path) -> dict:
    """Sheet → rows of (value, number format) for cells with a value, as openpyxl reads them."""
    book = load_workbook(path)
    return {sheet.title: [[(c.value, c.number_format if c.value is not None else None) for c in row]
                          for row in sheet.iter_rows()] for sheet in book.worksheets}


def same_cells(tmp_path, sheets: dict[str, pd.DataFrame], formats: dict | None = None) -> None:
    ours = write_result_workbook(tmp_path / "ours.xlsx", sheets, formats=formats)
    written_cell_by_cell(tmp_path / "reference.xlsx", sheets, formats or {})
    assert cells_of(ours) == cells_of(tmp_path / "reference.xlsx")


def test_every_kind_of_column_reads_back_as_written_cell_by_cell(tmp_path):
    frame = pd.DataFrame({
        "經銷商": ["D001", "", None, "=SUM(A1)", "甲"],
        "金額": [1250.5, np.nan, 0.0, -3.0, 1e15],
        "件數": np.array([1, 2, 3, 4, 5], dtype=np.int64),
        "比率": [0.5, math.inf, -math.inf, np.nan, 1.0],
        "到期日": pd.to_datetime(["2026-01-31", None, "2026-12-31 13:45:10", "1900-01-15", "2262-04-01"], format="ISO8601"),
        "逾期": [True, False, True, False, True],
        "混合": [1, "a", np.int64(7), 2.5, None],
        "帶時區": pd.to_datetime(["2026-03-01 08:00"] * 5).tz_localize("Asia/Taipei"),
        "日期物件": [dt.date(2026, 1, 1), None, dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2030, 1, 1)],
        "可空整數": pd.array([1, None, 3, 4, None], dtype="Int64"),
        "十進位": [Decimal("1.5"), Decimal("2"), None, Decimal("-0.25"), Decimal("10")],
    })
    same_cells(tmp_path, {"結果": frame, "空表": frame.iloc[0:0]}, FORMATS)


def test_an_infinite_number_is_a_divided_by_zero_cell(tmp_path):
    path = write_result_workbook(tmp_path / "out.xlsx", {"r": pd.DataFrame({"x": [math.inf, -math.inf, 1.0]})})
    sheet = load_workbook(path)["r"]
    assert [sheet.cell(row, 1).value for row in (2, 3, 4)] == ["=1/0", "=-1/0", 1]
    values = load_workbook(path, data_only=True)["r"]
    assert values.cell(2, 1).value == "#DIV/0!"


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    path = write_result_workbook(tmp_path / "out.xlsx", {"r": pd.DataFrame({"x": ["=HYPERLINK(\"x\")", "+1"]})})
    cell = load_workbook(path)["r"].cell(2, 1)
    assert cell.value == "=HYPERLINK(\"x\")" and cell.data_type == "s"


cell_values = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                        st.integers(-10**12, 10**12), st.booleans(),
                        st.text(alphabet="ab 甲乙=1.", max_size=6))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(cell_values, st.floats(allow_nan=True, allow_infinity=True), st.booleans()),
                max_size=12))
def test_any_mix_of_cells_reads_back_as_written_cell_by_cell(tmp_path, rows):
    frame = pd.DataFrame(rows, columns=["混合", "金額", "旗標"]) if rows else \
        pd.DataFrame({"混合": [], "金額": [], "旗標": []})
    same_cells(tmp_path, {"r": frame}, FORMATS)


def test_a_date_after_2262_keeps_its_serial_number():
    from dealerxl.build.cells import excel_serial

    stamps = pd.Series(pd.to_datetime(["9999-12-31", "2026-01-31"]).as_unit("us"))
    assert excel_serial(stamps).tolist() == [2_958_465.0, 46_053.0]  # Excel: DATE(9999,12,31) = 2958465
