"""Supplier scorecard and logistics cost on hand-worked lines and on the sample data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dealerxl.calc import CalcError
from dealerxl.calc.supply import logistics_costs, supplier_kpis, supplier_scorecard
from dealerxl.forms.chapter05 import DEFAULT_ROWS
from dealerxl.sample import generate

LINES = pd.DataFrame({
    "supplier_id": ["S1", "S1", "S1", "S2"],
    "order_date": ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-01"],
    "promised_date": ["2026-11-10", "2026-11-10", "2026-11-12", "2026-11-20"],
    "delivered_date": ["2026-11-09", "2026-11-12", None, "2026-11-21"],
    "ordered_qty": [100, 100, 50, 10], "delivered_qty": [100, 90, None, 10], "rejected_qty": [2, 0, None, 1],
    "agreed_price": [10, 10, 10, 5], "actual_price": [10.5, 10, None, 4.5],
})


def test_open_overdue_lines_count_as_late_and_not_in_full():
    kpis = supplier_kpis(LINES, as_of="2026-11-15").set_index("supplier_id")
    s1 = kpis.loc["S1"]
    assert s1.measured_lines == 3 and s1.on_time == pytest.approx(1 / 3) and s1.in_full == pytest.approx(1 / 3)
    assert s1.otif == pytest.approx(1 / 3)
    assert s1.reject_rate == pytest.approx(2 / 190)
    assert s1.lead_time_mean_days == 9.0 and s1.lead_time_sd_days == pytest.approx(np.sqrt(2))
    assert kpis.loc["S2", "price_variance"] == pytest.approx(-0.1)


def test_tolerances_forgive_small_delays_and_shortfalls():
    kpis = supplier_kpis(LINES, on_time_tolerance_days=2, in_full_tolerance=0.1).set_index("supplier_id")
    assert kpis.loc["S1", "on_time"] == 1.0 and kpis.loc["S1", "in_full"] == 1.0  # open line not yet measured


def test_scorecard_with_the_default_weights_and_bands():
    weights = pd.DataFrame(DEFAULT_ROWS["supplier_score_weights"])
    bands = pd.DataFrame(DEFAULT_ROWS["supplier_grade_bands"])
    card = supplier_scorecard(LINES, weights, bands, as_of="2026-11-15").set_index("supplier_id")
    # S2: on time 0 → 0; in full 1 → 100; rejects 0.1 vs 0.01 → 10; lead-time CV unknown
    # (one line) → left out; price 4.5 vs 5 (cheaper) → 100.
    expected = (0.30 * 0 + 0.25 * 100 + 0.25 * 10 + 0.10 * 100) / 0.90
    assert card.loc["S2", "score"] == pytest.approx(expected)
    assert card.loc["S2", "supplier_grade"] == "D"


def test_too_few_deliveries_get_no_grade():
    weights = pd.DataFrame(DEFAULT_ROWS["supplier_score_weights"])
    bands = pd.DataFrame(DEFAULT_ROWS["supplier_grade_bands"])
    card = supplier_scorecard(LINES, weights, bands, min_deliveries=2).set_index("supplier_id")
    assert pd.isna(card.loc["S2", "supplier_grade"]) and card.loc["S1", "supplier_grade"] == "C"


def test_unknown_criterion_is_refused():
    weights = pd.DataFrame({"supplier_criterion": ["speed"], "weight": [1], "target": [1],
                            "kpi_direction": ["higher_better"]})
    with pytest.raises(CalcError, match="speed"):
        supplier_scorecard(LINES, weights, pd.DataFrame(DEFAULT_ROWS["supplier_grade_bands"]))


def test_undated_promise_is_refused_with_the_row():
    bad = LINES.assign(promised_date=["2026-11-10", "later", "2026-11-12", "2026-11-20"])
    with pytest.raises(CalcError, match="row 2"):
        supplier_kpis(bad)


SHIPMENTS = pd.DataFrame({
    "shipment_id": ["T1", "T2", "T3", "T4"], "region": ["north", "north", "south", "south"],
    "route": ["R1", "R1", "R2", "R2"], "shipped_units": [100, 50, 20, 999], "cost": [300, 150, 200, 999],
    "shipment_value": [6000, 3000, 2000, 999], "promised_date": ["2026-11-10"] * 4,
    "delivered_date": ["2026-11-12", "2026-11-10", None, None],
    "shipment_status": ["delivered", "delivered", "in_transit", "cancelled"],
})


def test_logistics_cost_per_route_region_and_total():
    by_route = logistics_costs(SHIPMENTS, "route", as_of="2026-11-15").set_index("route")
    assert by_route.loc["R2", "shipments"] == 1  # the cancelled shipment is left out
    assert by_route.loc["R2", "late_shipments"] == 1  # still in transit after the promise
    total = logistics_costs(SHIPMENTS, revenue=110_000, as_of="2026-11-15").iloc[0]
    assert total.cost == 650 and total.cost_per_unit == pytest.approx(650 / 170)
    assert total.cost_share_of_revenue == pytest.approx(650 / 110_000)
    assert total.late_share == pytest.approx(2 / 3)
    by_region = logistics_costs(SHIPMENTS, ["region"], revenue=pd.Series({"north": 9000})).set_index("region")
    assert by_region.loc["north", "cost_share_of_revenue"] == pytest.approx(0.05)
    assert np.isnan(by_region.loc["south", "cost_share_of_revenue"])


def test_sample_suppliers_and_shipments_are_scored():
    frames = generate("small")
    weights = pd.DataFrame(DEFAULT_ROWS["supplier_score_weights"])
    bands = pd.DataFrame(DEFAULT_ROWS["supplier_grade_bands"])
    card = supplier_scorecard(frames["supplier_deliveries"], weights, bands, as_of="2026-10-31")
    assert card.supplier_id.is_unique and len(card) == frames["supplier_deliveries"].supplier_id.nunique()
    assert card.score.between(0, 100).all()
    for share in ("on_time", "in_full", "otif"):
        assert card[share].between(0, 1).all()
    assert (card.otif <= card[["on_time", "in_full"]].min(axis=1) + 1e-12).all()
    routes = logistics_costs(frames["shipments"], "route", as_of="2026-10-31")
    kept = frames["shipments"][frames["shipments"].shipment_status != "cancelled"]
    assert routes.cost.sum() == pytest.approx(kept.cost.sum())
