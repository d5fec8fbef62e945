"""Replenishment proposal (manual 5.1): what to order, per SKU × location, and why.

Pure calculation: one DataFrame in (stock position, demand statistics and item parameters
already joined per SKU × location), two out: the proposal for every item whose parameters
are complete, and the items that lack parameters with the names of what is missing. No
item is dropped silently. The reason is a code plus the columns that fill its message, so
the caller renders it in the workbook's language (``msg.replenishment.<code>``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError
from dealerxl.calc.intermittent import count_reorder_point
from dealerxl.calc.inventory import (MONTH_DAYS, YEAR_DAYS, eoq, round_order_quantity, safety_stock,
                                     safety_stock_fill_rate)

# Columns without which no proposal can be made; a blank in any of them lists the item as
# "missing parameters". Those in POSITIVE must also be above zero to be usable.
REQUIRED = ("on_hand", "mean_demand", "sd_demand", "lead_time_days", "service_level", "unit_cost",
            "order_cost", "holding_cost_rate", "supplier_id")
POSITIVE = ("unit_cost", "holding_cost_rate")
# Optional columns and the value a blank stands for.
DEFAULTS = {"on_order": 0.0, "reserved": 0.0, "lead_time_sd_days": 0.0, "moq": 0.0, "pack_size": 1.0}
NOT_REPLENISHED_STATUSES = ("discontinued",)
# Review rules of the ABC-XYZ policy that change what the proposal does (the others, e.g.
# continuous_eoq, min_max, order up to S = s + Q as computed here):
# make_to_order keeps no stock: no safety stock, no reorder point; it buys only what open
# customer demand (reserved) needs beyond stock on hand and on order.
# manual_review computes the proposal as usual but marks it for a buyer to approve.
MAKE_TO_ORDER = "make_to_order"
MANUAL_REVIEW = "manual_review"
# Rules that look at the stock position once per review period R rather than all the time:
# an order placed at one review is the last chance until the next review, so the stock must
# cover R + L, not L alone. periodic_order_up_to orders up to S at every review (R, S);
# min_max orders up to S = s + Q when the position is at or below s (R, s, S).
PERIODIC_ORDER_UP_TO = "periodic_order_up_to"
PERIODIC_RULES = (PERIODIC_ORDER_UP_TO, "min_max")
# Demand classes (Syntetos–Boylan) whose demand over the protection interval is a count with
# many zeros: their reorder point comes from a count distribution, not the normal.
COUNT_CLASSES = ("intermittent", "lumpy")

# Reason code → the result columns its message shows, e.g.
# "available {available} is at or below the reorder point {reorder_point}".
REASON_FIELDS = {
    "backorder": ("on_hand", "reserved", "proposed_qty"),
    "stock_out": ("on_hand", "proposed_qty"),
    "below_safety_stock": ("available", "safety_stock", "proposed_qty"),
    "below_reorder_point": ("available", "reorder_point", "proposed_qty"),
    "no_order_needed": ("available", "reorder_point"),
    "not_replenished": ("status",),
    "missing_parameters": ("missing_parameters",),
    "make_to_order": ("reserved", "available", "proposed_qty"),
    "manual_review": ("available", "reorder_point", "proposed_qty"),
}


@dataclass(frozen=True)
class Proposal:
    """The proposal (one row per complete SKU × location) and the items lacking parameters."""

    orders: pd.DataFrame
    missing: pd.DataFrame


def _missing_names(blank: pd.DataFrame) -> pd.Series:
    """Comma-separated names of the blank columns of each row ("" when none)."""
    if blank.shape[1] == 0:
        return pd.Series("", index=blank.index)
    joined = blank.astype(int).dot(pd.Index(blank.columns) + ", ") if blank.shape[0] else pd.Series(dtype=object)
    return joined.astype(str).str.rstrip(", ")


def _check_not_negative(frame: pd.DataFrame, columns) -> None:
    for column in columns:
        values = frame[column]
        negative = values < 0
        if negative.any():
            row = int(np.flatnonzero(negative.to_numpy())[0])
            raise CalcError("msg.calc.replenishment.row_negative", column=column, row=row + 1, iloc=frame['sku'].iloc[row], iloc2=values.iloc[row])


def _check_between(frame: pd.DataFrame, column: str, low: float, high: float, what: str) -> None:
    outside = (frame[column] < low) | (frame[column] >= high)
    if outside.any():
        row = int(np.flatnonzero(outside.to_numpy())[0])
        raise CalcError("msg.calc.replenishment.row", column=column, row=row + 1, iloc=frame['sku'].iloc[row], label_fields={"what": what}, iloc2=frame[column].iloc[row])


def review_period(frame: pd.DataFrame, rule: np.ndarray, period_days: float) -> np.ndarray:
    """Days between two looks at each item's stock position (0 = continuously watched).

    The ``review_period_days`` given (blank = none); a periodic rule (:data:`PERIODIC_RULES`)
    without one is reviewed once per demand period; make-to-order items keep no stock, so
    they have none.

    >>> frame = pd.DataFrame({"sku": ["A", "B", "C", "D"], "review_period_days": [None, 7, None, 30]})
    >>> review_period(frame, np.array(["continuous_eoq", "continuous_eoq", "min_max", "make_to_order"]), 30.0).tolist()
    [0.0, 7.0, 30.0, 0.0]
    """
    given = (pd.to_numeric(frame["review_period_days"], errors="coerce").fillna(0.0).to_numpy(float)
             if "review_period_days" in frame.columns else np.zeros(len(frame)))
    negative = given < 0
    if negative.any():
        row = int(np.flatnonzero(negative)[0])
        raise CalcError("msg.calc.replenishment.review_period_days_row", row=row + 1, iloc=frame['sku'].iloc[row], given=given[row])
    periodic = np.isin(rule, PERIODIC_RULES)
    days = np.where((given <= 0) & periodic, float(period_days), given)
    return np.where(rule == MAKE_TO_ORDER, 0.0, days)


def replenishment_proposal(positions: pd.DataFrame, as_of, period_days: float = MONTH_DAYS,
                           default_order_cost: float | None = None,
                           default_holding_cost_rate: float | None = None) -> Proposal:
    """Order proposal for every SKU × location from its stock position and policy.

    ``positions``: one row per SKU × location with ``sku``, ``location``, the columns in
    :data:`REQUIRED` (demand mean and standard deviation per period of ``period_days``;
    lead time in days; cycle service level; unit cost; cost per order; yearly holding cost
    rate; supplier), optionally those in :data:`DEFAULTS`, ``fill_rate`` (a fill-rate target
    used instead of the service level where given), ``status``, ``review_rule`` (the ABC-XYZ
    policy's rule; blank = continuous review) and anything else (passed
    through, e.g. ``sku_name``, ``abc_class``). ``default_order_cost`` and
    ``default_holding_cost_rate`` (the inventory settings) stand in for blank item values;
    without them a blank is a missing parameter.

    Equations per row (d, σd per period; L = lead_time_days / period_days; R =
    review_period_days / period_days, 0 for continuous review):
    available = on hand + on order − reserved; the protection interval is R + L, and SS is
    :func:`~dealerxl.calc.inventory.safety_stock` (or the fill-rate variant) over it, i.e.
    SS = z · sqrt((R + L)·σd² + d²·σL²); reorder point s = d·(R + L) + SS;
    Q = EOQ with D = d · 365.25 / period_days and h = holding_cost_rate · unit_cost;
    order-up-to level S = s + Q (min/max), or S = s for periodic_order_up_to;
    when available ≤ s (and S > available): proposed = S − available rounded up to MOQ and
    pack size, else 0;
    expected arrival = as_of + ⌈lead time⌉ days; value = proposed · unit cost.
    Reason: not_replenished (discontinued), else backorder (reserved above on hand), stock_out
    (nothing on hand), below_safety_stock, below_reorder_point, or no_order_needed.

    Slow movers. A row whose ``demand_class`` is intermittent or lumpy (:data:`COUNT_CLASSES`;
    d is then its Croston–SBA or TSB forecast and σd the root of that forecast's mean squared
    error) takes its reorder point from a count distribution over R + L instead:
    s = :func:`~dealerxl.calc.intermittent.count_reorder_point` (Poisson, or negative
    binomial when the variance exceeds the mean) at the cycle service level, and
    SS = s − d·(R + L); a fill-rate target does not apply to these rows.

    Review period. An item is reviewed periodically when its ``review_rule`` is
    ``periodic_order_up_to`` or ``min_max`` or when it has a ``review_period_days`` above
    zero (the ABC-XYZ policy box's). Its position is looked at only every R days, so an
    order placed now is the last one before the next review and must last until the order
    of that review arrives: R + L. A periodic rule without a review period is reviewed once
    per demand period (R = 1), the cadence at which the proposal is planned.
    ``periodic_order_up_to`` is the (R, S) system: at every review, order up to
    S = d·(R + L) + SS, so s = S and any position below S orders; the fill-rate variant
    then uses the expected demand per review, d·R, as the quantity of a cycle. ``min_max``
    and the other rules with a review period are the (R, s, S) system with the same
    s and S = s + Q. Source: Silver, Pyke & Thomas, Inventory and Production Management in
    Supply Chains (4th ed., 2017), ch. 6, the (R, S) system, order-up-to level
    S = x̂_{R+L} + k·σ_{R+L}, and ch. 7, the (R, s, S) system with s set over R + L.

    Example (worked by hand): d = 100 a month, σd = 20, L = 60.875 days (2 months), σL = 0,
    95 % → SS = 1.6449 · sqrt(2 · 400) = 46.52, s = 246.52; D = 1200, K = 50, h = 0.25 · 8
    = 2 → EOQ = sqrt(2 · 50 · 1200 / 2) = 244.95, S = 491.47; available = 100 + 50 − 30 = 120
    ≤ s → need 371.47, packs of 24 → 384, value 3072, arriving 61 days after 2026-11-30.

    >>> row = pd.DataFrame({"sku": ["P1"], "location": ["W1"], "on_hand": [100], "on_order": [50],
    ...     "reserved": [30], "mean_demand": [100], "sd_demand": [20], "lead_time_days": [2 * MONTH_DAYS],
    ...     "service_level": [0.95], "unit_cost": [8.0], "order_cost": [50], "holding_cost_rate": [0.25],
    ...     "pack_size": [24], "supplier_id": ["S9"]})
    >>> p = replenishment_proposal(row, "2026-11-30")
    >>> r = p.orders.iloc[0]
    >>> [round(float(r[c]), 2) for c in ("safety_stock", "reorder_point", "order_up_to", "proposed_qty", "order_value")]
    [46.52, 246.52, 491.47, 384.0, 3072.0]
    >>> str(r.expected_arrival.date()), r.replenishment_reason, len(p.missing)
    ('2027-01-30', 'below_reorder_point', 0)

    Periodic review (R, S), worked by hand: the same item reviewed once a month (R = 30.4375
    days = 1 month) with a lead time of half a month (σL = 0): R + L = 1.5 months, SS =
    1.6449 · sqrt(1.5 · 400) = 40.29, S = s = 100 · 1.5 + 40.29 = 190.29; available 120 <
    S → need 70.29, packs of 24 → 72. Continuous review of the same item would protect
    over L alone: SS = 1.6449 · sqrt(0.5 · 400) = 23.26, s = 73.26, and order nothing.

    >>> periodic = row.assign(lead_time_days=0.5 * MONTH_DAYS, review_rule="periodic_order_up_to",
    ...                       review_period_days=MONTH_DAYS)
    >>> r = replenishment_proposal(periodic, "2026-11-30").orders.iloc[0]
    >>> [round(float(r[c]), 2) for c in ("safety_stock", "reorder_point", "order_up_to", "proposed_qty")]
    [40.29, 190.29, 190.29, 72.0]
    >>> r = replenishment_proposal(row.assign(lead_time_days=0.5 * MONTH_DAYS), "2026-11-30").orders.iloc[0]
    >>> [round(float(r[c]), 2) for c in ("safety_stock", "reorder_point", "proposed_qty")]
    [23.26, 73.26, 0.0]

    A lumpy spare part, worked by hand: d = 0.5 a month, σd² = 1.5, L = 2 months, 95 % →
    negative binomial with mean 1 and variance 3: s = 4 (see count_reorder_point), SS = 3;
    one on hand and none on order → order up to s + EOQ (D = 6, K = 50, h = 2: 17.32) =
    21.32, 20.32 → one pack of 24.

    >>> part = row.assign(mean_demand=0.5, sd_demand=1.5 ** 0.5, on_hand=1, on_order=0, reserved=0,
    ...                   demand_class="lumpy")
    >>> r = replenishment_proposal(part, "2026-11-30").orders.iloc[0]
    >>> [round(float(r[c]), 2) for c in ("safety_stock", "reorder_point", "proposed_qty")], r.demand_class
    ([3.0, 4.0, 24.0], 'lumpy')
    """
    missing_keys = [c for c in ("sku", "location") if c not in positions.columns]
    if missing_keys:
        raise CalcError("msg.calc.replenishment.stock_positions_need_column", missing_keys=', '.join(missing_keys))
    if not float(period_days) > 0:
        raise CalcError("msg.calc.replenishment.demand_period_longer_than")
    as_of_date = pd.Timestamp(as_of).normalize()
    frame = positions.reset_index(drop=True).copy()
    for column in REQUIRED:
        if column not in frame.columns:
            frame[column] = np.nan
    for column, default in DEFAULTS.items():
        frame[column] = (pd.to_numeric(frame[column], errors="coerce") if column in frame.columns
                         else pd.Series(np.nan, index=frame.index)).fillna(default)
    numeric = [c for c in REQUIRED if c != "supplier_id"]
    for column in numeric:
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    for column, default in (("order_cost", default_order_cost), ("holding_cost_rate", default_holding_cost_rate)):
        if default is not None:
            frame[column] = frame[column].fillna(float(default))
    _check_not_negative(frame, [*numeric, *DEFAULTS])
    _check_between(frame, "service_level", 0.5, 1.0, "calc.subject.at_least_50_and_below_100")
    _check_between(frame, "pack_size", 1e-12, np.inf, "calc.subject.above_0")
    if "fill_rate" in frame.columns:
        frame["fill_rate"] = pd.to_numeric(frame["fill_rate"], errors="coerce")
        _check_between(frame, "fill_rate", 1e-12, 1.0, "calc.subject.above_0_and_below_100")

    supplier_blank = frame["supplier_id"].isna() | (frame["supplier_id"].astype(str).str.strip() == "")
    blank = frame[numeric].isna()
    blank["supplier_id"] = supplier_blank
    for column in POSITIVE:
        blank[column] |= frame[column] <= 0
    blank = blank[list(REQUIRED)]
    incomplete = blank.any(axis=1)

    missing = frame.loc[incomplete, ["sku", "location"]].copy()
    missing["replenishment_reason"] = "missing_parameters"
    missing["missing_parameters"] = _missing_names(blank[incomplete])
    missing = missing.reset_index(drop=True)

    f = frame.loc[~incomplete].reset_index(drop=True)
    d, sd = f["mean_demand"].to_numpy(float), f["sd_demand"].to_numpy(float)
    lead, lead_sd = f["lead_time_days"].to_numpy(float), f["lead_time_sd_days"].to_numpy(float)
    order_qty = eoq(d * YEAR_DAYS / period_days, f["order_cost"].to_numpy(float),
                    f["holding_cost_rate"].to_numpy(float) * f["unit_cost"].to_numpy(float))
    rule = (f["review_rule"].astype(object).where(f["review_rule"].notna(), "").astype(str).to_numpy()
            if "review_rule" in f.columns else np.full(len(f), "", dtype=object))
    to_order = rule == MAKE_TO_ORDER
    up_to_rule = rule == PERIODIC_ORDER_UP_TO
    review_days = review_period(f, rule, period_days)
    protection = lead + review_days
    # The quantity one replenishment cycle brings: EOQ, or under (R, S) a review's demand.
    cycle_qty = np.where(up_to_rule, d * review_days / period_days, order_qty)
    cycle_ss = safety_stock(d, sd, protection, f["service_level"].to_numpy(float), lead_sd, period_days)
    if "fill_rate" in f.columns and f["fill_rate"].notna().any():
        use_fill = f["fill_rate"].notna().to_numpy()
        fill_ss = safety_stock_fill_rate(d, sd, protection, f["fill_rate"].fillna(0.5).to_numpy(float),
                                         np.where(cycle_qty > 0, cycle_qty, 1.0), lead_sd, period_days)
        ss = np.where(use_fill, fill_ss, cycle_ss)
    else:
        ss = cycle_ss
    if "demand_class" in f.columns:
        counted = f["demand_class"].isin(COUNT_CLASSES).to_numpy()
        if counted.any():
            count_ss = count_reorder_point(d, sd ** 2, protection / period_days, f["service_level"].to_numpy(float),
                                           lead_sd / period_days)["safety_stock"]
            ss = np.where(counted, count_ss, ss)
    ss = np.where(to_order, 0.0, ss)
    rop = np.where(to_order, 0.0, d * protection / period_days + ss)
    # Buying to order: the order-up-to level is zero, so only a negative available (customer
    # demand reserved beyond stock on hand and on order) triggers an order, of that shortfall.
    up_to = np.where(to_order, 0.0, np.where(up_to_rule, rop, rop + order_qty))
    on_hand, reserved = f["on_hand"].to_numpy(float), f["reserved"].to_numpy(float)
    available = on_hand + f["on_order"].to_numpy(float) - reserved
    stopped = (f["status"].isin(NOT_REPLENISHED_STATUSES).to_numpy() if "status" in f.columns
               else np.zeros(len(f), dtype=bool))
    # An item without demand has s = S = 0: nothing on hand is then no reason to order.
    trigger = (available <= rop) & (up_to > available) & ~stopped
    trigger &= ~to_order | (available < 0)
    proposed = round_order_quantity(np.where(trigger, up_to - available, 0.0),
                                    f["moq"].to_numpy(float), f["pack_size"].to_numpy(float))
    review = (rule == MANUAL_REVIEW) & (proposed > 0)
    reason = np.select(
        [stopped, to_order, ~(proposed > 0), review, reserved > on_hand, on_hand <= 0, available < ss],
        ["not_replenished", MAKE_TO_ORDER, "no_order_needed", MANUAL_REVIEW, "backorder", "stock_out",
         "below_safety_stock"],
        default="below_reorder_point")
    arrival = as_of_date + pd.to_timedelta(np.ceil(lead), unit="D")
    passthrough = [c for c in f.columns
                   if c not in ("sku", "location", *REQUIRED, *DEFAULTS, "supplier_id", "review_rule",
                                "review_period_days")]
    orders = pd.DataFrame({
        "sku": f["sku"], "location": f["location"],
        "on_hand": on_hand, "on_order": f["on_order"].to_numpy(float), "reserved": reserved,
        "available": available, "forecast_qty": d, "safety_stock": ss, "reorder_point": rop,
        "eoq": order_qty, "order_up_to": up_to, "moq": f["moq"].to_numpy(float),
        "pack_size": f["pack_size"].to_numpy(float), "proposed_qty": proposed,
        "expected_arrival": pd.Series(arrival).where(proposed > 0),
        "supplier_id": f["supplier_id"], "order_value": proposed * f["unit_cost"].to_numpy(float),
        "replenishment_reason": reason, "review_rule": pd.Series(rule).replace("", None).to_numpy(),
        "auto_order": (proposed > 0) & ~review, "lead_time_days": lead, "review_period_days": review_days,
        "service_level": f["service_level"].to_numpy(float),
    })
    for column in passthrough:
        orders[column] = f[column].to_numpy()
    return Proposal(orders=orders, missing=missing)
