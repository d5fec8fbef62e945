"""Market research roll-up, contract renewals, response-log follow-up and bad-debt summary."""
from __future__ import annotations

import pandas as pd
import pytest

from dealerxl.calc import CalcError
from dealerxl.calc.channel import market_rollup, renewal_alerts
from dealerxl.calc.receivables import bad_debt_summary
from dealerxl.calc.risk import unanswered_warnings
from dealerxl.calc.service import open_case_ageing


def research(**overrides):
    data = {"region": ["north", "south"], "market_size": [1000, 500], "prior_market_size": [800, 500],
            "our_sales": [100, 100], "outlets_total": [50, 20], "outlets_covered": [10, 20]}
    data.update(overrides)
    return pd.DataFrame(data)


def test_market_rollup_share_and_growth_per_region():
    result = market_rollup(research()).set_index("region")
    assert result.loc["north", "growth"] == pytest.approx(0.25)
    assert result.loc["south", "share"] == pytest.approx(0.2)
    assert result.loc["south", "coverage"] == 1.0


def test_more_outlets_covered_than_exist_is_refused():
    with pytest.raises(CalcError, match="cannot exceed"):
        market_rollup(research(outlets_covered=[60, 1]))


def test_contract_notice_period_widens_the_alert_window():
    result = renewal_alerts(["2027-01-31"], "2026-11-01", 30, notice_days=[120])
    assert bool(result.loc[0, "alert"])


def test_warning_answered_in_time_is_not_flagged():
    warnings = pd.DataFrame({"warning_id": ["W1"], "warning_date": pd.to_datetime(["2026-10-28"])})
    actions = pd.DataFrame({"warning_id": [], "due_date": pd.to_datetime([]), "status": []})
    assert not unanswered_warnings(warnings, actions, "2026-10-31", 7)["unanswered"].any()


def test_recovery_above_write_off_is_refused():
    with pytest.raises(CalcError, match="row 1"):
        bad_debt_summary(pd.DataFrame({"dealer_id": ["D1"], "write_off_amount": [10], "recovered_amount": [11]}), ["dealer_id"])


def test_closed_cases_do_not_count_as_open():
    groups = pd.DataFrame({"severity": ["low"]})
    assert open_case_ageing(["2026-10-01"], ["2026-10-02"], "2026-10-31", groups).empty


def test_market_growth_counts_only_rows_with_last_years_size():
    # A new city surveyed without a prior size does not count as growth from nothing.
    frame = research(region=["north", "north"], prior_market_size=[800, None])
    result = market_rollup(frame).set_index("region")
    assert result.loc["north", "market_size"] == 1500
    assert result.loc["north", "growth"] == pytest.approx(1000 / 800 - 1)
