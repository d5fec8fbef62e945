"""Dealer appraisal and prospect evaluation (manual 3.3, 3.4, 8.1): the monthly metrics per
dealer × month, their normalisation to 0–100, the tier decision with hysteresis and the
prospect gates.

Every metric is a matrix, dealers × months, worked out over a rolling window so one odd
month does not decide a dealer's standing. The weighted score, grades and the tier path
itself come from :mod:`dealerxl.calc.scoring` (:func:`~dealerxl.calc.scoring.normalise`,
:func:`~dealerxl.calc.scoring.score_of_present`, :func:`~dealerxl.calc.scoring.grade`,
:func:`~dealerxl.calc.scoring.tiers_with_hysteresis`); this module builds their inputs.
The examples are our own, checkable by hand.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError
from dealerxl.calc.sales import achievement
from dealerxl.calc.scoring import normalise, tiers_with_hysteresis

# Stock with no sell-out at all: as bad as stock health gets, shown as this many months.
MAX_MONTHS_OF_SUPPLY = 99.0
LOWER_BETTER = "lower_better"


# ---- monthly matrices ----------------------------------------------------------------------

def monthly_matrix(keys, dates, values, key_index, span: pd.PeriodIndex) -> np.ndarray:
    """Sum of ``values`` per key (dealer) × calendar month of ``dates`` over ``span``.

    Equation: M[i, j] = Σ values of the rows with key i dated in month j; 0 where there is
    none. Rows dated outside ``span`` and keys not in ``key_index`` are left out.

    Example (worked by hand): D1 sells 10 and 5 in 2026-01 and 7 in 2026-02, D2 nothing →
    D1 = [15, 7], D2 = [0, 0].

    >>> span = pd.period_range("2026-01", "2026-02", freq="M")
    >>> monthly_matrix(["D1", "D1", "D1"], ["2026-01-03", "2026-01-20", "2026-02-01"], [10, 5, 7],
    ...                pd.Index(["D1", "D2"]), span).tolist()
    [[15.0, 7.0], [0.0, 0.0]]
    """
    # Month and key as positions, summed with one bincount (no period objects, no pivot).
    stamps = pd.to_datetime(pd.Series(dates))
    months = stamps.to_numpy().astype("datetime64[M]").astype(np.int64) - (span[0].ordinal if len(span) else 0)
    unique = pd.Index(key_index).unique()
    rows = unique.get_indexer(np.asarray(keys, dtype=object))
    numbers = np.asarray(values, dtype=float)
    kept = (rows >= 0) & (months >= 0) & (months < len(span)) & stamps.notna().to_numpy() & ~np.isnan(numbers)
    # np.bincount takes the platform's index type: int32 under Pyodide (Excel on the web and on Mac).
    cells = (rows[kept] * len(span) + months[kept]).astype(np.intp)
    summed = np.bincount(cells, weights=numbers[kept], minlength=len(unique) * len(span)).reshape(len(unique), len(span))
    return summed[unique.get_indexer(pd.Index(key_index))]


def rolling_sum(matrix, months: int) -> np.ndarray:
    """Sum over a rolling window of ``months`` months, per row.

    Equation: R[i, j] = Σ_{k = j − n + 1 … j} M[i, k] with n = ``months``; the first n − 1
    columns sum the months they have, and blanks count as 0.

    Example (worked by hand): 1, 2, 3, 4 over 3 months → 1, 3, 6, 9.

    >>> rolling_sum([[1, 2, 3, 4]], 3).tolist()
    [[1.0, 3.0, 6.0, 9.0]]
    """
    if months < 1:
        raise CalcError("msg.calc.appraisal.rolling_window_needs_at")
    totals = np.cumsum(np.nan_to_num(np.asarray(matrix, dtype=float)), axis=1)
    shifted = np.zeros_like(totals)
    shifted[:, months:] = totals[:, :-months] if months < totals.shape[1] else 0.0
    return totals - shifted


def share(part, whole) -> np.ndarray:
    """Part over whole, blank where the whole is zero, negative or blank.

    Equation: share = part / whole for whole > 0. Used for the on-time payment share and
    training attendance, where nothing due (or nobody invited) means nothing to judge.

    Example (worked by hand): 45 of 50 → 0.9; anything of 0 → blank.

    >>> share([45, 3], [50, 0]).tolist()
    [0.9, nan]
    """
    numerator, denominator = np.asarray(part, dtype=float), np.asarray(whole, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, numerator / denominator, np.nan)


# ---- the metrics ---------------------------------------------------------------------------

def contract_month_targets(contract_dealers, start_dates, end_dates, annual_targets, dealer_ids,
                           span: pd.PeriodIndex, typed=None) -> np.ndarray:
    """Sales target per dealer × month: the typed monthly target, else the contract's.

    Equation: target[i, j] = typed[i, j] when given, else max over dealer i's contracts in
    force on month j's last day of annual target / 12; blank without either. A level
    monthly share of the annual quota is the default split of a sales-management quota
    (Johnston & Marshall, Churchill/Ford/Walker's Sales Force Management, "sales quotas").

    Example (worked by hand): D1's contract runs 2026-01-01 to 2026-01-31 at 1,200,000 a
    year and a typed target of 50,000 is set for 2026-02 → [100,000, 50,000].

    >>> span = pd.period_range("2026-01", "2026-02", freq="M")
    >>> contract_month_targets(["D1"], ["2026-01-01"], ["2026-01-31"], [1_200_000], pd.Index(["D1"]), span,
    ...                        typed=[[np.nan, 50_000]]).tolist()
    [[100000.0, 50000.0]]
    """
    # Positional Series throughout, so callers may pass columns with any index.
    dealers = pd.Series(np.asarray(contract_dealers, dtype=object))
    start = pd.Series(pd.to_datetime(pd.Series(start_dates)).to_numpy())
    end = pd.Series(pd.to_datetime(pd.Series(end_dates)).to_numpy())
    monthly = pd.Series(pd.to_numeric(pd.Series(annual_targets), errors="coerce").to_numpy(float)) / 12.0
    from_contracts = np.full((len(dealer_ids), len(span)), np.nan)
    for j, period in enumerate(span):  # months are few; contracts are vectorised
        last_day = period.end_time.normalize()
        running = (start <= last_day) & (end >= last_day)
        from_contracts[:, j] = monthly[running].groupby(dealers[running]).max().reindex(dealer_ids)
    if typed is None:
        return from_contracts
    typed = np.asarray(typed, dtype=float)
    return np.where(np.isnan(typed), from_contracts, typed)


def sales_achievement(sales, targets) -> np.ndarray:
    """Sales achievement per dealer × month: actual / target, blank without a target.

    Equation: achievement = Σ window sales / Σ window targets (the rate of
    :func:`dealerxl.calc.sales.achievement`, kept in the shape of the matrices).

    Example (worked by hand): 285,000 sold against 300,000 over the window → 0.95.

    >>> sales_achievement([[285_000, 10]], [[300_000, 0]]).tolist()
    [[0.95, nan]]
    """
    actual = np.asarray(sales, dtype=float)
    rate = achievement(actual.ravel(), np.asarray(targets, dtype=float).ravel())["achievement_rate"]
    return rate.to_numpy(float).reshape(actual.shape)


def sales_growth(current, year_before, traded) -> np.ndarray:
    """Sales growth against the same months a year before, only where that is a fair base.

    Equation: growth = current / year before − 1, blank where the year-earlier sales are
    zero or less or where ``traded`` is false (the dealer had not joined by the start of
    the year-earlier window, so a part year would look like growth). Unlike
    :func:`dealerxl.calc.sales.growth_rate` a negative base (returns above sales) is blank,
    not a sign-flipped rate.

    Example (worked by hand): 330 against 300 → 0.1; a dealer that joined since → blank.

    >>> sales_growth([[330, 330]], [[300, 300]], [[True, False]]).round(4).tolist()
    [[0.1, nan]]
    """
    growth = share(current, year_before) - 1.0
    return np.where(np.asarray(traded, dtype=bool), growth, np.nan)


def paid_on_time(paid_amounts, paid_dates, due_dates, grace_days: int) -> np.ndarray:
    """Amount of each invoice paid on time: by its due date plus the grace days.

    Equation: on_time = paid if paid date ≤ due date + grace, else 0 (unpaid → 0). The
    on-time payment share is then Σ on_time / Σ amount due over the window
    (:func:`share`); the grace is the risk review's, since a payment a few days late is
    mostly one in transit (a prompt-payment ratio as in CFA Institute, Financial Reporting
    and Analysis, receivables quality).

    Example (worked by hand): due 10-31, grace 5 days: 100 paid 11-04 counts, 200 paid
    11-06 does not, an unpaid one does not → [100, 0, 0].

    >>> paid_on_time([100, 200, np.nan], ["2026-11-04", "2026-11-06", None], ["2026-10-31"] * 3, 5).tolist()
    [100.0, 0.0, 0.0]
    """
    if grace_days < 0:
        raise CalcError("msg.calc.appraisal.grace_days_zero_more")
    paid = pd.to_numeric(pd.Series(paid_amounts), errors="coerce").fillna(0.0)
    in_time = pd.to_datetime(pd.Series(paid_dates)) <= pd.to_datetime(pd.Series(due_dates)) + pd.Timedelta(
        days=int(grace_days))
    return paid.where(in_time.to_numpy(), 0.0).to_numpy(float)


def months_of_supply(stock, sold, window: int, cap: float = MAX_MONTHS_OF_SUPPLY) -> np.ndarray:
    """Months of supply per dealer × month: stock at month end / average monthly sell-out.

    Equation: MOS[i, j] = stock[i, j] / (Σ window sell-out / months reported in the window),
    capped at ``cap``; stock with no sell-out at all in the window counts as ``cap``; blank
    where the stock or every sell-out report is blank, or stock and sell-out are both 0.
    Source: APICS Dictionary, "months of supply" (inventory on hand divided by average
    usage per month). Unlike :func:`dealerxl.calc.inventory.cover_periods` a dealer with
    nothing in stock and nothing sold has nothing to judge, so it is blank, not 0.

    Example (worked by hand): sell-out 40, blank, 20 over a 3-month window (two months
    reported, average 30) and 90 in stock at the end → 3 months; 10 in stock with no
    sell-out → 99.

    >>> months_of_supply([[50, np.nan, 90], [np.nan, np.nan, 10]], [[40, np.nan, 20], [0, 0, 0]], 3).tolist()
    [[1.25, nan, 3.0], [nan, nan, 99.0]]
    """
    stock, sold = np.asarray(stock, dtype=float), np.asarray(sold, dtype=float)
    reported = rolling_sum(~np.isnan(sold) * 1.0, window)
    average = share(rolling_sum(sold, window), reported)
    supply = share(stock, average)
    stuck = (np.nan_to_num(stock) > 0) & (np.nan_to_num(average) == 0) & ~np.isnan(stock)
    return np.where(stuck, cap, np.minimum(supply, cap))


def rate_per_hundred(events, base) -> np.ndarray:
    """Events per 100 of a base (complaints per 100 sales invoices), blank without a base.

    Equation: rate = 100 · events / base for base > 0.

    Example (worked by hand): 3 complaints on 60 invoices → 5 per 100.

    >>> rate_per_hundred([3, 1], [60, 0]).tolist()
    [5.0, nan]
    """
    return 100.0 * share(events, base)


# ---- normalisation -------------------------------------------------------------------------

def _number(value):
    number = pd.to_numeric(value, errors="coerce")
    return None if pd.isna(number) else float(number)


def normalised_layer(raw, normalisation: str, direction: int, target=None, low=None, high=None) -> np.ndarray:
    """One metric's raw values (candidates, or dealers × months) on 0–100.

    ``target`` → 100 · min(x / target, 1) (mirrored for lower-is-better); a fixed scale
    (``low`` and ``high`` both given) → min–max on it: 100 · (x − low) / (high − low),
    clipped; no fixed scale → min–max over each column's own values (each month's dealers
    are the scale). The normalisations are :func:`dealerxl.calc.scoring.normalise`'s; the
    min–max rescaling is the one in OECD/JRC, Handbook on Constructing Composite
    Indicators (2008), section 1.6.

    Example (worked by hand): months of 10, 20, 30 and 5, 5, 15 with no fixed scale →
    0, 50, 100 and 0, 0, 100; on a fixed scale 0–40 → 25, 50, 75 and 12.5, 12.5, 37.5.

    >>> normalised_layer([[10, 5], [20, 5], [30, 15]], "minmax", 1).tolist()
    [[0.0, 0.0], [50.0, 0.0], [100.0, 100.0]]
    >>> normalised_layer([[10, 5], [20, 5], [30, 15]], "minmax", 1, low=0, high=40).tolist()
    [[25.0, 12.5], [50.0, 12.5], [75.0, 37.5]]
    """
    x = np.asarray(raw, dtype=float)
    if normalisation == "target":
        return normalise(x, "target", direction, target)
    if low is not None and high is not None or x.ndim < 2:
        return normalise(x, "minmax", direction, low=low, high=high)
    return np.column_stack([normalise(x[:, j], "minmax", direction) for j in range(x.shape[1])])


def normalised_metrics(values: dict, weights: pd.DataFrame, code: str = "appraisal_metric",
                       what: str = "calc.subject.appraisal_weights") -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Every metric with a weight above zero on 0–100 (:func:`normalised_layer`), stacked on
    a last axis, with the weights and the codes in the same order.

    ``values`` maps a code to its raw array; ``weights`` has one row per code with
    ``weight``, ``kpi_direction`` (``lower_better`` mirrors), ``normalisation``,
    ``target``, ``scale_min`` and ``scale_max``. The weighted score is then
    :func:`dealerxl.calc.scoring.score_of_present`, whose weights are renormalised over
    the metrics a dealer has, so a missing metric is neither zero nor full marks.

    Example (worked by hand): achievement 0.9 and 1.2 against a target of 1 → 90 and 100;
    complaints 2 and 6 per 100 on a fixed 0–10 scale, lower better → 80 and 40.

    >>> w = pd.DataFrame({"appraisal_metric": ["sales_achievement", "complaint_rate"], "weight": [0.6, 0.4],
    ...                   "kpi_direction": ["higher_better", "lower_better"], "normalisation": ["target", "minmax"],
    ...                   "target": [1, None], "scale_min": [None, 0], "scale_max": [None, 10]})
    >>> scaled, weights, codes = normalised_metrics({"sales_achievement": np.array([0.9, 1.2]),
    ...                                              "complaint_rate": np.array([2.0, 6.0])}, w)
    >>> scaled.round(6).tolist(), weights.tolist(), codes
    ([[90.0, 80.0], [100.0, 40.0]], [0.6, 0.4], ['sales_achievement', 'complaint_rate'])
    """
    rows = weights.loc[weights["weight"].astype(float) > 0]
    unknown = sorted(set(rows[code]) - set(values))
    if unknown:
        raise CalcError("msg.calc.appraisal.name_unknown_metrics", label_fields={"what": what}, unknown=', '.join(unknown))
    if rows.empty:
        raise CalcError("msg.calc.appraisal.give_no_metric_weight", label_fields={"what": what})
    layers = []
    for row in rows.itertuples():  # one pass per metric; dealers and months are vectorised
        direction = -1 if row.kpi_direction == LOWER_BETTER else 1
        try:
            layers.append(normalised_layer(values[getattr(row, code)], row.normalisation, direction,
                                           _number(row.target), _number(row.scale_min), _number(row.scale_max)))
        except CalcError as error:
            raise CalcError("msg.calc.appraisal.metric_invalid", label_fields={"what": what}, row=getattr(row, code), error=error) from None
    return np.stack(layers, axis=-1), rows["weight"].astype(float).to_numpy(), rows[code].tolist()


# ---- tiers ---------------------------------------------------------------------------------

def months_trading(month_numbers, join_month_numbers) -> np.ndarray:
    """Months each dealer had traded by each month's end (dealers × months).

    Equation: tenure[i, j] = max(month j − join month i + 1, 0), months counted as
    integers (``Period.asi8``).

    Example (worked by hand): joined in month 5, months 4 to 6 → 0, 1, 2.

    >>> months_trading([4, 5, 6], [5]).tolist()
    [[0, 1, 2]]
    """
    return np.clip(np.asarray(month_numbers)[None, :] - np.asarray(join_month_numbers)[:, None] + 1, 0, None)


def tier_decision(scores, tenure, start_tiers, rules: pd.DataFrame, min_months_active: int,
                  known_tiers=None) -> dict[str, np.ndarray]:
    """Each dealer's tier in the last month, the tier before it and the move between them.

    ``scores`` and ``tenure`` are dealers × months (oldest first); ``rules`` has one row per
    tier with ``tier``, ``tier_rank`` (1 = best), ``promote_min_score``,
    ``demote_below_score`` and ``months_required``. The path starts from ``start_tiers``
    (an unknown one starts at the lowest tier) and follows
    :func:`dealerxl.calc.scoring.tiers_with_hysteresis`: a tier changes only after
    ``months_required`` consecutive months beyond the boundary (≥ the next tier's promote
    score, or < its own demote score). Months before a dealer has traded
    ``min_months_active`` months have no score to move on, and such a dealer's move is
    ``new``. Source: the run rule of control charts — act on a run of consecutive points
    beyond a limit, not on one point (Montgomery, Introduction to Statistical Quality
    Control, "sensitizing rules for Shewhart control charts") — with the dead band between
    the promote and demote scores of a Schmitt trigger.

    Returns ``tier``, ``previous_tier`` (None before the dealer joined), ``tier_change``
    (new, promoted, demoted, unchanged), ``months_qualifying`` (months of the current run) and
    ``tier_since`` (index of the first month of the path from which the dealer has held its
    tier; −1 when it held it through the whole path, so since before its first month).

    Example (worked by hand): silver needs 2 months ≥ 70. A bronze dealer scoring 72 then
    75 is promoted in the second month; one scoring 50 then 75 has only one month in its
    run and stays bronze.

    >>> rules = pd.DataFrame({"tier": ["gold", "silver", "bronze"], "tier_rank": [1, 2, 3],
    ...                       "promote_min_score": [85, 70, 0], "demote_below_score": [75, 60, 0],
    ...                       "months_required": [2, 2, 2]})
    >>> out = tier_decision([[72, 75], [50, 75]], [[24, 25], [24, 25]], ["bronze", "bronze"], rules, 3)
    >>> out["tier"].tolist(), out["tier_change"].tolist(), out["months_qualifying"].tolist()
    (['silver', 'bronze'], ['promoted', 'unchanged'], [0, 1])
    >>> out["tier_since"].tolist()
    [1, -1]
    """
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    tenure = np.atleast_2d(np.asarray(tenure))
    if s.shape != tenure.shape or s.shape[1] < 2:
        raise CalcError("msg.calc.appraisal.scores_months_traded_need")
    rules = rules.sort_values("tier_rank", kind="stable")
    order = rules["tier"].tolist()
    settled = tenure >= max(int(min_months_active), 1)
    start = pd.Series(np.asarray(start_tiers, dtype=object))
    start = start.where(start.isin(order), order[-1]).to_numpy(dtype=object)
    path, runs = tiers_with_hysteresis(np.where(settled, s, np.nan), start, order,
                                       rules["promote_min_score"].astype(float).to_numpy(),
                                       rules["demote_below_score"].astype(float).to_numpy(),
                                       rules["months_required"].astype(int).to_numpy(), known_tiers=known_tiers,
                                       with_runs=True)
    tier, previous = path[:, -1], path[:, -2]
    rank = {t: i for i, t in enumerate(order)}
    was_new = (tenure[:, -2] == 0) | ~settled[:, -1]
    now_rank = pd.Series(tier).map(rank).to_numpy()
    before_rank = pd.Series(previous).map(rank).to_numpy()
    change = np.where(was_new, "new", np.where(now_rank < before_rank, "promoted",
                                               np.where(now_rank > before_rank, "demoted", "unchanged")))
    changed = path[:, 1:] != path[:, :-1]
    last_change = np.where(changed.any(axis=1), changed.shape[1] - np.argmax(changed[:, ::-1], axis=1), -1)
    return {"tier": tier, "previous_tier": np.where(tenure[:, -2] > 0, previous, None), "tier_change": change,
            "months_qualifying": runs[:, -1], "tier_since": last_change}


# ---- prospects -----------------------------------------------------------------------------

def prospect_verdicts(raw, gate_floors, directions, scores, pass_score: float,
                      conditional_score: float) -> dict[str, np.ndarray]:
    """Hard gates and the recommendation per prospect (prospects × criteria ``raw``).

    A gate fails where a criterion has a floor and the raw value is below it (above it for
    a lower-is-better criterion, where the floor is a ceiling); a blank value fails no gate
    but is missing. Recommendation: any failed gate → reject; else any criterion missing →
    hold; else score ≥ pass → sign; score ≥ conditional → sign with conditions; else reject.
    Source: the factor-rating method with knock-out (must-have) criteria, e.g. Heizer,
    Render & Munson, Operations Management, "factor-rating method".

    Example (worked by hand): floors 600 on credit (higher better) and 30 on days to pay
    (lower better), pass 75, conditional 60: (650, 25) scoring 80 → sign; (550, 25)
    scoring 90 → reject on the credit gate; (650, blank) → hold; (650, 20) scoring 65 →
    sign with conditions.

    >>> v = prospect_verdicts([[650, 25], [550, 25], [650, np.nan], [650, 20]], [600, 30], [1, -1],
    ...                       np.array([80, 90, 70, 65]), 75, 60)
    >>> v["recommendation"].tolist(), v["failed"].tolist()[1], v["missing"].tolist()[2]
    (['sign', 'reject', 'hold', 'sign_with_conditions'], [True, False], [False, True])
    """
    x = np.atleast_2d(np.asarray(raw, dtype=float))
    floor = np.asarray(gate_floors, dtype=float)
    direction = np.asarray(directions)
    score = np.asarray(scores, dtype=float)
    with np.errstate(invalid="ignore"):
        failed = ~np.isnan(floor) & ~np.isnan(x) & np.where(direction > 0, x < floor, x > floor)
    missing = np.isnan(x)
    recommendation = np.select([failed.any(axis=1), missing.any(axis=1), score >= pass_score,
                                score >= conditional_score],
                               ["reject", "hold", "sign", "sign_with_conditions"], "reject")
    return {"failed": failed, "missing": missing, "recommendation": recommendation}
