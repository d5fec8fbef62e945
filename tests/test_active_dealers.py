"""One definition of "active in the month" on every sheet and for issuing templates, worked
out by hand on six dealers; targets for a past month from the dealers under contract then."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support.active_dealers_book import DEALERS, write_book

from dealerxl.exchange.issue import plan_issue
from dealerxl.jobs.dealers import run_dealer_review
from dealerxl.jobs.risk import run_risk_review
from dealerxl.jobs.targets import contract_months
from dealerxl.report.monthly import run_monthly_report

MONTH = "2026-10"


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    return write_book(tmp_path_factory.mktemp("active"))


@pytest.fixture(scope="module")
def report(book):
    return run_monthly_report(book, MONTH, lang="en")


def test_the_summary_counts_the_dealers_under_contract_in_the_month(report):
    """Active in October: D1, D2 (suspended), D3 (until 16 Oct) = 3; of them D1 and D3 bought."""
    figures = report.tables["summary"].set_index("figure")["value"]
    assert figures["active_dealers"] == 3 and figures["trading_dealers"] == 2
    assert figures["lost_dealers"] == 1 and figures["new_dealers"] == 0


def test_the_breakdown_by_status_and_trading(report):
    """active: D1 trading; suspended: D2 not trading; terminated: D3 trading; total 2 + 1."""
    table = report.tables["sales.dealer_activity"].set_index("status")
    assert table.loc["active"].tolist() == [1, 0, 1]
    assert table.loc["suspended"].tolist() == [0, 1, 1]
    assert table.loc["terminated"].tolist() == [1, 0, 1]
    assert table.loc["total"].tolist() == [2, 1, 3]


def test_achievement_is_on_the_dealers_with_a_target_and_the_rest_is_named(report):
    """Targeted sales 1,000 + 500 = 1,500 against 800 + 400 = 1,200 → 125 %; D5's 300 is named
    (not under contract: a prospect). Revenue 1,800 = 1,500 + 300."""
    figures = report.tables["summary"].set_index("figure")["value"]
    assert figures["revenue"] == 1_800 and figures["targeted_revenue"] == 1_500
    assert figures["untargeted_revenue"] == 300 and figures["achievement"] == pytest.approx(1.25)
    named = report.tables["sales.untargeted"]
    assert named[["dealer_id", "actual", "why"]].values.tolist() == [["D5", 300.0, "not_active"]]


def test_the_appraisal_and_the_risk_review_cover_the_same_dealers(book):
    appraisal = run_dealer_review(book, MONTH, lang="en").tables["appraisal"]
    assert sorted(appraisal["dealer_id"]) == ["D1", "D2", "D3"]
    reviewed = run_risk_review(book, MONTH, lang="en").tables["review"]
    assert sorted(reviewed["dealer_id"]) == ["D1", "D2", "D3"]


def test_templates_go_to_the_dealers_active_in_the_month_issued_for(book):
    """October: D1, D2, D3. November: D1, D2 and D6 (joined 2 Nov); D3 has left."""
    october = plan_issue("dealer_monthly", "2026-10", workbook=book).tables["recipients"]
    november = plan_issue("dealer_monthly", "2026-11", workbook=book).tables["recipients"]
    assert sorted(october["recipient"]) == ["D1", "D2", "D3"]
    assert sorted(november["recipient"]) == ["D1", "D2", "D6"]


def test_a_past_months_targets_come_from_the_dealers_under_contract_then():
    """D3 left on 16 October: under contract January to October (10 months); D6 joins in
    November (2 months); D4 left on 6 April (4 months); D5 is a prospect (none)."""
    dealers = pd.DataFrame(DEALERS)
    months = contract_months(dealers, 2026).set_index(dealers["dealer_id"]).sum(axis=1)
    assert months.to_dict() == {"D1": 12, "D2": 12, "D3": 10, "D4": 4, "D5": 0, "D6": 2}
    assert np.array_equal(contract_months(dealers, 2026, ["D5"]).iloc[4].to_numpy(), np.arange(1, 13) >= 8)
