"""Stock control and optimisation (manual 5.1, 5.3): safety stock, reorder point, EOQ,
min/max, order rounding, ABC × XYZ classes and stock health.

Units: demand (mean d, standard deviation σd) is per period of ``period_days`` days
(30.4375 = 365.25 / 12 for monthly buckets, 7 for weekly); lead times are in days and are
converted to periods explicitly (L = lead_time_days / period_days) before they meet the
demand figures. Arguments are arrays with one element per item, or scalars that broadcast.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError

MONTH_DAYS = 365.25 / 12  # 30.4375: the average month, so 12 periods make a year
WEEK_DAYS = 7.0
YEAR_DAYS = 365.25


def _array(values, name: str, minimum: float | None = 0.0, strict: bool = False) -> np.ndarray:
    """``values`` as a float array, refusing values below ``minimum`` (NaN passes through)."""
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise CalcError("msg.calc.inventory.numbers", label_fields={"name": name}) from None
    if minimum is not None and x.size:
        # One pass for the usual case: the smallest value already clears the bound (NaN, which
        # passes, makes the minimum NaN, so then the mask below looks at each value).
        lowest = x.min()
        if (lowest > minimum) if strict else (lowest >= minimum):
            return x
        with np.errstate(invalid="ignore"):
            bad = (x <= minimum) if strict else (x < minimum)
        if np.any(bad):
            sign = ">" if strict else "≥"
            raise CalcError("msg.calc.inventory.outside_bound", label_fields={"name": name}, sign=sign, minimum=minimum, value=x[bad].ravel()[0])
    return x


def _period_days(period_days) -> np.ndarray:
    return _array(period_days, "calc.subject.period_length_days", 0.0, strict=True)


def service_factor(service_level) -> np.ndarray:
    """Safety factor z for a cycle service level (probability of no stock-out per cycle).

    Equation: z = Φ⁻¹(service_level), the standard normal inverse. Levels must lie in
    [0.5, 1): below 0.5 the safety stock would be negative, 1 needs infinite stock.

    Example (standard normal table): 95 % → 1.645; 50 % → 0.

    >>> service_factor([0.95, 0.5]).round(3).tolist()
    [1.645, 0.0]
    """
    level = _array(service_level, "calc.subject.service_level", None)
    lowest, highest = (level.min(), level.max()) if level.size else (0.5, 0.5)
    if not (lowest >= 0.5 and highest < 1):  # NaN (a blank) fails both: then each level is looked at
        with np.errstate(invalid="ignore"):
            bad = (level < 0.5) | (level >= 1)
        if np.any(bad):
            raise CalcError("msg.calc.inventory.service_level_at_least", value=level[bad].ravel()[0])
    # ndtri is the ufunc under scipy.stats.norm.ppf (the same numbers, to the bit): importing
    # scipy.stats for it costs a second or more that every job would pay.
    from scipy.special import ndtri

    if level.size > 1 and lowest == highest:
        # One level for every item (a single cell, or a policy giving all the same): the inverse
        # normal is costly, and Φ⁻¹ of the same number is the same number for each item.
        return np.full(level.shape, ndtri(lowest))
    return ndtri(level)


def lead_time_demand_sd(mean_demand, sd_demand, lead_time_days, lead_time_sd_days=0.0,
                        period_days=MONTH_DAYS) -> np.ndarray:
    """Standard deviation of demand over the lead time, with demand and lead-time variability.

    Symbols: d = mean demand per period, σd = its standard deviation, L = lead_time_days /
    period_days, σL = lead_time_sd_days / period_days (both in periods).
    Equation: σLTD = sqrt(L·σd² + d²·σL²).
    Source: Silver, Pyke & Thomas, Inventory and Production Management in Supply Chains
    (4th ed., 2017), random lead times; Nahmias, Production and Operations Analysis,
    ch. 5 (variable lead times).

    Example (worked by hand): d = 100 a month, σd = 20, L = 60.875 days (2 months),
    σL = 15.22 days (0.5 months) → sqrt(2·400 + 10000·0.25) = sqrt(3300) = 57.45.

    >>> round(float(lead_time_demand_sd(100, 20, 2 * MONTH_DAYS, 0.5 * MONTH_DAYS)), 2)
    57.45
    """
    d = _array(mean_demand, "calc.subject.mean_demand")
    sd = _array(sd_demand, "calc.subject.demand_standard_deviation")
    lead = _array(lead_time_days, "calc.subject.lead_time_days")
    lead_sd = _array(lead_time_sd_days, "calc.subject.lead_time_standard_deviation_days")
    p = _period_days(period_days)
    lead_periods, lead_sd_periods = lead / p, lead_sd / p
    return np.sqrt(lead_periods * sd**2 + d**2 * lead_sd_periods**2)


def safety_stock(mean_demand, sd_demand, lead_time_days, service_level, lead_time_sd_days=0.0,
                 period_days=MONTH_DAYS) -> np.ndarray:
    """Safety stock for a cycle service level, with demand and lead-time variability.

    Symbols: z = Φ⁻¹(service level), d, σd per period, L, σL in periods (days / period_days).
    Equation: SS = z · sqrt(L·σd² + d²·σL²).
    Source: Silver, Pyke & Thomas (2017), random lead times; the same combined-variance
    formula is in Nahmias, Production and Operations Analysis, ch. 5.

    Example (worked by hand): d = 100 a month, σd = 20, L = 2 months, σL = 0.5 months,
    95 % → z = 1.6449, σLTD = 57.45, SS = 94.49. With weekly buckets (period_days = 7),
    d = 50 a week, σd = 10, L = 14 days, no lead-time variability, 95 % →
    1.6449 · sqrt(2 · 100) = 23.26.

    >>> round(float(safety_stock(100, 20, 2 * MONTH_DAYS, 0.95, 0.5 * MONTH_DAYS)), 2)
    94.49
    >>> round(float(safety_stock(50, 10, 14, 0.95, period_days=7)), 2)
    23.26
    """
    z = service_factor(service_level)
    return z * lead_time_demand_sd(mean_demand, sd_demand, lead_time_days, lead_time_sd_days, period_days)


def safety_stock_and_spread(mean_demand, sd_demand, lead_time_days, service_level, lead_time_sd_days=0.0,
                            period_days=MONTH_DAYS) -> tuple[np.ndarray, np.ndarray]:
    """σLTD from :func:`lead_time_demand_sd` and SS = z·σLTD from :func:`safety_stock`, σLTD computed once.

    Equation: σLTD = sqrt(L·σd² + d²·σL²), SS = Φ⁻¹(service level)·σLTD; the inputs of σLTD
    are checked before the service level. Source: Silver, Pyke & Thomas (2017), as
    :func:`safety_stock`; the same worked example: σLTD = 57.45, SS = 94.49.

    >>> [round(float(x), 2) for x in safety_stock_and_spread(100, 20, 2 * MONTH_DAYS, 0.95, 0.5 * MONTH_DAYS)]
    [57.45, 94.49]
    """
    spread = lead_time_demand_sd(mean_demand, sd_demand, lead_time_days, lead_time_sd_days, period_days)
    return spread, service_factor(service_level) * spread


def reorder_point(mean_demand, sd_demand, lead_time_days, service_level, lead_time_sd_days=0.0,
                  period_days=MONTH_DAYS) -> np.ndarray:
    """Reorder point of a continuous-review policy: expected lead-time demand plus safety stock.

    Equation: ROP = d·L + SS, L = lead_time_days / period_days, SS from :func:`safety_stock`.
    Source: Silver, Pyke & Thomas (2017), (s, Q) system (order point s = x̂L + k·σL).

    Example (worked by hand): d = 100, σd = 20, L = 2 months, σL = 0.5 months, 95 % →
    200 + 94.49 = 294.49.

    >>> round(float(reorder_point(100, 20, 2 * MONTH_DAYS, 0.95, 0.5 * MONTH_DAYS)), 2)
    294.49
    """
    return lead_time_demand_and_reorder_point(mean_demand, sd_demand, lead_time_days, service_level,
                                              lead_time_sd_days, period_days)[1]


def lead_time_demand_and_reorder_point(mean_demand, sd_demand, lead_time_days, service_level, lead_time_sd_days=0.0,
                                       period_days=MONTH_DAYS) -> tuple[np.ndarray, np.ndarray]:
    """Expected lead-time demand d·L and the reorder point d·L + SS of :func:`reorder_point`, at once.

    Equation: d·L = d · lead_time_days / period_days; ROP = d·L + SS. Source: Silver, Pyke &
    Thomas (2017), the (s, Q) system, as :func:`reorder_point`; the same worked example:
    d·L = 200, ROP = 294.49.

    >>> [round(float(x), 2) for x in lead_time_demand_and_reorder_point(100, 20, 2 * MONTH_DAYS, 0.95, 0.5 * MONTH_DAYS)]
    [200.0, 294.49]
    """
    d = _array(mean_demand, "calc.subject.mean_demand")
    lead = _array(lead_time_days, "calc.subject.lead_time_days")
    ss = safety_stock(mean_demand, sd_demand, lead_time_days, service_level, lead_time_sd_days, period_days)
    expected = d * lead / _period_days(period_days)
    return expected, expected + ss


def order_up_to_level(mean_demand, sd_demand, lead_time_days, review_period_days, service_level,
                      lead_time_sd_days=0.0, period_days=MONTH_DAYS) -> np.ndarray:
    """Order-up-to level S of a periodic-review (R, S) policy.

    Equation: S = d·(L + R) + z·sqrt((L + R)·σd² + d²·σL²), R = review_period_days /
    period_days: the stock must cover one review interval plus one lead time.
    Source: Silver, Pyke & Thomas (2017), the (R, S) system.

    Example (worked by hand): d = 50 a week, σd = 10, L = 14 days, R = 7 days, 95 % →
    150 + 1.6449 · sqrt(3 · 100) = 178.49.

    >>> round(float(order_up_to_level(50, 10, 14, 7, 0.95, period_days=7)), 2)
    178.49
    """
    review = _array(review_period_days, "calc.subject.review_period_days")
    lead = _array(lead_time_days, "calc.subject.lead_time_days")
    d = _array(mean_demand, "calc.subject.mean_demand")
    protection = lead + review
    ss = safety_stock(mean_demand, sd_demand, protection, service_level, lead_time_sd_days, period_days)
    return d * protection / _period_days(period_days) + ss


def standard_normal_loss(k) -> np.ndarray:
    """Standard normal loss function: expected shortage of a unit normal beyond k.

    Equation: G(k) = φ(k) − k·(1 − Φ(k)).
    Source: Silver, Pyke & Thomas (2017), the table of G_u(k) in its appendix; e.g. G(0) = 0.3989,
    G(1) = 0.0833, G(2) = 0.0085.

    >>> standard_normal_loss([0, 1, 2]).round(4).tolist()
    [0.3989, 0.0833, 0.0085]
    """
    from scipy.stats import norm

    k = np.asarray(k, dtype=float)
    return norm.pdf(k) - k * norm.sf(k)


# Bisection bracket for the fill-rate safety factor: G(8) ≈ 1e−16 is below any target worth
# solving; since G(k) > −k, a lower end of −(target + 1) (at most −8) lies above every target.
_K_LOW, _K_HIGH, _BISECTION_STEPS = -8.0, 8.0, 64


def fill_rate_safety_factor(order_quantity, sd_lead_time_demand, fill_rate) -> np.ndarray:
    """Safety factor k that meets a fill-rate (β, "P2") target in an (s, Q) policy.

    Symbols: Q = order quantity, σLTD = standard deviation of lead-time demand, β = share of
    demand served from stock. Equation: G(k) = Q·(1 − β) / σLTD, solved for k by bisection on
    all items at once (G falls strictly; 64 halvings of the bracket [min(−8, −target − 1), 8]
    give k far below display precision).
    Source: Silver, Pyke & Thomas (2017), B2 (fill-rate) decision rule, "G_u(k) = Q(1 − P2)/σL".

    Example (worked by hand, checked against the G table): Q = 100, σLTD = 25, β = 0.98 →
    G(k) = 100 · 0.02 / 25 = 0.08, k = 1.0212 (table: G(1.02) = 0.0802, G(1.03) = 0.0787).

    >>> round(float(fill_rate_safety_factor(100, 25, 0.98)), 4)
    1.0212
    """
    q = _array(order_quantity, "calc.subject.order_quantity", 0.0, strict=True)
    sd = _array(sd_lead_time_demand, "calc.subject.lead_time_demand_standard_deviation", 0.0, strict=True)
    beta = _array(fill_rate, "calc.subject.fill_rate", None)
    with np.errstate(invalid="ignore"):
        bad = (beta <= 0) | (beta >= 1)
    if np.any(bad):
        raise CalcError("msg.calc.inventory.fill_rate_lie_between", value=beta[bad].ravel()[0])
    target = q * (1.0 - beta) / sd
    # Both ends as arrays (also for a single item), so the halvings can narrow them in place
    low = np.minimum(_K_LOW, -(np.nan_to_num(target) + 1.0), out=np.empty(np.shape(target)))
    high = np.full(np.shape(target), _K_HIGH)
    _bisect_loss(target, low, high)
    return np.where(np.isnan(target), np.nan, 0.5 * (low + high))


# √(2π) computed as scipy.stats.norm computes it, so φ below is norm.pdf to the bit.
_SQRT_2PI = np.sqrt(2 * np.pi)


def _bisect_loss(target: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
    """Narrows [low, high] in place, ``_BISECTION_STEPS`` halvings, towards G(k) = target.

    Each halving evaluates G(mid) = φ(mid) − mid·Φ(−mid) with the very operations of
    :func:`standard_normal_loss` (φ = exp(−mid²/2)/√(2π) as norm.pdf writes it, Φ(−mid) =
    ndtr(−mid), which norm.sf is), so every bracket is the one it gives, bit for bit; but
    straight on the ufuncs into arrays made once: norm.pdf and norm.sf check, mask and copy
    their argument on every call, which cost more than the arithmetic itself. Those checks
    have nothing to catch here: a midpoint is never NaN and never above 8; it is −inf only
    when a bracket reaching −1.8e308 overflows, and there norm.pdf gives exp(−inf) = 0 as
    above and norm.sf its value at the lower end of the support, 1, which ndtr(+inf) is too.
    """
    # ndtr is the ufunc under norm.cdf/sf; scipy.stats itself is not needed
    from scipy.special import ndtr

    mid, density, tail = np.empty_like(low), np.empty_like(low), np.empty_like(low)
    above = np.empty(low.shape, dtype=bool)
    # The midpoint replaces one end of each bracket. np.where or a masked copy would branch on
    # each item's (unpredictable) side; selecting through the bits does not: with a mask of all
    # ones where the midpoint replaces that end, end ^= (end ^ mid) & mask copies exactly mid's bits.
    low_bits, high_bits, mid_bits = low.view(np.uint64), high.view(np.uint64), mid.view(np.uint64)
    to_low, to_high, change = (np.empty(low.shape, dtype=np.uint64) for _ in range(3))
    for _ in range(_BISECTION_STEPS):  # fixed number of halvings, each over all items at once
        np.add(low, high, out=mid)
        np.multiply(0.5, mid, out=mid)
        np.square(mid, out=density)  # φ(mid) = exp(−mid**2/2.0)/√(2π), in that order
        np.negative(density, out=density)
        np.divide(density, 2.0, out=density)
        np.exp(density, out=density)
        np.divide(density, _SQRT_2PI, out=density)
        np.negative(mid, out=tail)  # mid·Φ(−mid)
        ndtr(tail, out=tail)
        np.multiply(mid, tail, out=tail)
        np.subtract(density, tail, out=density)
        np.greater(density, target, out=above)  # G(mid) above the target: the root lies above mid
        np.copyto(to_low, above)  # 1 where mid becomes the low end, else 0
        np.subtract(to_low, 1, out=to_high)  # 0 − 1 wraps to all ones: mid becomes the high end
        np.negative(to_low, out=to_low)  # 1 → all ones
        for end, mask in ((low_bits, to_low), (high_bits, to_high)):
            np.bitwise_xor(end, mid_bits, out=change)
            np.bitwise_and(change, mask, out=change)
            np.bitwise_xor(end, change, out=end)


def safety_stock_fill_rate(mean_demand, sd_demand, lead_time_days, fill_rate, order_quantity,
                           lead_time_sd_days=0.0, period_days=MONTH_DAYS) -> np.ndarray:
    """Safety stock that meets a fill-rate (β) target, floored at zero.

    Equation: SS = max(k, 0) · σLTD with k from :func:`fill_rate_safety_factor` and σLTD
    from :func:`lead_time_demand_sd`. A negative k (large orders already serve β without
    protection) would mean ordering after the stock position has already fallen below the
    expected lead-time demand; the floor keeps the advice from ever planning a shortfall.

    Example (worked by hand): σLTD = 25 (d = 0, σd = 25 a month, L = 1 month), Q = 100,
    β = 0.98 → k = 1.0212, SS = 25.53.

    >>> round(float(safety_stock_fill_rate(0, 25, MONTH_DAYS, 0.98, 100)), 2)
    25.53
    """
    sd_ltd = lead_time_demand_sd(mean_demand, sd_demand, lead_time_days, lead_time_sd_days, period_days)
    no_variability = sd_ltd == 0
    k = fill_rate_safety_factor(order_quantity, np.where(no_variability, 1.0, sd_ltd), fill_rate)
    return np.where(no_variability, 0.0, np.maximum(k, 0.0) * sd_ltd)


def eoq(annual_demand, order_cost, holding_cost_per_unit_year) -> np.ndarray:
    """Economic order quantity (Harris–Wilson).

    Symbols: D = annual demand (units), K = cost per order, h = holding cost per unit and
    year. Equation: Q* = sqrt(2·K·D / h).
    Source: Nahmias, Production and Operations Analysis, ch. 4, the campus bookstore pencil
    example: 60 pencils a week (D = 3120 a year), K = $12, unit cost $0.02 at 25 % a year
    (h = $0.005) → Q* = 3870.

    >>> round(float(eoq(60 * 52, 12, 0.25 * 0.02)))
    3870
    """
    demand = _array(annual_demand, "calc.subject.annual_demand")
    cost = _array(order_cost, "calc.subject.order_cost")
    holding = _array(holding_cost_per_unit_year, "calc.subject.holding_cost_per_unit_and_year", 0.0, strict=True)
    # sqrt(2·K·D / h) step by step in one result array: the same operations in the same order
    # as the written expression, without a temporary array per step.
    q = np.multiply(2.0, cost, out=np.empty(np.broadcast_shapes(demand.shape, cost.shape, holding.shape)))
    np.multiply(q, demand, out=q)
    np.divide(q, holding, out=q)
    np.sqrt(q, out=q)
    return q if q.ndim else q[()]  # scalars in, a scalar out


def min_max_levels(reorder_point_qty, order_quantity) -> pd.DataFrame:
    """Min/max levels: order when the stock position falls to min, order up to max.

    Equation: min = ROP; max = ROP + Q (Q typically the EOQ).
    Source: Silver, Pyke & Thomas (2017), (s, S) systems with S = s + Q.

    >>> min_max_levels([294.49], [500]).round(2).to_dict("records")
    [{'min_level': 294.49, 'max_level': 794.49}]
    """
    rop = _array(reorder_point_qty, "calc.subject.reorder_point")
    q = _array(order_quantity, "calc.subject.order_quantity")
    rop, q = np.broadcast_arrays(np.atleast_1d(rop), np.atleast_1d(q))
    return pd.DataFrame({"min_level": rop, "max_level": rop + q})


def round_order_quantity(need, moq=0.0, pack_size=1.0) -> np.ndarray:
    """Order quantity rounded up to the minimum order quantity and a whole number of packs.

    Equation: q = 0 when need ≤ 0; otherwise q = ⌈max(need, MOQ) / pack⌉ · pack. So q ≥ need,
    q ≥ MOQ and q is a multiple of the pack size. A blank MOQ means none, a blank pack 1.
    A need below a billionth of a pack is floating-point noise (e.g. 24.000000001 for 24)
    and orders nothing more.

    Example: need 37, MOQ 50, packs of 12 → 60; need 61 → 72; need −3 → 0.

    >>> round_order_quantity([37, 61, -3], 50, 12).tolist()
    [60.0, 72.0, 0.0]
    """
    q = _array(need, "calc.subject.quantity_needed", None)
    minimum = _blanks_as(_array(moq, "calc.subject.minimum_order_quantity"), 0.0)
    pack = _blanks_as(_array(pack_size, "calc.subject.pack_size", 0.0, strict=True), 1.0)
    # ⌈max(need, MOQ) / pack − 1e−9⌉ · pack, each step written into one result array. The
    # tolerance keeps 24.000000001 packs (float noise) from turning into 25.
    ordered = np.maximum(q, minimum, out=np.empty(np.broadcast_shapes(q.shape, minimum.shape, pack.shape)))
    np.divide(ordered, pack, out=ordered)
    np.subtract(ordered, 1e-9, out=ordered)
    np.ceil(ordered, out=ordered)
    np.multiply(ordered, pack, out=ordered)
    # No need (up to the noise) orders nothing; a blank need stays blank, as max() kept it NaN.
    np.copyto(ordered, 0.0, where=q <= 1e-9 * pack)
    return ordered


def _blanks_as(x: np.ndarray, value: float) -> np.ndarray:
    """``np.nan_to_num(x, nan=value)`` (infinities become the largest floats), without a copy
    when every value is already finite."""
    if x.size and np.isfinite(x.min()) and np.isfinite(x.max()):
        return x
    return np.nan_to_num(x, nan=value)


def abc_classes(annual_value, a_share: float = 0.80, b_share: float = 0.95) -> np.ndarray:
    """ABC class by share of annual consumption value (Pareto analysis).

    Items are ranked by value, highest first; an item is A while the cumulative share of the
    items ranked before it is below ``a_share``, B while below ``b_share``, else C. So A is
    the smallest set of top items reaching ``a_share`` of the value. Items with no value are C.
    Source: Silver, Pyke & Thomas (2017), the distribution-by-value / ABC classification.

    Example (worked by hand): values 500, 300, 100, 60, 40 (total 1000) → shares before each
    item 0, 0.5, 0.8, 0.9, 0.96 → A, A, B, B, C.

    >>> abc_classes([100, 500, 40, 300, 60]).tolist()
    ['B', 'A', 'C', 'A', 'B']
    """
    return abc_ranking(annual_value, a_share, b_share)[2]


_ABC = np.array(["A", "B", "C"], dtype=object)


def abc_ranking(annual_value, a_share: float = 0.80, b_share: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The values (blank = 0), their order by value (highest first, ties in input order) and
    the ABC class of each item as in :func:`abc_classes`, which ranks the items once for all three.

    >>> value, order, classes = abc_ranking([100, 500, 40, 300, 60])
    >>> order.tolist(), classes.tolist()
    ([1, 3, 0, 4, 2], ['B', 'A', 'C', 'A', 'B'])
    """
    value, order, class_index = _abc_index(annual_value, a_share, b_share)
    return value, order, _ABC[class_index]


_BOXES = np.array([abc + xyz for abc in "ABC" for xyz in "XYZ"], dtype=object)


def _abc_index(annual_value, a_share: float, b_share: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`abc_ranking` with the class as 0 = A, 1 = B, 2 = C."""
    if not 0 < a_share <= b_share <= 1:
        raise CalcError("msg.calc.inventory.abc_thresholds_satisfy_share")
    value = _array(annual_value, "calc.subject.annual_value").ravel()
    if not np.isfinite(value).all():  # blanks count as no value (only then is a copy needed)
        value = np.nan_to_num(value, nan=0.0)
    total = value.sum()
    order = np.argsort(-value, kind="stable")
    ranked = value[order]
    with np.errstate(invalid="ignore"):
        before = (np.cumsum(ranked) - ranked) / total if total > 0 else np.ones_like(ranked)
        # 0 = A, 1 = B, 2 = C as small integers; the letters are taken once at the end.
        ranked_class = np.where(ranked <= 0, 2, np.where(before < a_share, 0, np.where(before < b_share, 1, 2)))
    class_index = np.empty(value.size, dtype=np.intp)
    class_index[order] = ranked_class
    return value, order, class_index


def xyz_classes(cv, x_max: float = 0.5, y_max: float = 1.0) -> np.ndarray:
    """XYZ class by the coefficient of variation of demand per period.

    Equation: X if CV ≤ x_max, Y if CV ≤ y_max, else Z; an item without demand (CV undefined)
    is Z, since nothing about it can be forecast.

    >>> xyz_classes([0.2, 0.5, 0.8, 1.7, float("nan")]).tolist()
    ['X', 'X', 'Y', 'Z', 'Z']
    """
    return _XYZ[_xyz_index(cv, x_max, y_max)]


_XYZ = np.array(["X", "Y", "Z"], dtype=object)


def _xyz_index(cv, x_max: float, y_max: float) -> np.ndarray:
    """0 = X, 1 = Y, 2 = Z per item (see :func:`xyz_classes`)."""
    if not 0 <= x_max <= y_max:
        raise CalcError("msg.calc.inventory.xyz_thresholds_satisfy_x")
    c = _array(cv, "calc.subject.coefficient_of_variation", None).ravel()
    with np.errstate(invalid="ignore"):
        return np.where(c <= x_max, 0, np.where(c <= y_max, 1, 2))


def abc_xyz(annual_value, cv, a_share: float = 0.80, b_share: float = 0.95, x_max: float = 0.5,
            y_max: float = 1.0) -> pd.DataFrame:
    """Nine-box ABC × XYZ classification: value class, variability class and the box (e.g. "AX").

    Combines :func:`abc_classes` and :func:`xyz_classes`.

    >>> abc_xyz([500, 300, 100, 60, 40], [0.2, 0.7, 1.4, 0.3, None]).box.tolist()
    ['AX', 'AY', 'BZ', 'BX', 'CZ']
    """
    classes = abc_xyz_columns(annual_value, cv, a_share, b_share, x_max, y_max)
    return pd.DataFrame({**classes, "box": pd.Series(classes["box"])})


def abc_xyz_columns(annual_value, cv, a_share: float = 0.80, b_share: float = 0.95, x_max: float = 0.5,
                    y_max: float = 1.0) -> dict[str, np.ndarray]:
    """:func:`abc_xyz` as a mapping of its columns (object arrays of text), for callers that need no DataFrame.

    Classes as in :func:`abc_classes` and :func:`xyz_classes` (Silver, Pyke & Thomas 2017);
    the same worked example as :func:`abc_xyz`:

    >>> abc_xyz_columns([500, 300, 100, 60, 40], [0.2, 0.7, 1.4, 0.3, None])["box"].tolist()
    ['AX', 'AY', 'BZ', 'BX', 'CZ']
    """
    value = np.ravel(np.asarray(annual_value, dtype=float))
    c = np.ravel(np.asarray(cv, dtype=float))
    if value.size != c.size:
        raise CalcError("msg.calc.inventory.annual_values_but_coefficients", size=value.size, size2=c.size)
    _, _, abc_index = _abc_index(value, a_share, b_share)
    xyz_index = _xyz_index(c, x_max, y_max)
    # Class letters and boxes are taken from small tables by index, not joined text by text.
    return {"abc_class": _ABC[abc_index], "xyz_class": _XYZ[xyz_index], "box": _BOXES[abc_index * 3 + xyz_index]}


def thresholds_from_settings(abc_thresholds: pd.DataFrame, xyz_thresholds: pd.DataFrame) -> dict[str, float]:
    """The ABC and XYZ limits of the settings tables as arguments of :func:`abc_xyz`.

    ``abc_thresholds``: ``abc_class`` and ``max_cumulative_share`` (A and B are used; C is
    the rest); ``xyz_thresholds``: ``xyz_class`` and ``max_cv`` (X and Y; Z is open-ended).

    >>> abc = pd.DataFrame({"abc_class": ["A", "B", "C"], "max_cumulative_share": [0.8, 0.95, 1.0]})
    >>> xyz = pd.DataFrame({"xyz_class": ["X", "Y", "Z"], "max_cv": [0.5, 1.0, None]})
    >>> thresholds_from_settings(abc, xyz)
    {'a_share': 0.8, 'b_share': 0.95, 'x_max': 0.5, 'y_max': 1.0}
    """
    limits = {}
    for frame, key, value, wanted in ((abc_thresholds, "abc_class", "max_cumulative_share", ("A", "B")),
                                      (xyz_thresholds, "xyz_class", "max_cv", ("X", "Y"))):
        if key not in frame.columns or value not in frame.columns:
            raise CalcError("msg.calc.inventory.thresholds_table_needs_columns", value=key[:3].upper(), key=key, value2=value)
        table = frame.drop_duplicates(key, keep=False).set_index(key)[value]
        for cls in wanted:
            number = pd.to_numeric(table.get(cls), errors="coerce")
            if number is None or pd.isna(number):
                raise CalcError("msg.calc.inventory.thresholds_table_needs_exactly", value=value, cls=cls)
            limits[f"{cls.lower()}_{'share' if key == 'abc_class' else 'max'}"] = float(number)
    return limits


POLICY_COLUMNS = ("abc_class", "xyz_class", "service_level", "review_rule")


def apply_policy(classes: pd.DataFrame, policy: pd.DataFrame) -> pd.DataFrame:
    """Service level and review rule (and any other policy column) for each item's box.

    ``classes`` has ``abc_class`` and ``xyz_class`` per item (as from :func:`abc_xyz`);
    ``policy`` has one row per box with ``abc_class``, ``xyz_class``, ``service_level``,
    ``review_rule`` (and e.g. ``review_period_days``). Every box in use must have exactly one
    policy row. Returns the policy columns aligned with ``classes``' rows.

    >>> policy = pd.DataFrame({"abc_class": ["A", "C"], "xyz_class": ["X", "Z"],
    ...                        "service_level": [0.98, 0.8], "review_rule": ["continuous_eoq", "make_to_order"]})
    >>> apply_policy(pd.DataFrame({"abc_class": ["C", "A"], "xyz_class": ["Z", "X"]}), policy).service_level.tolist()
    [0.8, 0.98]
    """
    missing = [c for c in POLICY_COLUMNS if c not in policy.columns]
    if missing:
        raise CalcError("msg.calc.inventory.abc_xyz_policy_table", missing=', '.join(missing))
    duplicated = policy.duplicated(["abc_class", "xyz_class"])
    if duplicated.any():
        row = policy[duplicated].iloc[0]
        raise CalcError("msg.calc.inventory.abc_xyz_policy_table_2", abc_class=row.abc_class, xyz_class=row.xyz_class)
    service_factor(policy["service_level"].to_numpy(dtype=float))  # refuses levels outside [0.5, 1)
    merged = classes[["abc_class", "xyz_class"]].merge(policy, on=["abc_class", "xyz_class"], how="left",
                                                       indicator=True)
    unmatched = merged["_merge"] != "both"
    if unmatched.any():
        boxes = sorted(set(merged.loc[unmatched, "abc_class"].astype(str) + merged.loc[unmatched, "xyz_class"].astype(str)))
        raise CalcError("msg.calc.inventory.abc_xyz_policy_table_3", boxes=', '.join(boxes))
    merged.index = classes.index
    return merged.drop(columns=["abc_class", "xyz_class", "_merge"])


def turnover(annual_usage, average_stock) -> np.ndarray:
    """Inventory turnover: how many times a year the average stock is used up.

    Equation: turns = annual usage / average stock (both in units, or both at cost); no
    stock → NaN (turnover undefined).
    Source: Silver, Pyke & Thomas (2017), aggregate inventory measures.

    >>> turnover([1200, 0, 50], [300, 10, 0]).tolist()
    [4.0, 0.0, nan]
    """
    usage = _array(annual_usage, "calc.subject.annual_usage")
    stock = _array(average_stock, "calc.subject.average_stock")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(stock > 0, usage / stock, np.nan)


def days_of_supply(stock, annual_usage, year_days: float = YEAR_DAYS) -> np.ndarray:
    """Days the stock lasts at the past usage rate.

    Equation: DOS = stock / (annual usage / 365.25); no usage and some stock → infinite;
    no stock → 0.

    >>> days_of_supply([300, 5, 0], [1200, 0, 0]).round(2).tolist()
    [91.31, inf, 0.0]
    """
    s = _array(stock, "calc.subject.stock")
    usage = _array(annual_usage, "calc.subject.annual_usage")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(s > 0, np.where(usage > 0, s / (usage / year_days), np.inf), 0.0)


def cover_periods(stock, forecast_per_period) -> np.ndarray:
    """Stock cover against the forecast: periods (e.g. months) the stock lasts.

    Equation: cover = stock / forecast per period; no forecast and some stock → infinite;
    no stock → 0.

    >>> cover_periods([300, 10, 0], [100, 0, 0]).tolist()
    [3.0, inf, 0.0]
    """
    s = _array(stock, "calc.subject.stock")
    f = _array(forecast_per_period, "calc.subject.forecast")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return np.where(s > 0, np.where(f > 0, s / f, np.inf), 0.0)


def stock_health(on_hand, unit_cost, annual_usage, forecast_per_month, months_since_last_sale,
                 slow_moving_months: float = 6, obsolete_cover_months: float = 24,
                 excess_cover_months: float = 6, average_stock=None) -> pd.DataFrame:
    """Turnover, days of supply, cover, slow-moving and obsolete flags, excess stock value.

    Per item: turnover = annual usage / average stock (on hand if no average is given);
    days of supply; cover_months = on hand / forecast per month;
    slow_moving = stock on hand and no sale for ``slow_moving_months`` or more (NaN months =
    never sold in the history, also slow); obsolete = stock on hand and cover above
    ``obsolete_cover_months``; excess_qty = max(0, on hand − excess_cover_months · forecast),
    excess_value = excess_qty · unit cost.

    Example (worked by hand): 600 on hand at 2.50, used 1200 a year, forecast 100 a month,
    last sale 1 month ago → 2 turns, 182.6 days, 6 months' cover, not slow, not obsolete, no
    excess at 6 months; a second item with 50 on hand, no forecast and no sale for 9 months
    is slow-moving, obsolete and wholly excess (50 × 4 = 200).

    >>> r = stock_health([600, 50], [2.5, 4], [1200, 0], [100, 0], [1, 9])
    >>> r.round(1).to_dict("records")[1]
    {'turnover': 0.0, 'days_of_supply': inf, 'cover_months': inf, 'slow_moving': True, 'obsolete': True, 'excess_qty': 50.0, 'excess_value': 200.0}
    >>> r.round(1).to_dict("records")[0]["days_of_supply"], float(r.excess_value[0])
    (182.6, 0.0)
    """
    stock = np.atleast_1d(_array(on_hand, "calc.subject.stock_on_hand"))
    cost = _array(unit_cost, "calc.subject.unit_cost")
    forecast = _array(forecast_per_month, "calc.subject.forecast")
    months = _array(months_since_last_sale, "calc.subject.months_since_last_sale", None)
    if min(slow_moving_months, obsolete_cover_months, excess_cover_months) < 0:
        raise CalcError("msg.calc.inventory.slow_moving_obsolete_excess")
    average = stock if average_stock is None else average_stock
    cover = cover_periods(stock, forecast)
    has_stock = stock > 0
    with np.errstate(invalid="ignore"):
        slow = has_stock & (np.isnan(months) | (months >= slow_moving_months))
    excess = np.maximum(stock - excess_cover_months * forecast, 0.0)
    return pd.DataFrame({
        "turnover": np.broadcast_to(turnover(annual_usage, average), stock.shape),
        "days_of_supply": np.broadcast_to(days_of_supply(stock, annual_usage), stock.shape),
        "cover_months": np.broadcast_to(cover, stock.shape),
        "slow_moving": np.broadcast_to(slow, stock.shape),
        "obsolete": np.broadcast_to(has_stock & (cover > obsolete_cover_months), stock.shape),
        "excess_qty": np.broadcast_to(excess, stock.shape),
        "excess_value": np.broadcast_to(excess * cost, stock.shape),
    })
