"""Forms, dropdown lists and settings of chapters 1, 2, 6, 7, 9, 10, 11 and 12 are complete,
consistent and labelled in the three languages."""
from __future__ import annotations

import re
from importlib import import_module

import pandas as pd
import pytest

from dealerxl.forms import ENUMS, FORMS, SETTINGS, DateOrder, NotAbove
from dealerxl.i18n import has

CHAPTERS = (1, 2, 6, 7, 9, 10, 11, 12)
MODULES = {n: import_module(f"dealerxl.forms.chapter{n:02d}") for n in CHAPTERS}
OUR_FORMS = [form for form in FORMS.values() if form.chapter in CHAPTERS]
OUR_ENUM_IDS = {e.id for module in MODULES.values() for e in getattr(module, "ENUMS", [])}
OUR_SETTINGS = [s for module in MODULES.values() for s in getattr(module, "SETTINGS", [])]
INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
NUMERIC = {"int", "number", "money", "percent"}


def label_keys():
    for form in OUR_FORMS:
        for part in ("sheet", "title", "purpose", "instruction"):
            yield form.label_key(part)
        for column in form.columns:
            yield column.label_key
            if column.unit:
                yield f"unit.{column.unit}"
            if column.enum:
                yield from (f"enum.{column.enum}.{code}" for code in ENUMS[column.enum].codes)
    for enum_id in OUR_ENUM_IDS:
        yield from (f"enum.{enum_id}.{code}" for code in ENUMS[enum_id].codes)
    for setting in OUR_SETTINGS:
        yield from (f"setting.{setting.id}", f"setting.{setting.id}.help", f"setting_group.{setting.group}")
        if setting.unit:
            yield f"unit.{setting.unit}"


def test_every_chapter_declares_forms():
    assert {form.chapter for form in OUR_FORMS} == set(CHAPTERS)


@pytest.mark.parametrize("form_id", [
    "team_roster", "work_calendar", "work_holidays", "work_hours",
    "job_descriptions", "recruitment_pipeline", "training_sessions", "training_attendance", "kpi_appraisal",
    "staff_bonus", "kpi_grade_bands", "forced_distribution",
    "marketing_plan", "marketing_spend", "promotion_plan", "promotion_claims", "digital_campaigns",
    "customer_contacts", "service_tickets", "complaint_log", "survey_responses", "sla_hours",
    "process_improvements", "it_requests", "audit_log", "task_tracker",
    "knowledge_index", "training_materials", "sop_register", "lessons_learned",
    "development_plan", "learning_log"])
def test_manual_form_is_declared_with_a_key(form_id):
    assert FORMS[form_id].key_columns


def test_every_label_exists_in_three_languages():
    missing = sorted({key for key in label_keys() if not has(key)})
    assert missing == []










def test_rules_compare_columns_of_matching_types():
    for form in OUR_FORMS:
        for rule in form.rules:
            if isinstance(rule, DateOrder):
                types = {form.column(rule.earlier).type, form.column(rule.later).type}
                assert types <= {"date", "datetime"}, (form.id, rule)
            elif isinstance(rule, NotAbove):
                types = {form.column(rule.part).type, form.column(rule.whole).type}
                assert types <= NUMERIC, (form.id, rule)


def test_formulas_name_only_columns_of_their_form():
    for form in OUR_FORMS:
        for column in form.columns:
            if column.formula:
                names = set(re.findall(r"\{(\w+)\}", column.formula))
                assert names and names <= {c.id for c in form.columns} - {column.id}, (form.id, column.id)


def test_templates_sent_out_are_shared():
    shared = {form.id for form in OUR_FORMS if form.shared}
    assert shared == {"complaint_log", "survey_responses", "task_tracker"}


def test_complaint_times_must_run_in_order():
    rules = set(FORMS["complaint_log"].rules)
    assert DateOrder("received_at", "first_response_at") in rules
    assert DateOrder("first_response_at", "resolved_at") in rules
    assert FORMS["complaint_log"].column("severity").enum == "severity"


def test_survey_scores_are_bounded_to_their_scales():
    form = FORMS["survey_responses"]
    assert (form.column("csat_score").min, form.column("csat_score").max) == (1, 5)
    assert (form.column("nps_score").min, form.column("nps_score").max) == (0, 10)


def test_audit_log_is_an_output_with_what_every_job_records():
    form = FORMS["audit_log"]
    assert form.kind == "output"
    needed = {"run_id", "started_at", "finished_at", "user", "job", "arguments", "input_checksums", "outputs",
              "rows_changed", "warnings", "run_result"}
    assert needed <= {c.id for c in form.columns}


def test_team_roster_lists_the_five_teams_of_the_manual():
    assert FORMS["team_roster"].column("team").enum == "team"
    assert ENUMS["team"].codes == ("dealer_development", "sales", "inventory", "marketing", "customer_service")


def test_settings_tables_are_settings_forms():
    tables = {"work_holidays", "work_hours", "sla_hours", "kpi_grade_bands", "forced_distribution"}
    assert {form.id for form in OUR_FORMS if form.kind == "settings"} == tables


@pytest.mark.parametrize("setting", OUR_SETTINGS, ids=lambda s: s.id)
def test_setting_default_lies_within_its_bounds(setting):
    assert setting.id in SETTINGS
    if setting.min is not None:
        assert setting.default >= setting.min
    if setting.max is not None:
        assert setting.default <= setting.max


def test_settings_the_service_and_appraisal_jobs_read_are_declared():
    needed = {"survey_min_sample", "csat_satisfied_min", "nps_promoter_min", "nps_detractor_max",
              "sop_review_warning_days", "it_request_sla_hours", "kpi_attainment_cap", "forced_distribution_on"}
    assert needed <= set(SETTINGS)
    assert SETTINGS["nps_detractor_max"].default < SETTINGS["nps_promoter_min"].default


def default_tables():
    for module in MODULES.values():
        yield from getattr(module, "DEFAULT_ROWS", {}).items()


@pytest.mark.parametrize("form_id,rows", list(default_tables()), ids=lambda v: v if isinstance(v, str) else "")
def test_default_rows_fit_their_form(form_id, rows):
    form = FORMS[form_id]
    frame = pd.DataFrame(rows)
    assert list(frame.columns) == [c.id for c in form.columns]
    assert not frame.duplicated(list(form.key_columns)).any()
    for column in form.columns:
        values = frame[column.id].dropna()
        if column.enum:
            assert set(values) <= set(ENUMS[column.enum].codes), column.id
        if column.min is not None:
            assert (values >= column.min).all(), column.id
        if column.max is not None:
            assert (values <= column.max).all(), column.id
    for rule in form.rules:
        if isinstance(rule, NotAbove):
            both = frame[[rule.part, rule.whole]].dropna()
            assert (both[rule.part] <= both[rule.whole]).all()


def test_default_grade_bands_cover_every_grade_from_zero():
    bands = pd.DataFrame(MODULES[2].DEFAULT_ROWS["kpi_grade_bands"])
    assert list(bands["grade"]) == list(ENUMS["appraisal_grade"].codes)
    assert bands["min_score"].is_monotonic_decreasing and bands["min_score"].iloc[-1] == 0
    assert bands["bonus_multiple"].is_monotonic_decreasing


def test_default_forced_distribution_adds_up_to_one():
    shares = pd.DataFrame(MODULES[2].DEFAULT_ROWS["forced_distribution"])["distribution_share"]
    assert shares.sum() == pytest.approx(1.0)


def test_default_sla_covers_every_severity_and_tightens_with_it():
    sla = pd.DataFrame(MODULES[7].DEFAULT_ROWS["sla_hours"]).set_index("severity")
    assert set(sla.index) == set(ENUMS["severity"].codes)
    order = ["low", "medium", "high", "critical"]
    assert sla.loc[order, "first_response_hours"].is_monotonic_decreasing
    assert sla.loc[order, "resolution_hours"].is_monotonic_decreasing


def test_default_week_works_monday_to_friday():
    week = pd.DataFrame(MODULES[1].DEFAULT_ROWS["work_hours"]).set_index("weekday")
    assert list(week.index) == list(ENUMS["weekday"].codes)
    assert list(week["working_day"]) == ["yes"] * 5 + ["no"] * 2
