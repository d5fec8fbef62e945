"""The incentive and appraisal UDFs take whole ranges (blanks as None) and spill 2-D results."""
from __future__ import annotations

import numpy as np
import pytest

from dealerxl.calc import CalcError
from dealerxl.excel.functions import UDFS, DX_COMMISSION, DX_KPI_GRADE, DX_KPI_SCORE
from dealerxl.excel.functions.incentives import DX_COMMISSION as commission_as_written
from dealerxl.i18n import LANGS, tr
from udf_cells import excel_cells


def rng(*rows):
    return np.array(rows, dtype=object)


PLAN = rng([0, 0.01, "marginal"], [0.8, 0.015, None], [1.0, 0.02, None], [None, None, None])
BANDS = rng(["A", 90, 1.5], ["B", 80, 1.2], ["C", 70, 1.0], ["D", 0, 0.0])


def test_incentive_functions_are_registered_with_help_in_every_language():
    for name in ("DX_COMMISSION", "DX_KPI_SCORE", "DX_KPI_GRADE"):
        info = UDFS[name]
        for lang in LANGS:
            assert tr(f"udf.{name}", lang)
            assert all(tr(f"udf.{name}.{arg}", lang) for arg in info.args)
    assert UDFS["DX_COMMISSION"].array_args == ("sales", "target", "plan")


def test_commission_spills_a_header_and_one_row_per_sales_cell_with_blanks_blank():
    result = excel_cells(DX_COMMISSION(rng([1_200_000], [None], [500_000]), rng([1_000_000]), PLAN, 1.5))
    assert result[0] == ["attainment", "tier", "rate", "base", "accelerator", "cap_cut", "commission"]
    assert result[1] == pytest.approx([1.2, 3, 0.02, 15_000, 2_000, 0, 17_000])
    assert result[2] == [None] * 7
    assert result[3][6] == pytest.approx(5_000)


def test_stepped_mode_gate_and_cap_come_from_the_arguments():
    plan = rng([0, 0.01, "stepped"], [1.0, 0.03, None])
    result = excel_cells(DX_COMMISSION(rng([40], [120], [200]), rng([100], [100], [100]), plan, None, 0.5, 4))
    assert [row[6] for row in result[1:]] == pytest.approx([0.0, 3.6, 4.0])


def test_commission_refuses_a_target_column_of_the_wrong_length_and_a_mixed_mode():
    assert excel_cells(DX_COMMISSION(rng([1], [2], [3]), rng([1], [2]), PLAN)) == [
        ["#VALUE! target has 2 cells but sales has 3 rows; they must match row by row"]]
    assert excel_cells(DX_COMMISSION(rng([1]), 1, rng([0, 0.01, "marginal"], [1, 0.02, "stepped"]))) == [
        ["#VALUE! plan's mode column holds different modes: marginal, stepped; one plan has one mode"]]
    with pytest.raises(CalcError, match="different modes"):  # as written, in Python, it raises
        commission_as_written(rng([1]), 1, rng([0, 0.01, "marginal"], [1, 0.02, "stepped"]))


def test_kpi_score_spills_one_score_per_person_and_leaves_unmeasured_rows_blank():
    result = excel_cells(DX_KPI_SCORE(rng([110, 8, 4], [None, None, None], [100, 10, 5], [100, None, 5]),
                          rng([100, 10, 5]), rng([50, 30, 20]), rng(["higher", "higher", "lower"])))
    assert result == [[pytest.approx(103.0)], [None], [pytest.approx(100.0)], [None]]


def test_kpi_score_takes_per_person_weights_where_a_blank_weight_drops_the_kpi():
    result = excel_cells(DX_KPI_SCORE(rng([50, 10], [80, None]), rng([100, 10]), rng([0.5, 0.5], [1, None]), None, 1.5))
    assert result == [[pytest.approx(75.0)], [pytest.approx(80.0)]]


def test_kpi_score_names_the_shape_it_expected():
    assert excel_cells(DX_KPI_SCORE(rng([1, 2]), rng([1, 2, 3]), rng([0.5, 0.5]))) == [
        ["#VALUE! targets must be one row of 2 cells or 1 rows × 2 columns; found 1 × 3"]]


def test_kpi_grade_by_bands_and_by_forced_distribution():
    scores = rng([95], [None], [72], [85])
    assert excel_cells(DX_KPI_GRADE(scores, BANDS)) == [["grade", "bonus_multiple"], ["A", 1.5], [None, None], ["C", 1.0],
                                           ["B", 1.2]]
    forced = excel_cells(DX_KPI_GRADE(scores, BANDS, rng([0.34], [0.33], [0.33], [0])))
    assert [row[0] for row in forced[1:]] == ["A", None, "C", "B"]
