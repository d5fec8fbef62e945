"""Receivables (manual 8.4): ageing, DSO, credit use and the expected-credit-loss provision."""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError

# Upper bounds (days past due, inclusive) of the default buckets: current, 1–30, 31–60,
# 61–90, 91–180, >180. The last bucket is open-ended.
DEFAULT_BUCKET_UPPER_DAYS = (0, 30, 60, 90, 180)
DEFAULT_BUCKET_CODES = ("current", "d1_30", "d31_60", "d61_90", "d91_180", "d180_plus")


def days_past_due(due_dates, as_of) -> np.ndarray:
    """Whole days from each due date to ``as_of`` (negative when not yet due).

    Equation: DPD = as_of − due_date, in days.

    >>> days_past_due(["2026-10-01", "2026-11-15"], "2026-10-31").tolist()
    [30, -15]
    """
    due = np.ravel(np.asarray(due_dates)) if isinstance(due_dates, np.ndarray) else None
    if due is None or due.dtype.kind != "M":
        # Text, dates and timestamps of any kind: the general reader, one array operation.
        due = pd.to_datetime(pd.Series(np.ravel(np.asarray(due_dates, dtype=object))), errors="raise").to_numpy()
    missing = np.isnat(due)
    if missing.any():
        raise CalcError("msg.calc.receivables.due_date_missing_row", value=int(np.flatnonzero(missing)[0]) + 1)
    # Floor division by a day counts whole days as pandas' Timedelta.days does (towards −∞).
    return (np.datetime64(pd.Timestamp(as_of)) - due) // np.timedelta64(1, "D")


# Excel serial numbers whose dates every reading of them can hold (1708-05-05 to 2173-10-14):
# within these, whole serials convert to dates exactly, so their difference is the day count.
SERIAL_RANGE = (-70000.0, 100000.0)


def days_past_due_of_serials(due_serials, as_of_serial) -> np.ndarray | None:
    """Days past due of Excel serial dates (whole days), or None when the dates need :func:`days_past_due`.

    Equation: DPD = as_of − due_date, in days; on Excel's serial numbers (days since
    1899-12-30; Microsoft Support, "DATEVALUE function": serial 1 is 1900-01-01) this is a
    plain subtraction, with no conversion to dates and back. It applies when the as-of date
    and every due date are whole serials within :data:`SERIAL_RANGE` (no time of day, no
    blank); anything else returns None and takes the general reading, which names a missing
    date and counts times of day.

    Example: 2026-10-31 is serial 46326 and 2026-10-01 is 46296: 30 days past due;
    2026-11-15 (46341) is not due for another 15 days.

    >>> days_past_due_of_serials(np.array([46296.0, 46341.0]), 46326).tolist()
    [30.0, -15.0]
    >>> days_past_due_of_serials(np.array([46296.5]), 46326) is None
    True
    """
    low, high = SERIAL_RANGE
    if not low <= as_of_serial <= high or float(as_of_serial) != np.floor(float(as_of_serial)):
        return None
    due = np.ravel(due_serials).astype(float, copy=False)
    if due.size and not (due.min() >= low and due.max() <= high and (np.trunc(due) == due).all()):
        return None  # a blank (NaN), a time of day or a date beyond the range
    return float(as_of_serial) - due


# Up to this many bounds, one comparison per bound is quicker than a binary search per value
# (and the count of bounds still fits a byte).
_FEW_BOUNDS = 32


def bucket_index(days: np.ndarray, upper_days=DEFAULT_BUCKET_UPPER_DAYS) -> np.ndarray:
    """Index of the ageing bucket for each days-past-due value.

    Bucket i holds upper[i−1] < DPD ≤ upper[i]; the first bucket everything up to upper[0]
    (not yet due counts as current), the last everything above the last bound.

    >>> bucket_index(np.array([-5, 0, 1, 30, 31, 181])).tolist()
    [0, 0, 1, 1, 2, 5]
    """
    bounds = np.asarray(upper_days, dtype=float)
    if bounds.size == 0 or np.any(np.diff(bounds) <= 0):
        raise CalcError("msg.calc.receivables.ageing_bucket_bounds_rise")
    values = np.asarray(days, dtype=float)
    if values.ndim and bounds.size <= _FEW_BOUNDS and not np.isnan(bounds).any():
        return _bounds_below(values, bounds)
    return np.searchsorted(bounds, values, side="left")


def _bounds_below(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """For rising bounds: how many bounds lie below each value, NaN above them all.

    The same index as ``np.searchsorted(bounds, values, side="left")``: counting the bounds a
    value does not exceed (x ≤ b, false for NaN) and taking that from their number puts NaN
    last, as the sort order of searchsorted does.
    """
    not_above = np.zeros(values.shape, dtype=np.uint8)
    for bound in bounds:  # a handful of bounds, each compared with the whole column at once
        not_above += (values <= bound).view(np.uint8)
    return (np.uint8(bounds.size) - not_above).astype(np.intp)


def ageing(due_dates, amounts, as_of, upper_days=DEFAULT_BUCKET_UPPER_DAYS,
           codes=DEFAULT_BUCKET_CODES, groups=None) -> pd.DataFrame:
    """Open amounts by ageing bucket, in total or per group (e.g. dealer).

    Equation: A[g, b] = Σ amount over items of group g whose days past due fall in bucket b
    (see :func:`bucket_index`). Paid-off items should be passed with their open amount 0
    or left out. Without groups the sums are one weighted count per bucket; they may differ
    from the grouped table's (compensated) sums in the last binary digit only.

    Example (worked by hand), as of 2026-10-31: 100 due 2026-11-10 (current), 200 due
    2026-10-15 (16 days, 1–30), 300 due 2026-07-01 (122 days, 91–180).

    >>> ageing(["2026-11-10", "2026-10-15", "2026-07-01"], [100, 200, 300], "2026-10-31").iloc[0].to_dict()
    {'current': 100.0, 'd1_30': 200.0, 'd31_60': 0.0, 'd61_90': 0.0, 'd91_180': 300.0, 'd180_plus': 0.0, 'total': 600.0}
    """
    _check_bucket_names(upper_days, codes)
    return ageing_of_days(days_past_due(due_dates, as_of), amounts, upper_days, codes, groups)


def _check_bucket_names(upper_days, codes) -> None:
    if len(codes) != len(upper_days) + 1:
        raise CalcError("msg.calc.receivables.bucket_bounds_need_bucket", upper_days=len(upper_days), upper_days2=len(upper_days) + 1)


def _bucketed(days, amounts, upper_days, codes) -> tuple[np.ndarray, np.ndarray]:
    """Bucket index and open amount (blank = 0) per item."""
    _check_bucket_names(upper_days, codes)
    amount = np.ravel(amounts) if isinstance(amounts, np.ndarray) and amounts.dtype.kind in "fiu" else \
        pd.to_numeric(pd.Series(np.ravel(np.asarray(amounts, dtype=object))), errors="coerce").to_numpy(float)
    values = amount.astype(float, copy=False)  # read only: no copy of a float column
    blank = np.isnan(values)
    if blank.any():
        values = np.where(blank, 0.0, values)  # a blank amount is nothing open
    if len(days) != len(values):
        raise CalcError("msg.calc.receivables.due_dates_amounts_need", days=len(days), values=len(values))
    return bucket_index(days, upper_days), values


def ageing_total(days, amounts, upper_days=DEFAULT_BUCKET_UPPER_DAYS,
                 codes=DEFAULT_BUCKET_CODES) -> tuple[np.ndarray, float]:
    """Open amount per ageing bucket over all items, and the total of the buckets (no table built).

    Equation: A_b = Σ amount over items with days past due in bucket b; total = Σ_b A_b,
    leaving out a bucket whose sum is undefined (+∞ and −∞ met), as a table's row sum does.

    Example (worked by hand), as in :func:`ageing_of_days`:

    >>> sums, total = ageing_total([-10, 16, 122], [100, 200, 300])
    >>> sums.tolist(), total
    ([100.0, 200.0, 0.0, 0.0, 300.0, 0.0], 600.0)
    """
    bucket, values = _bucketed(days, amounts, upper_days, codes)
    sums = np.bincount(bucket, weights=values, minlength=len(codes)).astype(float, copy=False)
    return sums, float(np.where(np.isnan(sums), 0.0, sums).sum())


def ageing_of_days(days, amounts, upper_days=DEFAULT_BUCKET_UPPER_DAYS,
                   codes=DEFAULT_BUCKET_CODES, groups=None) -> pd.DataFrame:
    """:func:`ageing` of items whose days past due are known already (see :func:`days_past_due`).

    Equation: A[g, b] = Σ amount over items of group g with days past due in bucket b.

    Example (worked by hand): 100 not yet due (−10 days), 200 16 days and 300 122 days
    past due, as in :func:`ageing`.

    >>> ageing_of_days([-10, 16, 122], [100, 200, 300]).iloc[0].to_dict()
    {'current': 100.0, 'd1_30': 200.0, 'd31_60': 0.0, 'd61_90': 0.0, 'd91_180': 300.0, 'd180_plus': 0.0, 'total': 600.0}
    """
    if groups is None:
        # One total row (none without items): a weighted count per bucket, no table to pivot.
        sums, total = ageing_total(days, amounts, upper_days, codes)
        rows = min(len(days), 1)
        table = pd.DataFrame(sums.reshape(1, -1)[:rows], columns=list(codes))
        table["total"] = np.full(rows, total)
        return table
    bucket, values = _bucketed(days, amounts, upper_days, codes)
    keys = np.ravel(np.asarray(groups, dtype=object))
    table = pd.crosstab(keys, bucket, values=values, aggfunc="sum",
                        rownames=["group"], colnames=["bucket"]).reindex(columns=range(len(codes)), fill_value=0.0)
    table = table.fillna(0.0).astype(float)
    table.columns = list(codes)
    table["total"] = table.sum(axis=1)
    return table


def dso(receivables_end: float | np.ndarray, revenue: float | np.ndarray, days_in_period: float = 30) -> np.ndarray:
    """Days sales outstanding, simple method.

    Equation: DSO = receivables at period end / credit sales of the period · days in period.
    Source: e.g. CFA Institute, Financial Reporting and Analysis (receivables turnover ratio:
    DSO = 365 / turnover, equivalently AR / sales · 365 for a year).

    Example: receivables 1,200,000 after annual credit sales of 7,300,000 → 60 days.

    >>> float(dso(1_200_000, 7_300_000, 365))
    60.0
    """
    ar = np.asarray(receivables_end, dtype=float)
    sales = np.asarray(revenue, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if ar.ndim and ar.shape == sales.shape and isinstance(days_in_period, (int, float, np.integer, np.floating)):
            # Columns of one length: divide, scale in place, and blank only the periods without sales.
            days = ar / sales
            days *= days_in_period
            if sales.size and not sales.min() > 0:  # some sales zero, negative or blank
                days[~(sales > 0)] = np.nan
            return days
        return np.where(sales > 0, ar / sales * days_in_period, np.nan)


def credit_utilisation(open_receivables, open_orders, credit_limit) -> pd.DataFrame:
    """Credit exposure and its use of the limit, per dealer.

    Equation: exposure = open receivables + open orders; use = exposure / limit;
    over_limit = exposure > limit. A dealer without a limit (0 or blank) has use NaN and
    is over limit as soon as it has any exposure.

    >>> credit_utilisation([80, 50], [30, 0], [100, 0]).to_dict("records")
    [{'exposure': 110.0, 'utilisation': 1.1, 'over_limit': True}, {'exposure': 50.0, 'utilisation': nan, 'over_limit': True}]
    """
    receivables = np.nan_to_num(np.asarray(open_receivables, dtype=float))
    orders = np.nan_to_num(np.asarray(open_orders, dtype=float))
    limit = np.nan_to_num(np.asarray(credit_limit, dtype=float))
    if np.any(limit < 0):
        raise CalcError("msg.calc.receivables.credit_limit_cannot_negative")
    exposure = receivables + orders
    with np.errstate(divide="ignore", invalid="ignore"):
        use = np.where(limit > 0, exposure / np.where(limit > 0, limit, 1.0), np.nan)
    return pd.DataFrame({"exposure": exposure, "utilisation": use, "over_limit": exposure > limit})


def loss_rates_from_roll_rates(roll_rates: np.ndarray) -> np.ndarray:
    """Lifetime loss rate per ageing bucket from a chain of roll rates, buckets one month wide.

    ``roll_rates[i]`` is the share of bucket i's balance that moves on to bucket i+1 a
    month later; the last entry is the share of the oldest bucket that is written off.
    Equation: loss[i] = Π_{j ≥ i} roll[j] (:func:`lifetime_loss_rates` is the general case:
    buckets wider than a month, write-offs from any bucket).
    Source: the roll-rate (migration) approach to a provision matrix, e.g. KPMG, "IFRS 9
    for corporates: expected credit losses on trade receivables" (loss rates as products
    of roll rates).

    Example: roll rates 10 %, 40 %, 60 %, 80 % (last = written off) → loss rates
    0.1·0.4·0.6·0.8 = 1.92 %, 19.2 %, 48 %, 80 %.

    >>> loss_rates_from_roll_rates(np.array([0.1, 0.4, 0.6, 0.8])).round(4).tolist()
    [0.0192, 0.192, 0.48, 0.8]
    """
    rates = np.asarray(roll_rates, dtype=float)
    if np.any((rates < 0) | (rates > 1)) or np.isnan(rates).any():
        raise CalcError("msg.calc.receivables.roll_rates_shares_between")
    return np.cumprod(rates[::-1])[::-1]


def month_end_positions(invoice_date, due_date, amount, paid_amount, paid_date, written_amount, written_date,
                        month_ends, upper_days=DEFAULT_BUCKET_UPPER_DAYS) -> tuple[np.ndarray, np.ndarray]:
    """Open amount and ageing bucket of every invoice at every month end (invoices × month ends).

    Equation, at month end e: open = amount − paid·[paid_date ≤ e or blank] − written
    off·[write-off date ≤ e], floored at 0, and 0 before the invoice date; bucket = :func:`bucket_index` of
    e − due date. The ledger holds each invoice's payments to date and the date of the last
    one, so a part payment lowers what is open from that date on.

    Example (worked by hand): an invoice of 1,000 due 2026-01-31, 400 paid on 2026-03-10 and
    the rest written off on 2026-05-20: open 1,000 on 31 Jan (current), 1,000 on 28 Feb
    (28 days, 1–30), 600 on 31 Mar (59 days, 31–60), 600 on 30 Apr (89 days, 61–90), 0 on 31 May.

    >>> ends = pd.to_datetime(["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31"])
    >>> open_, bucket = month_end_positions(["2026-01-01"], ["2026-01-31"], [1000.0], [400.0], ["2026-03-10"],
    ...                                     [600.0], ["2026-05-20"], ends)
    >>> open_.tolist(), bucket.tolist()
    ([[1000.0, 1000.0, 600.0, 600.0, 0.0]], [[0, 1, 2, 3, 4]])
    """
    ends = pd.DatetimeIndex(pd.to_datetime(month_ends)).to_numpy()[None, :]

    def dates(values) -> np.ndarray:
        if pd.api.types.is_datetime64_dtype(getattr(values, "dtype", None)):  # already dates: no object round trip
            return np.ravel(np.asarray(values))[:, None]
        return pd.to_datetime(pd.Series(np.ravel(np.asarray(values, dtype=object)))).to_numpy()[:, None]

    def money(values) -> np.ndarray:
        return np.nan_to_num(pd.to_numeric(pd.Series(np.ravel(np.asarray(values, dtype=object))),
                                           errors="coerce").to_numpy(float))[:, None]

    paid_on, written_on = dates(paid_date), dates(written_date)
    # An undated payment counts as made, as the risk review's open items take it.
    open_amount = (money(amount) - np.where(np.isnat(paid_on) | (paid_on <= ends), money(paid_amount), 0.0)
                   - np.where(written_on <= ends, money(written_amount), 0.0))
    open_amount = np.where(dates(invoice_date) <= ends, np.maximum(open_amount, 0.0), 0.0)
    days = (ends - dates(due_date)) // np.timedelta64(1, "D")
    return open_amount, bucket_index(days.astype(float), upper_days).reshape(open_amount.shape)


def migration_flows(open_amount, bucket, written_off, n_buckets: int) -> np.ndarray:
    """Where each bucket's balance went from one month end to the next, added up over the months.

    ``open_amount`` and ``bucket`` are invoices × month ends (:func:`month_end_positions`),
    ``written_off`` invoices × month ends: the amount written off in the month ending there.
    Returns F, n × (n + 2): F[i, j] for j < n the amount open in bucket i at a month end and
    in bucket j at the next; F[i, n] the part written off in between (attributed to the
    bucket it left, i); F[i, n + 1] the part collected (paid). Row sums are the balances of
    bucket i at the month ends but the last.

    Equation, per invoice and pair of month ends (o₀ in bucket i, o₁ in bucket j): stays
    open min(o₁, o₀) → F[i, j]; written off min(w, o₀ − min(o₁, o₀)) → F[i, n]; the rest
    collected → F[i, n + 1].

    Example: the invoice of :func:`month_end_positions` moves 1,000 current → 1–30, 1,000
    1–30 → 31–60 of which 400 is collected, 600 31–60 → 61–90, and its 600 in 61–90 is
    written off.

    >>> open_ = np.array([[1000.0, 1000.0, 600.0, 600.0, 0.0]])
    >>> flows = migration_flows(open_, np.array([[0, 1, 2, 3, 4]]), np.array([[0, 0, 0, 0, 600.0]]), 6)
    >>> flows[:4, [0, 1, 2, 3, 6, 7]].tolist()
    [[0.0, 1000.0, 0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 600.0, 0.0, 0.0, 400.0], [0.0, 0.0, 0.0, 600.0, 0.0, 0.0], [0.0, 0.0, 0.0, 0.0, 600.0, 0.0]]
    """
    o = np.asarray(open_amount, dtype=float)
    b = np.asarray(bucket)
    w = np.nan_to_num(np.asarray(written_off, dtype=float))
    if o.ndim != 2 or o.shape[1] < 2 or b.shape != o.shape or w.shape != o.shape:
        raise CalcError("msg.calc.receivables.month_end_positions_need")
    start, after = o[:, :-1], o[:, 1:]
    held = start > 0
    stays = np.where(after > 0, np.minimum(after, start), 0.0)
    gone = np.minimum(w[:, 1:], start - stays)
    collected = start - stays - gone
    states = n_buckets + 2
    origin = b[:, :-1][held] * states
    flows = (np.bincount(origin + b[:, 1:][held], weights=stays[held], minlength=n_buckets * states)
             + np.bincount(origin + n_buckets, weights=gone[held], minlength=n_buckets * states)
             + np.bincount(origin + n_buckets + 1, weights=collected[held], minlength=n_buckets * states))
    return flows.reshape(n_buckets, states)


def lifetime_loss_rates(flows) -> pd.DataFrame:
    """Average roll rates and lifetime loss rate per ageing bucket, from migration flows.

    With F from :func:`migration_flows` (n buckets, then written off, then collected), the
    average one-month rates of bucket i over the months observed are balance-weighted:
    P[i, j] = F[i, j] / Σⱼ F[i, j] — ``stayed`` P[i, i], ``rolled_on`` Σ_{j > i} P[i, j],
    ``written_off`` P[i, n], ``collected`` P[i, n + 1]. A balance only ages forward, so
    P[i, j] = 0 for j < i, and the lifetime loss rate L follows from the oldest bucket back:

        L[i] = (P[i, n] + Σ_{j > i} P[i, j] · L[j]) / (1 − P[i, i])

    — the probability that the balance ends written off. With buckets one month wide
    (nothing stays) and write-offs only from the oldest bucket this is the textbook chain
    L[i] = Π_{j ≥ i} roll[j] (:func:`loss_rates_from_roll_rates`); what stays in a wider or
    open-ended bucket (91–180, over 180 days) is followed for as many months as it stays,
    and write-offs count in the bucket they left. A bucket with no balance in the months
    observed, or none that ever left it, has no loss rate (NaN).
    Source: Cyert, Davidson & Thompson, "Estimation of the allowance for doubtful accounts
    by Markov chains", Management Science 8(3), 1962 (ageing categories as states, paid and
    bad debt absorbing: loss = (I − Q)⁻¹·R); the roll-rate chain of IFRS 9 provision
    matrices (KPMG, "IFRS 9 for corporates: expected credit losses on trade receivables").

    Example (IFRScommunity.com, "IFRS 9 example: lifetime ECL for trade receivables using a
    provision matrix"): of 100,000 sold, 50,000 is paid on time and 50,000 rolls to 1–30
    days; 23,000 of that rolls to 31–60, 8,000 to 61–90, 2,000 to over 90 days and is never
    paid. Rolls 50 %, 46 %, 34.8 %, 25 %, 100 % → loss rates 2.0 %, 4.0 %, 8.7 %, 25 %, 100 %.

    >>> f = np.zeros((5, 7))
    >>> f[0, [1, 6]] = 50_000, 50_000; f[1, [2, 6]] = 23_000, 27_000; f[2, [3, 6]] = 8_000, 15_000
    >>> f[3, [4, 6]] = 2_000, 6_000; f[4, 5] = 2_000
    >>> lifetime_loss_rates(f)["loss_rate"].round(4).tolist()
    [0.02, 0.04, 0.087, 0.25, 1.0]

    Our own example of an open-ended bucket: of 1,000 over 180 days, each month 600 stays,
    100 is written off and 300 collected: L = 0.1 / (1 − 0.6) = 25 % (not the one-month 10 %).

    >>> lifetime_loss_rates(np.array([[600.0, 100.0, 300.0]]))["loss_rate"].tolist()
    [0.25]
    """
    f = np.asarray(flows, dtype=float)
    n = f.shape[0]
    if f.ndim != 2 or f.shape[1] != n + 2 or (f < 0).any() or np.isnan(f).any():
        raise CalcError("msg.calc.receivables.migration_flows_need_one")
    if np.tril(f[:, :n], -1).sum() > 0:
        raise CalcError("msg.calc.receivables.balance_moved_younger_ageing")
    base = f.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = f / base[:, None]
    stayed = np.diag(p[:, :n]).copy()
    # What left each bucket, added up from the flows (not base − stayed, which loses digits).
    left = f[:, n:].sum(axis=1) + np.triu(f[:, :n], 1).sum(axis=1)
    loss = np.full(n, np.nan)
    for i in range(n - 1, -1, -1):  # a handful of buckets, oldest first: each needs the older ones
        onward = f[i, i + 1:n]
        if left[i] <= 0:
            continue
        later = np.where(onward > 0, onward * loss[i + 1:], 0.0).sum()
        known = not np.isnan(loss[i + 1:][onward > 0]).any()
        loss[i] = (f[i, n] + later) / left[i] if known else np.nan
    return pd.DataFrame({"balance": base, "stayed": stayed, "rolled_on": np.nansum(np.triu(p[:, :n], 1), axis=1),
                         "written_off": p[:, n], "collected": p[:, n + 1], "loss_rate": loss})


def expected_credit_loss(bucket_balances, loss_rates, forward_looking_factor: float = 1.0) -> pd.DataFrame:
    """Lifetime expected credit loss with the simplified approach (provision matrix).

    Equation: ECL_b = gross carrying amount_b · loss rate_b · f, with f the forward-looking
    adjustment (1 = none), loss rates capped at 100 %. Total provision = Σ_b ECL_b.
    Source: IFRS 9 Financial Instruments, Illustrative Examples, Example 12 "Provision
    matrix" (IE74–IE77): trade receivables of 30,000,000 in five ageing bands with loss
    rates 0.3 %, 1.6 %, 3.6 %, 6.6 % and 10.6 % give a loss allowance of 580,000.

    >>> gross = [15_000_000, 7_500_000, 4_000_000, 2_500_000, 1_000_000]
    >>> ecl = expected_credit_loss(gross, [0.003, 0.016, 0.036, 0.066, 0.106])
    >>> ecl["ecl"].round(0).tolist(), round(float(ecl["ecl"].sum()))
    ([45000.0, 120000.0, 144000.0, 165000.0, 106000.0], 580000)
    """
    return pd.DataFrame(expected_credit_loss_columns(bucket_balances, loss_rates, forward_looking_factor))


def expected_credit_loss_columns(bucket_balances, loss_rates, forward_looking_factor: float = 1.0) -> dict:
    """:func:`expected_credit_loss` as its three columns (``gross``, ``loss_rate``, ``ecl``), no table built.

    Equation: ECL_b = gross_b · min(loss rate_b · f, 1), as in :func:`expected_credit_loss`.
    Example: the current band of IFRS 9's provision matrix (Illustrative Examples, Example 12):
    15,000,000 at a loss rate of 0.3 % → 45,000.

    >>> expected_credit_loss_columns([15_000_000], [0.003])["ecl"].round(2).tolist()
    [45000.0]
    """
    balances = np.asarray(bucket_balances, dtype=float)
    rates = np.asarray(loss_rates, dtype=float)
    if balances.shape[-1] != rates.shape[-1]:
        raise CalcError("msg.calc.receivables.buckets_but_loss_rates", shape=balances.shape[-1], shape2=rates.shape[-1])
    if np.any(rates < 0) or np.any(rates > 1):
        raise CalcError("msg.calc.receivables.loss_rates_shares_between")
    if forward_looking_factor < 0:
        raise CalcError("msg.calc.receivables.forward_looking_factor_cannot")
    adjusted = np.minimum(rates * forward_looking_factor, 1.0)
    return {"gross": balances, "loss_rate": np.broadcast_to(adjusted, balances.shape), "ecl": balances * adjusted}


def bad_debt_summary(write_offs: pd.DataFrame, by: list[str], amount: str = "write_off_amount",
                     recovered: str = "recovered_amount") -> pd.DataFrame:
    """Written off, recovered and net loss per group (dealer, month…).

    Equation: net loss = written off − recovered; recovery rate = recovered / written off.
    Recoveries above the amount written off are refused (they would hide a data error).

    >>> df = pd.DataFrame({"dealer_id": ["D1", "D1", "D2"], "write_off_amount": [100, 50, 80], "recovered_amount": [20, 0, None]})
    >>> bad_debt_summary(df, ["dealer_id"]).to_dict("records")
    [{'dealer_id': 'D1', 'written_off': 150.0, 'recovered': 20.0, 'net_loss': 130.0, 'recovery_rate': 0.13333333333333333}, {'dealer_id': 'D2', 'written_off': 80.0, 'recovered': 0.0, 'net_loss': 80.0, 'recovery_rate': 0.0}]
    """
    frame = write_offs.copy()
    frame["written_off"] = pd.to_numeric(frame[amount], errors="coerce").fillna(0.0)
    frame["recovered"] = pd.to_numeric(frame[recovered], errors="coerce").fillna(0.0)
    if (frame["written_off"] < 0).any() or (frame["recovered"] < 0).any():
        raise CalcError("msg.calc.receivables.write_offs_recoveries_cannot")
    over = frame["recovered"] > frame["written_off"]
    if over.any():
        raise CalcError("msg.calc.receivables.recovery_larger_than_write", value=int(np.flatnonzero(over.to_numpy())[0]) + 1)
    summary = frame.groupby(by, sort=True)[["written_off", "recovered"]].sum().astype(float)
    summary["net_loss"] = summary["written_off"] - summary["recovered"]
    with np.errstate(divide="ignore", invalid="ignore"):
        summary["recovery_rate"] = np.where(summary["written_off"] > 0, summary["recovered"] / summary["written_off"], np.nan)
    return summary.reset_index()
