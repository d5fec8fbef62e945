"""Inventory UDFs (manual 5.1, 5.3): demand statistics, safety stock, reorder point, EOQ,
order rounding and ABC-XYZ classes, for whole ranges of SKUs at once.

A demand history is one row per SKU and one column per period (monthly unless
``period_days`` says otherwise); blank periods count as zero demand. Per-SKU arguments
(lead time, service level, …) take a column with one cell per SKU or a single value.
"""
from __future__ import annotations

import numpy as np

from dealerxl.calc import CalcError, demand, intermittent, inventory
from dealerxl.excel.functions.convert import column, matrix, numbers, scalar, table
from dealerxl.excel.functions.registry import udf


def _per_item(values, items: int, name: str, default: float | None = None) -> np.ndarray:
    """A per-SKU argument as one number per SKU: a column of ``items`` cells or one value."""
    if values is None:
        if default is None:
            raise CalcError("msg.calc.inventory.required", name=name)
        return np.full(items, default)
    x = numbers(values)
    if x.size == 1:
        return np.full(items, default if (np.isnan(x[0]) and default is not None) else x[0])
    if x.size != items:
        raise CalcError("msg.calc.inventory.has_cells_but_history", name=name, size=x.size, items=items)
    return x


def _period_days(period_days) -> float:
    return float(scalar(period_days, inventory.MONTH_DAYS))


def _history_statistics(demand_history, columns=demand.STATISTICS) -> dict[str, np.ndarray]:
    """The named statistics per row of the history (blanks as zero demand); only those are computed."""
    return demand.row_statistics(matrix(demand_history), columns)


_MEAN_AND_SD = ("mean_demand", "sd_demand")


@udf("demand_history")
def DX_DEMAND_STATS(demand_history):
    """Mean, sample standard deviation, CV and share of zero periods per row of history.

    Spills a header row and one row per SKU: periods, mean_demand, sd_demand, cv,
    intermittency.
    """
    return table(_history_statistics(demand_history))


@udf("demand_history")
def DX_DEMAND_CLASS(demand_history):
    """Syntetos–Boylan demand class per row and the forecast per period that suits it.

    ADI = periods / periods with demand, CV² of the non-zero demands; smooth, erratic,
    intermittent or lumpy at ADI 1.32 and CV² 0.49 (no_demand without any). The forecast is
    Croston's with the SBA correction, or TSB for lumpy items. Spills adi, cv2, demand_class,
    forecast_method and forecast under a header row.
    """
    result = intermittent.intermittent_forecast(matrix(demand_history))
    return table({"adi": result["adi"], "cv2": result["cv2"], "demand_class": result["demand_class"],
                  "forecast_method": result["method"], "forecast": result["forecast"]})


@udf("demand_history", "lead_time_days", "service_level", "lead_time_sd_days")
def DX_SAFETY_STOCK(demand_history, lead_time_days, service_level, lead_time_sd_days=None, period_days=None):
    """Safety stock per SKU for a cycle service level, with demand and lead-time variability.

    SS = z·sqrt(L·σd² + d²·σL²), lead times in days converted with ``period_days``
    (default 30.4375, a month). Spills mean_demand, sd_demand, lead_time_demand_sd and
    safety_stock per SKU under a header row.
    """
    stats = _history_statistics(demand_history, _MEAN_AND_SD)
    d, sd = stats["mean_demand"], stats["sd_demand"]
    n = d.size
    lead = _per_item(lead_time_days, n, "lead_time_days")
    lead_sd = _per_item(lead_time_sd_days, n, "lead_time_sd_days", 0.0)
    level = _per_item(service_level, n, "service_level")
    days = _period_days(period_days)
    spread, safety = inventory.safety_stock_and_spread(d, sd, lead, level, lead_sd, days)
    return table({"mean_demand": d, "sd_demand": sd, "lead_time_demand_sd": spread, "safety_stock": safety})


@udf("demand_history", "lead_time_days", "service_level", "lead_time_sd_days")
def DX_REORDER_POINT(demand_history, lead_time_days, service_level, lead_time_sd_days=None, period_days=None):
    """Reorder point per SKU: expected lead-time demand plus safety stock.

    ROP = d·L + z·sqrt(L·σd² + d²·σL²). Spills lead_time_demand, safety_stock and
    reorder_point per SKU under a header row.
    """
    stats = _history_statistics(demand_history, _MEAN_AND_SD)
    d, sd = stats["mean_demand"], stats["sd_demand"]
    n = d.size
    lead = _per_item(lead_time_days, n, "lead_time_days")
    lead_sd = _per_item(lead_time_sd_days, n, "lead_time_sd_days", 0.0)
    level = _per_item(service_level, n, "service_level")
    days = _period_days(period_days)
    lead_demand, rop = inventory.lead_time_demand_and_reorder_point(d, sd, lead, level, lead_sd, days)
    return table({"lead_time_demand": lead_demand, "safety_stock": rop - lead_demand, "reorder_point": rop})


@udf("demand_history", "lead_time_days", "fill_rate", "order_quantity", "lead_time_sd_days")
def DX_SAFETY_STOCK_FILL_RATE(demand_history, lead_time_days, fill_rate, order_quantity, lead_time_sd_days=None,
                              period_days=None):
    """Safety stock per SKU for a fill-rate (share of demand served from stock) target.

    Solves G(k) = Q·(1 − β)/σLTD for k; SS = max(k, 0)·σLTD. Spills one column.
    """
    stats = _history_statistics(demand_history, _MEAN_AND_SD)
    d, sd = stats["mean_demand"], stats["sd_demand"]
    n = d.size
    return column(inventory.safety_stock_fill_rate(
        d, sd, _per_item(lead_time_days, n, "lead_time_days"), _per_item(fill_rate, n, "fill_rate"),
        _per_item(order_quantity, n, "order_quantity"), _per_item(lead_time_sd_days, n, "lead_time_sd_days", 0.0),
        _period_days(period_days)))


@udf("annual_demand", "order_cost", "holding_cost_per_unit_year")
def DX_EOQ(annual_demand, order_cost, holding_cost_per_unit_year):
    """Economic order quantity sqrt(2·D·K/h) per SKU; spills one column (blank inputs → blank)."""
    demand_per_year = numbers(annual_demand)
    n = demand_per_year.size
    return column(inventory.eoq(demand_per_year, _per_item(order_cost, n, "order_cost"),
                                _per_item(holding_cost_per_unit_year, n, "holding_cost_per_unit_year")))


@udf("need", "moq", "pack_size")
def DX_ORDER_QTY(need, moq=None, pack_size=None):
    """Quantity to order: the need rounded up to the minimum order quantity and whole packs."""
    needed = numbers(need)
    n = needed.size
    return column(inventory.round_order_quantity(needed, _per_item(moq, n, "moq", 0.0),
                                                 _per_item(pack_size, n, "pack_size", 1.0)))


@udf("values", "histories")
def DX_ABC_XYZ(values, histories, a_share=0.8, b_share=0.95, x_max_cv=0.5, y_max_cv=1.0):
    """ABC class by annual value, XYZ class by the CV of the history, and the nine-box code.

    ``values``: annual value per SKU; ``histories``: one row per SKU, one column per period.
    Spills abc_class, xyz_class, box and cv under a header row.
    """
    value = numbers(values)
    cv = _history_statistics(histories, ("cv",))["cv"]
    if cv.size != value.size:
        raise CalcError("msg.calc.inventory.values_has_cells_but", size=value.size, size2=cv.size)
    result = inventory.abc_xyz_columns(value, cv, float(scalar(a_share, 0.8)), float(scalar(b_share, 0.95)),
                                       float(scalar(x_max_cv, 0.5)), float(scalar(y_max_cv, 1.0)))
    return table({**result, "cv": cv})
