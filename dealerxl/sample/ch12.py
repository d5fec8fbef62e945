"""Sample data for chapter 12: individual development plans and learning logs of current staff."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .ch01 import as_dates, codes, period_end, period_start, pick, staff

CAPABILITIES = ("learning", "professional_knowledge", "leadership", "team_building")
GOALS = {
    "learning": ("建立每週閱讀與分享習慣", "每月讀一本專業書籍並於組會分享", "主管推薦書單"),
    "professional_knowledge": ("熟悉庫存與財務分析", "完成供應鏈與財報分析課程", "課程費用補助"),
    "leadership": ("具備帶領專案小組的能力", "擔任一項跨部門專案負責人", "主管定期輔導"),
    "team_building": ("提升團隊協作與新人輔導", "擔任新人導師並規劃入職培訓", "培訓時間安排"),
}
LEARNING = {
    "course": ("供應鏈管理實務", "企管顧問公司"), "book": ("《從 Excel 到數據分析》", "自學"),
    "seminar": ("渠道管理研討會", "產業公會"), "online": ("數位行銷線上課程", "線上學習平台"),
    "mentoring": ("主管一對一輔導", "部門主管"), "project": ("經銷商分級專案實作", "部門專案"),
    "certification": ("物流管理師證照", "專業協會"),
}
TYPE_CAPABILITY = {"course": "professional_knowledge", "book": "learning", "seminar": "professional_knowledge",
                   "online": "learning", "mentoring": "leadership", "project": "team_building",
                   "certification": "professional_knowledge"}


def _plans(ctx, roster: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng
    now = period_end(ctx).normalize()
    current = roster[roster["status"] != "left"].reset_index(drop=True)
    goals = rng.integers(2, 5, len(current))
    person = np.repeat(np.arange(len(current)), goals)
    n = len(person)
    goal_number = np.arange(n) - np.repeat(np.cumsum(goals) - goals, goals) + 1
    # Each person's capabilities are drawn without repeats, so goals differ.
    keys = rng.random((len(current), len(CAPABILITIES))).argsort(axis=1)
    capability = np.array(CAPABILITIES, dtype=object)[keys[person, goal_number - 1]]
    text = pd.Series(capability).map(GOALS)
    year_start = pd.Timestamp(year=now.year, month=1, day=1)
    start = year_start + pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    start = pd.DatetimeIndex(np.minimum(start.to_numpy(), np.datetime64(now)))
    due = start + pd.to_timedelta(rng.integers(90, 366, n), unit="D")
    elapsed = np.clip((now - start).days.to_numpy() / np.maximum((due - start).days.to_numpy(), 1), 0, 1)
    progress = np.clip(np.round(elapsed * rng.uniform(0.5, 1.3, n), 1), 0, 1)
    status = np.where(progress >= 1, "done", np.where(progress > 0, "in_progress", "not_started")).astype(object)
    reviewed = rng.random(n) < 0.6
    review = start + pd.to_timedelta(((now - start).days.to_numpy() * rng.uniform(0.5, 1.0, n)).astype(int), unit="D")
    return pd.DataFrame({
        "staff_id": current["staff_id"].to_numpy(dtype=object)[person],
        "goal_id": ("G" + pd.Series(goal_number.astype(str))).to_numpy(dtype=object),
        "capability": capability,
        "goal": text.str[0].to_numpy(dtype=object),
        "action": text.str[1].to_numpy(dtype=object),
        "support_needed": text.str[2].to_numpy(dtype=object),
        "start_date": as_dates(start),
        "due_date": as_dates(due),
        "progress": progress,
        "status": status,
        "reviewer_id": current["manager_id"].to_numpy(dtype=object)[person],
        "review_date": as_dates(review.where(reviewed)),
    })


def _learning(ctx, roster: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng
    n = int(ctx.size.staff * ctx.size.months * 0.6)
    now = period_end(ctx).normalize()
    who = rng.integers(0, len(roster), n)
    hire = roster["hire_date"].to_numpy()[who]
    leave = roster["leave_date"].fillna(now).to_numpy()[who]
    start = np.maximum(hire, np.datetime64(period_start(ctx)))
    span = np.maximum((leave - start).astype("timedelta64[D]").astype(int), 0)
    date = pd.DatetimeIndex(start + (span * rng.random(n)).astype("timedelta64[D]"))
    kind = pick(ctx, list(LEARNING), n, p=(0.2, 0.2, 0.1, 0.25, 0.1, 0.1, 0.05))
    text = pd.Series(kind).map(LEARNING)
    hours = pd.Series(kind).map({"course": 12.0, "book": 8.0, "seminar": 6.0, "online": 4.0, "mentoring": 1.5,
                                 "project": 20.0, "certification": 30.0}).to_numpy() * rng.uniform(0.5, 1.5, n)
    cost = np.where(np.isin(kind, ("course", "seminar", "certification")), np.round(rng.uniform(1, 15, n)) * 1000,
                    np.where(kind == "book", 450.0, 0.0))
    order = np.argsort(date.to_numpy(), kind="stable")
    frame = pd.DataFrame({
        "entry_id": codes("LE", n, 6),
        "staff_id": roster["staff_id"].to_numpy(dtype=object)[who][order],
        "learning_date": as_dates(date[order]),
        "capability": pd.Series(kind).map(TYPE_CAPABILITY).to_numpy(dtype=object)[order],
        "learning_type": kind[order],
        "title": text.str[0].to_numpy(dtype=object)[order],
        "provider": text.str[1].to_numpy(dtype=object)[order],
        "duration_hours": np.round(hours, 1)[order],
        "cost": cost[order],
        "certificate": np.where(kind == "certification", np.where(rng.random(n) < 0.8, "yes", "no"),
                                np.where(kind == "course", "yes", "no")).astype(object)[order],
        "takeaway": pick(ctx, ("學到可直接應用於經銷商輔導的方法", "建立更完整的數據分析思維",
                              "了解同業最新做法", "提升簡報與溝通技巧"), n)[order],
    })
    return frame


def generate(ctx) -> dict[str, pd.DataFrame]:
    roster = staff(ctx)
    return {"development_plan": _plans(ctx, roster), "learning_log": _learning(ctx, roster)}
