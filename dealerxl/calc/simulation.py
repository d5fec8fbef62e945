"""Self-check of a stock policy by simulation (manual 5.1): replay demand against (s, Q),
or against a periodic order-up-to policy (R, s, S).

The safety-stock formulas rest on assumptions (normal lead-time demand, independent lead
times); replaying a demand history against the proposed reorder point and order quantity
shows the service the policy would actually have given. All items are simulated at once:
the loop runs over periods, every step handles every item as one array.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError


def simulate_reorder_point_policy(demand, reorder_point, order_quantity, lead_time_periods,
                                  lead_time_sd_periods=0.0, initial_stock=None, seed: int = 0,
                                  order_up_to=None) -> pd.DataFrame:
    """Achieved cycle service level and fill rate of an (s, Q) policy on a demand history.

    ``demand``: items × periods (NaN = no demand); ``reorder_point`` s, ``order_quantity`` Q,
    lead time mean and standard deviation in periods, one per item or scalars. Unmet demand
    is back-ordered.

    Each period t: (1) orders due arrive; just before, a replenishment cycle closes and
    counts as served if the net stock was not negative; (2) demand D_t is served from the
    net stock on hand, served_t = min(D_t, max(net, 0)); (3) if the inventory position
    (net stock + on order) is at or below s, n·Q is ordered with the smallest n that lifts
    it above s, arriving after L periods, L = max(1, round(N(mean, sd))), i.e. covering the
    demand of periods t+1 … t+L. Stock starts at s + Q with nothing on order.

    With ``order_up_to`` S given (one per item) step (3) orders S − position instead, the
    periodic-review (R, s, S) system with R = one period; s = S is the (R, S) system
    (Silver, Pyke & Thomas, ch. 6/7). Stock then starts at S.

    A lead time that is not a whole number of periods, L = k + f (0 < f < 1; e.g. 13 days
    in monthly buckets, 0.43), delivers f of the way into period t+k+1. The bucket's demand
    is taken as spread evenly over it: f·D is served before the arrival, the cycle closes
    on the net stock then, and (1 − f)·D after it. A random lead time varies the whole
    periods k (k = max(0, round(N(k, sd)))); f is the item's own.

    The position is looked at once per period, so an order is placed on average an
    undershoot E[U] ≈ (σd² + d²) / (2d) below s (the undershoot of periodic review); with
    buckets that are coarse against the lead-time demand spread σLTD the achieved service is
    therefore somewhat below the continuous-review target. Daily buckets keep the gap small
    (about one percentage point when E[U] is 7 % of σLTD).

    Results per item: cycle_service_level = cycles without a stock-out / cycles,
    fill_rate = Σ served / Σ demand, cycles, stockout_periods, demand, served.
    Source: the (s, Q) system and its service measures P1 (cycle service) and P2 (fill rate),
    Silver, Pyke & Thomas (2017)

    Example (worked by hand): demand 4 every period, s = 10, Q = 20, lead time 2 periods →
    the stock never falls below 10 − 8 = 2 at an arrival: full service.

    >>> simulate_reorder_point_policy([[4] * 30], 10, 20, 2).iloc[0][["cycle_service_level", "fill_rate"]].tolist()
    [1.0, 1.0]

    Example (worked by hand), reviewed each period with S = 6 and a lead time of half a
    period: each review orders the 4 just used; it arrives when 2 of the next 4 are gone,
    the net stock then is 6 − 4 − 2 = 0 (no shortage, served in full). With S = 5 it is −1
    at every arrival: each cycle runs short, and 1 of every 4 units is served late.

    >>> r = simulate_reorder_point_policy([[4] * 30] * 2, [6, 5], 1, 0.5, order_up_to=[6, 5])
    >>> r.cycle_service_level.tolist(), r.fill_rate.round(2).tolist()
    ([1.0, 0.0], [1.0, 0.76])
    """
    d = np.nan_to_num(np.atleast_2d(np.asarray(demand, dtype=float)), nan=0.0)
    if np.any(d < 0):
        raise CalcError("msg.calc.demand.demand_cannot_negative")
    n_items, n_periods = d.shape
    s = np.broadcast_to(np.asarray(reorder_point, dtype=float), (n_items,)).copy()
    q = np.broadcast_to(np.asarray(order_quantity, dtype=float), (n_items,)).copy()
    lead = np.broadcast_to(np.asarray(lead_time_periods, dtype=float), (n_items,))
    lead_sd = np.broadcast_to(np.asarray(lead_time_sd_periods, dtype=float), (n_items,))
    if np.any(~np.isfinite(s)) or (order_up_to is None and np.any(~(q > 0))):
        raise CalcError("msg.calc.simulation.every_item_needs_reorder")
    if np.any(~(lead >= 0)) or np.any(~(lead_sd >= 0)):
        raise CalcError("msg.calc.simulation.lead_times_their_standard")
    up_to = None
    if order_up_to is not None:
        up_to = np.broadcast_to(np.asarray(order_up_to, dtype=float), (n_items,)).copy()
        if np.any(~np.isfinite(up_to)) or np.any(up_to < s):
            raise CalcError("msg.calc.simulation.every_order_up_level")
    whole = np.floor(lead)
    fraction = lead - whole
    # A whole-period lead time is at least one period (an order placed after a period's
    # demand arrives before the next period's at the earliest); a fractional one may be less.
    min_whole = np.where(fraction > 0, 0, 1)
    rng = np.random.default_rng(seed)
    max_lead = int(np.ceil(np.max(lead + 6 * lead_sd, initial=1.0))) + 1
    arrivals = np.zeros((n_items, n_periods + max_lead + 1))
    start = (s + q) if up_to is None else up_to
    net = start.copy() if initial_stock is None else np.broadcast_to(np.asarray(initial_stock, float), (n_items,)).copy()
    on_order = np.zeros(n_items)
    cycles = np.zeros(n_items)
    good_cycles = np.zeros(n_items)
    served = np.zeros(n_items)
    stockout_periods = np.zeros(n_items)
    items = np.arange(n_items)
    for t in range(n_periods):
        before = fraction * d[:, t]  # demand of the bucket before this period's arrival
        served += np.minimum(before, np.maximum(net, 0.0))
        net = net - before
        arriving = arrivals[:, t]
        closing = arriving > 0
        cycles += closing
        good_cycles += closing & (net >= 0)
        net = net + arriving
        on_order -= arriving
        after = d[:, t] - before
        served += np.minimum(after, np.maximum(net, 0.0))
        net = net - after
        stockout_periods += net < 0
        position = net + on_order
        if up_to is None:
            short = position <= s
            quantity = np.where(short, (np.floor((s - position) / q) + 1) * q, 0.0)
        else:
            short = (position <= s) & (position < up_to)
            quantity = np.where(short, up_to - position, 0.0)
        lead_t = np.clip(np.rint(rng.normal(whole, lead_sd)), min_whole, max_lead).astype(int)
        np.add.at(arrivals, (items[short], t + lead_t[short] + 1), quantity[short])
        on_order += quantity
    total = d.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return pd.DataFrame({
            "cycle_service_level": np.where(cycles > 0, good_cycles / cycles, np.nan),
            "fill_rate": np.where(total > 0, served / total, np.nan),
            "cycles": cycles.astype(int),
            "stockout_periods": stockout_periods.astype(int),
            "demand": total,
            "served": served,
        })


def service_check(simulated: pd.DataFrame, target_cycle_service=None, target_fill_rate=None,
                  tolerance: float = 0.03) -> pd.DataFrame:
    """Compare simulated service with its target, overall (weighted by cycles and demand).

    Equations: achieved CSL = Σ (CSL_i · cycles_i) / Σ cycles_i (= good cycles / cycles);
    achieved fill rate = Σ served_i / Σ demand_i. Targets given per item are averaged with
    the same weights. The check passes when |achieved − target| ≤ tolerance.

    >>> sim = pd.DataFrame({"cycle_service_level": [1.0, 0.9], "fill_rate": [1.0, 0.99], "cycles": [10, 10],
    ...                     "stockout_periods": [0, 1], "demand": [100.0, 100.0], "served": [100.0, 99.0]})
    >>> service_check(sim, 0.95).to_dict("records")
    [{'measure': 'cycle_service_level', 'target': 0.95, 'achieved': 0.95, 'within_tolerance': True}]
    """
    rows = []
    for measure, target, weight in (("cycle_service_level", target_cycle_service, "cycles"),
                                    ("fill_rate", target_fill_rate, "demand")):
        if target is None:
            continue
        weights = simulated[weight].to_numpy(dtype=float)
        achieved = simulated[measure].to_numpy(dtype=float)
        known = ~np.isnan(achieved) & (weights > 0)
        if not known.any():
            raise CalcError("msg.calc.simulation.simulation_produced_no_replenishment")
        overall = float(np.average(achieved[known], weights=weights[known]))
        goal = float(np.average(np.broadcast_to(np.asarray(target, float), achieved.shape)[known], weights=weights[known]))
        rows.append({"measure": measure, "target": round(goal, 10), "achieved": round(overall, 10),
                     "within_tolerance": bool(abs(overall - goal) <= tolerance)})
    return pd.DataFrame(rows)
