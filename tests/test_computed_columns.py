"""Computed columns come from their inputs, never from the results a file caches, and every
formula a writer writes carries the result a spreadsheet engine works out."""
from __future__ import annotations

import json
import re
import shutil
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workbook_fixtures import write_workbook

from dealerxl.book import read_form
from dealerxl.book.computed import computed_columns, excel_round, parsed
from dealerxl.cli import main
from dealerxl.forms import FORMS

FORMULA_CELL = re.compile(rb'(<c\b[^>]*?)(\s+t="(?:str|n|b|e)")?(>\s*<f\b[^>]*?(?:/>|>[^<]*</f>))\s*<v>[^<]*</v>')
JOBS = (["report", "--month", "2026-10"], ["incentives", "--month", "2026-10"], ["risk", "--month", "2026-10"],
        ["appraise", "--month", "2026-10"], ["service", "--month", "2026-10"], ["replenish"], ["check"])


def strip_cached_results(source: Path, target: Path) -> int:
    """``source`` with the cached result (``<v>``) of every formula cell removed, as a program
    that does not calculate saves it; the number of cells stripped."""
    stripped = 0
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                data, count = FORMULA_CELL.subn(lambda m: m.group(1) + m.group(3), data)
                stripped += count
            copy.writestr(info, data)
    return stripped


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "DealerWorkbook.xlsm"
    assert main(["sample", "--size", "small", "--out", str(path)]) == 0
    return path


def formula_cells(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Sheet part → (cell, cached value) of every formula cell of the form tables."""
    found = {}
    with zipfile.ZipFile(path) as package:
        for name in package.namelist():
            if name.startswith("xl/worksheets/sheet"):
                cells = re.findall(rb'<c r="([A-Z]+\d+)"[^>]*><f>[^<]*</f><v>([^<]*)</v></c>', package.read(name))
                if cells:
                    found[name] = [(c.decode(), v.decode()) for c, v in cells]
    return found


def job_summaries(path: Path, capsys) -> dict[str, dict]:
    """Each job's ``--json`` summary on ``path`` (timings and file names left out)."""
    summaries = {}
    for job in JOBS:
        code = main([job[0], str(path), *job[1:], "--json"])
        printed = json.loads(capsys.readouterr().out.replace(str(path.parent), "<folder>") or "{}")
        printed.pop("outputs", None)
        printed.get("summary", {}).pop("seconds", None)
        summaries[job[0]] = {"exit": code, **printed}
    return summaries


def test_a_workbook_without_cached_results_gives_the_same_job_results(sample_file, tmp_path, capsys):
    (tmp_path / "original").mkdir()
    (tmp_path / "stripped").mkdir()
    original = Path(shutil.copy(sample_file, tmp_path / "original" / "DealerWorkbook.xlsm"))
    stripped = tmp_path / "stripped" / "DealerWorkbook.xlsm"
    assert strip_cached_results(original, stripped) > 10_000
    assert formula_cells(stripped) == {}
    with_cache, without = job_summaries(original, capsys), job_summaries(stripped, capsys)
    for job in with_cache:
        assert without[job] == with_cache[job], job
    assert with_cache["check"]["exit"] == 0  # the sample's cached results are the formulas' own


def test_sync_out_then_the_jobs_run_as_on_the_original(sample_file, tmp_path, capsys):
    from dealerxl.store import open_store

    book = Path(shutil.copy(sample_file, tmp_path / "DealerWorkbook.xlsm"))
    monthly = read_form(book, "dealer_monthly").data.head(3).reset_index(drop=True)
    with open_store(None, book) as store:
        store.load_rows("dealer_monthly", monthly)
    assert main(["sync", str(book), "--out", str(tmp_path / "synced.xlsm")]) == 0
    capsys.readouterr()
    assert main(["report", str(tmp_path / "synced.xlsm"), "--month", "2026-10", "--quiet"]) == 0
    assert main(["incentives", str(tmp_path / "synced.xlsm"), "--month", "2026-10", "--quiet"]) == 0


def test_a_cached_result_that_differs_is_reported_with_its_cell_and_the_row_kept(tmp_path):
    rows = [{"invoice_no": "INV1", "line_no": 1, "invoice_date": pd.Timestamp("2026-10-01"), "dealer_id": "D1",
             "transaction_type": "sale", "sku": "A", "quantity": 3, "unit_price": 2.675, "discount_rate": 0.5,
             "amount": 999.0, "sales_rep_id": "S1"},
            {"invoice_no": "INV2", "line_no": 1, "invoice_date": pd.Timestamp("2026-10-01"), "dealer_id": "D1",
             "transaction_type": "sale", "sku": "A", "quantity": 2, "unit_price": 1.3375, "amount": 2.68, "sales_rep_id": "S1"}]
    path = write_workbook(tmp_path / "book.xlsx", {"sales_transactions": rows}, "en")
    read = read_form(path, "sales_transactions")
    assert read.data["amount"].tolist() == [4.01, 2.68]  # ROUND(3·2.675·0.5, 2) and ROUND(2·1.3375, 2)
    [problem] = read.problems
    assert problem.code == "computed_differs" and problem.cell == f"{read.columns['amount']}5"
    assert "999" in problem.message("en") and "4.01" in problem.message("en")


def test_every_declared_formula_can_be_worked_out():
    declared = [(form.id, column.id) for form in FORMS.values() for column in form.columns if column.formula]
    assert len(declared) >= 10
    for form in FORMS.values():
        for column in form.columns:
            if column.formula:
                parsed(column.formula)


def test_blank_inputs_count_as_zero_and_an_if_with_empty_text_gives_a_blank():
    form = FORMS["annual_targets"]
    worked = computed_columns(form, pd.DataFrame({"target_amount": [110.0, 50.0, 10.0],
                                                  "prior_year_actual": [100.0, 0.0, None]}))
    assert worked["target_growth"].round(12).tolist()[0] == 0.1 and worked["target_growth"][1:].isna().all()
    review = computed_columns(FORMS["sop_register"], pd.DataFrame({
        "last_review_date": pd.to_datetime(["2026-01-31", None, "2024-02-29"]),
        "review_interval_months": [1, 6, 12]}))["next_review_date"]
    assert review.dt.strftime("%Y-%m-%d").tolist()[::2] == ["2026-02-28", "2025-02-28"] and pd.isna(review[1])


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=-10**9, max_value=10**9, places=4, allow_nan=False), st.integers(0, 3))
def test_round_is_half_away_from_zero_on_the_decimal_value(value, digits):
    expected = float(Decimal(value).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))
    assert excel_round(np.array([float(value)]), np.array([digits]))[0] == expected


# ---- checked by a spreadsheet engine ---------------------------------------------------------------

def form_sheets(path: Path) -> dict[str, str]:
    """Form id → its sheet name in the workbook (by the table each sheet holds)."""
    book = openpyxl.load_workbook(path, read_only=False, keep_links=False)
    found = {}
    for sheet in book.worksheets:
        for table in sheet.tables.values():
            if table.name.startswith("tbl_") and table.name[4:] in FORMS:
                found[table.name[4:]] = sheet.title
    return found


@pytest.mark.libreoffice
def test_every_cached_formula_result_is_what_libreoffice_works_out(sample_file, tmp_path):
    """Every formula column of every form in the sample, every row: the result the writer cached
    equals LibreOffice's own after a full recalculation (numbers to 1e-9, empty results empty)."""
    from support.libreoffice import LibreOffice

    office = LibreOffice(tmp_path / "profile")
    try:
        recalculated = office.convert(sample_file, tmp_path / "out", to="xlsx")
    finally:
        office.remove_profile()
    ours = openpyxl.load_workbook(sample_file, data_only=True)
    theirs = openpyxl.load_workbook(recalculated, data_only=True)
    formulas = openpyxl.load_workbook(sample_file, data_only=False)
    checked = set()
    for form in FORMS.values():
        computed = [i for i, c in enumerate(form.columns) if c.formula]
        if not computed:
            continue
        table_sheet = next((s for s in formulas.worksheets if f"tbl_{form.id}" in s.tables), None)
        assert table_sheet is not None, form.id
        ref = table_sheet.tables[f"tbl_{form.id}"].ref
        first_row, last_row = int(re.search(r"(\d+):", ref).group(1)) + 1, int(re.search(r"(\d+)$", ref).group(1))
        for index in computed:
            for row in range(first_row, last_row + 1):
                formula = table_sheet.cell(row, index + 1).value
                assert isinstance(formula, str) and formula.startswith("="), (form.id, row)
                cached = ours[table_sheet.title].cell(row, index + 1).value
                engine = theirs[table_sheet.title].cell(row, index + 1).value
                if engine in (None, ""):
                    assert cached in (None, ""), (form.id, row, cached)
                elif hasattr(engine, "year"):  # a date: openpyxl reads both as datetimes by the cell's format
                    assert cached is not None and abs(_serial(engine) - _serial(cached)) < 1e-9, (form.id, row)
                else:
                    assert cached is not None and float(cached) == pytest.approx(float(engine), rel=1e-12,
                                                                                 abs=1e-9), (form.id, row)
            checked.add((form.id, form.columns[index].id))
    assert checked == {(f.id, c.id) for f in FORMS.values() for c in f.columns if c.formula}


def _serial(stamp) -> float:
    return (pd.Timestamp(stamp) - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)
