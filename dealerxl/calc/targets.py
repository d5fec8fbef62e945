"""Sales targets (manual 4.1, 4.2): seasonal split of an annual target into months or quarters,
and allocation of a total to dealers with floors and ceilings, both rounded so the parts add
up exactly to the whole.

Rounding uses the largest-remainder (Hamilton) method: every part gets the whole units below
its exact share, and the units left over go to the parts with the largest fractions. Plain
rounding would leave the month or dealer targets a few units off the annual target, which
the department then has to explain.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError

MONTHS = 12
# Tolerance for "is a whole number of units": totals come from Excel as floats (1234.5600000001).
_UNIT_TOLERANCE = 1e-6


def _vector(values, name: str, minimum: float | None = 0.0) -> np.ndarray:
    x = np.ravel(np.asarray(values, dtype=float))
    # The smallest value clearing the bound settles it in one pass; a blank makes it NaN, and
    # then each value is looked at (blanks pass).
    if minimum is not None and x.size and not x.min() >= minimum and np.any(x < minimum):
        raise CalcError("msg.calc.targets.cannot_below", label_fields={"name": name}, minimum=minimum)
    return x


def _units(amount: float, unit: float, name: str) -> int:
    """``amount`` as a whole number of ``unit``s, or a CalcError saying it is not one."""
    if not np.isfinite(unit) or unit <= 0:
        raise CalcError("msg.calc.targets.rounding_unit_number_above")
    count = amount / unit
    if not np.isfinite(count) or abs(count - round(count)) > _UNIT_TOLERANCE * max(1.0, abs(count)):
        raise CalcError("msg.calc.targets.not_whole_multiple_rounding", label_fields={"name": name}, amount=amount, unit=unit)
    return int(round(count))


def _decimals(unit: float) -> int:
    """Decimal places that show a multiple of ``unit`` exactly (0.01 → 2, 1000 → 0)."""
    return max(0, int(np.ceil(-np.log10(unit) - 1e-9))) if unit < 1 else 0


def round_to_units(exact_units, total_units: int, lower_units=None, upper_units=None) -> np.ndarray:
    """Whole numbers close to ``exact_units`` that add up to ``total_units`` (largest remainder).

    Each part first gets ⌊qᵢ⌋ (kept inside its bounds [loᵢ, hiᵢ]); the R = total − Σ⌊qᵢ⌋
    units left over go one each to the parts with the largest fractions qᵢ − ⌊qᵢ⌋ (ties to
    the earlier part); if the bounds pushed the sum over the total, units are taken back
    from the smallest fractions. With no bounds and Σqᵢ = total this is exactly Hamilton's
    method, so every part is ⌊qᵢ⌋ or ⌈qᵢ⌉.

    Example (Hamilton / largest remainder with the Hare quota; votes 47 000, 16 000, 15 800,
    12 000, 6 100, 3 100 for 10 seats, quota 10 000): quotients 4.7, 1.6, 1.58, 1.2, 0.61,
    0.31 → 7 seats by the whole parts, the 3 left go to .7, .61 and .6. Source: Balinski &
    Young, Fair Representation (2001), Hamilton's method; the same example is on Wikipedia's
    "Largest remainder method" page.

    >>> round_to_units([4.7, 1.6, 1.58, 1.2, 0.61, 0.31], 10).tolist()
    [5, 2, 1, 1, 1, 0]
    """
    q = _vector(exact_units, "calc.subject.share", None)
    n = q.size
    lo = np.full(n, -np.inf) if lower_units is None else np.asarray(lower_units, dtype=float)
    hi = np.full(n, np.inf) if upper_units is None else np.asarray(upper_units, dtype=float)
    if lo.sum() > total_units or hi.sum() < total_units:
        raise CalcError("msg.calc.targets.floors_ceilings_cannot_met")
    if n == 0:
        if total_units:
            raise CalcError("msg.calc.targets.there_nothing_share_total")
        return np.zeros(0, dtype=np.int64)
    # Float noise (2.9999999997 units) must not lose a unit to the floor.
    whole = np.floor(q + 1e-9)
    parts = np.clip(whole, lo, hi)
    fraction = q - parts
    # Passes over the parts (not rows): a pass either settles the remainder one unit each by
    # fraction, or, when more units are left than parts with room, gives each of them an
    # equal share up to its bound; so there are at most about n passes.
    while (left := int(round(total_units - parts.sum()))) != 0:
        sign = 1 if left > 0 else -1
        room = (hi - parts) if sign > 0 else (parts - lo)
        open_parts = room > 0
        count = int(open_parts.sum())
        if count == 0:  # excluded by the bound check above; kept so a bad call cannot spin
            raise CalcError("msg.calc.targets.floors_ceilings_cannot_met")
        if abs(left) >= count:
            step = np.minimum(abs(left) // count, room)
            parts += sign * np.where(open_parts, step, 0)
            fraction -= sign * np.where(open_parts, step, 0)
            continue
        key = np.where(open_parts, -sign * fraction, np.inf)
        chosen = _smallest_first(key, abs(left))
        parts[chosen] += sign
        fraction[chosen] -= sign
    return parts.astype(np.int64)


def _smallest_first(key: np.ndarray, count: int) -> np.ndarray:
    """The positions of the ``count`` smallest keys, ties going to the earlier position: the same
    set as the first ``count`` of a stable argsort, found by a partition instead of a full sort."""
    if count >= key.size or np.isnan(key).any():
        return np.argsort(key, kind="stable")[:count]
    threshold = np.partition(key, count - 1)[count - 1]
    below = np.flatnonzero(key < threshold)
    tied = np.flatnonzero(key == threshold)[:count - below.size]
    return np.concatenate([below, tied])


def largest_remainder(amounts, total: float, unit: float = 1.0) -> np.ndarray:
    """``amounts`` rounded to multiples of ``unit`` so that they add up exactly to ``total``.

    ``amounts`` are exact (unrounded) parts whose sum is ``total``; ``total`` must itself be
    a whole number of units. Equation: parts = unit × round_to_units(amounts / unit, total /
    unit) (Hamilton's method, see :func:`round_to_units`).

    Example (worked by hand): 100 split in thirds, to whole units → 34, 33, 33; to cents →
    33.34, 33.33, 33.33.

    >>> largest_remainder([100 / 3] * 3, 100).tolist()
    [34.0, 33.0, 33.0]
    >>> largest_remainder([100 / 3] * 3, 100, 0.01).tolist()
    [33.34, 33.33, 33.33]
    """
    total_units = _units(float(total), float(unit), "calc.subject.total")
    q = _vector(amounts, "calc.subject.amount", None) / unit
    return np.round(round_to_units(q, total_units) * unit, _decimals(unit))


def _monthly_history(history, start_month: int) -> tuple[np.ndarray, int]:
    """The history with leading and trailing blanks dropped, and the calendar month it starts in."""
    y = _vector(history, "calc.subject.sales_history", 0.0)
    if not 1 <= int(start_month) <= MONTHS:
        raise CalcError("msg.calc.targets.first_month_history")
    if y.size and not np.isnan(y[0]) and not np.isnan(y[-1]):  # nothing to drop
        return y, (int(start_month) - 1) % MONTHS
    known = np.flatnonzero(~np.isnan(y))
    if known.size == 0:
        raise CalcError("msg.calc.targets.sales_history_empty")
    y = y[known[0]: known[-1] + 1]
    return y, (int(start_month) - 1 + int(known[0])) % MONTHS


def _mean_by_month(ratios: np.ndarray, first: int) -> np.ndarray:
    """Mean ratio per calendar month (index 0 = January), blanks left out."""
    months = (first + np.arange(ratios.size)) % MONTHS
    ok = ~np.isnan(ratios)
    count = np.bincount(months[ok], minlength=MONTHS)
    total = np.bincount(months[ok], weights=ratios[ok], minlength=MONTHS)
    if np.any(count == 0):
        missing = ", ".join(str(m + 1) for m in np.flatnonzero(count == 0))
        raise CalcError("msg.calc.targets.sales_history_has_no", missing=missing)
    return total / count


def seasonal_indices(history, start_month: int = 1, periods: int = 12, min_moving_average_months: int = 24,
                     method: str = "auto") -> np.ndarray:
    """Seasonal indices per month (or quarter) from a monthly sales history, summing to ``periods``.

    ``history``: consecutive monthly sales, oldest first, the first one in calendar month
    ``start_month``; leading and trailing blanks are dropped, a blank inside counts as
    unknown: its ratio is left out and the moving averages around it use the other months
    of their window (weights rescaled; at most a quarter of the window may be blank).

    Ratio to moving average (``method="ratio_to_moving_average"``, used by ``"auto"`` when
    there are at least ``min_moving_average_months`` months, which must be ≥ 24): the trend
    is the centred 2×12 moving average
    Tₜ = (½yₜ₋₆ + yₜ₋₅ + … + yₜ₊₅ + ½yₜ₊₆) / 12, the ratio rₜ = yₜ / Tₜ, and the raw index
    of month m is the mean of its ratios. Average of ratios (``"average_of_ratios"``, for
    12 to 23 months): the history is cut into 12-month blocks from the latest month back,
    rₜ = yₜ / (mean of its block), averaged per month. Either way the indices are scaled
    to sum to 12: Sₘ = 12·S̃ₘ / ΣS̃. Quarters (``periods=4``): the quarter's three monthly
    indices averaged, Sq = (S₃q₋₂ + S₃q₋₁ + S₃q)/3, which sums to 4.

    Source: classical multiplicative decomposition, Hyndman & Athanasopoulos, Forecasting:
    Principles and Practice (2nd ed., §6.3), and the ratio-to-moving-average method of the
    X-11 family.

    Example (worked by hand): two years of a flat level of 100 with December at double the
    other months' weight (months 1–11 at 92.3, December at 184.6) → the 2×12 moving average
    is 100 everywhere it is defined, so the ratios are 0.923 and 1.846 and the indices come
    out as 12·1/13 and 12·2/13.

    >>> pattern = [1] * 11 + [2]
    >>> y = [1200 / 13 * p for p in pattern] * 2
    >>> np.round(seasonal_indices(y), 4)[[0, 11]].tolist()
    [0.9231, 1.8462]
    >>> np.round(seasonal_indices(y, periods=4), 4).tolist()
    [0.9231, 0.9231, 0.9231, 1.2308]
    """
    if periods not in (12, 4):
        raise CalcError("msg.calc.targets.periods_months_quarters")
    if min_moving_average_months < 24:
        raise CalcError("msg.calc.targets.centred_month_moving_average")
    y, first = _monthly_history(history, start_month)
    if method == "auto":
        method = "ratio_to_moving_average" if y.size >= min_moving_average_months else "average_of_ratios"
    if y.size < MONTHS:
        raise CalcError("msg.calc.targets.seasonal_indices_need_at", size=y.size)
    raw = None
    if method == "ratio_to_moving_average":
        if y.size < 2 * MONTHS:
            raise CalcError("msg.calc.targets.ratio_moving_average_needs", size=y.size)
        weights = np.r_[0.5, np.ones(11), 0.5] / MONTHS
        raw = _ratio_to_moving_average_without_blanks(y, first, weights)
        if raw is None:
            # A blank month inside the window is left out and the other weights scaled up, so
            # one missing month costs its own ratio only, not the 13 around it.
            known = (~np.isnan(y)).astype(float)
            weight_known = np.convolve(known, weights, mode="valid")
            trend = np.full(y.size, np.nan)
            with np.errstate(divide="ignore", invalid="ignore"):
                trend[6:-6] = np.where(weight_known >= 0.75, np.convolve(np.nan_to_num(y), weights, mode="valid")
                                       / weight_known, np.nan)
    elif method == "average_of_ratios":
        block = (y.size - 1 - np.arange(y.size)) // MONTHS  # 0 = the latest 12 months
        complete = block < y.size // MONTHS
        sums = np.bincount(block[complete], weights=np.nan_to_num(y[complete]))
        counts = np.bincount(block[complete], weights=(~np.isnan(y[complete])).astype(float))
        trend = np.where(complete, (sums / np.maximum(counts, 1))[np.minimum(block, sums.size - 1)], np.nan)
    else:
        raise CalcError("msg.calc.targets.unknown_seasonal_method", method=method)
    if raw is None:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios = np.where(trend > 0, y / trend, np.nan)
        raw = _mean_by_month(ratios, first)
    if raw.sum() <= 0:
        raise CalcError("msg.calc.targets.sales_history_has_no_2")
    monthly = MONTHS * raw / raw.sum()
    return monthly if periods == MONTHS else monthly.reshape(4, 3).mean(axis=1)


def _ratio_to_moving_average_without_blanks(y: np.ndarray, first: int, weights: np.ndarray) -> np.ndarray | None:
    """The raw indices (mean ratio per calendar month) of the ratio to moving average when no
    month is blank (nor ∞: a finite total says so) and every moving average is above zero:
    then each window's known weight is the same full weight and every ratio between the first
    and the last six months counts. One convolution instead of two, and no masks; the ratios
    are laid out a year to a row, so each month's sum is a column sum that adds its ratios in
    the order the general path's bincount does (from 0, oldest first). None in any other case."""
    with np.errstate(over="ignore", invalid="ignore"):
        if not np.isfinite(y.sum()):
            return None
    # The known weight of a window without blanks, as the general path's convolution of ones
    # gives it at every position (checked at 16 of them, so at every memory offset).
    full = np.convolve(np.ones(weights.size + 15), weights, mode="valid")
    if not (full == full[0]).all() or full[0] < 0.75:
        return None
    count = y.size - 12  # ratios from the 7th month to the 7th last, the first in calendar month `offset`
    offset = (first + 6) % MONTHS
    years = (offset + count - 1) // MONTHS + 1
    rows = np.zeros((1 + years) * MONTHS)  # a first year of zeros: the sums start from 0
    ratios = rows[MONTHS + offset: MONTHS + offset + count]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        trend = np.convolve(y, weights, mode="valid")
        trend /= full[0]
        if not (trend > 0).all():
            return None
        np.divide(y[6:-6], trend, out=ratios)
    per_month = np.full(MONTHS, count // MONTHS)
    per_month[(offset + np.arange(count % MONTHS)) % MONTHS] += 1
    return rows.reshape(-1, MONTHS).sum(axis=0) / per_month


def seasonal_split(annual_target: float, indices, overrides=None, unit: float = 1.0) -> pd.DataFrame:
    """An annual target split over periods in proportion to their seasonal indices.

    Symbols: A annual target, Sₚ index of period p (Σ Sₚ = P periods), O the set of periods
    with a manual override Mₚ. The other periods share what the overrides leave:
    targetₚ = (A − Σ_{O} M) · Sₚ / Σ_{p∉O} Sₚ, then rounded to ``unit`` by largest
    remainder, so Σ targetₚ = A exactly. With no overrides this is A·Sₚ/P.

    ``overrides``: one value per period, blank (NaN/None) where the index decides.
    The result has one row per period: period (1…P), seasonal_index, overridden, target.

    Example (worked by hand): 1 200 000 over quarters with indices 0.8, 1.0, 1.0, 1.2 →
    240 000, 300 000, 300 000, 360 000. With Q1 fixed at 300 000 the other quarters share
    900 000 in the ratio 1 : 1 : 1.2 → 281 250, 281 250, 337 500.

    >>> seasonal_split(1_200_000, [0.8, 1.0, 1.0, 1.2]).target.tolist()
    [240000.0, 300000.0, 300000.0, 360000.0]
    >>> seasonal_split(1_200_000, [0.8, 1.0, 1.0, 1.2], [300_000, None, None, None]).target.tolist()
    [300000.0, 281250.0, 281250.0, 337500.0]
    """
    return pd.DataFrame(seasonal_split_columns(annual_target, indices, overrides, unit))


def seasonal_split_columns(annual_target: float, indices, overrides=None, unit: float = 1.0) -> dict:
    """The columns of :func:`seasonal_split` as arrays (name → one value per period), for
    callers that need no table.

    Same example, Q1 fixed at 300 000:

    >>> seasonal_split_columns(1_200_000, [0.8, 1.0, 1.0, 1.2], [300_000, None, None, None])["target"].tolist()
    [300000.0, 281250.0, 281250.0, 337500.0]
    """
    s = _vector(indices, "calc.subject.seasonal_index")
    if s.size == 0 or np.isnan(s).any():
        raise CalcError("msg.calc.targets.every_period_needs_seasonal")
    target = float(annual_target)
    if not np.isfinite(target) or target < 0:
        raise CalcError("msg.calc.targets.annual_target_number_zero")
    fixed = np.full(s.size, np.nan) if overrides is None else np.ravel(np.asarray(
        [np.nan if v is None else v for v in np.ravel(np.asarray(overrides, dtype=object))], dtype=float))
    if fixed.size != s.size:
        raise CalcError("msg.calc.targets.overrides_periods", size=fixed.size, size2=s.size)
    if np.any(fixed < 0):
        raise CalcError("msg.calc.targets.override_cannot_below_zero")
    is_fixed = ~np.isnan(fixed)
    total_units = _units(target, unit, "calc.subject.annual_target")
    fixed_units = np.array([_units(v, unit, "calc.subject.override") for v in fixed[is_fixed]], dtype=np.int64)
    rest_units = total_units - int(fixed_units.sum())
    if rest_units < 0:
        raise CalcError("msg.calc.targets.overrides_add_up_more", value=fixed[is_fixed].sum(), target=target)
    free_weight = s[~is_fixed].sum()
    if (~is_fixed).sum() == 0 and rest_units != 0:
        raise CalcError("msg.calc.targets.every_period_overridden_but")
    if rest_units > 0 and free_weight <= 0:
        raise CalcError("msg.calc.targets.periods_left_absorb_rest")
    parts = np.zeros(s.size, dtype=np.int64)
    parts[is_fixed] = fixed_units
    if (~is_fixed).any():
        share = s[~is_fixed] / free_weight if free_weight > 0 else np.zeros((~is_fixed).sum())
        parts[~is_fixed] = round_to_units(share * rest_units, rest_units)
    return {"period": np.arange(1, s.size + 1), "seasonal_index": s, "overridden": is_fixed,
            "target": np.round(parts * unit, _decimals(unit))}


def allocation_basis(history, recent_growth=None, potential=None, weight_history: float = 1.0,
                     weight_growth: float = 0.0, weight_potential: float = 0.0) -> np.ndarray:
    """Each dealer's share of a target from a weighted blend of three shares (Σ = 1).

    Symbols: hᵢ sales in the base period (e.g. last year), gᵢ recent growth rate (e.g. last
    6 months over the same months a year before; 0.1 = +10 %), pᵢ market potential;
    weights w_h, w_g, w_p. Shares: history s_h = hᵢ/Σh; growth-projected
    s_g = hᵢ·max(1 + gᵢ, 0) / Σ h·max(1 + g, 0) (a dealer growing faster takes more);
    potential s_p = pᵢ/Σp. Blend: sᵢ = Σ_k w_k s_k,ᵢ / Σ_k w_k, where a component with
    no data (its total is zero or all blank) drops out and the other weights are scaled up.
    Blank h, g or p count as 0.

    Example (worked by hand): h = 600, 400; g = 0, +50 %; p = 500, 1500; weights 0.5, 0.2,
    0.3 → s_h = 0.6, 0.4; s_g = 600/1200, 600/1200 = 0.5, 0.5; s_p = 0.25, 0.75 →
    s = 0.3 + 0.1 + 0.075 = 0.475 and 0.2 + 0.1 + 0.225 = 0.525.

    >>> allocation_basis([600, 400], [0, 0.5], [500, 1500], 0.5, 0.2, 0.3).round(3).tolist()
    [0.475, 0.525]
    """
    h = _vector(history, "calc.subject.sales_history")
    n = h.size
    g = None if recent_growth is None else _vector(recent_growth, "calc.subject.growth_rate", None)
    p = None if potential is None else _vector(potential, "calc.subject.market_potential")
    if (g is not None and g.size != n) or (p is not None and p.size != n):
        raise CalcError("msg.calc.targets.history_growth_potential_need", n=n)
    weights = np.array([weight_history, weight_growth, weight_potential], dtype=float)
    if np.any(~np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise CalcError("msg.calc.targets.allocation_weights_zero_more")
    blend = _blend_without_blanks(h, g, p, weights)
    if blend is not None:
        return blend
    h = np.nan_to_num(h, nan=0.0)
    g = np.zeros(n) if g is None else np.nan_to_num(g, nan=0.0)
    p = np.zeros(n) if p is None else np.nan_to_num(p, nan=0.0)
    components = np.vstack([h, h * np.maximum(1.0 + g, 0.0), p])
    totals = components.sum(axis=1)
    usable = (totals > 0) & (weights > 0)
    if not usable.any():
        raise CalcError("msg.calc.targets.there_no_history_growth")
    shares = components[usable] / totals[usable, None]
    return (weights[usable, None] * shares).sum(axis=0) / weights[usable].sum()


def _blend_without_blanks(h: np.ndarray, g: np.ndarray | None, p: np.ndarray | None,
                          weights: np.ndarray) -> np.ndarray | None:
    """:func:`allocation_basis` when no value is blank (nor ∞): the same shares and the same
    additions, one component at a time instead of in one stacked table. None in any other case
    (a blank, an infinite total, no usable component): then the general path decides.

    The totals tell: Σh and Σp are finite only when every h and p is, and Σ h·max(1 + g, 0) only
    when no g is blank or +∞ (a −∞ growth gives 0 either way). A missing component is zeros, as
    in the general path: growth 0 projects h itself, no potential has nothing to share.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if g is None:
            projected = h
        else:
            projected = g + 1.0
            np.maximum(projected, 0.0, out=projected)
            projected *= h
        components = (h, projected, p)
        totals = [np.float64(0.0) if c is None else c.sum() for c in components]
    if not all(np.isfinite(total) for total in totals):
        return None
    usable = np.array([total > 0 for total in totals]) & (weights > 0)
    if not usable.any():
        return None
    blend = None
    for component, total, weight, used in zip(components, totals, weights, usable):
        if used:
            share = component / total
            share *= weight
            if blend is None:
                blend = share
            else:
                blend += share
    blend += 0.0  # the stacked sum starts from +0, so a share of −0 everywhere comes out as +0
    blend /= weights[usable].sum()
    return blend


def _lambda_below_every_ceiling(total: float, w: np.ndarray, positive: np.ndarray, floors: np.ndarray,
                                ceilings: np.ndarray) -> float | None:
    """λ of :func:`_proportional_within_bounds` when no dealer has a floor and λ·w stays below
    every ceiling (the usual case): λ = total / Σw, with Σw and the test computed as the
    breakpoint search computes them, so λ is the same to the bit. None in any other case."""
    if floors.size == 0 or (floors != 0).any():
        return None
    shares = w[positive]
    if shares.size == 0:
        return None
    slope = np.cumsum(shares)[-1]  # the slope after every dealer has left its floor (at λ = 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        first_stop = float((ceilings[positive] / shares).min())  # λ where the first dealer reaches its ceiling
    value_at_first_stop = floors.sum() + slope * first_stop
    # A margin far above float noise keeps the boundary cases on the breakpoint search.
    if not (first_stop > 0 and slope > 0 and total < value_at_first_stop * (1 - 1e-9)):
        return None
    return total / slope  # the breakpoint search: λ = 0 + (total − 0) / slope


def _proportional_within_bounds(total: float, weights: np.ndarray, floors: np.ndarray, ceilings: np.ndarray,
                                breakpoints_only: bool = False):
    """xᵢ = clip(λ·wᵢ, fᵢ, cᵢ) with λ chosen so Σx = total (exact, by the breakpoints of λ).

    ``breakpoints_only`` skips the shortcut for the usual case (no floors, no ceiling reached),
    so tests can compare the two.
    """
    # Shares, with negligible ones as zero: a weight of 1e-96 would put its breakpoints at
    # infinity without changing any rounded result.
    w = weights / weights.sum() if weights.sum() > 0 else np.zeros_like(weights)
    positive = w > 1e-12
    w = np.where(positive, w, 0.0)
    lam = None if breakpoints_only else _lambda_below_every_ceiling(total, w, positive, floors, ceilings)
    if lam is not None:
        return np.clip(lam * w, floors, ceilings)
    with np.errstate(divide="ignore", invalid="ignore"):
        starts = np.where(positive, floors / w, np.inf)   # λ where dealer i leaves its floor
        stops = np.where(positive, ceilings / w, np.inf)  # λ where it reaches its ceiling
    # g(λ) = Σ clip(λw, f, c) is piecewise linear and non-decreasing; its slope rises by wᵢ at
    # startᵢ and falls by wᵢ at stopᵢ. Evaluate it at every breakpoint and interpolate.
    points = np.concatenate([starts[positive], stops[positive]])
    slope_change = np.concatenate([w[positive], -w[positive]])
    order = np.argsort(points, kind="stable")
    points, slope_change = points[order], slope_change[order]
    slope_after = np.cumsum(slope_change)
    value_at = floors.sum() + np.concatenate([[0.0], np.cumsum(slope_after[:-1] * np.diff(points))]) \
        if points.size else np.zeros(0)
    finite = np.isfinite(points)
    reachable = value_at[finite][-1] if finite.any() else floors.sum()
    if points.size and total <= reachable + 1e-9 * max(1.0, abs(total)):
        k = int(np.searchsorted(value_at, total, side="right")) - 1
        k = min(max(k, 0), points.size - 1)
        lam = points[k] + ((total - value_at[k]) / slope_after[k] if slope_after[k] > 0 else 0.0)
        return np.clip(lam * w, floors, ceilings)
    # Every dealer with a share is at its ceiling: the rest goes to dealers without a share
    # (new dealers), in proportion to their room between floor and ceiling.
    x = np.where(positive, ceilings, floors)
    room = np.where(positive, 0.0, ceilings - floors)
    rest = total - x.sum()
    return x + (rest * room / room.sum() if room.sum() > 0 else 0.0)


def allocate(total: float, weights, floors=None, ceilings=None, unit: float = 1.0) -> np.ndarray:
    """``total`` shared in proportion to ``weights``, inside per-dealer floors and ceilings, in whole ``unit``s.

    Symbols: T total, wᵢ weight (any non-negative number, e.g. a share from
    :func:`allocation_basis`), fᵢ floor, cᵢ ceiling (blank: 0 and no ceiling), u unit.
    Equation: xᵢ = clip(λ·wᵢ, fᵢ, cᵢ) with the one λ for which Σxᵢ = T (capping: dealers
    that hit a bound stay there and the others share the rest in proportion to w);
    dealers with w = 0 get their floor, and more only if every other dealer is at its
    ceiling. Then rounded to multiples of u by largest remainder inside ⌈fᵢ/u⌉·u …
    ⌊cᵢ/u⌋·u, so Σ = T exactly. T must be a whole number of units; Σf ≤ T ≤ Σc at the
    unit, or a CalcError says which bound cannot be met. Bounds are compared to within a
    millionth of a unit, so a floor of 1 234.560000001 (float noise) is met by 1 234.56.

    Example (worked by hand): 1 000 by weights 5, 3, 2 with a ceiling of 400 on the first →
    500 is capped at 400, the other two share 600 in the ratio 3 : 2 → 360 and 240. With
    a floor of 300 on the third instead: 300 for it, 700 in the ratio 5 : 3 → 437.5,
    262.5 → whole units 438, 262 (largest remainder; ties to the first). Worked by hand;
    λ is found exactly from the breakpoints fᵢ/wᵢ and cᵢ/wᵢ of the piecewise-linear
    Σclip(λw, f, c), and the rounding is Hamilton's method (Balinski & Young, Fair
    Representation, 2001) kept inside the bounds.

    >>> allocate(1000, [5, 3, 2], ceilings=[400, None, None]).tolist()
    [400.0, 360.0, 240.0]
    >>> allocate(1000, [5, 3, 2], floors=[0, 0, 300]).tolist()
    [438.0, 262.0, 300.0]
    """
    w = _vector(weights, "calc.subject.weight")
    n = w.size
    if n == 0:
        raise CalcError("msg.calc.targets.there_no_dealers_allocate")
    w = np.nan_to_num(w, nan=0.0)
    f = np.zeros(n) if floors is None else np.nan_to_num(_vector(floors, "calc.subject.floor"), nan=0.0)
    c = np.full(n, np.inf) if ceilings is None else _vector(ceilings, "calc.subject.ceiling")
    c = np.where(np.isnan(c), np.inf, c)
    if f.size != n or c.size != n:
        raise CalcError("msg.calc.targets.floors_ceilings_need_one", n=n)
    below = np.flatnonzero(c < f)
    if below.size:
        raise CalcError("msg.calc.targets.dealer_ceiling_below_floor", below=below[0] + 1, c=c[below[0]], f=f[below[0]])
    total = float(total)
    if not np.isfinite(total) or total < 0:
        raise CalcError("msg.calc.targets.total_allocate_number_zero")
    total_units = _units(total, float(unit), "calc.subject.total")
    lo = np.ceil(f / unit - _UNIT_TOLERANCE)
    hi = np.floor(np.where(np.isinf(c), total_units, c / unit) + _UNIT_TOLERANCE)
    no_room = np.flatnonzero(lo > hi)
    if no_room.size:
        i = no_room[0]
        raise CalcError("msg.calc.targets.dealer_no_multiple_rounding", i=i + 1, unit=unit, f=f[i], c=c[i])
    if lo.sum() > total_units:
        raise CalcError("msg.calc.targets.floors_add_up_more", value=lo.sum() * unit, total=total)
    if hi.sum() < total_units:
        raise CalcError("msg.calc.targets.ceilings_add_up_less", value=hi.sum() * unit, total=total)
    exact = _proportional_within_bounds(float(total_units), w, lo, hi)
    return np.round(round_to_units(exact, total_units, lo, hi) * unit, _decimals(unit))


def allocate_targets(total: float, dealers: pd.DataFrame, weight_history: float = 0.5, weight_growth: float = 0.2,
                     weight_potential: float = 0.3, unit: float = 1.0, history: str = "history",
                     recent_growth: str = "recent_growth", potential: str = "market_potential",
                     floor: str = "target_floor", ceiling: str = "target_ceiling",
                     month_totals=None, active=None) -> pd.DataFrame:
    """A region's or the company's target allocated to its dealers (one row per dealer).

    ``dealers`` holds, per dealer, the columns named by ``history`` (base-period sales),
    ``recent_growth`` (growth rate), ``potential`` (market potential), ``floor`` and
    ``ceiling`` (blank or absent: no bound). Returns a copy with ``allocation_share``
    (the blended share sᵢ of :func:`allocation_basis`) and ``target_amount`` (from
    :func:`allocate`, summing exactly to ``total``).

    With ``month_totals`` (the year's months, Tₘ) and ``active`` (months × dealers, True where
    the dealer is under contract in the month), each month is shared among the dealers under
    contract in it: the dealer's weight is wᵢ = Σₘ Tₘ·sᵢ·aₘᵢ / Σₖ sₖ·aₘₖ, and its floor and
    ceiling count for the same part of the year, fᵢ = Σₘ Tₘ·aₘᵢ / Σₘ Tₘ. With every dealer
    under contract all year this is the same allocation.

    >>> d = pd.DataFrame({"dealer_id": ["D1", "D2"], "history": [600, 400], "recent_growth": [0, 0.5],
    ...                   "market_potential": [500, 1500]})
    >>> allocate_targets(10_000, d).target_amount.tolist()
    [4750.0, 5250.0]

    Example (by hand): two dealers of equal share, 200 a month over a year; the second is under
    contract January to June only: the first half is shared 100 and 100, the second half goes
    to the first dealer: 1,800 and 600.

    >>> equal = pd.DataFrame({"dealer_id": ["D1", "D2"], "history": [1200.0, 1200.0]})
    >>> months = np.arange(12) < 6
    >>> allocate_targets(2_400, equal, 1, 0, 0, month_totals=[200.0] * 12,
    ...                  active=np.column_stack([np.ones(12, bool), months])).target_amount.tolist()
    [1800.0, 600.0]
    """
    if history not in dealers.columns:
        raise CalcError("msg.calc.targets.dealer_table_needs_column", history=history)

    def optional(name):
        return dealers[name].to_numpy(dtype=float) if name in dealers.columns else None

    share = allocation_basis(dealers[history].to_numpy(dtype=float), optional(recent_growth), optional(potential),
                             weight_history, weight_growth, weight_potential)
    weights, floors, ceilings = share, optional(floor), optional(ceiling)
    if month_totals is not None and active is not None:
        t = np.asarray(month_totals, dtype=float)
        a = np.asarray(active, dtype=bool)
        if a.shape != (t.size, share.size):
            raise CalcError("msg.calc.targets.months_dealers_needed_say", size=t.size, size2=share.size)
        present = share[None, :] * a
        per_month = present.sum(axis=1, keepdims=True)
        weights = (t[:, None] * np.divide(present, per_month, out=np.zeros(present.shape), where=per_month > 0)).sum(0)
        part = (t[:, None] * a).sum(axis=0) / t.sum() if t.sum() > 0 else np.ones(share.size)
        floors = None if floors is None else floors * part
        ceilings = None if ceilings is None else ceilings * part
    result = dealers.copy()
    result["allocation_share"] = share
    result["target_amount"] = allocate(total, weights, floors, ceilings, unit)
    return result
