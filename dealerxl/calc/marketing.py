"""Marketing (manual 6.1 – 6.4): budget against spend, promotion uplift and ROI, digital funnel."""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError


def _ratio(numerator, denominator) -> np.ndarray:
    num = np.asarray(numerator, dtype=float)
    den = np.asarray(denominator, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den != 0, num / np.where(den != 0, den, 1.0), np.nan)


def budget_vs_spend(frame: pd.DataFrame, by: list[str], budget: str = "budget", spend: str = "actual_spend") -> pd.DataFrame:
    """Budget, spend, variance and use of budget per group (campaign, channel, month…).

    Equation: variance = spend − budget; use = spend / budget (NaN without a budget).

    >>> df = pd.DataFrame({"channel": ["tv", "tv", "web"], "budget": [100, 50, 40], "actual_spend": [90, 70, 10]})
    >>> budget_vs_spend(df, ["channel"]).to_dict("records")
    [{'channel': 'tv', 'budget': 150.0, 'actual_spend': 160.0, 'variance': 10.0, 'budget_use': 1.0666666666666667}, {'channel': 'web', 'budget': 40.0, 'actual_spend': 10.0, 'variance': -30.0, 'budget_use': 0.25}]
    """
    grouped = frame.groupby(by, sort=True)[[budget, spend]].sum().astype(float)
    grouped["variance"] = grouped[spend] - grouped[budget]
    grouped["budget_use"] = _ratio(grouped[spend], grouped[budget])
    return grouped.reset_index()


def promotion_uplift(promo_sales, baseline_sales, promo_margin_rate, baseline_margin_rate, promotion_cost) -> pd.DataFrame:
    """Uplift, incremental margin and ROI of promotions against a baseline.

    The baseline is the sales the same weeks would have had without the promotion (e.g.
    the mean of the same weeks in periods without promotion). Equations:
    uplift = promo sales − baseline; uplift % = uplift / baseline;
    incremental margin = promo sales · promo margin rate − baseline · baseline margin rate;
    ROI = (incremental margin − promotion cost) / promotion cost.
    Source: the incremental-margin view of trade-promotion ROI, e.g. Blattberg & Neslin,
    Sales Promotion: Concepts, Methods and Strategies (incremental volume over baseline).

    Example (worked by hand): baseline 1,000 at 30 % margin; promotion sells 1,500 at 20 %
    margin (the discount cuts margin) and costs 20 → incremental margin 300 − 300 = 0,
    ROI −100 %: the promotion lost its cost.

    >>> promotion_uplift([1500], [1000], [0.2], [0.3], [20]).round(3).to_dict("records")
    [{'uplift': 500.0, 'uplift_pct': 0.5, 'incremental_margin': 0.0, 'roi': -1.0}]
    """
    promo = np.asarray(promo_sales, dtype=float)
    base = np.asarray(baseline_sales, dtype=float)
    if np.any(base < 0) or np.any(promo < 0):
        raise CalcError("msg.calc.marketing.sales_cannot_negative")
    cost = np.asarray(promotion_cost, dtype=float)
    if np.any(cost < 0):
        raise CalcError("msg.calc.marketing.promotion_cost_cannot_negative")
    margin = promo * np.asarray(promo_margin_rate, dtype=float) - base * np.asarray(baseline_margin_rate, dtype=float)
    return pd.DataFrame({
        "uplift": promo - base,
        "uplift_pct": _ratio(promo - base, base),
        "incremental_margin": margin,
        "roi": _ratio(margin - cost, cost),
    })


def baseline_from_history(weekly: pd.DataFrame, key: list[str], week: str, sales: str, promoted: str) -> pd.DataFrame:
    """Baseline per key and week-of-year: mean sales of that week in weeks without promotion.

    ``weekly`` has one row per key × week with the sales and a promoted flag; the result
    has the key, ``week_of_year`` and ``baseline``. Weeks never seen without promotion get NaN.

    >>> w = pd.DataFrame({"sku": ["A"] * 3, "week": pd.to_datetime(["2024-03-04", "2025-03-03", "2026-03-02"]),
    ...                   "sales": [100, 120, 300], "promoted": [False, False, True]})
    >>> baseline_from_history(w, ["sku"], "week", "sales", "promoted").to_dict("records")
    [{'sku': 'A', 'week_of_year': 10, 'baseline': 110.0}]
    """
    frame = weekly.assign(week_of_year=pd.to_datetime(weekly[week]).dt.isocalendar().week.astype(int))
    clean = frame[~frame[promoted].astype(bool)]
    base = clean.groupby(key + ["week_of_year"], sort=True)[sales].mean().rename("baseline").astype(float)
    return base.reset_index()


def funnel(impressions, clicks, leads, conversions, cost) -> pd.DataFrame:
    """Digital funnel ratios per campaign.

    Equations: CTR = clicks / impressions; lead rate = leads / clicks; conversion rate =
    conversions / leads; cost per lead = cost / leads; cost per conversion = cost /
    conversions. Source: Google Ads Help, "Clickthrough rate (CTR)" and "Conversion rate".

    >>> funnel([10000], [200], [40], [10], [800]).to_dict("records")
    [{'ctr': 0.02, 'lead_rate': 0.2, 'conversion_rate': 0.25, 'cost_per_lead': 20.0, 'cost_per_conversion': 80.0}]
    """
    arrays = [np.asarray(a, dtype=float) for a in (impressions, clicks, leads, conversions, cost)]
    if any(np.any(a < 0) for a in arrays):
        raise CalcError("msg.calc.marketing.funnel_counts_cost_cannot")
    imp, clk, lead, conv, spend = arrays
    if np.any(clk > imp) or np.any(lead > clk) or np.any(conv > lead):
        raise CalcError("msg.calc.marketing.each_funnel_step_not")
    return pd.DataFrame({
        "ctr": _ratio(clk, imp),
        "lead_rate": _ratio(lead, clk),
        "conversion_rate": _ratio(conv, lead),
        "cost_per_lead": _ratio(spend, lead),
        "cost_per_conversion": _ratio(spend, conv),
    })


SCOPE_COLUMNS = ("product_group", "sku", "dealer_id", "region")


def promotion_sales(promotions: pd.DataFrame, sales: pd.DataFrame, baseline_weeks: int, as_of,
                    all_promotions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Sales of each promotion's scope during the promotion, and its baseline without promotion.

    ``promotions``: ``promotion_id``, ``start_date``, ``end_date`` and the scope columns
    ``product_group``, ``sku``, ``dealer_id``, ``region`` (blank = every value). ``sales``:
    ``date``, ``amount`` and the same scope columns, one row per sales line (returns negative).
    ``all_promotions`` (default ``promotions``) are every promotion whose days count as
    promoted. The promotion window P runs from the start to the end (or ``as_of`` if
    earlier), n_P days; the baseline window B is the 7·W days just before the start
    (W = ``baseline_weeks``).

    Equations: promo sales = Σ scope sales in P; baseline = Σ unpromoted scope sales in B ·
    n_P / d_B, where a sales line is promoted when any promotion covering it ran that day,
    and d_B counts the days of B on which no other promotion covered the whole scope. The
    baseline is the run rate of the weeks before without promotion, scaled to the
    promotion's length (the pre-period baseline of Blattberg & Neslin, Sales Promotion:
    Concepts, Methods and Strategies, on measuring promotion effects); NaN when every day
    of B was promoted.

    Example (worked by hand): a 7-day promotion of group TV sells 700 during its week; the
    2 weeks before it sold 400 + 600 = 1,000 → baseline 1,000 · 7 / 14 = 500, uplift 200.
    Had a national TV promotion run the first 4 of those 14 days, selling the 400, the
    baseline would be 600 · 7 / 10 = 420.

    >>> p = pd.DataFrame({"promotion_id": ["P1"], "start_date": pd.to_datetime(["2026-03-15"]),
    ...                   "end_date": pd.to_datetime(["2026-03-21"]), "product_group": ["TV"], "sku": [None],
    ...                   "dealer_id": [None], "region": [None]})
    >>> s = pd.DataFrame({"date": pd.to_datetime(["2026-03-02", "2026-03-10", "2026-03-16", "2026-03-16"]),
    ...                   "amount": [400.0, 600.0, 700.0, 999.0], "product_group": ["TV", "TV", "TV", "Audio"],
    ...                   "sku": ["A", "A", "B", "C"], "dealer_id": ["D1"] * 4, "region": ["north"] * 4})
    >>> promotion_sales(p, s, 2, "2026-10-31").to_dict("records")
    [{'promotion_id': 'P1', 'promotion_days': 7, 'promo_sales': 700.0, 'baseline_sales': 500.0}]
    >>> earlier = p.assign(promotion_id="P0", start_date=pd.Timestamp("2026-03-01"), end_date=pd.Timestamp("2026-03-04"))
    >>> promotion_sales(p, s, 2, "2026-10-31", pd.concat([p, earlier]))["baseline_sales"].tolist()
    [420.0]
    """
    if int(baseline_weeks) < 1:
        raise CalcError("msg.calc.marketing.baseline_needs_at_least")
    as_of = pd.Timestamp(as_of).normalize()
    base_days = 7 * int(baseline_weeks)
    promos = _windows(promotions, as_of, base_days)
    if (promos["_p_end"] < promos["_p_start"]).any():
        raise CalcError("msg.calc.marketing.promotion_that_has_not")
    every = promos if all_promotions is None else _windows(all_promotions, as_of, base_days)
    every = every.loc[every["_p_end"] >= every["_p_start"]].drop_duplicates("promotion_id")
    out = promos[["promotion_id", "promotion_days"]].copy()
    if promos.empty:
        return out.assign(promo_sales=0.0, baseline_sales=np.nan)
    # Day numbers and scopes as codes; each promotion is paired with the lines of its window
    # only, and with a product group with that group's lines only (binary search in sorted keys).
    every_start, every_end = _days(every["_p_start"]), _days(every["_p_end"])
    first, start, end = _days(promos["_b_start"]), _days(promos["_p_start"]), _days(promos["_p_end"])
    low = min(first.min(), every_start.min(initial=first.min()))
    high = max(end.max(), every_end.max(initial=end.max()))
    day = pd.to_datetime(sales["date"]).dt.normalize().to_numpy().astype("datetime64[D]").astype(np.int64)
    near = np.flatnonzero((day >= low) & (day <= high))
    day = day[near] - low
    amount = pd.to_numeric(pd.Series(np.asarray(sales["amount"])[near]), errors="coerce").fillna(0.0).to_numpy()
    promo_scope, every_scope, line_scope = _scope_codes(promos, every, sales, near)
    lines = _Lines(day, line_scope, high - low + 1)
    # A line is promoted when any promotion covering it ran that day.
    promoted = np.zeros(len(day), dtype=bool)
    promoted[lines.covered(every_scope, every_start - low, every_end - low + 1)[1]] = True
    owner, line = lines.covered(promo_scope, first - low, end - low + 1)
    in_promo = day[line] >= start[owner] - low
    in_base = ~in_promo & ~promoted[line]
    count = len(promos)
    promo = np.bincount(owner[in_promo], weights=amount[line[in_promo]], minlength=count)
    base = np.bincount(owner[in_base], weights=amount[line[in_base]], minlength=count)
    # A promotion id listed twice counts the lines of both rows, as one promotion.
    ids = promos["promotion_id"].to_numpy()
    promo = pd.Series(promo).groupby(ids).transform("sum").to_numpy()
    base = pd.Series(base).groupby(ids).transform("sum").to_numpy()
    clean_days = base_days - _days_promoted_for_whole_scope(promos, every, promo_scope, every_scope, base_days)
    out["promo_sales"] = promo.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["baseline_sales"] = np.where(clean_days > 0, base * out["promotion_days"].to_numpy(float) / clean_days,
                                         np.nan)
    return out


def _days(dates: pd.Series) -> np.ndarray:
    """Dates as day numbers (days since 1970-01-01)."""
    return pd.to_datetime(dates).to_numpy().astype("datetime64[D]").astype(np.int64)


class _Lines:
    """Sales lines (day numbers from 0 and scope codes, scope columns × lines) sorted twice:
    by day, and by product group then day, to find the lines of a window by binary search."""

    def __init__(self, day: np.ndarray, scope: np.ndarray, span: int):
        self.day, self.scope, self.span = day, scope, span
        self.by_day = np.argsort(day, kind="stable")
        self.group_key = scope[0] * span + day
        self.by_group = np.argsort(self.group_key, kind="stable")

    def covered(self, scope: np.ndarray, first: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every (window, line) pair where the line falls in ``first`` ≤ day < ``stop`` and in
        the window's scope (scope columns × windows, codes as the lines')."""
        grouped = scope[0] >= 0
        key = scope[0] * self.span
        owner_g, line_g = _between(self.group_key[self.by_group], (key + first)[grouped], (key + stop)[grouped])
        owner_d, line_d = _between(self.day[self.by_day], first[~grouped], stop[~grouped])
        owner = np.concatenate([np.flatnonzero(grouped)[owner_g], np.flatnonzero(~grouped)[owner_d]])
        line = np.concatenate([self.by_group[line_g], self.by_day[line_d]])
        hit = ((scope[1:, owner] < 0) | (scope[1:, owner] == self.scope[1:, line])).all(axis=0)
        return owner[hit], line[hit]


def _between(sorted_keys: np.ndarray, first: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every (window, position) pair where ``first`` ≤ sorted_keys[position] < ``stop``."""
    lo, hi = np.searchsorted(sorted_keys, first, side="left"), np.searchsorted(sorted_keys, stop, side="left")
    counts = np.maximum(hi - lo, 0)
    owner = np.repeat(np.arange(len(first)), counts)
    position = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(lo, counts)
    return owner, position


def _windows(promotions: pd.DataFrame, as_of: pd.Timestamp, base_days: int) -> pd.DataFrame:
    """Promotions with their promotion window (ending at ``as_of`` at the latest) and baseline start."""
    promos = promotions.reset_index(drop=True).copy()
    for column in SCOPE_COLUMNS:
        if column not in promos:
            promos[column] = None
    starts = pd.to_datetime(promos["start_date"]).dt.normalize()
    ends = pd.to_datetime(promos["end_date"]).dt.normalize().clip(upper=as_of)
    return promos.assign(_p_start=starts, _p_end=ends, _b_start=starts - pd.Timedelta(days=base_days),
                         promotion_days=(ends - starts).dt.days + 1)


def _scope_codes(promos: pd.DataFrame, every: pd.DataFrame, sales: pd.DataFrame, rows: np.ndarray):
    """The scope columns of the promotions, of every promotion and of the sales lines ``rows``
    as codes (arrays of scope columns × rows), so scopes are matched as numbers, not text: a
    promotion's value is its position among the promotions' values, a blank −1; a line's
    value the same position, −2 when no promotion names it (a blank line value too)."""
    promo_codes, every_codes, line_codes = [], [], []
    for column in SCOPE_COLUMNS:
        named = pd.concat([promos[column], every[column]], ignore_index=True).dropna()
        values = pd.Index(pd.unique(named.astype(object).to_numpy()))
        promo_codes.append(values.get_indexer(promos[column].astype(object)))
        every_codes.append(values.get_indexer(every[column].astype(object)))
        found = values.get_indexer(pd.Index(np.asarray(sales[column], dtype=object)[rows]))
        line_codes.append(np.where(found < 0, -2, found))
    return np.vstack(promo_codes), np.vstack(every_codes), np.vstack(line_codes)


def _days_promoted_for_whole_scope(promos: pd.DataFrame, every: pd.DataFrame, promo_scope: np.ndarray,
                                   every_scope: np.ndarray, base_days: int) -> np.ndarray:
    """Per promotion, the days of its baseline window on which another promotion covering its
    whole scope ran (each scope column of the other blank or equal); the scopes as codes
    (:func:`_scope_codes`). A promotion id listed twice counts the days of both rows."""
    others = every["promotion_id"].to_numpy(dtype=object)
    covering = ((every_scope[:, None, :] < 0) | (every_scope[:, None, :] == promo_scope[:, :, None])).all(axis=0)
    covering &= promos["promotion_id"].to_numpy(dtype=object)[:, None] != others[None, :]
    day = _days(promos["_b_start"])[:, None] + np.arange(base_days)[None, :]  # promotions × baseline days
    runs = (day[:, :, None] >= _days(every["_p_start"])[None, None, :]) \
        & (day[:, :, None] <= _days(every["_p_end"])[None, None, :])
    promoted = (runs & covering[:, None, :]).any(axis=2)
    by_id = pd.DataFrame(promoted).groupby(promos["promotion_id"].to_numpy()).transform("max").to_numpy()
    return by_id.sum(axis=1).astype(float)
