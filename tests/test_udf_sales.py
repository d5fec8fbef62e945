"""The sales UDFs take whole ranges (blanks as None) and spill readable 2-D results."""
from __future__ import annotations

import numpy as np
import pytest

from dealerxl.calc import CalcError
from dealerxl.excel.functions import (UDFS, DX_ACHIEVEMENT, DX_ALLOCATE, DX_DECLINING, DX_FORECAST,
                                      DX_FORECAST_ACCURACY, DX_FORECAST_RANGE, DX_PARETO, DX_PVM, DX_RUN_RATE,
                                      DX_SEASONAL_SPLIT, DX_TARGET_SHARE, DX_WAPE, DX_YOY)
from dealerxl.i18n import LANGS, tr
from udf_cells import excel_cells

SALES_UDFS = ("DX_SEASONAL_SPLIT", "DX_ALLOCATE", "DX_TARGET_SHARE", "DX_FORECAST", "DX_FORECAST_RANGE",
              "DX_FORECAST_ACCURACY", "DX_WAPE", "DX_YOY", "DX_ACHIEVEMENT", "DX_PARETO", "DX_PVM", "DX_RUN_RATE", "DX_DECLINING")
YEAR = [100, 90, 110, 120, 130, 150, 140, 135, 125, 120, 160, 200]


def rng(*rows):
    return np.array(rows, dtype=object)


def test_sales_functions_are_registered_with_help_in_every_language():
    for name in SALES_UDFS:
        info = UDFS[name]
        for lang in LANGS:
            assert tr(f"udf.{name}", lang)
            assert all(tr(f"udf.{name}.{arg}", lang) for arg in info.args)
    assert UDFS["DX_ALLOCATE"].optional == ("floors", "ceilings", "unit")
    assert UDFS["DX_SEASONAL_SPLIT"].array_args == ("history", "overrides")


def test_seasonal_split_into_months_spills_twelve_rows_that_add_up():
    history = rng(YEAR, [round(v * 1.1) for v in YEAR], [None] * 12)  # this year not filled in yet
    result = excel_cells(DX_SEASONAL_SPLIT(1_200_000, history))
    assert result[0] == ["period", "seasonal_index", "overridden", "target"]
    assert len(result) == 13 and sum(row[3] for row in result[1:]) == 1_200_000
    assert result[12][3] == max(row[3] for row in result[1:])  # December sells most


def test_seasonal_split_into_quarters_keeps_an_override():
    history = rng(YEAR, YEAR)
    result = excel_cells(DX_SEASONAL_SPLIT(rng([1_000_000]), history, 4, rng([None, 200_000, None, None]), 1000))
    assert [row[0] for row in result[1:]] == [1, 2, 3, 4]
    assert result[2][2:] == [True, 200_000.0]
    assert sum(row[3] for row in result[1:]) == 1_000_000 and all(row[3] % 1000 == 0 for row in result[1:])


def test_seasonal_split_of_a_too_short_history_is_refused():
    [[cell]] = excel_cells(DX_SEASONAL_SPLIT(1000, rng(YEAR[:6])))
    assert cell.startswith("#VALUE! ") and "at least 12 months" in cell
    with pytest.raises(CalcError, match="at least 12 months"):  # as written, in Python, it raises
        UDFS["DX_SEASONAL_SPLIT"].calculate(1000, rng(YEAR[:6]))


def test_allocate_spills_one_cell_per_dealer_and_treats_blanks_as_no_bound():
    result = excel_cells(DX_ALLOCATE(1000, rng([5], [3], [2]), None, rng([400], [None], [None])))
    assert result == [[400.0], [360.0], [240.0]]
    assert excel_cells(DX_ALLOCATE(rng([100]), rng([1], [1], [1]), None, None, 0.01)) == [[33.34], [33.33], [33.33]]
    assert excel_cells(DX_ALLOCATE(100, rng([None], [1]))) == [[0.0], [100.0]]


def test_allocate_with_impossible_floors_says_why():
    [[cell]] = excel_cells(DX_ALLOCATE(100, rng([1], [1]), 60))
    assert cell.startswith("#VALUE! ") and "floors add up" in cell
    assert excel_cells(DX_ALLOCATE(100, rng([1], [1]), rng([1], [2], [3]))) == [
        ["#VALUE! floors has 3 cells but weights has 2 rows; they must match row by row"]]


def test_target_share_spills_shares_that_feed_allocate():
    shares = excel_cells(DX_TARGET_SHARE(rng([600], [400]), rng([0], [0.5]), rng([500], [1500])))
    assert [row[0] for row in shares] == pytest.approx([0.475, 0.525])
    assert excel_cells(DX_ALLOCATE(10_000, np.array(shares, dtype=object))) == [[4750.0], [5250.0]]


def test_forecast_spills_method_and_months_per_row_with_short_rows_falling_back():
    long_row = [v * (1 + 0.01 * i) for i, v in enumerate(YEAR * 3)]
    short_row = [None] * 30 + YEAR[:6]
    result = excel_cells(DX_FORECAST(rng(long_row, [None] * 36, short_row), 3))
    assert result[0] == ["method", "h1", "h2", "h3"]
    assert result[1][0].startswith("ETS(") and [row[0] for row in result[2:]] == ["none", "ETS(A,N,N)"]
    assert result[2][1:] == [None, None, None]
    assert len(excel_cells(DX_FORECAST(rng(long_row)))[0]) == 7  # six months by default


def test_forecast_range_spills_each_month_of_each_series_with_both_intervals():
    long_row = [v * (1 + 0.01 * i) for i, v in enumerate(YEAR * 3)]
    result = excel_cells(DX_FORECAST_RANGE(rng([None] * 36, long_row, [None] * 36), 2))  # the last row: no data
    assert result[0] == ["series", "month", "method", "forecast", "lower_80", "upper_80", "lower_95", "upper_95"]
    assert [row[:2] for row in result[1:]] == [[1, 1], [1, 2], [2, 1], [2, 2]]
    first = result[3]
    assert first[6] <= first[4] <= first[3] <= first[5] <= first[7]
    assert result[1][2] == "none" and result[1][3:] == [None] * 5


def test_forecast_accuracy_ends_with_an_overall_row():
    history = rng([v * (1 + 0.01 * i) for i, v in enumerate(YEAR * 3)], YEAR * 3)
    result = excel_cells(DX_FORECAST_ACCURACY(history, 6))
    assert result[0] == ["method", "wape_model", "wape_naive"] and result[-1][0] == "overall"
    assert result[2][1] == pytest.approx(0.0, abs=1e-9)  # a repeating year is forecast exactly


def test_wape_leaves_out_pairs_with_a_blank():
    assert excel_cells(DX_WAPE(rng([100], [0], [50]), rng([90], [10], [None]))) == [[pytest.approx(0.2)]]
    assert excel_cells(DX_WAPE(rng([0]), rng([5]))) == [[None]]


def test_yoy_uses_the_last_month_to_place_january():
    history = rng([10] * 12 + [12] * 12 + [15] * 3)
    by_default = excel_cells(DX_YOY(history))
    placed = excel_cells(DX_YOY(history, "2026-03-01"))
    assert by_default[0][:4] == ["actual", "mom", "yoy", "ytd"]
    assert placed[1][2] == pytest.approx(0.25) and placed[1][3] == 45
    assert by_default[1][3] == 45  # the first column taken as January gives the same here


def test_achievement_leaves_the_rate_blank_without_a_target():
    assert excel_cells(DX_ACHIEVEMENT(rng([90], [50]), rng([100], [None]))) == [["achievement_rate", "gap"], [0.9, -10.0],
                                                                   [None, None]]


def test_pareto_spills_rank_share_and_class_in_input_order():
    result = excel_cells(DX_PARETO(rng([100], [500], [None], [300], [60], [40])))
    assert [row[3] for row in result[1:]] == ["B", "A", "C", "A", "B", "C"]
    assert [row[0] for row in result[1:]] == [3, 1, 6, 2, 4, 5]


def test_pvm_spills_effects_that_add_up():
    result = excel_cells(DX_PVM(rng([100], [100]), rng([1000], [2000]), rng([120], [80]), rng([1320], [1600])))
    header, values = result
    effects = dict(zip(header, values))
    assert effects["volume"] + effects["mix"] + effects["price"] == effects["change"] == -80


def test_run_rate_takes_serial_dates_and_working_days():
    march_10 = 46091  # Excel serial of 2026-03-10
    assert excel_cells(DX_RUN_RATE(rng([3_100_000]), march_10, "2026-03-01", "2026-03-31")) == [[pytest.approx(9_610_000)]]
    result = excel_cells(DX_RUN_RATE(rng([100], [200]), march_10, "2026-03-01", "2026-03-31", True, rng(["2026-03-09"])))
    assert result == [[pytest.approx(350.0)], [pytest.approx(700.0)]]
    assert excel_cells(DX_RUN_RATE(1, "someday", "2026-03-01", "2026-03-31")) == [
        ['#VALUE! as_of: "someday" is not a date (e.g. 2026-10-31)']]


def test_declining_spills_flags_per_row():
    result = excel_cells(DX_DECLINING(rng([100, 100, 100, 90, 80, 70], [50, None, 50, 50, 50, 55])))
    assert result[0] == ["recent_change", "trend_slope", "declining"]
    assert [row[2] for row in result[1:]] == [True, False]
