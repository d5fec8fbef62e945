"""The Dealer review job on a small workbook worked out by hand: every appraisal metric,
score, grade and tier movement, the prospect gates and recommendations, renewals, the market
roll-up and the bad rows that are named and left out."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from workbook_fixtures import labelled, settings_rows, write_workbook

from dealerxl.book.problems import column_letters
from dealerxl.forms import get_form
from dealerxl.i18n import tr
from dealerxl.jobs.dealers import report_sheets, run_dealer_review

MONTH = "2026-10"
LANG = "zh-Hant"
FIRST_DATA_ROW = 5  # write_workbook puts the header on Excel row 4


def day(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def sale(number: str, dealer: str, date: str, amount: float) -> dict:
    return {"invoice_no": number, "line_no": 1, "invoice_date": day(date), "transaction_type": "sale",
            "dealer_id": dealer, "sku": "SKU1", "quantity": 1, "unit_price": amount, "amount": amount,
            "sales_rep_id": "S1"}


def invoice(number: str, dealer: str, due: str, amount: float, paid: str | None, disputed: str = "no") -> dict:
    due_date = day(due)
    return {"invoice_no": number, "dealer_id": dealer, "invoice_date": due_date - dt.timedelta(days=30),
            "due_date": due_date, "amount": amount, "paid_amount": amount if paid else None,
            "paid_date": day(paid) if paid else None, "disputed": disputed}


def stock_month(dealer: str, month: str, sold: float, closing: float) -> dict:
    return {"dealer_id": dealer, "month": day(month), "sku": "SKU1", "opening_stock_qty": closing + sold,
            "received_qty": 0, "sell_out_qty": sold, "sell_out_amount": sold * 100, "dealer_stock_qty": closing}


def contract(number: str, dealer: str, start: str, end: str, status: str, notice: int = 30) -> dict:
    return {"contract_id": number, "dealer_id": dealer, "contract_type": "distribution", "start_date": day(start),
            "end_date": day(end), "annual_target_amount": 1_200_000, "auto_renew": "no", "notice_days": notice,
            "renewal_status": status, "owner": "S1"}


def complaint(number: str, dealer: str, received) -> dict:
    return {"complaint_id": number, "dealer_id": dealer, "received_at": received, "contact_channel": "phone",
            "severity": "low", "complaint_cause": "delivery", "description": "送貨延誤", "case_status": "closed"}


def dealer(dealer_id: str, tier: str | None, joined: str = "2023-01-01", status: str = "active",
           terminated: str | None = None) -> dict:
    return {"dealer_id": dealer_id, "dealer_name": f"{dealer_id} 商行", "region": "north", "channel_type": "dealer",
            "tier": tier, "status": status, "join_date": day(joined),
            "termination_date": day(terminated) if terminated else None}


# D2, D3 and D4 trade alike: their score sits in silver's dead band (62 ≤ score < 70). What
# happens to them depends only on the tier they held in September.
ALIKE = ("D2", "D3", "D4")


def sales_rows() -> list[dict]:
    rows = []
    for i, month in enumerate(("2025-08", "2025-09", "2025-10")):
        rows.append(sale(f"P1-{i}", "D1", f"{month}-10", 80_000))
    for i, month in enumerate(("2026-08", "2026-09", "2026-10")):
        rows.append(sale(f"N1-{i}", "D1", f"{month}-10", 100_000))
    for d in ALIKE:
        rows += [sale(f"P{d}-{i}", d, date, 250_000 / 2) for i, date in enumerate(("2025-08-05", "2025-10-05"))]
        rows += [sale(f"N{d}-{i}", d, date, 48_000)
                 for i, date in enumerate(("2026-08-05", "2026-08-20", "2026-09-05", "2026-09-20", "2026-10-05"))]
    rows.append(sale("N5-0", "D5", "2026-10-20", 50_000))
    rows.append(sale("N6-0", "D6", "2026-05-20", 90_000))
    return rows


def base_forms() -> dict[str, list[dict]]:
    settings = settings_rows(LANG)
    forms = {
        "settings": settings,
        "dealer_master": [dealer("D1", "silver"), dealer("D2", "silver"), dealer("D3", "bronze"), dealer("D4", "gold"),
                          dealer("D5", None, joined="2026-10-05"),
                          dealer("D6", "gold", status="terminated", terminated="2026-06-30"),
                          dealer("D7", None, joined="2026-09-01", status="prospect")],
        "dealer_contracts": [
            contract("C1", "D1", "2025-01-01", "2026-12-31", "renewing"),
            contract("C2-old", "D2", "2024-01-01", "2024-12-31", "renewed"),
            contract("C2", "D2", "2025-01-01", "2027-06-30", "not_due"),
            contract("C3", "D3", "2025-01-01", "2027-02-28", "under_review", notice=120),
            contract("C4", "D4", "2025-01-01", "2026-09-30", "under_review"),
            contract("C5", "D5", "2026-10-05", "2027-10-04", "not_due"),
        ],
        "sales_transactions": sales_rows(),
        # D4's contract lapsed at the end of September: its targets are typed here instead.
        "monthly_targets": [{"month": day(f"2026-{m:02d}-01"), "dealer_id": "D4", "year": 2026, "target_amount": 100_000}
                            for m in (8, 9, 10)],
        "receivables": [
            *[invoice(f"R1-{m}", "D1", f"2026-{m:02d}-15", 100_000, f"2026-{m:02d}-15") for m in (8, 9, 10)],
            *[invoice(f"R{d}-{m}", d, f"2026-{m:02d}-15", 80_000, f"2026-{m:02d}-{'25' if m == 9 else '15'}")
              for d in ALIKE for m in (8, 9, 10)],
            # Disputed: held back on purpose, not a sign of poor payment.
            invoice("R2-disputed", "D2", "2026-09-30", 500_000, None, disputed="yes"),
        ],
        "dealer_monthly": [stock_month("D1", f"2026-{m:02d}-01", 30, 30) for m in (8, 9, 10)]
        + [stock_month(d, f"2026-{m:02d}-01", 30, 75 if m == 10 else 30) for d in ALIKE for m in (8, 9, 10)],
        "dealer_stock": [],
        "complaint_log": [complaint(f"K{d}", d, day("2026-09-12 10:00")) for d in ALIKE],
        "dealer_support_log": [{"support_id": "T1", "dealer_id": "D1", "support_date": day("2026-03-10"),
                                "support_type": "training", "staff_id": "S1", "invited_count": 10,
                                "attended_count": 9, "status": "done"}],
        "dealer_appraisal": [{"dealer_id": d, "month": day("2026-09-01"), "tier": t}
                             for d, t in (("D1", "silver"), ("D2", "silver"), ("D3", "bronze"), ("D4", "gold"))],
        "tier_rules": [
            {"tier": "gold", "tier_rank": 1, "promote_min_score": 85, "demote_below_score": 78, "months_required": 1},
            {"tier": "silver", "tier_rank": 2, "promote_min_score": 70, "demote_below_score": 62, "months_required": 1},
            {"tier": "bronze", "tier_rank": 3, "promote_min_score": 0, "demote_below_score": 0, "months_required": 1},
        ],
        "dealer_prospects": [{"prospect_id": p, "dealer_name": f"{p} 公司", "region": "north", "channel_type": "dealer",
                              "prospect_source": "referral", "first_contact_date": day("2026-06-01"),
                              "prospect_stage": "evaluating"} for p in ("P1", "P2", "P3", "P4", "P5")],
        "prospect_scores": prospect_scores(),
        "market_research": [
            research("2026-09-01", "台北", 600, 500, 100, 80, 20),
            research("2026-09-01", "基隆", 400, 400, 50, 40, 10),
            research("2026-03-01", "台北", 550, 480, 90, 70, 15),  # superseded by September's survey
            research("2025-06-01", "高雄", 900, 800, 90, 60, 30, region="south"),  # older than 12 months
        ],
    }
    return forms


CRITERIA = ("capability", "credit", "market_influence", "willingness", "financial_strength", "logistics")


def prospect_scores() -> list[dict]:
    values = {"P1": (5, 80, 5, 5, 5, 5), "P2": (3, 80, 3, 3, 3, 3), "P3": (5, 45, 5, 5, 5, 5),
              "P4": (4, 80, 4, None, 4, 4), "P5": (7, 90, 5, 5, 5, 5)}
    return [{"prospect_id": p, "evaluator_id": "S001", "prospect_criterion": c, "criterion_value": v}
            for p, row in values.items() for c, v in zip(CRITERIA, row) if v is not None]


def research(month, city, size, prior, ours, outlets, covered, region="north") -> dict:
    return {"month": day(month), "region": region, "city": city, "product_group": "家電", "market_size": size,
            "prior_market_size": prior, "our_sales": ours, "outlets_total": outlets, "outlets_covered": covered,
            "demand_trend": "stable", "research_source": "field_survey"}


def build(path, forms) -> str:
    return write_workbook(path, {form_id: labelled(form_id, rows, LANG) for form_id, rows in forms.items()}, LANG)


@pytest.fixture(scope="module")
def hand_made(tmp_path_factory):
    return build(tmp_path_factory.mktemp("dealers") / "hand.xlsx", base_forms())


@pytest.fixture(scope="module")
def result(hand_made):
    return run_dealer_review(hand_made, MONTH)


def appraisal_of(result, dealer_id: str) -> pd.Series:
    return result.tables["appraisal"].set_index("dealer_id").loc[dealer_id]


# ---- the appraisal, by hand -----------------------------------------------------------------

def test_only_dealers_trading_in_the_month_are_appraised(result):
    assert result.tables["appraisal"]["dealer_id"].tolist() == ["D1", "D2", "D3", "D4", "D5"]


def test_a_dealer_meeting_every_target_scores_by_hand_and_is_promoted(result):
    d1 = appraisal_of(result, "D1")
    # 300 000 sold against 3 × 1 200 000 / 12; 300 000 against 240 000 a year before.
    assert d1["sales_achievement"] == pytest.approx(1.0)
    assert d1["sales_growth"] == pytest.approx(0.25)
    assert d1["payment_discipline"] == pytest.approx(1.0)
    assert d1["stock_health"] == pytest.approx(1.0)       # 30 in stock, selling 30 a month
    assert d1["complaint_rate"] == pytest.approx(0.0)
    assert d1["training_attendance"] == pytest.approx(0.9)
    # Growth 0.25 on the −0.2…0.3 scale is 90; everything else full marks:
    # 0.35·100 + 0.15·90 + 0.20·100 + 0.10·100 + 0.10·100 + 0.10·100 = 98.5.
    assert d1["score"] == pytest.approx(98.5)
    assert (d1["grade"], d1["previous_tier"], d1["tier"], d1["tier_change"]) == ("A", "silver", "gold", "promoted")
    assert pd.isna(d1["missing_metrics"])


def test_the_same_score_keeps_each_dealer_in_its_own_tier_inside_the_dead_band(result):
    table = result.tables["appraisal"].set_index("dealer_id").loc[list(ALIKE)]
    # 240 000 sold against 300 000 → 80; growth 240 000 / 250 000 − 1 = −0.04 → 32; all paid
    # on time (September's 10 days late is inside the 15 days' grace; the disputed invoice is
    # left out) → 100; 75 in stock selling 30 a month = 2.5 months on the 1…4 scale → 50;
    # 1 complaint in 5 invoices = 20 per 100 → 0; no training → missing, the rest re-weighted:
    # (0.35·80 + 0.15·32 + 0.20·100 + 0.10·50 + 0.10·0) / 0.90 = 64.22.
    assert table["sales_achievement"].tolist() == pytest.approx([0.8] * 3)
    assert table["sales_growth"].tolist() == pytest.approx([-0.04] * 3)
    assert table["payment_discipline"].tolist() == pytest.approx([1.0] * 3)
    assert table["stock_health"].tolist() == pytest.approx([2.5] * 3)
    assert table["complaint_rate"].tolist() == pytest.approx([20.0] * 3)
    assert table["score"].tolist() == pytest.approx([57.8 / 0.9] * 3)
    assert set(table["grade"]) == {"D"}
    assert table["missing_metrics"].tolist() == ["training_attendance"] * 3
    assert table["missing_weight"].tolist() == pytest.approx([0.1] * 3)
    # Silver stays silver (not below 62), bronze stays bronze (not 70), gold drops (below 78).
    assert table["previous_tier"].tolist() == ["silver", "bronze", "gold"]
    assert table["tier"].tolist() == ["silver", "bronze", "silver"]
    assert table["tier_change"].tolist() == ["unchanged", "unchanged", "demoted"]
    assert table["months_qualifying"].tolist() == [0, 0, 0]


def test_a_new_dealer_is_marked_new_with_what_it_lacks_listed(result):
    d5 = appraisal_of(result, "D5")
    # 50 000 against one month of target (the contract began in October): 0.5 → 50; one
    # invoice, no complaint → 100; (0.35·50 + 0.10·100) / 0.45 = 61.11.
    assert d5["sales_achievement"] == pytest.approx(0.5)
    assert d5["score"] == pytest.approx(27.5 / 0.45)
    assert d5["grade"] == "D"
    assert d5["missing_metrics"] == "sales_growth,payment_discipline,stock_health,training_attendance"
    assert pd.isna(d5["previous_tier"]) and d5["tier"] == "bronze" and d5["tier_change"] == "new"


def test_previous_tier_is_worked_out_from_the_months_before_when_none_is_recorded(tmp_path):
    forms = base_forms()
    forms["dealer_appraisal"] = []
    table = run_dealer_review(build(tmp_path / "no-history.xlsx", forms), MONTH).tables["appraisal"]
    table = table.set_index("dealer_id")
    # The path starts in 2025-10 from the dealer master's tier. D2–D4 alike: 2025-10 scores
    # 87.0 (250 000 of 300 000 → 83.3, no complaint in 2 invoices → 100, the rest unknown),
    # then 54.6 and less while they hardly sell, which takes each down to bronze one tier a
    # month; 2026-09 scores 74.9 (192 000 → 64, growth over 125 000 → 100, paid on time
    # → 100, 1 month of stock → 100, 1 complaint in 4 invoices → 0), which lifts them to
    # silver; October's 64.2 keeps them there.
    assert table.loc[list(ALIKE), "previous_tier"].tolist() == ["silver"] * 3
    assert table.loc[list(ALIKE), "tier_change"].tolist() == ["unchanged"] * 3
    # D1 falls to bronze by 2025-12, scores 75.2 in 2026-08 (silver) and 86.8 in 2026-09 (gold).
    assert (table.loc["D1", "previous_tier"], table.loc["D1", "tier"], table.loc["D1", "tier_change"]) == \
        ("gold", "gold", "unchanged")


# ---- prospects -------------------------------------------------------------------------------

def test_prospects_are_scored_gated_and_recommended_by_hand(result):
    table = result.tables["prospects"].set_index("prospect_id")
    assert table.loc["P1", "weighted_score"] == pytest.approx(100.0)
    assert (table.loc["P1", "grade"], table.loc["P1", "prospect_recommendation"]) == ("A", "sign")
    # 3 on the 1–5 scale is 50; credit 80 meets its target: .25·50 + .25·100 + .2·50 + .15·50 + .1·50 + .05·50.
    assert table.loc["P2", "weighted_score"] == pytest.approx(62.5)
    assert table.loc["P2", "prospect_recommendation"] == "sign_with_conditions"
    assert table.loc["P2", "recommendation_reason"] == "總分 62.5 介於附條件分數 60 與簽約分數 70 之間"


def test_credit_below_its_floor_rejects_whatever_the_score(result):
    p3 = result.tables["prospects"].set_index("prospect_id").loc["P3"]
    assert p3["weighted_score"] == pytest.approx(75 + 0.25 * 45 / 80 * 100)
    assert (p3["gates_passed"], p3["failed_gates"], p3["prospect_recommendation"]) == ("no", "credit", "reject")
    assert p3["recommendation_reason"] == "信用狀況 45 未達門檻 50"


def test_a_prospect_with_a_criterion_not_scored_is_held_with_the_gap_named(result):
    p4 = result.tables["prospects"].set_index("prospect_id").loc["P4"]
    assert p4["weighted_score"] == pytest.approx(70 / 0.85)
    assert (p4["missing_criteria"], p4["prospect_recommendation"]) == ("willingness", "hold")
    assert p4["recommendation_reason"] == "評分不完整，缺：合作意願"


# ---- renewals and market --------------------------------------------------------------------

def test_renewals_list_contracts_in_their_window_and_lapsed_ones(result):
    table = result.tables["renewals"]
    assert table["contract_id"].tolist() == ["C4", "C1", "C3"]
    assert table["days_left"].tolist() == [-31, 61, 120]  # C3 is inside its own 120-day notice
    assert table["expired"].tolist() == ["yes", "no", "no"]


def test_market_takes_the_latest_recent_survey_per_city_and_rolls_up_by_region(result):
    table = result.tables["market"].set_index("region")
    assert table.index.tolist() == ["north", "total"]
    north = table.loc["north"]
    assert (north["market_size"], north["prior_market_size"], north["surveys"]) == (1000, 900, 2)
    assert north["market_growth"] == pytest.approx(1 / 9)
    assert (north["market_share"], north["outlet_coverage"]) == pytest.approx((0.15, 0.25))


# ---- bad input ------------------------------------------------------------------------------

def cell_of(form_id: str, column_id: str, row_index: int) -> str:
    columns = [c.id for c in get_form(form_id).columns]
    return f"{tr(get_form(form_id).label_key('sheet'), LANG)}!{column_letters(columns.index(column_id))}" \
           f"{FIRST_DATA_ROW + row_index}"


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    forms = base_forms()
    forms["sales_transactions"].append(sale("X-1", "D99", "2026-10-11", 1_000_000))       # no such dealer
    forms["complaint_log"].append(complaint("K-bad", "D1", "下週三"))                         # a date as text
    forms["sales_transactions"].append(sale("X-2", "D1", "2026-10-12", 500_000) | {"invoice_date": "十月十二日"})
    path = build(tmp_path_factory.mktemp("bad") / "bad.xlsx", forms)
    return forms, run_dealer_review(path, MONTH)


def test_bad_rows_are_named_by_sheet_and_cell_and_left_out(bad, result):
    forms, outcome = bad
    messages = [p.message(LANG) for p in outcome.problems]
    sales = forms["sales_transactions"]
    expected = {cell_of("sales_transactions", "dealer_id", len(sales) - 2),
                cell_of("sales_transactions", "invoice_date", len(sales) - 1),
                cell_of("complaint_log", "received_at", len(forms["complaint_log"]) - 1),
                cell_of("prospect_scores", "criterion_value", 23)}
    assert {m.split(": ")[0] for m in messages} == expected
    assert any("D99" in m for m in messages) and any("7" in m and "5" in m for m in messages)
    # Nothing of the bad rows counts: D1 is appraised exactly as before.
    assert appraisal_of(outcome, "D1")[["sales_achievement", "complaint_rate", "score"]].tolist() == \
        pytest.approx(appraisal_of(result, "D1")[["sales_achievement", "complaint_rate", "score"]].tolist())


def test_a_score_outside_its_scale_is_named_and_leaves_that_criterion_unscored(result):
    (problem,) = result.problems
    assert problem.message(LANG).startswith(cell_of("prospect_scores", "criterion_value", 23) + ": ")
    p5 = result.tables["prospects"].set_index("prospect_id").loc["P5"]
    assert (p5["missing_criteria"], p5["prospect_recommendation"]) == ("capability", "hold")


def test_report_sheets_are_localised(result):
    sheets = report_sheets(result)
    assert list(sheets) == ["經銷商考核", "招商評估", "合約續約提醒", "市場調研彙總"]
    appraisal = sheets["經銷商考核"]
    assert {"經銷商編號", "考核總分", "等級", "前期等級", "等級變動", "缺資料指標"} <= set(appraisal.columns)
    assert set(appraisal["等級變動"]) == {"升級", "維持", "降級", "新評"}
    assert appraisal["缺資料指標"].iloc[4] == "銷售成長率、準時付款率、庫存健康度、培訓出席率"
    assert sheets["市場調研彙總"]["區域"].tolist() == ["北區", "合計"]
    assert not any(np.isinf(pd.to_numeric(appraisal[c], errors="coerce")).any() for c in appraisal.columns)


def test_a_target_metric_without_its_target_stops_the_appraisal_with_the_metric_named(tmp_path):
    from dealerxl.calc import CalcError
    from dealerxl.forms import DEFAULT_ROWS

    forms = base_forms()
    forms["appraisal_weights"] = [dict(row) for row in DEFAULT_ROWS["appraisal_weights"]]
    forms["appraisal_weights"][0]["target"] = None  # sales achievement is target-based
    with pytest.raises(CalcError, match="sales_achievement: .*positive target"):
        run_dealer_review(build(tmp_path / "no-target.xlsx", forms), MONTH)
