"""Sample data of chapters 5 (inventory, supply chain) and 8 (risk, receivables) fits the
declared forms, is deterministic and behaves like a real department's data."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dealerxl.calc import receivables
from dealerxl.forms import DEFAULT_ROWS, ENUMS, FORMS, SETTINGS
from dealerxl.sample import SIZES, SampleContext, generate
from dealerxl.sample import ch01, ch05, ch05_stock, ch08
from support.declared import frame_problems as problems

OUR_FORMS = [form for form in FORMS.values() if form.chapter in (5, 8)]
SAMPLED = [form for form in OUR_FORMS if form.kind != "output"]
END = pd.Timestamp("2026-10-31")


@pytest.fixture(scope="module")
def small():
    return generate("small")


@pytest.fixture(scope="module")
def large():
    return generate("large")


def context(size="small", seed=1, end="2026-10"):
    return SampleContext(SIZES[size], pd.Period(end, "M"), np.random.default_rng(seed))


@pytest.mark.parametrize("form", SAMPLED, ids=lambda f: f.id)
def test_small_sample_fits_the_form(small, form):
    assert problems(form, small[form.id]) == []


@pytest.mark.parametrize("form", SAMPLED, ids=lambda f: f.id)
def test_large_sample_fits_the_form(large, form):
    assert problems(form, large[form.id]) == []


def test_tables_the_jobs_write_are_left_to_the_jobs(small):
    outputs = {form.id for form in OUR_FORMS if form.kind == "output"}
    assert outputs == {"replenishment_proposal", "dealer_risk_review"}
    assert not outputs & set(small)


def test_large_sample_has_the_benchmark_sizes(large):
    assert len(large["item_master"]) == 5_000
    assert large["receivables"]["dealer_id"].nunique() > 0.9 * SIZES["large"].dealers
    assert large["demand_history"].groupby(["sku", "location"]).ngroups == len(large["stock_ledger"])


def test_same_seed_gives_the_same_data(small):
    again = generate("small")
    for form in SAMPLED:
        pd.testing.assert_frame_equal(small[form.id], again[form.id])


def test_another_seed_gives_other_data(small):
    other = generate("small", seed=7)
    for form_id in ("item_master", "demand_history", "receivables", "warning_log"):
        assert not small[form_id].equals(other[form_id]), form_id


def test_end_month_moves_the_data():
    frames = generate("small", end="2025-03")
    assert frames["demand_history"]["month"].max() == pd.Timestamp("2025-03-01")
    assert frames["receivables"]["invoice_date"].max() < pd.Timestamp("2025-04-01")
    assert frames["shipments"]["ship_date"].max() < pd.Timestamp("2025-04-01")


def test_settings_tables_carry_the_default_rows(small):
    for form_id in ("abc_xyz_policy", "ageing_buckets", "provision_matrix", "warning_rules", "supplier_score_weights"):
        expected = pd.DataFrame(DEFAULT_ROWS[form_id])
        assert small[form_id].astype(object).where(small[form_id].notna(), None).to_dict("records") == \
            expected.astype(object).where(expected.notna(), None).to_dict("records"), form_id


# ---- chapter 5 -------------------------------------------------------------------------------

def test_everything_refers_to_declared_items_warehouses_and_suppliers(small):
    skus = set(small["item_master"]["sku"])
    locations = set(small["warehouses"]["location"])
    suppliers = set(small["suppliers"]["supplier_id"])
    for form_id in ("stock_ledger", "demand_history", "supplier_deliveries"):
        assert set(small[form_id]["sku"]) <= skus, form_id
        assert set(small[form_id]["location"]) <= locations, form_id
    assert set(small["shipments"]["location"]) <= locations
    assert set(small["item_master"]["supplier_id"]) <= suppliers
    assert set(small["supplier_deliveries"]["supplier_id"]) <= suppliers
    assert set(small["item_master"]["substitute_sku"].dropna()) <= skus
    assert set(small["dealer_stock"]["product_group"]) <= set(small["item_master"]["product_group"])


def test_items_are_bought_from_makers_and_shipped_by_carriers(small):
    category = small["suppliers"].set_index("supplier_id")["supplier_category"]
    assert (small["item_master"]["supplier_id"].map(category) != "logistics").all()
    assert (small["shipments"]["carrier"].map(category) == "logistics").all()


def test_items_cost_less_than_their_list_price_and_order_in_whole_packs(large):
    items = large["item_master"]
    assert (items["unit_cost"] < items["list_price"]).all()
    assert (items["moq"] % items["pack_size"] == 0).all()
    orders = large["supplier_deliveries"].merge(items[["sku", "pack_size", "moq"]], on="sku")
    assert (orders["ordered_qty"] % orders["pack_size"] == 0).all()
    assert (orders["ordered_qty"] >= orders["moq"]).all()


def test_some_items_lack_optional_parameters_so_the_job_can_list_them(large):
    items = large["item_master"]
    for column in ("lead_time_sd_days", "order_cost", "holding_cost_rate"):
        assert items[column].isna().any() and items[column].notna().mean() > 0.8, column


def test_on_order_in_the_ledger_is_the_open_purchase_orders(small):
    deliveries = small["supplier_deliveries"]
    open_orders = deliveries[deliveries["delivered_date"].isna()].groupby(["sku", "location"])["ordered_qty"].sum()
    ledger = small["stock_ledger"].set_index(["sku", "location"])["on_order"]
    assert np.allclose(open_orders.reindex(ledger.index).fillna(0).to_numpy(), ledger.to_numpy())
    assert (ledger > 0).any()


def test_reserved_stock_never_exceeds_stock_on_hand(large):
    ledger = large["stock_ledger"]
    assert (ledger["reserved"] <= ledger["on_hand"]).all()


def test_open_purchase_orders_carry_no_delivery_figures(small):
    deliveries = small["supplier_deliveries"]
    still_open = deliveries["delivered_date"].isna()
    assert still_open.any() and (~still_open).any()
    assert deliveries.loc[still_open, ["delivered_qty", "rejected_qty", "actual_price"]].isna().all().all()
    assert deliveries.loc[~still_open, ["delivered_qty", "rejected_qty", "actual_price"]].notna().all().all()
    assert (deliveries["delivered_date"].dropna() <= END).all()


def test_suppliers_differ_in_punctuality(large):
    deliveries = large["supplier_deliveries"].dropna(subset=["delivered_date"])
    late_days = (deliveries["delivered_date"] - deliveries["promised_date"]).dt.days
    on_time = (late_days <= SETTINGS["on_time_tolerance_days"].default).groupby(deliveries["supplier_id"]).mean()
    assert on_time.min() < 0.8 < on_time.max()
    assert (deliveries["rejected_qty"] > 0).any() and (deliveries["delivered_qty"] < deliveries["ordered_qty"]).any()


def test_demand_history_runs_every_month_from_launch_to_the_last(small):
    demand = small["demand_history"]
    launch = demand["sku"].map(small["item_master"].set_index("sku")["launch_date"])
    assert (demand["month"] >= launch.dt.to_period("M").dt.to_timestamp()).all()
    assert (demand["month"].dt.day == 1).all() and demand["month"].max() == pd.Timestamp("2026-10-01")
    span = demand.groupby(["sku", "location"])["month"].agg(["min", "max", "size"])
    months = (span["max"].dt.year - span["min"].dt.year) * 12 + span["max"].dt.month - span["min"].dt.month + 1
    assert (months == span["size"]).all()
    assert (span["max"] == pd.Timestamp("2026-10-01")).all()


def test_demand_has_steady_erratic_intermittent_and_stopped_items(large):
    demand = large["demand_history"]
    monthly = demand.groupby(["sku", "month"])["quantity"].sum().unstack().iloc[:, -12:]
    cv = monthly.std(axis=1) / monthly.mean(axis=1)
    assert (cv < 0.5).mean() > 0.1 and (cv > 1.0).mean() > 0.05
    zero_share = (monthly == 0).mean(axis=1)
    assert ((zero_share > 0.3) & (zero_share < 1)).any()
    assert (demand["unfulfilled_qty"] > 0).any()


def test_stock_has_outages_and_slow_movers(large):
    ledger = large["stock_ledger"]
    assert (ledger["on_hand"] == 0).any()
    idle = (END - ledger["last_issue_date"]).dt.days > 30 * SETTINGS["slow_moving_months"].default
    assert (idle & (ledger["on_hand"] > 0)).any()
    assert ledger["last_issue_date"].dropna().max() <= END


def test_some_dealers_build_up_stock(large):
    reports = large["dealer_stock"]
    last = reports["month"] == reports["month"].max()
    monthly_sell_out = reports.groupby(["dealer_id", "product_group"])["sell_out_qty"].transform("mean")
    cover = reports["dealer_stock_qty"] / monthly_sell_out
    build_up = pd.DataFrame(DEFAULT_ROWS["warning_rules"]).set_index("warning_rule").loc["stock_build_up"]
    assert (cover[last] > build_up["red_threshold"]).any()
    assert (cover[last] < build_up["amber_threshold"]).mean() > 0.7


def test_shipment_status_matches_its_dates(small):
    shipments = small["shipments"]
    delivered = shipments["shipment_status"] == "delivered"
    assert (shipments["delivered_date"].notna() == delivered).all()
    assert (shipments["ship_date"] <= END).all()
    ctx = context()
    ctx.frames.update(small)
    region = shipments["dealer_id"].map(ch01.dealers(ctx).set_index("dealer_id")["region"])
    assert (region == shipments["region"]).all()
    late = shipments["delivered_date"] > shipments["promised_date"]
    assert late.any() and (~late).any()


# ---- chapter 8 -------------------------------------------------------------------------------

def test_receivables_are_due_after_the_dealers_payment_terms(small):
    ledger = small["receivables"]
    terms = (ledger["due_date"] - ledger["invoice_date"]).dt.days
    if "dealer_master" in small:
        expected = ledger["dealer_id"].map(small["dealer_master"].set_index("dealer_id")["payment_terms_days"])
        assert (terms == expected.fillna(30)).all()
    else:
        assert set(terms) == {30, 45, 60}
    assert (terms.groupby(ledger["dealer_id"]).nunique() == 1).all()


def test_paid_invoices_have_a_payment_date_and_unpaid_ones_none(large):
    ledger = large["receivables"]
    assert (ledger["paid_date"].notna() == (ledger["paid_amount"] > 0)).all()
    assert (ledger["paid_date"].dropna() <= END).all()
    partly = (ledger["paid_amount"] > 0) & (ledger["paid_amount"] < ledger["amount"])
    assert partly.any()


def test_most_dealers_pay_on_time_and_some_are_chronically_late(large):
    ledger = large["receivables"].dropna(subset=["paid_date"])
    ledger = ledger[ledger["paid_amount"] == ledger["amount"]]
    days_late = (ledger["paid_date"] - ledger["due_date"]).dt.days.groupby(ledger["dealer_id"]).mean()
    assert (days_late <= 5).mean() > 0.5
    assert ((days_late > 40).mean() > 0.05) and (days_late > 40).mean() < 0.25


def test_write_offs_close_open_invoices_of_their_dealer(small, large):
    for frames in (small, large):
        ledger = frames["receivables"].set_index("invoice_no")
        write_offs = frames["write_offs"]
        assert len(write_offs) > 0
        assert (write_offs["dealer_id"] == ledger.loc[write_offs["invoice_no"], "dealer_id"].to_numpy()).all()
        still_open = (ledger["amount"] - ledger["paid_amount"]).loc[write_offs["invoice_no"]].to_numpy()
        assert np.allclose(write_offs["write_off_amount"].to_numpy(), still_open)
        assert (write_offs["write_off_date"] > ledger.loc[write_offs["invoice_no"], "due_date"].to_numpy()).all()
        assert (write_offs["write_off_date"] <= END).all()
        assert (write_offs["recovered_amount"].notna() == write_offs["recovery_date"].notna()).all()


def test_some_write_offs_are_recovered_in_part(large):
    recovered = large["write_offs"].dropna(subset=["recovered_amount"])
    assert len(recovered) > 0
    assert (recovered["recovered_amount"] < recovered["write_off_amount"]).all()


def test_ageing_history_rebuilds_the_ledger_month_by_month(small):
    history = small["ageing_history"]
    assert history["month"].nunique() == SIZES["small"].months
    assert (history.groupby("month").size() == len(ENUMS["ageing_bucket"].codes)).all()
    ledger = small["receivables"]
    written_off = ledger["invoice_no"].isin(small["write_offs"]["invoice_no"])
    open_now = (ledger["amount"] - ledger["paid_amount"])[~written_off].sum()
    last = history[history["month"] == history["month"].max()]
    assert last["balance"].sum() == pytest.approx(open_now, abs=len(ENUMS["ageing_bucket"].codes))
    assert history["write_off_amount"].sum() == pytest.approx(small["write_offs"]["write_off_amount"].sum(), abs=1)


def test_ageing_history_is_the_ledger_aged_at_each_month_end(small):
    ledger, written = small["receivables"], small["write_offs"].set_index("invoice_no")
    history = small["ageing_history"]
    ends = pd.DatetimeIndex(sorted(history["month"].unique())[-6:]) + pd.offsets.MonthEnd(0)
    open_, bucket = receivables.month_end_positions(
        ledger["invoice_date"], ledger["due_date"], ledger["amount"], ledger["paid_amount"], ledger["paid_date"],
        ledger["invoice_no"].map(written["write_off_amount"]), ledger["invoice_no"].map(written["write_off_date"]),
        ends)
    codes = list(ENUMS["ageing_bucket"].codes)
    for column, end in enumerate(ends):
        rebuilt = np.bincount(bucket[:, column], weights=open_[:, column], minlength=len(codes))
        recorded = history[history["month"] == end.replace(day=1)].set_index("ageing_bucket")["balance"]
        assert recorded.reindex(codes).to_numpy() == pytest.approx(rebuilt, abs=1)


def test_open_orders_are_recent_and_dealers_far_past_due_are_on_hold(small):
    orders = small["open_orders"]
    assert (orders["order_date"] <= END).all() and (orders["order_date"] > END - pd.Timedelta(days=40)).all()
    assert (orders.loc[orders["order_status"] == "partially_shipped", "shipped_amount"] > 0).all()
    assert (orders.loc[orders["order_status"] == "open", "shipped_amount"] == 0).all()
    ledger = small["receivables"]
    still_open = ledger[ledger["paid_amount"] < ledger["amount"]]
    oldest = (END - still_open.groupby("dealer_id")["due_date"].min()).dt.days
    held = orders.loc[orders["order_status"] == "on_hold", "dealer_id"]
    assert (held.map(oldest) > 90).all()


def test_rule_warnings_record_the_value_and_the_threshold_it_crossed(small):
    log = small["warning_log"]
    rules = pd.DataFrame(DEFAULT_ROWS["warning_rules"]).set_index("warning_rule")
    by_rule = log[log["warning_source"] == "rule_engine"]
    assert len(by_rule) > 0 and by_rule["warning_rule"].notna().all()
    assert (by_rule["metric_value"] >= by_rule["threshold"]).all()
    red = by_rule["warning_level"] == "red"
    assert (by_rule.loc[red, "threshold"] == by_rule.loc[red, "warning_rule"].map(rules["red_threshold"])).all()
    assert (by_rule.loc[~red, "threshold"] == by_rule.loc[~red, "warning_rule"].map(rules["amber_threshold"])).all()
    by_hand = log[log["warning_source"] != "rule_engine"]
    assert len(by_hand) > 0 and by_hand["description"].notna().all() and by_hand["warning_rule"].isna().all()
    assert (log["warning_date"] <= END).all()


def test_response_actions_follow_their_warning(small):
    log = small["warning_log"].set_index("warning_id")
    actions = small["response_actions"]
    assert set(actions["warning_id"]) <= set(log.index)
    assert (actions["dealer_id"] == log.loc[actions["warning_id"], "dealer_id"].to_numpy()).all()
    assert (actions["action_date"] >= log.loc[actions["warning_id"], "warning_date"].to_numpy()).all()
    done = actions["status"] == "done"
    assert (actions["done_date"].notna() == done).all() and (actions["outcome"].notna() == done).all()
    assert (actions["done_date"].dropna() <= END).all()
    assert set(actions["owner"]) <= set(small["team_roster"]["staff_id"])


def test_warning_status_follows_the_actions(small):
    log = small["warning_log"]
    actions = small["response_actions"]
    answered = log["warning_id"].isin(actions["warning_id"])
    assert (log.loc[~answered, "warning_status"] == "open").all()
    assert (log.loc[answered, "warning_status"] != "open").all()


def test_some_old_warnings_still_wait_for_an_action(large):
    log = large["warning_log"]
    waiting = ~log["warning_id"].isin(large["response_actions"]["warning_id"])
    old = (END - log["warning_date"]).dt.days > SETTINGS["warning_action_days"].default
    assert (waiting & old).any() and (~waiting).mean() > 0.5


# ---- without the other chapters' data ---------------------------------------------------------

def test_receivables_are_the_sales_invoices_when_there_are_any():
    ctx = context()
    ctx.frames["dealer_master"] = pd.DataFrame({
        "dealer_id": ["X1", "X2"], "region": ["north", "south"], "status": ["active", "active"],
        "credit_limit": [500_000.0, 800_000.0], "payment_terms_days": [30, 60]})
    ctx.frames["sales_transactions"] = pd.DataFrame({
        "invoice_no": ["I1", "I1", "I2", "I3"],
        "invoice_date": pd.to_datetime(["2026-09-03", "2026-09-03", "2026-10-05", "2026-10-06"]),
        "dealer_id": ["X1", "X1", "X2", "X2"],
        "sku": ["A", "B", "A", "A"], "quantity": [2, 1, 3, -1], "unit_price": [100.0, 50.0, 100.0, 100.0],
        "amount": [200.0, 50.0, 300.0, -100.0]})
    ledger = ch08.generate(ctx)["receivables"].set_index("invoice_no")
    assert list(ledger.index) == ["I1", "I2"]  # I3 is a credit note for a return
    assert ledger.loc["I1", "amount"] == 250.0 and ledger.loc["I2", "dealer_id"] == "X2"
    assert (ledger["due_date"] - ledger["invoice_date"]).dt.days.tolist() == [30, 60]
    assert problems(FORMS["receivables"], ledger.reset_index()) == []


def test_both_chapters_work_from_stand_in_dealers_without_a_dealer_master():
    # Without sales either: the stock movements draw their own sales lines from the demand plan.
    ctx = context()
    frames = ch05.generate(ctx)
    ctx.frames.update(frames)
    frames.update(ch05_stock.generate(ctx))
    ctx.frames.update(frames)
    frames.update(ch08.generate(ctx))
    stand_in = set(ch01.dealers(ctx)["dealer_id"])
    for form_id in ("shipments", "dealer_stock", "receivables", "warning_log", "open_orders", "write_offs"):
        assert set(frames[form_id]["dealer_id"]) <= stand_in, form_id
    for form in SAMPLED:
        assert problems(form, frames[form.id]) == [], form.id


def test_later_chapters_take_their_items_from_the_item_master():
    ctx = context()
    ctx.frames.update(ch05.generate(ctx))
    assert ch01.skus(ctx)["sku"].tolist() == ctx.frames["item_master"]["sku"].tolist()
