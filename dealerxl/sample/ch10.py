"""Sample data for chapter 10: cross-department requests and tasks, both those other departments
ask of us and those we ask of them."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .ch01 import as_dates, codes, period_end, period_start, person_names, pick, random_days, staff

OTHER_DEPARTMENTS = ("finance", "logistics", "procurement", "production", "quality", "research_development",
                     "human_resources", "it", "legal", "general_management")
OTHER_SHARE = (0.2, 0.18, 0.1, 0.08, 0.1, 0.08, 0.06, 0.08, 0.06, 0.06)
DEPARTMENT_NAME = {"finance": "財務部", "logistics": "物流部", "procurement": "採購部", "production": "生產部",
                   "quality": "品保部", "research_development": "研發部", "human_resources": "人資部", "it": "資訊部",
                   "legal": "法務部", "general_management": "總經理室"}
# What each department and we typically ask of one another.
ASKED_OF = {"finance": "核對經銷商對帳單與應收餘額", "logistics": "安排促銷旺季加開配送車次",
            "procurement": "確認新品進貨交期", "production": "提供下季產能排程", "quality": "分析客訴產品不良原因",
            "research_development": "提供新品規格與培訓資料", "human_resources": "協助招募銷售專員",
            "it": "開通經銷商入口網站帳號", "legal": "審閱經銷合約修訂條款", "general_management": "提交季度渠道策略簡報"}
ASKED_BY = {"finance": "提供月底經銷商返利計提明細", "logistics": "提供下月各區出貨預估",
            "procurement": "提供暢銷料號需求預測", "production": "回報經銷商庫存水位", "quality": "協助追蹤退貨品回收",
            "research_development": "整理經銷商對新品的意見", "human_resources": "提交年度培訓需求",
            "it": "測試 CRM 新版功能", "legal": "提供合約到期清單", "general_management": "提交月度經營分析"}


def generate(ctx) -> dict[str, pd.DataFrame]:
    rng = ctx.rng
    roster = staff(ctx)
    n = int(ctx.size.staff * ctx.size.months * 0.5)
    now = period_end(ctx).normalize()
    other = pick(ctx, OTHER_DEPARTMENTS, n, p=OTHER_SHARE)
    we_ask = rng.random(n) < 0.5
    requesting = np.where(we_ask, "dealer_management", other).astype(object)
    department = np.where(we_ask, other, "dealer_management").astype(object)
    title = np.where(we_ask, pd.Series(other).map(ASKED_OF), pd.Series(other).map(ASKED_BY)).astype(object)
    requested = random_days(ctx, n, period_start(ctx), now)
    requested = pd.DatetimeIndex(np.sort(requested.to_numpy()))
    due = requested + pd.to_timedelta(rng.integers(3, 46, n), unit="D")
    # Most tasks finish around their due date; some run late; recent ones are still open.
    finish = due + pd.to_timedelta(np.round(rng.normal(-2, 6, n)).astype(int), unit="D")
    finish = pd.DatetimeIndex(np.maximum(finish.to_numpy(), requested.to_numpy()))
    done = finish <= now
    cancelled = rng.random(n) < 0.03
    elapsed = np.clip((now - requested).days.to_numpy() / np.maximum((finish - requested).days.to_numpy(), 1), 0, 1)
    progress = np.where(done, 1.0, np.round(elapsed * rng.uniform(0.5, 1.0, n), 1))
    status = np.where(cancelled, "cancelled", np.where(done, "done",
                      np.where(progress > 0, "in_progress", "not_started"))).astype(object)
    last_update = np.where(done, finish.to_numpy(),
                           (requested + pd.to_timedelta(((now - requested).days.to_numpy() * rng.random(n)).astype(int),
                                                        unit="D")).to_numpy())
    active_staff = roster.loc[roster["status"] != "left", "staff_id"].to_numpy()
    our_people = pick(ctx, active_staff, n)
    their_people = (pd.Series(other).map(DEPARTMENT_NAME) + " " + pd.Series(person_names(ctx, n))).to_numpy(dtype=object)
    note = np.where(done & ~cancelled, "已完成並回覆需求部門",
                    np.where(cancelled, "需求方撤回", np.where(progress > 0, "進行中，依計劃推進", None)))
    return {
        "task_tracker": pd.DataFrame({
            "task_id": codes("TS", n, 5),
            "title": title,
            "requesting_department": requesting,
            "requested_by": np.where(we_ask, pick(ctx, active_staff, n), their_people),
            "requested_date": as_dates(requested),
            "department": department,
            "owner": np.where(we_ask, their_people, our_people),
            "priority": pick(ctx, ("low", "medium", "high", "critical"), n, p=(0.3, 0.45, 0.2, 0.05)),
            "due_date": as_dates(due),
            "status": status,
            "progress": np.where(cancelled, np.nan, progress),
            "done_date": as_dates(finish.where(done & ~cancelled)),
            "last_updated": as_dates(last_update),
            "update_note": note,
        }),
    }
