"""Dealer early warning (manual 8.2, 8.3): rule levels, composite risk score and class."""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError

LEVELS = np.array(["green", "amber", "red"], dtype=object)
LEVEL_POINTS = np.array([0.0, 50.0, 100.0])


def rule_levels(values, amber, red, direction=1) -> np.ndarray:
    """Red/amber/green level of each value against its thresholds.

    Equation (direction +1, higher is worse): red if x ≥ red, amber if x ≥ amber, else
    green; direction −1 (lower is worse, e.g. NPS change): red if x ≤ red, amber if
    x ≤ amber. Missing values are green (no evidence of risk) and are listed by the
    data-quality checks instead. Thresholds broadcast against the values.

    Example: overdue share 12 % with amber 10 % and red 25 % → amber.

    >>> rule_levels([0.05, 0.12, 0.30], 0.10, 0.25).tolist()
    ['green', 'amber', 'red']
    >>> rule_levels([-2, -12], -5, -10, direction=-1).tolist()
    ['green', 'red']
    """
    x = np.asarray(values, dtype=float)
    if x.ndim and np.ndim(amber) == 0 and np.ndim(red) == 0 and np.ndim(direction) == 0:
        return _levels_against_one_rule(x, float(np.asarray(amber, dtype=float)),
                                        float(np.asarray(red, dtype=float)), float(np.asarray(direction, dtype=float)))
    return _levels_against_rules(x, amber, red, direction)


def _levels_against_rules(x: np.ndarray, amber, red, direction) -> np.ndarray:
    """:func:`rule_levels` with thresholds and directions per value (the general case)."""
    a = np.broadcast_to(np.asarray(amber, dtype=float), x.shape)
    r = np.broadcast_to(np.asarray(red, dtype=float), x.shape)
    d = np.broadcast_to(np.asarray(direction, dtype=float), x.shape)
    bad = np.where(d >= 0, a > r, a < r)
    if np.any(bad & ~np.isnan(a) & ~np.isnan(r)):
        raise CalcError("msg.calc.risk.amber_threshold_come_before")
    sign = np.where(d >= 0, 1.0, -1.0)
    with np.errstate(invalid="ignore"):
        level = np.where(sign * x >= sign * r, 2, np.where(sign * x >= sign * a, 1, 0))
    level = np.where(np.isnan(x), 0, level)
    return LEVELS[level]


def _levels_against_one_rule(x: np.ndarray, amber: float, red: float, direction: float) -> np.ndarray:
    """:func:`rule_levels` with one amber, one red threshold and one direction for every value.

    The level is the number of thresholds reached (a value at red has passed amber too,
    since amber comes first), counted with two comparisons; a missing value reaches none.
    Higher is riskier: x ≥ t; lower is riskier: x ≤ t, the same test as −x ≥ −t.
    """
    higher_is_riskier = direction >= 0
    if x.size and (amber > red if higher_is_riskier else amber < red):
        raise CalcError("msg.calc.risk.amber_threshold_come_before")
    reached = np.greater_equal if higher_is_riskier else np.less_equal
    at_red = reached(x, red).view(np.uint8)
    if np.isnan(amber):  # no amber threshold: red or green
        return LEVELS[at_red * np.uint8(2)]
    return LEVELS[reached(x, amber).view(np.uint8) + at_red]


def assess(metrics: pd.DataFrame, rules: pd.DataFrame, class_cutoffs=(25.0, 50.0)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply every early-warning rule to every dealer; composite score, class and triggers.

    ``metrics``: one row per dealer (index = dealer id), one column per rule code.
    ``rules``: columns ``rule``, ``amber``, ``red``, ``direction`` (+1/−1), ``weight`` and,
    optionally, ``decisive`` (True/False; all True when absent).
    Composite score = Σ_r w_r · points(level_r) / Σ_r w_r with points green 0, amber 50,
    red 100; class = red when score ≥ cutoffs[1] or a decisive rule is red, amber when
    score ≥ cutoffs[0] or any rule is amber or red, else green. A red on a rule that is not
    decisive (a leading signal such as a sales drop) makes the dealer amber by itself, red
    only together with enough other evidence. Returns (per-dealer summary, triggered rules
    in long form with the value and the threshold it crossed).

    Example: a dealer red on overdue share (weight 2) and green on NPS drop (weight 1)
    scores 2·100/3 = 66.7 → red.

    >>> m = pd.DataFrame({"overdue_share": [0.3], "nps_drop": [1.0]}, index=["D1"])
    >>> r = pd.DataFrame({"rule": ["overdue_share", "nps_drop"], "amber": [0.1, 5], "red": [0.25, 10],
    ...                   "direction": [1, 1], "weight": [2, 1]})
    >>> summary, triggered = assess(m, r)
    >>> summary.round(1).to_dict("records"), triggered[["dealer_id", "rule", "level", "threshold"]].to_dict("records")
    ([{'dealer_id': 'D1', 'risk_score': 66.7, 'risk_class': 'red', 'red_rules': 1, 'amber_rules': 0}], [{'dealer_id': 'D1', 'rule': 'overdue_share', 'level': 'red', 'threshold': 0.25}])

    Not decisive, the same red on the weight-1 NPS rule alone scores 100/3 = 33.3 → amber.

    >>> m = pd.DataFrame({"overdue_share": [0.0], "nps_drop": [25.0]}, index=["D2"])
    >>> assess(m, r.assign(decisive=[True, False]))[0].round(1).to_dict("records")
    [{'dealer_id': 'D2', 'risk_score': 33.3, 'risk_class': 'amber', 'red_rules': 1, 'amber_rules': 0}]
    """
    needed = {"rule", "amber", "red", "direction", "weight"}
    if needed - set(rules.columns):
        raise CalcError("msg.calc.risk.rules_table_lacks", needed=', '.join(sorted(needed - set(rules.columns))))
    missing = [r for r in rules["rule"] if r not in metrics.columns]
    if missing:
        raise CalcError("msg.calc.risk.no_metric_rule", missing=', '.join(missing))
    weights = rules["weight"].to_numpy(float)
    if np.any(weights < 0) or not weights.sum() > 0:
        raise CalcError("msg.calc.risk.rule_weights_non_negative")
    values = metrics[rules["rule"].tolist()].to_numpy(float)
    levels = rule_levels(values, rules["amber"].to_numpy(float), rules["red"].to_numpy(float),
                         rules["direction"].to_numpy(float))
    level_idx = np.select([levels == "red", levels == "amber"], [2, 1], 0)
    score = LEVEL_POINTS[level_idx] @ weights / weights.sum()
    low, high = class_cutoffs
    decisive = rules["decisive"].astype(bool).to_numpy() if "decisive" in rules else np.ones(len(rules), bool)
    any_red = ((level_idx == 2) & decisive).any(axis=1)
    any_amber = (level_idx >= 1).any(axis=1)
    risk_class = np.where((score >= high) | any_red, "red", np.where((score >= low) | any_amber, "amber", "green"))
    summary = pd.DataFrame({
        "dealer_id": metrics.index.to_numpy(),
        "risk_score": score,
        "risk_class": risk_class,
        "red_rules": (level_idx == 2).sum(axis=1),
        "amber_rules": (level_idx == 1).sum(axis=1),
    })
    rows, cols = np.nonzero(level_idx > 0)
    thresholds = np.where(level_idx[rows, cols] == 2, rules["red"].to_numpy(float)[cols], rules["amber"].to_numpy(float)[cols])
    triggered = pd.DataFrame({
        "dealer_id": metrics.index.to_numpy()[rows],
        "rule": rules["rule"].to_numpy()[cols],
        "level": levels[rows, cols],
        "value": values[rows, cols],
        "threshold": thresholds,
    })
    return summary, triggered


def drop_against_trend(history: np.ndarray, recent_months: int = 3, baseline_months: int | None = None) -> np.ndarray:
    """Relative drop of the latest months against the run rate of the months before them, per row.

    Equation: drop = 1 − mean(last k months) / mean(the b months before), k = recent_months,
    b = baseline_months (default k); positive means sales fell. A long baseline (e.g. 12
    months) is the trend a single good or bad quarter is judged against, and evens out the
    season. Rows without enough history give NaN.

    Example (worked by hand): 100 a month for a year, then 80, 80, 80 → 1 − 80/100 = 20 %.

    >>> drop_against_trend(np.array([[100, 100, 100, 80, 80, 80.]])).round(2).tolist()
    [0.2]
    >>> drop_against_trend(np.array([[100.] * 12 + [80, 80, 80]]), 3, 12).round(2).tolist()
    [0.2]
    """
    h = np.atleast_2d(np.asarray(history, dtype=float))
    k = int(recent_months)
    b = k if baseline_months is None else int(baseline_months)
    if k < 1 or b < 1:
        raise CalcError("msg.calc.risk.recent_baseline_months_at")
    if h.shape[1] < k + b:
        return np.full(h.shape[0], np.nan)
    recent = np.nanmean(h[:, -k:], axis=1)
    before = np.nanmean(h[:, -(k + b):-k], axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(before > 0, 1.0 - recent / before, np.nan)


def unanswered_warnings(warnings: pd.DataFrame, actions: pd.DataFrame, as_of, max_days_without_action: int,
                        warning_id: str = "warning_id", raised_on: str = "warning_date",
                        action_due: str = "due_date", action_status: str = "status",
                        closed_statuses=("done", "cancelled")) -> pd.DataFrame:
    """Warnings still waiting for a response, and response actions past their due date.

    A warning is *unanswered* when no action row names it and it was raised more than
    ``max_days_without_action`` days before ``as_of``; an action is *overdue* when its due
    date has passed and its status is not closed. Returns one row per warning with
    ``days_open``, ``actions``, ``open_actions``, ``overdue_actions`` and ``unanswered``.

    >>> w = pd.DataFrame({"warning_id": ["W1", "W2"], "warning_date": pd.to_datetime(["2026-10-01", "2026-10-01"])})
    >>> a = pd.DataFrame({"warning_id": ["W1"], "due_date": pd.to_datetime(["2026-10-20"]), "status": ["in_progress"]})
    >>> unanswered_warnings(w, a, "2026-10-31", 7)[["warning_id", "overdue_actions", "unanswered"]].to_dict("records")
    [{'warning_id': 'W1', 'overdue_actions': 1, 'unanswered': False}, {'warning_id': 'W2', 'overdue_actions': 0, 'unanswered': True}]
    """
    if max_days_without_action < 0:
        raise CalcError("msg.calc.risk.days_without_action_cannot")
    as_of_ts = pd.Timestamp(as_of)
    acts = actions[[warning_id, action_due, action_status]].copy()
    acts["_open"] = ~acts[action_status].isin(closed_statuses)
    acts["_overdue"] = acts["_open"] & (pd.to_datetime(acts[action_due]) < as_of_ts)
    counts = acts.groupby(warning_id).agg(actions=(action_status, "size"), open_actions=("_open", "sum"),
                                          overdue_actions=("_overdue", "sum"))
    out = warnings[[warning_id, raised_on]].merge(counts, left_on=warning_id, right_index=True, how="left")
    for name in ("actions", "open_actions", "overdue_actions"):
        out[name] = out[name].fillna(0).astype(int)
    out["days_open"] = (as_of_ts - pd.to_datetime(out[raised_on])).dt.days
    out["unanswered"] = (out["actions"] == 0) & (out["days_open"] > max_days_without_action)
    return out.reset_index(drop=True)
