"""Sample data for chapter 9: process improvements, IT support requests and a history of job runs
in the audit log (the monthly jobs run in the first working days after each month end)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl import __version__

from .ch01 import (STEP_TEAM, as_dates, next_staffed, codes, month_starts, office_times, period_end, period_start, pick,
                   random_days, staff)

IMPROVEMENTS = {
    "market_research": ("市場調研資料來源整合", "各區調研格式不一，彙整費時", "統一調研表單並自動彙總"),
    "channel_strategy": ("渠道政策版本管理", "政策條款散落在郵件中", "建立政策條款登記表"),
    "dealer_recruitment": ("招商評估表線上化", "紙本評估表重複填寫", "評估表改為共用範本並自動計分"),
    "sales_plan": ("目標拆解自動化", "月目標以手工分配易出錯", "以歷史占比自動分配並保留總數"),
    "stock_control": ("補貨建議每週自動產出", "補貨靠經驗判斷，缺貨頻繁", "依安全庫存與再訂購點自動建議"),
    "promotion": ("促銷核銷流程簡化", "核銷單據往返多次", "經銷商以範本提交並線上核准"),
    "customer_service": ("客訴分級與 SLA 提醒", "高嚴重度客訴回覆延誤", "依嚴重度自動計時並提醒"),
}
IT_TEXT = {
    "crm": "CRM 客戶資料無法同步", "erp": "ERP 訂單查詢逾時", "dealer_portal": "經銷商入口網站帳號無法登入",
    "bi_tools": "報表儀表板數據未更新", "dealer_workbook": "活頁簿功能區按鈕無反應",
    "office_email": "郵件信箱容量已滿", "hardware": "筆電螢幕故障", "network": "VPN 連線不穩", "other": "其他需求",
}
# Typical resolution hours by priority (low, medium, high, critical).
IT_HOURS = np.array([40.0, 16.0, 6.0, 2.0])
# The jobs that run each month, with their command-line arguments and outputs ({m} = YYYY-MM).
MONTHLY_JOBS = [
    ("check", "DealerWorkbook.xlsm", ""),
    ("collect", "inbox/{m}", "DealerWorkbook.sqlite"),
    ("targets", "DealerWorkbook.xlsm --year {y}", "DealerWorkbook.xlsm"),
    ("replenishment", "DealerWorkbook.xlsm --month {m}", "DealerWorkbook.xlsm"),
    ("incentives", "DealerWorkbook.xlsm --month {m}", "reports/incentives_{m}.xlsx"),
    ("risk", "DealerWorkbook.xlsm --month {m}", "DealerWorkbook.xlsm"),
    ("report", "DealerWorkbook.xlsm --month {m}", "reports/月報_{m}.xlsx"),
]


def _improvements(ctx, roster: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng
    n = 10 + ctx.size.months
    now = period_end(ctx).normalize()
    step = pick(ctx, list(IMPROVEMENTS), n)
    proposed = random_days(ctx, n, period_start(ctx), now)
    due = proposed + pd.to_timedelta(rng.integers(30, 121, n), unit="D")
    age = (now - proposed).days.to_numpy()
    status = np.where(age > 150, pick(ctx, ("implemented", "rejected"), n, p=(0.8, 0.2)),
                      pick(ctx, ("proposed", "approved", "in_progress", "implemented"), n, p=(0.2, 0.25, 0.35, 0.2)))
    implemented = proposed + pd.to_timedelta(np.minimum(rng.integers(20, 150, n), np.maximum(age, 0)), unit="D")
    done = status == "implemented"
    expected = rng.integers(2, 41, n).astype(float)
    active = roster.loc[roster["status"] != "left", "staff_id"].to_numpy()
    team = pd.Series(step).map(STEP_TEAM).to_numpy(dtype=object)
    text = pd.Series(step).map(IMPROVEMENTS)
    return pd.DataFrame({
        "improvement_id": codes("PI", n, 4),
        "title": text.str[0].to_numpy(dtype=object),
        "step": step,
        "team": team,
        "proposed_by": pick(ctx, active, n),
        "proposed_date": as_dates(proposed),
        "problem": text.str[1].to_numpy(dtype=object),
        "proposal": text.str[2].to_numpy(dtype=object),
        "owner": pick(ctx, active, n),
        "due_date": as_dates(due),
        "improvement_status": status.astype(object),
        "implemented_date": as_dates(implemented.where(done)),
        "expected_hours_saved": expected,
        "actual_hours_saved": np.where(done, np.round(expected * rng.uniform(0.5, 1.3, n)), np.nan),
    })


def _it_requests(ctx, roster: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng
    n = int(ctx.size.staff * ctx.size.months * 0.3)
    opened = office_times(ctx, n, period_start(ctx), period_end(ctx))
    opened = pd.DatetimeIndex(np.sort(opened.to_numpy()))
    priority_index = rng.choice(4, size=n, p=(0.3, 0.45, 0.2, 0.05))
    hours = IT_HOURS[priority_index] * rng.lognormal(0, 0.7, n)
    resolved = next_staffed(opened + pd.to_timedelta(np.round(hours * 60), unit="min"))
    resolved = resolved.where(resolved <= period_end(ctx))
    system = pick(ctx, list(IT_TEXT), n, p=(0.15, 0.15, 0.1, 0.1, 0.1, 0.12, 0.1, 0.1, 0.08))
    kind = np.where(np.isin(system, ("hardware", "network")), "incident",
                    pick(ctx, ("incident", "service_request", "access", "change"), n, p=(0.4, 0.3, 0.2, 0.1)))
    who = rng.integers(0, len(roster), n)
    status = np.where(resolved.notna(), np.where(rng.random(n) < 0.8, "closed", "resolved"),
                      pick(ctx, ("open", "in_progress", "waiting_customer"), n, p=(0.3, 0.6, 0.1)))
    return pd.DataFrame({
        "request_id": codes("IT", n, 5),
        "requested_by": roster["staff_id"].to_numpy(dtype=object)[who],
        "team": roster["team"].to_numpy(dtype=object)[who],
        "it_system": system,
        "it_request_type": kind.astype(object),
        "priority": np.array(["low", "medium", "high", "critical"], dtype=object)[priority_index],
        "description": pd.Series(system).map(IT_TEXT).to_numpy(dtype=object),
        "opened_at": as_dates(opened),
        "resolved_at": as_dates(resolved),
        "assignee": pick(ctx, ("資訊部 陳工程師", "資訊部 林工程師", "資訊部 王工程師"), n),
        "case_status": status.astype(object),
        "resolution": np.where(resolved.notna(), "已處理並與提出人確認", None),
    })


def _audit_log(ctx, roster: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng
    # Month m's jobs run on the first working days of month m + 1, so the last month has none yet.
    closed_months = month_starts(ctx)[:-1]
    job = np.tile(np.array([j[0] for j in MONTHLY_JOBS], dtype=object), len(closed_months))
    month = np.repeat(closed_months.to_numpy(), len(MONTHLY_JOBS))
    n = len(job)
    month_index = pd.DatetimeIndex(month)
    step = np.tile(np.arange(len(MONTHLY_JOBS)), len(closed_months))
    run_day = month_index + pd.DateOffset(months=1) + pd.to_timedelta(step // 3, unit="D")
    weekday = run_day.day_of_week.to_numpy()
    run_day = run_day + pd.to_timedelta(np.where(weekday >= 5, 7 - weekday, 0), unit="D")
    started = run_day + pd.to_timedelta(9 * 3600 + step * 1800 + rng.integers(0, 1500, n), unit="s")
    seconds = np.round(rng.lognormal(np.log(40), 0.8, n), 1)
    finished = started + pd.to_timedelta(seconds, unit="s")
    result = pick(ctx, ("success", "warnings", "failed"), n, p=(0.85, 0.11, 0.04))
    scheduled = np.isin(job, ("collect", "check")) & (rng.random(n) < 0.7)
    trigger = np.where(scheduled, "scheduled", pick(ctx, ("ribbon", "command_line"), n, p=(0.8, 0.2)))
    users = roster.loc[roster["team"].isin(["sales", "inventory"]) & (roster["status"] != "left"), "staff_id"]
    user = np.where(scheduled, "svc-dealerxl", pick(ctx, users.str.lower().to_numpy(), n))
    y = pd.Series((month_index + pd.DateOffset(months=1)).year.astype(str))
    m = pd.Series(month_index.strftime("%Y-%m"))
    template_args = pd.Series(np.tile([j[1] for j in MONTHLY_JOBS], len(closed_months)))
    template_out = pd.Series(np.tile([j[2] for j in MONTHLY_JOBS], len(closed_months)))
    arguments = _substitute(_substitute(template_args, "{m}", m), "{y}", y)
    outputs = _substitute(template_out, "{m}", m)
    # A SHA-256 digest is 64 hex digits: four random 64-bit blocks.
    blocks = rng.integers(0, 2**63, (4, n), dtype=np.int64)
    checksum = pd.Series(np.char.mod("%016x", blocks[0]))
    for block in blocks[1:]:
        checksum = checksum + pd.Series(np.char.mod("%016x", block))
    warnings = np.where(result == "warnings", rng.integers(1, 6, n), 0)
    rows = np.where(result == "failed", 0, np.where(job == "check", 0, rng.integers(20, 5000, n)))
    message = np.where(result == "warnings", "部分經銷商資料缺漏，已列入資料品質頁",
                       np.where(result == "failed", "輸入表格驗證失敗，未寫入任何資料", None))
    return pd.DataFrame({
        "run_id": (pd.Series(started.strftime("%Y%m%d-%H%M%S")) + "-" + pd.Series(codes("", n, 4))).to_numpy(dtype=object),
        "started_at": as_dates(started.floor("s")),
        "finished_at": as_dates(finished.floor("s")),
        "user": user.astype(object),
        "host": np.where(scheduled, "DM-SERVER", pick(ctx, ("DM-PC-01", "DM-PC-02", "DM-PC-03", "DM-NB-07"), n)),
        "job": job,
        "run_trigger": trigger.astype(object),
        "arguments": arguments.to_numpy(dtype=object),
        "input_checksums": ("DealerWorkbook.xlsm=sha256:" + checksum).to_numpy(dtype=object),
        "outputs": np.where(result == "failed", None, outputs.replace("", None).to_numpy(dtype=object)),
        "rows_changed": rows.astype("int64"),
        "warning_count": warnings.astype("int64"),
        "warnings": message,
        "run_result": result,
        "app_version": __version__,
    })


def _substitute(templates: pd.Series, marker: str, values: pd.Series) -> pd.Series:
    """Replaces ``marker`` in each template with the same row's value (at most once per row)."""
    head = templates.str.partition(marker)
    has = head[1] == marker
    return (head[0] + values.where(has, "") + head[2]).reset_index(drop=True)


def generate(ctx) -> dict[str, pd.DataFrame]:
    roster = staff(ctx)
    return {
        "process_improvements": _improvements(ctx, roster),
        "it_requests": _it_requests(ctx, roster),
        "audit_log": _audit_log(ctx, roster),
    }
