"""Form sheets write their data rows through a fast encoder: the file must be exactly what
XlsxWriter writes cell by cell, every column must arrive, and values must read back."""
from __future__ import annotations

import datetime as dt
import math
import re
import zipfile

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from dealerxl.build import write_workbook
from dealerxl.build.cells import AbsentColumn, FormWorksheet, row_formula
from dealerxl.build.layout import FIRST_DATA_ROW, HEADER_ROW
from dealerxl.build.styles import Styles
from dealerxl.forms import ENUMS, FORMS
from dealerxl.forms.model import Column, Form
from dealerxl.i18n import tr

BOOK_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False,
                "remove_timezone": True}


def cell_by_cell(values: pd.Series, column, lang: str) -> list:
    """What each cell holds, value by value: the meaning the fast encoder must reproduce."""
    if column.enum:
        labels = {code: tr(f"enum.{column.enum}.{code}", lang) for code in ENUMS[column.enum].codes}
        values = values.map(lambda v: labels.get(v, v) if isinstance(v, str) else v)
    if column.type in ("date", "datetime"):
        return [None if pd.isna(v) else v.to_pydatetime() for v in pd.to_datetime(values, errors="coerce")]
    if column.type in ("int", "number", "money", "percent"):
        numbers = pd.to_numeric(values, errors="coerce").astype(float).to_numpy()
        return [None if np.isnan(v) else (int(v) if column.type == "int" else float(v)) for v in numbers]
    if column.type == "bool":
        return [None if pd.isna(v) else bool(v) for v in values]
    return [None if (v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA) else
            (v if isinstance(v, (int, float)) else str(v)) for v in values.astype(object)]


def cached_results(frame, column) -> list:
    """The last result stored with each formula: what the formula gives from the row's
    inputs (a date as its serial day), an empty result where that is text or an error."""
    from dealerxl.book.computed import results_to_cache

    return results_to_cache(column, frame)


def write_both(tmp_path, form, frame, lang="zh-Hant"):
    """The data rows of ``form`` written by XlsxWriter cell by cell and by the fast path."""
    paths = {}
    for way in ("cells", "fast"):
        path = paths[way] = tmp_path / f"{way}.xlsx"
        book = xlsxwriter.Workbook(str(path), BOOK_OPTIONS)
        styles = Styles(book)
        sheet = book.add_worksheet("data", worksheet_class=FormWorksheet if way == "fast" else None)
        sheet.write(0, 0, "title above the data", styles.title)
        cells, formats = [], []
        for index, column in enumerate(form.columns):
            fmt = styles.cell(column, column.is_input)
            formats.append(fmt)
            if way == "cells":
                if column.formula:
                    results = cached_results(frame, column)
                    for position, row in enumerate(range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame))):
                        sheet.write_formula(row, index, row_formula(form, column, row + 1), fmt, results[position])
                elif column.id in frame:
                    sheet.write_column(FIRST_DATA_ROW, index, cell_by_cell(frame[column.id], column, lang), fmt)
                else:
                    sheet.write_blank(FIRST_DATA_ROW, index, None, fmt)
            elif column.formula:
                cells.append(sheet.formula(form, column, frame))
            elif column.id in frame:
                cells.append(sheet.encode(frame[column.id], column, lang))
            else:
                cells.append(AbsentColumn())
        if way == "fast":
            sheet.attach_rows(FIRST_DATA_ROW, len(frame), cells, formats)
        book.close()
    return paths


def package_parts(path):
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist() if name != "docProps/core.xml"}


PROBE = Form("speed_probe", 0, "0", (
    Column("label"),
    Column("kind", "enum", enum="transaction_type"),
    Column("count", "int"),
    Column("price", "money"),
    Column("when", "date"),
    Column("stamp", "datetime"),
    Column("flag", "bool"),
    Column("not_in_frame"),
    Column("total", "money", formula='IF({count}>0,{count}*{price},"")'),
    Column("due", "date", formula="{when}+30"),
))


def probe_frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    texts = np.array(["plain", "", "  leading space", "a<b&c>d", "bell\x07char", "中文標籤", "x" * 20_000],
                     dtype=object)
    label = pd.Series(texts[rng.integers(0, len(texts), rows)], dtype=object)
    label[::11] = None
    label[5::13] = np.nan
    label[7::17] = 12.5          # numbers typed into a text column stay numbers
    label[9::19] = True
    codes = np.array(list(ENUMS["transaction_type"].codes) + ["unknown code"], dtype=object)
    kind = pd.Series(codes[rng.integers(0, len(codes), rows)], dtype=object)
    count = pd.Series(rng.normal(0, 40, rows)).where(rng.random(rows) > 0.1)
    price = pd.Series(rng.lognormal(3, 2, rows)).where(rng.random(rows) > 0.1)
    when = pd.Series(pd.Timestamp("1995-03-01") + pd.to_timedelta(rng.integers(0, 12_000, rows), "D"))
    when[::7] = pd.NaT
    stamp = pd.Series(pd.Timestamp("2026-01-31 23:59:59.999999")
                      - pd.to_timedelta(rng.integers(0, 10**12, rows), "us"))
    flag = pd.Series(np.where(rng.random(rows) > 0.5, True, False), dtype=object)
    flag[3::5] = None
    total = (count * price).where(count > 0)
    return pd.DataFrame({"label": label, "kind": kind, "count": count, "price": price, "when": when,
                         "stamp": stamp, "flag": flag, "total": total})


def test_fast_rows_are_byte_for_byte_what_xlsxwriter_writes_cell_by_cell(tmp_path):
    paths = write_both(tmp_path, PROBE, probe_frame(3_000))
    cells, fast = package_parts(paths["cells"]), package_parts(paths["fast"])
    assert cells.keys() == fast.keys()
    for name in cells:
        assert cells[name] == fast[name], name


def test_sales_lines_of_the_sample_are_written_exactly_as_cell_by_cell(tmp_path, sample_data):
    paths = write_both(tmp_path, FORMS["sales_transactions"], sample_data["sales_transactions"].head(4_000))
    assert package_parts(paths["cells"]) == package_parts(paths["fast"])


@pytest.mark.parametrize("frame", [probe_frame(1), pd.DataFrame(index=range(40))], ids=["one row", "no columns"])
def test_a_single_row_and_a_frame_without_columns_are_written_exactly_as_cell_by_cell(tmp_path, frame):
    paths = write_both(tmp_path, PROBE, frame)
    assert package_parts(paths["cells"]) == package_parts(paths["fast"])


@pytest.fixture(scope="module")
def written(tmp_path_factory, sample_data):
    """A workbook holding a few thousand sales lines, one empty form and one form without data."""
    data = {"sales_transactions": sample_data["sales_transactions"].head(3_500).reset_index(drop=True),
            "dealer_master": sample_data["dealer_master"],
            "receivables": sample_data["receivables"].iloc[0:0]}
    path = write_workbook(tmp_path_factory.mktemp("speed") / "rows.xlsx", data=data, macro=False)
    return path, data


def sheet_rows(path, form_id):
    book = CalamineWorkbook.from_path(str(path))
    return book.get_sheet_by_name(tr(FORMS[form_id].label_key("sheet"), "zh-Hant")).to_python(skip_empty_area=False)


def expected_cell(value, column):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if column.enum:
        return tr(f"enum.{column.enum}.{value}", "zh-Hant")
    if column.type == "date":
        return pd.Timestamp(value).date()
    return value


def test_every_column_reads_back_equal_to_the_frame_not_only_the_first(written):
    path, data = written
    for form_id in ("sales_transactions", "dealer_master"):
        form, frame = FORMS[form_id], data[form_id]
        rows = sheet_rows(path, form_id)
        assert rows[HEADER_ROW][:len(form.columns)] == [tr(c.label_key, "zh-Hant") for c in form.columns]
        body = rows[FIRST_DATA_ROW:FIRST_DATA_ROW + len(frame)]
        assert len(body) == len(frame)
        for index, column in enumerate(form.columns):
            if column.formula or column.id not in frame:
                continue
            got = [row[index] for row in body]
            want = [expected_cell(v, column) for v in frame[column.id]]
            if column.type == "date":
                got = [v.date() if isinstance(v, dt.datetime) else v for v in got]
            assert got == want, (form_id, column.id)


def test_computed_columns_carry_the_frames_results_for_readers_that_do_not_calculate(written):
    path, data = written
    form = FORMS["sales_transactions"]
    index = [c.id for c in form.columns].index("amount")
    got = [row[index] for row in sheet_rows(path, "sales_transactions")[FIRST_DATA_ROW:]]
    assert got == pytest.approx(data["sales_transactions"]["amount"].tolist())


def test_computed_columns_hold_their_formula_in_every_row(written):
    path, data = written
    form = FORMS["sales_transactions"]
    index = [c.id for c in form.columns].index("amount")
    sheet = load_workbook(path, read_only=True)[tr(form.label_key("sheet"), "zh-Hant")]
    formulas = [row[index] for row in sheet.iter_rows(min_row=FIRST_DATA_ROW + 1, values_only=True)]
    assert formulas == [row_formula(form, form.column("amount"), FIRST_DATA_ROW + 1 + i)
                        for i in range(len(data["sales_transactions"]))]


def test_an_empty_frame_keeps_one_styled_row_and_the_table_covers_it(written):
    path, _ = written
    form = FORMS["receivables"]
    with zipfile.ZipFile(path) as package:
        tables = [package.read(n).decode() for n in package.namelist() if n.startswith("xl/tables/")]
    table = next(t for t in tables if f'name="{form.table_name}"' in t)
    last = re.search(r'ref="A\d+:([A-Z]+)(\d+)"', table)
    assert int(last.group(2)) == FIRST_DATA_ROW + 1
    sheet = load_workbook(path)[tr(form.label_key("sheet"), "zh-Hant")]
    first = [sheet.cell(FIRST_DATA_ROW + 1, i + 1) for i in range(len(form.columns))]
    assert all(c.fill.fgColor.rgb.endswith("FFF2CC") for c, col in zip(first, form.columns) if col.is_input)
    assert all(str(c.value).startswith("=") for c, col in zip(first, form.columns) if col.formula)


def test_large_tables_reach_their_last_row_in_the_table_range(written):
    path, data = written
    form = FORMS["sales_transactions"]
    with zipfile.ZipFile(path) as package:
        table = next(package.read(n).decode() for n in package.namelist() if n.startswith("xl/tables/")
                     and f'name="{form.table_name}"' in package.read(n).decode())
    rows = len(data["sales_transactions"])
    assert re.search(rf'ref="A{HEADER_ROW + 1}:[A-Z]+{HEADER_ROW + 1 + rows}"', table)
    assert re.search(rf'<autoFilter ref="A{HEADER_ROW + 1}:[A-Z]+{HEADER_ROW + 1 + rows}"', table)


def test_over_long_text_is_cut_to_what_a_cell_holds_and_the_column_goes_on(tmp_path):
    frame = pd.DataFrame({"label": ["short", "y" * 40_000, "after"]})
    paths = write_both(tmp_path, Form("long_text", 0, "0", (Column("label"),)), frame)
    rows = CalamineWorkbook.from_path(str(paths["fast"])).get_sheet_by_index(0).to_python()
    assert [row[0] for row in rows[FIRST_DATA_ROW:]] == ["short", "y" * 32_767, "after"]


def test_infinite_numbers_are_refused_with_the_column_named(tmp_path):
    book = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    sheet = book.add_worksheet("s", worksheet_class=FormWorksheet)
    with pytest.raises(ValueError, match="price"):
        sheet.encode(pd.Series([1.0, math.inf]), PROBE.column("price"), "zh-Hant")
    book.close()
