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
        raise CalcError("sales cannot be negative")
    cost = np.asarray(promotion_cost, dtype=float)
    if np.any(cost < 0):
        raise CalcError("promotion cost cannot be negative")
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
        raise CalcError("funnel counts and cost cannot be negative")
    imp, clk, lead, conv, spend = arrays
    if np.any(clk > imp) or np.any(lead > clk) or np.any(conv > lead):
        raise CalcError("each funnel step must not exceed the one before it (impressions ≥ clicks ≥ leads ≥ conversions)")
    return pd.DataFrame({
        "ctr": _ratio(clk, imp),
        "lead_rate": _ratio(lead, clk),
        "conversion_rate": _ratio(conv, lead),
        "cost_per_lead": _ratio(spend, lead),
        "cost_per_conversion": _ratio(spend, conv),
    })
