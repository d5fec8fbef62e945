"""Supply chain (manual 5.2) and logistics (5.4): supplier scorecard and logistics cost.

Both work on the line tables as entered (supplier deliveries, shipments) and aggregate with
group sums, so thousands of lines cost one pass each.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError
from dealerxl.calc.scoring import grade, normalise

# Criteria the supplier score can weigh, each a column of the scorecard.
SUPPLIER_CRITERIA = ("on_time", "in_full", "otif", "reject_rate", "lead_time_mean_days", "lead_time_sd_days",
                     "lead_time_cv", "price_variance")
DIRECTIONS = {"higher_better": 1, "lower_better": -1}


def _require(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CalcError("msg.calc.demand.needs_column", label_fields={"what": what}, missing=', '.join(missing))


def _dates(frame: pd.DataFrame, column: str, what: str, required: bool) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    raw = frame[column]
    values = pd.to_datetime(raw, errors="coerce")
    unreadable = values.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    if required:
        unreadable |= values.isna()
    if unreadable.any():
        row = int(np.flatnonzero(unreadable.to_numpy())[0]) + 1
        raise CalcError("msg.calc.supply.row_not_date", label_fields={"what": what}, row=row, column=column)
    return values


def _numbers(frame: pd.DataFrame, column: str, what: str, default: float | None = None) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(np.nan if default is None else default, index=frame.index, dtype=float)
    values = pd.to_numeric(frame[column], errors="coerce")
    negative = values < 0
    if negative.any():
        row = int(np.flatnonzero(negative.to_numpy())[0]) + 1
        raise CalcError("msg.calc.supply.row_cannot_negative", label_fields={"what": what}, row=row, column=column)
    return values if default is None else values.fillna(default)


def late_flags(promised, delivered, as_of=None, tolerance_days: float = 0) -> pd.DataFrame:
    """Whether each delivery is measured and whether it is late.

    Equation: late = delivered − promised > tolerance (days); an undelivered line is late once
    as_of − promised > tolerance, and not yet measured before that (nor without a promise).

    >>> late_flags(pd.to_datetime(["2026-11-01", "2026-11-01", "2026-11-20"]),
    ...            pd.to_datetime(["2026-11-03", None, None]), "2026-11-10", 1).to_dict("list")
    {'measured': [True, True, False], 'late': [True, True, False]}
    """
    promised = pd.Series(pd.to_datetime(promised))
    delivered = pd.Series(pd.to_datetime(delivered), index=promised.index)
    tolerance = pd.Timedelta(days=float(tolerance_days))
    done = delivered.notna()
    overdue = pd.Series(False, index=promised.index)
    if as_of is not None:
        overdue = ~done & ((pd.Timestamp(as_of) - promised) > tolerance)
    late = (done & ((delivered - promised) > tolerance)) | overdue
    measured = promised.notna() & (done | overdue)
    return pd.DataFrame({"measured": measured.to_numpy(), "late": (late & measured).to_numpy()})


def supplier_kpis(deliveries: pd.DataFrame, as_of=None, on_time_tolerance_days: float = 0,
                  in_full_tolerance: float = 0.0) -> pd.DataFrame:
    """On time, in full, OTIF, rejects, lead time and price variance per supplier.

    Per delivery line (``supplier_deliveries`` columns): measured lines are delivered ones and
    open ones already overdue at ``as_of``.
    on_time = share of measured lines with delivered − promised ≤ tolerance days;
    in_full = share of measured lines with delivered_qty ≥ ordered_qty · (1 − tolerance);
    OTIF = share of measured lines both on time and in full;
    reject_rate = Σ rejected_qty / Σ delivered_qty;
    lead time = delivered_date − order_date (days) over delivered lines: mean, sample standard
    deviation, CV = sd / mean;
    price_variance = Σ (actual − agreed)·qty / Σ agreed·qty (qty delivered, else ordered; lines
    without an actual price are left out). Positive means paid above the agreed price.
    Source: OTIF as defined in the supply-chain KPI literature, e.g. Chopra & Meindl, Supply
    Chain Management, supplier performance measures.

    Example (worked by hand): supplier S1, two lines. Line 1 promised 11-10, delivered 11-09,
    100 of 100, 2 rejected, agreed 10, paid 10.5, ordered 11-01 (8 days). Line 2 promised 11-10,
    delivered 11-12, 90 of 100, paid 10, ordered 11-02 (10 days). → on time 0.5, in full
    0.5, OTIF 0.5, rejects 2 / 190, lead time 9 ± 1.41 days, price variance
    (0.5 · 100) / (10 · 190) = 2.63 %.

    >>> d = pd.DataFrame({"supplier_id": ["S1", "S1"], "order_date": ["2026-11-01", "2026-11-02"],
    ...     "promised_date": ["2026-11-10", "2026-11-10"], "delivered_date": ["2026-11-09", "2026-11-12"],
    ...     "ordered_qty": [100, 100], "delivered_qty": [100, 90], "rejected_qty": [2, 0],
    ...     "agreed_price": [10, 10], "actual_price": [10.5, 10]})
    >>> supplier_kpis(d).round(4).iloc[0].to_dict()
    {'supplier_id': 'S1', 'lines': 2, 'measured_lines': 2, 'on_time': 0.5, 'in_full': 0.5, 'otif': 0.5, 'reject_rate': 0.0105, 'lead_time_mean_days': 9.0, 'lead_time_sd_days': 1.4142, 'lead_time_cv': 0.1571, 'price_variance': 0.0263}
    """
    what = "calc.subject.supplier_deliveries"
    _require(deliveries, ["supplier_id", "promised_date", "ordered_qty"], what)
    if not 0 <= in_full_tolerance < 1 or on_time_tolerance_days < 0:
        raise CalcError("msg.calc.supply.on_time_full_tolerances")
    frame = deliveries.reset_index(drop=True)
    promised = _dates(frame, "promised_date", what, required=True)
    delivered = _dates(frame, "delivered_date", what, required=False)
    ordered_on = _dates(frame, "order_date", what, required=False)
    ordered = _numbers(frame, "ordered_qty", what, 0.0)
    delivered_qty = _numbers(frame, "delivered_qty", what, 0.0)
    rejected = _numbers(frame, "rejected_qty", what, 0.0)
    agreed = _numbers(frame, "agreed_price", what)
    actual = _numbers(frame, "actual_price", what)
    flags = late_flags(promised, delivered, as_of, on_time_tolerance_days)
    measured = flags["measured"].to_numpy()
    on_time = measured & ~flags["late"].to_numpy()
    in_full = measured & delivered.notna().to_numpy() & (delivered_qty >= ordered * (1 - in_full_tolerance)).to_numpy()
    lead_days = (delivered - ordered_on).dt.days.astype(float)
    qty = delivered_qty.where(delivered_qty > 0, ordered)
    priced = actual.notna() & agreed.notna()
    lines = pd.DataFrame({
        "supplier_id": frame["supplier_id"], "lines": 1, "measured_lines": measured.astype(int),
        "on_time_n": on_time.astype(int), "in_full_n": in_full.astype(int), "otif_n": (on_time & in_full).astype(int),
        "rejected": rejected, "delivered": delivered_qty.where(delivered.notna(), 0.0),
        "lead": lead_days, "lead_sq": lead_days**2, "lead_n": lead_days.notna().astype(int),
        "price_diff": ((actual - agreed) * qty).where(priced, 0.0), "price_base": (agreed * qty).where(priced, 0.0),
    })
    sums = lines.groupby("supplier_id", sort=True).sum(min_count=1)
    n_measured = sums["measured_lines"].where(sums["measured_lines"] > 0)
    lead_n = sums["lead_n"].where(sums["lead_n"] > 0)
    lead_mean = sums["lead"] / lead_n
    # Sample variance from sums: (Σx² − n·x̄²) / (n − 1); clipped at 0 against rounding.
    lead_var = ((sums["lead_sq"] - lead_n * lead_mean**2) / (lead_n - 1)).where(lead_n > 1).clip(lower=0)
    lead_sd = np.sqrt(lead_var)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = pd.DataFrame({
            "lines": sums["lines"].astype(int),
            "measured_lines": sums["measured_lines"].astype(int),
            "on_time": sums["on_time_n"] / n_measured,
            "in_full": sums["in_full_n"] / n_measured,
            "otif": sums["otif_n"] / n_measured,
            "reject_rate": sums["rejected"] / sums["delivered"].where(sums["delivered"] > 0),
            "lead_time_mean_days": lead_mean,
            "lead_time_sd_days": lead_sd,
            "lead_time_cv": lead_sd / lead_mean.where(lead_mean > 0),
            "price_variance": sums["price_diff"] / sums["price_base"].where(sums["price_base"] > 0),
        })
    return result.reset_index()


def supplier_scorecard(deliveries: pd.DataFrame, weights: pd.DataFrame, grade_bands: pd.DataFrame, as_of=None,
                       on_time_tolerance_days: float = 0, in_full_tolerance: float = 0.0,
                       min_deliveries: int = 1) -> pd.DataFrame:
    """Supplier KPIs (see :func:`supplier_kpis`) with a weighted 0–100 score and a grade.

    ``weights``: rows of ``supplier_criterion`` (a KPI column), ``weight``, ``target``,
    ``kpi_direction`` (higher_better / lower_better). Each criterion scores
    s = 100 · min(x / target, 1) when higher is better and 100 · min(target / x, 1) when lower
    is better (a value at or beyond target scores 100; see :func:`dealerxl.calc.scoring.normalise`).
    Score = Σ w·s / Σ w over the criteria the supplier has a value for. ``grade_bands``:
    ``supplier_grade`` and ``min_score``; a supplier with fewer measured lines than
    ``min_deliveries`` gets no grade. Source: the weighted-point supplier rating method, e.g.
    Heizer, Render & Munson, Operations Management, supplier evaluation.

    Example (worked by hand, KPIs of the :func:`supplier_kpis` example): on time 0.5 against
    0.95 → 52.63; rejects 0.0105 against 0.01 (lower better) → 95.0; equal weights → 73.82, B.

    >>> d = pd.DataFrame({"supplier_id": ["S1", "S1"], "order_date": ["2026-11-01", "2026-11-02"],
    ...     "promised_date": ["2026-11-10", "2026-11-10"], "delivered_date": ["2026-11-09", "2026-11-12"],
    ...     "ordered_qty": [100, 100], "delivered_qty": [100, 90], "rejected_qty": [2, 0],
    ...     "agreed_price": [10, 10], "actual_price": [10.5, 10]})
    >>> w = pd.DataFrame({"supplier_criterion": ["on_time", "reject_rate"], "weight": [1, 1],
    ...                   "target": [0.95, 0.01], "kpi_direction": ["higher_better", "lower_better"]})
    >>> bands = pd.DataFrame({"supplier_grade": ["A", "B", "C"], "min_score": [90, 70, 0]})
    >>> r = supplier_scorecard(d, w, bands).iloc[0]
    >>> round(float(r.score), 2), r.supplier_grade
    (73.82, 'B')
    """
    _require(weights, ["supplier_criterion", "weight", "target", "kpi_direction"], "calc.subject.supplier_score_weights")
    _require(grade_bands, ["supplier_grade", "min_score"], "calc.subject.supplier_grade_bands")
    unknown = sorted(set(weights["supplier_criterion"]) - set(SUPPLIER_CRITERIA))
    if unknown:
        raise CalcError("msg.calc.supply.unknown_supplier_criteria_use", str=', '.join(map(str, unknown)), SUPPLIER_CRITERIA=', '.join(SUPPLIER_CRITERIA))
    bad_direction = sorted(set(weights["kpi_direction"]) - set(DIRECTIONS))
    if bad_direction:
        raise CalcError("msg.calc.supply.kpi_direction_higher_better", bad_direction=bad_direction[0])
    w = pd.to_numeric(weights["weight"], errors="coerce").to_numpy(float)
    if np.any(~(w >= 0)) or not w.sum() > 0:
        raise CalcError("msg.calc.supply.supplier_score_weights_zero")
    kpis = supplier_kpis(deliveries, as_of, on_time_tolerance_days, in_full_tolerance)
    weighted = np.zeros(len(kpis))
    weight_used = np.zeros(len(kpis))
    for criterion, weight, target, direction in zip(weights["supplier_criterion"], w,
                                                     pd.to_numeric(weights["target"], errors="coerce"),
                                                     weights["kpi_direction"]):
        values = kpis[criterion].to_numpy(float)
        # normalise() scores a blank lower-is-better value as full marks; unknown stays unknown.
        scored = np.where(np.isnan(values), np.nan, normalise(values, "target", DIRECTIONS[direction], target))
        known = ~np.isnan(scored)
        weighted += np.where(known, weight * scored, 0.0)
        weight_used += np.where(known, weight, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        kpis["score"] = np.where(weight_used > 0, weighted / weight_used, np.nan)
    enough = (kpis["measured_lines"] >= min_deliveries).to_numpy() & ~np.isnan(kpis["score"].to_numpy())
    grades = grade(np.nan_to_num(kpis["score"].to_numpy()), pd.to_numeric(grade_bands["min_score"]).to_numpy(float),
                   grade_bands["supplier_grade"].to_numpy(object))
    kpis["supplier_grade"] = np.where(enough, grades, None)
    return kpis


def logistics_costs(shipments: pd.DataFrame, by=None, revenue=None, as_of=None,
                    late_tolerance_days: float = 0) -> pd.DataFrame:
    """Logistics cost per unit, per shipment, share of value and revenue, late deliveries.

    Per group of ``by`` (e.g. ``"route"``, ``"region"``, ``["region", "carrier"]``; None = one
    total row), over shipments not cancelled:
    cost_per_unit = Σ cost / Σ shipped_units; cost_per_shipment = Σ cost / shipments;
    cost_share_of_value = Σ cost / Σ shipment_value; cost_share_of_revenue = Σ cost /
    revenue (``revenue`` a number for the total or a Series indexed like the groups);
    late_shipments = measured shipments delivered more than the tolerance after the promised
    date (or still out after it at ``as_of``), late_share = late / measured.
    Source: logistics cost ratios as in Chopra & Meindl, Supply Chain Management, transport
    performance measures.

    Example (worked by hand): route R1: 2 shipments, 100 and 50 units, cost 300 and 150,
    value 6000 and 3000, one delivered 2 days late → 3.00 a unit, 225 a shipment, 5 % of
    value, half late.

    >>> s = pd.DataFrame({"shipment_id": ["T1", "T2"], "route": ["R1", "R1"], "shipped_units": [100, 50],
    ...     "cost": [300, 150], "shipment_value": [6000, 3000], "promised_date": ["2026-11-10", "2026-11-10"],
    ...     "delivered_date": ["2026-11-12", "2026-11-10"]})
    >>> logistics_costs(s, "route", revenue=pd.Series({"R1": 9000})).iloc[0].to_dict()
    {'route': 'R1', 'shipments': 2, 'shipped_units': 150.0, 'cost': 450.0, 'shipment_value': 9000.0, 'cost_per_unit': 3.0, 'cost_per_shipment': 225.0, 'cost_share_of_value': 0.05, 'late_shipments': 1, 'measured_shipments': 2, 'late_share': 0.5, 'cost_share_of_revenue': 0.05}
    """
    what = "calc.subject.shipments"
    _require(shipments, ["shipped_units", "cost"], what)
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    _require(shipments, keys, what)
    frame = shipments.reset_index(drop=True)
    if "shipment_status" in frame.columns:
        frame = frame[frame["shipment_status"] != "cancelled"].reset_index(drop=True)
    flags = late_flags(_dates(frame, "promised_date", what, False), _dates(frame, "delivered_date", what, False),
                       as_of, late_tolerance_days)
    lines = pd.DataFrame({
        **{k: frame[k] for k in keys},
        "shipments": 1,
        "shipped_units": _numbers(frame, "shipped_units", what, 0.0),
        "cost": _numbers(frame, "cost", what, 0.0),
        "shipment_value": _numbers(frame, "shipment_value", what, 0.0),
        "late_shipments": flags["late"].astype(int).to_numpy(),
        "measured_shipments": flags["measured"].astype(int).to_numpy(),
    })
    if keys:
        sums = lines.groupby(keys, sort=True).sum()
    else:
        sums = lines.sum().to_frame().T.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = pd.DataFrame({
            "shipments": sums["shipments"].astype(int),
            "shipped_units": sums["shipped_units"].astype(float),
            "cost": sums["cost"].astype(float),
            "shipment_value": sums["shipment_value"].astype(float),
            "cost_per_unit": sums["cost"] / sums["shipped_units"].where(sums["shipped_units"] > 0),
            "cost_per_shipment": sums["cost"] / sums["shipments"].where(sums["shipments"] > 0),
            "cost_share_of_value": sums["cost"] / sums["shipment_value"].where(sums["shipment_value"] > 0),
            "late_shipments": sums["late_shipments"].astype(int),
            "measured_shipments": sums["measured_shipments"].astype(int),
            "late_share": sums["late_shipments"] / sums["measured_shipments"].where(sums["measured_shipments"] > 0),
        })
    if revenue is not None:
        rev = (pd.Series(float(revenue), index=result.index) if np.isscalar(revenue)
               else pd.Series(revenue, dtype=float).reindex(result.index))
        result["cost_share_of_revenue"] = result["cost"] / rev.where(rev > 0)
    return result.reset_index() if keys else result.reset_index(drop=True)
