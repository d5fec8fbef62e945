"""Sample data for chapter 2: job descriptions, recruitment, training, KPI appraisal and bonus."""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.forms.chapter02 import DEFAULT_ROWS
from dealerxl.sample.settings import default_frame

from .ch01 import (ROLE_ABBREV, TEAM_ABBREV, TEAMS, as_dates, codes, month_starts, period_end,
                   person_names, pick, position_ids, random_days, staff)

TEAM_TITLE = {"dealer_development": "經銷商開發", "sales": "銷售", "inventory": "庫存管理",
              "marketing": "市場推廣", "customer_service": "客戶服務"}
ROLE_TITLE = {"team_lead": "組長", "senior_specialist": "資深專員", "specialist": "專員", "assistant": "助理"}
# Monthly salary range per role (currency units) and the quarterly bonus base.
SALARY = {"department_head": (120_000, 180_000), "team_lead": (75_000, 110_000),
          "senior_specialist": (55_000, 80_000), "specialist": (40_000, 60_000), "assistant": (30_000, 42_000)}
BONUS_BASE = {"department_head": 60_000, "team_lead": 40_000, "senior_specialist": 25_000,
              "specialist": 18_000, "assistant": 10_000}
TEAM_DUTIES = {
    "dealer_development": ("開發新經銷商、評估潛在經銷商、簽約與合約續約",
                           "渠道開發經驗三年以上，具商務談判能力", "新簽經銷商數、招商達成率"),
    "sales": ("制定並追蹤經銷商銷售目標、分析銷售數據、執行激勵方案",
              "銷售管理經驗二年以上，熟悉 Excel 分析", "銷售達成率、回款率"),
    "inventory": ("預測需求、控制安全庫存、協調供應鏈與物流",
                  "供應鏈或物料管理經驗，具數據分析能力", "庫存周轉天數、缺貨率"),
    "marketing": ("規劃品牌傳播、廣告與促銷，追蹤數位行銷成效",
                  "行銷企劃經驗二年以上，熟悉數位媒體", "活動投資報酬率、名單數"),
    "customer_service": ("處理客戶投訴與售後服務、執行滿意度調查",
                         "客服經驗一年以上，溝通與抗壓能力佳", "SLA 達成率、客戶滿意度"),
}
HEAD_DUTIES = ("帶領五個小組達成部門銷售、庫存、推廣與服務目標", "經銷商管理經驗十年以上，五年以上管理經驗",
               "部門銷售達成率、經銷商滿意度")
# KPI catalogue per team: code, name, direction, weight, target.
KPIS = {
    "dealer_development": [("new_dealers", "新簽經銷商數", "higher_better", 0.35, 6),
                           ("prospect_visits", "潛在經銷商拜訪數", "higher_better", 0.25, 30),
                           ("renewal_rate", "合約續約率", "higher_better", 0.25, 0.9),
                           ("onboarding_days", "新經銷商上線天數", "lower_better", 0.15, 30)],
    "sales": [("sales_achievement", "銷售目標達成率", "higher_better", 0.4, 1.0),
              ("collection_rate", "回款率", "higher_better", 0.25, 0.95),
              ("active_dealers", "活躍經銷商數", "higher_better", 0.2, 40),
              ("dso_days", "應收帳款周轉天數", "lower_better", 0.15, 45)],
    "inventory": [("stock_days", "庫存周轉天數", "lower_better", 0.35, 45),
                  ("fill_rate", "訂單滿足率", "higher_better", 0.35, 0.97),
                  ("obsolete_share", "呆滯庫存占比", "lower_better", 0.3, 0.05)],
    "marketing": [("leads", "行銷名單數", "higher_better", 0.3, 1200),
                  ("promotion_roi", "促銷投資報酬率", "higher_better", 0.3, 1.5),
                  ("budget_variance", "預算偏差率", "lower_better", 0.2, 0.05),
                  ("brand_awareness", "品牌知名度", "higher_better", 0.2, 0.6)],
    "customer_service": [("sla_met", "SLA 達成率", "higher_better", 0.35, 0.95),
                         ("csat", "客戶滿意度", "higher_better", 0.35, 0.85),
                         ("first_response_hours", "平均首次回覆時數", "lower_better", 0.3, 4)],
    None: [("dept_sales_achievement", "部門銷售達成率", "higher_better", 0.5, 1.0),
           ("dept_nps", "部門 NPS", "higher_better", 0.2, 40),
           ("staff_turnover", "員工流失率", "lower_better", 0.3, 0.1)],
}
COURSES = {
    "product": ["新產品上市說明", "產品規格與競品比較", "產品安裝與保養"],
    "sales_skills": ["顧問式銷售", "經銷商談判技巧", "銷售數據分析實務"],
    "channel_management": ["經銷商評估與分級", "渠道衝突處理", "合約管理實務"],
    "marketing": ["數位行銷入門", "促銷活動企劃", "品牌傳播策略"],
    "service": ["客訴處理技巧", "售後服務流程", "客戶滿意度調查"],
    "compliance": ["個人資料保護", "公平交易法規", "反貪腐與誠信"],
    "leadership": ["新任主管培訓", "教練式領導", "跨部門溝通"],
}


def _positions(roster: pd.DataFrame, ctx) -> pd.DataFrame:
    rng = ctx.rng
    teams = np.repeat(np.array(TEAMS, dtype=object), len(ROLE_TITLE))
    roles = np.tile(np.array(list(ROLE_TITLE), dtype=object), len(TEAMS))
    teams = np.concatenate([[None], teams])
    roles = np.concatenate([["department_head"], roles])
    ids = position_ids(teams, roles)
    filled = roster.loc[roster["status"] != "left"].groupby("position_id").size()
    headcount = pd.Series(ids).map(filled).fillna(0).to_numpy(int) + (rng.random(len(ids)) < 0.2)
    title = np.where(pd.isna(teams), "經銷商管理部經理",
                     pd.Series(teams).map(TEAM_TITLE).fillna("") + pd.Series(roles).map(ROLE_TITLE).fillna(""))
    # The head of department's description differs from every team's.
    team_key = pd.Series(teams, dtype=object).fillna("__head__")
    described = {**TEAM_DUTIES, "__head__": HEAD_DUTIES}
    duties = team_key.map({t: d[0] for t, d in described.items()})
    needs = team_key.map({t: d[1] for t, d in described.items()})
    focus = team_key.map({t: d[2] for t, d in described.items()})
    salary = pd.Series(roles).map(SALARY)
    reports_to = np.where(roles == "team_lead", "P-HEAD",
                          np.where(roles == "department_head", None,
                                   "P-" + pd.Series(teams).map(TEAM_ABBREV).fillna("") + "-" + ROLE_ABBREV["team_lead"]))
    return pd.DataFrame({
        "position_id": ids,
        "position_title": title.astype(object),
        "team": teams,
        "role": roles,
        "reports_to": reports_to.astype(object),
        "headcount_plan": headcount.astype("int64"),
        "duties": duties.to_numpy(dtype=object),
        "requirements": needs.to_numpy(dtype=object),
        "kpi_focus": focus.to_numpy(dtype=object),
        "salary_min": salary.str[0].astype(float).to_numpy(),
        "salary_max": salary.str[1].astype(float).to_numpy(),
    })


def _recruitment(ctx, positions: pd.DataFrame, roster: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng
    n = max(12, int(round(ctx.size.staff * 0.75 * ctx.size.months / 12)))
    end = period_end(ctx).normalize()
    open_positions = positions.loc[positions["role"] != "department_head"].reset_index(drop=True)
    which = rng.integers(0, len(open_positions), n)
    position = open_positions.loc[which].reset_index(drop=True)
    applied = random_days(ctx, n, month_starts(ctx)[0], end)
    # How far each candidate got: applied 0, screened 1, interview_1 2, interview_2 3, offer 4, hired 5.
    passes = rng.random((n, 5)) < np.array([0.6, 0.7, 0.6, 0.7, 0.85])
    reached = np.cumprod(passes, axis=1).sum(axis=1)
    stage_days = reached * 7 + rng.integers(0, 6, n)
    stage_date = applied + pd.to_timedelta(stage_days, unit="D")
    active = stage_date > end  # still in the pipeline at the sample's end
    reached = np.where(active, np.minimum(reached, np.maximum((end - applied).days // 7, 0)), reached)
    stage_date = pd.DatetimeIndex(np.minimum(stage_date.to_numpy(), np.datetime64(end)))
    stages = np.array(["applied", "screened", "interview_1", "interview_2", "offer", "hired"], dtype=object)
    ended = np.where(rng.random(n) < 0.8, "rejected", "withdrawn")
    stage = np.where((reached == 5) | active, stages[reached], ended)
    ability = rng.normal(70, 10, n) + reached * 3
    def score(min_reached):
        happened = (reached >= min_reached) | (~active & (reached == min_reached - 1))
        return np.where(happened, np.clip(np.round(ability + rng.normal(0, 6, n)), 0, 100), np.nan)
    offer = applied + pd.to_timedelta(28 + rng.integers(0, 10, n), unit="D")
    offer = pd.DatetimeIndex(np.minimum(offer.to_numpy(), stage_date.to_numpy())).where(reached >= 4)
    hire = offer + pd.to_timedelta(rng.integers(14, 31, n), unit="D")
    hire = hire.where(reached == 5)
    leads = roster.loc[roster["role"] == "team_lead"].set_index("team")["staff_id"]
    return pd.DataFrame({
        "candidate_id": codes("C", n, 5),
        "candidate_name": person_names(ctx, n),
        "position_id": position["position_id"].to_numpy(dtype=object),
        "recruit_channel": pick(ctx, ("job_board", "referral", "campus", "headhunter", "internal", "social_media"),
                                n, p=(0.4, 0.2, 0.1, 0.1, 0.08, 0.12)),
        "applied_date": as_dates(applied),
        "stage": stage,
        "stage_date": as_dates(stage_date),
        "screening_score": score(1),
        "interview_score_1": score(3),
        "interview_score_2": score(4),
        "interviewer_id": position["team"].map(leads).to_numpy(dtype=object),
        "offer_date": as_dates(offer),
        "hire_date": as_dates(hire),
        "note": np.where(stage == "withdrawn", "已接受其他公司錄用", None),
    })


def _training(ctx, roster: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = ctx.rng
    per_month = 2 if ctx.size.staff < 60 else 3
    n = per_month * ctx.size.months
    end = period_end(ctx).normalize()
    topic = pick(ctx, list(COURSES), n, p=(0.22, 0.2, 0.16, 0.12, 0.14, 0.08, 0.08))
    course_index = rng.integers(0, 3, n)
    title = np.array([COURSES[t] for t in COURSES], dtype=object)[
        pd.Series(topic).map({t: i for i, t in enumerate(COURSES)}).to_numpy(), course_index]
    delivery = pick(ctx, ("internal", "external", "online"), n, p=(0.55, 0.2, 0.25))
    duration = pick(ctx, (2.0, 3.0, 4.0, 6.0, 7.0, 14.0), n, p=(0.25, 0.25, 0.2, 0.1, 0.15, 0.05)).astype(float)
    session_date = random_days(ctx, n, month_starts(ctx)[0], end)
    weekday = session_date.day_of_week.to_numpy()
    session_date = session_date - pd.to_timedelta(np.where(weekday >= 5, weekday - 4, 0), unit="D")
    session_date = pd.DatetimeIndex(np.sort(session_date.to_numpy()))
    capacity = rng.integers(15, 41, n)
    cost = np.where(delivery == "external", rng.integers(10, 61, n) * 1000,
                    np.where(delivery == "online", rng.integers(5, 31, n) * 100, rng.integers(0, 6, n) * 1000))
    trainer = np.where(delivery == "internal", pick(ctx, roster["staff_name"].to_numpy(), n),
                       pick(ctx, ("外部講師 周老師", "外部講師 黃顧問", "線上平台", "供應商產品經理"), n))
    sessions = pd.DataFrame({
        "session_id": codes("T", n, 4),
        "course_title": title,
        "training_topic": topic,
        "training_delivery": delivery,
        "trainer": trainer.astype(object),
        "session_date": as_dates(session_date),
        "duration_hours": duration,
        "capacity": capacity.astype("int64"),
        "cost": cost.astype(float),
    })

    # Invite a random share of the staff employed on the session date (each person once).
    hire = roster["hire_date"].to_numpy()
    leave = roster["leave_date"].fillna(pd.Timestamp.max.normalize()).to_numpy()
    when = session_date.to_numpy()[:, None]
    employed = (hire[None, :] <= when) & (leave[None, :] >= when)
    keys = np.where(employed, rng.random(employed.shape), np.inf)
    rank = keys.argsort(axis=1).argsort(axis=1)
    invited_count = np.minimum(capacity, np.ceil(employed.sum(axis=1) * rng.uniform(0.3, 0.8, n)))
    invited = employed & (rank < invited_count[:, None])
    session_index, staff_index = np.nonzero(invited)
    m = len(session_index)
    attended = rng.random(m) < 0.9
    full = rng.random(m) < 0.9
    hours = np.where(attended, np.where(full, duration[session_index], np.floor(duration[session_index] / 2)), 0.0)
    test = np.where(attended, np.clip(np.round(rng.normal(80, 10, m)), 0, 100), np.nan)
    feedback = np.where(attended, np.clip(np.round(rng.normal(4.2, 0.7, m)), 1, 5), np.nan)
    completed = np.where(attended, np.where((test >= 60) & full, "yes", "no"), "no")
    attendance = pd.DataFrame({
        "session_id": sessions["session_id"].to_numpy()[session_index],
        "staff_id": roster["staff_id"].to_numpy()[staff_index],
        "attended": np.where(attended, "yes", "no").astype(object),
        "hours_attended": hours,
        "test_score": test,
        "completed": completed.astype(object),
        "feedback_score": pd.array(feedback, dtype="Int64"),
    })
    return sessions, attendance


def _quarters(ctx) -> pd.PeriodIndex:
    return pd.period_range(ctx.months[0].asfreq("Q"), ctx.end.asfreq("Q"), freq="Q")


def _appraisal(ctx, roster: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = ctx.rng
    quarters = _quarters(ctx)
    q_start = quarters.start_time.to_numpy()
    q_end = quarters.end_time.normalize().to_numpy()
    hire = roster["hire_date"].to_numpy()
    leave = roster["leave_date"].fillna(pd.Timestamp.max.normalize()).to_numpy()
    employed = (hire[:, None] <= q_end[None, :]) & (leave[:, None] >= q_start[None, :])
    staff_index, quarter_index = np.nonzero(employed)
    people = pd.DataFrame({"staff_id": roster["staff_id"].to_numpy()[staff_index],
                           "team": roster["team"].to_numpy(dtype=object)[staff_index],
                           "manager": roster["manager_id"].to_numpy(dtype=object)[staff_index],
                           "role": roster["role"].to_numpy(dtype=object)[staff_index],
                           "year": quarters.year.to_numpy()[quarter_index],
                           "quarter": quarters.quarter.to_numpy()[quarter_index],
                           "closed": (q_end[quarter_index] <= np.datetime64(period_end(ctx).normalize()))})
    ability = pd.Series(rng.normal(0, 0.08, len(roster)), index=roster["staff_id"])
    catalogue = pd.DataFrame([(team, *kpi) for team, kpis in KPIS.items() for kpi in kpis],
                             columns=["team", "kpi_code", "kpi_name", "kpi_direction", "weight", "target"])
    catalogue["team"] = catalogue["team"].astype(object)
    rows = people.assign(team_key=people["team"].fillna("__head__")).merge(
        catalogue.assign(team_key=catalogue["team"].fillna("__head__")).drop(columns="team"),
        on="team_key", how="inner", sort=False).drop(columns="team_key")
    factor = np.exp(ability.reindex(rows["staff_id"]).to_numpy() + rng.normal(0, 0.12, len(rows)))
    higher = rows["kpi_direction"].to_numpy() == "higher_better"
    actual = rows["target"].to_numpy() * np.where(higher, factor, 1 / factor)
    is_rate = rows["target"].to_numpy() <= 1.5
    actual = np.where(is_rate, np.round(actual, 3), np.round(actual))
    actual = np.where(rows["closed"].to_numpy(), actual, np.nan)
    kpi = pd.DataFrame({
        "staff_id": rows["staff_id"].to_numpy(dtype=object),
        "year": rows["year"].astype("int64").to_numpy(),
        "quarter": rows["quarter"].astype("int64").to_numpy(),
        "kpi_code": rows["kpi_code"].to_numpy(dtype=object),
        "kpi_name": rows["kpi_name"].to_numpy(dtype=object),
        "kpi_direction": rows["kpi_direction"].to_numpy(dtype=object),
        "weight": rows["weight"].to_numpy(float),
        "target": rows["target"].to_numpy(float),
        "actual": actual,
        "appraiser_id": rows["manager"].to_numpy(dtype=object),
        "comment": None,
    })

    # Bonus for closed quarters: capped weighted attainment → grade band → multiple of the base.
    closed = rows["closed"].to_numpy()
    attainment = np.where(higher, actual / rows["target"].to_numpy(), rows["target"].to_numpy() / actual)
    points = np.minimum(attainment, 1.2) * rows["weight"].to_numpy() * 100
    scored = rows.loc[closed, ["staff_id", "year", "quarter", "role"]].assign(points=points[closed])
    bonus = scored.groupby(["staff_id", "year", "quarter"], sort=False).agg(
        kpi_score=("points", "sum"), role=("role", "first")).reset_index()
    bands = pd.DataFrame(DEFAULT_ROWS["kpi_grade_bands"]).sort_values("min_score")
    band = np.searchsorted(bands["min_score"].to_numpy(), bonus["kpi_score"].to_numpy(), side="right") - 1
    grade = bands["grade"].to_numpy()[band]
    multiple = bands["bonus_multiple"].to_numpy()[band]
    base = bonus["role"].map(BONUS_BASE).to_numpy(float)
    m = len(bonus)
    adjustment = np.where(rng.random(m) < 0.05, rng.integers(-5, 6, m) * 1000.0, 0.0)
    latest = (bonus["year"] * 4 + bonus["quarter"]).to_numpy() == (bonus["year"] * 4 + bonus["quarter"]).max()
    status = np.where(latest, pick(ctx, ("draft", "submitted", "approved"), m), "paid")
    promote = (grade == "A") & (rng.random(m) < 0.3)
    staff_bonus = pd.DataFrame({
        "staff_id": bonus["staff_id"].to_numpy(dtype=object),
        "year": bonus["year"].astype("int64").to_numpy(),
        "quarter": bonus["quarter"].astype("int64").to_numpy(),
        "kpi_score": np.round(bonus["kpi_score"].to_numpy(), 1),
        "grade": grade.astype(object),
        "bonus_base": base,
        "bonus_multiple": multiple.astype(float),
        "bonus_adjustment": adjustment,
        "bonus_amount": base * multiple + adjustment,
        "promotion_recommended": np.where(promote, "yes", "no").astype(object),
        "recognition": np.where(grade == "A", "季度績優表揚", None),
        "approval_status": status.astype(object),
    })
    return kpi, staff_bonus


def generate(ctx) -> dict[str, pd.DataFrame]:
    roster = staff(ctx)
    positions = _positions(roster, ctx)
    sessions, attendance = _training(ctx, roster)
    kpi, bonus = _appraisal(ctx, roster)
    return {
        "job_descriptions": positions,
        "recruitment_pipeline": _recruitment(ctx, positions, roster),
        "training_sessions": sessions,
        "training_attendance": attendance,
        "kpi_appraisal": kpi,
        "staff_bonus": bonus,
        "kpi_grade_bands": default_frame("kpi_grade_bands"),
        "forced_distribution": default_frame("forced_distribution"),
    }
