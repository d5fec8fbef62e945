"""Sample data for chapter 1: the team roster, the monthly workflow calendar and the working
calendar (holidays, weekly hours).

The small functions at the top are the department-wide look-ups every later chapter of the
sample shares: dealers (from the dealer master when it exists), staff, SKUs, dates and names.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.sample.settings import default_frame

TEAMS = ("dealer_development", "sales", "inventory", "marketing", "customer_service")
TEAM_SHARE = (0.18, 0.34, 0.16, 0.14, 0.18)
TEAM_ABBREV = {"dealer_development": "DEV", "sales": "SAL", "inventory": "INV",
               "marketing": "MKT", "customer_service": "CS"}
ROLE_ABBREV = {"department_head": "HEAD", "team_lead": "LEAD", "senior_specialist": "SR",
               "specialist": "SP", "assistant": "AS"}
REGIONS = ("north", "central", "south", "east", "west")

# Which team runs each step of the manual's workflow (1.3), and what the step means each month.
STEP_TEAM = {
    "market_research": "dealer_development", "channel_strategy": "dealer_development",
    "dealer_recruitment": "dealer_development", "sales_plan": "sales", "stock_control": "inventory",
    "promotion": "marketing", "customer_service": "customer_service",
}
STEP_ACTIVITY = {
    "market_research": "各區市場需求與競品動態月報",
    "channel_strategy": "檢討渠道政策與經銷商結構",
    "dealer_recruitment": "潛在經銷商洽談與實地考察",
    "sales_plan": "下月銷售目標拆解與經銷商確認",
    "stock_control": "安全庫存檢視與補貨建議",
    "promotion": "促銷活動執行與費用核銷",
    "customer_service": "客訴結案檢討與滿意度回訪",
}
STEP_DUE_DAY = {"market_research": 5, "channel_strategy": 10, "dealer_recruitment": 20, "sales_plan": 25,
                "stock_control": 15, "promotion": 28, "customer_service": 22}

SURNAMES = np.array(list("陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高"))
GIVEN = np.array(["志明", "淑芬", "家豪", "怡君", "俊傑", "雅婷", "冠宇", "佳穎", "建宏", "美玲",
                  "宗翰", "詩涵", "承恩", "欣怡", "柏翰", "宜蓁", "彥廷", "靜怡", "哲瑋", "郁婷"])

# Public holidays that do not fall on a fixed solar date, and weekend make-up workdays (補班).
LUNAR_HOLIDAYS = {
    "春節": ["2020-01-25", "2021-02-12", "2022-02-01", "2023-01-22", "2024-02-10", "2025-01-29",
             "2026-02-17", "2027-02-06", "2028-01-26", "2029-02-13", "2030-02-03"],
    "端午節": ["2020-06-25", "2021-06-14", "2022-06-03", "2023-06-22", "2024-06-10", "2025-05-31",
              "2026-06-19", "2027-06-09", "2028-05-28", "2029-06-16", "2030-06-05"],
    "中秋節": ["2020-10-01", "2021-09-21", "2022-09-10", "2023-09-29", "2024-09-17", "2025-10-06",
              "2026-09-25", "2027-09-15", "2028-10-03", "2029-09-22", "2030-09-12"],
    "清明節": ["2020-04-04", "2021-04-04", "2022-04-05", "2023-04-05", "2024-04-04", "2025-04-04",
              "2026-04-05", "2027-04-05", "2028-04-04", "2029-04-04", "2030-04-05"],
}
FIXED_HOLIDAYS = {"01-01": "元旦", "02-28": "和平紀念日", "04-04": "兒童節", "05-01": "勞動節", "10-10": "國慶日"}
MAKEUP_WORKDAYS = ["2021-02-20", "2021-09-11", "2023-01-07", "2023-02-18", "2023-03-25", "2023-06-17",
                   "2023-09-23", "2024-02-17", "2025-02-08"]


# ---- shared look-ups -------------------------------------------------------------------------

def period_start(ctx) -> pd.Timestamp:
    """First day of the sample's first month."""
    return ctx.months[0].start_time


def period_end(ctx) -> pd.Timestamp:
    """The last moment of the sample's last month (``ctx.end``)."""
    return ctx.end.end_time.floor("s")


def month_starts(ctx) -> pd.DatetimeIndex:
    return ctx.months.to_timestamp(how="start")


def dealers(ctx) -> pd.DataFrame:
    """``dealer_id`` and ``region`` of every trading dealer: the dealer master's when chapter 3
    made one, otherwise a stand-in list of ``size.dealers`` ids spread evenly over the regions (no random
    draw, so every chapter that falls back gets the same list)."""
    master = ctx.frames.get("dealer_master")
    if master is not None and len(master):
        if "status" in master.columns:
            # Prospects have no customers, campaigns or surveys yet.
            trading = master[master["status"] != "prospect"]
            master = trading if len(trading) else master
        return master[["dealer_id", "region"]].reset_index(drop=True)
    n = ctx.size.dealers
    return pd.DataFrame({"dealer_id": codes("D", n, 5),
                         "region": np.array(REGIONS)[np.arange(n) % len(REGIONS)]})


def skus(ctx) -> pd.DataFrame:
    """``sku`` and ``product_group`` of the items: from the first generated form that lists
    both (the inventory chapter's item data), otherwise a stand-in list of ``size.skus`` items."""
    for frame in ctx.frames.values():
        if {"sku", "product_group"} <= set(frame.columns) and frame["sku"].notna().any():
            found = frame[["sku", "product_group"]].dropna().drop_duplicates("sku")
            return found.reset_index(drop=True)
    n = ctx.size.skus
    groups = np.array(["PG01", "PG02", "PG03", "PG04", "PG05", "PG06"])
    return pd.DataFrame({"sku": codes("SKU", n, 5), "product_group": groups[np.arange(n) % len(groups)]})


def staff(ctx) -> pd.DataFrame:
    return ctx.frames["team_roster"]


def team_members(ctx, team: str, include_leavers: bool = False) -> np.ndarray:
    roster = staff(ctx)
    chosen = roster["team"] == team
    if not include_leavers:
        chosen &= roster["status"] != "left"
    return roster.loc[chosen, "staff_id"].to_numpy()


def codes(prefix: str, n: int, width: int, start: int = 1) -> np.ndarray:
    """``prefix`` followed by a zero-padded sequence number: D00001, D00002, …"""
    numbers = pd.Series(np.arange(start, start + n)).astype(str).str.zfill(width)
    return (prefix + numbers).to_numpy(dtype=object)


def pick(ctx, values, n: int, p=None) -> np.ndarray:
    values = np.asarray(values, dtype=object)
    if p is not None:
        p = np.asarray(p, dtype=float) / np.sum(p)
    return values[ctx.rng.choice(len(values), size=n, p=p)]


def random_days(ctx, n: int, start, end) -> pd.DatetimeIndex:
    """``n`` dates drawn uniformly between ``start`` and ``end`` (both included)."""
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    span = (end - start).days + 1
    return start + pd.to_timedelta(ctx.rng.integers(0, span, n), unit="D")


def office_times(ctx, n: int, start, end, weekdays_only: bool = True) -> pd.DatetimeIndex:
    """``n`` times between ``start`` and ``end``, in office hours (08:30–18:30, to the minute),
    on weekdays unless told otherwise; weekend draws move to the Monday after, or to the Friday
    before when that Monday is past ``end``."""
    days = random_days(ctx, n, start, end)
    if weekdays_only:
        weekday = days.day_of_week.to_numpy()
        forward = days + pd.to_timedelta(7 - weekday, unit="D")
        backward = days - pd.to_timedelta(weekday - 4, unit="D")
        moved = np.where(forward <= pd.Timestamp(end).normalize(), forward, backward)
        days = pd.DatetimeIndex(np.where(weekday >= 5, moved, days))
    minutes = ctx.rng.integers(8 * 60 + 30, 18 * 60 + 30, n)
    return days + pd.to_timedelta(minutes, unit="min")


def next_staffed(times: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Moves a time between 20:00 and 08:30 to 08:30 of the next morning, when staff answer.

    The mapping never moves a later time before an earlier one, so the order of a case's
    first response and resolution is kept."""
    minutes = times.hour * 60 + times.minute
    evening = minutes.to_numpy() >= 20 * 60
    night = evening | (minutes.to_numpy() < 8 * 60 + 30)
    morning = times.normalize() + pd.to_timedelta(np.where(evening, 1, 0), unit="D") + pd.Timedelta(hours=8, minutes=30)
    return pd.DatetimeIndex(np.where(night, morning, times.floor("min")))


def person_names(ctx, n: int) -> np.ndarray:
    names = pd.Series(pick(ctx, SURNAMES, n)) + pd.Series(pick(ctx, GIVEN, n))
    return names.to_numpy(dtype=object)


def phone_numbers(ctx, n: int) -> np.ndarray:
    digits = pd.Series(ctx.rng.integers(10_000_000, 99_999_999, n)).astype(str)
    return ("09" + digits.str[:2] + "-" + digits.str[2:5] + "-" + digits.str[5:]).to_numpy(dtype=object)


def position_ids(teams, roles) -> np.ndarray:
    """The job-description id of a team and role: P-SAL-SP; the head of department is P-HEAD."""
    team = pd.Series(teams, dtype=object).map(TEAM_ABBREV)
    role = pd.Series(roles, dtype=object).map(ROLE_ABBREV)
    ids = "P-" + team.fillna("") + "-" + role
    return ids.where(team.notna(), "P-" + role).to_numpy(dtype=object)


def as_dates(values) -> pd.Series:
    """Datetime64 values of a date column, blanks as NaT."""
    return pd.Series(pd.to_datetime(values)).astype("datetime64[ns]")


# ---- chapter 1 forms -------------------------------------------------------------------------

def _team_roster(ctx) -> pd.DataFrame:
    n, rng = ctx.size.staff, ctx.rng
    end = period_end(ctx).normalize()
    ids = codes("S", n, 4)
    # Row 0 is the head of department; each team gets at least one member (its lead).
    teams = np.empty(n, dtype=object)
    teams[0] = None
    others = n - 1
    base = np.array(TEAMS, dtype=object)[np.arange(min(others, len(TEAMS)))]
    teams[1:1 + len(base)] = base
    teams[1 + len(base):] = pick(ctx, TEAMS, others - len(base), p=TEAM_SHARE)
    frame = pd.DataFrame({"staff_id": ids, "team": teams})
    first_of_team = frame["team"].notna() & ~frame.duplicated("team")
    roles = pick(ctx, ("senior_specialist", "specialist", "assistant"), n, p=(0.3, 0.5, 0.2))
    roles = np.where(first_of_team, "team_lead", roles)
    roles[0] = "department_head"
    leads = frame.loc[first_of_team].set_index("team")["staff_id"]
    manager = frame["team"].map(leads).where(~first_of_team, ids[0])
    manager[0] = None

    tenure_days = rng.integers(30, 9 * 365, n)
    tenure_days = np.where(roles == "department_head", np.maximum(tenure_days, 6 * 365), tenure_days)
    tenure_days = np.where(roles == "team_lead", np.maximum(tenure_days, 3 * 365), tenure_days)
    hire = end - pd.to_timedelta(tenure_days, unit="D")
    can_leave = np.isin(roles, ("specialist", "assistant")) & (tenure_days > 200)
    leaves = can_leave & (rng.random(n) < 0.12)
    leave = hire + pd.to_timedelta(np.floor(rng.random(n) * (tenure_days - 60)) + 60, unit="D")
    status = np.where(tenure_days < 90, "probation", "active")
    status = np.where(~leaves & (rng.random(n) < 0.03), "on_leave", status)
    status = np.where(leaves, "left", status)
    field_team = np.isin(teams, ("dealer_development", "sales", "customer_service"))
    region = np.where(field_team, pick(ctx, REGIONS, n), None)
    return pd.DataFrame({
        "staff_id": ids,
        "staff_name": person_names(ctx, n),
        "team": teams,
        "role": roles.astype(object),
        "position_id": position_ids(teams, roles),
        "manager_id": manager.to_numpy(dtype=object),
        "region": region,
        "email": (pd.Series(ids).str.lower() + "@dealer-dept.example.com").to_numpy(dtype=object),
        "phone": phone_numbers(ctx, n),
        "hire_date": as_dates(hire),
        "leave_date": as_dates(pd.DatetimeIndex(leave).where(leaves)),
        "status": status.astype(object),
    })


def _work_calendar(ctx, roster: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng
    steps = np.array(list(STEP_TEAM), dtype=object)
    months = month_starts(ctx)
    month = np.repeat(months.to_numpy(), len(steps))
    step = np.tile(steps, len(months))
    n = len(step)
    team = pd.Series(step).map(STEP_TEAM).to_numpy(dtype=object)
    leads = roster.loc[roster["role"] == "team_lead"].set_index("team")["staff_id"]
    owner = pd.Series(team).map(leads).fillna(roster["staff_id"].iloc[0]).to_numpy(dtype=object)
    due = pd.DatetimeIndex(month) + pd.to_timedelta(pd.Series(step).map(STEP_DUE_DAY).to_numpy() - 1, unit="D")
    end = period_end(ctx).normalize()
    # Past steps are nearly all done, a few late; the current month's are partly open.
    delay = np.round(rng.normal(-1.0, 2.5, n)).astype(int)
    done = due + pd.to_timedelta(delay, unit="D")
    is_done = (done <= end) & (rng.random(n) < np.where(pd.DatetimeIndex(month) < month_starts(ctx)[-1], 0.97, 0.6))
    status = np.where(is_done, "done",
                      np.where(due <= end + pd.Timedelta(days=7), "in_progress", "not_started"))
    status = np.where(~is_done & (rng.random(n) < 0.02), "cancelled", status)
    done = pd.DatetimeIndex(done).where(is_done)
    # A done step may be finished before its month only when it started early: clip to the month.
    done = pd.DatetimeIndex(np.maximum(done.to_numpy(), month)).where(is_done)
    note = np.where(~is_done & (due < end) & (status != "cancelled"), "進度落後，已與負責人確認新完成日", None)
    return pd.DataFrame({
        "month": as_dates(month),
        "step": step,
        "activity": pd.Series(step).map(STEP_ACTIVITY).to_numpy(dtype=object),
        "team": team,
        "owner": owner,
        "due_date": as_dates(due),
        "status": status.astype(object),
        "done_date": as_dates(done),
        "note": note,
    })


def holidays(years) -> pd.DataFrame:
    """Public holidays and make-up workdays of ``years`` (fixed-date holidays every year; lunar
    holidays and make-up days where known). A fixed holiday that shares a date with a lunar one
    keeps the first name."""
    years = list(years)
    fixed = pd.DataFrame([(f"{y}-{md}", name) for y in years for md, name in FIXED_HOLIDAYS.items()],
                         columns=["holiday_date", "holiday_name"])
    lunar = pd.DataFrame([(d, name) for name, dates in LUNAR_HOLIDAYS.items() for d in dates],
                         columns=["holiday_date", "holiday_name"])
    eve = lunar[lunar["holiday_name"] == "春節"].assign(
        holiday_date=lambda f: (pd.to_datetime(f["holiday_date"]) - pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d"),
        holiday_name="除夕")
    new_year_days = pd.concat([
        lunar[lunar["holiday_name"] == "春節"].assign(
            holiday_date=lambda f, k=k: (pd.to_datetime(f["holiday_date"]) + pd.Timedelta(days=k)).dt.strftime("%Y-%m-%d"))
        for k in (1, 2)])
    makeup = pd.DataFrame({"holiday_date": MAKEUP_WORKDAYS, "holiday_name": "補班"})
    days = pd.concat([fixed.assign(day_type="holiday"), lunar.assign(day_type="holiday"),
                      eve.assign(day_type="holiday"), new_year_days.assign(day_type="holiday"),
                      makeup.assign(day_type="makeup_workday")], ignore_index=True)
    days["holiday_date"] = as_dates(days["holiday_date"])
    days = days[days["holiday_date"].dt.year.isin(years)]
    days = days.drop_duplicates("holiday_date").sort_values("holiday_date", kind="stable")
    return days.reset_index(drop=True).astype({"holiday_name": object, "day_type": object})


def generate(ctx) -> dict[str, pd.DataFrame]:
    roster = _team_roster(ctx)
    years = range(ctx.months[0].year, ctx.end.year + 2)
    return {
        "team_roster": roster,
        "work_calendar": _work_calendar(ctx, roster),
        "work_holidays": holidays(years),
        "work_hours": default_frame("work_hours"),
    }
