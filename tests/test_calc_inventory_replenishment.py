"""The replenishment proposal: what to order, when it arrives, why, and what is missing."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from dealerxl.calc import CalcError
from dealerxl.calc.demand import demand_statistics
from dealerxl.calc.inventory import MONTH_DAYS, reorder_point
from dealerxl.calc.replenishment import REASON_FIELDS, replenishment_proposal
from dealerxl.sample import generate


def position(**overrides) -> pd.DataFrame:
    row = {"sku": "P1", "location": "W1", "on_hand": 100.0, "on_order": 0.0, "reserved": 0.0,
           "mean_demand": 100.0, "sd_demand": 20.0, "lead_time_days": 2 * MONTH_DAYS, "lead_time_sd_days": 0.0,
           "service_level": 0.95, "unit_cost": 8.0, "order_cost": 50.0, "holding_cost_rate": 0.25,
           "moq": 0.0, "pack_size": 1.0, "supplier_id": "S9"}
    row.update(overrides)
    return pd.DataFrame([row])


@pytest.mark.parametrize("overrides, reason", [
    ({"on_hand": 500.0}, "no_order_needed"),
    ({"on_hand": 200.0}, "below_reorder_point"),
    ({"on_hand": 30.0}, "below_safety_stock"),
    ({"on_hand": 0.0, "on_order": 100.0}, "stock_out"),
    ({"on_hand": 10.0, "reserved": 25.0}, "backorder"),
    ({"on_hand": 0.0, "status": "discontinued"}, "not_replenished"),
    ({"on_hand": 0.0, "mean_demand": 0.0, "sd_demand": 0.0}, "no_order_needed"),
])
def test_reason_follows_the_stock_position(overrides, reason):
    orders = replenishment_proposal(position(**overrides), "2026-11-30").orders
    assert orders.replenishment_reason.tolist() == [reason]
    assert set(REASON_FIELDS[reason]) <= set(orders.columns)
    if reason in ("no_order_needed", "not_replenished"):
        assert orders.proposed_qty.iloc[0] == 0 and pd.isna(orders.expected_arrival.iloc[0])


def test_order_fills_up_to_reorder_point_plus_eoq_in_whole_packs():
    orders = replenishment_proposal(position(on_hand=100, on_order=50, reserved=30, pack_size=24, moq=400),
                                    "2026-11-30").orders.iloc[0]
    assert orders.available == 120
    assert orders.proposed_qty == 408  # need 371.47 → MOQ 400 → 17 packs of 24
    assert orders.order_value == 408 * 8
    assert orders.expected_arrival == pd.Timestamp("2027-01-30")  # ⌈60.875⌉ = 61 days
    assert orders.supplier_id == "S9"


def test_fill_rate_target_replaces_the_service_level_where_given():
    frame = pd.concat([position(), position(sku="P2", fill_rate=0.999), position(sku="P3", fill_rate=0.5)])
    ss = replenishment_proposal(frame, "2026-11-30").orders.safety_stock.to_numpy()
    assert ss[1] > 0 and ss[2] == 0.0 and ss[0] > 0


def test_items_with_missing_parameters_are_listed_with_what_is_missing():
    frame = pd.concat([position(), position(sku="P2", lead_time_days=np.nan, supplier_id=None),
                       position(sku="P3", holding_cost_rate=0.0)])
    result = replenishment_proposal(frame, "2026-11-30")
    assert result.orders.sku.tolist() == ["P1"]
    assert result.missing.to_dict("records") == [
        {"sku": "P2", "location": "W1", "replenishment_reason": "missing_parameters",
         "missing_parameters": "lead_time_days, supplier_id"},
        {"sku": "P3", "location": "W1", "replenishment_reason": "missing_parameters",
         "missing_parameters": "holding_cost_rate"}]


def test_settings_defaults_fill_blank_order_and_holding_costs():
    frame = position(order_cost=np.nan, holding_cost_rate=np.nan)
    assert replenishment_proposal(frame, "2026-11-30").missing.missing_parameters.tolist() == [
        "order_cost, holding_cost_rate"]
    filled = replenishment_proposal(frame, "2026-11-30", default_order_cost=50, default_holding_cost_rate=0.25)
    assert filled.missing.empty
    assert filled.orders.eoq.iloc[0] == pytest.approx(np.sqrt(2 * 50 * 1200 / 2))


def test_absent_required_columns_make_every_item_missing_not_skipped():
    frame = position().drop(columns=["order_cost"])
    result = replenishment_proposal(frame, "2026-11-30")
    assert result.orders.empty and result.missing.missing_parameters.tolist() == ["order_cost"]


def test_bad_values_are_refused_naming_the_row():
    with pytest.raises(CalcError, match="row 2 \\(P2\\)"):
        replenishment_proposal(pd.concat([position(), position(sku="P2", on_hand=-1.0)]), "2026-11-30")
    with pytest.raises(CalcError, match="service_level in row 1"):
        replenishment_proposal(position(service_level=1.2), "2026-11-30")
    with pytest.raises(CalcError, match="pack_size in row 1"):
        replenishment_proposal(position(pack_size=0.0), "2026-11-30")


def test_sample_data_gives_a_proposal_for_every_stocked_item():
    frames = generate("small")
    stats = demand_statistics(frames["demand_history"], ("sku", "location"), from_first_row=True)
    items = frames["item_master"]
    positions = (frames["stock_ledger"].merge(stats, on=["sku", "location"], how="left")
                 .merge(items, on="sku", how="left"))
    positions["service_level"] = positions["service_level_override"].fillna(0.95)
    result = replenishment_proposal(positions, "2026-11-30")
    assert len(result.orders) + len(result.missing) == len(positions)
    orders = result.orders
    assert (orders.proposed_qty >= 0).all()
    assert np.allclose(np.mod(orders.proposed_qty, orders.pack_size), 0)
    ordered = orders[orders.proposed_qty > 0]
    assert (ordered.available + ordered.proposed_qty > ordered.reorder_point).all()
    assert (ordered.proposed_qty >= ordered.moq).all()
    inputs = positions.set_index(["sku", "location"]).loc[list(zip(orders.sku, orders.location))]
    expected = reorder_point(inputs.mean_demand.to_numpy(), inputs.sd_demand.to_numpy(),
                             inputs.lead_time_days.to_numpy(), inputs.service_level.to_numpy(),
                             inputs.lead_time_sd_days.fillna(0).to_numpy())
    assert np.allclose(orders.reorder_point.to_numpy(), expected)


amount = st.floats(0, 5000, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(on_hand=amount, on_order=amount, reserved=amount, mean=amount, sd=st.floats(0, 500),
       lead=st.floats(0, 180), level=st.floats(0.5, 0.999), moq=st.floats(0, 500), pack=st.integers(1, 48))
def test_proposal_never_advises_a_negative_or_short_order(on_hand, on_order, reserved, mean, sd, lead, level, moq, pack):
    row = position(on_hand=on_hand, on_order=on_order, reserved=reserved, mean_demand=mean, sd_demand=sd,
                   lead_time_days=lead, service_level=level, moq=moq, pack_size=float(pack))
    r = replenishment_proposal(row, "2026-11-30").orders.iloc[0]
    assert r.proposed_qty >= 0 and r.safety_stock >= 0
    assert r.proposed_qty / pack == pytest.approx(round(r.proposed_qty / pack))
    if r.proposed_qty > 0:
        assert r.proposed_qty >= moq - 1e-9
        assert r.available + r.proposed_qty >= r.order_up_to - 1e-6
    else:
        assert r.replenishment_reason == "no_order_needed"
        assert r.available > r.reorder_point or r.order_up_to - r.available <= 1e-9 * pack


# ---- review rules of the ABC-XYZ policy ------------------------------------------------------

def test_make_to_order_items_keep_no_stock_and_order_nothing_without_customer_demand():
    orders = replenishment_proposal(position(on_hand=0.0, review_rule="make_to_order"), "2026-11-30").orders
    row = orders.iloc[0]
    assert (row.safety_stock, row.reorder_point, row.order_up_to, row.proposed_qty) == (0, 0, 0, 0)
    assert row.replenishment_reason == "make_to_order" and row.review_rule == "make_to_order"
    assert not row.auto_order and pd.isna(row.expected_arrival)


def test_make_to_order_items_order_just_the_reserved_demand_stock_cannot_cover_in_whole_packs():
    orders = replenishment_proposal(position(on_hand=10.0, on_order=5.0, reserved=40.0, pack_size=10.0,
                                             review_rule="make_to_order"), "2026-11-30").orders
    row = orders.iloc[0]
    assert row.available == -25 and row.proposed_qty == 30 and row.order_value == 240
    assert row.replenishment_reason == "make_to_order" and row.auto_order


def test_manual_review_items_get_the_computed_proposal_but_are_not_ordered_automatically():
    plain = replenishment_proposal(position(on_hand=200.0), "2026-11-30").orders.iloc[0]
    review = replenishment_proposal(position(on_hand=200.0, review_rule="manual_review"), "2026-11-30").orders.iloc[0]
    assert review.proposed_qty == plain.proposed_qty > 0 and review.reorder_point == plain.reorder_point
    assert review.replenishment_reason == "manual_review" and not review.auto_order
    assert plain.replenishment_reason == "below_reorder_point" and plain.auto_order


def test_manual_review_items_with_enough_stock_say_no_order_is_needed():
    orders = replenishment_proposal(position(on_hand=500.0, review_rule="manual_review"), "2026-11-30").orders
    assert orders.replenishment_reason.tolist() == ["no_order_needed"] and orders.review_rule.tolist() == ["manual_review"]


def test_continuous_review_rules_order_up_to_reorder_point_plus_eoq_as_before():
    plain = replenishment_proposal(position(on_hand=200.0), "2026-11-30").orders
    for rule in ("continuous_eoq", None):
        ruled = replenishment_proposal(position(on_hand=200.0, review_rule=rule), "2026-11-30").orders
        assert ruled.proposed_qty.tolist() == plain.proposed_qty.tolist()
        assert ruled.replenishment_reason.tolist() == ["below_reorder_point"]


@pytest.mark.parametrize("reason, words", [
    ("make_to_order", {"zh-Hant": "接單後採購", "zh-Hans": "接单后采购", "en": "Bought to order"}),
    ("manual_review", {"zh-Hant": "待人工審核", "zh-Hans": "待人工审核", "en": "For manual review"}),
])
def test_review_rule_reasons_read_as_sentences_in_each_language(reason, words):
    from dealerxl.jobs.replenish import reason_text

    overrides = {"on_hand": 10.0, "reserved": 40.0} if reason == "make_to_order" else {"on_hand": 200.0}
    orders = replenishment_proposal(position(review_rule=reason, **overrides), "2026-11-30").orders
    assert orders.replenishment_reason.tolist() == [reason]
    for lang, start in words.items():
        text = reason_text(orders, lang).iloc[0]
        assert text.startswith(start) and "{" not in text
        assert f"{orders.proposed_qty.iloc[0]:,.0f}" in text


# ---- periodic review: protection over review period + lead time ------------------------------

def test_periodic_order_up_to_protects_over_review_period_plus_lead_time_and_orders_up_to_s():
    # (R, S), Silver, Pyke & Thomas ch. 6: S = d·(R + L) + z·σd·sqrt(R + L); R = 1, L = 2 months.
    row = replenishment_proposal(position(on_hand=200.0, review_rule="periodic_order_up_to",
                                          review_period_days=MONTH_DAYS), "2026-11-30").orders.iloc[0]
    expected = 300 + reorder_point(0, 20, 3 * MONTH_DAYS, 0.95)
    assert row.order_up_to == pytest.approx(float(expected)) and row.reorder_point == row.order_up_to
    assert row.safety_stock == pytest.approx(1.6448536 * 20 * np.sqrt(3), rel=1e-6)
    assert row.proposed_qty == np.ceil(row.order_up_to - 200.0) and row.review_period_days == pytest.approx(MONTH_DAYS)


def test_periodic_order_up_to_orders_at_every_review_while_the_position_is_below_s():
    # Between the continuous reorder point (≈ 246.5) and S (≈ 357) the (R, S) item orders,
    # the continuously reviewed one does not.
    periodic = replenishment_proposal(position(on_hand=300.0, review_rule="periodic_order_up_to",
                                               review_period_days=MONTH_DAYS), "2026-11-30").orders.iloc[0]
    plain = replenishment_proposal(position(on_hand=300.0), "2026-11-30").orders.iloc[0]
    assert periodic.proposed_qty > 0 and plain.proposed_qty == 0


def test_min_max_with_a_review_period_sets_s_over_review_plus_lead_time_and_orders_up_to_s_plus_q():
    row = replenishment_proposal(position(on_hand=200.0, review_rule="min_max", review_period_days=14),
                                 "2026-11-30").orders.iloc[0]
    protection = 2 * MONTH_DAYS + 14
    assert row.reorder_point == pytest.approx(float(reorder_point(100, 20, protection, 0.95)))
    assert row.order_up_to == pytest.approx(row.reorder_point + row.eoq)


def test_a_review_period_alone_makes_any_rule_protect_over_review_plus_lead_time():
    continuous = replenishment_proposal(position(review_rule="continuous_eoq"), "2026-11-30").orders.iloc[0]
    reviewed = replenishment_proposal(position(review_rule="continuous_eoq", review_period_days=7),
                                      "2026-11-30").orders.iloc[0]
    assert continuous.review_period_days == 0
    assert reviewed.reorder_point == pytest.approx(float(reorder_point(100, 20, 2 * MONTH_DAYS + 7, 0.95)))


def test_a_periodic_rule_without_a_review_period_is_reviewed_once_per_demand_period():
    row = replenishment_proposal(position(review_rule="min_max"), "2026-11-30", period_days=7).orders.iloc[0]
    assert row.review_period_days == 7


def test_make_to_order_ignores_the_review_period():
    row = replenishment_proposal(position(on_hand=0.0, review_rule="make_to_order", review_period_days=30),
                                 "2026-11-30").orders.iloc[0]
    assert (row.safety_stock, row.reorder_point, row.order_up_to, row.review_period_days) == (0, 0, 0, 0)


def test_a_negative_review_period_is_refused_with_the_item_named():
    with pytest.raises(CalcError, match=r"review_period_days in row 1 \(P1\) is negative"):
        replenishment_proposal(position(review_rule="min_max", review_period_days=-7), "2026-11-30")


def test_fill_rate_target_of_an_order_up_to_item_uses_a_review_s_demand_as_the_cycle_quantity():
    from dealerxl.calc.inventory import safety_stock_fill_rate

    row = replenishment_proposal(position(review_rule="periodic_order_up_to", review_period_days=MONTH_DAYS,
                                          fill_rate=0.98), "2026-11-30").orders.iloc[0]
    expected = safety_stock_fill_rate(100, 20, 3 * MONTH_DAYS, 0.98, 100)
    assert row.safety_stock == pytest.approx(float(expected))
