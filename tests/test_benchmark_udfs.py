"""The UDF benchmark's numpy expressions give the UDFs' own cells, so its overheads compare like with like."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest

from dealerxl.excel.functions import UDFS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from suite import udfs  # after the path insert: the benchmarks folder is not an installed package

ROWS = 300
CASES = udfs.cases(ROWS)
MEASURED_KEYS = {"udf_s", "numpy_s", "overhead", "agree", "udf_rows_s", "numpy_rows_s", "overhead_with_rows"}


def documented_without_case() -> list[str]:
    sentence = re.search(r"Left without a case: ([^.]*)\.", udfs.__doc__)
    assert sentence, "the module docstring says which UDFs are left without a case"
    return sorted(re.findall(r"DX_\w+", sentence.group(1)))


@pytest.mark.parametrize("name", sorted(CASES))
def test_numpy_expression_gives_the_same_cells_as_its_udf(name):
    args, expression = CASES[name]
    assert udfs.agrees(UDFS[name].function(*args), expression())


def test_every_udf_has_a_case_or_is_documented_as_left_without_one():
    assert set(CASES) <= set(UDFS)
    assert not set(CASES) & set(documented_without_case())
    assert set(CASES) | set(documented_without_case()) == set(UDFS)


def test_measure_reports_every_case_in_agreement_and_the_documented_udfs_without_a_case():
    measured = udfs.measure([ROWS], repeat=1)
    assert measured["without_case"] == documented_without_case()
    assert set(measured["results"]) == set(CASES)
    for name, by_rows in measured["results"].items():
        assert set(by_rows) == {ROWS}, name
        point = by_rows[ROWS]
        assert set(point) == MEASURED_KEYS, name
        assert point["agree"], name
        assert min(point["udf_s"], point["numpy_s"], point["udf_rows_s"], point["numpy_rows_s"]) > 0, name


def test_agreement_check_catches_one_cell_a_millionth_off():
    args, expression = CASES["DX_COMMISSION"]
    ours = UDFS["DX_COMMISSION"].function(*args)
    columns = list(expression())
    columns[6] = columns[6].copy()
    columns[6][np.flatnonzero(columns[6] > 0)[0]] *= 1 + 1e-6
    assert not udfs.agrees(ours, tuple(columns))


def test_agreement_check_catches_two_cells_swapped_which_leave_the_sum_alone():
    args, expression = CASES["DX_SEASONAL_SPLIT"]
    ours = UDFS["DX_SEASONAL_SPLIT"].function(*args)
    period, index, overridden, target = expression()
    swapped = target.copy()
    swapped[[0, 5]] = swapped[[5, 0]]
    assert swapped.sum() == target.sum() and swapped[0] != target[0]
    assert not udfs.agrees(ours, (period, index, overridden, swapped))


def test_agreement_check_catches_a_blank_where_the_udf_has_a_number_and_a_missing_row():
    args, expression = CASES["DX_WORKING_HOURS"]
    ours = UDFS["DX_WORKING_HOURS"].function(*args)
    hours = expression()
    blanked = hours.copy()
    blanked[0] = np.nan
    assert not udfs.agrees(ours, blanked)
    assert not udfs.agrees(ours, hours[:-1])


def test_working_hours_expression_reads_every_minute_of_a_week_as_the_udf_does():
    # Starts on every minute of a week with a holiday in it, each ending 0 to 3 days later.
    friday = (np.datetime64("2026-02-13") - udfs.EXCEL_DAY_ZERO).astype(float)
    minutes = np.arange(7 * 1440)
    start = (friday * 1440 + minutes) / 1440
    end = (friday * 1440 + minutes + (minutes * 7919) % (3 * 1440)) / 1440
    ours = UDFS["DX_WORKING_HOURS"].function(start.reshape(-1, 1), end.reshape(-1, 1), 9, 18,
                                              udfs.HOLIDAYS.reshape(-1, 1))
    assert udfs.agrees(ours, udfs._working_hours(start, end, udfs.HOLIDAYS))


def test_agreement_check_compares_text_and_true_false_cells_too():
    args, expression = CASES["DX_SCORECARD"]
    ours = UDFS["DX_SCORECARD"].function(*args)
    score, passed, failed = expression()
    assert not udfs.agrees(ours, (score, ~passed, failed))
    assert not udfs.agrees(ours, (score, passed, np.where(failed == "", "none", failed)))
    args, expression = CASES["DX_RISK_LEVEL"]
    levels = expression().copy()
    levels[0] = "green" if levels[0] != "green" else "red"
    assert not udfs.agrees(UDFS["DX_RISK_LEVEL"].function(*args), levels)
