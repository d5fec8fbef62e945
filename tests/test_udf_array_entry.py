"""The DX_ functions in Excel 2016/2019, which have no dynamic arrays: the formula is entered
over a pre-selected range with Ctrl+Shift+Enter (a legacy array formula).

Which side fits the result to the range: xlwings' UDF server returns the whole result,
whatever the caller's range (``call_udf`` only resizes for ``expand``, which these functions
do not use), and ``CallUDF`` passes a one-cell result as a value and a one-row result as a
1-D array. The spreadsheet fits it: a larger range shows ``#N/A`` in the extra cells, except
along a dimension of length 1, which is repeated (a single value fills every cell); a smaller
range shows the top-left part only, so a one-cell formula shows the first cell, the header.

The test runs the functions' results through xlwings' own return layer
(:mod:`support.xlwings_return`), enters what Excel would receive as array constants over
ranges of other sizes, and lets LibreOffice (a real engine, which fits array results to the
range as Microsoft documents for Excel's array formulas) show what the cells hold.
"""
from __future__ import annotations

import numpy as np
import pytest
import xlsxwriter
from openpyxl import load_workbook
from support.libreoffice import LibreOffice
from support.xlwings_return import returned_to_excel
from xlsxwriter.utility import xl_range

from dealerxl.excel.functions import UDFS

NA = "#N/A"


def udf(name, *args):
    return returned_to_excel(UDFS[name].function(*args))


def as_grid(returned) -> list[list]:
    """Excel's view of what CallUDF returned: a value is 1×1, a 1-D array one row."""
    if not isinstance(returned, list):
        return [[returned]]
    if not isinstance(returned[0], list):
        return [returned]
    return returned


def shown(returned, rows: int, cols: int) -> list[list]:
    """What a legacy array formula over ``rows``×``cols`` cells shows: the top-left part,
    a dimension of length 1 repeated, ``#N/A`` beyond the result otherwise."""
    grid = as_grid(returned)
    height, width = len(grid), len(grid[0])

    def at(r, c):
        rr = r if r < height else (0 if height == 1 else None)
        cc = c if c < width else (0 if width == 1 else None)
        return NA if rr is None or cc is None else grid[rr][cc]

    return [[at(r, c) for c in range(cols)] for r in range(rows)]


def array_constant(returned) -> str:
    def cell(value):
        if isinstance(value, str):
            return '"' + value.replace('"', '""') + '"'
        return repr(float(value))

    return "{" + ";".join(",".join(cell(v) for v in row) for row in as_grid(returned)) + "}"


@pytest.fixture(scope="module")
def results():
    actual, target = np.array([[120.0], [80.0], [95.0]]), np.array([[100.0], [100.0], [100.0]])
    return {
        "achievement": udf("DX_ACHIEVEMENT", actual, target),     # a table: header row and one row per input
        "nps": udf("DX_NPS", np.array([[10.0], [9.0], [3.0], [8.0]])),  # a single value
        "eoq": udf("DX_EOQ", np.array([[1200.0], [2400.0], [600.0]]), 50.0, 2.0),  # one column, no header
    }


CASES = [  # (result, rows, columns of the pre-selected range)
    ("achievement", 4, 2), ("achievement", 6, 3), ("achievement", 1, 1), ("achievement", 2, 2),
    ("nps", 3, 1), ("nps", 1, 1), ("eoq", 3, 1), ("eoq", 5, 2),
]


def test_xlwings_returns_the_whole_result_whatever_range_the_formula_is_in(results):
    header, *rows = as_grid(results["achievement"])
    assert len(header) == 2 and all(isinstance(text, str) for text in header)
    assert rows == [[1.2, 20.0], [0.8, -20.0], [0.95, -5.0]]
    assert results["nps"] == 25.0  # a value, not a 1×1 array
    assert len(as_grid(results["eoq"])) == 3 and all(len(row) == 1 for row in as_grid(results["eoq"]))


@pytest.mark.libreoffice
def test_a_preselected_range_shows_the_result_cut_padded_with_na_or_repeated(results, tmp_path):
    path = tmp_path / "array_entry.xlsx"
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet("S")
    placed = []
    top = 0
    for name, rows, cols in CASES:
        area = xl_range(top, 0, top + rows - 1, cols - 1)
        sheet.write_array_formula(area, "{=" + array_constant(results[name]) + "}")
        placed.append((name, rows, cols, top))
        top += rows + 1
    book.close()
    engine = LibreOffice()
    try:
        recalculated = engine.convert(path, tmp_path / "out", "xlsx")
    finally:
        engine.remove_profile()
    cells = load_workbook(recalculated, data_only=True)["S"]
    for name, rows, cols, first in placed:
        seen = [[cells.cell(first + 1 + r, 1 + c).value for c in range(cols)] for r in range(rows)]
        expected = shown(results[name], rows, cols)
        assert [[round(v, 9) if isinstance(v, float) else v for v in row] for row in seen] == \
            [[round(v, 9) if isinstance(v, float) else v for v in row] for row in expected], (name, rows, cols)


def test_what_each_kind_of_range_shows(results):
    """The rules the README gives for Excel 2016/2019, on the functions' own results."""
    table = results["achievement"]
    assert shown(table, 4, 2) == as_grid(table)                      # select exactly the result's size
    assert shown(table, 1, 1) == [[as_grid(table)[0][0]]]             # one cell: only the header's first cell
    assert shown(table, 6, 3)[4] == [NA, NA, NA]                      # too large: #N/A beyond the result
    assert shown(results["nps"], 3, 1) == [[25.0], [25.0], [25.0]]    # a single value repeats: enter it in one cell
    assert [row[1] for row in shown(results["eoq"], 3, 2)] == [row[0] for row in as_grid(results["eoq"])]
