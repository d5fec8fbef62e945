"""Sample data of chapters 3 (channel expansion) and 4 (sales) fits the declared forms, is
deterministic and behaves like a real department's data: seasonal, growing sales with
returns and price rises, contracts back to back, stock reports that add up."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dealerxl.forms import FORMS
from dealerxl.sample import SIZES, SampleContext, generate
from dealerxl.sample import ch01, ch03, ch04
from dealerxl.sample.ch05 import SEASON
from support.declared import frame_problems as problems

OUR_FORMS = [form for form in FORMS.values() if form.chapter in (3, 4)]
SAMPLED = [form for form in OUR_FORMS if form.kind != "output"]
END = pd.Timestamp("2026-10-31")


@pytest.fixture(scope="module")
def small():
    return generate("small")


@pytest.fixture(scope="module")
def large():
    return generate("large")


def context(size: str = "small", seed: int = 7) -> SampleContext:
    return SampleContext(SIZES[size], pd.Period("2026-10", freq="M"), np.random.default_rng(seed))


# ---- fits the declarations --------------------------------------------------------------------

@pytest.mark.parametrize("form", SAMPLED, ids=lambda f: f.id)
def test_small_sample_fits_every_declared_form(small, form):
    assert problems(form, small[form.id]) == []


@pytest.mark.parametrize("form", SAMPLED, ids=lambda f: f.id)
def test_large_sample_fits_every_declared_form(large, form):
    assert problems(form, large[form.id]) == []


def test_large_sample_has_the_benchmark_sizes(large):
    assert len(large["dealer_master"]) == 2_000
    assert len(large["sales_transactions"]) == 500_000


def test_small_sample_has_exactly_the_transactions_of_its_size(small):
    assert len(small["sales_transactions"]) == SIZES["small"].transactions
    assert len(small["dealer_master"]) == SIZES["small"].dealers


def test_same_seed_gives_the_same_frames_and_another_seed_other_ones(small):
    again = generate("small")
    for form in SAMPLED:
        pd.testing.assert_frame_equal(small[form.id], again[form.id])
    other = generate("small", seed=1)
    assert not other["sales_transactions"].equals(small["sales_transactions"])
    assert not other["dealer_master"].equals(small["dealer_master"])


# ---- dealers, contracts, prospects ------------------------------------------------------------

def test_dealers_span_regions_channels_tiers_and_statuses(small):
    master = small["dealer_master"]
    assert master["region"].nunique() >= 4
    assert master["channel_type"].nunique() >= 3
    assert set(master["status"]) >= {"active", "terminated", "prospect"}
    assert (master["credit_limit"] > 0).all()
    terminated = master["status"] == "terminated"
    assert master.loc[terminated, "termination_date"].notna().all()
    assert master.loc[~terminated, "termination_date"].isna().all()


def test_sales_reps_and_staff_come_from_the_roster(small):
    roster = set(small["team_roster"]["staff_id"])
    assert set(small["dealer_master"]["sales_rep_id"]) <= roster
    assert set(small["sales_transactions"]["sales_rep_id"]) <= roster
    assert set(small["dealer_support_log"]["staff_id"]) <= roster


def test_contracts_run_back_to_back_and_the_latest_covers_today(large):
    contracts = large["dealer_contracts"].sort_values(["dealer_id", "start_date"])
    same_dealer = contracts["dealer_id"].eq(contracts["dealer_id"].shift())
    gap = (contracts["start_date"] - contracts["end_date"].shift()).dt.days
    assert (gap[same_dealer] == 1).all()
    master = large["dealer_master"].set_index("dealer_id")
    latest = contracts.groupby("dealer_id").last()
    trading = master.index[master["status"].isin(["active", "suspended"])]
    assert (latest.loc[trading, "end_date"] >= END - pd.Timedelta(days=31)).mean() > 0.99
    assert (latest.loc[master.index[master["status"] == "terminated"], "renewal_status"] == "terminated").all()
    assert set(contracts["renewal_status"]) >= {"renewed", "not_due", "under_review"}


def test_every_contract_belongs_to_a_dealer_and_its_predecessor_precedes_it(small):
    contracts = small["dealer_contracts"]
    assert set(contracts["dealer_id"]) <= set(small["dealer_master"]["dealer_id"])
    known = contracts.set_index("contract_id")
    follow = contracts[contracts["previous_contract_id"].isin(known.index)]
    before = known.loc[follow["previous_contract_id"], "end_date"].to_numpy()
    assert (before < follow["start_date"].to_numpy()).all()


def test_dealers_who_joined_lately_came_through_the_prospect_pipeline(small):
    master = small["dealer_master"]
    prospects = small["dealer_prospects"].set_index("prospect_id")
    recruited = master[master["prospect_id"].notna()]
    assert len(recruited) > 0
    assert (prospects.loc[recruited["prospect_id"], "prospect_stage"] == "signed").all()
    assert (prospects.loc[recruited["prospect_id"], "dealer_id"].to_numpy() == recruited["dealer_id"].to_numpy()).all()
    scores = small["prospect_scores"]
    assert set(scores["prospect_id"]) <= set(prospects.index)
    signed = scores["prospect_id"].map(prospects["prospect_stage"]) == "signed"
    assert scores.loc[signed, "criterion_value"].mean() > scores.loc[~signed, "criterion_value"].mean()


def test_market_research_share_and_coverage_are_plausible(small):
    research = small["market_research"]
    share = research["our_sales"] / research["market_size"]
    assert share.between(0, 0.5).all()
    assert (research["outlets_covered"] <= research["outlets_total"]).all()


# ---- sales transactions ------------------------------------------------------------------------

def test_transactions_cover_at_least_24_months_ending_with_the_last_month(small):
    months = small["sales_transactions"]["invoice_date"].dt.to_period("M")
    assert months.max() == pd.Period("2026-10", "M")
    assert months.nunique() >= 24


def test_amount_is_quantity_times_price_less_discount(small):
    sales = small["sales_transactions"]
    expected = (sales["quantity"] * sales["unit_price"] * (1 - sales["discount_rate"])).round(2)
    assert np.allclose(sales["amount"], expected)


def test_invoice_lines_are_numbered_from_one_without_gaps(small):
    lines = small["sales_transactions"].groupby("invoice_no")["line_no"].agg(["min", "max", "count"])
    assert (lines["min"] == 1).all() and (lines["max"] == lines["count"]).all()
    assert small["sales_transactions"].groupby("invoice_no")["dealer_id"].nunique().max() == 1


def test_returns_are_negative_and_point_at_an_earlier_sale_of_the_same_goods(large):
    sales = large["sales_transactions"]
    returns = sales[sales["transaction_type"] == "return"]
    sold = sales[sales["transaction_type"] == "sale"]
    assert 0.01 < len(returns) / len(sales) < 0.05
    assert (returns["quantity"] < 0).all() and (sold["quantity"] > 0).all()
    assert sold["original_invoice_no"].isna().all() and returns["original_invoice_no"].notna().all()
    original = sold.drop_duplicates(["invoice_no", "sku"]).set_index(["invoice_no", "sku"])
    matched = original.reindex(pd.MultiIndex.from_frame(returns[["original_invoice_no", "sku"]]))
    assert matched["dealer_id"].notna().all()
    assert (matched["dealer_id"].to_numpy() == returns["dealer_id"].to_numpy()).all()
    assert (matched["invoice_date"].to_numpy() < returns["invoice_date"].to_numpy()).all()
    # An item may sit on several lines of one invoice: compare totals per invoice and item.
    returned = -returns.groupby(["original_invoice_no", "sku"])["quantity"].sum()
    bought = sold.groupby(["invoice_no", "sku"])["quantity"].sum()
    assert (returned.to_numpy() <= bought.reindex(returned.index).to_numpy()).all()


def test_sales_are_seasonal_and_growing(large):
    sales = large["sales_transactions"]
    by_month = sales.groupby(sales["invoice_date"].dt.to_period("M"))["amount"].sum()
    calendar = by_month.groupby(by_month.index.month).mean()
    peak, low = np.argmax(SEASON) + 1, np.argmin(SEASON) + 1
    assert calendar[peak] > 1.2 * calendar[low]
    assert by_month.iloc[-12:].sum() > by_month.iloc[-24:-12].sum()


def test_list_prices_rise_over_the_years(large):
    sales = large["sales_transactions"]
    sold = sales[sales["transaction_type"] == "sale"]
    yearly = sold.groupby(["sku", sold["invoice_date"].dt.year])["unit_price"].median().unstack()
    first, last = yearly.columns.min(), yearly.columns.max()
    both = yearly[[first, last]].dropna()
    assert (both[last] >= both[first]).all()
    assert (both[last] > both[first]).mean() > 0.3


def test_dealers_only_buy_while_they_trade(large):
    sales = large["sales_transactions"]
    master = large["dealer_master"].set_index("dealer_id")
    assert set(sales["dealer_id"]) <= set(master.index[master["status"] != "prospect"])
    joined = sales["dealer_id"].map(master["join_date"])
    left = sales["dealer_id"].map(master["termination_date"]).fillna(END)
    sold = sales["transaction_type"] == "sale"
    assert (sales.loc[sold, "invoice_date"] >= joined[sold]).all()
    assert (sales.loc[sold, "invoice_date"] <= left[sold]).all()


def test_items_sold_are_those_of_the_item_master(small):
    assert set(small["sales_transactions"]["sku"]) <= set(small["item_master"]["sku"])


# ---- dealers' monthly reports, targets, incentives ----------------------------------------------

def test_dealer_monthly_stock_adds_up_and_carries_over(small):
    report = small["dealer_monthly"].sort_values(["dealer_id", "sku", "month"])
    balance = (report["opening_stock_qty"] + report["received_qty"] - report["sell_out_qty"]
               - report["returned_qty"] - report["dealer_stock_qty"])
    assert (balance == 0).all()
    same = report["dealer_id"].eq(report["dealer_id"].shift()) & report["sku"].eq(report["sku"].shift())
    assert (report["opening_stock_qty"][same].to_numpy() == report["dealer_stock_qty"].shift()[same].to_numpy()).all()
    assert report["month"].max() == pd.Timestamp("2026-10-01")


def test_dealer_monthly_receipts_are_the_sales_to_the_dealer(small):
    report = small["dealer_monthly"]
    sales = small["sales_transactions"]
    sold = sales[sales["quantity"] > 0]
    month = sold["invoice_date"].dt.to_period("M").dt.to_timestamp()
    shipped = sold.groupby(["dealer_id", "sku", month])["quantity"].sum()
    reported = report.set_index(["dealer_id", "sku", "month"])["received_qty"]
    assert np.allclose(reported.reindex(shipped.index[shipped.index.get_level_values(2) >= report["month"].min()]),
                       shipped[shipped.index.get_level_values(2) >= report["month"].min()])


def test_company_target_is_the_sum_of_the_regions(small):
    targets = small["annual_targets"]
    company = targets[targets["target_scope"] == "company"].set_index("year")["target_amount"]
    regions = targets[targets["target_scope"] != "company"].groupby("year")["target_amount"].sum()
    pd.testing.assert_series_equal(company, regions, check_names=False, check_index_type=False)


def test_targets_stay_near_last_years_actual_and_grow_on_the_whole(large):
    # Targets follow what the regions then sold (see test_sample_consistency), which grows
    # by the dealers' growth and newcomers: near last year's actual, higher on the whole.
    targets = large["annual_targets"].dropna(subset=["prior_year_actual"])
    assert len(targets) > 0
    growth = targets["target_amount"] / targets["prior_year_actual"] - 1
    assert growth.between(-0.1, 0.3).all()
    assert growth.mean() > 0.02


def test_allocation_inputs_cover_the_trading_dealers_with_sane_bounds(small):
    inputs = small["target_inputs"]
    assert set(inputs["dealer_id"]) <= set(small["dealer_master"]["dealer_id"])
    # The sample's second year (the first with history before it) to the year after the last month.
    assert sorted(inputs["year"].unique()) == [2025, 2026, 2027]
    bounded = inputs.dropna(subset=["target_floor", "target_ceiling"])
    assert (bounded["target_floor"] <= bounded["target_ceiling"]).all()


def test_incentive_payees_are_on_declared_plans(small):
    plans = set(small["incentive_plans"]["plan_id"])
    assignments = small["incentive_assignments"]
    assert set(assignments["plan_id"]) <= plans
    staff = set(small["team_roster"]["staff_id"]) | set(small["dealer_master"]["dealer_id"])
    assert set(assignments["payee_id"]) <= staff
    assert set(small["incentive_plan_tiers"]["plan_id"]) == plans


# ---- without the other chapters' data -----------------------------------------------------------

def test_chapters_work_without_roster_items_or_dealer_master():
    ctx = context()
    frames = ch03.generate(ctx)
    ctx.frames.update(frames)
    frames.update(ch04.generate(ctx))
    for form in SAMPLED:
        assert problems(form, frames[form.id]) == [], form.id
    ctx = context()
    sales_only = ch04.generate(ctx)
    stand_in = set(ch01.dealers(ctx)["dealer_id"])
    assert set(sales_only["sales_transactions"]["dealer_id"]) <= stand_in
    assert set(sales_only["sales_transactions"]["sku"]) <= set(ch01.skus(ctx)["sku"])
    assert len(sales_only["sales_transactions"]) == SIZES["small"].transactions
    for form in SAMPLED:
        if form.chapter == 4:
            assert problems(form, sales_only[form.id]) == [], form.id


def test_signed_prospects_were_visited_and_evaluated_before_signing(large):
    prospects = large["dealer_prospects"]
    signed = prospects[prospects["prospect_stage"] == "signed"]
    joined = signed["dealer_id"].map(large["dealer_master"].set_index("dealer_id")["join_date"])
    assert (signed["first_contact_date"] < joined).all()
    for column in ("site_visit_date", "evaluation_date"):
        known = signed[column].notna()
        assert (signed.loc[known, column] <= joined[known]).all()
