"""The sample tells one consistent story across its sheets, the way a manager reading the
monthly report would check it: targets close to what is sold, every region trading, demand
that is what was shipped plus what could not be served, and counts that reconcile between
the dealer master, the contracts, the sales and the shipments.

Every invariant is stated on the raw tables the sample writes, so it holds whatever a job
makes of them. It runs over the small sample and over the large sample's generator at a
reduced size (36 months, like the large one)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dealerxl.sample import SIZES, Size, generate

REGIONS = ("north", "central", "south", "east", "west")
# The large sample's shape (36 months) at a tenth of its dealers, lines and items.
LARGE_AT_A_TENTH = Size("large-tenth", dealers=200, months=SIZES["large"].months, transactions=50_000, skus=500,
                        staff=30)


@pytest.fixture(scope="module", params=["small", "large-tenth"])
def sample(request):
    size = "small" if request.param == "small" else LARGE_AT_A_TENTH
    return generate(size)


def months_of(frames) -> pd.PeriodIndex:
    dates = frames["sales_transactions"]["invoice_date"]
    return pd.period_range(dates.min(), dates.max(), freq="M")


def net_sales(frames) -> pd.DataFrame:
    """Sales lines with their month and the dealer's region (returns are negative already)."""
    sales = frames["sales_transactions"]
    region = sales["dealer_id"].map(frames["dealer_master"].set_index("dealer_id")["region"])
    return sales.assign(month=sales["invoice_date"].dt.to_period("M"), region=region)


def under_contract(frames, month: pd.Period) -> set:
    """Dealers with a contract running on at least one day of ``month``."""
    contracts = frames["dealer_contracts"]
    running = (contracts["start_date"] <= month.end_time) & (contracts["end_date"] >= month.start_time)
    return set(contracts.loc[running, "dealer_id"])


def signed_in(master: pd.DataFrame, month: pd.Period) -> set:
    """Dealers of the master that joined by the month's end and were not terminated before it began."""
    joined = master["join_date"] <= month.end_time
    not_ended = master["termination_date"].isna() | (master["termination_date"] >= month.start_time)
    return set(master.loc[joined & not_ended & (master["status"] != "prospect"), "dealer_id"])


# ---- every region trades ----------------------------------------------------------------------

def test_every_region_sells_in_every_month(sample):
    lines = net_sales(sample)
    by_region = lines.groupby(["month", "region"])["amount"].sum().unstack().reindex(
        index=months_of(sample), columns=list(REGIONS))
    assert (by_region.fillna(0.0) > 0).all().all(), by_region[(by_region.fillna(0.0) <= 0).any(axis=1)]


# ---- the dealer master, the contracts and the sales reconcile --------------------------------

def test_contracts_cover_exactly_the_months_the_master_says_a_dealer_was_signed(sample):
    master = sample["dealer_master"]
    for month in months_of(sample):
        assert under_contract(sample, month) == signed_in(master, month), month


def test_dealer_counts_move_only_by_joins_and_terminations(sample):
    master = sample["dealer_master"]
    months = months_of(sample)
    for before, month in zip(months[:-1], months[1:]):
        joined = set(master.loc[master["join_date"].dt.to_period("M") == month, "dealer_id"])
        ended = set(master.loc[master["termination_date"].dt.to_period("M") == before, "dealer_id"])
        assert under_contract(sample, month) == (under_contract(sample, before) - ended) | joined, month


def test_statuses_agree_with_the_dates(sample):
    master = sample["dealer_master"]
    last = months_of(sample)[-1]
    terminated = master["status"] == "terminated"
    assert (master.loc[terminated, "termination_date"] <= last.end_time).all()
    assert master.loc[~terminated, "termination_date"].isna().all()
    # A prospect has signed a contract starting after the last month: not a dealer yet.
    prospects = master[master["status"] == "prospect"]
    assert len(prospects) and (prospects["join_date"] > last.end_time).all()
    latest = sample["dealer_contracts"].sort_values("start_date").groupby("dealer_id").last()
    assert (latest.loc[prospects["dealer_id"], "start_date"].to_numpy() == prospects["join_date"].to_numpy()).all()
    ended = master[terminated].set_index("dealer_id")["termination_date"]
    assert (latest.loc[ended.index, "end_date"] == ended).all()
    assert (latest.loc[ended.index, "renewal_status"] == "terminated").all()


def test_active_dealers_trade_every_month_and_nobody_outside_their_contract(sample):
    lines = net_sales(sample)
    sold = lines[lines["transaction_type"] == "sale"]
    master = sample["dealer_master"].set_index("dealer_id")
    months = months_of(sample)
    buyers = sold.groupby("month")["dealer_id"].agg(set)
    for month in months:
        assert buyers[month] <= signed_in(sample["dealer_master"].reset_index(), month), month
    last = months[-1]
    steady = master.index[(master["status"] == "active") & (master["join_date"] < last.start_time)]
    assert set(steady) <= buyers[last]
    assert not buyers[last] & set(master.index[master["status"] == "suspended"])
    assert not set(sold["dealer_id"]) & set(master.index[master["status"] == "prospect"])


def test_templates_go_to_the_dealers_under_contract_at_the_end(sample):
    # Who receives a template today (active or suspended) is who is under contract on the last day.
    master = sample["dealer_master"]
    last_day = months_of(sample)[-1].end_time.normalize()
    contracts = sample["dealer_contracts"]
    running = set(contracts.loc[(contracts["start_date"] <= last_day) & (contracts["end_date"] >= last_day),
                                "dealer_id"])
    assert set(master.loc[master["status"].isin(["active", "suspended"]), "dealer_id"]) == running


# ---- targets close to what is sold ----------------------------------------------------------

def test_annual_targets_cover_every_year_and_the_next_adding_up(sample):
    targets = sample["annual_targets"]
    years = sorted({m.year for m in months_of(sample)}) + [months_of(sample)[-1].year + 1]
    assert sorted(targets["year"].unique()) == years
    for year in years:
        rows = targets[targets["year"] == year].set_index("target_scope")["target_amount"]
        assert set(rows.index) == {"company", *REGIONS}, year
        assert rows["company"] == pytest.approx(rows.drop("company").sum()), year


def test_complete_years_reach_85_to_110_percent_of_target_in_every_region(sample):
    lines = net_sales(sample)
    months = months_of(sample)
    complete = [y for y in {m.year for m in months} if sum(m.year == y for m in months) == 12]
    assert complete
    targets = sample["annual_targets"].set_index(["year", "target_scope"])["target_amount"]
    for year in complete:
        actual = lines[lines["month"].dt.year == year].groupby("region")["amount"].sum()
        reached = actual / targets.loc[year].reindex(actual.index)
        assert reached.between(0.85, 1.10).all(), (year, reached)
        assert actual.sum() / targets.loc[(year, "company")] == pytest.approx(1.0, abs=0.1)


def test_this_year_is_on_track_for_its_target(sample):
    # Year to date against the target's part for those months, the part taken from how last
    # year's sales spread over its months.
    lines = net_sales(sample)
    last = months_of(sample)[-1]
    targets = sample["annual_targets"].set_index(["year", "target_scope"])["target_amount"]
    this = lines[(lines["month"].dt.year == last.year)]
    before = lines[(lines["month"].dt.year == last.year - 1)]
    part = before.loc[before["month"].dt.month <= last.month, "amount"].sum() / before["amount"].sum()
    reached = this["amount"].sum() / (targets.loc[(last.year, "company")] * part)
    assert 0.85 <= reached <= 1.10
    # ... and the last month against its part of the year (last year's same month), roughly.
    month_part = before.loc[before["month"].dt.month == last.month, "amount"].sum() / before["amount"].sum()
    reached = this.loc[this["month"] == last, "amount"].sum() / (targets.loc[(last.year, "company")] * month_part)
    assert 0.75 <= reached <= 1.25


def test_next_year_target_grows_on_the_last_twelve_months(sample):
    lines = net_sales(sample)
    last = months_of(sample)[-1]
    recent = lines[lines["month"] > last - 12]["amount"].sum()
    proposed = sample["annual_targets"].set_index(["year", "target_scope"]).loc[(last.year + 1, "company"),
                                                                                "target_amount"]
    assert 1.0 < proposed / recent < 1.2


def test_every_trading_dealer_has_allocation_inputs_near_what_it_sells(sample):
    lines = net_sales(sample)
    inputs = sample["target_inputs"]
    master = sample["dealer_master"].set_index("dealer_id")
    months = months_of(sample)
    for year in sorted({m.year for m in months})[1:]:
        mine = inputs[inputs["year"] == year].set_index("dealer_id")
        sold = lines[lines["month"].dt.year == year].groupby("dealer_id")["amount"].sum()
        buyers = lines.loc[(lines["month"].dt.year == year) & (lines["transaction_type"] == "sale"), "dealer_id"]
        assert set(buyers) <= set(mine.index), year
        # The potential is more than the dealer sells in a year; never a token figure.
        months_traded = lines[lines["month"].dt.year == year].groupby("dealer_id")["month"].nunique()
        yearly = sold / months_traded * 12
        trading = yearly[yearly > 0].index.intersection(pd.Index(buyers.unique()))
        assert (mine.loc[trading, "market_potential"] >= yearly[trading] * 1.2).all(), year
        assert (mine.loc[trading, "market_potential"] <= yearly[trading] * 2.5).all(), year
        # A newcomer (less than a year of history before the year) has a floor near its sales.
        newcomer = master.loc[mine.index, "join_date"] > pd.Timestamp(year=year - 1, month=1, day=1)
        floors = mine.loc[newcomer[newcomer].index.intersection(trading)]
        assert floors["target_floor"].notna().all(), year
        assert (floors["target_floor"] >= yearly[floors.index] * 0.7).all(), year
    bounded = inputs.dropna(subset=["target_floor", "target_ceiling"])
    assert (bounded["target_floor"] <= bounded["target_ceiling"]).all()
    # Next year's inputs name every dealer under contract at the end and those about to join.
    upcoming = inputs[inputs["year"] == months[-1].year + 1]
    signed = master.index[master["status"].isin(["active", "suspended", "prospect"])]
    assert set(signed) <= set(upcoming["dealer_id"])


def test_contract_targets_are_close_to_what_the_dealers_buy(sample):
    lines = net_sales(sample)
    last = months_of(sample)[-1]
    year_sales = lines[lines["month"] > last - 12].groupby("dealer_id")["amount"].sum()
    contracts = sample["dealer_contracts"]
    master = sample["dealer_master"].set_index("dealer_id")
    current = contracts[(contracts["start_date"] <= last.end_time) & (contracts["end_date"] >= last.end_time)]
    settled = current[current["dealer_id"].map(master["join_date"]) < (last - 12).start_time]
    settled = settled[settled["dealer_id"].map(master["status"]) == "active"].set_index("dealer_id")
    ratio = year_sales.reindex(settled.index) / settled["annual_target_amount"]
    assert ratio.between(0.5, 2.0).mean() > 0.9
    assert 0.75 < ratio.median() < 1.35


# ---- demand is what was shipped plus what could not be served --------------------------------

def test_demand_history_is_the_units_invoiced_plus_lost_sales(sample):
    sales = sample["sales_transactions"]
    sold = sales[sales["transaction_type"] == "sale"]
    invoiced = sold.groupby(["sku", sold["invoice_date"].dt.to_period("M").dt.to_timestamp()])["quantity"].sum()
    demand = sample["demand_history"]
    shipped = demand.groupby(["sku", "month"])["quantity"].sum()
    pd.testing.assert_series_equal(shipped[shipped > 0].sort_index(), invoiced.sort_index(), check_names=False,
                                   check_index_type=False)
    lost = demand["unfulfilled_qty"].sum() / demand["quantity"].sum()
    assert 0 < lost < 0.05


def test_demand_at_cost_matches_what_was_invoiced_at_cost(sample):
    cost = sample["item_master"].set_index("sku")["unit_cost"]
    demand = sample["demand_history"]
    last = demand["month"].max()
    year = demand[demand["month"] > last - pd.DateOffset(months=12)]
    demand_cost = ((year["quantity"] + year["unfulfilled_qty"]) * year["sku"].map(cost)).sum()
    sales = sample["sales_transactions"]
    sold = sales[(sales["transaction_type"] == "sale") & (sales["invoice_date"] >= last - pd.DateOffset(months=11))]
    invoiced_cost = (sold["quantity"] * sold["sku"].map(cost)).sum()
    assert 1.0 <= demand_cost / invoiced_cost <= 1.05


def test_shipments_carry_the_invoiced_goods(sample):
    shipments = sample["shipments"]
    sales = sample["sales_transactions"]
    first = shipments["ship_date"].min()
    sold = sales[(sales["transaction_type"] == "sale") & (sales["invoice_date"] >= first)]
    assert shipments["shipped_units"].sum() == pytest.approx(sold["quantity"].sum())
    assert shipments["shipment_value"].sum() == pytest.approx(sold["amount"].sum(), rel=1e-4)
    per_dealer = shipments.groupby("dealer_id")["shipped_units"].sum()
    pd.testing.assert_series_equal(per_dealer, sold.groupby("dealer_id")["quantity"].sum(), check_names=False)


def test_stock_is_counted_against_the_demand_it_serves(sample):
    demand = sample["demand_history"]
    ledger = sample["stock_ledger"].set_index(["sku", "location"])
    assert set(demand.groupby(["sku", "location"]).groups) == set(ledger.index)
    last = demand["month"].max()
    recent = demand[demand["month"] > last - pd.DateOffset(months=12)].groupby(["sku", "location"])["quantity"].mean()
    selling = recent[recent > 0].index
    cover = ledger.loc[selling, "on_hand"] / recent[selling]
    assert cover.median() < 3  # most items hold one to two months of what they sell
    # Nothing is issued from a warehouse that did not ship it.
    never = demand.groupby(["sku", "location"])["quantity"].sum().loc[lambda q: q == 0].index
    assert ledger.loc[never, "last_issue_date"].isna().all()


def test_dealers_sell_about_what_they_buy(sample):
    reports = sample["dealer_stock"]
    items = sample["item_master"].set_index("sku")["product_group"]
    sales = sample["sales_transactions"]
    first = reports["month"].min()
    sold = sales[(sales["transaction_type"] == "sale") & (sales["invoice_date"] >= first)]
    bought = sold.groupby(["dealer_id", sold["sku"].map(items)])["quantity"].sum()
    sell_out = reports.groupby(["dealer_id", "product_group"])["sell_out_qty"].sum()
    bought = bought.reindex(sell_out.index)
    assert 0.85 <= sell_out.sum() / bought.sum() <= 1.0
    plenty = bought >= 20  # a handful of units rounds to whole ones
    assert (sell_out[plenty] / bought[plenty]).between(0.75, 1.05).all()


def test_credit_limits_fit_what_the_dealers_owe(sample):
    ledger = sample["receivables"]
    open_amount = (ledger["amount"] - ledger["paid_amount"]).groupby(ledger["dealer_id"]).sum()
    master = sample["dealer_master"].set_index("dealer_id")
    active = master.index[master["status"] == "active"]
    use = open_amount.reindex(active).fillna(0.0) / master.loc[active, "credit_limit"]
    assert 0.2 < use.median() < 0.9
