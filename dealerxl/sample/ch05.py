"""Sample data for chapter 5: items, warehouses, stock, monthly demand, dealers' stock reports,
suppliers, purchase-order deliveries and shipments to dealers.

Demand drives everything else: each item gets a mean monthly demand (a few items carry most
of the value), a pattern (steady, variable, erratic or intermittent) and a life cycle (new,
active, phasing out, discontinued, or quietly slow-moving). Stock, orders and deliveries
follow from that demand, so the inventory job finds realistic reorder points, stock-outs and
slow movers. Everything is drawn with whole arrays; nothing loops over rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.forms import FORMS
from dealerxl.sample.settings import default_frame
from dealerxl.sample.ch01 import as_dates, codes, dealers, month_starts, period_end, phone_numbers, team_members

GROUPS = pd.DataFrame({
    "product_group": ["PG01", "PG02", "PG03", "PG04", "PG05", "PG06"],
    "group_name": ["冷氣機", "洗衣機", "冰箱", "熱水器", "淨水器", "耗材配件"],
    "uom": ["set", "pcs", "pcs", "set", "pcs", "pack"],
    "price": [32_000.0, 18_000.0, 26_000.0, 9_000.0, 6_500.0, 450.0],
    "share": [0.14, 0.14, 0.14, 0.14, 0.14, 0.30],
})
WAREHOUSES = pd.DataFrame({
    "location": ["WH-C", "WH-N", "WH-S", "WH-E"],
    "location_name": ["桃園中央倉", "台北區域倉", "高雄區域倉", "宜蘭區域倉"],
    "location_type": ["central", "regional", "regional", "regional"],
    "region": ["central", "north", "south", "east"],
})
# Which warehouse serves a region's dealers; regions without a regional warehouse are served centrally.
SERVING = {"north": "WH-N", "south": "WH-S", "east": "WH-E", "central": "WH-C", "west": "WH-C"}
PACK_SIZES = np.array([1, 1, 2, 4, 6, 10, 12, 24])
APPROVALS_SINCE = pd.Timestamp("2015-01-01")  # the oldest supplier approval on file
MAKER_NAMES = ["宏昇", "聯鑫", "昌達", "佳煒", "兆隆", "順泰", "鼎益", "承陽", "冠群", "立昶"]
MAKER_TRADES = ["電機", "工業", "科技", "實業", "精密"]
SEASON = np.array([0.85, 0.8, 0.9, 1.0, 1.1, 1.25, 1.3, 1.2, 1.05, 0.95, 0.9, 1.0])  # Jan … Dec


def document_numbers(prefix: str, dates, width: int = 6) -> np.ndarray:
    """Document numbers the way the ERP prints them: prefix, year and month, running number
    (``PO2610-000123``), numbered in the order given."""
    stamp = pd.Series(pd.DatetimeIndex(dates).strftime("%y%m"))
    return (prefix + stamp + "-" + pd.Series(codes("", len(stamp), width))).to_numpy(dtype=object)


def inventory_staff(ctx) -> np.ndarray:
    """Staff ids of the inventory team (buyers, warehouse owners), or stand-in ids without a roster."""
    if "team_roster" in ctx.frames:
        members = team_members(ctx, "inventory")
        if len(members):
            return members
    return codes("INV", 4, 2)


def pick_models(rng, n: int) -> np.ndarray:
    """Model numbers such as ``AX-3120``: a series letter pair and a four-digit number."""
    letters = np.array(list("ABCDEFGHJKLMNPRSTUVWXZ"))
    first, second = rng.choice(letters, n), rng.choice(letters, n)
    number = pd.Series(rng.integers(1000, 9999, n)).astype(str)
    return (pd.Series(first) + pd.Series(second) + "-" + number).to_numpy(dtype=object)


def _items(ctx, suppliers: pd.DataFrame) -> pd.DataFrame:
    rng, n = ctx.rng, ctx.size.skus
    group = rng.choice(len(GROUPS), size=n, p=GROUPS["share"].to_numpy())
    g = GROUPS.iloc[group].reset_index(drop=True)
    list_price = (g["price"].to_numpy() * rng.lognormal(0, 0.35, n)).round(-1).clip(50)
    cost_share = rng.uniform(0.55, 0.75, n)
    # Items are bought from makers the department may order from (not suspended or retired ones).
    makers = suppliers.loc[(suppliers["supplier_category"] != "logistics")
                           & suppliers["supplier_status"].isin(["approved", "conditional"])].reset_index(drop=True)
    supplier = rng.integers(0, len(makers), n)
    base_lead = makers["base_lead_days"].to_numpy()[supplier]
    lead = np.maximum(3, np.round(base_lead * rng.uniform(0.8, 1.25, n)))
    status = rng.choice(["active", "new", "phase_out", "discontinued"], size=n, p=[0.86, 0.06, 0.05, 0.03])
    months_back = np.where(status == "new", rng.integers(1, 6, n), rng.integers(24, 96, n))
    launch = pd.PeriodIndex.from_ordinals(ctx.end.ordinal - months_back, freq="M").to_timestamp()
    pack = rng.choice(PACK_SIZES, size=n)
    moq = pack * rng.choice([1, 1, 2, 5, 10], size=n)
    sku = codes("SKU", n, 5)
    # Items leaving the range point at an active item of the same group to sell instead.
    active_by_group = pd.Series(np.arange(n))[status == "active"].groupby(group[status == "active"]).first()
    substitute_idx = pd.Series(group).map(active_by_group)
    leaving = np.isin(status, ["phase_out", "discontinued"]) & substitute_idx.notna().to_numpy()
    substitute = np.where(leaving, sku[substitute_idx.fillna(0).astype(int).to_numpy()], None)
    holding = np.where(rng.random(n) < 0.15, np.nan, rng.choice([0.18, 0.2, 0.22, 0.25, 0.3], size=n))
    order_cost = np.where(rng.random(n) < 0.1, np.nan, rng.choice([300.0, 450.0, 600.0, 800.0], size=n))
    lead_sd = np.where(rng.random(n) < 0.05, np.nan, (lead * rng.uniform(0.08, 0.35, n)).round(1))
    override = np.where(rng.random(n) < 0.03, 0.99, np.nan)
    return pd.DataFrame({
        "sku": sku,
        "sku_name": (g["group_name"] + " " + pd.Series(pick_models(rng, n))).to_numpy(dtype=object),
        "product_group": g["product_group"].to_numpy(dtype=object),
        "unit": g["uom"].to_numpy(dtype=object),
        "list_price": list_price,
        "unit_cost": (list_price * cost_share).round(0),
        "supplier_id": makers["supplier_id"].to_numpy()[supplier],
        "lead_time_days": lead.astype(float),
        "lead_time_sd_days": lead_sd,
        "order_cost": order_cost,
        "holding_cost_rate": holding,
        "moq": moq.astype(float),
        "pack_size": pack.astype(float),
        "service_level_override": override,
        "substitute_sku": pd.Series(substitute, dtype=object).to_numpy(),
        "launch_date": as_dates(launch).to_numpy(),
        "status": status.astype(object),
    })


def _suppliers(ctx) -> pd.DataFrame:
    rng = ctx.rng
    makers = max(6, ctx.size.skus // 50)
    carriers = 4
    n = makers + carriers
    category = np.concatenate([rng.choice(["manufacturer", "trading", "oem"], size=makers, p=[0.6, 0.25, 0.15]),
                               np.repeat("logistics", carriers)])
    overseas = (rng.random(n) < 0.3) & (category != "logistics")
    country = np.where(overseas, rng.choice(["JP", "CN", "KR", "TH", "VN"], size=n), "TW")
    status = rng.choice(["approved", "conditional", "suspended", "inactive"], size=n, p=[0.8, 0.12, 0.04, 0.04])
    status[:4] = "approved"  # the main suppliers and the carriers are always approved
    status[makers:] = "approved"
    names = np.concatenate([
        pd.Series(rng.choice(MAKER_NAMES, makers)).add(pd.Series(rng.choice(MAKER_TRADES, makers)))
        .add("股份有限公司").to_numpy(),
        np.array(["順捷物流", "全程快遞", "東聯貨運", "速達宅配"])])
    return pd.DataFrame({
        "supplier_id": np.concatenate([codes("SUP", makers, 3), codes("LOG", carriers, 2)]),
        "supplier_name": names.astype(object),
        "supplier_category": category.astype(object),
        "country": country.astype(object),
        "supplier_status": status.astype(object),
        "approved_date": as_dates(APPROVALS_SINCE + pd.to_timedelta(rng.integers(0, 3000, n), "D")).to_numpy(),
        "owner": rng.choice(inventory_staff(ctx), size=n).astype(object),
        "phone": phone_numbers(ctx, n),
        "email": ("sales@" + pd.Series(codes("s", n, 4)).str.lower() + ".com.tw").to_numpy(dtype=object),
        "note": np.full(n, None, dtype=object),
        # Not a form column: how each supplier behaves, used to draw its deliveries.
        "base_lead_days": np.where(overseas, rng.integers(35, 60, n), rng.integers(7, 21, n)).astype(float),
        "late_days_mean": rng.choice([-1.0, 0.0, 1.0, 3.0, 6.0], size=n, p=[0.2, 0.35, 0.25, 0.12, 0.08]),
        "short_share": rng.choice([0.01, 0.03, 0.08, 0.2], size=n, p=[0.4, 0.3, 0.2, 0.1]),
        "reject_rate": rng.choice([0.002, 0.005, 0.01, 0.03], size=n, p=[0.4, 0.3, 0.2, 0.1]),
        "price_drift": rng.choice([0.0, 0.0, 0.01, 0.03], size=n),
    })


def _stocking(ctx, items: pd.DataFrame, mean_demand: np.ndarray) -> pd.DataFrame:
    """Which item is kept at which warehouse, and the share of its demand each one serves:
    every item at the central warehouse; the faster movers also at regional warehouses."""
    rng, n = ctx.rng, len(items)
    regional = WAREHOUSES.loc[WAREHOUSES["location_type"] == "regional", "location"].to_numpy()
    fast = mean_demand >= np.quantile(mean_demand, 0.6)
    held = fast[:, None] & (rng.random((n, len(regional))) < 0.75)
    weight = np.where(held, rng.uniform(0.5, 1.0, held.shape), 0.0)
    central_weight = np.where(held.any(axis=1), 0.6, 1.0)
    weights = np.column_stack([central_weight, weight])
    share = weights / weights.sum(axis=1, keepdims=True)
    locations = np.concatenate([["WH-C"], regional])
    rows, cols = np.nonzero(share > 0)
    return pd.DataFrame({"item": rows, "location": locations[cols], "share": share[rows, cols]})


def _demand(ctx, items: pd.DataFrame, mean_demand: np.ndarray, pattern: np.ndarray,
            stocking: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng
    months = month_starts(ctx)
    m = len(months)
    item = np.repeat(stocking["item"].to_numpy(), m)
    month = np.tile(months.to_numpy(), len(stocking))
    age = np.tile(np.arange(m - 1, -1, -1), len(stocking))  # months before the last one
    launched = month >= items["launch_date"].to_numpy()[item]
    mean = mean_demand[item] * np.repeat(stocking["share"].to_numpy(), m)
    mean = mean * SEASON[pd.DatetimeIndex(month).month - 1] * (1 + 0.004 * (m - 1 - age))
    status = items["status"].to_numpy()[item]
    fading = np.where(status == "phase_out", np.clip(age / 6, 0.1, 1), 1.0)
    fading = np.where(status == "discontinued", np.where(age < 4, 0.0, np.clip((age - 4) / 8, 0, 1)), fading)
    # Slow movers: items that still sit in stock but have not sold for most of a year.
    fading = np.where(pattern[item] == 4, np.where(age < 9, 0.0, 1.0), fading)
    cv = np.array([0.25, 0.6, 1.2, 0.8, 0.5])[pattern[item]]
    shape = 1 / cv**2
    quantity = rng.poisson(rng.gamma(shape, mean * fading / shape))
    intermittent = (pattern[item] == 3) & (rng.random(len(item)) < 0.55)
    quantity = np.where(intermittent, 0, quantity)
    unfulfilled = np.where(rng.random(len(item)) < 0.04, rng.poisson(quantity * 0.3), 0)
    keep = launched
    return pd.DataFrame({
        "sku": items["sku"].to_numpy()[item][keep],
        "location": np.repeat(stocking["location"].to_numpy(), m)[keep],
        "month": as_dates(month[keep]).to_numpy(),
        "quantity": quantity[keep].astype(float),
        "unfulfilled_qty": unfulfilled[keep].astype(float),
    })


def _deliveries(ctx, items: pd.DataFrame, suppliers: pd.DataFrame, stocking: pd.DataFrame,
                mean_demand: np.ndarray) -> pd.DataFrame:
    """Purchase orders of the last twelve months: each stocked item and warehouse reordered
    every one to four months; orders not yet delivered by the end are open (on order)."""
    rng = ctx.rng
    end = period_end(ctx).normalize()
    start = end - pd.Timedelta(days=365)
    active = items["status"].to_numpy()[stocking["item"].to_numpy()] != "discontinued"
    pairs = stocking[active].reset_index(drop=True)
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
    need = mean_demand[item] * pairs["share"].to_numpy()[row_pair] * interval_months[row_pair]
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


def _stock(ctx, items: pd.DataFrame, stocking: pd.DataFrame, demand: pd.DataFrame,
           deliveries: pd.DataFrame, mean_demand: np.ndarray, pattern: np.ndarray) -> pd.DataFrame:
    rng = ctx.rng
    end = period_end(ctx).normalize()
    n = len(stocking)
    item = stocking["item"].to_numpy()
    monthly = mean_demand[item] * stocking["share"].to_numpy()
    cover = rng.lognormal(np.log(1.3), 0.5, n)
    cover = np.where(pattern[item] == 4, rng.uniform(8, 30, n), cover)  # slow movers pile up
    cover = np.where(rng.random(n) < 0.06, 0.0, cover)  # some items are out of stock
    on_hand = np.round(monthly * cover)
    leftover = np.round(monthly * rng.uniform(0, 6, n))  # what is left of a discontinued item
    on_hand = np.where(items["status"].to_numpy()[item] == "discontinued", leftover, on_hand)
    key = pd.MultiIndex.from_arrays([items["sku"].to_numpy()[item], stocking["location"].to_numpy()])
    open_po = deliveries[deliveries["delivered_date"].isna()].groupby(["sku", "location"])["ordered_qty"].sum()
    on_order = open_po.reindex(key).fillna(0.0).to_numpy()
    reserved = np.floor(on_hand * np.where(rng.random(n) < 0.4, rng.uniform(0, 0.3, n), 0.0))
    last_receipt = deliveries.dropna(subset=["delivered_date"]).groupby(["sku", "location"])["delivered_date"].max()
    sold = demand[demand["quantity"] > 0].groupby(["sku", "location"])["month"].max()
    issue_day = sold.reindex(key).to_numpy() + pd.to_timedelta(rng.integers(0, 28, n), unit="D")
    issue_day = pd.DatetimeIndex(issue_day)
    last_issue = issue_day.where((issue_day <= end) | issue_day.isna(), end)  # never sold stays blank
    return pd.DataFrame({
        "sku": key.get_level_values(0).to_numpy(dtype=object),
        "location": key.get_level_values(1).to_numpy(dtype=object),
        "on_hand": on_hand.astype(float),
        "on_order": on_order.astype(float),
        "reserved": reserved.astype(float),
        "last_receipt_date": as_dates(last_receipt.reindex(key).to_numpy()).to_numpy(),
        "last_issue_date": as_dates(last_issue).to_numpy(),
    })


def _dealer_stock(ctx, mean_demand: np.ndarray, items: pd.DataFrame) -> pd.DataFrame:
    """Twelve months of stock and sell-out reports per dealer and product group it carries;
    about one dealer in ten lets stock build up over the last months."""
    rng = ctx.rng
    dealer_ids = dealers(ctx)["dealer_id"].to_numpy()
    d, groups = len(dealer_ids), GROUPS["product_group"].to_numpy()
    months = month_starts(ctx)[-12:]
    carries = rng.random((d, len(groups))) < 0.55
    carries[np.arange(d), rng.integers(0, len(groups), d)] = True
    dealer_idx, group_idx = np.nonzero(carries)
    pairs, m = len(dealer_idx), len(months)
    group_volume = (pd.Series(mean_demand).groupby(items["product_group"].to_numpy()).sum()
                    .reindex(groups).fillna(1).to_numpy())
    size = rng.lognormal(0, 0.8, d)
    base = group_volume[group_idx] * size[dealer_idx] / size.sum() * 0.8
    season = SEASON[months.month.to_numpy() - 1]
    sell_out = rng.poisson(np.maximum(base[:, None] * season[None, :], 0.2)).astype(float)
    building = rng.random(d) < 0.1
    ramp = np.clip(np.arange(m) - (m - 5), 0, None) * 0.6  # cover grows over the last five months
    cover = rng.uniform(0.8, 1.8, pairs)[:, None] + np.where(building[dealer_idx], 1, 0)[:, None] * ramp[None, :]
    stock = np.round(sell_out.mean(axis=1, keepdims=True) * cover * rng.uniform(0.9, 1.1, (pairs, m)))
    return pd.DataFrame({
        "dealer_id": np.repeat(dealer_ids[dealer_idx], m),
        "month": as_dates(np.tile(months.to_numpy(), pairs)).to_numpy(),
        "product_group": np.repeat(groups[group_idx], m).astype(object),
        "dealer_stock_qty": stock.ravel(),
        "sell_out_qty": sell_out.ravel(),
    })


def _shipments(ctx, items: pd.DataFrame, suppliers: pd.DataFrame) -> pd.DataFrame:
    """Shipments to dealers over the last twelve months from the warehouse serving their region."""
    rng = ctx.rng
    end = period_end(ctx).normalize()
    book = dealers(ctx)
    per_dealer = rng.poisson(12 * 1.2, len(book))
    dealer = np.repeat(np.arange(len(book)), per_dealer)
    n = len(dealer)
    ship = (end - pd.to_timedelta(rng.integers(0, 365, n), unit="D")).normalize()
    region = book["region"].to_numpy()[dealer]
    location = pd.Series(region).map(SERVING).to_numpy(dtype=object)
    distance = np.where(location == "WH-C", np.where(region == "central", 1.0, 2.5), 1.0)
    units = np.maximum(1, np.round(rng.lognormal(2.5, 0.8, n)))
    mode = np.where(units > 60, "road_ftl", np.where(units < 4, "express", "road_ltl"))
    base_cost = pd.Series(mode).map({"road_ftl": 6000.0, "road_ltl": 900.0, "express": 180.0}).to_numpy()
    per_unit = pd.Series(mode).map({"road_ftl": 15.0, "road_ltl": 45.0, "express": 90.0}).to_numpy()
    cost = np.round((base_cost + per_unit * units) * distance * rng.uniform(0.9, 1.15, n))
    value = np.round(units * rng.choice(items["list_price"].to_numpy(), n) * 0.8, 0)
    transit = np.where(mode == "express", 1, np.ceil(distance)).astype(int)
    promised = ship + pd.to_timedelta(transit, unit="D")
    late = np.where(rng.random(n) < 0.08, rng.integers(1, 4, n), 0)
    delivered = ship + pd.to_timedelta(transit + late - (rng.random(n) < 0.2), unit="D")
    delivered = pd.DatetimeIndex(np.maximum(delivered, ship))
    cancelled = rng.random(n) < 0.01
    arrived = (delivered <= end) & ~cancelled
    status = np.where(cancelled, "cancelled", np.where(arrived, "delivered", "in_transit"))
    carriers = suppliers.loc[suppliers["supplier_category"] == "logistics", "supplier_id"].to_numpy()
    # Each region has its regular carrier; parcels go with the next one on the list.
    region_no = pd.Series(region).astype("category").cat.codes.to_numpy()
    carrier = carriers[(region_no + (mode == "express")) % len(carriers)]
    frame = pd.DataFrame({
        "shipment_id": np.zeros(n, dtype=object),
        "ship_date": as_dates(ship).to_numpy(),
        "location": location,
        "dealer_id": book["dealer_id"].to_numpy()[dealer],
        "region": region.astype(object),
        "route": (pd.Series(location) + ">" + pd.Series(region).str.upper()).to_numpy(dtype=object),
        "carrier": carrier.astype(object),
        "transport_mode": mode.astype(object),
        "shipped_units": units,
        "shipment_value": value,
        "cost": np.where(cancelled, 0.0, cost),
        "promised_date": as_dates(promised).to_numpy(),
        "delivered_date": as_dates(delivered.where(arrived)).to_numpy(),
        "shipment_status": status.astype(object),
    }).sort_values(["ship_date", "dealer_id"], ignore_index=True)
    frame["shipment_id"] = document_numbers("SH", frame["ship_date"])
    return frame


def generate(ctx) -> dict[str, pd.DataFrame]:
    rng, n = ctx.rng, ctx.size.skus
    suppliers = _suppliers(ctx)
    items = _items(ctx, suppliers)
    # A few items carry most of the value: Pareto-like mean monthly demand, cheaper items sell more.
    mean_demand = rng.pareto(1.6, n) * 12 + 1
    group_price = items["product_group"].map(GROUPS.set_index("product_group")["price"]).to_numpy()
    mean_demand = mean_demand * (GROUPS["price"].max() / group_price) ** 0.35
    # 0 steady, 1 variable, 2 erratic, 3 intermittent, 4 slow-moving (stopped selling)
    pattern = rng.choice(5, size=n, p=[0.45, 0.25, 0.1, 0.12, 0.08])
    pattern = np.where(items["status"].to_numpy() == "active", pattern, np.minimum(pattern, 3))
    stocking = _stocking(ctx, items, mean_demand)
    demand = _demand(ctx, items, mean_demand, pattern, stocking)
    deliveries = _deliveries(ctx, items, suppliers, stocking, mean_demand)
    stock = _stock(ctx, items, stocking, demand, deliveries, mean_demand, pattern)
    supplier_columns = [c.id for c in FORMS["suppliers"].columns]
    warehouses = WAREHOUSES.assign(owner=rng.choice(inventory_staff(ctx), size=len(WAREHOUSES)).astype(object))
    return {
        # The item master comes first: later chapters take their SKU list from the first
        # frame holding SKUs and product groups (see dealerxl.sample.ch01.skus).
        "item_master": items,
        "warehouses": warehouses[[c.id for c in FORMS["warehouses"].columns]],
        "stock_ledger": stock,
        "demand_history": demand,
        "dealer_stock": _dealer_stock(ctx, mean_demand, items),
        "suppliers": suppliers[supplier_columns],
        "supplier_deliveries": deliveries,
        "shipments": _shipments(ctx, items, suppliers),
        **{form_id: default_frame(form_id) for form_id in
           ("abc_thresholds", "xyz_thresholds", "abc_xyz_policy", "supplier_score_weights", "supplier_grade_bands")},
    }
