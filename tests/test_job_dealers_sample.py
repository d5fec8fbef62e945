"""The Dealer review job on the sample workbook, the ``dealerxl appraise`` command (a new
workbook, the input untouched) and the "Dealer appraisal" ribbon button on a stand-in book."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from workbook_fixtures import WritableStandInBook, labelled, settings_rows, write_workbook

from dealerxl.cli import main
from dealerxl.excel.actions.dealers import appraise_book
from dealerxl.excel.ribbon import load_buttons
from dealerxl.forms import ENUMS, get_form
from dealerxl.i18n import tr
from dealerxl.jobs.dealers import run_dealer_review

MONTH = "2026-10"


@pytest.fixture(scope="module")
def result(sample_book):
    return run_dealer_review(sample_book, MONTH)


def test_sample_gives_every_tier_and_a_spread_of_grades(result):
    appraisal = result.tables["appraisal"]
    tiers = appraisal["tier"].value_counts()
    assert set(tiers.index) == set(ENUMS["tier"].codes)
    assert tiers.max() < len(appraisal) * 0.6
    assert appraisal["grade"].nunique() >= 3
    assert appraisal["score"].between(0, 100).all()
    assert result.summary["tiers"] == {t: int(tiers.get(t, 0)) for t in ENUMS["tier"].codes}


def test_sample_appraises_the_dealers_trading_in_the_month(result, sample_data):
    master = sample_data["dealer_master"]
    trading = master[(master["status"] != "prospect") & (master["join_date"] <= "2026-10-31")
                     & ~(master["termination_date"] < "2026-10-01")]
    assert sorted(result.tables["appraisal"]["dealer_id"]) == sorted(trading["dealer_id"])


def test_every_tier_change_agrees_with_the_tiers_either_side(result):
    table = result.tables["appraisal"]
    rank = {"gold": 0, "silver": 1, "bronze": 2}
    known = table[table["tier_change"] != "new"]
    before, after = known["previous_tier"].map(rank), known["tier"].map(rank)
    expected = np.where(after < before, "promoted", np.where(after > before, "demoted", "unchanged"))
    assert known["tier_change"].tolist() == expected.tolist()
    assert (before - after).abs().max() <= 1  # one tier a month at most


def test_missing_metrics_are_listed_and_not_scored_as_zero(result):
    table = result.tables["appraisal"]
    for metric in ENUMS["appraisal_metric"].codes:
        lacking = table[metric].isna()
        listed = table["missing_metrics"].fillna("").str.split(",").map(lambda codes, m=metric: m in codes)
        assert (lacking == listed).all(), metric
    assert table["missing_metrics"].notna().any()


def test_sample_prospects_follow_their_gates_and_scores(result, sample_data):
    table = result.tables["prospects"]
    evaluated = sample_data["prospect_scores"]["prospect_id"].unique()
    assert sorted(table["prospect_id"]) == sorted(evaluated)
    failed = table["gates_passed"] == "no"
    assert (table.loc[failed, "prospect_recommendation"] == "reject").all()
    signed = table["prospect_recommendation"] == "sign"
    assert (table.loc[signed, "weighted_score"] >= 70).all() and signed.any() and failed.any()
    assert table["recommendation_reason"].notna().all()


def test_sample_renewals_and_market(result):
    renewals = result.tables["renewals"]
    assert len(renewals) and (renewals["days_left"] <= np.maximum(90, renewals["notice_days"])).all()
    assert not renewals["renewal_status"].isin(["renewed", "terminated"]).any()
    market = result.tables["market"].set_index("region")
    regional = market.drop(index="total")
    assert market.loc["total", "market_size"] == pytest.approx(regional["market_size"].sum())
    assert regional["market_share"].between(0, 1).all() and regional["outlet_coverage"].between(0, 1).all()


# ---- the command line -----------------------------------------------------------------------

def test_appraise_writes_a_new_localised_workbook_and_leaves_the_input_unchanged(sample_book, tmp_path, capsys):
    book = shutil.copy(sample_book, tmp_path / "book.xlsx")
    before = book.read_bytes()
    assert main(["appraise", str(book), "--month", MONTH]) == 0
    report = tmp_path / "reports" / "經銷商考核_2026-10.xlsx"
    assert report.exists() and book.read_bytes() == before
    printed = capsys.readouterr().out
    assert str(report) in printed and "金牌" in printed
    workbook = CalamineWorkbook.from_path(str(report))
    assert workbook.sheet_names == ["經銷商考核", "招商評估", "合約續約提醒", "市場調研彙總"]
    rows = workbook.get_sheet_by_name("經銷商考核").to_python()
    assert rows[0][:2] == ["經銷商編號", "月份"] and "缺資料指標" in rows[0]
    assert {r[rows[0].index("等級")] for r in rows[1:]} == {"金牌", "銀牌", "銅牌"}


def test_appraise_json_in_english(sample_book, tmp_path, capsys):
    out = tmp_path / "dealers.xlsx"
    assert main(["appraise", str(sample_book), "--month", MONTH, "--out", str(out), "--json", "--lang", "en"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["outputs"] == [str(out)] and printed["problems"] == []
    assert set(printed["rows"]) == {"appraisal", "prospects", "renewals", "market"}
    assert printed["rows"]["appraisal"] == printed["summary"]["dealers"]
    workbook = CalamineWorkbook.from_path(str(out))
    assert workbook.sheet_names == ["Dealer appraisal", "Prospect evaluation", "Contract renewals", "Market by region"]


def test_appraise_quiet_prints_nothing(sample_book, tmp_path, capsys):
    assert main(["appraise", str(sample_book), "--month", MONTH, "--out", str(tmp_path / "q.xlsx"), "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_appraise_refuses_a_month_that_is_not_a_month(sample_book, tmp_path, capsys):
    assert main(["appraise", str(sample_book), "--month", "2026-13", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "YYYY-MM" in capsys.readouterr().err and not (tmp_path / "x.xlsx").exists()


# ---- the ribbon button ----------------------------------------------------------------------

def appraisal_table(book):
    name = get_form("dealer_appraisal").table_name
    return next(t for s in book.sheets for t in s.tables if t.name == name)


def test_dealer_appraisal_button_sits_with_the_risk_review():
    button = load_buttons()["dealers"]
    assert (button.group, button.order) == ("risk", 410)
    assert tr("ribbon.dealers", "en") == "Dealer appraisal"


def test_ribbon_writes_the_appraisal_table_and_saves_the_report_beside_the_workbook(sample_book, tmp_path, result):
    path = shutil.copy(sample_book, tmp_path / "open.xlsx")
    book = WritableStandInBook(path)
    text = appraise_book(book, MONTH)
    (written,) = appraisal_table(book).written
    assert list(written.columns) == [tr(c.label_key, "zh-Hant") for c in get_form("dealer_appraisal").columns]
    assert len(written) == result.summary["dealers"]
    assert set(written["等級"]) == {"金牌", "銀牌", "銅牌"}
    assert not any(v is pd.NaT or (isinstance(v, float) and np.isnan(v)) for v in written.to_numpy().ravel())
    report = tmp_path / "reports" / "經銷商考核_2026-10.xlsx"
    assert report.exists()
    assert book.app.status_history[0].startswith("經銷商考核") and book.app.status_history[-1] is False
    (alert,) = book.app.alerts
    assert alert["prompt"] == text and str(report) in text and f"{len(written)} 列寫入「經銷商考核」" in text


def test_ribbon_without_the_table_writes_nothing_and_says_so(tmp_path):
    import datetime as dt

    invoice = {"invoice_no": "I1", "dealer_id": "D1", "invoice_date": dt.date(2026, 10, 5),
               "due_date": dt.date(2026, 11, 4), "amount": 1000}  # the month has data: only the table is missing
    path = write_workbook(tmp_path / "no-table.xlsx", {"settings": settings_rows("en"),
                                                      "receivables": labelled("receivables", [invoice], "en")}, "en")
    book = WritableStandInBook(path)
    text = appraise_book(book, MONTH)
    assert "tbl_dealer_appraisal" in text and "nothing was written" in text
    assert not (tmp_path / "reports").exists()
