"""Sample data for chapter 3: the dealer master, channel policies, market research, prospects
and their scores, contracts with their renewal history, the training and support given to
dealers and the dealers' quarterly self-evaluation.

Dealers differ in size (one log-normal draw that sets credit limit, outlets and, in the sales
chapter, how much they buy), most trade actively, some joined during the sample period
(those came through the recruitment pipeline and carry their prospect id), a few were
suspended or terminated, and a few have just signed and not traded yet. Nothing loops over rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.sample.ch01 import (REGIONS, as_dates, codes, month_starts, period_end, period_start, person_names,
                                  phone_numbers, pick, random_days, skus, team_members)
from dealerxl.sample.ch04 import LINES_PER_INVOICE, RETURN_SHARE, expected_invoices
from dealerxl.sample.ch05 import SEASON, document_numbers
from dealerxl.sample.settings import default_frame

CITIES = {
    "north": ("台北市", "新北市", "基隆市", "桃園市"),
    "central": ("台中市", "彰化縣", "南投縣", "新竹市"),
    "south": ("高雄市", "台南市", "屏東縣", "嘉義市"),
    "east": ("宜蘭縣", "花蓮縣", "台東縣"),
    "west": ("雲林縣", "苗栗縣", "澎湖縣"),
}
REGION_SHARE = (0.30, 0.25, 0.25, 0.10, 0.10)
ROADS = np.array(["中山路", "民生路", "復興路", "建國路", "成功路", "和平路", "光復路", "自由路", "中華路", "忠孝路"])
NAME_HEADS = np.array(["宏", "永", "大", "新", "全", "億", "金", "東", "順", "聯", "泰", "華", "鑫", "榮", "昌", "合"])
NAME_TAILS = np.array(["家電", "電器", "商行", "實業", "企業", "貿易", "興業", "電機"])
CHANNEL_SHARE = {"distributor": 0.08, "dealer": 0.62, "agent": 0.18, "direct": 0.12}
CHANNEL_SIZE = {"distributor": 4.0, "dealer": 1.0, "agent": 0.6, "direct": 1.5}  # how much a channel buys
# Dealers per region that traded through the whole sample and still do, so every region sells every month.
STEADY_PER_REGION = 2
TIER_SHARE = {"gold": 0.15, "silver": 0.35, "bronze": 0.50}

# Recruitment terms per channel type and tier (3.2): the policy a dealer signs on.
POLICIES = pd.DataFrame([
    ("POL-DIS-G", "總經銷金牌政策", "distributor", "gold", 30_000_000, 3_000_000, 0.20, 0.03, 60, 20_000_000, "yes", 2.0),
    ("POL-DIS-S", "總經銷標準政策", "distributor", "silver", 15_000_000, 1_500_000, 0.18, 0.02, 60, 10_000_000, "yes", 2.0),
    ("POL-DLR-G", "經銷商金牌政策", "dealer", "gold", 8_000_000, 800_000, 0.12, 0.02, 45, 5_000_000, "no", 1.5),
    ("POL-DLR-S", "經銷商銀牌政策", "dealer", "silver", 4_000_000, 400_000, 0.10, 0.015, 45, 2_500_000, "no", 1.5),
    ("POL-DLR-B", "經銷商銅牌政策", "dealer", "bronze", 1_500_000, 200_000, 0.08, 0.01, 30, 1_000_000, "no", 1.0),
    ("POL-AGT-S", "代理商標準政策", "agent", "silver", 3_000_000, 300_000, 0.10, 0.01, 30, 1_500_000, "no", 1.0),
    ("POL-AGT-B", "代理商入門政策", "agent", "bronze", 1_000_000, 100_000, 0.08, 0.0, 30, 600_000, "no", 1.0),
    ("POL-DIR", "直營門市政策", "direct", None, 0, 0, 0.0, 0.0, 30, 3_000_000, "no", 1.0),
], columns=["policy_id", "policy_name", "channel_type", "tier", "min_annual_purchase", "deposit", "discount_rate",
            "rebate_rate", "payment_terms_days", "credit_limit", "exclusive_territory", "min_stock_months"])
POLICY_TEXT = {
    "distributor": "負責區域內二級經銷商開發與配送，季度返利依達成率結算",
    "dealer": "門市零售與安裝服務，年度返利依進貨額結算",
    "agent": "代理接單不囤貨，按成交金額計佣",
    "direct": "公司直營門市，依公司價格政策銷售",
}
CONTRACT_TERMS = np.array(["年度進貨目標與返利依附件一；區域內不得銷售競品",
                           "保證金於合約終止後 60 日內無息退還",
                           "價格依公司公告價目表，促銷另行通知",
                           "逾期付款暫停出貨，連續逾期三個月得終止合約",
                           "需維持最低庫存並配合季度盤點"], dtype=object)
SUPPORT_TEXT = {
    "training": "新品功能與安裝培訓", "store_visit": "門市陳列與庫存檢視",
    "marketing_support": "協辦週末促銷活動", "display_material": "提供新品海報與展示架",
    "technical_support": "協助處理安裝技術問題", "system_setup": "導入訂單與庫存回報系統",
    "joint_sales_call": "陪同拜訪大型工程客戶",
}
COMPETITORS = np.array(["日立", "大金", "國際牌", "東元", "聲寶", "LG", "三星", "禾聯"], dtype=object)
# Prospect criteria on a 1-5 rating except credit, an agency's 0-100 rating.
RATED = ("capability", "market_influence", "willingness", "financial_strength", "logistics")
SELF_EVAL_ITEMS = ("sales_growth", "stock_management", "payment_discipline", "store_image", "staff_training",
                   "customer_service", "marketing_execution", "cooperation")


def company_names(ctx, n: int) -> np.ndarray:
    heads = pd.Series(pick(ctx, NAME_HEADS, n)) + pd.Series(pick(ctx, NAME_HEADS, n))
    return (heads + pd.Series(pick(ctx, NAME_TAILS, n)) + "有限公司").to_numpy(dtype=object)


def cities_of(ctx, regions) -> np.ndarray:
    """A city of each row's region."""
    regions = np.asarray(regions, dtype=object)
    counts = pd.Series(regions).map({r: len(c) for r, c in CITIES.items()}).to_numpy()
    index = np.floor(ctx.rng.random(len(regions)) * counts).astype(int)
    table = {(r, i): c for r, cs in CITIES.items() for i, c in enumerate(cs)}
    return pd.Series(list(zip(regions, index))).map(table).to_numpy(dtype=object)


def _field_staff(ctx, team: str) -> np.ndarray:
    """Staff ids of a team, or stand-in ids when there is no roster."""
    if "team_roster" in ctx.frames:
        members = team_members(ctx, team)
        if len(members):
            return members
    return codes(team[:3].upper(), 6, 3)


def region_quotas(ctx, n: int) -> np.ndarray:
    """Each dealer's region: the regions' shares of ``n`` rounded by largest remainder (so every
    region has its dealers even in a small sample), in random order."""
    exact = np.asarray(REGION_SHARE) * n
    counts = np.floor(exact).astype(int)
    counts[np.argsort(-(exact - counts), kind="stable")[:n - counts.sum()]] += 1
    return ctx.rng.permutation(np.repeat(np.array(REGIONS, dtype=object), counts))


def _dealer_master(ctx) -> pd.DataFrame:
    rng, n = ctx.rng, ctx.size.dealers
    first, end = period_start(ctx), period_end(ctx).normalize()
    ids = codes("D", n, 5)
    region = region_quotas(ctx, n)
    channel = pick(ctx, list(CHANNEL_SHARE), n, p=list(CHANNEL_SHARE.values()))
    size = rng.lognormal(0, 0.75, n) * pd.Series(channel).map(CHANNEL_SIZE).to_numpy()
    # Bigger dealers tend to hold the higher tiers; direct stores have no tier.
    rank = pd.Series(size + rng.lognormal(0, 0.6, n)).rank(pct=True).to_numpy()
    tier = np.where(rank > 0.85, "gold", np.where(rank > 0.5, "silver", "bronze")).astype(object)
    tier = np.where(channel == "direct", None, tier)
    # About one in six joined during the sample's months, the rest over the ten years before.
    recent = rng.random(n) < 0.16
    join = pd.DatetimeIndex(np.where(recent, random_days(ctx, n, first, end - pd.Timedelta(days=20)),
                                     random_days(ctx, n, first - pd.Timedelta(days=3650), first - pd.Timedelta(days=1))))
    join = join - pd.to_timedelta(np.maximum(join.day - 28, 0), unit="D")  # contracts start on the 1st to the 28th
    # About one dealer in twenty-five is suspended and one in twelve terminated, out of those
    # that traded a while (shares of the dealers, rounded, so a small sample has them too).
    status = np.full(n, "active", dtype=object)
    settled = rng.permutation(np.flatnonzero(join <= end - pd.Timedelta(days=200)))
    suspended, terminated = round(n * 0.04), round(n * 0.08)
    status[settled[:suspended]] = "suspended"
    status[settled[suspended:suspended + terminated]] = "terminated"
    status = _keep_regions_trading(region, status, join, first)
    # The newest recruits have signed a contract that starts after the last month: still
    # prospects in the master, joining on the contract's first day.
    newest = np.argsort(-join.asi8, kind="stable")[:max(1, n // 50)]
    status[newest] = "prospect"
    join = pd.DatetimeIndex(np.where(status == "prospect", end + pd.to_timedelta(rng.integers(1, 29, n), unit="D"), join))
    terminated = status == "terminated"
    after_join = pd.DatetimeIndex(pd.Series(join).clip(lower=first)) + pd.to_timedelta(rng.integers(90, 900, n), unit="D")
    termination = pd.DatetimeIndex(np.minimum(after_join, end - pd.Timedelta(days=15))).where(terminated)
    termination = pd.DatetimeIndex(np.maximum(termination, join + pd.Timedelta(days=30))).where(terminated)
    # Suspended dealers stopped buying one to five months ago.
    stopped = end - pd.to_timedelta(rng.integers(30, 150, n), unit="D")
    until = pd.DatetimeIndex(np.where(status == "suspended", stopped, termination.fillna(end)))
    plan = _purchase_plan(ctx, ids, size, join, until, status)
    ctx.plan["dealers"] = plan
    policy = _policy_of(channel, tier)
    policy_table = POLICIES.set_index("policy_id")
    terms = policy_table.loc[policy, "payment_terms_days"].to_numpy().astype(int)
    # Credit for what is bought within the payment terms and a month more, with some headroom.
    credit = np.maximum(np.round(plan["purchases"].to_numpy() * (terms + 30) / 365 * rng.uniform(1.1, 1.8, n), -4),
                        100_000)
    city = cities_of(ctx, region)
    street = (pd.Series(pick(ctx, ROADS, n))
              + pd.Series(rng.integers(1, 400, n)).astype(str) + "號")
    reps = _field_staff(ctx, "sales")
    opening = join - pd.to_timedelta(rng.integers(-60, 7300, n), unit="D")
    language = pick(ctx, ("zh-Hant", "zh-Hans", "en"), n, p=(0.9, 0.07, 0.03)).astype(object)
    prospect_id = np.where(recent, codes("PR", n, 5), None)
    return pd.DataFrame({
        "dealer_id": ids,
        "dealer_name": company_names(ctx, n),
        "region": region,
        "channel_type": channel,
        "tier": tier,
        "status": status,
        "join_date": as_dates(join.normalize()),
        "credit_limit": credit.astype(float),
        "payment_terms_days": pd.array(terms, dtype="Int64"),
        "sales_rep_id": pick(ctx, reps, n),
        "contact_person": person_names(ctx, n),
        "phone": phone_numbers(ctx, n),
        "email": (pd.Series(ids).str.lower() + "@dealer.example.com").to_numpy(dtype=object),
        "language": language,
        "city": city,
        "address": (pd.Series(city) + street).to_numpy(dtype=object),
        "tax_id": pd.Series(rng.integers(10_000_000, 99_999_999, n)).astype(str).to_numpy(dtype=object),
        "opening_date": as_dates(opening.normalize()),
        "outlet_count": pd.array(1 + rng.poisson(np.clip(size, 0, 8)), dtype="Int64"),
        "policy_id": policy,
        "prospect_id": prospect_id,
        "termination_date": as_dates(termination),
    })


def _keep_regions_trading(region: np.ndarray, status: np.ndarray, join: pd.DatetimeIndex,
                          first: pd.Timestamp) -> np.ndarray:
    """Statuses where every region keeps at least :data:`STEADY_PER_REGION` dealers that joined
    before the sample's first month and are still active, so that every region sells in every
    month: the longest-standing dealers of a region short of them are made active."""
    status = status.copy()
    steady = (status == "active") & (join < first)
    for name in REGIONS:  # a handful of regions, each one vectorised
        mine = np.flatnonzero(region == name)
        missing = STEADY_PER_REGION - int(steady[mine].sum())
        if missing > 0:
            oldest = mine[np.argsort(join.asi8[mine], kind="stable")]
            candidates = oldest[~steady[oldest] & (join[oldest] < first)]
            status[candidates[:missing]] = "active"
    return status


def _purchase_plan(ctx, ids: np.ndarray, size: np.ndarray, join: pd.DatetimeIndex, until: pd.DatetimeIndex,
                   status: np.ndarray) -> pd.DataFrame:
    """What each dealer is expected to buy, for the sales chapter to follow: ``purchases`` a
    year at the rate of its last twelve months of trading (season evened out), yearly
    ``growth`` and the ``since``–``until`` window it trades in (prospects never within the
    sample).

    The sample's invoices are a fixed number of :data:`LINES_PER_INVOICE` lines worth
    :data:`LINE_VALUE` each on average, shared among the dealers as the sales chapter shares
    them (:func:`~dealerxl.sample.ch04.expected_invoices`)."""
    months = month_starts(ctx)
    growth = ctx.rng.normal(0.05, 0.10, len(ids))
    since = pd.DatetimeIndex(pd.Series(join).clip(lower=months[0]))
    signed = status != "prospect"
    count = ctx.size.transactions * (1 - RETURN_SHARE) / LINES_PER_INVOICE
    window_end = pd.DatetimeIndex(np.where(signed, until, months[0] - pd.Timedelta(days=1)))
    expected = expected_invoices(months, size, growth, since, window_end, count)
    per_invoice = LINES_PER_INVOICE * LINE_VALUE
    trading = expected > 0
    # The last twelve months each dealer traded, deseasonalised and made a year.
    from_last = np.cumsum(trading[:, ::-1], axis=1)[:, ::-1]
    recent = trading & (from_last <= 12)
    season = SEASON[months.month.to_numpy() - 1] / SEASON.mean()
    per_month = (expected / season[None, :] * recent).sum(axis=1) / np.maximum(recent.sum(axis=1), 1)
    # A prospect buys as a dealer of its size would (at least once a month).
    sized = size * count / max(float((np.where(trading, size[:, None], 0.0)).sum()), 1e-12)
    per_month = np.where(recent.any(axis=1), per_month, np.maximum(sized, 1.0))
    return pd.DataFrame({"dealer_id": ids, "purchases": per_month * 12 * per_invoice, "growth": growth,
                         "since": since, "until": until, "prospect": ~signed})


def _policy_of(channel, tier) -> np.ndarray:
    """The policy a dealer of this channel type and tier signs on (the nearest tier offered)."""
    channel = pd.Series(channel, dtype=object)
    tier = pd.Series(tier, dtype=object)
    offered = {("distributor", "gold"): "POL-DIS-G", ("distributor", "silver"): "POL-DIS-S",
               ("distributor", "bronze"): "POL-DIS-S", ("dealer", "gold"): "POL-DLR-G",
               ("dealer", "silver"): "POL-DLR-S", ("dealer", "bronze"): "POL-DLR-B",
               ("agent", "gold"): "POL-AGT-S", ("agent", "silver"): "POL-AGT-S", ("agent", "bronze"): "POL-AGT-B"}
    policy = pd.Series(list(zip(channel, tier))).map(offered)
    return policy.where(channel != "direct", "POL-DIR").to_numpy(dtype=object)


def _channel_policies(ctx) -> pd.DataFrame:
    """The current policies, plus the dealer policies they replaced two years before the end."""
    end = period_end(ctx).normalize()
    changed = pd.Timestamp(year=end.year - 1, month=1, day=1)
    current = POLICIES.assign(effective_date=changed, end_date=pd.NaT)
    old = POLICIES[POLICIES["channel_type"] == "dealer"].assign(
        policy_id=lambda f: f["policy_id"] + "-OLD",
        policy_name=lambda f: f["policy_name"] + "（舊版）",
        discount_rate=lambda f: f["discount_rate"] - 0.01,
        effective_date=pd.Timestamp("2018-01-01"), end_date=changed - pd.Timedelta(days=1))
    frame = pd.concat([old, current], ignore_index=True)
    heads = _field_staff(ctx, "dealer_development")
    return pd.DataFrame({
        "policy_id": frame["policy_id"].to_numpy(dtype=object),
        "policy_name": frame["policy_name"].to_numpy(dtype=object),
        "channel_type": frame["channel_type"].to_numpy(dtype=object),
        "tier": frame["tier"].to_numpy(dtype=object),
        "effective_date": as_dates(frame["effective_date"]).to_numpy(),
        "end_date": as_dates(frame["end_date"]).to_numpy(),
        "min_annual_purchase": frame["min_annual_purchase"].to_numpy(dtype=float),
        "deposit": frame["deposit"].to_numpy(dtype=float),
        "discount_rate": frame["discount_rate"].round(3).to_numpy(dtype=float),
        "rebate_rate": frame["rebate_rate"].to_numpy(dtype=float),
        "payment_terms_days": pd.array(frame["payment_terms_days"].to_numpy(), dtype="Int64"),
        "credit_limit": frame["credit_limit"].to_numpy(dtype=float),
        "exclusive_territory": frame["exclusive_territory"].to_numpy(dtype=object),
        "min_stock_months": frame["min_stock_months"].to_numpy(dtype=float),
        "description": frame["channel_type"].map(POLICY_TEXT).to_numpy(dtype=object),
        "approved_by": np.full(len(frame), heads[0], dtype=object),
    })


def _market_research(ctx) -> pd.DataFrame:
    """Quarterly surveys of every city and product group over the sample's last two years."""
    rng = ctx.rng
    months = month_starts(ctx)
    surveyed = months[(months.month % 3 == 0)][-8:]
    cities = pd.DataFrame([(r, c) for r, cs in CITIES.items() for c in cs], columns=["region", "city"])
    groups = np.sort(skus(ctx)["product_group"].unique()).astype(object)
    s, c, g = len(surveyed), len(cities), len(groups)
    n = s * c * g
    month = np.repeat(surveyed.to_numpy(), c * g)
    city_idx = np.tile(np.repeat(np.arange(c), g), s)
    group = np.tile(groups, s * c)
    city_scale = rng.lognormal(0, 0.7, c)[city_idx]
    group_scale = rng.lognormal(0, 0.5, g)[np.tile(np.arange(g), s * c)]
    quarter = np.repeat(np.arange(s), c * g)
    market = np.round(60_000_000 * city_scale * group_scale * 1.04 ** (quarter / 4) * rng.uniform(0.95, 1.05, n), -4)
    prior = np.round(market / rng.uniform(0.97, 1.12, n), -4)
    share = np.clip(rng.normal(0.14, 0.06, n), 0.01, 0.45)
    outlets = rng.integers(40, 400, n) * np.ceil(city_scale).astype(int)
    covered = np.floor(outlets * np.clip(share * 2.2 + rng.normal(0, 0.05, n), 0.02, 0.95)).astype(int)
    trend = np.where(market > prior * 1.04, "rising", np.where(market < prior * 0.99, "declining", "stable"))
    return pd.DataFrame({
        "month": as_dates(month).to_numpy(),
        "region": cities["region"].to_numpy(dtype=object)[city_idx],
        "city": cities["city"].to_numpy(dtype=object)[city_idx],
        "product_group": group,
        "market_size": market,
        "prior_market_size": prior,
        "our_sales": np.round(market * share, -3),
        "outlets_total": pd.array(outlets, dtype="Int64"),
        "outlets_covered": pd.array(covered, dtype="Int64"),
        "competitor_count": pd.array(rng.integers(3, 9, n), dtype="Int64"),
        "main_competitor": pick(ctx, COMPETITORS, n),
        "competitor_share": np.round(np.clip(rng.normal(0.25, 0.07, n), 0.05, 0.5), 3),
        "demand_trend": trend.astype(object),
        "research_source": pick(ctx, ("field_survey", "industry_report", "dealer_feedback", "government_statistics",
                                      "third_party_data"), n, p=(0.4, 0.2, 0.2, 0.1, 0.1)),
        "owner": pick(ctx, _field_staff(ctx, "dealer_development"), n),
        "note": np.where(trend == "declining", "競品降價搶市，需關注", None).astype(object),
    })


def _prospects(ctx, master: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The recruitment pipeline: every dealer that joined during the sample came through it
    (signed), and about as many again were turned down, withdrew or are still open."""
    rng = ctx.rng
    first, end = period_start(ctx), period_end(ctx).normalize()
    signed = master[master["prospect_id"].notna()]
    n_open = max(8, len(signed))
    n = len(signed) + n_open
    open_stage = pick(ctx, ("lead", "evaluating", "negotiating", "site_inspected", "rejected", "withdrawn"), n_open,
                      p=(0.15, 0.2, 0.15, 0.1, 0.28, 0.12))
    region = np.concatenate([signed["region"].to_numpy(dtype=object), pick(ctx, REGIONS, n_open, p=REGION_SHARE)])
    stage = np.concatenate([np.full(len(signed), "signed", dtype=object), open_stage])
    join = pd.DatetimeIndex(signed["join_date"])
    # Signed prospects were first met two to eight months before they signed.
    first_contact = np.concatenate([(join - pd.to_timedelta(rng.integers(60, 240, len(signed)), unit="D")).to_numpy(),
                                    random_days(ctx, n_open, first, end - pd.Timedelta(days=10)).to_numpy()])
    first_contact = pd.DatetimeIndex(first_contact)
    # Visits and evaluations of prospects that signed happened before they signed.
    until = pd.DatetimeIndex(np.concatenate([join.where(join <= end, end).to_numpy(), np.full(n_open, end.to_datetime64())]))
    room = np.maximum((until - first_contact).days.to_numpy(), 1)
    visited = ~np.isin(stage, ("lead",)) & (rng.random(n) < 0.9)
    visit = first_contact + pd.to_timedelta(np.floor(rng.random(n) * np.minimum(room, 60)), unit="D")
    evaluated = ~np.isin(stage, ("lead",))
    evaluation = visit + pd.to_timedelta(np.floor(rng.random(n) * np.minimum(room - (visit - first_contact).days, 30)),
                                         unit="D")
    ids = np.concatenate([signed["prospect_id"].to_numpy(dtype=object), codes("PR", n_open, 5, start=len(master) + 1)])
    evaluators = _field_staff(ctx, "dealer_development")
    evaluator = pick(ctx, evaluators, n)
    scale = rng.lognormal(0, 0.8, n)
    prospects = pd.DataFrame({
        "prospect_id": ids,
        "dealer_name": np.concatenate([signed["dealer_name"].to_numpy(dtype=object), company_names(ctx, n_open)]),
        "region": region,
        "city": cities_of(ctx, region),
        "channel_type": np.concatenate([signed["channel_type"].to_numpy(dtype=object),
                                        pick(ctx, list(CHANNEL_SHARE)[:3], n_open, p=(0.1, 0.7, 0.2))]),
        "prospect_source": pick(ctx, ("exhibition", "referral", "inbound", "cold_visit", "online", "competitor_dealer"),
                                n, p=(0.2, 0.25, 0.15, 0.15, 0.15, 0.1)),
        "contact_person": person_names(ctx, n),
        "phone": phone_numbers(ctx, n),
        "first_contact_date": as_dates(first_contact.normalize()).to_numpy(),
        "site_visit_date": as_dates(visit.normalize().where(visited)).to_numpy(),
        "evaluation_date": as_dates(evaluation.normalize().where(evaluated)).to_numpy(),
        "evaluator_id": np.where(evaluated, evaluator, None).astype(object),
        "years_in_business": np.round(rng.gamma(2.5, 4.0, n), 1),
        "registered_capital": np.round(scale * 5_000_000, -5),
        "annual_revenue": np.round(scale * rng.uniform(15, 40, n) * 1_000_000, -5),
        "employee_count": pd.array(np.maximum(2, np.round(scale * 12)).astype(int), dtype="Int64"),
        "outlet_count": pd.array(1 + rng.poisson(np.clip(scale, 0, 6)), dtype="Int64"),
        "warehouse_sqm": np.round(scale * rng.uniform(150, 400, n), -1),
        "prospect_stage": stage,
        "dealer_id": np.concatenate([signed["dealer_id"].to_numpy(dtype=object), np.full(n_open, None, dtype=object)]),
        "note": np.where(stage == "rejected", "信用評等未達門檻或區域已有經銷商", None).astype(object),
    })
    # Scores of the evaluated prospects on the six criteria the settings weigh; those that
    # signed score better on the whole.
    criteria = np.array(("capability", "credit", "market_influence", "willingness", "financial_strength", "logistics"),
                        dtype=object)
    scored = np.flatnonzero(evaluated)
    k = len(criteria)
    who = np.repeat(scored, k)
    criterion = np.tile(criteria, len(scored))
    bonus = np.where(stage[who] == "signed", 0.8, np.where(stage[who] == "rejected", -0.8, 0.0))
    rating = np.clip(np.round(rng.normal(3.2 + bonus, 0.8)), 1, 5)
    credit = np.clip(np.round(rng.normal(70 + bonus * 12, 12)), 20, 100)
    value = np.where(criterion == "credit", credit, rating)
    scores = pd.DataFrame({
        "prospect_id": ids[who],
        "prospect_criterion": criterion,
        "criterion_value": value.astype(float),
        "evaluator_id": evaluator[who],
        "evidence": np.where(criterion == "credit", "徵信報告評等", np.where(value >= 4, "實地考察：表現良好", None)),
    })
    scores["evidence"] = scores["evidence"].astype(object)
    return prospects, scores


# Net value of an average sales line as the sales chapter draws it (one to about forty units
# of an item at its price less the dealer's discount; measured on the generated sales). With
# the number of lines it sets the sample's turnover, which the dealers share by their size.
LINE_VALUE = 39_500.0


def expected_annual_sales(ctx, master: pd.DataFrame, at=None) -> np.ndarray:
    """The yearly sales each dealer of ``master`` is expected to make at dates ``at`` (default
    the last month): its planned purchases (:func:`_purchase_plan`) moved back by its growth."""
    plan = ctx.plan["dealers"].set_index("dealer_id").reindex(master["dealer_id"])
    years = 0.0 if at is None else (pd.DatetimeIndex(at) - period_end(ctx)).days.to_numpy() / 365.25
    return plan["purchases"].to_numpy() * (1 + plan["growth"].to_numpy()) ** years


def _contracts(ctx, master: pd.DataFrame) -> pd.DataFrame:
    """Each dealer's contracts from joining until now: one- or two-year terms back to back, the
    latest open with a renewal status that depends on how close its end is; terminated
    dealers' last contract ends in termination. Only contracts still running in the sample's
    first year or later are kept."""
    rng = ctx.rng
    first, end = period_start(ctx), period_end(ctx).normalize()
    n = len(master)
    term_years = rng.choice([1, 2], size=n, p=[0.6, 0.4])
    join = pd.DatetimeIndex(master["join_date"])
    # A prospect has signed the contract that starts on its join date, after the last month.
    stop = pd.DatetimeIndex(np.maximum(pd.DatetimeIndex(master["termination_date"]).fillna(end), join))
    # Whole terms from joining to the last day (or termination): the latest contract runs over it.
    elapsed = ((stop.year - join.year) * 12 + stop.month - join.month - (stop.day < join.day)).to_numpy()
    count = elapsed // (term_years * 12) + 1
    dealer_idx = np.repeat(np.arange(n), count)
    k = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    join_month = join.to_period("M").asi8[dealer_idx]
    day = join.day.to_numpy()[dealer_idx] - 1  # dealers join on the 1st to the 28th
    months = term_years[dealer_idx] * 12
    start = (pd.PeriodIndex.from_ordinals(join_month + k * months, freq="M").to_timestamp()
             + pd.to_timedelta(day, unit="D"))
    end_date = (pd.PeriodIndex.from_ordinals(join_month + (k + 1) * months, freq="M").to_timestamp()
                + pd.to_timedelta(day - 1, unit="D"))
    latest = k == count[dealer_idx] - 1
    keep = end_date >= first - pd.Timedelta(days=365)
    status_of_dealer = master["status"].to_numpy()[dealer_idx]
    auto = np.where(rng.random(n) < 0.4, "yes", "no")[dealer_idx]
    days_left = (end_date - end).days.to_numpy()
    open_status = np.where(days_left < 0, np.where(auto == "yes", "renewed", "expired"),
                           np.where(days_left <= 60, pick(ctx, ("renewing", "under_review", "not_renewing"), len(k),
                                                          p=(0.5, 0.35, 0.15)),
                                    np.where(days_left <= 120, "under_review", "not_due")))
    renewal = np.where(latest, open_status, "renewed").astype(object)
    renewal = np.where(latest & (status_of_dealer == "terminated"), "terminated", renewal)
    # A terminated dealer's last contract ends on the day of termination.
    ended = latest & (status_of_dealer == "terminated")
    end_date = pd.DatetimeIndex(np.where(ended, stop[dealer_idx], end_date))
    dealer_ids = master["dealer_id"].to_numpy(dtype=object)[dealer_idx]
    number = pd.Series(k + 1).astype(str).str.zfill(2)
    contract_id = ("CT-" + pd.Series(dealer_ids) + "-" + number).to_numpy(dtype=object)
    previous = np.where(k > 0, np.roll(contract_id, 1), None)
    policy = POLICIES.set_index("policy_id")
    dealer_policy = master["policy_id"].to_numpy(dtype=object)[dealer_idx]
    size = master["credit_limit"].to_numpy(dtype=float)[dealer_idx]
    channel = master["channel_type"].to_numpy(dtype=object)[dealer_idx]
    contract_type = np.where(channel == "distributor",
                             np.where(rng.random(len(k)) < 0.5, "exclusive_distribution", "distribution"),
                             np.where(channel == "agent", "agency", np.where(channel == "direct", "consignment",
                                                                              "distribution"))).astype(object)
    frame = pd.DataFrame({
        "contract_id": contract_id,
        "dealer_id": dealer_ids,
        "contract_type": contract_type,
        "signed_date": as_dates(np.minimum(start - pd.to_timedelta(rng.integers(3, 30, len(k)), unit="D"),
                                           end)).to_numpy(),
        "start_date": as_dates(start).to_numpy(),
        "end_date": as_dates(end_date).to_numpy(),
        "territory": (pd.Series(master["city"].to_numpy(dtype=object)[dealer_idx])).to_numpy(dtype=object),
        "policy_id": dealer_policy,
        # Set at signing around what the dealer was then expected to buy.
        "annual_target_amount": np.round(expected_annual_sales(ctx, master.iloc[dealer_idx], start)
                                         * rng.uniform(0.9, 1.12, len(k)), -4),
        "deposit": policy.loc[dealer_policy, "deposit"].to_numpy(dtype=float),
        "discount_rate": policy.loc[dealer_policy, "discount_rate"].to_numpy(dtype=float),
        "rebate_rate": policy.loc[dealer_policy, "rebate_rate"].to_numpy(dtype=float),
        "payment_terms_days": pd.array(master["payment_terms_days"].to_numpy()[dealer_idx], dtype="Int64"),
        "credit_limit": size,
        "auto_renew": auto.astype(object),
        "notice_days": pd.array(rng.choice([30, 60, 90], size=n)[dealer_idx], dtype="Int64"),
        "renewal_status": renewal,
        "previous_contract_id": previous.astype(object),
        "terms": pick(ctx, CONTRACT_TERMS, len(k)),
        "owner": master["sales_rep_id"].to_numpy(dtype=object)[dealer_idx],
    })
    return frame[keep].reset_index(drop=True)


def _support_log(ctx, master: pd.DataFrame) -> pd.DataFrame:
    """About one support activity per dealer per quarter, within the dealer's trading time."""
    rng = ctx.rng
    first, end = period_start(ctx), period_end(ctx).normalize()
    trading = master[master["status"] != "prospect"].reset_index(drop=True)
    n = max(1, int(len(trading) * ctx.size.months / 3))
    dealer_idx = rng.integers(0, len(trading), n)
    since = pd.DatetimeIndex(trading["join_date"].clip(lower=first))[dealer_idx]
    until = pd.DatetimeIndex(trading["termination_date"].fillna(end))[dealer_idx]
    span = np.maximum((until - since).days.to_numpy(), 0)
    date = pd.DatetimeIndex(since + pd.to_timedelta(np.floor(rng.random(n) * (span + 1)), unit="D")).normalize()
    order = np.argsort(date.asi8, kind="stable")
    date, dealer_idx = date[order], dealer_idx[order]
    kind = pick(ctx, list(SUPPORT_TEXT), n, p=(0.3, 0.25, 0.15, 0.1, 0.1, 0.04, 0.06))
    training = kind == "training"
    topic = np.where(training, pick(ctx, ("product", "sales_skills", "service", "marketing", "channel_management"), n),
                     None).astype(object)
    invited = np.where(training, rng.integers(2, 12, n), rng.integers(1, 3, n))
    attended = np.minimum(invited, np.round(invited * rng.uniform(0.5, 1.05, n))).astype(int)
    recent = date > end - pd.Timedelta(days=20)
    status = np.where(recent & (rng.random(n) < 0.4), "in_progress", "done").astype(object)
    return pd.DataFrame({
        "support_id": document_numbers("SUP", date, width=5),
        "dealer_id": trading["dealer_id"].to_numpy(dtype=object)[dealer_idx],
        "support_date": as_dates(date).to_numpy(),
        "support_type": kind,
        "training_topic": topic,
        "staff_id": pick(ctx, np.concatenate([_field_staff(ctx, "dealer_development"), _field_staff(ctx, "sales")]), n),
        "description": pd.Series(kind).map(SUPPORT_TEXT).to_numpy(dtype=object),
        "invited_count": pd.array(invited, dtype="Int64"),
        "attended_count": pd.array(attended, dtype="Int64"),
        "duration_hours": np.where(training, rng.choice([2.0, 3.0, 4.0, 6.0], n), rng.choice([1.0, 1.5, 2.0], n)),
        "cost": np.round(np.where(training, rng.uniform(3_000, 20_000, n), rng.uniform(0, 5_000, n)), -2),
        "dealer_rating": pd.array(np.where(status == "done", np.clip(np.round(rng.normal(4.1, 0.7, n)), 1, 5), np.nan),
                                  dtype="Int64"),
        "follow_up_action": np.where(rng.random(n) < 0.15, "一個月後回訪確認改善情況", None).astype(object),
        "status": status,
    })


def _self_evaluation(ctx, master: pd.DataFrame) -> pd.DataFrame:
    """Returned self-evaluations of the last two quarters (about four dealers in five answer)."""
    rng = ctx.rng
    months = month_starts(ctx)
    quarter_ends = months[months.month % 3 == 0][-2:]
    active = master[master["status"] == "active"].reset_index(drop=True)
    answered = rng.random((len(quarter_ends), len(active))) < 0.8
    q_idx, d_idx = np.nonzero(answered)
    items = np.array(SELF_EVAL_ITEMS, dtype=object)
    k = len(items)
    level = rng.normal(3.6, 0.5, len(active))
    score = np.clip(np.round(np.repeat(level[d_idx], k) + rng.normal(0, 0.7, len(d_idx) * k)), 1, 5).astype(int)
    support = np.where(score <= 2, "希望公司加強此項培訓與支援", None).astype(object)
    return pd.DataFrame({
        "dealer_id": np.repeat(active["dealer_id"].to_numpy(dtype=object)[d_idx], k),
        "month": as_dates(np.repeat(quarter_ends.to_numpy()[q_idx], k)).to_numpy(),
        "self_eval_item": np.tile(items, len(d_idx)),
        "self_score": pd.array(score, dtype="Int64"),
        "comment": np.where(score >= 5, "本季表現良好", np.where(score <= 2, "仍待改善", None)).astype(object),
        "support_needed": support,
    })


def generate(ctx) -> dict[str, pd.DataFrame]:
    master = _dealer_master(ctx)
    prospects, scores = _prospects(ctx, master)
    return {
        # The dealer master comes first: later chapters take their dealers from it.
        "dealer_master": master,
        "market_research": _market_research(ctx),
        "channel_policies": _channel_policies(ctx),
        "dealer_prospects": prospects,
        "prospect_scores": scores,
        "dealer_contracts": _contracts(ctx, master),
        "dealer_support_log": _support_log(ctx, master),
        "dealer_self_evaluation": _self_evaluation(ctx, master),
        **{form_id: default_frame(form_id) for form_id in
           ("prospect_criteria", "appraisal_weights", "dealer_grade_bands", "tier_rules")},
    }
