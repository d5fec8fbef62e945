"""Staff appraisal and bonus (manual 2.3, 2.4): weighted KPI scores, grade bands, forced
distribution and the bonus that follows from the grade.

Scores are in points where 100 = every KPI exactly on target; each KPI's attainment is capped
(``kpi_attainment_cap`` in settings, e.g. 1.2 → at most 120 points from that KPI), so one
outstanding KPI cannot hide the others.

Source: weighted KPI scores with capped achievement ratios, rating bands, forced distribution
and bonus multiples by rating as described in M. Armstrong, *Armstrong's Handbook of
Performance Management* (Kogan Page), chapters on rating, forced distribution and contingent
pay. The examples are our own, checkable by hand.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError

HIGHER, LOWER = "higher_better", "lower_better"
DIRECTION_WORDS = {HIGHER: 1, LOWER: -1, "higher": 1, "lower": -1, "1": 1, "-1": -1, "1.0": 1, "-1.0": -1}


def directions(values) -> np.ndarray:
    """``higher_better``/``lower_better`` (or higher/lower, 1/−1) as +1/−1; blank means higher is better."""
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        numbers = np.ravel(values).astype(float)
        signs = np.where(np.isnan(numbers), 1.0, numbers)
        if np.all((signs == 1) | (signs == -1)):
            return signs.astype(int)
    cells = values if isinstance(values, pd.Series) else np.ravel(np.asarray(values, dtype=object))
    codes, distinct = pd.factorize(cells)  # a text column numbers its words itself, without Python objects
    distinct = np.asarray(distinct, dtype=object)
    if all(isinstance(word, str) for word in distinct):
        # Read each distinct word once (few) rather than every row; only text may share a code
        # safely (1, 1.0 and True are equal keys but different words). Blanks (code −1) are higher.
        signs = _direction_signs(distinct)
        return np.where(codes < 0, 1, signs[np.maximum(codes, 0)]) if signs.size else np.ones(codes.size, dtype=int)
    return _direction_signs(np.ravel(np.asarray(values, dtype=object)))


def _direction_signs(cells) -> np.ndarray:
    words = pd.Series(cells, dtype=object)
    words = words.where(words.notna(), HIGHER).astype(str).str.strip().str.lower().replace("", HIGHER)
    signs = words.map(DIRECTION_WORDS)
    if signs.isna().any():
        raise CalcError("msg.calc.people.kpi_direction_higher_better", iloc=words[signs.isna()].iloc[0])
    return signs.to_numpy(dtype=int)


def kpi_attainment(actual, target, direction=1, cap=1.2) -> np.ndarray:
    """Attainment of each KPI, capped.

    Symbols: x = actual, t = target, c = cap. Equation: higher is better → x / t; lower is
    better → t / x (x = 0 counts as the cap); the result is clipped to [0, c]. A blank actual
    gives NaN (not yet measured).

    Example: sales 1.1 M against 1.0 M → 1.1; complaints 4 against a ceiling of 5 → 5/4 = 1.25,
    capped at 1.2.

    >>> kpi_attainment([1.1, 4], [1.0, 5], [1, -1], 1.2).tolist()
    [1.1, 1.2]
    """
    x = np.asarray(actual, dtype=float)
    t = np.asarray(target, dtype=float)
    sign = np.asarray(direction)
    cap = float(cap)
    if not np.isfinite(cap) or cap <= 0:
        raise CalcError("msg.calc.people.attainment_cap_number_found", cap=cap)
    with np.errstate(invalid="ignore"):
        if np.any(t <= 0):
            raise CalcError("msg.calc.people.kpi_target_state_lower")
    if np.isnan(t).any():
        raise CalcError("msg.calc.people.kpi_target_blank")
    with np.errstate(divide="ignore", invalid="ignore"):
        # Every KPI higher-is-better (the usual case): the lower-is-better branch would be thrown away.
        ratio = x / t if np.all(sign > 0) else np.where(sign < 0, np.where(x > 0, t / x, cap), x / t)
    return np.where(np.isnan(x), np.nan, np.clip(ratio, 0.0, cap))


def kpi_scores(rows: pd.DataFrame, cap: float = 1.2, tolerance: float | None = 0.001,
               by: tuple[str, ...] = ("staff_id",)) -> pd.DataFrame:
    """Weighted KPI score per staff member (and per ``by`` group, e.g. year and quarter).

    Symbols per person: wᵢ = weight of KPI i, qᵢ = capped attainment (:func:`kpi_attainment`).
    Equation: score = 100 · Σ wᵢ·qᵢ / Σ wᵢ. The weights of one person must add up to 1 (or 100,
    typed as whole percentages) within ``tolerance``, or to anything > 0 when ``tolerance`` is
    None; otherwise the error names the person and the sum. A person with a KPI not yet
    measured gets no score (NaN) and the count of missing KPIs.

    Columns of ``rows``: the ``by`` columns, ``weight``, ``target``, ``actual`` and optionally
    ``kpi_direction`` (higher_better / lower_better).

    Example (our own): weights 50 % sales (110 % attained), 30 % new dealers (80 %), 20 %
    complaints (lower is better, 4 against 5 → 125 %, capped at 120 %) →
    100 · (0.5·1.1 + 0.3·0.8 + 0.2·1.2) = 103.

    >>> rows = pd.DataFrame({"staff_id": "S1", "weight": [0.5, 0.3, 0.2], "target": [100, 10, 5],
    ...                      "actual": [110, 8, 4],
    ...                      "kpi_direction": ["higher_better", "higher_better", "lower_better"]})
    >>> round(float(kpi_scores(rows)["score"].iloc[0]), 6)
    103.0
    """
    by = list(by)
    missing = set(by + ["weight", "target", "actual"]) - set(rows.columns)
    if missing:
        raise CalcError("msg.calc.people.kpi_rows_lack_column", missing=', '.join(sorted(missing)))
    weight = pd.to_numeric(rows["weight"], errors="coerce")
    if weight.isna().any() or (weight < 0).any():
        raise CalcError("msg.calc.people.kpi_weight_number")
    sign = directions(rows["kpi_direction"]) if "kpi_direction" in rows else 1
    attained = kpi_attainment(pd.to_numeric(rows["actual"], errors="coerce"),
                              pd.to_numeric(rows["target"], errors="coerce"), sign, cap)
    w = weight.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):  # an infinite weight on a zero attainment gives NaN, as in pandas
        weighted = w * np.nan_to_num(attained)
    unmeasured = np.isnan(np.broadcast_to(attained, w.shape)) & (w > 0)
    result = _sums_of_equal_sorted_blocks(rows, by, w, weighted, unmeasured)
    if result is None:
        frame = rows[by].copy()
        frame["weight"] = w
        frame["weighted"] = weighted
        frame["unmeasured"] = unmeasured
        result = frame.groupby(by, sort=True).agg(weight_sum=("weight", "sum"), weighted=("weighted", "sum"),
                                                  missing_kpis=("unmeasured", "sum")).reset_index()
    total = result["weight_sum"]
    off = _weight_sums_off(total.to_numpy(), tolerance)
    if off.any():
        first = result[off].head(1)
        who = " ".join(str(first[c].iloc[0]) for c in by)  # column by column: an integer id stays one
        raise _weights_refused(who, first["weight_sum"].iloc[0])
    score = 100.0 * result["weighted"] / total
    result["score"] = score.where(result["missing_kpis"] == 0)
    return result[by + ["score", "missing_kpis", "weight_sum"]]


def _weight_sums_off(total: np.ndarray, tolerance: float | None) -> np.ndarray:
    """Which people's KPI weights do not add up to 100 %: 1 within ``tolerance``, or 100 (weights
    typed as whole percentages, 50 + 30 + 20, are just as sensible); with no tolerance any
    positive sum is taken."""
    if tolerance is None:
        return total <= 0
    as_percent = np.abs(total - 100.0) <= tolerance * 100
    return (np.abs(total - 1.0) > tolerance) & ~as_percent | (total <= 0)


def _weights_refused(who, total: float) -> CalcError:
    return CalcError("msg.calc.people.kpi_weights_add_up", who=who, total=total)


def kpi_block_scores(actual, target, weight, direction=1, cap: float = 1.2,
                     tolerance: float | None = 0.001) -> np.ndarray:
    """Weighted KPI score of each row of a people × KPIs block: :func:`kpi_scores` for one row
    per person and one column per KPI, without long rows or a group-by.

    ``actual`` is people × KPIs; ``target`` and ``weight`` are the same shape or one row
    shared by everyone; ``direction`` is +1 (higher is better) or −1 (lower is better), one per
    KPI or one for all. A KPI weighted 0 does not count and needs neither target nor actual. A
    row with every actual blank gets no score and is not checked.

    Equation per row, as :func:`kpi_scores`: score = 100 · Σ wᵢ·qᵢ / Σ wᵢ with qᵢ the capped
    attainment; blank (NaN) when a weighted KPI is not yet measured. The errors are those of
    :func:`kpi_scores`, a person named by the row's number counted from 1.

    Example (our own, as :func:`kpi_scores`): 50 % sales 110 against 100, 30 % new dealers 8
    against 10, 20 % complaints 4 against a ceiling of 5 → 100 · (0.55 + 0.24 + 0.24) = 103;
    a second person not yet measured at all has no score.

    >>> block = kpi_block_scores([[110, 8, 4], [np.nan] * 3], [[100, 10, 5]], [[0.5, 0.3, 0.2]], [1, 1, -1])
    >>> [round(float(v), 6) for v in block]
    [103.0, nan]
    """
    x, t, w = (np.atleast_2d(np.asarray(block, dtype=float)) for block in (actual, target, weight))
    sign = np.asarray(direction)
    people_count = x.shape[0]
    score = np.full(people_count, np.nan)
    if np.isinf(w).any():
        # an infinite weight on a zero attainment gives NaN, which the group-by sums differently
        return _kpi_block_scores_by_rows(x, t, w, sign, cap, tolerance)
    # KPI-major (one row per KPI, people along it): each step runs along all people at once,
    # where people-major rows of a few KPIs would take one short pass per person.
    x, t, w = (np.ascontiguousarray(block.T) for block in (x, t, w))
    sign = sign.reshape(-1, 1) if sign.ndim else sign
    measured = ~np.isnan(x).all(axis=0)
    if not measured.all() or not people_count:
        x, t, w = (_people_measured(block, measured) for block in (x, t, w))
    if np.isnan(w).any() or (w < 0).any():
        raise CalcError("msg.calc.people.kpi_weight_number")
    unweighted = w == 0
    if unweighted.any():  # neutral target and actual, so an unused KPI passes the checks
        t = np.where(unweighted, 1.0, t)
        x = np.where(unweighted, 1.0, x)
    attained = kpi_attainment(x, t, sign, cap)
    if not x.size:
        return score
    blank = np.isnan(attained)
    with np.errstate(invalid="ignore"):
        weighted = w * np.where(blank, 0.0, attained)
    scored = x.shape[1]
    if w.shape[1] == scored:
        total = _person_sums(w)
    else:  # one row of weights for everyone: one sum, the same for each person
        total = np.repeat(_person_sums(w), scored)
    off = _weight_sums_off(total, tolerance)
    if off.any():
        first = np.flatnonzero(off)[0]
        raise _weights_refused(int(np.flatnonzero(measured)[first]) + 1, total[first])  # the row, from 1
    score[measured] = 100.0 * _person_sums(weighted) / total
    if blank.any():
        score[np.flatnonzero(measured)[(blank & (w > 0)).any(axis=0)]] = np.nan
    return score


# Up to this many KPIs a person's run is added one term after another by np.add.reduceat
# (numpy's pairwise summation starts once eight terms follow the first).
SEQUENTIAL_KPIS = 8


def _person_sums(block: np.ndarray) -> np.ndarray:
    """Σ over the KPIs (rows) of a KPI-major block, one sum per person (column), with the
    additions the long rows are summed with: ``np.add.reduceat`` over each person's run of
    KPIs is the first term plus the sum of the others, that sum one term after another from
    −0.0 (which adds nothing). So both forms agree to the last bit; longer runs take reduceat
    itself."""
    kpis = block.shape[0]
    if kpis > SEQUENTIAL_KPIS:
        return np.add.reduceat(block.T.ravel(), np.arange(0, block.size, kpis))
    if kpis == 1:
        return block[0].copy()
    # accumulate adds row after row (each along all people): the running sum of the others
    return block[0] + np.add.accumulate(block[1:], axis=0)[-1]


def _people_measured(block: np.ndarray, measured: np.ndarray) -> np.ndarray:
    """The columns (KPI-major) of people measured; one column shared by everyone stays, unless
    nobody is measured."""
    if block.shape[1] == measured.size:
        return block[:, measured]
    return block if measured.any() else block[:, :0]


def _kpi_block_rows(actual, target, weight, direction=1) -> pd.DataFrame:
    """A people × KPIs block as the long rows :func:`kpi_scores` takes, one per person and KPI
    (``staff_id`` = the row number from 1), keeping only people with an actual; KPIs weighted
    0 get a neutral target and actual of 1, as :func:`kpi_block_scores` treats them."""
    x = np.atleast_2d(np.asarray(actual, dtype=float))
    people_count, kpis = x.shape
    frame = pd.DataFrame({
        "staff_id": np.repeat(np.arange(1, people_count + 1), kpis),
        "weight": np.broadcast_to(np.atleast_2d(np.asarray(weight, dtype=float)), x.shape).ravel(),
        "target": np.broadcast_to(np.atleast_2d(np.asarray(target, dtype=float)), x.shape).ravel(),
        "actual": x.ravel(),
        "kpi_direction": np.broadcast_to(np.asarray(direction), (people_count, kpis)).ravel(),
    })
    unused = frame["weight"] == 0
    frame.loc[unused, ["target", "actual"]] = 1.0
    measured = ~np.isnan(x).all(axis=1)
    return frame[np.repeat(measured, kpis)]


def _kpi_block_scores_by_rows(actual, target, weight, direction, cap, tolerance) -> np.ndarray:
    """:func:`kpi_block_scores` by way of long rows and :func:`kpi_scores` (the general form)."""
    rows = _kpi_block_rows(actual, target, weight, direction)
    scores = kpi_scores(rows, cap, tolerance)
    result = np.full(np.atleast_2d(np.asarray(actual, dtype=float)).shape[0], np.nan)
    result[scores["staff_id"].to_numpy(dtype=np.intp) - 1] = scores["score"].to_numpy(dtype=float)
    return result


def _sums_of_equal_sorted_blocks(rows: pd.DataFrame, by: list[str], weight: np.ndarray, weighted: np.ndarray,
                                 unmeasured: np.ndarray) -> pd.DataFrame | None:
    """The group sums of :func:`kpi_scores` when the rows come ordered by a single numeric key
    (as a range of people × KPIs gives them): sums over each run of equal keys, without a
    group-by. These are the additions pandas' group-by makes itself for sorted keys without
    blanks (``np.add.reduceat``), so the sums agree to the last bit. None otherwise."""
    if len(by) != 1 or not len(rows) or np.isnan(weighted).any():
        return None
    keys = rows[by[0]].to_numpy()
    if keys.dtype.kind not in "iu" or np.any(keys[1:] < keys[:-1]):
        return None
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return pd.DataFrame({by[0]: keys[starts], "weight_sum": np.add.reduceat(weight, starts),
                         "weighted": np.add.reduceat(weighted, starts),
                         "missing_kpis": np.add.reduceat(unmeasured.astype(np.int64), starts)})


def band_grades(scores, min_scores, grades) -> np.ndarray:
    """Grade of each score: the band with the highest minimum the score reaches.

    Equation: grade = gⱼ with j = argmax{mⱼ ≤ score} (bands given in any order). A blank score
    gets no grade; a score below every minimum is an error (add a band from 0).

    >>> band_grades([95, 80, 61.5], [90, 80, 70, 60, 0], list("ABCDE")).tolist()
    ['A', 'B', 'D']
    """
    m = np.asarray(min_scores, dtype=float)
    g = np.asarray(grades, dtype=object)
    if m.size == 0 or m.size != g.size or np.isnan(m).any():
        raise CalcError("msg.calc.people.each_grade_band_needs")
    index = band_index(scores, m)
    return np.where(index < 0, None, g[np.maximum(index, 0)])


def band_index(scores, min_scores) -> np.ndarray:
    """Position (in the order given) of the band each score reaches, −1 for a blank score:
    :func:`band_grades` as numbers, so a caller can pick a band's grade and bonus multiple
    without looking the grade up again. Same equation and errors as :func:`band_grades`.

    >>> band_index([95, 80, np.nan, 61.5], [90, 80, 70, 60, 0]).tolist()
    [0, 1, -1, 3]
    """
    m = np.asarray(min_scores, dtype=float)
    if m.size == 0 or np.isnan(m).any():
        raise CalcError("msg.calc.people.each_grade_band_needs")
    if np.unique(m).size != m.size:
        raise CalcError("msg.calc.people.two_grade_bands_have")
    order = np.argsort(m)
    s = np.asarray(scores, dtype=float)
    index = _minimums_reached(m[order], s) - 1  # a blank score reaches none: −1
    below = index < 0
    if np.any(below):
        below &= ~np.isnan(s)
        if np.any(below):
            raise CalcError("msg.calc.people.score_below_every_grade", s=s[below][0])
    return np.append(order, -1)[index]


# Up to this many bands, counting the minimums each score reaches (one comparison per band
# along all scores) is several times faster than a binary search per score.
FEW_BANDS = 16


def _minimums_reached(ascending: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """How many of the (ascending, distinct) minimums each score reaches, mⱼ ≤ score; 0 for a blank."""
    if ascending.size <= FEW_BANDS:
        return np.add.reduce(ascending.reshape((-1,) + (1,) * scores.ndim) <= scores, axis=0, dtype=np.intp)
    # numpy sorts NaN after every number: a blank score lands in the extra last slot, made 0
    reached = np.searchsorted(np.append(ascending, np.nan), scores, side="right")
    return np.where(reached > ascending.size, 0, reached)


def forced_grades(scores, shares, grades, groups=None) -> np.ndarray:
    """Grades by rank under a forced distribution (e.g. 10-20-40-20-10 %).

    Symbols per group of n people: shares s₁ … s_G (best grade first, adding up to 1),
    boundaries Bₖ = round(n · Σ_{j≤k} sⱼ). Equation: a person of rank r (0 = best, ties take
    the best rank of their tie, ``method="min"``) gets the first grade k with r < Bₖ. Equal
    scores therefore always share a grade, deterministically, even if a grade then holds more
    than its share. Blank scores get no grade.

    Example: ten people, 10-20-40-20-10 % → boundaries 1, 3, 7, 9, 10 → 1 A, 2 B, 4 C, 2 D, 1 E.

    >>> forced_grades(range(10, 0, -1), [0.1, 0.2, 0.4, 0.2, 0.1], list("ABCDE")).tolist()
    ['A', 'B', 'B', 'C', 'C', 'C', 'C', 'D', 'D', 'E']
    """
    share = np.asarray(shares, dtype=float)
    g = np.asarray(grades, dtype=object)
    if share.size != g.size:
        raise CalcError("msg.calc.people.each_grade_forced_distribution")
    index = forced_index(scores, share, groups)
    return np.where(index < 0, None, g[np.maximum(index, 0)])


def forced_index(scores, shares, groups=None) -> np.ndarray:
    """Position of each score's grade under a forced distribution (0 = the best grade, the
    first share), −1 for a blank score: :func:`forced_grades` as numbers, with the same
    equation and errors.

    >>> forced_index([10, np.nan, 9, 8, 7], [0.25, 0.5, 0.25]).tolist()
    [0, -1, 1, 1, 2]
    """
    share = np.asarray(shares, dtype=float)
    if share.size == 0 or np.isnan(share).any() or (share < 0).any():
        raise CalcError("msg.calc.people.each_grade_forced_distribution")
    if abs(share.sum() - 1.0) > 1e-6:
        raise CalcError("msg.calc.people.forced_distribution_shares_add", value=share.sum())
    values = np.asarray(scores, dtype=float)
    if groups is None and values.ndim == 1:
        return _forced_index_of_one_group(values, share)
    s = pd.Series(values)
    key = np.zeros(len(s)) if groups is None else np.asarray(groups)
    rank = s.groupby(key).rank(method="min", ascending=False) - 1
    size = s.groupby(key).transform("count").to_numpy()
    bounds = np.round(np.outer(size, np.cumsum(share)))
    index = (rank.to_numpy()[:, None] >= bounds).sum(axis=1)
    index = np.minimum(index, share.size - 1)
    return np.where(s.isna().to_numpy(), -1, index)


def _forced_index_of_one_group(scores: np.ndarray, shares: np.ndarray) -> np.ndarray:
    """:func:`forced_index` of everyone as one group, by sorting instead of a group-by: the
    rank (0 = best, a tie at its best rank) is the count of scores strictly higher, and the
    grade the count of boundaries that rank reaches (the boundaries never decrease)."""
    scored = ~np.isnan(scores)
    ordered = np.sort(scores[scored])
    rank = ordered.size - np.searchsorted(ordered, scores, side="right")
    bounds = np.round(ordered.size * np.cumsum(shares))
    index = np.minimum(np.searchsorted(bounds, rank, side="right"), shares.size - 1)
    return np.where(scored, index, -1)


def appraise(rows: pd.DataFrame, bands: pd.DataFrame, cap: float = 1.2, tolerance: float | None = 0.001,
             distribution: pd.DataFrame | None = None, min_group: int = 10,
             by: tuple[str, ...] = ("staff_id",), group_by: tuple[str, ...] = ()) -> pd.DataFrame:
    """Score, grade and bonus multiple per staff member.

    ``bands``: ``grade``, ``min_score``, ``bonus_multiple`` (the ``kpi_grade_bands`` settings).
    ``distribution``: ``grade``, ``distribution_share`` (``forced_distribution``), applied within
    each ``group_by`` group (e.g. year and quarter) that has at least ``min_group`` scored people;
    smaller groups keep their band grades.

    Equation: grade = band grade, or the forced grade when the distribution applies;
    bonus_multiple = the multiple of that grade.

    >>> rows = pd.DataFrame({"staff_id": ["S1", "S2"], "weight": 1.0, "target": 100, "actual": [95, 65]})
    >>> bands = pd.DataFrame({"grade": list("ABC"), "min_score": [90, 70, 0], "bonus_multiple": [1.5, 1.0, 0.0]})
    >>> appraise(rows, bands)[["staff_id", "score", "grade", "bonus_multiple"]].values.tolist()
    [['S1', 95.0, 'A', 1.5], ['S2', 65.0, 'C', 0.0]]
    """
    scored = kpi_scores(rows, cap, tolerance, tuple(by))
    scored["band_grade"] = band_grades(scored["score"], bands["min_score"], bands["grade"])
    scored["grade"] = scored["band_grade"]
    if distribution is not None and len(distribution):
        grades_in_order = bands.sort_values("min_score", ascending=False)["grade"].tolist()
        share = distribution.set_index("grade")["distribution_share"].reindex(grades_in_order).fillna(0.0)
        groups = scored.groupby(list(group_by)).ngroup().to_numpy() if group_by else np.zeros(len(scored))
        forced = forced_grades(scored["score"], share.to_numpy(), grades_in_order, groups)
        size = scored["score"].groupby(groups).transform("count").to_numpy()
        scored["grade"] = np.where(size >= min_group, forced, scored["band_grade"])
    multiple = dict(zip(bands["grade"], pd.to_numeric(bands["bonus_multiple"], errors="coerce")))
    scored["bonus_multiple"] = scored["grade"].map(multiple).astype(float)
    return scored


def bonus(base, multiple, adjustment=0.0) -> np.ndarray:
    """Bonus from grade: base × multiple + adjustment (blank adjustment = 0).

    >>> bonus([40_000, 30_000], [1.5, 0.5], [0, 1_000]).tolist()
    [60000.0, 16000.0]
    """
    b = np.asarray(base, dtype=float)
    m = np.asarray(multiple, dtype=float)
    if np.any(b < 0) or np.any(m < 0):
        raise CalcError("msg.calc.people.bonus_base_multiple_not")
    return b * m + np.nan_to_num(np.asarray(adjustment, dtype=float))
