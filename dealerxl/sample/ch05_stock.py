"""Sample data for chapter 5's movements, drawn after the sales: monthly demand per item and
warehouse, the stock ledger, purchase orders and their deliveries, shipments to dealers and the
dealers' stock reports.

Everything follows the sales transactions, so the sheets tell one story: demand is what was
shipped (the units invoiced, from the warehouse serving the dealer's region when it keeps the
item, else from the central one) plus the sales lost when an item ran short; shipments are the
invoiced goods leaving the warehouse in weekly runs per dealer; stock and purchase orders are
sized on the demand; a dealer's stock report sells on what it bought. Run without the sales
(a chapter on its own), sales lines are first drawn from the item master's demand plan.
Everything is drawn with whole arrays; nothing loops over rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.sample.ch01 import as_dates, dealers, month_starts, period_end
from dealerxl.sample.ch05 import SERVING, WAREHOUSES, document_numbers

LOST_SHARE = 0.04  # item-months in which some demand could not be served
LOST_RATE = 0.3  # the sales lost in such a month, as a share of what was shipped
SHIPMENT_MONTHS = 12


def _sold_lines(ctx, items: pd.DataFrame) -> pd.DataFrame:
    """Sale lines (no returns): item index, dealer, its region, date, quantity and amount.
    From the sales transactions; without them, one line per item, month and dealer drawn from
    the demand plan at the list price."""
    region_of = dealers(ctx).set_index("dealer_id")["region"]
    position = pd.Series(np.arange(len(items)), index=items["sku"].to_numpy())
    sales = ctx.frames.get("sales_transactions")
    if sales is not None and len(sales):
        sold = sales[(sales["transaction_type"] == "sale") & sales["sku"].isin(position.index)]
        return pd.DataFrame({
            "item": position.loc[sold["sku"]].to_numpy(),
            "dealer_id": sold["dealer_id"].to_numpy(dtype=object),
            "region": sold["dealer_id"].map(region_of).fillna("central").to_numpy(dtype=object),
            "date": pd.DatetimeIndex(sold["invoice_date"]),
            "quantity": sold["quantity"].to_numpy(dtype=float),
            "amount": sold["amount"].to_numpy(dtype=float),
        })
    rng = ctx.rng
    months = month_starts(ctx)
    plan = ctx.plan.get("item_demand")
    if plan is None or plan.shape != (len(items), len(months)):
        plan = np.tile(rng.pareto(1.6, len(items))[:, None] * 12 + 1, (1, len(months)))
    units = rng.poisson(plan)
    item, month = np.nonzero(units)
    dealer = rng.integers(0, len(region_of), len(item))
    quantity = units[item, month].astype(float)
    return pd.DataFrame({
        "item": item,
        "dealer_id": region_of.index.to_numpy(dtype=object)[dealer],
        "region": region_of.to_numpy(dtype=object)[dealer],
        "date": months[month] + pd.to_timedelta(rng.integers(0, 28, len(item)), unit="D"),
        "quantity": quantity,
        "amount": np.round(quantity * items["list_price"].to_numpy(dtype=float)[item] * 0.9, 2),
    })


def _stocking(ctx, items: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Which item is kept at which warehouse: every item at the central warehouse; most of the
    faster movers (the top 40 % by units sold over the last year) also at a regional warehouse
    whose region bought a steady flow of them (two units a month or more)."""
    rng, n = ctx.rng, len(items)
    recent = lines[lines["date"] > period_end(ctx) - pd.DateOffset(months=12)]
    units = np.bincount(recent["item"].to_numpy(), weights=recent["quantity"].to_numpy(), minlength=n)
    regional = WAREHOUSES.loc[WAREHOUSES["location_type"] == "regional", "location"].to_numpy()
    serving = recent["region"].map(SERVING).fillna("WH-C").to_numpy(dtype=object)
    by_warehouse = (pd.DataFrame({"item": recent["item"].to_numpy(), "location": serving,
                                  "units": recent["quantity"].to_numpy()})
                    .groupby(["item", "location"])["units"].sum().unstack().reindex(index=range(n), columns=regional)
                    .fillna(0.0).to_numpy())
    fast = units >= np.quantile(units, 0.6)
    held = fast[:, None] & (by_warehouse >= 24) & (rng.random((n, len(regional))) < 0.75)
    held = np.column_stack([np.ones(n, dtype=bool), held])
    rows, cols = np.nonzero(held)
    return pd.DataFrame({"item": rows, "location": np.concatenate([["WH-C"], regional])[cols]})


def _locations(lines: pd.DataFrame, stocking: pd.DataFrame) -> np.ndarray:
    """The warehouse each line ships from: the one serving the dealer's region when it keeps
    the item, else the central warehouse."""
    serving = lines["region"].map(SERVING).fillna("WH-C").to_numpy(dtype=object)
    kept = pd.MultiIndex.from_arrays([stocking["item"].to_numpy(), stocking["location"].to_numpy()])
    held = kept.get_indexer(pd.MultiIndex.from_arrays([lines["item"].to_numpy(), serving])) >= 0
    return np.where(held, serving, "WH-C").astype(object)


def _demand(ctx, items: pd.DataFrame, stocking: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Every month from each item's launch to the last month for each warehouse keeping it:
    the units shipped from there, and in a few months sales lost on top of them."""
    rng = ctx.rng
    months = month_starts(ctx)
    m = len(months)
    month_of_line = pd.PeriodIndex(lines["date"], freq="M").asi8 - ctx.months[0].ordinal
    pair_index = pd.MultiIndex.from_arrays([stocking["item"].to_numpy(), stocking["location"].to_numpy()])
    pair_of_line = pair_index.get_indexer(pd.MultiIndex.from_arrays([lines["item"].to_numpy(), lines["location"]]))
    shipped = np.zeros(len(stocking) * m)
    np.add.at(shipped, pair_of_line * m + month_of_line, lines["quantity"].to_numpy())
    item = np.repeat(stocking["item"].to_numpy(), m)
    month = np.tile(months.to_numpy(), len(stocking))
    launched = month >= items["launch_date"].to_numpy()[item]
    unfulfilled = np.where(rng.random(len(item)) < LOST_SHARE, rng.poisson(shipped * LOST_RATE), 0)
    keep = launched
    return pd.DataFrame({
        "sku": items["sku"].to_numpy()[item][keep],
        "location": np.repeat(stocking["location"].to_numpy(), m)[keep],
        "month": as_dates(month[keep]).to_numpy(),
        "quantity": shipped[keep],
        "unfulfilled_qty": unfulfilled[keep].astype(float),
    })


def _monthly_use(demand: pd.DataFrame, stocking: pd.DataFrame, items: pd.DataFrame, months: int | None) -> np.ndarray:
    """Mean units a month of each stocking pair over its last ``months`` months of demand (all
    of its months when None)."""
    frame = demand
    if months is not None:
        frame = demand[demand["month"] > demand["month"].max() - pd.DateOffset(months=months)]
    mean = frame.groupby(["sku", "location"])["quantity"].mean()
    key = pd.MultiIndex.from_arrays([items["sku"].to_numpy()[stocking["item"].to_numpy()],
                                     stocking["location"].to_numpy()])
    return mean.reindex(key).fillna(0.0).to_numpy()


def _deliveries(ctx, items: pd.DataFrame, suppliers: pd.DataFrame, stocking: pd.DataFrame,
                use: np.ndarray) -> pd.DataFrame:
    """Purchase orders of the last twelve months: each item and warehouse that still sells is
    reordered every one to four months for the demand of that time (``use`` units a month);
    orders not yet delivered by the end are open (on order)."""
    rng = ctx.rng
    end = period_end(ctx).normalize()
    start = end - pd.Timedelta(days=365)
    active = (items["status"].to_numpy()[stocking["item"].to_numpy()] != "discontinued") & (use > 0)
    pairs = stocking[active].reset_index(drop=True)
    use = use[active]
    interval_months = rng.integers(1, 5, len(pairs))
    orders = np.ceil(12 / interval_months).astype(int)
    row_pair = np.repeat(np.arange(len(pairs)), orders)
    nth = np.arange(len(row_pair)) - np.repeat(np.cumsum(orders) - orders, orders)
    gap_days = interval_months[row_pair] * 30.4375
    offset = rng.uniform(0, gap_days) + nth * gap_days
    order_date = (start + pd.to_timedelta(np.floor(offset), unit="D")).normalize()
    within = order_date <= end
    row_pair, order_date = row_pair[within], order_date[within]
    item = pairs["item"].to_numpy()[row_pair]
    it = items.iloc[item]
    supplier = suppliers.set_index("supplier_id").loc[it["supplier_id"].to_numpy()]
    lead = it["lead_time_days"].to_numpy()
    promised = order_date + pd.to_timedelta(lead, unit="D")
    spread = np.nan_to_num(it["lead_time_sd_days"].to_numpy(), nan=2.0)
    actual_lead = np.maximum(1, np.round(lead + supplier["late_days_mean"].to_numpy()
                                         + rng.normal(0, 1, len(item)) * spread))
    delivered = order_date + pd.to_timedelta(actual_lead, unit="D")
    arrived = delivered <= end
    need = use[row_pair] * interval_months[row_pair]
    pack = it["pack_size"].to_numpy()
    ordered = np.maximum(it["moq"].to_numpy(), np.ceil(np.maximum(need, 1) / pack) * pack)
    short = rng.random(len(item)) < supplier["short_share"].to_numpy()
    delivered_qty = np.where(short, np.floor(ordered * rng.uniform(0.6, 0.97, len(item))), ordered)
    rejected = rng.binomial(delivered_qty.astype(int), supplier["reject_rate"].to_numpy()).astype(float)
    agreed = it["unit_cost"].to_numpy()
    actual_price = (agreed * (1 + supplier["price_drift"].to_numpy() * rng.random(len(item)))).round(0)
    po_no = document_numbers("PO", order_date)
    return pd.DataFrame({
        "po_no": po_no,
        "sku": it["sku"].to_numpy(),
        "supplier_id": it["supplier_id"].to_numpy(),
        "location": pairs["location"].to_numpy()[row_pair],
        "order_date": as_dates(order_date).to_numpy(),
        "promised_date": as_dates(promised).to_numpy(),
        "delivered_date": as_dates(delivered.where(arrived)).to_numpy(),
        "ordered_qty": ordered,
        "delivered_qty": np.where(arrived, delivered_qty, np.nan),
        "rejected_qty": np.where(arrived, rejected, np.nan),
        "agreed_price": agreed,
        "actual_price": np.where(arrived, actual_price, np.nan),
        "note": np.full(len(item), None, dtype=object),
    }).sort_values(["order_date", "po_no"], ignore_index=True)


def _stock(ctx, items: pd.DataFrame, stocking: pd.DataFrame, lines: pd.DataFrame, deliveries: pd.DataFrame,
           use: np.ndarray) -> pd.DataFrame:
    """Today's stock of each item at each warehouse: about one to two months of its demand
    (``use`` units a month over its history), much more of the items that stopped selling,
    nothing of a few, what is left of discontinued ones; the last issue is the last sale
    shipped from there."""
    rng = ctx.rng
    n = len(stocking)
    item = stocking["item"].to_numpy()
    pattern = ctx.plan.get("item_pattern")
    stopped = pattern[item] == 4 if pattern is not None and len(pattern) == len(items) else np.zeros(n, dtype=bool)
    cover = rng.lognormal(np.log(1.3), 0.5, n)
    cover = np.where(stopped, rng.uniform(8, 30, n), cover)  # slow movers pile up
    cover = np.where(rng.random(n) < 0.06, 0.0, cover)  # some items are out of stock
    on_hand = np.round(use * cover)
    leftover = np.round(use * rng.uniform(0, 6, n))  # what is left of a discontinued item
    on_hand = np.where(items["status"].to_numpy()[item] == "discontinued", leftover, on_hand)
    key = pd.MultiIndex.from_arrays([items["sku"].to_numpy()[item], stocking["location"].to_numpy()])
    open_po = deliveries[deliveries["delivered_date"].isna()].groupby(["sku", "location"])["ordered_qty"].sum()
    on_order = open_po.reindex(key).fillna(0.0).to_numpy()
    reserved = np.floor(on_hand * np.where(rng.random(n) < 0.4, rng.uniform(0, 0.3, n), 0.0))
    last_receipt = deliveries.dropna(subset=["delivered_date"]).groupby(["sku", "location"])["delivered_date"].max()
    issued = lines.assign(sku=items["sku"].to_numpy()[lines["item"].to_numpy()]).groupby(["sku", "location"])["date"]
    last_issue = issued.max().reindex(key).to_numpy()
    return pd.DataFrame({
        "sku": key.get_level_values(0).to_numpy(dtype=object),
        "location": key.get_level_values(1).to_numpy(dtype=object),
        "on_hand": on_hand.astype(float),
        "on_order": on_order.astype(float),
        "reserved": reserved.astype(float),
        "last_receipt_date": as_dates(last_receipt.reindex(key).to_numpy()).to_numpy(),
        "last_issue_date": as_dates(pd.DatetimeIndex(last_issue).normalize()).to_numpy(),
    })


def _shipments(ctx, lines: pd.DataFrame, suppliers: pd.DataFrame) -> pd.DataFrame:
    """The last twelve months' invoiced goods as shipments: one per dealer, warehouse and week,
    leaving with the week's first invoice; its units and value are those of the lines it carries."""
    rng = ctx.rng
    end = period_end(ctx).normalize()
    recent = lines[lines["date"] > end - pd.DateOffset(months=SHIPMENT_MONTHS)]
    week = recent["date"].dt.to_period("W").astype(str)
    runs = (recent.assign(week=week)
            .groupby(["dealer_id", "location", "week"], sort=False)
            .agg(ship=("date", "min"), region=("region", "first"), units=("quantity", "sum"),
                 value=("amount", "sum"))
            .reset_index())
    n = len(runs)
    ship = pd.DatetimeIndex(runs["ship"]).normalize()
    region = runs["region"].to_numpy(dtype=object)
    location = runs["location"].to_numpy(dtype=object)
    distance = np.where(location == "WH-C", np.where(region == "central", 1.0, 2.5), 1.0)
    units = runs["units"].to_numpy(dtype=float)
    mode = np.where(units > 60, "road_ftl", np.where(units < 4, "express", "road_ltl"))
    base_cost = pd.Series(mode).map({"road_ftl": 6000.0, "road_ltl": 900.0, "express": 180.0}).to_numpy()
    per_unit = pd.Series(mode).map({"road_ftl": 15.0, "road_ltl": 45.0, "express": 90.0}).to_numpy()
    cost = np.round((base_cost + per_unit * units) * distance * rng.uniform(0.9, 1.15, n))
    transit = np.where(mode == "express", 1, np.ceil(distance)).astype(int)
    promised = ship + pd.to_timedelta(transit, unit="D")
    late = np.where(rng.random(n) < 0.08, rng.integers(1, 4, n), 0)
    delivered = ship + pd.to_timedelta(transit + late - (rng.random(n) < 0.2), unit="D")
    delivered = pd.DatetimeIndex(np.maximum(delivered, ship))
    arrived = delivered <= end
    carriers = suppliers.loc[suppliers["supplier_category"] == "logistics", "supplier_id"].to_numpy()
    # Each region has its regular carrier; parcels go with the next one on the list.
    region_no = pd.Series(region).astype("category").cat.codes.to_numpy()
    carrier = carriers[(region_no + (mode == "express")) % len(carriers)]
    frame = pd.DataFrame({
        "shipment_id": np.zeros(n, dtype=object),
        "ship_date": as_dates(ship).to_numpy(),
        "location": location,
        "dealer_id": runs["dealer_id"].to_numpy(dtype=object),
        "region": region,
        "route": (pd.Series(location) + ">" + pd.Series(region).str.upper()).to_numpy(dtype=object),
        "carrier": carrier.astype(object),
        "transport_mode": mode.astype(object),
        "shipped_units": units,
        "shipment_value": np.round(runs["value"].to_numpy(dtype=float), 0),
        "cost": cost,
        "promised_date": as_dates(promised).to_numpy(),
        "delivered_date": as_dates(delivered.where(arrived)).to_numpy(),
        "shipment_status": np.where(arrived, "delivered", "in_transit").astype(object),
    }).sort_values(["ship_date", "dealer_id", "location"], ignore_index=True)
    frame["shipment_id"] = document_numbers("SH", frame["ship_date"])
    return frame


def _dealer_stock(ctx, items: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Twelve months of stock and sell-out reports per dealer and product group it bought in
    them: it sells about what it buys, evened out over the months, and keeps one to two
    months of it; about one dealer in ten lets stock build up over the last months."""
    rng = ctx.rng
    months = month_starts(ctx)[-12:]
    m = len(months)
    recent = lines[lines["date"] >= months[0]]
    group = items["product_group"].to_numpy(dtype=object)[recent["item"].to_numpy()]
    month = pd.PeriodIndex(recent["date"], freq="M").asi8 - months.to_period("M").asi8[0]
    bought = (pd.DataFrame({"dealer_id": recent["dealer_id"].to_numpy(), "group": group, "month": month,
                            "units": recent["quantity"].to_numpy()})
              .groupby(["dealer_id", "group", "month"])["units"].sum().unstack("month")
              .reindex(columns=range(m)).fillna(0.0))
    pairs, purchases = bought.index, bought.to_numpy()
    evened = (0.5 * purchases + 0.5 * purchases.mean(axis=1, keepdims=True)) * rng.uniform(0.85, 1.0, (len(pairs), 1))
    # Whole units month by month that add up to the evened total (rounded as they accumulate).
    sell_out = np.diff(np.round(np.cumsum(evened, axis=1)), axis=1, prepend=0.0)
    dealer_ids = pairs.get_level_values(0).to_numpy(dtype=object)
    builders = pd.Series(rng.random(len(dealers(ctx))) < 0.1, index=dealers(ctx)["dealer_id"].to_numpy())
    building = builders.reindex(dealer_ids).fillna(False).to_numpy(dtype=bool)
    ramp = np.clip(np.arange(m) - (m - 5), 0, None) * 0.6  # cover grows over the last five months
    cover = rng.uniform(0.8, 1.8, len(pairs))[:, None] + np.where(building, 1, 0)[:, None] * ramp[None, :]
    stock = np.round(sell_out.mean(axis=1, keepdims=True) * cover * rng.uniform(0.9, 1.1, purchases.shape))
    return pd.DataFrame({
        "dealer_id": np.repeat(dealer_ids, m),
        "month": as_dates(np.tile(months.to_numpy(), len(pairs))).to_numpy(),
        "product_group": np.repeat(pairs.get_level_values(1).to_numpy(dtype=object), m),
        "dealer_stock_qty": stock.ravel(),
        "sell_out_qty": sell_out.ravel(),
    })


def generate(ctx) -> dict[str, pd.DataFrame]:
    items = ctx.frames.get("item_master")
    if items is None:
        return {}  # no items, nothing moves
    suppliers = ctx.plan.get("suppliers", ctx.frames.get("suppliers"))
    lines = _sold_lines(ctx, items)
    stocking = _stocking(ctx, items, lines)
    lines = lines.assign(location=_locations(lines, stocking))
    demand = _demand(ctx, items, stocking, lines)
    deliveries = _deliveries(ctx, items, suppliers, stocking, _monthly_use(demand, stocking, items, 12))
    return {
        "stock_ledger": _stock(ctx, items, stocking, lines, deliveries, _monthly_use(demand, stocking, items, None)),
        "demand_history": demand,
        "dealer_stock": _dealer_stock(ctx, items, lines),
        "supplier_deliveries": deliveries,
        "shipments": _shipments(ctx, lines, suppliers),
    }
