"""Bad rows in the marketing, service and risk forms (chapters 6 – 8): dates typed as text,
ends before starts, scores outside their scale, negative amounts and unknown dealer ids each
get a message naming the sheet, the cell and the reason, and the jobs leave the row out."""
from __future__ import annotations

import pandas as pd
import pytest

from dealerxl.book.problems import column_letters
from dealerxl.forms import get_form
from dealerxl.i18n import tr
from dealerxl.jobs.risk import run_risk_review
from dealerxl.jobs.service import run_service_review
from test_job_risk import add_row, sample_variant

MONTH = "2026-10"
GHOST = "D09999"


def address(form_id: str, column_id: str, row: int) -> str:
    """``sheet!cell`` of a column of the form in the zh-Hant sample variant (header on row 4)."""
    form = get_form(form_id)
    letter = column_letters([c.id for c in form.columns].index(column_id))
    return f"{tr(form.label_key('sheet'), 'zh-Hant')}!{letter}{row}"


def appended_row(sample_data, form_id: str, offset: int = 0) -> int:
    """The Excel row of the ``offset``-th row added below the sample's rows of ``form_id``."""
    return 5 + len(sample_data[form_id]) + offset


def messages(result, lang: str = "zh-Hant") -> dict[str, str]:
    return {p.address: p.message(lang) for p in result.problems}


# ---- chapters 6 and 7: the Service review ---------------------------------------------------

@pytest.fixture(scope="session")
def service_result(tmp_path_factory, sample_data):
    def complaints(frame):
        base = dict(contact_channel="phone", severity="high", complaint_cause="billing", description="發票錯誤",
                    case_status="open")
        frame = add_row(frame, complaint_id="CP-BAD-TEXT", dealer_id="D00001", received_at="上週五下午", **base)
        frame = add_row(frame, complaint_id="CP-BAD-ORDER", dealer_id="D00001",
                        received_at=pd.Timestamp("2026-10-20 10:00"), resolved_at=pd.Timestamp("2026-10-19 10:00"),
                        **base)
        return add_row(frame, complaint_id="CP-BAD-GHOST", dealer_id=GHOST,
                       received_at=pd.Timestamp("2026-10-21 10:00"), **base)

    def surveys(frame):
        base = dict(dealer_id="D00001", survey_date=pd.Timestamp("2026-10-15"), survey_type="periodic")
        frame = add_row(frame, response_id="SV-BAD-CSAT", csat_score=6, nps_score=9, **base)
        frame = add_row(frame, response_id="SV-BAD-NPS", csat_score=4, nps_score=11, **base)
        return add_row(frame, response_id="SV-BAD-GHOST", csat_score=5, nps_score=10,
                       **(base | {"dealer_id": GHOST}))

    def spend(frame):
        row = frame.loc[frame["month"] == pd.Timestamp("2026-10-01")].iloc[0].to_dict()
        return add_row(frame, **(row | {"marketing_channel": "print" if row["marketing_channel"] != "print" else "tv",
                                        "actual_spend": -50_000.0}))

    def promotions(frame):
        row = frame.iloc[-1].to_dict()
        return add_row(frame, **(row | {"promotion_id": "PR-BAD-ORDER", "start_date": pd.Timestamp("2026-10-20"),
                                        "end_date": pd.Timestamp("2026-10-10"), "campaign_status": "running"}))

    path = sample_variant(tmp_path_factory.mktemp("bad-service") / "bad.xlsx", sample_data,
                          {"complaint_log": complaints, "survey_responses": surveys, "marketing_spend": spend,
                           "promotion_plan": promotions})
    return run_service_review(path, MONTH)


def test_a_date_typed_as_text_is_named_and_the_case_left_out(service_result, sample_data):
    cell = address("complaint_log", "received_at", appended_row(sample_data, "complaint_log"))
    assert cell in messages(service_result)
    assert "上週五下午" in messages(service_result)[cell] and messages(service_result)[cell].startswith(f"{cell}: ")
    assert "CP-BAD-TEXT" not in set(service_result.tables["cases"]["case_id"])


def test_a_case_resolved_before_it_was_received_is_named_and_left_out(service_result, sample_data):
    cell = address("complaint_log", "resolved_at", appended_row(sample_data, "complaint_log", 1))
    assert cell in messages(service_result)
    assert tr("col.received_at", "zh-Hant") in messages(service_result)[cell]
    assert "CP-BAD-ORDER" not in set(service_result.tables["cases"]["case_id"])


def test_an_unknown_dealer_on_a_complaint_or_survey_is_named_and_left_out(service_result, sample_data):
    complaint = address("complaint_log", "dealer_id", appended_row(sample_data, "complaint_log", 2))
    survey = address("survey_responses", "dealer_id", appended_row(sample_data, "survey_responses", 2))
    found = messages(service_result)
    assert GHOST in found[complaint] and GHOST in found[survey]
    assert GHOST not in set(service_result.tables["cases"]["dealer_id"])
    assert GHOST not in set(service_result.tables["satisfaction"]["dealer_id"].dropna())


def test_scores_outside_the_scale_are_named_in_each_language_and_not_counted(service_result, sample_data):
    csat = address("survey_responses", "csat_score", appended_row(sample_data, "survey_responses"))
    nps = address("survey_responses", "nps_score", appended_row(sample_data, "survey_responses", 1))
    zh, en = messages(service_result), messages(service_result, "en")
    assert "6" in zh[csat] and "5" in zh[csat]
    assert en[nps].startswith(f"{nps}: ") and "11" in en[nps] and "10" in en[nps]
    answers = sample_data["survey_responses"]
    in_month = (answers["survey_date"].dt.to_period("M") == pd.Period(MONTH, "M")).sum()
    total = service_result.tables["satisfaction"].query("period == 'month' and level == 'total'").iloc[0]
    assert total["csat_responses"] == in_month


def test_a_negative_spend_is_named_and_not_added_to_the_budget_lines(service_result, sample_data, sample_book):
    cell = address("marketing_spend", "actual_spend", appended_row(sample_data, "marketing_spend"))
    assert "-50000" in messages(service_result)[cell].replace(",", "")
    clean = run_service_review(sample_book, MONTH).tables["marketing"]
    pd.testing.assert_frame_equal(service_result.tables["marketing"], clean)


def test_a_promotion_ending_before_it_starts_is_named_and_not_measured(service_result, sample_data):
    cell = address("promotion_plan", "end_date", appended_row(sample_data, "promotion_plan"))
    assert cell in messages(service_result)
    assert "PR-BAD-ORDER" not in set(service_result.tables["promotions"]["promotion_id"])


def test_nothing_else_was_reported(service_result):
    assert len(service_result.problems) == 8


# ---- chapter 8: the Risk review -------------------------------------------------------------

@pytest.fixture(scope="session")
def risk_result(tmp_path_factory, sample_data):
    def invoices(frame):
        return add_row(frame, invoice_no="INV-BAD-DUE", dealer_id="D00001", invoice_date=pd.Timestamp("2026-09-01"),
                       due_date="下個月底", amount=10_000.0, paid_amount=0.0, disputed="no")

    def write_offs(frame):
        row = frame.iloc[0].to_dict()
        return add_row(frame, **(row | {"invoice_no": "INV-BAD-WO", "write_off_amount": -3_000.0}))

    def actions(frame):
        row = frame.iloc[-1].to_dict()
        return add_row(frame, **(row | {"action_id": "A-BAD-ORDER", "action_date": pd.Timestamp("2026-10-20"),
                                        "due_date": pd.Timestamp("2026-10-05"), "done_date": None,
                                        "status": "in_progress"}))

    def warnings(frame):
        row = frame.iloc[-1].to_dict()
        return add_row(frame, **(row | {"warning_id": "W-BAD-GHOST", "dealer_id": GHOST}))

    path = sample_variant(tmp_path_factory.mktemp("bad-risk") / "bad.xlsx", sample_data,
                          {"receivables": invoices, "write_offs": write_offs, "response_actions": actions,
                           "warning_log": warnings})
    return run_risk_review(path, MONTH)


def test_a_due_date_typed_as_text_is_named_and_the_invoice_left_out(risk_result, sample_data):
    result = risk_result
    cell = address("receivables", "due_date", appended_row(sample_data, "receivables"))
    assert "下個月底" in messages(result)[cell]
    ageing = result.tables["ageing"]
    total = ageing.loc[ageing["dealer_id"] == "total", "total"].iloc[0]
    assert total == pytest.approx(result.summary["open_receivables"])


def test_a_negative_write_off_is_named_and_not_in_the_bad_debts(risk_result, sample_data):
    result = risk_result
    cell = address("write_offs", "write_off_amount", appended_row(sample_data, "write_offs"))
    assert cell in messages(result)
    offs = sample_data["write_offs"]
    debts = result.tables["bad_debts"]
    written = debts.loc[debts["dealer_id"] == "total", "written_off"].iloc[0]
    assert written == pytest.approx(offs.loc[offs["write_off_date"] <= "2026-10-31", "write_off_amount"].sum())


def test_an_action_due_before_it_was_taken_is_named(risk_result, sample_data):
    result = risk_result
    cell = address("response_actions", "due_date", appended_row(sample_data, "response_actions"))
    assert cell in messages(result) and tr("col.action_date", "zh-Hant") in messages(result)[cell]


def test_a_warning_for_an_unknown_dealer_is_named_and_not_followed_up(risk_result, sample_data):
    result = risk_result
    cell = address("warning_log", "dealer_id", appended_row(sample_data, "warning_log"))
    assert GHOST in messages(result)[cell]
    assert "W-BAD-GHOST" not in set(result.tables["unanswered"]["warning_id"])
