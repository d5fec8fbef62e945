"""Sales incentives (manual 4.5, 2.4): tiered commission plans and their evaluation.

A plan pays a rate on sales according to attainment a = sales / target. Its tier table holds
the attainment lower bounds b₀ < b₁ < … < bₙ and the rates r₀ … rₙ of the bands they open
(below b₀, if b₀ > 0, the rate is 0). Two ways of applying the table are in use and the
vendors of commission software name them the same way:

* **marginal** (also "non-retroactive" or "incremental"): each band's slice of the sales earns
  that band's rate, like income-tax brackets;
* **stepped** (also "retroactive"): once a band is reached, the whole amount earns its rate.

Around the table: an **accelerator** multiplies what sales above 100 % attainment earn, a
**gate** pays nothing below a minimum attainment, a **cap** limits the payout of a period
(as an amount, or as a multiple of the target incentive, the payout at exactly 100 %), a
**team share** w pays that part on the team's attainment instead of the payee's own, and
clawbacks, draws and proration are applied by :mod:`dealerxl.calc.payouts` and
:mod:`dealerxl.calc.clawbacks`.

Source of the definitions: Zoltners, Sinha & Lorimer, *The Complete Guide to Sales Force
Incentive Compensation* (AMACOM, 2006), on commission rates, quota-based tiers, accelerators,
caps and thresholds; the commission-software guides of Prowi ("Tiered commission" glossary)
and SparrowGenie ("Retroactive Commission", "Non-Retroactive Commission") for retroactive
(stepped) versus non-retroactive (marginal) tiers, whose worked examples are reproduced in
the doctests and tests. Our own examples are checkable by hand.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError

MODES = ("marginal", "stepped")
# What a plan's rate is paid on (``commission_basis``): see :class:`IncentivePlan`.
BASES = ("net_sales", "gross_margin", "collected_sales")


def _number(value, name: str, minimum: float | None = None, maximum: float | None = None) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise CalcError("msg.calc.incentives.number_found", label_fields={"name": name}, value=value) from None
    if np.isnan(x):
        raise CalcError("msg.calc.incentives.blank", label_fields={"name": name})
    if minimum is not None and x < minimum:
        raise CalcError("msg.calc.incentives.below_minimum", label_fields={"name": name}, minimum=minimum, x=x)
    if maximum is not None and x > maximum:
        raise CalcError("msg.calc.incentives.above_maximum", label_fields={"name": name}, maximum=maximum, x=x)
    return x


def _optional(value, name: str, minimum: float = 0.0) -> float | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return _number(value, name, minimum)


@dataclass(frozen=True)
class IncentivePlan:
    """One commission plan: a tier table and the rules around it.

    Symbols: b = ``band_lower`` (attainment where a band starts, ascending), r = ``rate``
    (share of the basis paid in that band), g = ``gate``, k = ``accelerator``, C = ``cap_amount``,
    m = ``cap_target_multiple``, w = ``team_share``.

    ``basis`` is what the rate is paid on (the plan's ``commission_basis``):
    ``net_sales`` the invoiced sales of the month (returns are clawed back); ``gross_margin``
    net sales less the cost of the lines sold (quantity × unit cost), with attainment still
    measured on net sales against the sales target; ``collected_sales`` the cash applied in the
    month to the payee's invoices: a sale counts, for attainment and pay, when it is collected,
    and a write-off takes nothing back because it was never collected.

    A stepped plan's rates must not fall from one band to the next: its payout would drop when
    sales rise across the boundary. A marginal plan may have falling rates (a regressive plan).

    >>> plan = IncentivePlan(band_lower=(0, 0.8, 1.0), rate=(0.01, 0.015, 0.02))
    >>> plan.rate_at([0.5, 0.8, 1.3]).tolist()
    [0.01, 0.015, 0.02]
    """

    band_lower: tuple[float, ...]
    rate: tuple[float, ...]
    mode: str = "marginal"
    gate: float = 0.0
    accelerator: float = 1.0
    cap_amount: float | None = None
    cap_target_multiple: float | None = None
    team_share: float = 0.0
    clawback_months: int | None = None  # None: returns and write-offs are clawed back whenever they occur
    draw_recoverable: bool = True
    basis: str = "net_sales"
    plan_id: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        # "plan P1: " before the reason when the plan is named (a nested message, shown in the same language)
        who = CalcError("msg.calc.incentives.plan_prefix", plan_id=self.plan_id, gap=" ") if self.plan_id else ""
        lower = np.asarray(self.band_lower, dtype=float).ravel()
        rate = np.asarray(self.rate, dtype=float).ravel()
        if lower.size == 0:
            raise CalcError("msg.calc.incentives.tier_table_has_no", who=who)
        if lower.size != rate.size:
            raise CalcError("msg.calc.incentives.band_lower_bounds_but", who=who, size=lower.size, size2=rate.size)
        if np.isnan(lower).any() or np.isnan(rate).any():
            raise CalcError("msg.calc.incentives.band_lower_bound_rate", who=who)
        if (lower < 0).any() or (rate < 0).any():
            raise CalcError("msg.calc.incentives.band_lower_bounds_rates", who=who)
        if (np.diff(lower) <= 0).any():
            raise CalcError("msg.calc.incentives.band_lower_bounds_rise", who=who, value=lower.tolist())
        mode = str(self.mode).strip().lower()
        if mode not in MODES:
            raise CalcError("msg.calc.incentives.commission_mode_marginal_stepped", who=who, mode=self.mode)
        if mode == "stepped" and (np.diff(rate) < 0).any():
            raise CalcError("msg.calc.incentives.stepped_plan_rates_not", who=who, value=rate.tolist())
        basis = str(self.basis).strip().lower()
        if basis not in BASES:
            raise CalcError("msg.calc.incentives.commission_basis_one_found", who=who, BASES=', '.join(BASES), basis=self.basis)
        set_ = object.__setattr__
        set_(self, "basis", basis)
        set_(self, "band_lower", tuple(lower.tolist()))
        set_(self, "rate", tuple(rate.tolist()))
        set_(self, "mode", mode)
        set_(self, "gate", _number(self.gate, f"{who}the gate", 0))
        set_(self, "accelerator", _number(self.accelerator, f"{who}the accelerator", 1))
        set_(self, "cap_amount", _optional(self.cap_amount, f"{who}the cap"))
        set_(self, "cap_target_multiple", _optional(self.cap_target_multiple, f"{who}the cap multiple"))
        set_(self, "team_share", _number(self.team_share, f"{who}the team share", 0, 1))
        months = _optional(self.clawback_months, f"{who}the clawback window (months)")
        set_(self, "clawback_months", None if months is None else int(months))

    # ---- the tier table -------------------------------------------------------------------
    def band_index(self, attainment) -> np.ndarray:
        """Index of the band an attainment falls in (−1 below the first band)."""
        return np.searchsorted(np.asarray(self.band_lower), np.asarray(attainment, dtype=float), side="right") - 1

    def rate_at(self, attainment) -> np.ndarray:
        """Rate of the band an attainment falls in (0 below the first band)."""
        return self._rate_in_band(self.band_index(attainment))

    def marginal_curve(self, attainment) -> np.ndarray:
        """F(a) = Σₖ rₖ·clip(a − bₖ, 0, bₖ₊₁ − bₖ): marginal commission per unit of target.

        >>> IncentivePlan((0, 0.8, 1.0), (0.01, 0.015, 0.02)).marginal_curve([0.5, 1.1]).round(4).tolist()
        [0.005, 0.013]
        """
        a = np.asarray(attainment, dtype=float)
        return self._curve_in_band(a, self.band_index(a))

    def _curve_in_band(self, a: np.ndarray, index: np.ndarray) -> np.ndarray:
        """:meth:`marginal_curve` of attainments whose band indices are known already."""
        lower, rate = np.asarray(self.band_lower), np.asarray(self.rate)
        at_lower = np.concatenate([[0.0], np.cumsum(rate[:-1] * np.diff(lower))])
        safe = np.maximum(index, 0)
        return np.where(index >= 0, at_lower[safe] + rate[safe] * (a - lower[safe]), 0.0)

    def _rate_in_band(self, index: np.ndarray) -> np.ndarray:
        """:meth:`rate_at` of attainments whose band indices are known already."""
        return np.where(index >= 0, np.asarray(self.rate)[np.maximum(index, 0)], 0.0)

    def line_edges(self) -> np.ndarray:
        """Attainments where a statement line is split: band bounds (marginal) and 100 % when
        an accelerator applies, always starting at 0."""
        edges = {0.0}
        if self.mode == "marginal":
            edges.update(self.band_lower)
        if self.accelerator != 1.0:
            edges.add(1.0)
        return np.array(sorted(edges))


def _yes(value, default: bool) -> bool:
    """A yes/no cell (``yes``/``no`` codes, booleans or 1/0); blank gives ``default``."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
        return default
    word = str(value).strip().lower()
    if word in ("yes", "y", "true", "1", "1.0"):
        return True
    if word in ("no", "n", "false", "0", "0.0"):
        return False
    raise CalcError("msg.calc.incentives.expected_yes_no_found", value=value)


def plan_from_rows(plan_row: dict, tier_rows: pd.DataFrame, defaults: dict | None = None) -> IncentivePlan:
    """An :class:`IncentivePlan` from one ``incentive_plans`` row and its ``incentive_plan_tiers``
    rows; blank gate, cap, accelerator, team share and clawback window take ``defaults``
    (keys ``incentive_gate``, ``incentive_cap``, ``incentive_accelerator``,
    ``incentive_team_share``, ``clawback_window_months`` as in the settings sheet).

    >>> tiers = pd.DataFrame({"plan_id": ["P", "P"], "band_lower": [0.0, 1.0], "rate": [0.01, 0.02]})
    >>> plan_from_rows({"plan_id": "P", "commission_mode": "stepped", "gate_attainment": None},
    ...                tiers, {"incentive_gate": 0.5}).gate
    0.5
    """
    defaults = defaults or {}

    def pick(column: str, setting: str, fallback):
        value = plan_row.get(column)
        if value is None or (isinstance(value, float) and np.isnan(value)):
            return defaults.get(setting, fallback)
        return value

    plan_id = str(plan_row.get("plan_id", ""))
    rows = tier_rows[tier_rows["plan_id"].astype(str) == plan_id].sort_values("band_lower")
    if rows.empty:
        raise CalcError("msg.calc.incentives.plan_no_tier_rows", plan_id=plan_id)
    return IncentivePlan(
        band_lower=tuple(rows["band_lower"]), rate=tuple(rows["rate"]),
        mode=plan_row.get("commission_mode") or "marginal",
        gate=pick("gate_attainment", "incentive_gate", 0.0),
        accelerator=pick("accelerator", "incentive_accelerator", 1.0),
        cap_amount=pick("cap_amount", "incentive_cap", None),
        cap_target_multiple=plan_row.get("cap_target_multiple"),
        team_share=pick("team_share", "incentive_team_share", 0.0),
        clawback_months=pick("clawback_months", "clawback_window_months", None),
        draw_recoverable=_yes(plan_row.get("draw_recoverable"), default=True),
        basis=pick("commission_basis", "", "net_sales"),
        plan_id=plan_id,
    )


def plans_from_tables(plans: pd.DataFrame, tiers: pd.DataFrame,
                      defaults: dict | None = None) -> dict[str, IncentivePlan]:
    """Every plan of the settings tables, keyed by ``plan_id`` (one entry per plan, not per row of sales)."""
    duplicated = plans["plan_id"][plans["plan_id"].duplicated()]
    if len(duplicated):
        raise CalcError("msg.calc.incentives.plan_declared_twice", iloc=duplicated.iloc[0])
    return {str(row["plan_id"]): plan_from_rows(row, tiers, defaults) for row in plans.to_dict("records")}


def commission(sales, target, plan: IncentivePlan) -> pd.DataFrame:
    """Commission of one plan for many (sales, target) pairs at once, before team split,
    clawbacks and draws.

    Symbols: s = sales, T = target, a = s / T, j = band of a, F = :meth:`IncentivePlan.marginal_curve`,
    g = gate, k = accelerator, C = cap.

    Equations:
      base = T·F(a) (marginal) or s·r_j (stepped), 0 when a < g;
      accelerator = (k − 1)·[T·(F(a) − F(1))] (marginal) or (k − 1)·r_j·(s − T)⁺ (stepped),
      for a > 1 only, 0 when a < g;
      cap = min(C, m·target incentive), target incentive = base at a = 1 (blank: no cap);
      cap_cut = (base + accelerator − cap)⁺;  payout = base + accelerator − cap_cut.

    Example (our own, by hand): bands 0 % → 1 %, 80 % → 1.5 %, 100 % → 2 %, accelerator 1.5,
    target 1,000,000, sales 1,200,000.
    Marginal: 800,000·1 % + 200,000·1.5 % + 200,000·2 % = 8,000 + 3,000 + 4,000 = 15,000;
    the 4,000 earned above target is accelerated by 0.5·4,000 = 2,000 → 17,000.
    Stepped: 1,200,000·2 % = 24,000, plus 0.5·2 %·200,000 = 2,000 → 26,000.

    >>> marginal = IncentivePlan((0, 0.8, 1.0), (0.01, 0.015, 0.02), accelerator=1.5)
    >>> commission([1_200_000], [1_000_000], marginal)[["base", "accelerator", "payout"]].iloc[0].tolist()
    [15000.0, 2000.0, 17000.0]
    >>> stepped = IncentivePlan((0, 0.8, 1.0), (0.01, 0.015, 0.02), "stepped", accelerator=1.5)
    >>> commission([1_200_000], [1_000_000], stepped)["payout"].tolist()
    [26000.0]

    Vendor example (Prowi, "Tiered commission" glossary, https://www.prowi.io/en/glossary/tiered-commission):
    quota 100,000, bands 0–50 % at 5 %, 50–100 % at 10 %, 100–150 % at 15 %, 150 %+ at 20 %;
    sales of 140,000 earn 2,500 + 5,000 + 6,000 = 13,500 (marginal).

    >>> prowi = IncentivePlan((0, 0.5, 1.0, 1.5), (0.05, 0.10, 0.15, 0.20))
    >>> round(float(commission([140_000], [100_000], prowi)["payout"].iloc[0]), 2)
    13500.0
    """
    return pd.DataFrame(commission_columns(sales, target, plan))


def commission_columns(sales, target, plan: IncentivePlan) -> dict[str, np.ndarray]:
    """:func:`commission` as a mapping of column name → array (attainment, tier, rate,
    passed_gate, base, accelerator, cap, cap_cut, payout), for callers that need the columns
    and not a DataFrame. The band of each attainment is looked up once and serves the rate,
    the tier and the marginal curve.

    >>> plan = IncentivePlan((0, 0.8, 1.0), (0.01, 0.015, 0.02), accelerator=1.5)
    >>> columns = commission_columns([1_200_000], [1_000_000], plan)
    >>> columns["tier"].tolist(), columns["payout"].tolist()
    ([3], [17000.0])
    """
    s = np.atleast_1d(np.asarray(sales, dtype=float))
    t = np.broadcast_to(np.asarray(target, dtype=float), s.shape)
    if np.isnan(s).any() or (s < 0).any():
        raise CalcError("msg.calc.incentives.sales_numbers_give_returns")
    if np.isnan(t).any() or (t <= 0).any():
        raise CalcError("msg.calc.incentives.target_number")
    a = s / t
    index = plan.band_index(a)
    reached_rate = plan._rate_in_band(index)
    passed = a >= plan.gate
    if plan.mode == "marginal":
        curve = plan._curve_in_band(a, index)
        curve_at_target = plan.marginal_curve(1.0)
        base = t * curve
        above = t * np.maximum(curve - curve_at_target, 0.0)
        target_incentive = t * curve_at_target
    else:
        base = s * reached_rate
        above = reached_rate * np.maximum(s - t, 0.0)
        target_incentive = t * plan.rate_at(1.0)
    base = np.where(passed, base, 0.0)
    accelerator = np.where(passed, (plan.accelerator - 1.0) * above, 0.0)
    cap = cap_amounts(plan, target_incentive)
    cap_cut = np.maximum(base + accelerator - cap, 0.0)
    return {
        "attainment": a, "tier": index + 1, "rate": reached_rate, "passed_gate": passed,
        "base": base, "accelerator": accelerator, "cap": np.where(np.isinf(cap), np.nan, cap), "cap_cut": cap_cut,
        "payout": base + accelerator - cap_cut,
    }


def cap_amounts(plan: IncentivePlan, target_incentive, proration=1.0) -> np.ndarray:
    """The payout cap of a period: min(C, m·target incentive), times the proration (∞ without a cap).

    >>> cap_amounts(IncentivePlan((0,), (0.01,), cap_amount=5000, cap_target_multiple=2), [1000, 4000]).tolist()
    [2000.0, 5000.0]
    """
    ti = np.asarray(target_incentive, dtype=float)
    cap = np.full(ti.shape, np.inf)
    if plan.cap_amount is not None:
        cap = np.minimum(cap, plan.cap_amount)
    if plan.cap_target_multiple is not None:
        cap = np.minimum(cap, plan.cap_target_multiple * ti)
    return cap * np.asarray(proration, dtype=float)


def active_share(period, start_date=None, end_date=None) -> np.ndarray:
    """Proration of a month for a payee active only part of it: days active ÷ days in the month.

    Equation: p = |[max(start, first day), min(end, last day)]| / days in month, in [0, 1];
    a blank start or end means active since before / until after the month.

    Example: a salesperson joining on 11 April (30 days) is active 20 days → 20/30 = 0.6667.

    >>> active_share(["2026-04", "2026-04"], ["2026-04-11", None], [None, "2026-04-15"]).round(4).tolist()
    [0.6667, 0.5]
    """
    months = pd.PeriodIndex(pd.to_datetime(pd.Series(np.atleast_1d(period)).astype(str)), freq="M")
    first = months.start_time.normalize().to_numpy()
    last = months.end_time.normalize().to_numpy()
    n = len(months)
    start = pd.to_datetime(pd.Series(np.broadcast_to(np.asarray(start_date, dtype=object), n)), errors="coerce")
    end = pd.to_datetime(pd.Series(np.broadcast_to(np.asarray(end_date, dtype=object), n)), errors="coerce")
    first_day, last_day = pd.Series(first).astype("datetime64[s]"), pd.Series(last).astype("datetime64[s]")
    begin = start.astype("datetime64[s]").where(start.notna(), first_day).clip(lower=first_day)
    finish = end.astype("datetime64[s]").where(end.notna(), last_day).clip(upper=last_day)
    days = ((finish - begin) / pd.Timedelta(days=1)).to_numpy(dtype=float) + 1
    return np.clip(days, 0, None) / months.days_in_month.to_numpy()
