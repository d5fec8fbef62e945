"""Channel management (manual 3.1, 3.4): which dealers are active in a month, market research
roll-up and contract renewal alerts."""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.calc import CalcError


def market_rollup(research: pd.DataFrame, by: str = "region", market_size: str = "market_size",
                  prior_market_size: str = "prior_market_size", our_sales: str = "our_sales",
                  outlets_total: str = "outlets_total", outlets_covered: str = "outlets_covered") -> pd.DataFrame:
    """Market size, growth, our share and outlet coverage per region.

    Equations (sums over the rows of a region first, then ratios, so large markets weigh
    more): growth = size / prior size − 1; share = our sales / size; coverage = covered
    outlets / all outlets; each ratio sums only the rows that hold both of its numbers. Source: market share and numeric distribution as defined in
    Kotler & Keller, Marketing Management ("market share", "distribution coverage").

    Example (worked by hand): north has two surveyed cities of 600 and 400 (prior 900),
    we sell 150, and serve 30 of 120 outlets → growth 11.1 %, share 15 %, coverage 25 %.

    >>> df = pd.DataFrame({"region": ["north", "north"], "market_size": [600, 400], "prior_market_size": [500, 400],
    ...                    "our_sales": [100, 50], "outlets_total": [80, 40], "outlets_covered": [20, 10]})
    >>> market_rollup(df).round(3).to_dict("records")
    [{'region': 'north', 'market_size': 1000.0, 'prior_market_size': 900.0, 'our_sales': 150.0, 'outlets_total': 120.0, 'outlets_covered': 30.0, 'growth': 0.111, 'share': 0.15, 'coverage': 0.25}]
    """
    columns = [market_size, prior_market_size, our_sales, outlets_total, outlets_covered]
    missing = [c for c in [by, *columns] if c not in research.columns]
    if missing:
        raise CalcError("msg.calc.channel.market_research_lacks", missing=', '.join(missing))
    numbers = research[columns].apply(pd.to_numeric, errors="coerce")
    if (numbers < 0).any().any():
        raise CalcError("msg.calc.channel.market_sizes_sales_outlet")
    if (numbers[outlets_covered] > numbers[outlets_total]).any():
        raise CalcError("msg.calc.channel.covered_outlets_cannot_exceed")
    groups = research[by].to_numpy()
    totals = numbers.groupby(groups, sort=True).sum().astype(float)
    totals.index.name = by

    def paired(numerator: str, denominator: str) -> pd.DataFrame:
        # A ratio is taken over the rows that have both of its numbers: a city surveyed
        # without last year's size neither shrinks nor inflates the region's growth.
        both = numbers[[numerator, denominator]].notna().all(axis=1)
        return numbers.loc[both, [numerator, denominator]].groupby(groups[both.to_numpy()]).sum().reindex(totals.index)

    growth, share, cover = (paired(market_size, prior_market_size), paired(our_sales, market_size),
                            paired(outlets_covered, outlets_total))
    with np.errstate(divide="ignore", invalid="ignore"):
        totals["growth"] = np.where(growth[prior_market_size] > 0, growth[market_size] / growth[prior_market_size] - 1,
                                    np.nan)
        totals["share"] = np.where(share[market_size] > 0, share[our_sales] / share[market_size], np.nan)
        totals["coverage"] = np.where(cover[outlets_total] > 0, cover[outlets_covered] / cover[outlets_total], np.nan)
    return totals.reset_index()


def renewal_alerts(end_dates, as_of, alert_days: int, notice_days=None) -> pd.DataFrame:
    """Days to contract expiry and whether a renewal alert is due.

    Equation: days_left = end − as_of; alert when 0 ≤ days_left ≤ max(alert_days,
    notice_days); expired when days_left < 0. ``notice_days`` (per contract, e.g. the
    notice period written in the contract) widens the window for contracts that need
    earlier notice.

    >>> renewal_alerts(["2026-12-15", "2027-06-30", "2026-10-01"], "2026-11-01", 60).to_dict("records")
    [{'days_left': 44, 'alert': True, 'expired': False}, {'days_left': 241, 'alert': False, 'expired': False}, {'days_left': -31, 'alert': False, 'expired': True}]
    """
    if alert_days < 0:
        raise CalcError("msg.calc.channel.alert_days_cannot_negative")
    end = pd.to_datetime(pd.Series(np.ravel(np.asarray(end_dates, dtype=object))))
    days_left = (end - pd.Timestamp(as_of)).dt.days
    window = np.full(len(end), float(alert_days))
    if notice_days is not None:
        window = np.fmax(window, np.asarray(notice_days, dtype=float))
    left = days_left.to_numpy(dtype=float)
    return pd.DataFrame({
        "days_left": days_left.astype("Int64"),
        "alert": (left >= 0) & (left <= window),
        "expired": left < 0,
    })


# Dealer master statuses of a dealer that has signed: a prospect is not a dealer yet.
SIGNED_STATUSES = ("active", "suspended", "terminated")


def active_in_month(join_date, termination_date, status, month) -> np.ndarray:
    """Which dealers are active in ``month``: under contract on at least one of its days.

    Definition (one for every sheet, count and issued template): a dealer is active in a
    month when it joined (``join_date``) on or before the month's last day, was not
    terminated before its first day (``termination_date`` blank or on/after it) and is not a
    prospect. A dealer suspended today, or terminated during the month, is active in it; a
    blank join date counts as joined long ago. Whether it bought anything is a separate
    question (:func:`activity_breakdown`).

    Example (worked by hand) for 2026-10: joined 2020 → active; terminated 2026-10-16 →
    active (traded until then); terminated 2026-04-06 → not; a prospect → not; joining
    2026-11-02 → not yet.

    >>> active_in_month(["2020-01-01", "2019-03-01", "2017-01-20", "2026-08-25", "2026-11-02"],
    ...                 [None, "2026-10-16", "2026-04-06", None, None],
    ...                 ["active", "terminated", "terminated", "prospect", "active"], "2026-10").tolist()
    [True, True, False, False, False]
    """
    return active_in_months(join_date, termination_date, status, [month])[:, 0]


def _values(values) -> np.ndarray:
    """``values`` as an array, dates kept as dates (turning a date column into Python objects
    only to parse it back costs a second per million dates)."""
    if pd.api.types.is_datetime64_dtype(getattr(values, "dtype", None)):
        return np.asarray(values)
    return np.asarray(values, dtype=object)


def active_in_months(join_date, termination_date, status, months) -> np.ndarray:
    """:func:`active_in_month` for several months at once: dealers × months.

    >>> active_in_months(["2026-10-16"], [None], ["active"], ["2026-09", "2026-10"]).tolist()
    [[False, True]]
    """
    periods = pd.PeriodIndex([pd.Period(m, "M") for m in months])
    joined = pd.to_datetime(pd.Series(_values(join_date)), errors="coerce")
    size = len(joined)

    def column(values) -> pd.Series:
        given = _values(values)
        return pd.Series(given if np.ndim(given) and len(given) == size else np.broadcast_to(given, size))

    ended = pd.to_datetime(column(termination_date), errors="coerce").to_numpy()[:, None]
    signed = column(status).fillna("active").isin(SIGNED_STATUSES).to_numpy()[:, None]
    first = periods.start_time.normalize().to_numpy()[None, :]
    last = periods.end_time.normalize().to_numpy()[None, :]
    joined = joined.to_numpy()[:, None]
    started = np.isnat(joined) | (joined <= last)
    not_ended = np.isnat(ended) | (ended >= first)
    return started & not_ended & signed


def activity_breakdown(status, active, trading) -> pd.DataFrame:
    """Dealers active in the month by today's status, split into trading (bought something
    in the month) and not trading, with the totals.

    Example: three active dealers (two active, one suspended), one of the active ones bought.

    >>> activity_breakdown(["active", "active", "suspended", "terminated"], [True, True, True, False],
    ...                    [True, False, False, False]).to_dict("records")
    [{'status': 'active', 'trading': 1, 'not_trading': 1, 'dealers': 2}, {'status': 'suspended', 'trading': 0, 'not_trading': 1, 'dealers': 1}, {'status': 'terminated', 'trading': 0, 'not_trading': 0, 'dealers': 0}, {'status': 'total', 'trading': 1, 'not_trading': 2, 'dealers': 3}]
    """
    frame = pd.DataFrame({"status": np.asarray(status, dtype=object), "active": np.asarray(active, dtype=bool),
                          "trading": np.asarray(trading, dtype=bool)})
    frame = frame.loc[frame["active"]]
    table = pd.DataFrame({"status": list(SIGNED_STATUSES)})
    table["trading"] = table["status"].map(frame.loc[frame["trading"]].groupby("status").size()).fillna(0).astype(int)
    table["not_trading"] = table["status"].map(frame.loc[~frame["trading"]].groupby("status").size()).fillna(0)
    table["not_trading"] = table["not_trading"].astype(int)
    table["dealers"] = table["trading"] + table["not_trading"]
    total = {"status": "total", **table[["trading", "not_trading", "dealers"]].sum().astype(int).to_dict()}
    return pd.concat([table, pd.DataFrame([total])], ignore_index=True)
