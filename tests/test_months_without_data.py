"""A month the workbook has no data for: every month job refuses it the same way (exit 2, one
line naming the month, the empty forms and the months the workbook holds, nothing written,
the run in the audit log); a month where only some forms are empty runs and says which; the
year after the sample's can have its targets set, and a year without an annual target says
which sheet and row to fill."""
from __future__ import annotations

import json
import re
import shutil
from types import SimpleNamespace

import pandas as pd
import pytest

from dealerxl.cli import main
from dealerxl.jobs.errors import JobError
from dealerxl.jobs.months import ACTIVITY_FORMS, require_month_data
from dealerxl.store import open_store
from dealerxl.store.audit import entries

COMMANDS = {"report": "monthly_report", "risk": "risk", "appraise": "dealers", "service": "service",
            "statements": "statements", "incentives": "incentives"}


@pytest.fixture
def book(sample_book, tmp_path):
    return shutil.copy(sample_book, tmp_path / "book.xlsx")


def audit_rows(folder):
    with open_store(f"sqlite:///{folder / 'book.sqlite'}") as store:
        return entries(store)


@pytest.mark.parametrize("command, month", [
    ("report", "2030-01"), ("report", "2020-01"), ("report", "2026-11"),
    ("risk", "2030-01"), ("appraise", "2030-01"), ("service", "2030-01"), ("statements", "2030-01"),
    ("incentives", "2026-11")])
def test_a_month_without_data_is_refused_with_one_line_naming_it_and_nothing_is_written(
        book, tmp_path, capsys, command, month):
    assert main([command, str(book), "--month", month]) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    (line,) = err.strip().splitlines()
    assert f"{month} 沒有資料：" in line and ("銷售明細" in line or "客訴登記" in line)
    assert "活頁簿的資料在 2024-11 至 " in line and "請選擇有資料的月份" in line
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())
    (row,) = audit_rows(tmp_path).to_dict("records")
    assert row["job"] == COMMANDS[command] and row["exit_status"] == 2 and f"{month} has no data" in row["detail"]


def test_a_month_where_only_some_forms_are_empty_runs_and_names_them(book, capsys):
    # The sample's marketing spend runs past its last month of complaints, tickets and surveys.
    assert main(["service", str(book), "--month", "2026-11"]) in (0, 1)
    out = capsys.readouterr().out
    assert "注意：2026-11 在這些表單沒有資料，結果中相關部分為空：客訴登記、售後服務單、滿意度調查" in out
    assert main(["service", str(book), "--month", "2026-11", "--json"]) in (0, 1)
    printed = json.loads(capsys.readouterr().out)
    assert printed["empty_forms"] == ["complaint_log", "service_tickets", "survey_responses"]


def test_the_rule_is_one_function_refusing_months_before_after_and_between_the_data():
    sales = pd.DataFrame({"invoice_date": pd.to_datetime(["2026-01-15", "2026-03-02"])})
    complaints = pd.DataFrame({"received_at": pd.to_datetime(["2026-02-10"])})
    inputs = SimpleNamespace(frames={"sales_transactions": sales, "complaint_log": complaints})
    assert require_month_data(inputs, "2026-01", "statements") == ["complaint_log"]
    assert require_month_data(inputs, "2026-02", "statements") == ["sales_transactions"]
    for month in ("2025-12", "2026-04"):
        with pytest.raises(JobError) as refused:
            require_month_data(inputs, month, "statements")
        assert refused.value.message("en") == (
            f"{month} has no data: Sales transactions, Complaint log have no row dated in that month "
            "(the workbook holds 2026-01 to 2026-03); choose a month with data")
    empty = SimpleNamespace(frames={"sales_transactions": sales.iloc[:0], "complaint_log": complaints.iloc[:0]})
    with pytest.raises(JobError, match="are empty; fill them in or sync them first"):
        require_month_data(empty, "2026-01", "statements")


def test_a_job_reading_only_some_of_its_activity_forms_is_refused_when_none_of_those_has_the_month():
    """The service review without its marketing part reads no marketing spend: the rule
    applies to the forms it read, so a month without complaints, tickets or surveys is refused."""
    complaints = pd.DataFrame({"received_at": pd.to_datetime(["2026-02-10"])})
    inputs = SimpleNamespace(frames={"complaint_log": complaints, "service_tickets": pd.DataFrame(),
                                     "survey_responses": pd.DataFrame()})
    assert require_month_data(inputs, "2026-02", "service") == ["service_tickets", "survey_responses"]
    with pytest.raises(JobError) as refused:
        require_month_data(inputs, "2026-03", "service")
    assert refused.value.message("en") == (
        "2026-03 has no data: Complaint log, Service tickets, Satisfaction survey have no row dated in that month "
        "(the workbook holds 2026-02 to 2026-02); choose a month with data")


def test_every_month_job_declares_forms_it_reads():
    from dealerxl.jobs import dealers, incentives, risk, service
    from dealerxl.report import figures, statements

    read = {"risk": risk.INPUT_FORMS, "dealers": dealers.INPUT_FORMS, "service": service.INPUT_FORMS,
            "incentives": incentives.INPUT_FORMS, "statements": statements.INPUT_FORMS,
            "monthly_report": figures.SALES_FORMS}
    for job, forms in ACTIVITY_FORMS.items():
        assert set(forms) <= set(read[job]), job


def test_next_years_targets_can_be_set_on_the_sample(book, tmp_path, capsys):
    assert main(["targets", str(book), "--year", "2027"]) == 0
    assert "2027 年目標" in capsys.readouterr().out
    assert (tmp_path / "reports" / "經銷商月目標_2027.xlsx").is_file()


def test_a_year_without_an_annual_target_names_the_sheet_and_the_row_to_fill(book, capsys):
    assert main(["targets", str(book), "--year", "2028"]) == 2
    said = capsys.readouterr().err.strip()
    assert said == ("無法設定目標：「年度目標」表沒有 2028 年的列：請在該表新增一列，「年度」填 2028、"
                    "「目標範圍」填「全公司」（或各區域各一列），並填「目標金額」")
    assert main(["targets", str(book), "--year", "2028", "--lang", "en"]) == 2
    said = capsys.readouterr().err
    assert "the Annual targets sheet has no row for 2028: add a row there with Year 2028" in said
    assert not re.search(r"[\u4e00-\u9fff]", said)
