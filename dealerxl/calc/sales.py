"""Sales analysis (manual 4.4): monthly totals, achievement, YoY, MoM, YTD, rolling 12 months,
run-rate projection, contribution to growth, price-volume-mix, Pareto (ABC) and declining dealers.

Most functions work on a *sales matrix*: one row per key (dealer, SKU, region…) and one
column per month (a monthly ``PeriodIndex``, oldest first, no gaps), as built from a
transactions table by :func:`sales_matrix`. Transactions carry the columns ``date``,
``dealer_id``, ``sku``, ``product_group``, ``region``, ``quantity`` and ``amount`` unless
other column ids are passed; returns are rows with negative quantity and amount.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError
from dealerxl.calc.inventory import abc_ranking

MONTHS = 12


def _require_columns(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise CalcError("msg.calc.demand.needs_column", label_fields={"what": what}, missing=', '.join(missing))


def _months(frame: pd.DataFrame, date: str) -> np.ndarray:
    """Monthly period ordinals of a date column; a CalcError names the first row that is not a date."""
    dates = pd.to_datetime(frame[date], errors="coerce")
    if dates.isna().any():
        row = int(np.flatnonzero(dates.isna().to_numpy())[0]) + 1
        raise CalcError("msg.calc.sales.sales_row_not_date", row=row, date=date)
    # months since 1970-01, which is what a monthly period's ordinal counts
    return dates.to_numpy().astype("datetime64[M]").astype(np.int64)


def _numbers(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce")
    if values.isna().any():
        row = int(np.flatnonzero(values.isna().to_numpy())[0]) + 1
        raise CalcError("msg.calc.sales.sales_row_not_number", row=row, column=column)
    return values.to_numpy(dtype=float)


def sales_matrix(transactions: pd.DataFrame, by="dealer_id", value: str = "amount", date: str = "date",
                 first_month=None, last_month=None) -> pd.DataFrame:
    """Sum of ``value`` per key (rows) and month (columns); months without sales are 0.

    Equation: X[i, t] = Σ value over the rows of key i dated in month t. The columns run
    from ``first_month`` (default: the first month in the table) to ``last_month``
    (default: the last); rows outside that span are left out.

    Example (worked by hand): D1 sells 100 in January and 50 in March, D2 30 in February.

    >>> t = pd.DataFrame({"date": ["2026-01-05", "2026-03-09", "2026-02-11"], "dealer_id": ["D1", "D1", "D2"],
    ...                   "amount": [100, 50, 30]})
    >>> sales_matrix(t).to_numpy().tolist()
    [[100.0, 0.0, 50.0], [0.0, 30.0, 0.0]]
    """
    keys = [by] if isinstance(by, str) else list(by)
    _require_columns(transactions, [*keys, value, date], "calc.subject.sales_table")
    ordinals = _months(transactions, date)
    amounts = _numbers(transactions, value)
    if not len(transactions) and (first_month is None or last_month is None):
        raise CalcError("msg.calc.sales.sales_table_empty")
    first = pd.Period(first_month, "M").ordinal if first_month is not None else int(ordinals.min())
    last = pd.Period(last_month, "M").ordinal if last_month is not None else int(ordinals.max())
    if first > last:
        raise CalcError("msg.calc.sales.first_month_after_last")
    inside = (ordinals >= first) & (ordinals <= last)
    if len(keys) == 1:  # one key: its sorted codes straight away, without a group-by
        codes, uniques = pd.factorize(transactions.loc[inside, keys[0]], sort=True)
        index = pd.Index(uniques, name=keys[0])
    else:
        groups = transactions.loc[inside, keys].groupby(keys, sort=True)
        codes = groups.ngroup().to_numpy()
        index = groups.size().index
    width = last - first + 1
    # np.bincount takes the platform's index type: int32 under Pyodide (Excel on the web and on Mac).
    cells = (codes * width + (ordinals[inside] - first)).astype(np.intp)
    grid = np.bincount(cells, weights=amounts[inside], minlength=len(index) * width)
    columns = pd.period_range(pd.Period(ordinal=first, freq="M"), periods=width, freq="M", name="month")
    return pd.DataFrame(grid.reshape(len(index), width), index=index, columns=columns)


def _matrix(sales) -> tuple[np.ndarray, pd.Index | None, pd.PeriodIndex | None]:
    if isinstance(sales, pd.DataFrame):
        return sales.to_numpy(dtype=float), sales.index, sales.columns
    x = np.asarray(sales, dtype=float)
    return (x.reshape(1, -1) if x.ndim == 1 else x), None, None


def growth_rate(current, prior) -> np.ndarray:
    """Relative change (current − prior) / |prior|; NaN where the prior is 0 or blank.

    >>> growth_rate([110, 90, 5], [100, 100, 0]).round(2).tolist()
    [0.1, -0.1, nan]
    """
    c, p = np.asarray(current, dtype=float), np.asarray(prior, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(np.abs(p) > 0, (c - p) / np.abs(p), np.nan)


def achievement(actual, target) -> pd.DataFrame:
    """Achievement against target: rate = actual / target and gap = actual − target.

    The rate is blank where there is no target (0 or blank); the gap still shows.

    >>> achievement([95, 130, 10], [100, 100, 0]).to_dict("list")
    {'actual': [95.0, 130.0, 10.0], 'target': [100.0, 100.0, 0.0], 'achievement_rate': [0.95, 1.3, nan], 'gap': [-5.0, 30.0, 10.0]}
    """
    a, t = np.ravel(np.asarray(actual, dtype=float)), np.ravel(np.asarray(target, dtype=float))
    rate, gap = achievement_rate_and_gap(a, t)
    return pd.DataFrame({"actual": a, "target": t, "achievement_rate": rate, "gap": gap})


def achievement_rate_and_gap(actual, target) -> tuple[np.ndarray, np.ndarray]:
    """The two computed columns of :func:`achievement` as arrays (for callers that need no table).

    >>> [x.tolist() for x in achievement_rate_and_gap([95, 10], [100, 0])]
    [[0.95, nan], [-5.0, 10.0]]
    """
    a, t = np.ravel(np.asarray(actual, dtype=float)), np.ravel(np.asarray(target, dtype=float))
    if a.size != t.size:
        raise CalcError("msg.calc.sales.actual_values_but_targets", size=a.size, size2=t.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(t > 0, a / t, np.nan), a - t


def period_metrics(sales, month=None) -> pd.DataFrame:
    """Month, MoM, YoY, YTD and rolling-12-month figures per row of a sales matrix.

    For the chosen month t (default: the last column; ``month`` may be a period or its
    position) and each row: actual Xₜ; MoM = Xₜ/Xₜ₋₁ − 1; YoY = Xₜ/Xₜ₋₁₂ − 1;
    YTD = Σ X from January of t's year to t, and YTD YoY against the same months a year
    before; rolling 12 = Σ Xₜ₋₁₁…Xₜ, and its growth against the 12 months before.
    A figure needing months before the matrix starts is blank, as is growth from zero.
    With a plain array (no month labels) the year is taken to start at the first column.

    Example (worked by hand): 24 months of 10 in the first year and 12 in the second
    (January to December) → for the last December: MoM 0, YoY +20 %, YTD 144 against 120,
    rolling 12 = 144.

    >>> m = pd.DataFrame([[10.0] * 12 + [12.0] * 12], columns=pd.period_range("2025-01", periods=24, freq="M"))
    >>> period_metrics(m).iloc[0][["actual", "mom", "yoy", "ytd", "ytd_prior", "rolling_12", "rolling_12_yoy"]].round(2).tolist()
    [12.0, 0.0, 0.2, 144.0, 120.0, 144.0, 0.2]
    """
    x, index, columns = _matrix(sales)
    if columns is not None and not isinstance(columns, pd.PeriodIndex):
        columns = None  # columns that are not months: the year starts at the first column
    n = x.shape[1]
    if n == 0:
        raise CalcError("msg.calc.sales.sales_matrix_has_no")
    if month is None:
        t = n - 1
    elif isinstance(month, (int, np.integer)):
        t = int(month)
    else:
        if columns is None:
            raise CalcError("msg.calc.sales.month_can_only_named")
        try:
            t = int(columns.get_loc(pd.Period(month, "M")))
        except KeyError:
            raise CalcError("msg.calc.sales.month_outside_sales_matrix", month=month) from None
    if not 0 <= t < n:
        raise CalcError("msg.calc.sales.month_outside_sales_matrix", month=month)
    calendar_month = (columns[t].month - 1) if columns is not None else t % MONTHS
    result = pd.DataFrame(_metric_columns(x, t, calendar_month))
    if index is not None:
        result.index = index
    return result


def last_month_metrics(sales, last_calendar_month: int | None = None) -> dict:
    """The columns of :func:`period_metrics` for the last month of a plain matrix, as arrays
    (name → one value per row), for callers that need no table. ``last_calendar_month`` is
    the calendar month of the last column (0 = January); without it the year starts at the
    first column.

    Same example: 24 months of 10, then 12, ending in December.

    >>> m = last_month_metrics([[10.0] * 12 + [12.0] * 12], 11)
    >>> [float(m[name][0]) for name in ("mom", "yoy", "ytd", "ytd_prior", "rolling_12_yoy")]
    [0.0, 0.2, 144.0, 120.0, 0.2]
    """
    x, _, _ = _matrix(sales)
    n = x.shape[1]
    if n == 0:
        raise CalcError("msg.calc.sales.sales_matrix_has_no")
    t = n - 1
    return _metric_columns(x, t, t % MONTHS if last_calendar_month is None else int(last_calendar_month))


def _metric_columns(x: np.ndarray, t: int, calendar_month: int) -> dict:
    """The columns of :func:`period_metrics` for month position ``t`` of ``x``, whose calendar
    month is ``calendar_month`` (0 = January)."""
    ytd_len = calendar_month + 1
    figures = _figures_in_matrix(x, t, ytd_len)
    if figures is None:  # months before the matrix, or a blank or ∞ among the months used
        figures = _figures_padded(x, t, ytd_len)
    actual, previous, year_ago, ytd, ytd_prior, rolling, rolling_prior = figures
    return {
        "actual": actual, "previous_month": previous, "mom": growth_rate(actual, previous),
        "same_month_last_year": year_ago, "yoy": growth_rate(actual, year_ago),
        "ytd": ytd, "ytd_prior": ytd_prior, "ytd_yoy": growth_rate(ytd, ytd_prior),
        "rolling_12": rolling, "rolling_12_prior": rolling_prior, "rolling_12_yoy": growth_rate(rolling, rolling_prior),
    }


def _figures_padded(x: np.ndarray, t: int, ytd_len: int) -> tuple:
    """Actual, previous month, month a year ago, YTD, prior YTD, rolling 12 and the 12 before,
    per row, on a copy of ``x`` with blanks as 0 and two years of blanks in front (so a figure
    reaching before the first month is blank)."""
    padded = np.hstack([np.full((x.shape[0], 2 * MONTHS), np.nan), np.nan_to_num(x)])
    at = t + 2 * MONTHS  # position of t in the padded matrix
    return (padded[:, at], padded[:, at - 1], padded[:, at - MONTHS], *_window_sums(padded, at, ytd_len))


def _window_sums(x: np.ndarray, t: int, ytd_len: int) -> tuple:
    """Per row of ``x``: YTD, prior YTD, rolling 12 and the 12 before, for month position ``t``."""
    def window(end: int, length: int) -> np.ndarray:
        return x[:, end - length + 1: end + 1].sum(axis=1)

    return window(t, ytd_len), window(t - MONTHS, ytd_len), window(t, MONTHS), window(t - MONTHS, MONTHS)


def _figures_in_matrix(x: np.ndarray, t: int, ytd_len: int) -> tuple | None:
    """:func:`_figures_padded` taken on the matrix itself, when they are the same: every month
    used lies inside the matrix (t is 24 months or more from the start) and none is blank or
    ∞. The sums tell: the four windows cover every month used (the month before and the month
    a year before included), and a window's sum is finite only when each of its months is.
    The matrix is read C-ordered, as the padded copy is, so each sum adds in the same order.
    None in any other case."""
    if t < 2 * MONTHS - 1:
        return None
    x = np.ascontiguousarray(x)
    with np.errstate(invalid="ignore", over="ignore"):
        sums = _window_sums(x, t, ytd_len)
    if not all(np.isfinite(s).all() for s in sums):
        return None
    return (x[:, t], x[:, t - 1], x[:, t - MONTHS], *sums)


def run_rate_projection(actual_to_date, as_of, period_start, period_end, basis: str = "days",
                        holidays=(), weekmask: str = "1111100") -> pd.DataFrame:
    """Projection of the period's total at the pace so far: actual × total days / elapsed days.

    Symbols: A actual to date (through ``as_of``, inclusive), e elapsed days
    (period_start … as_of), D days in the period (period_start … period_end). Equation:
    projection = A · D / e. With ``basis="working_days"`` e and D count working days
    (``weekmask`` Monday…Sunday, ``holidays`` left out), so a month with a weekend left
    does not project sales for days nobody sells. All arguments broadcast (one per row).

    Example (worked by hand): 3 100 000 sold in the first 10 days of a 31-day month →
    3 100 000 · 31 / 10 = 9 610 000. Working days (Monday to Friday): 1 March 2026 is a
    Sunday, so 1–10 March hold 7 weekdays and the month 22 → 3 100 000 · 22 / 7 = 9 742 857.14.

    >>> run_rate_projection(3_100_000, "2026-03-10", "2026-03-01", "2026-03-31").projection.tolist()
    [9610000.0]
    >>> run_rate_projection(3_100_000, "2026-03-10", "2026-03-01", "2026-03-31", "working_days").round(2).projection.tolist()
    [9742857.14]
    """
    a = np.atleast_1d(np.asarray(actual_to_date, dtype=float)).ravel()
    now, start, end = _days(as_of), _days(period_start), _days(period_end)
    a, now, start, end = np.broadcast_arrays(a, now, start, end)
    elapsed, total = _elapsed_and_period_days(now, start, end, basis, holidays, weekmask)
    return pd.DataFrame({"actual_to_date": a, "elapsed_days": elapsed, "period_days": total,
                         "projection": _projected(a, elapsed, total)})


def run_rate_projected_totals(actual_to_date, as_of, period_start, period_end, basis: str = "days",
                              holidays=(), weekmask: str = "1111100") -> np.ndarray:
    """The ``projection`` column of :func:`run_rate_projection` alone, for callers that need no table.

    With one date each (the usual case: one period for every row) the days are counted once
    and the projection is A · D / e with the same D and e for every row.

    >>> run_rate_projected_totals([3_100_000, 310], "2026-03-10", "2026-03-01", "2026-03-31").tolist()
    [9610000.0, 961.0]
    """
    a = np.atleast_1d(np.asarray(actual_to_date, dtype=float)).ravel()
    now, start, end = _days(as_of), _days(period_start), _days(period_end)
    if not now.size == start.size == end.size == 1 <= a.size:  # (no rows: nothing to check the dates for)
        return run_rate_projection(actual_to_date, as_of, period_start, period_end, basis, holidays,
                                   weekmask)["projection"].to_numpy()
    elapsed, total = _elapsed_and_period_days(now, start, end, basis, holidays, weekmask)
    return _projected(a, elapsed, total)


# Days between these are read the same by numpy and by pandas (whose timestamps end in 2262).
_PLAIN_DAYS = (np.datetime64("1800-01-01"), np.datetime64("2200-12-31"))
_DAY = np.dtype("datetime64[D]")


def _days(values) -> np.ndarray:
    """Dates (text, datetimes, numpy dates) as a 1-D ``datetime64[D]`` array; days pass as they are."""
    if isinstance(values, (np.ndarray, np.datetime64)) and values.dtype == _DAY:
        days = np.ravel(values)
        first, last = _PLAIN_DAYS
        # NaT is neither after the first nor before the last day
        if (first <= days[0] <= last) if days.size == 1 else ((days >= first) & (days <= last)).all():
            return days
    return np.atleast_1d(pd.to_datetime(np.ravel(np.asarray(values, dtype=object))).to_numpy("datetime64[D]"))


def _elapsed_and_period_days(now, start, end, basis: str, holidays, weekmask: str):
    """e and D of :func:`run_rate_projection` for dates of one shape (broadcast, or one each)."""
    if (end < start).any():
        raise CalcError("msg.calc.sales.period_ends_before_starts")
    now = np.clip(now, start, end)
    if basis == "days":
        elapsed = (now - start).astype(int) + 1
        total = (end - start).astype(int) + 1
    elif basis == "working_days":
        calendar = np.busdaycalendar(weekmask=weekmask, holidays=np.asarray(holidays, dtype="datetime64[D]"))
        elapsed = np.busday_count(start, now + 1, busdaycal=calendar)
        total = np.busday_count(start, end + 1, busdaycal=calendar)
    else:
        raise CalcError("msg.calc.sales.run_rate_basis_days", basis=basis)
    return elapsed, total


def _projected(a, elapsed, total) -> np.ndarray:
    """A · D / e, blank where no day has elapsed (e = 0)."""
    if elapsed.size == 1 and elapsed.ndim == a.ndim == 1 and elapsed[0] > 0:
        # One period, begun: no blank, and D ≥ e > 0 leaves nothing to divide by zero.
        projection = a * total
        projection /= elapsed
        return projection
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(elapsed > 0, a * total / elapsed, np.nan)


def _month_range(period) -> tuple[int, int]:
    first, last = (period, period) if isinstance(period, str) or not np.iterable(period) else period
    first, last = pd.Period(first, "M").ordinal, pd.Period(last, "M").ordinal
    if first > last:
        raise CalcError("msg.calc.sales.period_ends_before_starts_2", period=period)
    return first, last


def _totals_in_two_periods(transactions: pd.DataFrame, by: list[str], current, prior, values: list[str],
                           date: str) -> pd.DataFrame:
    """Σ of each of ``values`` per group, in the current and in the prior period (columns ``<value>_1``, ``<value>_0``).

    One pass over the table: each row is labelled 1 (current), 0 (prior) or left out, and
    grouped once by the keys and that label. Groups with no row in a period get 0.
    """
    ordinals = _months(transactions, date)
    (c0, c1), (p0, p1) = _month_range(current), _month_range(prior)
    in_current = (ordinals >= c0) & (ordinals <= c1)
    in_prior = (ordinals >= p0) & (ordinals <= p1)
    if np.any(in_current & in_prior):
        raise CalcError("msg.calc.sales.current_prior_period_overlap")
    keep = in_current | in_prior
    frame = transactions.loc[keep, by].copy()
    for value in values:
        frame[value] = _numbers(transactions, value)[keep]
    frame["_period"] = in_current[keep].astype(np.int8)
    totals = frame.groupby([*by, "_period"], sort=True)[values].sum().unstack("_period", fill_value=0.0)
    totals = totals.reindex(columns=pd.MultiIndex.from_product([values, [0, 1]]), fill_value=0.0)
    totals.columns = [f"{value}_{period}" for value, period in totals.columns]
    return totals.astype(float)


def contribution_to_growth(transactions: pd.DataFrame, by, current, prior, value: str = "amount",
                           date: str = "date") -> pd.DataFrame:
    """Each group's part in the total change between two periods.

    ``current`` and ``prior`` are months (``"2026-06"``) or inclusive (first, last) month
    pairs, e.g. this year's and last year's January–June. Per group g: change_g = C_g −
    P_g; contribution (percentage points of total growth) = change_g / ΣP; share of
    change = change_g / Σchange. The contributions add up to the total growth rate
    ΣC/ΣP − 1. Source: the contribution-to-growth identity used for national accounts
    (e.g. OECD, Contributions to growth; Eurostat, Handbook on quarterly national accounts).

    Example (worked by hand): North 100 → 130, South 100 → 90: total growth 200 → 220 =
    +10 %, North contributes +15 points, South −5.

    >>> t = pd.DataFrame({"date": ["2025-01-10", "2026-01-10", "2025-01-20", "2026-01-20"],
    ...                   "region": ["N", "N", "S", "S"], "amount": [100, 130, 100, 90]})
    >>> contribution_to_growth(t, "region", "2026-01", "2025-01").contribution.tolist()
    [0.15, -0.05]
    """
    keys = [by] if isinstance(by, str) else list(by)
    _require_columns(transactions, [*keys, value, date], "calc.subject.sales_table")
    totals = _totals_in_two_periods(transactions, keys, current, prior, [value], date)
    frame = pd.DataFrame({"current": totals[f"{value}_1"], "prior": totals[f"{value}_0"]})
    frame["change"] = frame["current"] - frame["prior"]
    frame["growth"] = growth_rate(frame["current"], frame["prior"])
    prior_total, change_total = frame["prior"].sum(), frame["change"].sum()
    frame["contribution"] = frame["change"] / prior_total if prior_total else np.nan
    frame["share_of_change"] = frame["change"] / change_total if change_total else np.nan
    return frame.reset_index()


def price_volume_mix(transactions: pd.DataFrame, current, prior, item: str = "sku", by=None,
                     quantity: str = "quantity", value: str = "amount", date: str = "date") -> pd.DataFrame:
    """Revenue change between two periods split into volume, mix, price, new and lost items.

    Per group (``by``, e.g. dealer or region; the whole table when None), over its items i
    (``item``, e.g. SKU) with quantities Q and revenues R in the prior (0) and current (1)
    period, prices Pᵢ = Rᵢ/Qᵢ. Items sold in both periods ("continuing", c):

    * volume = (ΣQ₁ − ΣQ₀) · P̄₀, with P̄₀ = ΣR₀/ΣQ₀ the prior average price (all over c);
    * mix    = Σ (Q₁ᵢ − ΣQ₁·m₀ᵢ) · P₀ᵢ, m₀ᵢ = Q₀ᵢ/ΣQ₀ the prior mix;
    * price  = Σ (P₁ᵢ − P₀ᵢ) · Q₁ᵢ;
    * new    = R₁ − R₀ of items not sold in the prior period (R₀ is then 0 or a return);
    * lost   = R₁ − R₀ of items sold then but not now (−R₀ when nothing came back).

    Volume + mix = ΣQ₁P₀ − ΣR₀ and price = ΣR₁ − ΣQ₁P₀ over c, so the five effects add
    up exactly to the change ΣR₁ − ΣR₀. This is the common "volume at prior average
    price, mix at prior prices, price at current volume" variant (price measured on
    current quantities, like a Paasche price index); it mirrors the sales-quantity,
    sales-mix and selling-price variances of Horngren, Datar & Rajan, Cost Accounting: A
    Managerial Emphasis (sales-mix and sales-quantity variances), with prior prices in
    place of budgeted ones.

    Example (worked by hand): A 100 × 10 → 120 × 11, B 100 × 20 → 80 × 20. ΣQ 200 → 200,
    P̄₀ = 15 → volume 0; mix = (120 − 100)·10 + (80 − 100)·20 = −200; price = 1·120 = 120;
    change = 2920 − 3000 = −80 = 0 − 200 + 120.

    >>> t = pd.DataFrame({"date": ["2025-01-01", "2025-01-01", "2026-01-01", "2026-01-01"],
    ...                   "sku": ["A", "B", "A", "B"], "quantity": [100, 100, 120, 80],
    ...                   "amount": [1000, 2000, 1320, 1600]})
    >>> price_volume_mix(t, "2026-01", "2025-01").iloc[0][["volume", "mix", "price", "change"]].tolist()
    [0.0, -200.0, 120.0, -80.0]
    """
    keys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    _require_columns(transactions, [*keys, item, quantity, value, date], "calc.subject.sales_table")
    totals = _totals_in_two_periods(transactions, [*keys, item], current, prior, [quantity, value], date)
    f = pd.DataFrame({"q0": totals[f"{quantity}_0"], "r0": totals[f"{value}_0"],
                      "q1": totals[f"{quantity}_1"], "r1": totals[f"{value}_1"]})
    return _price_volume_mix(f, keys)


PVM_EFFECTS = ("prior_revenue", "current_revenue", "volume", "mix", "price", "new", "lost", "change")


def price_volume_mix_of_items(prior_quantity, prior_revenue, current_quantity, current_revenue) -> pd.DataFrame:
    """The effects of :func:`price_volume_mix` for one group, from per-item totals (one element per item).

    Blank cells count as 0. Same example: A 100 × 10 → 120 × 11, B 100 × 20 → 80 × 20.

    >>> price_volume_mix_of_items([100, 100], [1000, 2000], [120, 80], [1320, 1600]).iloc[0].tolist()
    [3000.0, 2920.0, 0.0, -200.0, 120.0, 0.0, 0.0, -80.0]
    """
    return pd.DataFrame(price_volume_mix_effects(prior_quantity, prior_revenue, current_quantity, current_revenue))


def price_volume_mix_effects(prior_quantity, prior_revenue, current_quantity, current_revenue) -> dict:
    """The columns of :func:`price_volume_mix_of_items` as arrays (name → one value, none without items),
    for callers that need no table.

    >>> price_volume_mix_effects([100, 100], [1000, 2000], [120, 80], [1320, 1600])["mix"].tolist()
    [-200.0]
    """
    columns = [np.ravel(np.asarray(v, dtype=float))
               for v in (prior_quantity, prior_revenue, current_quantity, current_revenue)]
    if len({c.size for c in columns}) != 1:
        raise CalcError("msg.calc.sales.prior_current_quantities_revenues")
    # A finite total means every value is finite (a blank or an infinity would carry into it),
    # so the per-value test is only needed when a total is not.
    with np.errstate(over="ignore", invalid="ignore"):
        totals = [_group_total(c) for c in columns]
    finite = [bool(np.isfinite(t)) or bool(np.isfinite(c).all()) for c, t in zip(columns, totals)]
    if columns[0].size and all(finite):
        effects = _price_volume_mix_of_one_group(*columns, *totals)
        if effects is not None:
            return effects
    columns = [c if ok else np.nan_to_num(c, nan=0.0) for c, ok in zip(columns, finite)]  # blank = 0
    result = _price_volume_mix(pd.DataFrame(dict(zip(("q0", "r0", "q1", "r1"), columns))), [])
    return {name: result[name].to_numpy() for name in PVM_EFFECTS}


def _group_total(values: np.ndarray) -> float:
    # The addition pandas' group-by sum makes for one group without blanks, so totals agree to the bit.
    return np.add.reduceat(values, [0])[0] if values.size else np.float64(0.0)


def _sum_unless_blank(line: np.ndarray) -> float | None:
    """Σ of one effect's lines, or None when a line is not a number. A blank line makes the
    sum blank too, so the lines themselves are only looked at when the sum is."""
    total = _group_total(line)
    return None if np.isnan(total) and np.isnan(line).any() else total


def _price_volume_mix_of_one_group(q0, r0, q1, r1, total_q0, total_r0, total_q1, total_r1) -> dict | None:
    """:func:`_price_volume_mix` for a single group of items (no keys), on arrays: the same
    equations and the same sums, without group-bys. ``total_*`` are the sums of the four
    columns over all items. None when an intermediate is not a number (then the general
    path, which skips such lines, decides)."""
    if q0.min() > 0 and q1.min() > 0:  # every item sold in both periods: nothing new, nothing lost
        effects = _effects_of_continuing_items(q0, r0, q1, r1, total_q0, total_r0, total_q1)
        new = lost = np.float64(0.0)
    else:
        sold_before = q0 > 0
        continuing = sold_before & (q1 > 0)
        cq0, cr0, cq1 = q0[continuing], r0[continuing], q1[continuing]
        effects = _effects_of_continuing_items(cq0, cr0, cq1, r1[continuing], _group_total(cq0), _group_total(cr0),
                                               _group_total(cq1))
        with np.errstate(over="ignore", invalid="ignore"):
            change = r1 - r0
            # continuing items were sold before, so ~sold_before is ~continuing & ~sold_before
            new = _sum_unless_blank(np.where(sold_before, 0.0, change))
            lost = _sum_unless_blank(np.where(continuing | ~sold_before, 0.0, change))
    if effects is None or new is None or lost is None:
        return None
    volume, mix, price = effects
    values = (total_r0, total_r1, volume, mix, price, new, lost, total_r1 - total_r0)
    return {name: np.array([value], dtype=float) for name, value in zip(PVM_EFFECTS, values)}


def _effects_of_continuing_items(q0, r0, q1, r1, total_q0, total_r0, total_q1) -> tuple | None:
    """Σ volume, Σ mix and Σ price of :func:`price_volume_mix` over items sold in both periods
    (their totals given), or None when a line is not a number. One scratch array holds the
    lines of each effect in turn."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        p0 = r0 / q0
        line = np.subtract(q1, q0)
        line *= total_r0 / total_q0  # volume = (Q₁ − Q₀)·P̄₀
        volume = _sum_unless_blank(line)
        np.divide(q0, total_q0, out=line)
        line *= total_q1
        np.subtract(q1, line, out=line)
        line *= p0  # mix = (Q₁ − ΣQ₁·m₀)·P₀
        mix = _sum_unless_blank(line)
        np.divide(r1, q1, out=line)
        line -= p0
        line *= q1  # price = (P₁ − P₀)·Q₁
        price = _sum_unless_blank(line)
    if volume is None or mix is None or price is None:
        return None
    return volume, mix, price


def _price_volume_mix(f: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    # An item counts as sold in a period when its net quantity there is positive.
    continuing = (f["q0"] > 0) & (f["q1"] > 0)
    c = f[continuing]
    p0 = c["r0"] / c["q0"]
    p1 = c["r1"] / c["q1"]
    group_of = (lambda frame: [frame.index.get_level_values(k) for k in keys]) if keys else \
        (lambda frame: np.zeros(len(frame), dtype=int))
    totals = c[["q0", "r0", "q1"]].groupby(group_of(c)).transform("sum")
    average_p0 = totals["r0"] / totals["q0"]
    mix_share0 = c["q0"] / totals["q0"]
    lines = pd.DataFrame({
        "volume": (c["q1"] - c["q0"]) * average_p0,  # Σ over a group = (ΣQ₁ − ΣQ₀)·P̄₀
        "mix": (c["q1"] - totals["q1"] * mix_share0) * p0,
        "price": (p1 - p0) * c["q1"],
    })
    effects = lines.groupby(group_of(lines)).sum()
    change = f["r1"] - f["r0"]
    new = change.where(~continuing & ~(f["q0"] > 0), 0.0)  # not sold in the prior period
    lost = change.where(~continuing & (f["q0"] > 0), 0.0)  # sold then, not any more
    others = pd.DataFrame({"prior_revenue": f["r0"], "current_revenue": f["r1"], "new": new, "lost": lost})
    summary = others.groupby(group_of(others)).sum()
    result = summary.join(effects, how="left").fillna(0.0)
    result["change"] = result["current_revenue"] - result["prior_revenue"]
    result = result[["prior_revenue", "current_revenue", "volume", "mix", "price", "new", "lost", "change"]]
    if keys:
        result.index.names = keys
        return result.reset_index()
    return result.reset_index(drop=True)


def pareto(values, labels=None, a_share: float = 0.8, b_share: float = 0.95) -> pd.DataFrame:
    """Pareto (ABC) ranking: value share, cumulative share and class per dealer or product.

    Ranked by value, highest first: share = vᵢ/Σv, cumulative = Σ shares up to and
    including i; the class is A while the cumulative share *before* the item is below
    ``a_share`` (so A is the smallest set of top items reaching it), B below ``b_share``,
    else C; items with no positive value are C. Rows come back in the input order, with
    their rank. Source: the ABC / Pareto classification (Silver, Pyke & Thomas,
    Inventory and Production Management in Supply Chains, 4th ed.).

    Example (worked by hand): 500, 300, 100, 60, 40 → shares before each 0, 0.5, 0.8,
    0.9, 0.96 → A, A, B, B, C.

    >>> pareto([100, 500, 40, 300, 60], ["c", "a", "e", "b", "d"])[["label", "rank", "pareto_class"]].values.tolist()
    [['c', 3, 'B'], ['a', 1, 'A'], ['e', 5, 'C'], ['b', 2, 'A'], ['d', 4, 'B']]
    """
    frame = pd.DataFrame(pareto_columns(values, a_share, b_share))
    if labels is not None:
        label = np.ravel(np.asarray(labels, dtype=object))
        if label.size != len(frame):
            raise CalcError("msg.calc.sales.labels_values", size=label.size, frame=len(frame))
        frame.insert(0, "label", label)
    return frame


def pareto_columns(values, a_share: float = 0.8, b_share: float = 0.95) -> dict:
    """The columns of :func:`pareto` without labels, as arrays (name → one value per item), for
    callers that need no table.

    >>> pareto_columns([100, 500, 40, 300, 60])["pareto_class"].tolist()
    ['B', 'A', 'C', 'A', 'B']
    """
    v = np.ravel(np.asarray(values, dtype=float))
    if not np.isfinite(v).all():  # blanks count as no value (only then is a copy needed)
        v = np.nan_to_num(v, nan=0.0)
    v, order, classes = abc_ranking(v, a_share, b_share)
    rank = np.empty(v.size, dtype=np.int64)
    rank[order] = np.arange(1, v.size + 1)
    total = v.sum()
    share = v / total if total > 0 else np.zeros_like(v)
    cumulative = np.empty_like(share)
    cumulative[order] = np.cumsum(share[order])
    return {"value": v, "rank": rank, "share": share, "cumulative_share": cumulative, "pareto_class": classes}


def declining_trend(sales, recent_months: int = 3, slope_months: int = 6, min_drop: float = 0.1) -> pd.DataFrame:
    """Dealers (rows of a sales matrix) whose sales are falling.

    Two measures on the latest months: recent_change = Σ last n months / Σ the n months
    before − 1 (n = ``recent_months``; "3 months vs the prior 3"); trend_slope = the
    least-squares slope of the last k months (k = ``slope_months``) divided by their mean,
    i.e. the relative change per month, b = Σ(t − t̄)(xₜ − x̄) / Σ(t − t̄)² / x̄. A row is
    *declining* when recent_change ≤ −min_drop and trend_slope < 0 (both, so one bad
    month after a good one is not flagged). Growth from a zero base is blank.

    Example (worked by hand): 100, 100, 100, 90, 80, 70 → last 3 = 240 against 300: −20 %;
    deviations from the mean 90 are 10, 10, 10, 0, −10, −20 at t = −2.5 … 2.5, so
    b = −110 / 17.5 = −6.29 a month, −7.0 % of the mean → declining.

    >>> declining_trend([[100, 100, 100, 90, 80, 70], [50, 50, 50, 50, 50, 55]]).round(3).to_dict("list")
    {'recent_change': [-0.2, 0.033], 'trend_slope': [-0.07, 0.014], 'declining': [True, False]}
    """
    x, index, _ = _matrix(sales)
    n = x.shape[1]
    if recent_months < 1 or slope_months < 2:
        raise CalcError("msg.calc.sales.trend_needs_at_least")
    if n < max(2 * recent_months, slope_months):
        raise CalcError("msg.calc.sales.declining_trend_test_needs", value=max(2 * recent_months, slope_months), n=n)
    sums = _recent_sums_without_blanks(x, recent_months, slope_months)
    if sums is None:  # blanks count as 0
        x = np.nan_to_num(x)
        sums = _recent_sums(x, recent_months, slope_months)
    recent, before, mean = sums
    change = growth_rate(recent, before)
    window = x[:, n - slope_months:]
    t = np.arange(slope_months) - (slope_months - 1) / 2
    slope = (window - mean[:, None]) @ t / (t @ t)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(mean > 0, slope / mean, np.nan)
    result = pd.DataFrame({"recent_change": change, "trend_slope": relative,
                           "declining": (change <= -min_drop) & (relative < 0)})
    if index is not None:
        result.index = index
    return result


def _recent_sums(x: np.ndarray, recent_months: int, slope_months: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: Σ of the last n months, Σ of the n before, and the mean of the last k months
    (the sums of :func:`declining_trend`). A sum is finite only when every month it adds is."""
    n = x.shape[1]
    recent = x[:, n - recent_months:].sum(axis=1)
    before = x[:, n - 2 * recent_months: n - recent_months].sum(axis=1)
    return recent, before, x[:, n - slope_months:].mean(axis=1)


def _recent_sums_without_blanks(x: np.ndarray, recent_months: int, slope_months: int):
    """:func:`_recent_sums` of the matrix as it is, when they are the sums of its copy with
    blanks as 0: laid out as such a copy is (C or F order, so added in the same order) and
    no blank or ∞ among the months used. None otherwise."""
    if not (x.flags.c_contiguous or x.flags.f_contiguous):
        return None
    sums = _recent_sums(x, recent_months, slope_months)
    return sums if all(np.isfinite(s).all() for s in sums) else None
