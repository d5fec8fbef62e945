"""Sample data for chapter 7: customers, after-sales tickets, complaints and satisfaction surveys.

Each dealer has its own service quality (a hidden score) that drives complaint frequency,
response speed and survey scores together, and its own survey volume, so some dealers have
too few responses for a reliable CSAT/NPS, as in real life.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from dealerxl.sample.settings import default_frame

from .ch01 import (SURNAMES, as_dates, next_staffed, codes, dealers, office_times, period_end,
                   period_start, person_names, phone_numbers, pick, random_days, skus, team_members)

SEVERITIES = np.array(["low", "medium", "high", "critical"], dtype=object)
SEVERITY_SHARE = (0.4, 0.35, 0.2, 0.05)
# Typical hours to first response and to resolution by severity (medians; log-normal spread).
FIRST_RESPONSE_HOURS = np.array([10.0, 6.0, 3.0, 1.0])
RESOLUTION_HOURS = np.array([90.0, 60.0, 36.0, 16.0])
CAUSE_TEXT = {
    "product_quality": "產品使用不久即故障，要求更換",
    "delivery": "到貨時間比承諾晚一週，且外箱破損",
    "service_attitude": "門市人員態度不佳，未說明保固條件",
    "billing": "發票金額與報價不符",
    "after_sales": "維修人員未依約到府，須重複預約",
    "stock_availability": "門市長期缺貨，無法購買指定型號",
    "other": "其他意見反映",
}
CAUSE_ACTION = {
    "product_quality": "更換新品並送品保分析",
    "delivery": "致歉並調整物流商配送排程",
    "service_attitude": "經銷商門市人員再培訓",
    "billing": "開立更正發票並退差額",
    "after_sales": "重新派工並追蹤完修",
    "stock_availability": "調撥鄰近經銷商庫存",
    "other": "回覆說明並記錄改善建議",
}
COMMENTS = np.array(["服務很專業", "維修速度快", "價格合理", "等待時間太長", "希望增加門市據點",
                     "產品品質穩定", "說明不夠清楚", "會推薦給朋友"], dtype=object)


def _dealer_quality(ctx, dealer_list: pd.DataFrame) -> np.ndarray:
    """A hidden service quality per dealer, centred on 0 (better > 0)."""
    return ctx.rng.normal(0, 1, len(dealer_list))


def _customers(ctx, dealer_list: pd.DataFrame) -> pd.DataFrame:
    rng = ctx.rng
    per_dealer = rng.poisson(20, len(dealer_list)) + 3
    dealer_index = np.repeat(np.arange(len(dealer_list)), per_dealer)
    n = len(dealer_index)
    business = rng.random(n) < 0.2
    company = (pd.Series(pick(ctx, SURNAMES, n)) + pd.Series(pick(ctx, ("興", "昌", "福", "泰", "豐"), n))
               + pd.Series(pick(ctx, ("企業有限公司", "商行", "工程行", "實業股份有限公司"), n)))
    name = np.where(business, company.to_numpy(dtype=object), person_names(ctx, n))
    end = period_end(ctx).normalize()
    first = random_days(ctx, n, end - pd.DateOffset(years=5), end)
    gap = ((end - first).days.to_numpy() * rng.random(n)).astype(int)
    last = first + pd.to_timedelta(gap, unit="D")
    ids = codes("CU", n, 6)
    has_email = rng.random(n) < 0.7
    return pd.DataFrame({
        "customer_id": ids,
        "customer_name": name,
        "customer_type": np.where(business, "business", "consumer").astype(object),
        "dealer_id": dealer_list["dealer_id"].to_numpy(dtype=object)[dealer_index],
        "region": dealer_list["region"].to_numpy(dtype=object)[dealer_index],
        "phone": phone_numbers(ctx, n),
        "email": np.where(has_email, pd.Series(ids).str.lower() + "@mail.example.com", None),
        "first_purchase_date": as_dates(first),
        "last_contact_date": as_dates(last),
        "contact_channel": pick(ctx, ("phone", "email", "messaging", "web", "visit", "social_media", "dealer"), n,
                                p=(0.3, 0.1, 0.2, 0.1, 0.15, 0.05, 0.1)),
        "marketing_consent": np.where(rng.random(n) < 0.6, "yes", "no").astype(object),
        "note": np.where(business & (rng.random(n) < 0.3), "年度採購合約客戶", None),
    })


def _customer_of(ctx, customers: pd.DataFrame, dealer_ids: np.ndarray) -> np.ndarray:
    """A random customer of each given dealer (customers are stored dealer by dealer)."""
    blocks = customers.groupby("dealer_id", sort=False).size()
    starts = (blocks.cumsum() - blocks).reindex(dealer_ids).to_numpy()
    sizes = blocks.reindex(dealer_ids).to_numpy()
    found = ~np.isnan(starts)
    index = np.where(found, np.nan_to_num(starts) + np.floor(ctx.rng.random(len(dealer_ids)) * np.nan_to_num(sizes)), 0)
    return np.where(found, customers["customer_id"].to_numpy(dtype=object)[index.astype(int)], None)


def _case_times(ctx, severity_index: np.ndarray, quality: np.ndarray, opened: pd.DatetimeIndex):
    """First-response and resolution times of cases; blank when not yet reached by the sample's end."""
    rng = ctx.rng
    n = len(opened)
    slowness = np.exp(-0.25 * quality)
    respond = FIRST_RESPONSE_HOURS[severity_index] * slowness * rng.lognormal(0, 0.6, n)
    resolve = respond + RESOLUTION_HOURS[severity_index] * slowness * rng.lognormal(0, 0.6, n)
    first = next_staffed(opened + pd.to_timedelta(np.round(respond * 60), unit="min"))
    resolved = next_staffed(opened + pd.to_timedelta(np.round(resolve * 60), unit="min"))
    now = period_end(ctx)
    first = first.where(first <= now)
    resolved = resolved.where(resolved <= now)
    open_status = pick(ctx, ("open", "in_progress", "waiting_customer"), n, p=(0.3, 0.5, 0.2))
    status = np.where(resolved.notna(), np.where(rng.random(n) < 0.7, "closed", "resolved"),
                      np.where(first.notna(), open_status, "open"))
    return first, resolved, status.astype(object)


def _tickets(ctx, dealer_list, quality, customers, items) -> pd.DataFrame:
    rng = ctx.rng
    n = int(len(dealer_list) * ctx.size.months * 0.4)
    dealer_index = rng.integers(0, len(dealer_list), n)
    dealer_ids = dealer_list["dealer_id"].to_numpy(dtype=object)[dealer_index]
    opened = office_times(ctx, n, period_start(ctx), period_end(ctx))
    opened = pd.DatetimeIndex(np.sort(opened.to_numpy()))
    severity_index = rng.choice(4, size=n, p=SEVERITY_SHARE)
    first, resolved, status = _case_times(ctx, severity_index, quality[dealer_index], opened)
    kind = pick(ctx, ("repair", "installation", "maintenance", "return", "spare_parts", "inquiry"), n,
                p=(0.35, 0.15, 0.2, 0.08, 0.1, 0.12))
    warranty = rng.random(n) < 0.6
    cost = np.where(np.isin(kind, ("repair", "spare_parts", "installation")),
                    np.round(rng.lognormal(np.log(1500), 0.6, n), 0), 0.0)
    return pd.DataFrame({
        "ticket_id": codes("TK", n, 7),
        "dealer_id": dealer_ids,
        "customer_id": _customer_of(ctx, customers, dealer_ids),
        "sku": pick(ctx, items["sku"].to_numpy(), n),
        "ticket_type": kind,
        "severity": SEVERITIES[severity_index],
        "opened_at": as_dates(opened),
        "first_response_at": as_dates(first),
        "resolved_at": as_dates(resolved),
        "case_status": status,
        "owner": pick(ctx, team_members(ctx, "customer_service"), n),
        "under_warranty": np.where(warranty, "yes", "no").astype(object),
        "service_cost": cost,
    })


def _complaints(ctx, dealer_list, quality, customers, items) -> pd.DataFrame:
    rng = ctx.rng
    # Complaints per dealer and month: about 0.12 on average, several times more at poor dealers.
    rate = 0.12 * np.exp(-0.6 * quality) * rng.gamma(2.0, 0.5, len(dealer_list))
    per_dealer = rng.poisson(rate * ctx.size.months)
    dealer_index = np.repeat(np.arange(len(dealer_list)), per_dealer)
    n = len(dealer_index)
    dealer_ids = dealer_list["dealer_id"].to_numpy(dtype=object)[dealer_index]
    # Customers complain at any hour of any day, not only in office hours.
    received = random_days(ctx, n, period_start(ctx), period_end(ctx)) + pd.to_timedelta(
        rng.integers(7 * 60, 22 * 60, n), unit="min")
    order = np.argsort(received.to_numpy(), kind="stable")
    received, dealer_index, dealer_ids = received[order], dealer_index[order], dealer_ids[order]
    severity_index = rng.choice(4, size=n, p=(0.3, 0.4, 0.22, 0.08))
    first, resolved, status = _case_times(ctx, severity_index, quality[dealer_index], received)
    cause = pick(ctx, list(CAUSE_TEXT), n, p=(0.25, 0.18, 0.14, 0.1, 0.15, 0.1, 0.08))
    has_customer = rng.random(n) < 0.8
    compensation = np.where(resolved.notna() & (severity_index >= 2) & (rng.random(n) < 0.4),
                            np.round(rng.lognormal(np.log(2000), 0.7, n), -1), np.nan)
    return pd.DataFrame({
        "complaint_id": codes("CP", n, 6),
        "dealer_id": dealer_ids,
        "customer_id": np.where(has_customer, _customer_of(ctx, customers, dealer_ids), None),
        "received_at": as_dates(received),
        "contact_channel": pick(ctx, ("phone", "email", "messaging", "web", "visit", "social_media", "dealer"), n,
                                p=(0.35, 0.15, 0.15, 0.1, 0.05, 0.05, 0.15)),
        "severity": SEVERITIES[severity_index],
        "complaint_cause": cause,
        "sku": np.where(np.isin(cause, ("product_quality", "after_sales", "stock_availability")),
                        pick(ctx, items["sku"].to_numpy(), n), None),
        "description": pd.Series(cause).map(CAUSE_TEXT).to_numpy(dtype=object),
        "owner": pick(ctx, team_members(ctx, "customer_service"), n),
        "first_response_at": as_dates(first),
        "resolved_at": as_dates(resolved),
        "case_status": status,
        "corrective_action": np.where(resolved.notna(), pd.Series(cause).map(CAUSE_ACTION).to_numpy(dtype=object), None),
        "compensation": compensation,
    })


def _surveys(ctx, dealer_list, quality, customers) -> pd.DataFrame:
    rng = ctx.rng
    # Responses per dealer and month vary widely: many dealers return only a handful.
    rate = rng.gamma(0.8, 1.5, len(dealer_list))
    per_dealer = rng.poisson(rate * ctx.size.months)
    dealer_index = np.repeat(np.arange(len(dealer_list)), per_dealer)
    n = len(dealer_index)
    dealer_ids = dealer_list["dealer_id"].to_numpy(dtype=object)[dealer_index]
    date = random_days(ctx, n, period_start(ctx), period_end(ctx))
    order = np.argsort(date.to_numpy(), kind="stable")
    date, dealer_index, dealer_ids = date[order], dealer_index[order], dealer_ids[order]
    mood = quality[dealer_index] * 0.5 + rng.normal(0, 1, n)
    csat = np.clip(np.round(4.0 + 0.8 * mood), 1, 5).astype("int64")
    nps = np.clip(np.round(7.5 + 1.6 * mood + rng.normal(0, 0.8, n)), 0, 10)
    nps = pd.array(np.where(rng.random(n) < 0.05, np.nan, nps), dtype="Int64")
    with_customer = rng.random(n) < 0.7
    with_comment = rng.random(n) < 0.25
    return pd.DataFrame({
        "response_id": codes("SV", n, 7),
        "dealer_id": dealer_ids,
        "survey_date": as_dates(date),
        "survey_type": pick(ctx, ("post_purchase", "post_service", "periodic"), n, p=(0.45, 0.4, 0.15)),
        "customer_id": np.where(with_customer, _customer_of(ctx, customers, dealer_ids), None),
        "csat_score": csat,
        "nps_score": nps,
        "comment": np.where(with_comment, pick(ctx, COMMENTS, n), None),
    })


def generate(ctx) -> dict[str, pd.DataFrame]:
    dealer_list = dealers(ctx)
    items = skus(ctx)
    quality = _dealer_quality(ctx, dealer_list)
    customers = _customers(ctx, dealer_list)
    return {
        "customer_contacts": customers,
        "service_tickets": _tickets(ctx, dealer_list, quality, customers, items),
        "complaint_log": _complaints(ctx, dealer_list, quality, customers, items),
        "survey_responses": _surveys(ctx, dealer_list, quality, customers),
        "sla_hours": default_frame("sla_hours"),
    }
