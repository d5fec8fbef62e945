"""Sample data for chapter 6: campaigns and their monthly spend, promotions and dealer claims,
and digital results derived from the digital channels' spend (so the funnel and the money agree).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .ch01 import (REGIONS, as_dates, codes, dealers, month_starts, period_end, pick, random_days, skus,
                   team_members)

CAMPAIGN_TYPES = ("brand", "advertising", "promotion", "digital", "event", "public_relations")
CAMPAIGN_SHARE = (0.15, 0.2, 0.25, 0.25, 0.1, 0.05)
CHANNELS = np.array(["tv", "radio", "print", "outdoor", "search", "social", "video", "email", "event",
                     "in_store"], dtype=object)
DIGITAL = ("search", "social", "video", "email")
# How likely each campaign type is to use each channel (rows follow CAMPAIGN_TYPES, columns CHANNELS).
CHANNEL_AFFINITY = np.array([
    [5, 2, 3, 4, 1, 3, 3, 0, 1, 1],
    [4, 3, 3, 3, 3, 3, 3, 1, 0, 1],
    [0, 1, 2, 1, 2, 3, 1, 2, 1, 5],
    [0, 0, 0, 0, 5, 5, 4, 3, 0, 0],
    [0, 0, 1, 1, 0, 2, 1, 1, 5, 1],
    [0, 1, 4, 0, 0, 3, 1, 1, 1, 0],
], dtype=float)
TYPE_NAME = {"brand": "品牌形象", "advertising": "廣告投放", "promotion": "促銷推廣", "digital": "數位行銷",
             "event": "經銷商展會", "public_relations": "媒體公關"}
TYPE_OBJECTIVE = {"brand": "提升品牌知名度", "advertising": "帶動新品詢問量", "promotion": "拉動經銷商進貨與終端銷售",
                  "digital": "增加線上名單與轉換", "event": "招募新經銷商並深化合作", "public_relations": "建立專業形象"}
REGION_NAME = {"north": "北區", "central": "中區", "south": "南區", "east": "東區", "west": "西區"}
SEASON = np.array(["春季", "夏季", "秋季", "冬季"], dtype=object)
VENDOR = {"tv": "電視台業務部", "radio": "廣播電台", "print": "報刊雜誌社", "outdoor": "戶外看板公司",
          "search": "搜尋廣告平台", "social": "社群廣告平台", "video": "影音廣告平台", "email": "電子報服務商",
          "event": "展覽公關公司", "in_store": "陳列製作廠商"}
# Digital funnel rates by channel: cost per thousand impressions, click-through, lead and conversion rates.
CPM = {"search": 120.0, "social": 80.0, "video": 150.0, "email": 60.0}
CTR = {"search": 0.035, "social": 0.012, "video": 0.008, "email": 0.025}
LEAD_RATE = {"search": 0.08, "social": 0.05, "video": 0.03, "email": 0.06}
CLOSE_RATE = {"search": 0.12, "social": 0.08, "video": 0.06, "email": 0.1}


def _status(ctx, start, end_date, n) -> np.ndarray:
    now = period_end(ctx).normalize()
    status = np.where(end_date < now, "completed", np.where(start <= now, "running",
                      pick(ctx, ("planned", "approved"), n)))
    return np.where(ctx.rng.random(n) < 0.03, "cancelled", status).astype(object)


def _campaigns(ctx) -> pd.DataFrame:
    rng = ctx.rng
    per_month = 1.5 if ctx.size.dealers < 500 else 3.0
    n = int(round(per_month * (ctx.size.months + 2)))
    kind = pick(ctx, CAMPAIGN_TYPES, n, p=CAMPAIGN_SHARE)
    start = random_days(ctx, n, month_starts(ctx)[0], period_end(ctx) + pd.DateOffset(months=2))
    length = np.where(np.isin(kind, ("event",)), rng.integers(2, 8, n), rng.integers(21, 121, n))
    end = start + pd.to_timedelta(length - 1, unit="D")
    scale = pd.Series(kind).map({"brand": 900_000, "advertising": 600_000, "promotion": 300_000,
                                 "digital": 250_000, "event": 400_000, "public_relations": 150_000}).to_numpy()
    budget = np.round(scale * rng.lognormal(0, 0.35, n) * max(1.0, ctx.size.dealers / 400), -3)
    national = rng.random(n) < 0.6
    region = np.where(national, None, pick(ctx, REGIONS, n))
    season = SEASON[(start.month.to_numpy() - 1) // 3]
    region_name = pd.Series(region).map(REGION_NAME)
    name = (pd.Series(start.year.astype(str)) + pd.Series(season) + pd.Series(kind).map(TYPE_NAME)
            + ("（" + region_name + "）").fillna(""))
    owners = team_members(ctx, "marketing")
    return pd.DataFrame({
        "campaign_id": codes("MC", n, 4),
        "campaign_name": name.to_numpy(dtype=object),
        "campaign_type": kind,
        "objective": pd.Series(kind).map(TYPE_OBJECTIVE).to_numpy(dtype=object),
        "target_audience": np.where(np.isin(kind, ("event",)), "經銷商", "終端消費者").astype(object),
        "region": region.astype(object),
        "start_date": as_dates(start),
        "end_date": as_dates(end),
        "budget": budget.astype(float),
        "owner": pick(ctx, owners, n),
        "campaign_status": _status(ctx, start, end, n),
    })


def _spend(ctx, plan: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng
    n = len(plan)
    type_index = pd.Series(plan["campaign_type"]).map({t: i for i, t in enumerate(CAMPAIGN_TYPES)}).to_numpy()
    # Each campaign uses 1–3 channels, drawn without replacement weighted by its type's affinity.
    affinity = CHANNEL_AFFINITY[type_index]
    keys = np.where(affinity > 0, -np.log(rng.random(affinity.shape)) / np.where(affinity > 0, affinity, 1), np.inf)
    order = keys.argsort(axis=1)
    k = np.minimum(rng.integers(1, 4, n), (affinity > 0).sum(axis=1))
    share = rng.dirichlet(np.ones(3), n)
    share = np.where(np.arange(3)[None, :] < k[:, None], share, 0)
    share = share / share.sum(axis=1, keepdims=True)
    first = plan["start_date"].dt.to_period("M")
    last = plan["end_date"].dt.to_period("M")
    months = (last.dt.year - first.dt.year) * 12 + (last.dt.month - first.dt.month) + 1
    months = months.to_numpy()
    # One row per campaign × chosen channel × month of the campaign.
    pair_campaign = np.repeat(np.arange(n), k)
    pair_slot = np.arange(len(pair_campaign)) - np.repeat(np.cumsum(k) - k, k)
    rows_per_pair = months[pair_campaign]
    campaign = np.repeat(pair_campaign, rows_per_pair)
    slot = np.repeat(pair_slot, rows_per_pair)
    offset = np.arange(len(campaign)) - np.repeat(np.cumsum(rows_per_pair) - rows_per_pair, rows_per_pair)
    month = (plan["start_date"].dt.to_period("M").to_numpy()[campaign]) + offset
    month = pd.PeriodIndex(month, freq="M")
    channel = CHANNELS[order[campaign, slot]]
    budget = np.round(plan["budget"].to_numpy()[campaign] * share[campaign, slot] / months[campaign], 0)
    booked = (month <= ctx.end) & (plan["campaign_status"].to_numpy()[campaign] != "planned")
    cancelled = plan["campaign_status"].to_numpy()[campaign] == "cancelled"
    actual = np.where(booked, np.round(budget * rng.lognormal(0, 0.15, len(campaign)), 0), np.nan)
    actual = np.where(cancelled & booked, np.round(budget * 0.1, 0), actual)
    return pd.DataFrame({
        "campaign_id": plan["campaign_id"].to_numpy()[campaign],
        "marketing_channel": channel,
        "month": as_dates(month.to_timestamp(how="start")),
        "budget": budget.astype(float),
        "actual_spend": actual,
        "vendor": pd.Series(channel).map(VENDOR).to_numpy(dtype=object),
        "note": np.where(actual > budget * 1.2, "追加曝光檔期", None),
    })


def _digital(ctx, spend: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng
    rows = spend[spend["marketing_channel"].isin(DIGITAL) & spend["actual_spend"].gt(0)].reset_index(drop=True)
    channel = rows["marketing_channel"]
    cost = rows["actual_spend"].to_numpy()
    impressions = np.round(cost / channel.map(CPM).to_numpy() * 1000 * rng.lognormal(0, 0.2, len(rows)))
    impressions = impressions.astype("int64")
    clicks = rng.binomial(impressions, channel.map(CTR).to_numpy())
    leads = rng.binomial(clicks, channel.map(LEAD_RATE).to_numpy())
    conversions = rng.binomial(leads, channel.map(CLOSE_RATE).to_numpy())
    revenue = np.round(conversions * rng.lognormal(np.log(18_000), 0.3, len(rows)), 0)
    return pd.DataFrame({
        "campaign_id": rows["campaign_id"].to_numpy(dtype=object),
        "marketing_channel": channel.to_numpy(dtype=object),
        "month": rows["month"],
        "impressions": impressions,
        "clicks": clicks.astype("int64"),
        "leads": leads.astype("int64"),
        "conversions": conversions.astype("int64"),
        "cost": cost.astype(float),
        "attributed_revenue": revenue.astype(float),
    })


def _promotions(ctx, plan: pd.DataFrame, dealer_list: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng
    n = ctx.size.months * max(2, ctx.size.dealers // 300)
    kind = pick(ctx, ("price_discount", "volume_rebate", "gift", "bundle", "display_support"), n,
                p=(0.45, 0.2, 0.15, 0.1, 0.1))
    scope = pick(ctx, ("national", "region", "dealer"), n, p=(0.5, 0.3, 0.2))
    start = random_days(ctx, n, month_starts(ctx)[0], period_end(ctx) + pd.DateOffset(months=1))
    end = start + pd.to_timedelta(rng.integers(7, 43, n) - 1, unit="D")
    item = items.iloc[rng.integers(0, len(items), n)].reset_index(drop=True)
    one_sku = rng.random(n) < 0.3
    dealer = dealer_list.iloc[rng.integers(0, len(dealer_list), n)].reset_index(drop=True)
    region = np.where(scope == "region", pick(ctx, REGIONS, n), np.where(scope == "dealer", dealer["region"], None))
    discount = np.where(np.isin(kind, ("price_discount", "bundle")), rng.integers(1, 7, n) * 0.05,
                        np.where(kind == "volume_rebate", rng.integers(1, 4, n) * 0.01, np.nan))
    # Budget: expected participating dealers × an average claim of 25,000 with a 10 % reserve.
    dealers_per_region = len(dealer_list) / len(REGIONS)
    participants = np.where(scope == "dealer", 1.0, np.where(scope == "region", dealers_per_region * 0.3,
                                                             len(dealer_list) * 0.08))
    budget = np.round(np.maximum(participants, 1) * 25_000 * 1.1 * rng.lognormal(0, 0.2, n), -3)
    promo_campaigns = plan.loc[plan["campaign_type"] == "promotion", "campaign_id"].to_numpy(dtype=object)
    linked = (rng.random(n) < 0.5) & (len(promo_campaigns) > 0)
    campaign = np.where(linked, pick(ctx, promo_campaigns if len(promo_campaigns) else np.array([None]), n), None)
    type_name = pd.Series(kind).map({"price_discount": "限時折扣", "volume_rebate": "進貨返利", "gift": "買就送",
                                     "bundle": "組合優惠", "display_support": "陳列獎勵"})
    name = (pd.Series(start.strftime("%Y年%m月")) + " " + item["product_group"].astype(str) + type_name)
    return pd.DataFrame({
        "promotion_id": codes("PR", n, 5),
        "promotion_name": name.to_numpy(dtype=object),
        "promotion_type": kind,
        "campaign_id": campaign,
        "product_group": item["product_group"].to_numpy(dtype=object),
        "sku": np.where(one_sku, item["sku"].to_numpy(dtype=object), None),
        "dealer_id": np.where(scope == "dealer", dealer["dealer_id"].to_numpy(dtype=object), None),
        "region": region.astype(object),
        "start_date": as_dates(start),
        "end_date": as_dates(end),
        "discount_rate": np.round(discount, 2),
        "budget": budget.astype(float),
        "expected_uplift": np.round(rng.uniform(0.05, 0.5, n), 2),
        "campaign_status": _status(ctx, start, end, n),
    })


def _claims(ctx, promotions: pd.DataFrame, dealer_list: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng
    now = period_end(ctx).normalize()
    done = promotions[(promotions["end_date"] < now) & (promotions["campaign_status"] != "cancelled")]
    done = done.reset_index(drop=True)
    # Which dealers took part: the named dealer, some of the region's, a few of all.
    for_dealer = done["dealer_id"].notna().to_numpy()[:, None]
    for_region = (done["dealer_id"].isna() & done["region"].notna()).to_numpy()[:, None]
    eligible = np.where(for_dealer, done["dealer_id"].to_numpy()[:, None] == dealer_list["dealer_id"].to_numpy()[None, :],
                        np.where(for_region, done["region"].to_numpy()[:, None] == dealer_list["region"].to_numpy()[None, :],
                                 True))
    take_part = np.where(for_dealer, 1.0, np.where(for_region, 0.3, 0.08))
    joined = eligible & (rng.random(eligible.shape) < take_part)
    promo_index, dealer_index = np.nonzero(joined)
    m = len(promo_index)
    claim_date = (done["end_date"].to_numpy()[promo_index]
                  + pd.to_timedelta(rng.integers(3, 31, m), unit="D").to_numpy())
    keep = claim_date <= np.datetime64(now)
    promo_index, dealer_index, claim_date = promo_index[keep], dealer_index[keep], claim_date[keep]
    m = len(promo_index)
    quantity = rng.integers(5, 200, m).astype(float)
    amount = np.round(rng.lognormal(np.log(22_000), 0.5, m), 0)
    age = (np.datetime64(now) - claim_date).astype("timedelta64[D]").astype(int)
    outcome = pick(ctx, ("paid", "partly_approved", "rejected"), m, p=(0.85, 0.1, 0.05))
    outcome = np.where(age < 10, pick(ctx, ("submitted", "approved"), m), outcome)
    approved = np.where(outcome == "rejected", 0.0, np.where(outcome == "partly_approved",
                        np.round(amount * rng.uniform(0.5, 0.9, m), 0), amount))
    approved = np.where(outcome == "submitted", np.nan, approved)
    paid = pd.DatetimeIndex(claim_date) + pd.to_timedelta(rng.integers(10, 46, m), unit="D")
    is_paid = (outcome == "paid") & (paid <= now)
    outcome = np.where((outcome == "paid") & ~is_paid, "approved", outcome)
    return pd.DataFrame({
        "claim_id": codes("PC", m, 6),
        "promotion_id": done["promotion_id"].to_numpy()[promo_index],
        "dealer_id": dealer_list["dealer_id"].to_numpy(dtype=object)[dealer_index],
        "claim_date": as_dates(claim_date),
        "sku": done["sku"].to_numpy(dtype=object)[promo_index],
        "quantity": quantity,
        "claim_amount": amount.astype(float),
        "approved_amount": approved,
        "claim_status": outcome.astype(object),
        "paid_date": as_dates(paid.where(is_paid)),
        "note": np.where(outcome == "rejected", "缺少銷售證明", None),
    })


def generate(ctx) -> dict[str, pd.DataFrame]:
    dealer_list = dealers(ctx)
    plan = _campaigns(ctx)
    spend = _spend(ctx, plan)
    promotions = _promotions(ctx, plan, dealer_list, skus(ctx))
    return {
        "marketing_plan": plan,
        "marketing_spend": spend,
        "promotion_plan": promotions,
        "promotion_claims": _claims(ctx, promotions, dealer_list),
        "digital_campaigns": _digital(ctx, spend),
    }
