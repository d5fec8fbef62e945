"""The scoring, receivables, risk and service UDFs take whole ranges and spill 2-D results."""
from __future__ import annotations

import numpy as np

from dealerxl.excel.functions import UDFS, DX_AGING, DX_CSAT, DX_ECL, DX_NPS, DX_RISK_LEVEL, DX_SCORECARD, DX_WORKING_HOURS
from udf_cells import excel_cells


def rng(*rows):
    return np.array(rows, dtype=object)


def test_functions_are_registered_for_excel():
    for name in ("DX_SCORECARD", "DX_AGING", "DX_ECL", "DX_RISK_LEVEL", "DX_NPS", "DX_CSAT", "DX_WORKING_HOURS"):
        assert name in UDFS


def test_aging_accepts_excel_serial_dates_and_blank_amounts():
    # 46326 = 2026-10-31; 46296 = 2026-10-01 (30 days past due)
    result = excel_cells(DX_AGING(rng([46296.0], [46296.0]), rng([100], [None]), 46326.0))
    assert result[0][1] == "1–30" and result[1][1] == 100.0


def test_ecl_spills_one_row_per_bucket_with_a_header():
    result = excel_cells(DX_ECL(rng([1000], [500]), rng([0.01], [0.1]), 1.0))
    assert result == [["gross", "loss_rate", "ecl"], [1000.0, 0.01, 10.0], [500.0, 0.1, 50.0]]


def test_scorecard_spills_score_and_gate():
    result = excel_cells(DX_SCORECARD(rng([80, 700], [60, 500]), rng([0.6, 0.4]), None, rng([None, 600])))
    assert result[1][:2] == [100.0, True] and result[2][:2] == [0.0, False]


def test_risk_level_returns_one_column():
    assert excel_cells(DX_RISK_LEVEL(rng([0.05], [0.3]), 0.1, 0.25)) == [["green"], ["red"]]


def test_service_scores_ignore_blanks_and_refuse_text():
    assert excel_cells(DX_NPS(rng([10], [None], [""], [0]))) == [[0.0]]
    assert excel_cells(DX_CSAT(rng([5], [1]))) == [[50.0]]
    assert excel_cells(DX_CSAT(rng([5], ["five"]))) == [['#VALUE! scores, row 2: "five" is not a number']]


def test_working_hours_spill_a_column():
    result = excel_cells(DX_WORKING_HOURS(rng(["2026-11-27 16:30"]), rng(["2026-11-30 10:15"])))
    assert result == [[2.75]]
