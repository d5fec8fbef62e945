"""``dealerxl check``: each problem as ``sheet!cell: reason``, exit 1 when anything is wrong,
0 when clean, and the workbook is never modified."""
from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from dealerxl.cli import main
from dealerxl.forms import FORMS
from workbook_fixtures import labelled, sample_workbook, settings_rows, write_workbook


@pytest.fixture(scope="module")
def clean_book(tmp_path_factory) -> Path:
    return sample_workbook(tmp_path_factory.mktemp("sample") / "DealerSample.xlsx")


def run_check(capsys, *argv) -> tuple[int, str, str]:
    code = main(["check", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


def test_sample_workbook_with_every_form_is_clean(clean_book, capsys):
    before = clean_book.read_bytes(), os.stat(clean_book).st_mtime_ns
    code, out, _ = run_check(capsys, clean_book)
    assert code == 0
    assert out.strip() == "DealerSample.xlsx：未發現問題"
    assert (clean_book.read_bytes(), os.stat(clean_book).st_mtime_ns) == before


def bad_book(tmp_path: Path, lang: str) -> Path:
    """Every form present and empty except the settings and one contract ending before it starts."""
    forms = {form_id: [] for form_id in FORMS}
    forms["settings"] = settings_rows(lang)
    forms["dealer_contracts"] = labelled("dealer_contracts", [{
        "contract_id": "C1", "dealer_id": "D1", "contract_type": "agency", "start_date": dt.date(2026, 5, 1),
        "end_date": dt.date(2026, 4, 30), "auto_renew": "no", "renewal_status": "not_due"}], lang)
    return write_workbook(tmp_path / f"bad-{lang}.xlsx", forms, lang)


def test_problems_print_as_sheet_cell_reason_and_exit_one(tmp_path, capsys):
    path = bad_book(tmp_path, "zh-Hant")
    before = path.read_bytes(), os.stat(path).st_mtime_ns
    code, out, err = run_check(capsys, path)
    assert code == 1
    assert out.splitlines() == ["經銷合約!F5: 「結束日期」早於「開始日期」（E5）"]
    assert "發現 1 個問題" in err
    assert (path.read_bytes(), os.stat(path).st_mtime_ns) == before


def test_messages_follow_the_workbook_language_or_the_lang_option(tmp_path, capsys):
    path = bad_book(tmp_path, "en")
    code, out, _ = run_check(capsys, path)
    assert code == 1 and out.splitlines() == ['Contracts!F5: "End date" is before "Start date" (E5)']
    code, out, _ = run_check(capsys, path, "--lang", "zh-Hans")
    assert code == 1 and out.splitlines() == ["Contracts!F5: “结束日期”早于“开始日期”（E5）"]


def test_json_output_lists_sheet_cell_and_reason(tmp_path, capsys):
    code, out, _ = run_check(capsys, bad_book(tmp_path, "zh-Hant"), "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False and report["lang"] == "zh-Hant"
    assert [(p["sheet"], p["cell"], p["code"]) for p in report["problems"]] == [("經銷合約", "F5", "date_order")]


def test_a_workbook_missing_forms_names_each_missing_sheet(tmp_path, capsys):
    path = write_workbook(tmp_path / "partial.xlsx", {"settings": settings_rows("zh-Hant")}, "zh-Hant")
    code, out, _ = run_check(capsys, path)
    lines = out.splitlines()
    assert code == 1 and len(lines) == len(FORMS) - 1
    assert "partial.xlsx: 找不到工作表「經銷合約」（表格 tbl_dealer_contracts）" in lines


def test_a_file_that_is_not_a_workbook_exits_two_as_every_command_does(tmp_path, capsys):
    path = tmp_path / "report.xlsm"
    path.write_bytes(b"%PDF-1.7 not a workbook")
    code, out, _ = run_check(capsys, path)
    assert code == 2 and out.splitlines() == ["report.xlsm: report.xlsm 不是 Excel 活頁簿"]


def test_a_missing_workbook_exits_two_in_check_and_report_alike_and_leaves_no_file(tmp_path, capsys):
    missing = tmp_path / "Mistyped.xlsm"
    assert run_check(capsys, missing)[0] == 2
    assert main(["report", str(missing), "--month", "2026-10", "--quiet"]) == 2
    assert "找不到檔案 Mistyped.xlsm" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []  # no Mistyped.sqlite, no reports/
