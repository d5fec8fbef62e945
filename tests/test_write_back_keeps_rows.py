"""Ribbon jobs that write into the open workbook's tables keep the rows of other periods and a
safety copy of the file as last saved."""
from __future__ import annotations

import shutil

import pandas as pd
from workbook_fixtures import WritableStandInBook

from dealerxl.book.in_place import BACKUP_FOLDER
from dealerxl.book.write_into import write_into
from dealerxl.excel.actions.dealers import appraise_book
from dealerxl.excel.write_back import keeps_other_periods
from dealerxl.i18n import tr

MONTH = "2026-10"


def appraisal_rows(count: int, month: str) -> pd.DataFrame:
    return pd.DataFrame({"dealer_id": [f"D{i:05d}" for i in range(1, count + 1)],
                         "month": pd.Timestamp(f"{month}-01"), "appraisal_score": 71.5})


def test_the_appraisal_button_keeps_last_months_rows_and_a_copy_of_the_file(sample_book, tmp_path):
    path = shutil.copy(sample_book, tmp_path / "open.xlsx")
    earlier = appraisal_rows(5, "2026-09")
    write_into(path, {"dealer_appraisal": earlier})
    shutil.rmtree(tmp_path / BACKUP_FOLDER)  # the copy that write kept: only the button's is looked at
    saved = open(path, "rb").read()
    book = WritableStandInBook(path)
    text = appraise_book(book, MONTH)
    table = next(t for s in book.sheets for t in s.tables if t.name == "tbl_dealer_appraisal")
    (written,) = table.written
    month = written[tr("col.month", "zh-Hant")].map(lambda v: pd.Timestamp(v).strftime("%Y-%m"))
    assert (month == "2026-09").sum() == 5
    assert (month == MONTH).sum() > 5
    [copy] = list((tmp_path / BACKUP_FOLDER).iterdir())
    assert copy.read_bytes() == saved and str(copy) in text


def test_only_tables_of_periods_merge_a_proposal_replaces_the_last_one():
    assert keeps_other_periods("dealer_appraisal") and keeps_other_periods("monthly_targets")
    assert keeps_other_periods("dealer_risk_review")
    assert not keeps_other_periods("replenishment_proposal")
