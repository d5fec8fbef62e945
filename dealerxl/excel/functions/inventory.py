"""Inventory UDFs (manual 5.1, 5.3): demand statistics, safety stock, reorder point, EOQ,
order rounding and ABC-XYZ classes, for whole ranges of SKUs at once.

A demand history is one row per SKU and one column per period (monthly unless
``period_days`` says otherwise); blank periods count as zero demand. Per-SKU arguments
(lead time, service level, …) take a column with one cell per SKU or a single value. Results
stop at the last SKU with data (a whole column, A:A, is mostly blank).
"""
from __future__ import annotations

import numpy as np

from dealerxl.calc import demand, intermittent, inventory
from dealerxl.excel.functions.convert import (column, first_items, first_rows, matrix, numbers, one_number, table,
                                              used_rows)
from dealerxl.excel.functions.errors import InputError
from dealerxl.excel.functions.language import code_labels
from dealerxl.excel.functions.registry import udf


def _per_item(values, items: int, name: str, default: float | None = None, rows: int | None = None,
              other: str = "demand_history") -> np.ndarray:
    """A per-SKU argument as one number per SKU: a column of ``items`` cells or one value. A
    whole column is first cut after ``rows`` (the rows with data of all the arguments)."""
    if values is None:
        if default is None:
            raise InputError("msg.udf.blank", argument=name)
        return np.full(items, default)
    x = numbers(first_items(values, items if rows is None else rows), name)
    if x.size == 1:
        if np.isnan(x[0]) and default is None:
            raise InputError("msg.udf.blank", argument=name)
        return np.full(items, default if np.isnan(x[0]) else x[0])
    if x.size != items:
        raise InputError("msg.udf.lengths", argument=name, cells=x.size, other=other, rows=items)
    return x


def _period_days(period_days) -> float:
    return one_number(period_days, "period_days", inventory.MONTH_DAYS)


def _history_statistics(demand_history, columns=demand.STATISTICS, name: str = "demand_history",
                        rows: int | None = None) -> dict[str, np.ndarray]:
    """The named statistics per row of the history (blanks as zero demand), cut after its last
    row with a figure (or after ``rows``); only those statistics are computed."""
    rows = used_rows(blocks=(demand_history,)) if rows is None else rows
    return demand.row_statistics(matrix(first_rows(demand_history, rows), name), columns)


_MEAN_AND_SD = ("mean_demand", "sd_demand")


@udf("demand_history")
def DX_DEMAND_STATS(demand_history, codes=None):
    """Mean, sample standard deviation, CV and share of zero periods per row of history.

    Spills a header row and one row per SKU: periods, mean_demand, sd_demand, cv,
    intermittency.
    """
    return table(_history_statistics(demand_history))


@udf("demand_history")
def DX_DEMAND_CLASS(demand_history, codes=None):
    """Syntetos–Boylan demand class per row and the forecast per period that suits it.

    ADI = periods / periods with demand, CV² of the non-zero demands; smooth, erratic,
    intermittent or lumpy at ADI 1.32 and CV² 0.49 (no_demand without any). The forecast is
    Croston's with the SBA correction, or TSB for lumpy items. Spills adi, cv2, demand_class,
    forecast_method and forecast under a header row; the class and the method in the
    workbook's language.
    """
    history = matrix(first_rows(demand_history, used_rows(blocks=(demand_history,))), "demand_history")
    result = intermittent.intermittent_forecast(history)
    return table({"adi": result["adi"], "cv2": result["cv2"],
                  "demand_class": code_labels(result["demand_class"], "enum.demand_class"),
                  "forecast_method": code_labels(result["method"], "udf_code.method"),
                  "forecast": result["forecast"]})


def _demand_and_lead_times(demand_history, lead_time_days, lead_time_sd_days, *per_item):
    """Mean and SD of demand, lead time and its SD, and each of ``per_item`` (name, values), one
    per SKU: the SKUs up to the last with data in any of them."""
    rows = used_rows(lead_time_days, lead_time_sd_days, *(values for _, values in per_item),
                     blocks=(demand_history,))
    stats = _history_statistics(demand_history, _MEAN_AND_SD, rows=rows)
    d, sd = stats["mean_demand"], stats["sd_demand"]
    n = d.size
    return (d, sd, _per_item(lead_time_days, n, "lead_time_days", rows=rows),
            _per_item(lead_time_sd_days, n, "lead_time_sd_days", 0.0, rows=rows),
            *(_per_item(values, n, name, rows=rows) for name, values in per_item))


@udf("demand_history", "lead_time_days", "service_level", "lead_time_sd_days")
def DX_SAFETY_STOCK(demand_history, lead_time_days, service_level, lead_time_sd_days=None, period_days=None,
                    codes=None):
    """Safety stock per SKU for a cycle service level, with demand and lead-time variability.

    SS = z·sqrt(L·σd² + d²·σL²), lead times in days converted with ``period_days``
    (default 30.4375, a month). Spills mean_demand, sd_demand, lead_time_demand_sd and
    safety_stock per SKU under a header row.
    """
    d, sd, lead, lead_sd, level = _demand_and_lead_times(demand_history, lead_time_days, lead_time_sd_days,
                                                         ("service_level", service_level))
    spread, safety = inventory.safety_stock_and_spread(d, sd, lead, level, lead_sd, _period_days(period_days))
    return table({"mean_demand": d, "sd_demand": sd, "lead_time_demand_sd": spread, "safety_stock": safety})


@udf("demand_history", "lead_time_days", "service_level", "lead_time_sd_days")
def DX_REORDER_POINT(demand_history, lead_time_days, service_level, lead_time_sd_days=None, period_days=None,
                     codes=None):
    """Reorder point per SKU: expected lead-time demand plus safety stock.

    ROP = d·L + z·sqrt(L·σd² + d²·σL²). Spills lead_time_demand, safety_stock and
    reorder_point per SKU under a header row.
    """
    d, sd, lead, lead_sd, level = _demand_and_lead_times(demand_history, lead_time_days, lead_time_sd_days,
                                                         ("service_level", service_level))
    lead_demand, rop = inventory.lead_time_demand_and_reorder_point(d, sd, lead, level, lead_sd,
                                                                    _period_days(period_days))
    return table({"lead_time_demand": lead_demand, "safety_stock": rop - lead_demand, "reorder_point": rop})


@udf("demand_history", "lead_time_days", "fill_rate", "order_quantity", "lead_time_sd_days")
def DX_SAFETY_STOCK_FILL_RATE(demand_history, lead_time_days, fill_rate, order_quantity, lead_time_sd_days=None,
                              period_days=None):
    """Safety stock per SKU for a fill-rate (share of demand served from stock) target.

    Solves G(k) = Q·(1 − β)/σLTD for k; SS = max(k, 0)·σLTD. Spills one column.
    """
    d, sd, lead, lead_sd, rate, quantity = _demand_and_lead_times(
        demand_history, lead_time_days, lead_time_sd_days, ("fill_rate", fill_rate), ("order_quantity", order_quantity))
    return column(inventory.safety_stock_fill_rate(d, sd, lead, rate, quantity, lead_sd, _period_days(period_days)))


@udf("annual_demand", "order_cost", "holding_cost_per_unit_year")
def DX_EOQ(annual_demand, order_cost, holding_cost_per_unit_year):
    """Economic order quantity sqrt(2·D·K/h) per SKU; spills one column (blank inputs → blank)."""
    rows = used_rows(annual_demand, order_cost, holding_cost_per_unit_year)
    demand_per_year = numbers(first_items(annual_demand, rows), "annual_demand")
    n = demand_per_year.size
    return column(inventory.eoq(
        demand_per_year, _per_item(order_cost, n, "order_cost", rows=rows, other="annual_demand"),
        _per_item(holding_cost_per_unit_year, n, "holding_cost_per_unit_year", rows=rows, other="annual_demand")))


@udf("need", "moq", "pack_size")
def DX_ORDER_QTY(need, moq=None, pack_size=None):
    """Quantity to order: the need rounded up to the minimum order quantity and whole packs."""
    rows = used_rows(need, moq, pack_size)
    needed = numbers(first_items(need, rows), "need")
    n = needed.size
    return column(inventory.round_order_quantity(needed, _per_item(moq, n, "moq", 0.0, rows, "need"),
                                                 _per_item(pack_size, n, "pack_size", 1.0, rows, "need")))


@udf("values", "histories")
def DX_ABC_XYZ(values, histories, a_share=0.8, b_share=0.95, x_max_cv=0.5, y_max_cv=1.0, codes=None):
    """ABC class by annual value, XYZ class by the CV of the history, and the nine-box code.

    ``values``: annual value per SKU; ``histories``: one row per SKU, one column per period.
    Spills abc_class, xyz_class, box and cv under a header row.
    """
    rows = used_rows(values, blocks=(histories,))
    value = numbers(first_items(values, rows), "values")
    cv = _history_statistics(histories, ("cv",), "histories", rows)["cv"]
    if cv.size != value.size:
        raise InputError("msg.udf.lengths", argument="values", cells=value.size, other="histories", rows=cv.size)
    result = inventory.abc_xyz_columns(value, cv, one_number(a_share, "a_share", 0.8),
                                       one_number(b_share, "b_share", 0.95), one_number(x_max_cv, "x_max_cv", 0.5),
                                       one_number(y_max_cv, "y_max_cv", 1.0))
    return table({**result, "cv": cv})
