"""Sample data for chapter 4: sales transactions, the dealers' monthly sales and stock reports,
annual targets with overrides and allocation inputs, sales plans, sales training and the
incentive plans with who is on them.

Transactions are drawn invoice by invoice from a dealer × month weight: the dealer's size
(its credit limit), its own growth rate, the season (the same monthly pattern the inventory
chapter uses) and whether it traded that month (joined, terminated, suspended). Each year
about half the items get a list-price rise on 1 January; dealers get their policy's
discount and, on promotion lines, a few points more. About 2 % of the rows are returns:
credit notes of one line with a negative quantity and the number of the invoice the goods
were sold on. Nothing loops over rows; the row count is exactly ``size.transactions``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.sample.ch01 import (as_dates, codes, dealers, month_starts, period_end, period_start, pick, skus,
                                  team_members)
from dealerxl.sample.ch05 import GROUPS, SEASON, document_numbers
from dealerxl.sample.settings import default_frame

RETURN_SHARE = 0.02
LINES_PER_INVOICE = 3.0  # on average: one line and a Poisson(2) number more
DEALER_REPORT_MONTHS = 3
DEFAULT_DISCOUNT = {"distributor": 0.18, "dealer": 0.10, "agent": 0.08, "direct": 0.0}
TARGET_SCOPES = ("north", "central", "south", "east", "west")
PLAN_MEASURES = np.array([
    "重點經銷商季度進貨協議，搭配階梯返利",
    "新品上市說明會與門市陳列競賽",
    "空白城市招商兩家，補足網點覆蓋",
    "旺季前備貨會議，確認各經銷商進貨計劃",
    "工程案與大客戶專案報價支援",
    "淡季促銷：以舊換新與分期零利率",
], dtype=object)
TRAINING_COURSES = {
    "product_knowledge": "新品規格與賣點解析", "negotiation": "經銷商年度合約談判",
    "key_account": "大客戶與工程案經營", "dealer_coaching": "經銷商經營輔導實務",
    "data_analysis": "銷售數據分析與報表判讀", "pricing_promotion": "價格策略與促銷規劃",
}
OVERRIDE_REASONS = ("春節工作天數少，目標下修", "新品上市集中出貨，目標上修")
# Next year's proposal: the last twelve months' sales of each region plus this growth.
NEXT_YEAR_GROWTH = 0.08


# ---- look-ups with fallbacks ---------------------------------------------------------------

def _dealer_book(ctx) -> pd.DataFrame:
    """Trading dealers with their size (expected purchases), growth, channel, sales rep and
    trading window: the dealer master's with the purchase plan made beside it when there is
    one, otherwise a stand-in list."""
    rng = ctx.rng
    first, end = period_start(ctx), period_end(ctx).normalize()
    master = ctx.frames.get("dealer_master")
    needed = {"dealer_id", "region", "channel_type", "status", "join_date", "termination_date", "credit_limit",
              "sales_rep_id"}
    if master is not None and needed <= set(master.columns):
        book = master[master["status"] != "prospect"].reset_index(drop=True)
        plan = ctx.plan.get("dealers")
        if plan is not None and set(book["dealer_id"]) <= set(plan["dealer_id"]):
            planned = plan.set_index("dealer_id").loc[book["dealer_id"]]
            size, growth = planned["purchases"].to_numpy(dtype=float), planned["growth"].to_numpy(dtype=float)
            since, until = pd.DatetimeIndex(planned["since"]), pd.DatetimeIndex(planned["until"])
        else:
            size = book["credit_limit"].fillna(book["credit_limit"].median()).to_numpy(dtype=float)
            size = size / size.mean() * rng.lognormal(0, 0.25, len(book))
            growth = rng.normal(0.07, 0.12, len(book))
            since = pd.DatetimeIndex(book["join_date"].clip(lower=first))
            until = pd.DatetimeIndex(book["termination_date"].fillna(end).clip(upper=end))
            # Suspended dealers stopped buying a few months ago.
            suspended = (book["status"] == "suspended").to_numpy()
            stop = end - pd.to_timedelta(rng.integers(30, 150, len(book)), unit="D")
            until = pd.DatetimeIndex(np.where(suspended & (stop > since), stop, until))
        return pd.DataFrame({
            "dealer_id": book["dealer_id"].to_numpy(dtype=object),
            "region": book["region"].to_numpy(dtype=object),
            "channel_type": book["channel_type"].to_numpy(dtype=object),
            "policy_id": book.get("policy_id", pd.Series(None, index=book.index)).to_numpy(dtype=object),
            # A dealer without a rep on file is served by a salesperson picked at random.
            "sales_rep_id": book["sales_rep_id"].fillna(pd.Series(pick(ctx, _sales_staff(ctx), len(book))))
                                                .to_numpy(dtype=object),
            "size": size, "growth": growth, "since": since, "until": until,
        })
    book = dealers(ctx)
    n = len(book)
    return book.assign(channel_type="dealer", policy_id=None, sales_rep_id=pick(ctx, _sales_staff(ctx), n),
                       size=rng.lognormal(0, 0.9, n), growth=rng.normal(0.07, 0.12, n), since=first, until=end)


def _sales_staff(ctx) -> np.ndarray:
    if "team_roster" in ctx.frames:
        members = team_members(ctx, "sales")
        if len(members):
            return members
    return codes("SAL", 8, 2)


def _items(ctx) -> pd.DataFrame:
    """SKU, product group, list price, launch date and status: the item master's when the
    inventory chapter made one, otherwise a stand-in list."""
    master = ctx.frames.get("item_master")
    if master is not None and {"sku", "product_group", "list_price"} <= set(master.columns):
        items = master.reset_index(drop=True)
        return pd.DataFrame({
            "sku": items["sku"].to_numpy(dtype=object),
            "product_group": items["product_group"].to_numpy(dtype=object),
            "list_price": items["list_price"].to_numpy(dtype=float),
            "sku_name": (items["sku_name"] if "sku_name" in items else items["sku"]).to_numpy(dtype=object),
            "launch_date": pd.DatetimeIndex(items["launch_date"]) if "launch_date" in items else pd.NaT,
            "status": items["status"].to_numpy(dtype=object) if "status" in items else "active",
        })
    return _stand_in_items(ctx)


def _stand_in_items(ctx) -> pd.DataFrame:
    rng = ctx.rng
    items = skus(ctx)
    price = items["product_group"].map(GROUPS.set_index("product_group")["price"]).fillna(5_000).to_numpy()
    list_price = (price * rng.lognormal(0, 0.35, len(items))).round(-1).clip(50)
    names = items["product_group"].map(GROUPS.set_index("product_group")["group_name"]).fillna("") + " " + items["sku"]
    return items.assign(list_price=list_price, sku_name=names.str.strip(), launch_date=pd.NaT, status="active")


# ---- sales transactions ----------------------------------------------------------------------

def expected_invoices(months: pd.DatetimeIndex, size, growth, since, until, count: float) -> np.ndarray:
    """Invoices each dealer (rows) is expected to get in each month (columns) of ``count`` in
    all: shared by size × (1 + growth)^(years to the last month) × season over the months from
    ``since`` to ``until``; every dealer buys at least once in each month it trades (when there
    are invoices enough), the rest going where the weights ask."""
    m = len(months)
    t = np.arange(m) - (m - 1)  # 0 in the last month
    weight = (np.asarray(size, dtype=float)[:, None] * (1 + np.asarray(growth, dtype=float)[:, None]) ** (t[None, :] / 12)
              * SEASON[months.month.to_numpy() - 1][None, :])
    month_ordinal = months.to_period("M").asi8
    since_month = pd.DatetimeIndex(since).to_period("M").asi8
    until_month = pd.DatetimeIndex(until).to_period("M").asi8
    trading = (month_ordinal[None, :] >= since_month[:, None]) & (month_ordinal[None, :] <= until_month[:, None])
    weight = np.where(trading, weight, 0.0)
    expected = weight / max(weight.sum(), 1e-12) * count
    if 0 < trading.sum() <= count:
        surplus = np.where(trading, np.maximum(expected, 1.0) - 1.0, 0.0)
        if surplus.sum() > 0:
            expected = trading + surplus * (count - trading.sum()) / surplus.sum()
    return expected


def _invoice_cells(ctx, book: pd.DataFrame, count: int):
    """Dealer index and date of ``count`` invoices in each dealer's trading window
    (:func:`expected_invoices`)."""
    rng = ctx.rng
    months = month_starts(ctx)
    m = len(months)
    expected = expected_invoices(months, book["size"], book["growth"], book["since"], book["until"], count).ravel()
    # Each cell gets its expected count rounded down or up, the total exact.
    cell = rng.permutation(systematic_counts(rng, expected, count))
    dealer_idx, month_idx = cell // m, cell % m
    month_start = months[month_idx]
    month_ordinal = months.to_period("M").asi8
    days_in_month = month_start.days_in_month.to_numpy()
    # In the month a dealer starts or stops trading, only the days of its window count.
    since_month = pd.DatetimeIndex(book["since"]).to_period("M").asi8
    until_month = pd.DatetimeIndex(book["until"]).to_period("M").asi8
    since_day = pd.DatetimeIndex(book["since"]).day.to_numpy()[dealer_idx] - 1
    until_day = pd.DatetimeIndex(book["until"]).day.to_numpy()[dealer_idx] - 1
    lo = np.where(month_ordinal[month_idx] == since_month[dealer_idx], since_day, 0)
    hi = np.where(month_ordinal[month_idx] == until_month[dealer_idx], until_day, days_in_month - 1)
    hi = np.maximum(hi, lo)
    day = lo + np.floor(rng.random(count) * (hi - lo + 1)).astype(int)
    return dealer_idx, month_start + pd.to_timedelta(day, unit="D")


def _line_skus(ctx, items: pd.DataFrame, dates: pd.DatetimeIndex, units_per_line: np.ndarray) -> np.ndarray:
    """An item for each line. With the item master's demand plan (``ctx.plan["item_demand"]``,
    expected units per item and month) each month's lines take items in proportion to their
    expected units over the units a line of them carries, so the units sold follow each item's
    season, pattern and life cycle. Without it: by a popularity draw, items not yet launched or
    discontinued in the last half year replaced by an item that was on sale."""
    rng = ctx.rng
    n = len(items)
    demand = ctx.plan.get("item_demand")
    if demand is not None and demand.shape == (n, ctx.size.months):
        month_idx = (dates.to_period("M").asi8 - ctx.months[0].ordinal).astype(int)
        chosen = np.zeros(len(dates), dtype=np.int64)
        lines = demand / units_per_line[:, None]
        for month in np.unique(month_idx):  # one draw per month, over all of that month's lines
            at = np.flatnonzero(month_idx == month)
            chosen[at] = rng.permutation(systematic_counts(rng, lines[:, month], len(at)))
        return chosen
    popularity = rng.pareto(1.4, n) + 0.05
    chosen = rng.choice(n, size=len(dates), p=popularity / popularity.sum())
    launch = pd.DatetimeIndex(items["launch_date"]) if items["launch_date"].notna().any() else None
    status = np.asarray(items["status"], dtype=object)
    cutoff = period_end(ctx).normalize() - pd.Timedelta(days=180)
    off_sale = (status[chosen] == "discontinued") & (dates > cutoff)
    if launch is not None:
        off_sale |= np.asarray(dates < launch[chosen].fillna(pd.Timestamp.min))
    steady = np.flatnonzero(np.isin(status, ("active", "phase_out")))
    if off_sale.any() and len(steady):
        weights = popularity[steady] / popularity[steady].sum()
        chosen[off_sale] = steady[rng.choice(len(steady), size=int(off_sale.sum()), p=weights)]
    return chosen


def systematic_counts(rng, weights: np.ndarray, count: int) -> np.ndarray:
    """``count`` draws of the indices of ``weights`` by systematic sampling: each index comes
    up its expected number of times (count × its share) rounded down or up, in index order.

    >>> np.bincount(systematic_counts(np.random.default_rng(1), np.array([1.0, 2.0, 7.0]), 20)).tolist()
    [2, 4, 14]
    """
    bounds = np.floor(np.concatenate([[0.0], np.cumsum(weights)]) / weights.sum() * count + rng.random())
    return np.repeat(np.arange(len(weights)), np.diff(bounds).astype(np.int64))


def units_per_line(list_price) -> np.ndarray:
    """The mean quantity of a sales line of an item of this price: about 30 000 worth of goods,
    from half a unit (plus the one every line has) up to 40."""
    return np.clip(30_000 / np.maximum(np.asarray(list_price, dtype=float), 1), 0.5, 40)


def _prices(ctx, items: pd.DataFrame, item_idx: np.ndarray, dates: pd.DatetimeIndex) -> np.ndarray:
    """Unit price on the date: today's list price less the 1-January rises still to come."""
    rng = ctx.rng
    years = np.arange(dates.year.min(), period_end(ctx).year + 1)
    rise = np.where(rng.random((len(items), len(years))) < 0.5, rng.uniform(1.02, 1.06, (len(items), len(years))), 1.0)
    # Factor from a year's prices to today's: product of the rises of the later years.
    later = np.cumprod(rise[:, ::-1], axis=1)[:, ::-1]
    to_today = np.concatenate([later[:, 1:], np.ones((len(items), 1))], axis=1)
    year_idx = dates.year.to_numpy() - years[0]
    price = items["list_price"].to_numpy(dtype=float)[item_idx] / to_today[item_idx, year_idx]
    return np.where(price >= 100, np.round(price), np.round(price, 1))


def _discounts(ctx, book: pd.DataFrame, dealer_idx: np.ndarray) -> np.ndarray:
    rng = ctx.rng
    policies = ctx.frames.get("channel_policies")
    base = book["channel_type"].map(DEFAULT_DISCOUNT).fillna(0.05).to_numpy(dtype=float)
    if policies is not None:
        by_policy = book["policy_id"].map(policies.set_index("policy_id")["discount_rate"])
        base = by_policy.fillna(pd.Series(base)).to_numpy(dtype=float)
    promotion = rng.random(len(dealer_idx)) < 0.15
    extra = np.where(promotion, rng.choice([0.02, 0.03, 0.05], len(dealer_idx)), 0.0)
    return np.round(base[dealer_idx] + extra, 2)


def _transactions(ctx, book: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng
    end = period_end(ctx).normalize()
    total = ctx.size.transactions
    returns = int(round(total * RETURN_SHARE))
    sale_lines = total - returns
    # Lines per invoice: 1 + Poisson(2), cut so that the lines add up exactly.
    per_invoice = 1 + rng.poisson(LINES_PER_INVOICE - 1, sale_lines // 2 + 10)
    cumulative = np.cumsum(per_invoice)
    last = int(np.searchsorted(cumulative, sale_lines))
    per_invoice = per_invoice[:last + 1]
    per_invoice[last] = sale_lines - (cumulative[last - 1] if last else 0)
    dealer_of_invoice, date_of_invoice = _invoice_cells(ctx, book, len(per_invoice))
    order = np.lexsort((dealer_of_invoice, date_of_invoice.asi8))
    dealer_of_invoice, date_of_invoice, per_invoice = dealer_of_invoice[order], date_of_invoice[order], per_invoice[order]
    invoice_no = document_numbers("INV", date_of_invoice)
    invoice_idx = np.repeat(np.arange(len(per_invoice)), per_invoice)
    line_no = np.arange(sale_lines) - np.repeat(np.cumsum(per_invoice) - per_invoice, per_invoice) + 1
    dealer_idx = dealer_of_invoice[invoice_idx]
    dates = date_of_invoice[invoice_idx]
    item_idx = _line_skus(ctx, items, dates, 1 + units_per_line(items["list_price"]))
    price = _prices(ctx, items, item_idx, dates)
    quantity = (1 + rng.poisson(units_per_line(price))).astype(float)
    discount = _discounts(ctx, book, dealer_idx)
    sales = pd.DataFrame({
        "invoice_no": invoice_no[invoice_idx],
        "line_no": line_no,
        "invoice_date": dates,
        "transaction_type": "sale",
        "dealer_idx": dealer_idx,
        "item_idx": item_idx,
        "quantity": quantity,
        "unit_price": price,
        "discount_rate": discount,
        "original_invoice_no": None,
        "return_reason": None,
    })
    # Returns: lines sold 5 to 60 days before a date still in the sample come back in part.
    delay = rng.integers(5, 61, sale_lines)
    eligible = np.flatnonzero((dates + pd.to_timedelta(delay, unit="D")) <= end)
    picked = np.sort(rng.choice(eligible, size=min(returns, len(eligible)), replace=False))
    back = sales.iloc[picked].reset_index(drop=True)
    back_date = back["invoice_date"] + pd.to_timedelta(delay[picked], unit="D")
    back_qty = -(1 + np.floor(rng.random(len(back)) * back["quantity"].to_numpy()))
    order = np.argsort(back_date.to_numpy(), kind="stable")
    back = back.iloc[order].reset_index(drop=True)
    back_date = pd.DatetimeIndex(back_date.to_numpy()[order])
    back = back.assign(
        original_invoice_no=back["invoice_no"], invoice_no=document_numbers("CN", back_date), line_no=1,
        invoice_date=back_date, transaction_type="return", quantity=back_qty[order],
        return_reason=pick(ctx, ("defective", "wrong_item", "overstock", "damaged_in_transit", "customer_cancelled"),
                           len(back), p=(0.35, 0.15, 0.3, 0.1, 0.1)))
    rows = pd.concat([sales, back], ignore_index=True)
    rows = rows.sort_values(["invoice_date", "invoice_no", "line_no"], kind="stable", ignore_index=True)
    quantity = rows["quantity"].to_numpy()
    amount = np.round(quantity * rows["unit_price"].to_numpy() * (1 - rows["discount_rate"].to_numpy()), 2)
    return pd.DataFrame({
        "invoice_no": rows["invoice_no"].to_numpy(dtype=object),
        "line_no": pd.array(rows["line_no"].to_numpy(), dtype="Int64"),
        "invoice_date": as_dates(rows["invoice_date"]).to_numpy(),
        "transaction_type": rows["transaction_type"].to_numpy(dtype=object),
        "dealer_id": book["dealer_id"].to_numpy(dtype=object)[rows["dealer_idx"].to_numpy()],
        "sku": items["sku"].to_numpy(dtype=object)[rows["item_idx"].to_numpy()],
        "quantity": quantity,
        "unit_price": rows["unit_price"].to_numpy(dtype=float),
        "discount_rate": rows["discount_rate"].to_numpy(dtype=float),
        "amount": amount,
        "original_invoice_no": rows["original_invoice_no"].to_numpy(dtype=object),
        "return_reason": rows["return_reason"].to_numpy(dtype=object),
        "sales_rep_id": book["sales_rep_id"].to_numpy(dtype=object)[rows["dealer_idx"].to_numpy()],
    })


# ---- the dealers' monthly sales and stock report ---------------------------------------------

def _dealer_monthly(ctx, sales: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """The last months' reports for every item a dealer bought in them: what came in is our
    sales to it, what went back our returns, it sells half to nearly all of what it has and
    the rest carries over."""
    rng = ctx.rng
    months = month_starts(ctx)[-DEALER_REPORT_MONTHS:]
    month = sales["invoice_date"].dt.to_period("M").dt.to_timestamp()
    recent = sales[month >= months[0]].assign(month=month)
    moved = recent.assign(received=recent["quantity"].clip(lower=0), returned=(-recent["quantity"]).clip(lower=0))
    flows = moved.groupby(["dealer_id", "sku", "month"], sort=True)[["received", "returned"]].sum()
    pairs = flows.index.droplevel("month").unique()
    grid = pd.MultiIndex.from_arrays([
        np.repeat(pairs.get_level_values(0).to_numpy(), len(months)),
        np.repeat(pairs.get_level_values(1).to_numpy(), len(months)),
        np.tile(months.to_numpy(), len(pairs)),
    ], names=flows.index.names)
    flows = flows.reindex(grid, fill_value=0.0)
    received = flows["received"].to_numpy(dtype=float, copy=True).reshape(len(pairs), len(months))
    returned = flows["returned"].to_numpy(dtype=float, copy=True).reshape(len(pairs), len(months))
    opening = np.zeros_like(received)
    sold = np.zeros_like(received)
    closing = np.zeros_like(received)
    stock = np.round(received.sum(axis=1) / len(months) * rng.uniform(0.3, 1.5, len(pairs)))
    for j in range(len(months)):  # a handful of months, each step vectorised over all pairs
        opening[:, j] = stock
        on_hand = stock + received[:, j]
        returned[:, j] = np.minimum(returned[:, j], on_hand)
        sold[:, j] = np.floor((on_hand - returned[:, j]) * rng.uniform(0.5, 0.95, len(pairs)))
        stock = on_hand - returned[:, j] - sold[:, j]
        closing[:, j] = stock
    price = pd.Series(items["list_price"].to_numpy(dtype=float), index=items["sku"].to_numpy())
    retail = grid.get_level_values("sku").map(price).to_numpy(dtype=float)
    names = pd.Series(items["sku_name"].to_numpy(dtype=object), index=items["sku"].to_numpy())
    note = np.where((sold.ravel() == 0) & (closing.ravel() > 0), "本月無銷售，庫存待消化", None)
    return pd.DataFrame({
        "dealer_id": grid.get_level_values(0).to_numpy(dtype=object),
        "month": as_dates(grid.get_level_values(2)).to_numpy(),
        "sku": grid.get_level_values(1).to_numpy(dtype=object),
        "sku_name": grid.get_level_values("sku").map(names).to_numpy(dtype=object),
        "opening_stock_qty": opening.ravel(),
        "received_qty": received.ravel(),
        "sell_out_qty": sold.ravel(),
        "sell_out_amount": np.round(sold.ravel() * np.nan_to_num(retail, nan=0.0), 0),
        "returned_qty": returned.ravel(),
        "dealer_stock_qty": closing.ravel(),
        "note": note.astype(object),
    })


# ---- targets and plans -----------------------------------------------------------------------

def _region_month_sales(ctx, sales: pd.DataFrame, book: pd.DataFrame) -> pd.DataFrame:
    """Net sales (returns subtracted) and quantities per region and sample month."""
    months = month_starts(ctx)
    region = sales["dealer_id"].map(book.set_index("dealer_id")["region"])
    month = sales["invoice_date"].dt.to_period("M").dt.to_timestamp()
    index = pd.MultiIndex.from_product([TARGET_SCOPES, months], names=["region", "month"])
    return (sales.assign(region=region, month=month).groupby(["region", "month"])[["amount", "quantity"]].sum()
            .reindex(index, fill_value=0.0))


def _annual_targets(ctx, sales: pd.DataFrame, book: pd.DataFrame) -> pd.DataFrame:
    """Targets of every year the sample covers, per region and for the company, and of the year
    after it.

    The department plans well: a year's target is what the region then sold (the year as a
    whole where the sample covers it, else the months covered grown to a year by the season)
    times an ambition of -4 % to +6 %, so the year's achievement lands between 94 % and 104 %.
    Next year's target is the last twelve months' sales plus :data:`NEXT_YEAR_GROWTH`."""
    rng = ctx.rng
    monthly = _region_month_sales(ctx, sales, book)
    months = monthly.index.get_level_values("month")
    yearly = monthly.groupby([months.year, monthly.index.get_level_values("region")]).sum()
    yearly.index.names = ["year", "region"]
    covered = pd.Series(SEASON[months.month - 1], index=monthly.index).groupby(
        [months.year, monthly.index.get_level_values("region")]).sum()
    complete = pd.Series(month_starts(ctx).year).value_counts().loc[lambda c: c == 12].index
    years = sorted(set(months.year))
    index = pd.MultiIndex.from_product([years, TARGET_SCOPES], names=["year", "region"])
    actual = yearly.reindex(index)
    base = actual["amount"].to_numpy() * SEASON.sum() / covered.reindex(index).to_numpy()
    amount = np.round(base * rng.uniform(0.96, 1.06, len(index)), -5)
    prior = yearly["amount"].reindex(pd.MultiIndex.from_arrays([index.get_level_values(0) - 1,
                                                                index.get_level_values(1)]))
    prior = np.where(np.isin(index.get_level_values(0) - 1, complete), prior.to_numpy(), np.nan)
    price = actual["amount"].to_numpy() / np.maximum(actual["quantity"].to_numpy(), 1)
    rows = pd.DataFrame({"year": index.get_level_values(0), "target_scope": index.get_level_values(1),
                         "target_amount": amount, "target_qty": np.round(amount / price, -1),
                         "prior_year_actual": np.round(prior),
                         "note": np.where(np.isnan(prior), "去年資料不完整，依實際銷售推估", None)})
    # Next year: the last twelve months and the growth the department aims at.
    last12 = monthly[months > months.max() - pd.DateOffset(months=12)].groupby(level="region").sum() \
        .reindex(list(TARGET_SCOPES))
    next_amount = np.round(last12["amount"].to_numpy() * (1 + NEXT_YEAR_GROWTH), -5)
    next_price = last12["amount"].to_numpy() / np.maximum(last12["quantity"].to_numpy(), 1)
    rows = pd.concat([rows, pd.DataFrame({
        "year": ctx.end.year + 1, "target_scope": list(TARGET_SCOPES), "target_amount": next_amount,
        "target_qty": np.round(next_amount / next_price, -1), "prior_year_actual": np.nan,
        "note": f"依最近 12 個月實績加 {NEXT_YEAR_GROWTH:.0%} 擬定"})], ignore_index=True)
    company = rows.groupby("year", as_index=False)[["target_amount", "target_qty", "prior_year_actual"]] \
        .sum(min_count=1)
    company["note"] = company["year"].map(rows.groupby("year")["note"].first())
    rows = pd.concat([company.assign(target_scope="company"), rows], ignore_index=True)
    rows = rows.sort_values(["year", "target_scope"], key=lambda c: c.map(
        {"company": 0, **{s: i + 1 for i, s in enumerate(TARGET_SCOPES)}}) if c.name == "target_scope" else c,
        kind="stable", ignore_index=True)
    head = _head_of_department(ctx)
    return pd.DataFrame({
        "year": pd.array(rows["year"].to_numpy(), dtype="Int64"),
        "target_scope": rows["target_scope"].to_numpy(dtype=object),
        "target_amount": rows["target_amount"].to_numpy(dtype=float),
        "target_qty": rows["target_qty"].to_numpy(dtype=float),
        "prior_year_actual": rows["prior_year_actual"].to_numpy(dtype=float),
        "approved_by": np.full(len(rows), head, dtype=object),
        "note": rows["note"].to_numpy(dtype=object),
    })


def _head_of_department(ctx) -> str:
    roster = ctx.frames.get("team_roster")
    if roster is not None and "role" in roster.columns:
        head = roster.loc[roster["role"] == "department_head", "staff_id"]
        if len(head):
            return head.iloc[0]
    return "S0001"


def _target_overrides(ctx, targets: pd.DataFrame) -> pd.DataFrame:
    """Two fixed months of the last month's year: February lowered for the New Year holidays and
    one region's peak month raised for a launch."""
    year = ctx.end.year
    annual = targets[targets["year"] == year].set_index("target_scope")["target_amount"]
    return pd.DataFrame({
        "month": as_dates([pd.Timestamp(year=year, month=2, day=1), pd.Timestamp(year=year, month=6, day=1)]).to_numpy(),
        "target_scope": np.array(["company", "north"], dtype=object),
        "target_amount": np.array([np.round(annual["company"] / 12 * 0.7, -5), np.round(annual["north"] / 12 * 1.3, -5)]),
        "reason": np.array(OVERRIDE_REASONS, dtype=object),
    })


def _target_inputs(ctx, sales: pd.DataFrame, book: pd.DataFrame) -> pd.DataFrame:
    """Allocation inputs of every year targets are set for (from the sample's second year to the
    year after it), for every dealer under contract in some month of the year, prospects
    joining then included. The department knows its dealers: market potential is 1.3 to 2.2
    times what a dealer sells in a year (at the rate of its months trading in the year, or of
    the last twelve months for next year), or, for one that has not traded yet, its expected
    purchases; a dealer with less than a full year of history before the year gets a floor
    near what it sells, so a newcomer's target does not rest on the little history it has;
    some others get floors and ceilings too."""
    rng = ctx.rng
    end = period_end(ctx).normalize()
    months = month_starts(ctx)
    master = ctx.frames.get("dealer_master")
    people = master if master is not None and {"join_date", "termination_date"} <= set(master.columns) else \
        book.assign(join_date=book["since"], termination_date=pd.NaT)
    net = sales.groupby(["dealer_id", sales["invoice_date"].dt.to_period("M").dt.to_timestamp()])["amount"].sum()
    net = net.unstack().reindex(columns=months, fill_value=0.0).fillna(0.0)
    frames = []
    for year in sorted(set(months.year))[1:] + [ctx.end.year + 1]:  # a few years, each vectorised
        first, last = pd.Timestamp(year=year, month=1, day=1), pd.Timestamp(year=year, month=12, day=31)
        joined = pd.DatetimeIndex(people["join_date"])
        ended = pd.DatetimeIndex(people["termination_date"])
        # A dealer gets its row when it signs: the years it is under contract in, up to the
        # last month, and next year for those signed to join by then.
        signed = (joined <= min(last, end)) | (year > ctx.end.year)
        chosen = people[(joined <= last) & signed & (ended.isna() | (ended >= first))].reset_index(drop=True)
        window = (months.year == year) if year <= ctx.end.year else (months > end - pd.DateOffset(months=12))
        sold = net.reindex(chosen["dealer_id"]).fillna(0.0).loc[:, window]
        trading = (sold != 0).sum(axis=1).to_numpy()
        rate = np.where(trading > 0, sold.sum(axis=1).to_numpy() * 12 / np.maximum(trading, 1), np.nan)
        basis = np.where(rate > 0, rate, _expected_purchases(ctx, chosen["dealer_id"], rate))
        n = len(chosen)
        newcomer = np.asarray(pd.DatetimeIndex(chosen["join_date"]) > pd.Timestamp(year=year - 1, month=1, day=1))
        floor = np.where(newcomer, np.round(basis * rng.uniform(0.75, 0.9, n), -4),
                         np.where(rng.random(n) < 0.3, np.round(basis * 0.6, -4), np.nan))
        ceiling = np.where(rng.random(n) < 0.25, np.round(basis * 2.0, -4), np.nan)
        frames.append(pd.DataFrame({
            "year": pd.array(np.full(n, year), dtype="Int64"),
            "dealer_id": chosen["dealer_id"].to_numpy(dtype=object),
            "market_potential": np.round(basis * rng.uniform(1.3, 2.2, n), -4),
            "target_floor": floor,
            "target_ceiling": np.where(np.isnan(floor) | (ceiling >= floor), ceiling, np.nan),
            "note": np.where(newcomer, "新經銷商，下限依首月實績與規模估計", None).astype(object),
        }))
    return pd.concat(frames, ignore_index=True)


def _expected_purchases(ctx, dealer_ids: pd.Series, rate: np.ndarray) -> np.ndarray:
    """A year's purchases expected of dealers that have not traded: the purchase plan's, else
    the median of those that have."""
    plan = ctx.plan.get("dealers")
    known = rate[rate > 0]
    fallback = float(np.median(known)) if len(known) else 1_000_000.0
    if plan is None:
        return np.full(len(dealer_ids), fallback)
    return plan.set_index("dealer_id")["purchases"].reindex(dealer_ids).fillna(fallback).to_numpy()


def _sales_plans(ctx, targets: pd.DataFrame) -> pd.DataFrame:
    """A plan per region and quarter of every target year, revenue from the regional target
    by the season's quarter shares; past quarters closed with their spend."""
    rng = ctx.rng
    end = period_end(ctx).normalize()
    regional = targets[targets["target_scope"] != "company"].reset_index(drop=True)
    quarter_share = SEASON.reshape(4, 3).sum(axis=1) / SEASON.sum()
    n = len(regional) * 4
    year = np.repeat(regional["year"].to_numpy(dtype=int), 4)
    quarter = np.tile(np.arange(1, 5), len(regional))
    scope = np.repeat(regional["target_scope"].to_numpy(dtype=object), 4)
    revenue = np.round(np.repeat(regional["target_amount"].to_numpy(), 4) * quarter_share[quarter - 1], -4)
    quarter_start = pd.PeriodIndex.from_fields(year=year, quarter=quarter, freq="Q").start_time
    quarter_end = pd.PeriodIndex.from_fields(year=year, quarter=quarter, freq="Q").end_time.normalize()
    past, current = quarter_end < end, (quarter_start <= end) & (quarter_end >= end)
    status = np.where(past, "closed", np.where(current, "in_progress", "approved")).astype(object)
    budget = np.round(revenue * rng.uniform(0.01, 0.025, n), -3)
    spend = np.where(past, np.round(budget * rng.uniform(0.75, 1.1, n), -2),
                     np.where(current, np.round(budget * rng.uniform(0.3, 0.7, n), -2), np.nan))
    leads = _sales_staff(ctx)
    number = pd.Series(year % 100).astype(str).str.zfill(2) + "Q" + pd.Series(quarter).astype(str)
    return pd.DataFrame({
        "plan_id": ("SP" + number + "-" + pd.Series(scope).str[:1].str.upper()).to_numpy(dtype=object),
        "year": pd.array(year, dtype="Int64"),
        "quarter": pd.array(quarter, dtype="Int64"),
        "target_scope": scope,
        "channel_type": np.full(n, None, dtype=object),
        "product_group": np.full(n, None, dtype=object),
        "planned_revenue": revenue,
        "key_measures": pick(ctx, PLAN_MEASURES, n),
        "budget": budget,
        "actual_spend": spend,
        "owner": pick(ctx, leads, n),
        "plan_status": status,
    })


def _sales_training(ctx) -> pd.DataFrame:
    """A course about every two months; every salesperson employed on the day takes part."""
    rng = ctx.rng
    months = month_starts(ctx)[1::2]
    dates = months + pd.to_timedelta(rng.integers(5, 25, len(months)), unit="D")
    skill = pick(ctx, list(TRAINING_COURSES), len(months))
    roster = ctx.frames.get("team_roster")
    if roster is not None and "team" in roster.columns:
        people = roster[roster["team"] == "sales"]
        staff = people["staff_id"].to_numpy(dtype=object)
        hired = pd.DatetimeIndex(people["hire_date"]).to_numpy()
        left = pd.DatetimeIndex(people["leave_date"]).fillna(pd.Timestamp.max).to_numpy()
    else:
        staff = _sales_staff(ctx)
        hired = np.full(len(staff), np.datetime64("1900-01-01"))
        left = np.full(len(staff), np.datetime64("2262-01-01"))
    employed = (hired[None, :] <= dates.to_numpy()[:, None]) & (left[None, :] > dates.to_numpy()[:, None])
    session_idx, staff_idx = np.nonzero(employed)
    n = len(session_idx)
    attended = np.where(rng.random(n) < 0.9, "yes", "no").astype(object)
    score = np.where(attended == "yes", np.clip(np.round(rng.normal(82, 9, n)), 40, 100), np.nan)
    return pd.DataFrame({
        "training_id": document_numbers("STR", dates, width=3)[session_idx],
        "staff_id": staff[staff_idx],
        "training_date": as_dates(dates[session_idx]).to_numpy(),
        "course_title": pd.Series(skill[session_idx]).map(TRAINING_COURSES).to_numpy(dtype=object),
        "sales_skill": skill[session_idx],
        "training_delivery": pick(ctx, ("internal", "external", "online"), len(months), p=(0.6, 0.15, 0.25))[session_idx],
        "trainer": pick(ctx, ("業務處長", "外聘講師", "產品經理", "資深業務"), len(months))[session_idx],
        "duration_hours": rng.choice([2.0, 3.0, 6.0], len(months))[session_idx],
        "attended": attended,
        "test_score": score,
        "follow_up_action": np.where(score < 65, "安排主管陪訪輔導", None).astype(object),
    })


def _incentive_assignments(ctx, book: pd.DataFrame, plans: pd.DataFrame) -> pd.DataFrame:
    """Salespeople on the standard plan, team leads on the team plan (from hiring or the plan's
    start, to leaving), new hires with a monthly draw; gold dealers on the dealer rebate."""
    end = period_end(ctx).normalize()
    start_of = plans.set_index("plan_id")["effective_date"]
    roster = ctx.frames.get("team_roster")
    if roster is not None and {"team", "role", "hire_date"} <= set(roster.columns):
        people = roster[roster["team"] == "sales"].reset_index(drop=True)
        plan = np.where(people["role"] == "team_lead", "LEAD-STD", "SAL-STD").astype(object)
        hired = pd.DatetimeIndex(people["hire_date"])
        left = pd.DatetimeIndex(people["leave_date"])
        staff = people["staff_id"].to_numpy(dtype=object)
    else:
        staff = _sales_staff(ctx)
        plan = np.full(len(staff), "SAL-STD", dtype=object)
        hired = pd.DatetimeIndex(np.full(len(staff), start_of["SAL-STD"]))
        left = pd.DatetimeIndex(np.full(len(staff), pd.NaT))
    start = pd.DatetimeIndex(np.maximum(hired, pd.DatetimeIndex(start_of.loc[plan].to_numpy())))
    keep = left.isna() | (left >= start)
    draw = np.where(hired > end - pd.Timedelta(days=180), 15_000.0, np.nan)
    people_rows = pd.DataFrame({"payee_id": staff, "start_date": start, "end_date": left, "plan_id": plan,
                                "team": "sales", "monthly_draw": draw})[keep]
    gold = ctx.frames.get("dealer_master")
    dealer_rows = pd.DataFrame(columns=people_rows.columns)
    if gold is not None and {"tier", "join_date"} <= set(gold.columns):
        gold = gold[(gold["tier"] == "gold") & (gold["status"] != "prospect")]
        dealer_start = pd.DatetimeIndex(np.maximum(pd.DatetimeIndex(gold["join_date"]),
                                                   pd.DatetimeIndex(np.full(len(gold), start_of["DLR-REB"]))))
        dealer_end = pd.DatetimeIndex(gold["termination_date"]) if "termination_date" in gold else pd.NaT
        dealer_rows = pd.DataFrame({"payee_id": gold["dealer_id"].to_numpy(dtype=object), "start_date": dealer_start,
                                    "end_date": dealer_end, "plan_id": "DLR-REB", "team": None,
                                    "monthly_draw": np.nan})
        dealer_rows = dealer_rows[dealer_rows["end_date"].isna() | (dealer_rows["end_date"] >= dealer_rows["start_date"])]
    rows = pd.concat([people_rows, dealer_rows], ignore_index=True)
    return pd.DataFrame({
        "payee_id": rows["payee_id"].to_numpy(dtype=object),
        "start_date": as_dates(rows["start_date"]).to_numpy(),
        "end_date": as_dates(rows["end_date"]).to_numpy(),
        "plan_id": rows["plan_id"].to_numpy(dtype=object),
        "team": rows["team"].to_numpy(dtype=object),
        "monthly_draw": rows["monthly_draw"].to_numpy(dtype=float),
    })


def generate(ctx) -> dict[str, pd.DataFrame]:
    book = _dealer_book(ctx)
    items = _items(ctx)
    sales = _transactions(ctx, book, items)
    targets = _annual_targets(ctx, sales, book)
    plans = default_frame("incentive_plans")
    return {
        "annual_targets": targets,
        "target_overrides": _target_overrides(ctx, targets),
        "target_inputs": _target_inputs(ctx, sales, book),
        "sales_plans": _sales_plans(ctx, targets),
        "sales_training": _sales_training(ctx),
        "sales_transactions": sales,
        "dealer_monthly": _dealer_monthly(ctx, sales, items),
        "incentive_plans": plans,
        "incentive_plan_tiers": default_frame("incentive_plan_tiers"),
        "incentive_assignments": _incentive_assignments(ctx, book, plans),
    }
