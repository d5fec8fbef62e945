"""Weighted scorecards, grades and tiers (manual 3.3, 3.4, 8.1): prospects and dealer appraisal."""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError


def normalise(values, method: str = "minmax", direction: int = 1, target=None, low=None, high=None) -> np.ndarray:
    """Map one criterion's raw values onto 0–100.

    ``minmax``: 100 · (x − low) / (high − low), clipped to 0–100; ``low``/``high`` are the
    scale's ends when given (a 1–5 rating: 1 scores 0, 5 scores 100), else the candidates'
    own minimum and maximum (all equal → 100);
    ``target``: 100 · min(x / target, 1) (a value at or beyond the target scores full marks).
    ``direction`` −1 means lower is better: min–max is mirrored, and target scores
    100 · min(target / x, 1). Blank values stay blank.

    >>> normalise([10, 20, 30]).tolist()
    [0.0, 50.0, 100.0]
    >>> normalise([10, 20, 30], "target", target=20).tolist()
    [50.0, 100.0, 100.0]
    >>> normalise([5, 10], "target", direction=-1, target=5).tolist()
    [100.0, 50.0]
    >>> normalise([1, 4, 6], low=1, high=5).tolist()
    [0.0, 75.0, 100.0]
    >>> normalise([0.5, 2.5, 4.0], direction=-1, low=1, high=4).tolist()
    [100.0, 50.0, 0.0]
    """
    x = np.asarray(values, dtype=float)
    if method == "minmax":
        fixed = low is not None and high is not None and not (np.isnan(low) or np.isnan(high))
        if fixed:
            if not high > low:
                raise CalcError("msg.calc.scoring.min_max_scale_needs", high=high, low=low)
        elif np.isnan(x).all():
            return x.copy()
        low, high = (float(low), float(high)) if fixed else (np.nanmin(x), np.nanmax(x))
        if high == low:
            scaled = np.where(np.isnan(x), np.nan, 100.0)
        else:
            scaled = np.clip(100.0 * (x - low) / (high - low), 0.0, 100.0)
        return 100.0 - scaled if direction < 0 else scaled
    if method == "target":
        if target is None or not np.all(np.asarray(target, dtype=float) > 0):
            raise CalcError("msg.calc.scoring.target_based_criterion_needs")
        t = np.asarray(target, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = x / t if direction >= 0 else np.where(x > 0, t / x, np.where(np.isnan(x), np.nan, 1.0))
        return 100.0 * np.clip(ratio, 0.0, 1.0)
    raise CalcError("msg.calc.scoring.unknown_normalisation_use_minmax", method=method)


def score_of_present(scaled, weights) -> pd.DataFrame:
    """Weighted score over the criteria each candidate has, and the weight share missing.

    ``scaled`` is candidates × criteria already on 0–100 (blank = not known). Equation:
    score = Σ_present w_j · s_j / Σ_present w_j, missing_weight = Σ_blank w_j / Σ_j w_j; a
    candidate with nothing known has a blank score. The weights of the criteria present are
    scaled up, so an unknown value neither counts as zero nor as full marks — the candidate
    is judged on what is known and the gap is shown beside the score (the re-weighting used
    for item non-response in composite indicators: OECD/JRC, Handbook on Constructing
    Composite Indicators, 2008, section 1.5).

    Example (worked by hand): weights 0.5, 0.3, 0.2 and scores 80, blank, 50 →
    (0.5·80 + 0.2·50) / 0.7 = 71.43, with 30 % of the weight missing.

    >>> score_of_present([[80, np.nan, 50]], [0.5, 0.3, 0.2]).round(2).to_dict("records")
    [{'score': 71.43, 'missing_weight': 0.3}]
    """
    s = np.atleast_2d(np.asarray(scaled, dtype=float))
    w = np.asarray(weights, dtype=float).ravel()
    if w.size != s.shape[1]:
        raise CalcError("msg.calc.scoring.criteria_but_weights", shape=s.shape[1], size=w.size)
    if np.any(w < 0) or not w.sum() > 0:
        raise CalcError("msg.calc.scoring.weights_non_negative_add")
    present = ~np.isnan(s)
    weight_present = present @ w
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(weight_present > 0, np.nan_to_num(s) @ w / weight_present, np.nan)
    return pd.DataFrame({"score": score, "missing_weight": np.clip(1.0 - weight_present / w.sum(), 0.0, 1.0)})


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
    columns = weighted_score_columns(values, weights, directions, gates, methods, targets)
    if not len(columns["failed_criteria"]):
        columns["failed_criteria"] = []  # no candidates: the same empty (float) column as an empty list gives
    return pd.DataFrame(columns)


def weighted_score_columns(values, weights, directions=None, gates=None, methods=None,
                           targets=None) -> dict[str, np.ndarray]:
    """:func:`weighted_scores` as a mapping of column name → array (score, passed_gates,
    failed_criteria), for callers that need the columns and not a DataFrame.

    >>> columns = weighted_score_columns([[80, 700], [60, 500]], [0.6, 0.4], gates=[np.nan, 600])
    >>> columns["score"].tolist(), columns["failed_criteria"].tolist()
    ([100.0, 0.0], ['', '2'])
    """
    x = np.atleast_2d(np.asarray(values, dtype=float))
    n, m = x.shape
    w = np.asarray(weights, dtype=float).ravel()
    if w.size != m:
        raise CalcError("msg.calc.scoring.criteria_but_weights_2", m=m, size=w.size)
    if np.any(w < 0) or not np.nansum(w) > 0:
        raise CalcError("msg.calc.scoring.weights_non_negative_add")
    d = np.ones(m) if directions is None else np.asarray(directions, dtype=float).ravel()
    meth = ["minmax"] * m if methods is None else list(methods)
    tgt = [None] * m if targets is None else list(targets)
    if len(d) != m or len(meth) != m or len(tgt) != m:
        raise CalcError("msg.calc.scoring.directions_methods_targets_need")
    if all((method or "minmax") == "minmax" for method in meth):
        scaled = _minmax_columns(x, np.array([int(np.sign(d[j]) or 1) for j in range(m)]))
    else:
        scaled = np.column_stack([
            normalise(x[:, j], meth[j] or "minmax", int(np.sign(d[j]) or 1), tgt[j]) for j in range(m)
        ]) if m else np.zeros((n, 0))
    scaled = np.nan_to_num(scaled, nan=0.0, copy=False)  # scaled is ours: no copy needed
    score = scaled @ w / w.sum()
    # Column by column (criteria are few, candidates many): each criterion's gate is one
    # comparison over a contiguous column, and a candidate's failures are read across columns.
    failed = np.zeros((n, m), dtype=bool, order="F")
    if gates is not None:
        g = np.asarray(gates, dtype=float).ravel()
        if g.size != m:
            raise CalcError("msg.calc.scoring.criteria_but_gates", m=m, size=g.size)
        with np.errstate(invalid="ignore"):
            for j in np.flatnonzero(~np.isnan(g)):
                failed[:, j] = ~(x[:, j] >= g[j]) if d[j] >= 0 else ~(x[:, j] <= g[j])
    return {"score": score, "passed_gates": ~failed.any(axis=1), "failed_criteria": failed_criteria_names(failed)}


def _minmax_columns(x: np.ndarray, sense: np.ndarray) -> np.ndarray:
    """``normalise(x[:, j], "minmax", sense[j])`` for every column at once, as a C-ordered
    array (the layout a column stack has, so the weighted sum adds up in the same order).

    The same arithmetic as :func:`normalise`, element by element: the column's own minimum and
    maximum (``fmin``/``fmax`` skip blanks like ``nanmin``/``nanmax``, and give a blank for an
    all-blank column without a warning), 100 where they are equal, mirrored where lower is better.
    """
    if not x.shape[0]:
        return np.zeros(x.shape)  # no candidates
    low = np.array([np.fmin.reduce(x[:, j]) for j in range(x.shape[1])])  # one reduction per criterion,
    high = np.array([np.fmax.reduce(x[:, j]) for j in range(x.shape[1])])  # as nanmin/nanmax of the column
    with np.errstate(divide="ignore", invalid="ignore"):
        scaled = np.clip(100.0 * (x - low) / (high - low), 0.0, 100.0)
    flat = high == low
    if flat.any():
        scaled[:, flat] = np.where(np.isnan(x[:, flat]), np.nan, 100.0)
    mirrored = sense < 0
    if mirrored.any():
        scaled[:, mirrored] = 100.0 - scaled[:, mirrored]
    return np.ascontiguousarray(scaled)


# Up to this many criteria every set of failed ones is named in advance (2**10 names); with more,
# only the sets that occur are, found by their bit codes while these fit in 64 bits.
NAMED_IN_ADVANCE = 10
CODED_AT_MOST = 62


def failed_criteria_names(failed) -> np.ndarray:
    """The numbers (1-based) of the failed criteria of each candidate, comma separated, e.g.
    ``"2,5"``; ``""`` when none failed.

    Each set of failed criteria is spelled once, not once per candidate: a set is known by its
    bit code Σ_j 2^j·failed_j, which indexes a table of every set when the criteria are few,
    else the distinct codes that occur (the distinct rows beyond 62 criteria).

    >>> failed_criteria_names([[False, True, False, False, True], [False] * 5]).tolist()
    ['2,5', '']
    """
    f = np.atleast_2d(np.asarray(failed, dtype=bool))
    n, m = f.shape
    if not n:
        return np.empty(0, dtype=object)
    if m > CODED_AT_MOST:
        distinct, which = np.unique(f, axis=0, return_inverse=True)
        names = np.array([",".join(str(j + 1) for j in np.flatnonzero(row)) for row in distinct], dtype=object)
        return names[np.ravel(which)]
    code = np.zeros(n, dtype=np.int64)
    for j in range(m):  # criteria are few; candidates are vectorised
        code |= f[:, j].astype(np.int64) << j
    if m <= NAMED_IN_ADVANCE:
        return _names_of_codes(range(2 ** m), m)[code]
    distinct, which = np.unique(code, return_inverse=True)
    return _names_of_codes(distinct.tolist(), m)[np.ravel(which)]


def _names_of_codes(codes, criteria: int) -> np.ndarray:
    """The comma-separated numbers of the criteria set in each bit code."""
    return np.array([",".join(str(j + 1) for j in range(criteria) if code >> j & 1) for code in codes], dtype=object)


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
        raise CalcError("msg.calc.scoring.one_lower_bound_per")
    order = np.argsort(bounds)
    sorted_bounds, sorted_labels = bounds[order], labels[order]
    idx = np.searchsorted(sorted_bounds, np.asarray(scores, dtype=float), side="right") - 1
    return np.where(idx >= 0, sorted_labels[np.clip(idx, 0, None)], sorted_labels[0])


def tiers_with_hysteresis(scores: np.ndarray, start_tiers, tier_order, promote_at, demote_below,
                          months_required=2, known_tiers=None, with_runs: bool = False):
    """Tier path per dealer over months, changing only after a sustained signal.

    ``scores`` is dealers × months; tiers are ranked by ``tier_order`` (best first).
    A dealer moves up one tier when its score has been ≥ the next tier's ``promote_at``
    for that tier's ``months_required`` consecutive months, and down one tier when it has
    been below its own tier's ``demote_below`` for its own tier's ``months_required``; the
    run restarts after each move. A blank score (no data that month) breaks a run. The gap
    between promote and demote thresholds plus the run length is the hysteresis that stops
    tiers flipping every month (a Schmitt-trigger rule: two thresholds and a dead band;
    see e.g. the gold/silver/bronze partner-programme reviews with probation periods).

    ``months_required`` is one number or one per tier. ``known_tiers`` (dealers × months,
    None where unknown) holds tiers already decided and recorded: where given, the recorded
    tier replaces the worked-out one for that month and the path goes on from it. With
    ``with_runs`` the months of the current run (towards a promotion or a demotion) are
    returned too, as a second dealers × months array.

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
        rank = np.array([rank_of[t] for t in np.ravel(np.asarray(start_tiers, dtype=object))], dtype=int)
    except KeyError as exc:
        raise CalcError("msg.calc.scoring.unknown_tier_tiers", args=exc.args[0], order=', '.join(order)) from None
    if rank.size != s.shape[0]:
        raise CalcError("msg.calc.scoring.dealers_but_starting_tiers", shape=s.shape[0], size=rank.size)
    up = np.asarray(promote_at, dtype=float)
    down = np.asarray(demote_below, dtype=float)
    need = np.broadcast_to(np.asarray(months_required, dtype=float), (len(order),))
    if up.size != len(order) or down.size != len(order):
        raise CalcError("msg.calc.scoring.tiers_need_as_many", order=len(order))
    if np.any(need < 1):
        raise CalcError("msg.calc.scoring.months_required_at_least")
    known_rank = None
    if known_tiers is not None:
        known = pd.DataFrame(np.asarray(known_tiers, dtype=object).reshape(s.shape))
        known_rank = known.apply(lambda col: col.map(rank_of)).to_numpy(dtype=float)
        stray = known.notna().to_numpy() & np.isnan(known_rank)
        if stray.any():
            raise CalcError("msg.calc.scoring.unknown_tier_tiers_2", value=known.to_numpy()[stray][0], order=', '.join(order))
    up_run = np.zeros(s.shape[0], dtype=int)
    down_run = np.zeros(s.shape[0], dtype=int)
    path = np.empty(s.shape, dtype=object)
    runs = np.zeros(s.shape, dtype=int)
    labels = np.asarray(order, dtype=object)
    best = 0
    worst = len(order) - 1
    for month in range(s.shape[1]):  # months are few; dealers are vectorised
        score = s[:, month]
        next_up = np.clip(rank - 1, best, worst)
        with np.errstate(invalid="ignore"):
            can_rise = (rank > best) & (score >= up[next_up])
            must_fall = (rank < worst) & (score < down[rank])
        up_run = np.where(can_rise, up_run + 1, 0)
        down_run = np.where(must_fall, down_run + 1, 0)
        rise = up_run >= need[next_up]
        fall = down_run >= need[rank]
        rank = np.where(rise, rank - 1, np.where(fall, rank + 1, rank))
        up_run[rise | fall] = 0
        down_run[rise | fall] = 0
        if known_rank is not None:
            recorded = ~np.isnan(known_rank[:, month])
            rank = np.where(recorded, np.nan_to_num(known_rank[:, month]).astype(int), rank)
        path[:, month] = labels[rank]
        runs[:, month] = np.maximum(up_run, down_run)
    return (path, runs) if with_runs else path
