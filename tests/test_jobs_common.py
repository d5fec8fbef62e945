"""Shared job pieces: labelled result tables, result workbooks, writing back through Excel."""
from __future__ import annotations

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from dealerxl.excel.write_back import TableNotFound, show_progress, tell, write_form_table
from dealerxl.jobs.common import JobResult, localise, write_result_workbook


def proposal():
    return pd.DataFrame({"dealer_id": ["D001"], "region": ["north"], "dealer_name": ["甲"]})


def test_localise_uses_labels_for_headers_and_codes():
    people = localise(proposal(), "dealer_master", "en")
    assert list(people.columns) == ["Dealer ID", "Dealer name", "Region"]
    assert people.iloc[0].tolist() == ["D001", "甲", "North"]


def test_result_workbook_holds_every_row_and_column(tmp_path):
    frame = pd.DataFrame({"A": range(5), "B": list("abcde"), "C": pd.date_range("2026-01-01", periods=5)})
    path = write_result_workbook(tmp_path / "out.xlsx", {"Result": frame})
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Result").to_python()
    assert rows[0] == ["A", "B", "C"] and len(rows) == 6 and rows[5][1] == "e"


def test_job_result_summary_is_plain_data():
    result = JobResult("targets", "en", tables={"t": proposal()}, summary={"dealers": 1})
    assert result.as_dict()["rows"] == {"t": 1}


class StandInApp:
    def __init__(self):
        self.status_bar = None
        self.alerts = []

    def alert(self, text, title=None):
        self.alerts.append((title, text))


class StandInTable:
    def __init__(self, name):
        self.name = name
        self.written = None

    def update(self, frame, index=False):
        assert index is False
        self.written = frame


class StandInSheet:
    def __init__(self, tables):
        self.tables = tables


class StandInBook:
    def __init__(self, tables):
        self.sheets = [StandInSheet(tables)]
        self.app = StandInApp()


def test_write_back_replaces_the_forms_table_with_labels():
    table = StandInTable("tbl_dealer_master")
    book = StandInBook([StandInTable("tbl_other"), table])
    assert write_form_table(book, "dealer_master", proposal(), "zh-Hant") == 1
    assert list(table.written.columns)[:3] == ["經銷商編號", "經銷商名稱", "區域"]
    assert table.written.iloc[0, 2] == "北區"


def test_write_back_names_a_missing_table():
    with pytest.raises(TableNotFound):
        write_form_table(StandInBook([]), "dealer_master", proposal(), "en")


def test_progress_and_message_box_go_through_excel():
    book = StandInBook([])
    show_progress(book, "50 %")
    assert book.app.status_bar == "50 %"
    show_progress(book, None)
    assert book.app.status_bar is False
    tell(book, "en", "msg.job_done_file", job="Targets", path="x.xlsx")
    assert book.app.alerts == [("Dealer management", "Targets done; results saved as x.xlsx")]
