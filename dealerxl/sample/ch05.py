"""Sample data for chapter 5: items, warehouses and suppliers, and the demand each item is
planned to meet; the stock movements come after the sales (:mod:`dealerxl.sample.ch05_stock`).

Demand drives everything else: each item gets a mean monthly demand (a few items carry most
of the value), a pattern (steady, variable, erratic or intermittent) and a life cycle (new,
active, phasing out, discontinued, or quietly slow-moving). The sales chapter sells the items
by that plan, and stock, orders, deliveries and shipments follow from what was sold, so the
inventory job finds realistic reorder points, stock-outs and slow movers. Everything is drawn
with whole arrays; nothing loops over rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.forms import FORMS
from dealerxl.sample.settings import default_frame
from dealerxl.sample.ch01 import as_dates, codes, month_starts, phone_numbers, team_members

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
        "product_group_name": g["group_name"].to_numpy(dtype=object),
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


def _demand_plan(ctx, items: pd.DataFrame, mean_demand: np.ndarray, pattern: np.ndarray) -> np.ndarray:
    """Expected units of each item in each month of the sample (items × months): its mean
    demand through the season and a slow rise, nothing before launch, fading out when it is
    phased out or discontinued, nothing for most of a year when it has stopped selling, with
    month-to-month noise as its pattern has it (steady, variable, erratic, intermittent)."""
    rng = ctx.rng
    months = month_starts(ctx)
    m = len(months)
    age = np.arange(m - 1, -1, -1)[None, :]  # months before the last one
    launched = months.to_numpy()[None, :] >= pd.DatetimeIndex(items["launch_date"]).to_numpy()[:, None]
    mean = mean_demand[:, None] * SEASON[months.month.to_numpy() - 1][None, :] * (1 + 0.004 * (m - 1 - age))
    status = items["status"].to_numpy()[:, None]
    fading = np.where(status == "phase_out", np.clip(age / 6, 0.1, 1), 1.0)
    fading = np.where(status == "discontinued", np.where(age < 4, 0.0, np.clip((age - 4) / 8, 0, 1)), fading)
    # Slow movers: items that still sit in stock but have not sold for most of a year.
    fading = np.where(pattern[:, None] == 4, np.where(age < 9, 0.0, 1.0), fading)
    cv = np.array([0.25, 0.6, 1.2, 0.8, 0.5])[pattern][:, None]
    shape = np.broadcast_to(1 / cv**2, mean.shape)
    expected = rng.gamma(shape, mean * fading / shape)
    intermittent = (pattern[:, None] == 3) & (rng.random(mean.shape) < 0.55)
    return np.where(intermittent | ~launched, 0.0, expected)


def generate(ctx) -> dict[str, pd.DataFrame]:
    rng, n = ctx.rng, ctx.size.skus
    suppliers = _suppliers(ctx)
    items = _items(ctx, suppliers)
    # A few items carry most of the value: Pareto-like mean monthly demand; cheaper items sell
    # more units (a line of them carries more units too: dealerxl.sample.ch04.units_per_line).
    mean_demand = rng.pareto(1.6, n) * 12 + 1
    group_price = items["product_group"].map(GROUPS.set_index("product_group")["price"]).to_numpy()
    mean_demand = mean_demand * (GROUPS["price"].max() / group_price) ** 0.7
    # 0 steady, 1 variable, 2 erratic, 3 intermittent, 4 slow-moving (stopped selling)
    pattern = rng.choice(5, size=n, p=[0.45, 0.25, 0.1, 0.12, 0.08])
    pattern = np.where(items["status"].to_numpy() == "active", pattern, np.minimum(pattern, 3))
    # The sales chapter sells the items as planned here; the stock movements follow those sales
    # (dealerxl.sample.ch05_stock).
    ctx.plan["item_demand"] = _demand_plan(ctx, items, mean_demand, pattern)
    ctx.plan["item_pattern"] = pattern
    # The suppliers with how each behaves (lead time, lateness, short and rejected deliveries):
    # the purchase orders drawn with the stock follow it.
    ctx.plan["suppliers"] = suppliers
    supplier_columns = [c.id for c in FORMS["suppliers"].columns]
    warehouses = WAREHOUSES.assign(owner=rng.choice(inventory_staff(ctx), size=len(WAREHOUSES)).astype(object))
    return {
        # The item master comes first: later chapters take their SKU list from the first
        # frame holding SKUs and product groups (see dealerxl.sample.ch01.skus).
        "item_master": items,
        "warehouses": warehouses[[c.id for c in FORMS["warehouses"].columns]],
        "suppliers": suppliers[supplier_columns],
        **{form_id: default_frame(form_id) for form_id in
           ("abc_thresholds", "xyz_thresholds", "abc_xyz_policy", "supplier_score_weights", "supplier_grade_bands")},
    }
