"""Sample data for chapter 11: knowledge index, training materials, SOP register, lessons learned."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .ch01 import STEP_TEAM, as_dates, codes, period_end, period_start, pick, random_days, staff

KNOWLEDGE = {
    "policy": ["經銷商管理辦法", "信用額度管理規定", "促銷費用核銷規定"],
    "process": ["招商作業流程", "月結作業流程", "客訴處理流程"],
    "product": ["產品型錄", "新品技術規格", "產品常見問題集"],
    "market": ["區域市場調研報告", "競品價格監測", "年度市場趨勢分析"],
    "dealer": ["經銷商分級名單", "重點經銷商經營檔案", "經銷商拜訪紀錄彙整"],
    "training": ["新人培訓手冊", "銷售技巧講義", "服務話術範例"],
    "template": ["經銷商月報範本", "客訴登記範本", "滿意度調查問卷"],
    "case_study": ["經銷商轉型成功案例", "促銷失敗檢討案例", "重大客訴處理案例"],
}
TOPIC_TITLE = {
    "product": "產品知識", "sales_skills": "銷售技巧", "channel_management": "渠道管理", "marketing": "行銷實務",
    "service": "服務標準", "compliance": "法規遵循", "leadership": "領導力",
}
SOP_TITLE = {
    "market_research": ["市場調研作業規範", "競品資訊蒐集規範"],
    "channel_strategy": ["渠道政策制定規範", "經銷商分級規範"],
    "dealer_recruitment": ["經銷商招商評估規範", "經銷合約簽訂規範", "經銷商實地考察規範"],
    "sales_plan": ["銷售目標制定規範", "銷售激勵發放規範", "銷售數據分析規範"],
    "stock_control": ["安全庫存設定規範", "呆滯庫存處理規範", "補貨作業規範"],
    "promotion": ["促銷方案審批規範", "廣告投放管理規範", "促銷費用核銷規範"],
    "customer_service": ["客訴處理規範", "售後服務規範", "滿意度調查規範"],
}
LESSONS = [
    ("旺季缺貨", "促銷期間熱銷料號缺貨兩週", "預測未納入促銷增量", "促銷計劃須同步通知庫存組調整預測"),
    ("經銷商逾期帳款", "一家經銷商逾期超過 90 天", "信用額度未隨銷售下滑調整", "每月檢討信用額度使用率"),
    ("新品上市延遲", "經銷商培訓晚於上市日", "研發資料提供延遲", "上市前四週完成經銷商培訓"),
    ("客訴回覆逾時", "高嚴重度客訴超過 SLA", "夜間與假日無人接案", "設定輪值與自動提醒"),
    ("促銷費用超支", "活動實際支出超出預算 20%", "未設定費用上限", "核銷前比對預算並設上限"),
    ("招商評估失準", "新經銷商半年內停止合作", "未實地查核財務狀況", "招商評估加入財務門檻"),
]


def _knowledge(ctx, roster) -> pd.DataFrame:
    rng = ctx.rng
    n = 60 + ctx.size.dealers // 40
    now = period_end(ctx).normalize()
    category = pick(ctx, list(KNOWLEDGE), n)
    variant = rng.integers(0, 3, n)
    base = np.array([KNOWLEDGE[c] for c in KNOWLEDGE], dtype=object)[
        pd.Series(category).map({c: i for i, c in enumerate(KNOWLEDGE)}).to_numpy(), variant]
    published = random_days(ctx, n, now - pd.DateOffset(years=4), now)
    updated = published + pd.to_timedelta(((now - published).days.to_numpy() * rng.random(n)).astype(int), unit="D")
    ids = codes("KB", n, 4)
    return pd.DataFrame({
        "doc_id": ids,
        "title": (pd.Series(base) + " " + pd.Series(published.year.astype(str)) + "版").to_numpy(dtype=object),
        "knowledge_category": category,
        "team": pick(ctx, list(dict.fromkeys(STEP_TEAM.values())), n),
        "author": pick(ctx, roster["staff_id"].to_numpy(), n),
        "file_location": ("\\\\fileserver\\經銷商管理部\\知識庫\\" + pd.Series(ids) + ".pdf").to_numpy(dtype=object),
        "keywords": pd.Series(category).map({"policy": "制度,規定", "process": "流程,作業", "product": "產品,規格",
                                             "market": "市場,競品", "dealer": "經銷商,檔案", "training": "培訓,教材",
                                             "template": "範本,表單", "case_study": "案例,檢討"}).to_numpy(dtype=object),
        "published_date": as_dates(published),
        "last_updated": as_dates(updated),
        "access_level": pick(ctx, ("public", "internal", "restricted"), n, p=(0.2, 0.65, 0.15)),
    })


def _materials(ctx, roster) -> pd.DataFrame:
    rng = ctx.rng
    n = 40 if ctx.size.dealers < 500 else 80
    now = period_end(ctx).normalize()
    topic = pick(ctx, list(TOPIC_TITLE), n)
    fmt = pick(ctx, ("slides", "video", "document", "e_learning", "case_study"), n, p=(0.35, 0.2, 0.2, 0.15, 0.1))
    audience = pick(ctx, ("staff", "dealer", "all"), n, p=(0.4, 0.35, 0.25))
    ids = codes("TM", n, 4)
    major, minor = rng.integers(1, 4, n), rng.integers(0, 10, n)
    title = (pd.Series(topic).map(TOPIC_TITLE) + np.where(audience == "dealer", "（經銷商版）", "")
             + pd.Series(fmt).map({"slides": "簡報", "video": "教學影片", "document": "手冊",
                                   "e_learning": "線上課程", "case_study": "案例集"}))
    return pd.DataFrame({
        "material_id": ids,
        "title": title.to_numpy(dtype=object),
        "training_topic": topic,
        "material_format": fmt,
        "audience": audience,
        "language": pick(ctx, ("zh-Hant", "zh-Hans", "en"), n, p=(0.75, 0.15, 0.1)),
        "version": ("v" + pd.Series(major.astype(str)) + "." + pd.Series(minor.astype(str))).to_numpy(dtype=object),
        "owner": pick(ctx, roster["staff_id"].to_numpy(), n),
        "last_updated": as_dates(random_days(ctx, n, now - pd.DateOffset(years=3), now)),
        "duration_hours": pick(ctx, (0.5, 1.0, 2.0, 3.0, 6.0), n).astype(float),
        "file_location": ("\\\\fileserver\\經銷商管理部\\培訓資料\\" + pd.Series(ids)).to_numpy(dtype=object),
    })


def _sops(ctx, roster) -> pd.DataFrame:
    rng = ctx.rng
    pairs = [(step, title) for step, titles in SOP_TITLE.items() for title in titles]
    n = len(pairs)
    now = period_end(ctx).normalize()
    step = np.array([p[0] for p in pairs], dtype=object)
    interval = pick(ctx, (6, 12, 12, 24), n).astype("int64")
    last_review = random_days(ctx, n, now - pd.DateOffset(months=26), now)
    effective = last_review - pd.to_timedelta(rng.integers(0, 3 * 365, n), unit="D")
    next_review = _add_months(last_review, interval)
    team = pd.Series(step).map(STEP_TEAM).to_numpy(dtype=object)
    leads = roster.loc[roster["role"] == "team_lead"].set_index("team")["staff_id"]
    major, minor = rng.integers(1, 5, n), rng.integers(0, 6, n)
    ids = codes("SOP-", n, 3)
    status = np.where(rng.random(n) < 0.1, "in_review", "effective")
    status[-1] = "retired"
    return pd.DataFrame({
        "sop_id": ids,
        "title": np.array([p[1] for p in pairs], dtype=object),
        "step": step,
        "team": team,
        "version": ("v" + pd.Series(major.astype(str)) + "." + pd.Series(minor.astype(str))).to_numpy(dtype=object),
        "owner": pd.Series(team).map(leads).fillna(roster["staff_id"].iloc[0]).to_numpy(dtype=object),
        "effective_date": as_dates(effective),
        "last_review_date": as_dates(last_review),
        "review_interval_months": interval,
        "next_review_date": as_dates(next_review),
        "document_status": status.astype(object),
        "file_location": ("\\\\fileserver\\經銷商管理部\\SOP\\" + pd.Series(ids) + ".docx").to_numpy(dtype=object),
    })


def _add_months(dates: pd.DatetimeIndex, months: np.ndarray) -> pd.DatetimeIndex:
    """``dates`` plus whole ``months`` each, the day clipped to the target month's length (as EDATE)."""
    periods = dates.to_period("M")
    target = (periods.year.to_numpy() * 12 + periods.month.to_numpy() - 1) + months
    first = pd.to_datetime({"year": target // 12, "month": target % 12 + 1, "day": 1})
    last_day = (first + pd.offsets.MonthEnd(0)).dt.day.to_numpy()
    day = np.minimum(dates.day.to_numpy(), last_day)
    return pd.DatetimeIndex(first + pd.to_timedelta(day - 1, unit="D"))


def _lessons(ctx, roster) -> pd.DataFrame:
    rng = ctx.rng
    n = ctx.size.months if ctx.size.dealers < 500 else int(ctx.size.months * 1.5)
    now = period_end(ctx).normalize()
    which = rng.integers(0, len(LESSONS), n)
    table = pd.DataFrame(LESSONS, columns=["title", "what", "cause", "lesson"]).iloc[which].reset_index(drop=True)
    date = random_days(ctx, n, period_start(ctx), now)
    date = pd.DatetimeIndex(np.sort(date.to_numpy()))
    due = date + pd.to_timedelta(rng.integers(14, 91, n), unit="D")
    status = np.where(due < now, pick(ctx, ("done", "done", "done", "in_progress"), n),
                      pick(ctx, ("not_started", "in_progress"), n)).astype(object)
    return pd.DataFrame({
        "lesson_id": codes("LL", n, 4),
        "lesson_date": as_dates(date),
        "title": table["title"].to_numpy(dtype=object),
        "team": pick(ctx, list(dict.fromkeys(STEP_TEAM.values())), n),
        "knowledge_category": pick(ctx, ("process", "dealer", "market", "case_study"), n),
        "what_happened": table["what"].to_numpy(dtype=object),
        "root_cause": table["cause"].to_numpy(dtype=object),
        "lesson": table["lesson"].to_numpy(dtype=object),
        "follow_up_action": ("將「" + table["lesson"] + "」納入 SOP").to_numpy(dtype=object),
        "owner": pick(ctx, roster.loc[roster["status"] != "left", "staff_id"].to_numpy(), n),
        "due_date": as_dates(due),
        "status": status,
    })


def generate(ctx) -> dict[str, pd.DataFrame]:
    roster = staff(ctx)
    return {
        "knowledge_index": _knowledge(ctx, roster),
        "training_materials": _materials(ctx, roster),
        "sop_register": _sops(ctx, roster),
        "lessons_learned": _lessons(ctx, roster),
    }
