"""The Service review job: SLA clocks in working hours, the SLA summary, satisfaction with
small samples marked, marketing budget against spend, promotion results and the digital
funnel; the headless report (a new workbook, the input untouched) and the ribbon button on
a stand-in open book."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from dealerxl.calc.service import csat, nps
from dealerxl.cli import main
from dealerxl.excel.actions.service import service_book
from dealerxl.excel.ribbon import load_buttons
from dealerxl.i18n import tr
from dealerxl.jobs.service import run_service_review
from test_job_risk import add_row, sample_variant

MONTH = "2026-10"
MOMENT = pd.Timestamp("2026-11-01")


@pytest.fixture(scope="session")
def result(sample_book):
    return run_service_review(sample_book, MONTH)


@pytest.fixture(scope="session")
def crafted(tmp_path_factory, sample_data):
    """The sample plus a high-severity complaint received Thursday 2026-10-08 17:00, answered
    Monday 10:00 across a holiday on the Friday and still open at the month's end."""
    def complaints(frame):
        frame = add_row(frame, complaint_id="CP-CRAFT-1", dealer_id="D00001", received_at=pd.Timestamp("2026-10-08 17:00"),
                       contact_channel="phone", severity="high", complaint_cause="billing", description="發票金額錯誤",
                       first_response_at=pd.Timestamp("2026-10-12 10:00"), case_status="in_progress")
        return add_row(frame, complaint_id="CP-CRAFT-2", dealer_id="D00001", received_at=pd.Timestamp("2026-10-05 10:00"),
                       contact_channel="phone", severity="low", complaint_cause="billing", description="已電話處理",
                       case_status="closed")

    def holidays(frame):
        return add_row(frame, holiday_date=pd.Timestamp("2026-10-09"), holiday_name="彈性放假", day_type="holiday")

    path = sample_variant(tmp_path_factory.mktemp("service") / "crafted.xlsx", sample_data,
                          {"complaint_log": complaints, "work_holidays": holidays})
    return run_service_review(path, MONTH)


# ---- cases and SLAs -------------------------------------------------------------------------

def test_the_sla_clock_counts_working_hours_only_and_skips_holidays(crafted):
    case = crafted.tables["cases"].set_index("case_id").loc["CP-CRAFT-1"]
    # Thursday 17–18 h, the Friday is a holiday, Monday 9–10 h.
    assert case["first_response_elapsed"] == pytest.approx(2.0)
    assert case["first_response_target"] == 4.0 and not case["first_response_breached"]
    # Still open: Thursday's hour and three full working weeks (Oct 12–30) of 45 hours.
    assert case["open"] and case["resolution_elapsed"] == pytest.approx(1 + 3 * 45)
    assert case["resolution_target"] == 32.0 and case["resolution_breached"] and case["breached"]
    assert case["age_days"] == pytest.approx(23.3, abs=0.05) and case["age_band"] == "d15_30" and case["aged"]


def test_a_case_closed_without_its_times_is_closed_and_its_clocks_stay_blank(crafted):
    case = crafted.tables["cases"].set_index("case_id").loc["CP-CRAFT-2"]
    assert not case["open"] and pd.isna(case["resolution_elapsed"]) and pd.isna(case["first_response_elapsed"])
    assert not case["breached"] and pd.isna(case["age_days"])


def test_every_case_was_received_in_the_month_or_is_open_at_its_end(result, sample_data):
    cases = result.tables["cases"]
    received = cases["received_at"].dt.to_period("M") == pd.Period(MONTH, "M")
    assert (received | cases["open"]).all() and (cases["in_month"] == received).all()
    complaints = sample_data["complaint_log"]
    in_month = complaints["received_at"].dt.to_period("M") == pd.Period(MONTH, "M")
    assert (cases["case_kind"] == "complaint")[cases["in_month"]].sum() == in_month.sum()
    assert not (cases["resolved_at"] >= MOMENT).any() and cases["open"].eq(cases["resolved_at"].isna()).all()


def test_breach_flags_compare_elapsed_working_hours_with_the_severity_targets(result, sample_data):
    cases = result.tables["cases"]
    targets = sample_data["sla_hours"].set_index("severity")
    assert np.allclose(cases["first_response_target"], cases["severity"].map(targets["first_response_hours"]))
    assert (cases["first_response_breached"] == (cases["first_response_elapsed"] > cases["first_response_target"])).all()
    assert (cases["breached"] == (cases["first_response_breached"] | cases["resolution_breached"])).all()
    assert (cases.loc[cases["sla_at_risk"], "open"]).all() and not (cases["sla_at_risk"] & cases["breached"]).any()
    assert (cases["first_response_elapsed"] >= 0).all() and (cases["resolution_elapsed"] >= cases["first_response_elapsed"] - 1e-9).all()


def test_sla_summary_groups_add_up_to_the_total_and_shares_are_breaches_over_cases(result):
    summary = result.tables["sla_summary"]
    total = summary.loc[summary["dimension"] == "total"].iloc[0]
    assert total["cases"] == result.tables["cases"]["in_month"].sum() == result.summary["cases"]
    for dimension in ("severity", "dealer_id", "cause"):
        part = summary.loc[summary["dimension"] == dimension]
        assert part["cases"].sum() == total["cases"] and part["breaches"].sum() == total["breaches"]
        assert part["open_cases"].sum() == total["open_cases"] == result.summary["open_cases"]
    rated = summary.loc[summary["cases"] > 0]
    assert np.allclose(rated["breach_share"], rated["breaches"] / rated["cases"])
    in_month = result.tables["cases"].query("in_month and first_response_at.notna()")
    assert total["median_first_response_hours"] == pytest.approx(in_month["first_response_elapsed"].median())


# ---- satisfaction ---------------------------------------------------------------------------

def test_csat_and_nps_of_the_month_match_the_answers_and_small_samples_are_marked(result, sample_data):
    answers = sample_data["survey_responses"]
    month = answers.loc[answers["survey_date"].dt.to_period("M") == pd.Period(MONTH, "M")]
    scores = result.tables["satisfaction"]
    total = scores.query("period == 'month' and level == 'total'").iloc[0]
    assert total["csat_responses"] == len(month)
    assert total["csat"] == pytest.approx(csat(month["csat_score"]))
    assert total["nps"] == pytest.approx(nps(month["nps_score"].astype(float)))
    dealers = scores.query("period == 'month' and level == 'dealer'")
    assert dealers["csat_responses"].sum() == len(month)
    small = dealers[["csat_responses", "nps_responses"]].max(axis=1) < 30
    assert (dealers["small_sample"] == small).all() and small.any()
    year = scores.query("period == '12m' and level == 'region'")
    assert year["csat_responses"].sum() == scores.query("period == '12m' and level == 'total'")["csat_responses"].iloc[0]


def test_the_small_sample_threshold_comes_from_the_settings(tmp_path, sample_data):
    book = sample_variant(tmp_path / "threshold.xlsx", sample_data, {}, settings={"survey_min_sample": 3})
    scores = run_service_review(book, MONTH).tables["satisfaction"]
    dealers = scores.query("period == 'month' and level == 'dealer'")
    assert (dealers["small_sample"] == (dealers[["csat_responses", "nps_responses"]].max(axis=1) < 3)).all()
    assert (~dealers["small_sample"]).any() and dealers["small_sample"].any()


# ---- marketing ------------------------------------------------------------------------------

def test_budget_against_spend_adds_up_per_campaign_and_channel(result, sample_data):
    table = result.tables["marketing"]
    lines, total = table[table["campaign_id"] != "total"], table[table["campaign_id"] == "total"].iloc[0]
    spend = sample_data["marketing_spend"]
    chosen = spend[spend["campaign_id"].isin(lines["campaign_id"]) & (spend["month"] <= pd.Timestamp("2026-10-31"))]
    assert total["budget"] == pytest.approx(chosen["budget"].sum())
    assert total["actual_spend"] == pytest.approx(chosen["actual_spend"].fillna(0).sum())
    assert np.allclose(lines["variance"], lines["actual_spend"] - lines["budget"])
    assert (lines["overspent"] == (lines["budget_use"] > 1.05)).all()
    assert lines[["campaign_id", "marketing_channel"]].drop_duplicates().shape[0] == len(lines)


def test_promotion_uplift_is_measured_against_the_weeks_before_and_roi_nets_the_cost(result, sample_data):
    table = result.tables["promotions"]
    assert len(table) > 0
    # A national promotion of a whole product group whose eight weeks before saw no other
    # promotion of that group: its baseline is the plain run rate of those weeks.
    plan = sample_data["promotion_plan"]
    plan = plan[plan["campaign_status"] != "cancelled"]
    national = table["dealer_id"].isna() & table["region"].isna() & table["sku"].isna()

    def quiet_before(row):
        same = plan[(plan["product_group"] == row["product_group"]) & (plan["promotion_id"] != row["promotion_id"])]
        return not ((same["end_date"] >= row["start_date"] - pd.Timedelta(weeks=8))
                    & (same["start_date"] < row["start_date"])).any()

    row = next(r for _, r in table[national].iterrows() if quiet_before(r))
    sales = sample_data["sales_transactions"]
    group = sample_data["item_master"].set_index("sku")["product_group"]
    lines = sales[sales["sku"].map(group) == row["product_group"]]
    net = np.where(lines["transaction_type"] == "return", -1.0, 1.0) * lines["amount"].abs()
    start, end = row["start_date"], min(row["end_date"], pd.Timestamp("2026-10-31"))
    during = net[(lines["invoice_date"] >= start) & (lines["invoice_date"] <= end)].sum()
    before = net[(lines["invoice_date"] >= start - pd.Timedelta(weeks=8)) & (lines["invoice_date"] < start)].sum()
    assert row["promo_sales"] == pytest.approx(during)
    assert row["baseline_sales"] == pytest.approx(before * row["promotion_days"] / 56)
    assert row["incremental_margin"] == pytest.approx(0.25 * (during - row["baseline_sales"]))
    assert row["roi"] == pytest.approx((row["incremental_margin"] - row["promotion_cost"]) / row["promotion_cost"])
    assert (table["below_min_roi"] == (table["roi"] < 1.0)).all()


def test_the_funnel_adds_up_the_months_digital_results(result, sample_data):
    table = result.tables["funnel"]
    digital = sample_data["digital_campaigns"]
    month = digital[digital["month"].dt.to_period("M") == pd.Period(MONTH, "M")]
    total = table[table["campaign_id"] == "total"].iloc[0]
    for column in ("impressions", "clicks", "leads", "conversions", "cost"):
        assert total[column] == pytest.approx(month[column].fillna(0).sum())
    assert np.allclose(table["ctr"], table["clicks"] / table["impressions"])
    assert np.allclose(table["cost_per_lead"], table["cost"] / table["leads"])
    assert (table["low_volume"] == (table["impressions"] < 1000)).all()


def test_the_service_part_alone_works_out_the_same_cases_sla_and_satisfaction(result, sample_book):
    # What the monthly report asks of the month before: no marketing, the same service figures.
    alone = run_service_review(sample_book, MONTH, marketing_review=False)
    for name in ("cases", "sla_summary", "satisfaction"):
        pd.testing.assert_frame_equal(alone.tables[name], result.tables[name])
    for figure in ("cases", "breaches", "breach_share", "open_cases", "aged_open_cases", "csat", "nps",
                   "survey_responses"):
        assert alone.summary[figure] == result.summary[figure], figure
    assert alone.tables["promotions"].empty and alone.tables["marketing"].empty and alone.tables["funnel"].empty
    assert alone.summary["promotions"] == 0 and alone.summary["marketing_spend"] is None


# ---- the command line -----------------------------------------------------------------------

def test_headless_run_writes_a_new_localised_workbook_and_leaves_the_input_unchanged(sample_book, tmp_path, capsys):
    book = shutil.copy(sample_book, tmp_path / "book.xlsx")
    before = book.read_bytes()
    assert main(["service", str(book), "--month", MONTH]) == 0
    report = tmp_path / "reports" / "服務檢視_2026-10.xlsx"
    assert report.exists() and book.read_bytes() == before
    out = capsys.readouterr().out
    assert str(report) in out and "SLA 逾時" in out
    workbook = CalamineWorkbook.from_path(str(report))
    assert workbook.sheet_names == ["客服案件", "SLA 摘要", "滿意度", "行銷預算執行", "促銷成效", "數位漏斗"]
    cases = workbook.get_sheet_by_name("客服案件").to_python()
    assert cases[0][:3] == ["案件類別", "案件編號", "經銷商編號"] and {r[0] for r in cases[1:]} <= {"客訴", "售後工單"}


def test_english_report_and_json_say_what_was_written(sample_book, tmp_path, capsys):
    out = tmp_path / "service.xlsx"
    assert main(["service", str(sample_book), "--month", MONTH, "--out", str(out), "--json", "--lang", "en"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["outputs"] == [str(out)] and printed["problems"] == []
    assert set(printed["rows"]) == {"cases", "sla_summary", "satisfaction", "marketing", "promotions", "funnel"}
    workbook = CalamineWorkbook.from_path(str(out))
    assert workbook.sheet_names == ["Cases", "SLA summary", "Satisfaction", "Marketing budget", "Promotions",
                                    "Digital funnel"]
    summary = workbook.get_sheet_by_name("SLA summary").to_python()
    assert summary[0][:5] == ["By", "Group", "Cases", "Breaches", "Breach share"] and summary[-1][:2] == ["All", "Total"]


def test_a_month_that_is_not_a_month_exits_with_two(sample_book, tmp_path, capsys):
    assert main(["service", str(sample_book), "--month", "2026-1", "--out", str(tmp_path / "x.xlsx")]) == 2
    assert "YYYY-MM" in capsys.readouterr().err and not (tmp_path / "x.xlsx").exists()


# ---- the ribbon button ----------------------------------------------------------------------

def test_service_button_sits_in_its_own_group_with_labels_in_every_language():
    button = load_buttons()["service"]
    assert (button.group, button.order) == ("service", 450)
    assert tr("ribbon.service", "en") == "Service review" and tr("ribbon_group.service", "zh-Hans") == "服务与营销"


def test_ribbon_saves_the_report_next_to_the_open_workbook_and_says_so(sample_book, tmp_path):
    from workbook_fixtures import WritableStandInBook

    book = WritableStandInBook(shutil.copy(sample_book, tmp_path / "open.xlsx"))
    text = service_book(book, MONTH)
    report = tmp_path / "reports" / "服務檢視_2026-10.xlsx"
    assert report.exists() and str(report) in text and "受理" in text
    (alert,) = book.app.alerts
    assert alert["prompt"] == text and book.app.status_history[-1] is False
    assert all(not t.written for s in book.sheets for t in s.tables)



def test_a_workbook_without_the_service_forms_is_refused_for_the_month_and_writes_nothing(tmp_path, capsys):
    from workbook_fixtures import settings_rows, write_workbook

    path = write_workbook(tmp_path / "settings-only.xlsx", {"settings": settings_rows("en")}, "en")
    out = tmp_path / "empty.xlsx"
    assert main(["service", str(path), "--month", MONTH, "--out", str(out)]) == 2
    said = capsys.readouterr().err
    assert f"{MONTH} has no data: Complaint log, Service tickets, Satisfaction survey, Marketing spend are empty" in said
    assert not out.exists()
