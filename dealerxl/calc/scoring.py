"""Weighted scorecards, grades and tiers (manual 3.3, 3.4, 8.1): prospects and dealer appraisal."""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError


def normalise(values, method: str = "minmax", direction: int = 1, target=None) -> np.ndarray:
    """Map one criterion's raw values onto 0–100.

    ``minmax``: 100 · (x − min) / (max − min) over the candidates (all equal → 100);
    ``target``: 100 · min(x / target, 1) (a value at or beyond the target scores full marks).
    ``direction`` −1 means lower is better: min–max is mirrored, and target scores
    100 · min(target / x, 1).

    >>> normalise([10, 20, 30]).tolist()
    [0.0, 50.0, 100.0]
    >>> normalise([10, 20, 30], "target", target=20).tolist()
    [50.0, 100.0, 100.0]
    >>> normalise([5, 10], "target", direction=-1, target=5).tolist()
    [100.0, 50.0]
    """
    x = np.asarray(values, dtype=float)
    if method == "minmax":
        low, high = np.nanmin(x), np.nanmax(x)
        if high == low:
            scaled = np.where(np.isnan(x), np.nan, 100.0)
        else:
            scaled = 100.0 * (x - low) / (high - low)
        return 100.0 - scaled if direction < 0 else scaled
    if method == "target":
        if target is None or not np.all(np.asarray(target, dtype=float) > 0):
            raise CalcError("a target-based criterion needs a positive target")
        t = np.asarray(target, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = x / t if direction >= 0 else np.where(x > 0, t / x, 1.0)
        return 100.0 * np.clip(ratio, 0.0, 1.0)
    raise CalcError(f"unknown normalisation {method!r}: use 'minmax' or 'target'")


def weighted_scores(values, weights, directions=None, gates=None, methods=None, targets=None) -> pd.DataFrame:
    """Weighted multi-criteria score per candidate, with pass/fail gates.

    ``values`` is candidates × criteria; each criterion is normalised to 0–100 (see
    :func:`normalise`; method ``minmax`` unless ``methods`` says ``target``), then
    score = Σ_j w_j · s_j / Σ_j w_j. ``gates`` holds a floor per criterion on the raw
    value (NaN = no gate; for lower-is-better criteria the gate is a ceiling): a
    candidate outside any gate fails whatever its score. Missing values score 0.
    Source: the weighted factor-rating method, e.g. Heizer, Render & Munson, Operations
    Management, "factor-rating method" for location and supplier selection.

    Example (worked by hand): two prospects on capability (weight 0.6) and credit
    (weight 0.4), min–max normalised: A = (80, 700), B = (60, 500) → A scores 100,
    B scores 0; with a credit gate of 600, B also fails the gate.

    >>> weighted_scores([[80, 700], [60, 500]], [0.6, 0.4], gates=[np.nan, 600]).to_dict("records")
    [{'score': 100.0, 'passed_gates': True, 'failed_criteria': ''}, {'score': 0.0, 'passed_gates': False, 'failed_criteria': '2'}]
    """
    x = np.atleast_2d(np.asarray(values, dtype=float))
    n, m = x.shape
    w = np.asarray(weights, dtype=float).ravel()
    if w.size != m:
        raise CalcError(f"{m} criteria but {w.size} weights")
    if np.any(w < 0) or not np.nansum(w) > 0:
        raise CalcError("weights must be non-negative and add up to more than zero")
    d = np.ones(m) if directions is None else np.asarray(directions, dtype=float).ravel()
    meth = ["minmax"] * m if methods is None else list(methods)
    tgt = [None] * m if targets is None else list(targets)
    if len(d) != m or len(meth) != m or len(tgt) != m:
        raise CalcError("directions, methods and targets need one entry per criterion")
    scaled = np.column_stack([
        normalise(x[:, j], meth[j] or "minmax", int(np.sign(d[j]) or 1), tgt[j]) for j in range(m)
    ]) if m else np.zeros((n, 0))
    scaled = np.nan_to_num(scaled, nan=0.0)
    score = scaled @ w / w.sum()
    if gates is None:
        failed = np.zeros((n, m), dtype=bool)
    else:
        g = np.asarray(gates, dtype=float).ravel()
        if g.size != m:
            raise CalcError(f"{m} criteria but {g.size} gates")
        with np.errstate(invalid="ignore"):
            failed = ~np.isnan(g) & np.where(d >= 0, ~(x >= g), ~(x <= g))
    failed_names = [",".join(str(j + 1) for j in np.flatnonzero(row)) for row in failed]
    return pd.DataFrame({"score": score, "passed_gates": ~failed.any(axis=1), "failed_criteria": failed_names})


def grade(scores, lower_bounds, grades) -> np.ndarray:
    """Grade for each score from bands given by their lower bounds.

    Equation: grade = grades[i] for the highest i with score ≥ lower_bounds[i]; below every
    band → the last grade.

    >>> grade([95, 80, 59], [90, 75, 60, 0], ["A", "B", "C", "D"]).tolist()
    ['A', 'B', 'D']
    """
    bounds = np.asarray(lower_bounds, dtype=float)
    labels = np.asarray(grades, dtype=object)
    if bounds.size != labels.size or bounds.size == 0:
        raise CalcError("one lower bound per grade is needed")
    order = np.argsort(bounds)
    sorted_bounds, sorted_labels = bounds[order], labels[order]
    idx = np.searchsorted(sorted_bounds, np.asarray(scores, dtype=float), side="right") - 1
    return np.where(idx >= 0, sorted_labels[np.clip(idx, 0, None)], sorted_labels[0])


def tiers_with_hysteresis(scores: np.ndarray, start_tiers, tier_order, promote_at, demote_below,
                          months_required: int = 2) -> np.ndarray:
    """Tier path per dealer over months, changing only after a sustained signal.

    ``scores`` is dealers × months; tiers are ranked by ``tier_order`` (best first).
    A dealer moves up one tier when its score has been ≥ the next tier's ``promote_at``
    for ``months_required`` consecutive months, and down one tier when it has been below
    its own tier's ``demote_below`` for as long; the run restarts after each move. The
    gap between promote and demote thresholds plus the run length is the hysteresis that
    stops tiers flipping every month (a Schmitt-trigger rule).

    Example: bronze → silver needs 2 months ≥ 70; silver is kept until 2 months < 60.
    Scores 72, 75, 65, 58, 59 promote in month 2 and demote in month 5.

    >>> tiers_with_hysteresis(np.array([[72, 75, 65, 58, 59]]), ["bronze"], ["gold", "silver", "bronze"],
    ...                       promote_at=[85, 70, 0], demote_below=[75, 60, 0]).tolist()
    [['bronze', 'silver', 'silver', 'silver', 'bronze']]
    """
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    order = list(tier_order)
    rank_of = {t: i for i, t in enumerate(order)}
    try:
        rank = np.array([rank_of[t] for t in np.ravel(np.asarray(start_tiers, dtype=object))])
    except KeyError as exc:
        raise CalcError(f"unknown tier {exc.args[0]!r}; tiers are {', '.join(order)}") from None
    if rank.size != s.shape[0]:
        raise CalcError(f"{s.shape[0]} dealers but {rank.size} starting tiers")
    up = np.asarray(promote_at, dtype=float)
    down = np.asarray(demote_below, dtype=float)
    if months_required < 1:
        raise CalcError("months required must be at least 1")
    up_run = np.zeros(s.shape[0], dtype=int)
    down_run = np.zeros(s.shape[0], dtype=int)
    path = np.empty(s.shape, dtype=object)
    labels = np.asarray(order, dtype=object)
    best = 0
    worst = len(order) - 1
    for month in range(s.shape[1]):  # months are few; dealers are vectorised
        score = s[:, month]
        next_up = np.clip(rank - 1, best, worst)
        can_rise = (rank > best) & (score >= up[next_up])
        must_fall = (rank < worst) & (score < down[rank])
        up_run = np.where(can_rise, up_run + 1, 0)
        down_run = np.where(must_fall, down_run + 1, 0)
        rise = up_run >= months_required
        fall = down_run >= months_required
        rank = np.where(rise, rank - 1, np.where(fall, rank + 1, rank))
        up_run[rise | fall] = 0
        down_run[rise | fall] = 0
        path[:, month] = labels[rank]
    return path
