"""The inventory UDFs take whole ranges (blanks as None) and spill readable 2-D results."""
from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from dealerxl.calc import CalcError
from dealerxl.excel.functions import (UDFS, DX_ABC_XYZ, DX_DEMAND_CLASS, DX_DEMAND_STATS, DX_EOQ, DX_ORDER_QTY,
                                      DX_REORDER_POINT, DX_SAFETY_STOCK, DX_SAFETY_STOCK_FILL_RATE)
from dealerxl.excel.functions.inventory import DX_DEMAND_CLASS as demand_class_as_written
from dealerxl.i18n import LANGS, tr
from udf_cells import excel_cells


def rng(*rows):
    return np.array(rows, dtype=object)


HISTORY = rng([10, 20, 30, None], [None, None, None, None], [5, 5, 5, 5])


def test_inventory_functions_are_registered_with_help_in_every_language():
    for name in ("DX_SAFETY_STOCK", "DX_REORDER_POINT", "DX_EOQ", "DX_ABC_XYZ", "DX_DEMAND_STATS",
                 "DX_ORDER_QTY", "DX_SAFETY_STOCK_FILL_RATE", "DX_DEMAND_CLASS"):
        info = UDFS[name]
        for lang in LANGS:
            assert tr(f"udf.{name}", lang)
            assert all(tr(f"udf.{name}.{arg}", lang) for arg in info.args)
    assert UDFS["DX_SAFETY_STOCK"].optional == ("lead_time_sd_days", "period_days", "codes")


def test_safety_stock_spills_a_header_and_one_row_per_sku_with_blanks_as_zero_demand():
    result = excel_cells(DX_SAFETY_STOCK(HISTORY, rng([30.4375]), rng([0.95])))
    assert result[0] == ["mean_demand", "sd_demand", "lead_time_demand_sd", "safety_stock"]
    assert len(result) == 4
    # Row 1: 10, 20, 30, 0 → σd = 12.91 a month, lead time one month.
    assert result[1][3] == pytest.approx(norm.ppf(0.95) * np.std([10, 20, 30, 0], ddof=1))
    assert result[2][:2] == [0.0, 0.0]  # no demand in any period
    assert result[3][3] == 0.0  # steady demand, fixed lead time: no safety stock


def test_safety_stock_takes_a_column_of_lead_times_with_a_blank_one():
    result = excel_cells(DX_SAFETY_STOCK(HISTORY, rng([30.4375], [10], [None]), 0.95, rng([15.22], [0], [0])))
    assert result[1][3] > 0 and result[3][3] is None


def test_weekly_period_days_change_the_unit_conversion():
    monthly = excel_cells(DX_SAFETY_STOCK(HISTORY[:1], 14, 0.95))[1][3]
    weekly = excel_cells(DX_SAFETY_STOCK(HISTORY[:1], 14, 0.95, None, 7))[1][3]
    assert weekly == pytest.approx(monthly * np.sqrt(30.4375 / 7))


def test_reorder_point_adds_lead_time_demand():
    result = excel_cells(DX_REORDER_POINT(HISTORY[[0, 2]], 2 * 30.4375, 0.95, 0.5 * 30.4375))
    assert result[0] == ["lead_time_demand", "safety_stock", "reorder_point"]
    assert result[2] == pytest.approx([10.0, norm.ppf(0.95) * 5 * 0.5, 10 + norm.ppf(0.95) * 2.5])


def test_lead_time_column_of_the_wrong_length_is_refused():
    assert excel_cells(DX_SAFETY_STOCK(HISTORY, rng([10], [20]), 0.95)) == [
        ["#VALUE! lead_time_days has 2 cells but demand_history has 3 rows; they must match row by row"]]


def test_eoq_spills_a_column_and_leaves_blank_inputs_blank():
    assert excel_cells(DX_EOQ(rng([None], [3120]), 12, 0.005)) == [[None], [pytest.approx(3869.88, abs=0.01)]]


def test_order_quantity_rounds_to_moq_and_packs():
    assert excel_cells(DX_ORDER_QTY(rng([37], [61], [-2]), 50, 12)) == [[60.0], [72.0], [0.0]]
    assert excel_cells(DX_ORDER_QTY(rng([5.5]))) == [[6.0]]


def test_fill_rate_safety_stock_spills_one_column():
    result = excel_cells(DX_SAFETY_STOCK_FILL_RATE(rng([0, 50, 0, 50]), 30.4375, 0.98, 100))
    assert len(result) == 1 and result[0][0] > 0


def test_abc_xyz_spills_classes_boxes_and_cv():
    result = excel_cells(DX_ABC_XYZ(rng([500], [300], [None], [100]), rng([1, 2, 3], [0, 0, 9], [None, None, None], [4, 4, 4])))
    assert result[0] == ["abc_class", "xyz_class", "box", "cv"]
    assert [row[2] for row in result[1:]] == ["AX", "AZ", "CZ", "BX"]
    assert result[3][3] is None  # no demand at all: CV undefined


def test_demand_statistics_spill_intermittency():
    result = excel_cells(DX_DEMAND_STATS(HISTORY))
    assert result[0] == ["periods", "mean_demand", "sd_demand", "cv", "intermittency"]
    assert result[1][4] == 0.25 and result[2][4] == 1.0


def test_demand_class_spills_class_and_forecast_per_sku_with_blanks_as_no_demand():
    history = rng([5, 6, 5, 7, 6, 5], [None] * 6, [None, 4, None, None, 4, None], [None, 1, None, None, 30, None])
    result = excel_cells(DX_DEMAND_CLASS(history))
    assert result[0] == ["adi", "cv2", "demand_class", "forecast_method", "forecast"]
    assert [row[2] for row in result[1:]] == ["smooth", "no_demand", "intermittent", "lumpy"]
    assert [row[3] for row in result[1:]] == ["sba", "sba", "sba", "tsb"]
    assert result[3][0] == pytest.approx(2.5) and result[3][4] > 0 and result[2][4] == 0  # 5 periods from the first


def test_demand_class_refuses_negative_demand():
    [[cell]] = excel_cells(DX_DEMAND_CLASS(rng([1, -2, 3])))
    assert cell.startswith("#VALUE! ") and "negative" in cell
    with pytest.raises(CalcError, match="negative"):  # as written, in Python, it raises
        demand_class_as_written(rng([1, -2, 3]))
