"""Sample data of chapters 1, 2, 6, 7, 9, 10, 11 and 12 fits the declared forms, is
deterministic and behaves like a real department's data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dealerxl.forms import ENUMS, FORMS
from dealerxl.sample import SIZES, SampleContext, generate
from dealerxl.sample import ch01, ch02, ch06, ch07
from support.declared import frame_problems as problems

CHAPTERS = (1, 2, 6, 7, 9, 10, 11, 12)
OUR_FORMS = [form for form in FORMS.values() if form.chapter in CHAPTERS]


@pytest.fixture(scope="module")
def small():
    return generate("small")


@pytest.fixture(scope="module")
def large():
    return generate("large")


@pytest.mark.parametrize("form", OUR_FORMS, ids=lambda f: f.id)
def test_small_sample_fits_the_form(small, form):
    assert problems(form, small[form.id]) == []


@pytest.mark.parametrize("form", OUR_FORMS, ids=lambda f: f.id)
def test_large_sample_fits_the_form(large, form):
    assert problems(form, large[form.id]) == []


def test_same_seed_gives_the_same_data(small):
    again = generate("small")
    for form in OUR_FORMS:
        pd.testing.assert_frame_equal(small[form.id], again[form.id])


def test_another_seed_gives_other_data(small):
    other = generate("small", seed=7)
    assert not small["complaint_log"].equals(other["complaint_log"])


def test_roster_has_one_row_per_staff_member(small, large):
    assert len(small["team_roster"]) == SIZES["small"].staff
    assert len(large["team_roster"]) == SIZES["large"].staff


def test_every_team_has_a_lead_reporting_to_the_head(small):
    roster = small["team_roster"]
    leads = roster[roster["role"] == "team_lead"]
    head = roster.loc[roster["role"] == "department_head", "staff_id"]
    assert set(leads["team"]) == set(ENUMS["team"].codes)
    assert len(head) == 1 and (leads["manager_id"] == head.iloc[0]).all()
    assert set(roster["manager_id"].dropna()) <= set(roster["staff_id"])


def test_positions_in_the_roster_have_job_descriptions(small):
    assert set(small["team_roster"]["position_id"]) <= set(small["job_descriptions"]["position_id"])


def test_work_calendar_covers_every_sample_month_up_to_the_last(small):
    months = small["work_calendar"]["month"].dt.to_period("M")
    assert months.max() == pd.Period("2026-10", "M")
    assert months.nunique() == SIZES["small"].months


def test_spend_is_booked_only_up_to_the_last_month_while_budgets_may_run_ahead(small):
    spend = small["marketing_spend"]
    booked = spend.dropna(subset=["actual_spend"])
    assert booked["month"].max() <= pd.Timestamp("2026-10-01")
    assert small["digital_campaigns"]["month"].max() <= pd.Timestamp("2026-10-01")


@pytest.mark.parametrize("form_id,column", [("complaint_log", "received_at"), ("service_tickets", "opened_at"),
                                            ("survey_responses", "survey_date"), ("it_requests", "opened_at"),
                                            ("audit_log", "finished_at")])
def test_events_happen_within_the_sample_period(small, form_id, column):
    when = small[form_id][column]
    assert when.max() < pd.Timestamp("2026-11-01")
    assert when.min() >= pd.Timestamp("2024-11-01")


def test_end_month_moves_the_data():
    frames = generate("small", end="2025-03")
    assert frames["work_calendar"]["month"].max() == pd.Timestamp("2025-03-01")
    assert frames["complaint_log"]["received_at"].max() < pd.Timestamp("2025-04-01")


def test_kpi_weights_of_each_person_and_quarter_add_up_to_one(small):
    weights = small["kpi_appraisal"].groupby(["staff_id", "year", "quarter"])["weight"].sum()
    assert np.allclose(weights, 1.0)


def test_bonus_amount_follows_its_formula_and_the_grade_bands(small):
    bonus = small["staff_bonus"]
    expected = bonus["bonus_base"] * bonus["bonus_multiple"] + bonus["bonus_adjustment"]
    assert np.allclose(bonus["bonus_amount"], expected)
    bands = small["kpi_grade_bands"].set_index("grade")
    assert (bonus["kpi_score"] >= bonus["grade"].map(bands["min_score"])).all()
    assert np.allclose(bonus["bonus_multiple"], bonus["grade"].map(bands["bonus_multiple"]))


def test_attendance_names_known_sessions_and_staff(small):
    attendance = small["training_attendance"]
    assert set(attendance["session_id"]) <= set(small["training_sessions"]["session_id"])
    assert set(attendance["staff_id"]) <= set(small["team_roster"]["staff_id"])
    absent = attendance[attendance["attended"] == "no"]
    assert (absent["hours_attended"] == 0).all() and absent["test_score"].isna().all()


def test_recruitment_funnel_narrows(small):
    stages = small["recruitment_pipeline"]
    assert stages["screening_score"].notna().sum() >= stages["interview_score_1"].notna().sum()
    assert stages["interview_score_1"].notna().sum() >= stages["interview_score_2"].notna().sum()
    hired = stages[stages["stage"] == "hired"]
    assert hired["offer_date"].notna().all() and hired["hire_date"].notna().all()


def test_digital_results_cost_what_was_spent(small):
    digital = small["digital_campaigns"]
    spend = small["marketing_spend"].set_index(["campaign_id", "marketing_channel", "month"])["actual_spend"]
    matched = spend.reindex(pd.MultiIndex.from_frame(digital[["campaign_id", "marketing_channel", "month"]]))
    assert np.allclose(matched.to_numpy(), digital["cost"].to_numpy())
    assert set(digital["marketing_channel"]) <= {"search", "social", "video", "email"}


def test_spend_and_claims_refer_to_declared_campaigns_and_promotions(small):
    assert set(small["marketing_spend"]["campaign_id"]) <= set(small["marketing_plan"]["campaign_id"])
    assert set(small["promotion_claims"]["promotion_id"]) <= set(small["promotion_plan"]["promotion_id"])
    assert set(small["promotion_plan"]["campaign_id"].dropna()) <= set(small["marketing_plan"]["campaign_id"])


def test_paid_claims_carry_a_paid_date_and_only_they(small):
    claims = small["promotion_claims"]
    assert (claims["paid_date"].notna() == (claims["claim_status"] == "paid")).all()


def test_closed_cases_have_resolution_times_and_open_ones_do_not(small):
    for form_id in ("complaint_log", "service_tickets"):
        cases = small[form_id]
        finished = cases["case_status"].isin(["resolved", "closed"])
        assert (cases["resolved_at"].notna() == finished).all(), form_id


def test_customers_of_cases_belong_to_the_case_dealer(small):
    customers = small["customer_contacts"].set_index("customer_id")["dealer_id"]
    for form_id in ("complaint_log", "service_tickets", "survey_responses"):
        cases = small[form_id].dropna(subset=["customer_id"])
        assert (cases["customer_id"].map(customers) == cases["dealer_id"]).all(), form_id


def test_some_dealers_return_too_few_surveys_and_some_enough(small):
    counts = small["survey_responses"].groupby("dealer_id").size()
    minimum = 30
    assert (counts < minimum).any() and (counts >= minimum).any()


def test_some_critical_complaints_breach_a_naive_response_limit(small):
    complaints = small["complaint_log"]
    critical = complaints[complaints["severity"].isin(["high", "critical"])].dropna(subset=["first_response_at"])
    hours = (critical["first_response_at"] - critical["received_at"]).dt.total_seconds() / 3600
    assert (hours > 4).any() and (hours <= 4).any()


def test_next_sop_review_adds_the_interval_in_months(small):
    sops = small["sop_register"]
    expected = [last + pd.DateOffset(months=int(m)) for last, m in
                zip(sops["last_review_date"], sops["review_interval_months"])]
    assert list(sops["next_review_date"]) == expected


def test_holidays_cover_every_sample_year(small):
    years = set(small["work_holidays"]["holiday_date"].dt.year)
    assert {2024, 2025, 2026, 2027} <= years
    assert (small["work_holidays"]["holiday_date"].dt.strftime("%m-%d") == "10-10").sum() == len(years)


def test_audit_log_runs_follow_each_closed_month(small):
    log = small["audit_log"]
    assert log["run_id"].is_unique
    report = log[log["job"] == "report"]
    assert len(report) == SIZES["small"].months - 1
    assert report["arguments"].str.contains(r"--month \d{4}-\d{2}$").all()
    assert log["input_checksums"].str.fullmatch(r"DealerWorkbook\.xlsm=sha256:[0-9a-f]{64}").all()


def test_tasks_run_both_ways_between_departments(small):
    tasks = small["task_tracker"]
    ours = (tasks["requesting_department"] == "dealer_management") != (tasks["department"] == "dealer_management")
    assert ours.all()
    done = tasks["status"] == "done"
    assert (tasks.loc[done, "progress"] == 1).all() and tasks.loc[done, "done_date"].notna().all()


def test_development_goals_of_a_person_differ_in_capability(small):
    plans = small["development_plan"]
    assert not plans.duplicated(["staff_id", "capability"]).any()
    assert set(plans["staff_id"]) <= set(small["team_roster"].query("status != 'left'")["staff_id"])


def context(size="small", seed=1):
    return SampleContext(SIZES[size], pd.Period("2026-10", "M"), np.random.default_rng(seed))


def test_dealer_data_uses_the_dealer_master_when_there_is_one():
    ctx = context()
    ctx.frames.update(ch01.generate(ctx))
    ctx.frames.update(ch02.generate(ctx))
    ctx.frames["dealer_master"] = pd.DataFrame({"dealer_id": ["X1", "X2", "X3"], "region": ["north", "south", "east"]})
    frames = {**ch06.generate(ctx), **ch07.generate(ctx)}
    for form_id in ("complaint_log", "survey_responses", "service_tickets", "customer_contacts", "promotion_claims"):
        assert set(frames[form_id]["dealer_id"]) <= {"X1", "X2", "X3"}, form_id
    customers = frames["customer_contacts"].set_index("dealer_id")["region"]
    assert (customers.groupby(level=0).first() == pd.Series({"X1": "north", "X2": "south", "X3": "east"})).all()


def test_dealer_data_falls_back_to_a_stand_in_list_without_a_master():
    ctx = context()
    ctx.frames.update(ch01.generate(ctx))
    frames = {**ch06.generate(ctx), **ch07.generate(ctx)}
    stand_in = set(ch01.dealers(ctx)["dealer_id"])
    assert len(stand_in) == SIZES["small"].dealers
    for form_id in ("complaint_log", "survey_responses", "promotion_claims"):
        assert set(frames[form_id]["dealer_id"]) <= stand_in
        assert problems(FORMS[form_id], frames[form_id]) == []
