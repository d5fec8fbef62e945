"""The xlwings Lite edition gives what the desktop edition gives, with cells as Lite hands them over.

Every ``DX_`` function is called through the generated ``main.py`` as Lite calls it (arguments
converted by xlwings' own conversion layer from cells with blanks as None and dates as serial
numbers; the result written by Lite's rules, where NaN would be #NUM!) and compared cell by
cell with the desktop function on the same inputs. Every script runs on the small sample as
Lite hands a workbook to a script, and what it writes into the workbook is compared with the
desktop edition's result for the saved file (read with python-calamine). These tests run on
CPython and inside Pyodide (the CI's Pyodide job), where the desktop results come from a
fixture made on CPython (``tests/support/lite_fixture.py``).
"""
from __future__ import annotations

import datetime as dt
import inspect
import json
import math
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dealerxl.excel.functions import UDFS
from dealerxl.excel.functions.converters import CellArgument, RangeArgument
from dealerxl.i18n import has, tr
from dealerxl.lite import scripts
from dealerxl.lite.code import NAMESPACE, lite_name, main_py
from support.lite_book import Error, LiteRuntime, StandInBook, as_written, decode, handed_over
from udf_cells import excel_cells

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from suite import udfs  # after the path insert: the benchmarks folder is not an installed package

LANG = "zh-Hant"
MONTH, AS_OF, YEAR = "2026-10", "2026-10-31", 2027
ON_PYODIDE = sys.platform == "emscripten"


@pytest.fixture(scope="module")
def runtime() -> LiteRuntime:
    return LiteRuntime(main_py(LANG))


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The fixture folder: the CI job's (made on CPython before Pyodide starts), else made here."""
    given = os.environ.get("DEALERXL_LITE_FIXTURE")
    if given:
        return Path(given)
    if ON_PYODIDE:
        pytest.skip("inside Pyodide the desktop results come from DEALERXL_LITE_FIXTURE (.ci/pyodide/run sets it)")
    from support.lite_fixture import make

    return make(tmp_path_factory.mktemp("lite"))


@pytest.fixture(scope="module")
def snapshot(sample) -> dict:
    return json.loads((sample / "book.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def desktop(sample) -> dict:
    return json.loads((sample / "desktop.json").read_text(encoding="utf-8"))


# ---- comparing cells -------------------------------------------------------------------------

def same_cell(lite, desktop) -> bool:
    """A cell as Lite left it against the desktop's: blanks alike, numbers to the last digits."""
    if isinstance(lite, Error):
        return False  # Lite shows an error (#NUM!) where the desktop shows a value or a blank
    if lite is None or desktop is None:
        return lite is None and desktop is None
    if isinstance(lite, bool) or isinstance(desktop, bool):
        return lite == desktop
    if isinstance(lite, (int, float)) and isinstance(desktop, (int, float)):
        return math.isclose(lite, desktop, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(lite, dt.datetime) and isinstance(desktop, dt.datetime):
        return abs(lite - desktop) < dt.timedelta(milliseconds=1)
    return lite == desktop


def differences(lite_rows: list[list], desktop_rows: list[list]) -> list[str]:
    if len(lite_rows) != len(desktop_rows):
        return [f"{len(lite_rows)} rows against {len(desktop_rows)}"]
    found = []
    for r, (ours, theirs) in enumerate(zip(lite_rows, desktop_rows)):
        if len(ours) != len(theirs):
            found.append(f"row {r}: {len(ours)} cells against {len(theirs)}")
            continue
        found += [f"row {r} column {c}: {a!r} against {b!r}" for c, (a, b) in enumerate(zip(ours, theirs))
                  if not same_cell(a, b)]
    return found[:10]


def desktop_rows(table: dict) -> list[list]:
    return [[decode(v) for v in row] for row in table["rows"]]


# ---- the functions ---------------------------------------------------------------------------

def test_every_function_is_a_lite_function_in_the_dx_namespace_with_its_arguments_and_help(runtime):
    assert set(runtime.functions) == {f"{NAMESPACE}.{lite_name(name)}" for name in UDFS}
    for name, info in UDFS.items():
        function = runtime.functions[f"{NAMESPACE}.{lite_name(name)}"]
        assert function.__lite_func__["namespace"] == NAMESPACE
        ours, theirs = inspect.signature(function).parameters, inspect.signature(info.function).parameters
        assert [(p.name, p.default) for p in ours.values()] == [(p.name, p.default) for p in theirs.values()], name
        assert function.__doc__ == tr(f"udf.{name}", LANG).replace("DX_", "DX."), name
        declared = function.__lite_args__
        for arg in info.args:
            help_text = tr(f"udf.{name}.{arg}", LANG) if has(f"udf.{name}.{arg}") else ""
            assert declared[arg]["doc"] == help_text.replace("DX_", "DX."), (name, arg)
            # the desktop edition's converters: a range as a 2-D array, anything else the cell itself
            assert declared[arg].get("convert") is info.converter(arg)["convert"], (name, arg)
            assert declared[arg].get("convert") is (RangeArgument if arg in info.array_args else CellArgument)


def _forecast_case():
    rng = np.random.default_rng(3)
    history = np.round(rng.gamma(4, 50, (6, 30)))
    history[1, :4] = np.nan  # a series that started later: blanks before its first month
    return (history, 6)


def _intermittent_case():
    rng = np.random.default_rng(5)
    history = np.where(rng.random((6, 24)) < 0.4, np.round(rng.gamma(2, 10, (6, 24))), 0.0)
    history[0] = np.round(rng.gamma(9, 10, 24))  # a smooth series among the intermittent ones
    history[2, :5] = np.nan  # an item listed later: blanks before its first month
    return (history,)


CASES = {name: args for name, (args, _) in udfs.cases(60).items()}
# the functions the UDF benchmark has no case for (benchmarks/suite/udfs.py says why)
CASES["DX_FORECAST"] = _forecast_case()
CASES["DX_FORECAST_RANGE"] = _forecast_case()
CASES["DX_FORECAST_ACCURACY"] = (_forecast_case()[0], None)
CASES["DX_DEMAND_CLASS"] = _intermittent_case()


def test_every_function_has_a_case_here():
    assert set(CASES) == set(UDFS)


def desktop_cells(runtime, name: str, args) -> list[list]:
    """The cells the desktop edition shows: each range converted by xlwings' conversion layer as the
    function declares it, from cells as desktop Excel hands them over (blanks None, numbers as
    floats, dates as datetimes), the result as desktop xlwings writes it (missing values blank)."""
    from support.lite_book import _engine_name
    from xlwings import conversion

    function = runtime.functions[f"{NAMESPACE}.{lite_name(name)}"]
    declared = function.__lite_args__
    converted = []
    for arg, value in zip(UDFS[name].args, args):
        options = {k: v for k, v in declared[arg].items() if k != "doc" and v is not None}
        if options and isinstance(value, np.ndarray):
            rows = np.asarray(value, dtype=object)
            rows = rows.reshape(1, -1) if rows.ndim == 1 else rows
            cells = [[None if isinstance(c, float) and math.isnan(c) else c for c in row] for row in rows.tolist()]
            value = conversion.read(None, cells, options, engine_name=_engine_name())
        converted.append(value)
    return excel_cells(UDFS[name].function(*converted))


def outcome(call):
    """The cells a call gives, or the message of the error it raises (Excel shows #VALUE! with it)."""
    from dealerxl.calc import CalcError

    try:
        return call()
    except CalcError as error:
        return f"CalcError: {error}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_function_shows_in_lite_the_cells_it_shows_on_the_desktop(runtime, name):
    args = CASES[name]
    expected = outcome(lambda: desktop_cells(runtime, name, args))
    shown = outcome(lambda: runtime.call(f"{NAMESPACE}.{lite_name(name)}", *args))
    if isinstance(expected, str) or isinstance(shown, str):
        assert shown == expected
    else:
        assert differences(shown, expected) == []



def lite_outcomes(runtime) -> dict:
    """Each case's cells through ``main.py`` (cells for JSON), or the message of the error it raises."""
    from support.lite_book import encode

    found = {}
    for name in sorted(CASES):
        shown = outcome(lambda: runtime.call(f"{NAMESPACE}.{lite_name(name)}", *CASES[name]))
        found[name] = shown if isinstance(shown, str) else [[encode(v) for v in row] for row in shown]
    return found


@pytest.fixture(scope="module")
def cpython_outcomes() -> dict:
    """:func:`lite_outcomes` on CPython, written before Pyodide starts (``lite_fixture.py --functions``)."""
    given = os.environ.get("DEALERXL_LITE_FUNCTIONS")
    if not given:
        pytest.skip("compares Pyodide with CPython: the Pyodide job (.ci/pyodide/run) sets DEALERXL_LITE_FUNCTIONS")
    return json.loads(Path(given).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_function_gives_here_the_cells_it_gives_on_cpython(runtime, cpython_outcomes, name):
    """Inside Pyodide: the same cells as CPython (numbers to the last digits), or the same refusal."""
    shown = outcome(lambda: runtime.call(f"{NAMESPACE}.{lite_name(name)}", *CASES[name]))
    expected = cpython_outcomes[name]
    if isinstance(expected, str) or isinstance(shown, str):
        assert shown == expected
    else:
        assert differences(shown, desktop_rows({"rows": expected})) == []

def test_without_the_handover_lite_would_show_num_where_the_desktop_shows_a_blank():
    """The case the blank handover exists for: a NaN cell written by Lite's rules is #NUM!;
    the handover (:func:`dealerxl.lite.functions.lite_cells`) makes it a blank, as the desktop shows it."""
    from dealerxl.lite.functions import lite_cells

    result = np.array([[10.0, np.nan], [5.0, 1.25]])  # a float result with one missing cell
    assert as_written(result[0, 1]) == Error("#NUM!")
    assert lite_cells(result)[0, 1] is None and excel_cells(result)[0][1] is None
    assert lite_cells(result)[1, 1] == 1.25


def test_dates_reach_a_lite_function_as_serial_numbers_and_give_the_desktop_result(runtime):
    due = [[dt.datetime(2026, 9, 1)], [dt.datetime(2026, 10, 20)], [dt.datetime(2026, 11, 30)], [dt.datetime(2025, 12, 31)]]
    amounts = [[100.0], [250.0], [40.0], [75.0]]
    as_of = dt.datetime(2026, 10, 31)
    assert handed_over(due)[0][0] == 46266 and handed_over(as_of) == 46326  # whole serial numbers
    desktop = excel_cells(UDFS["DX_AGING"].function(np.array(due, dtype=object), np.array(amounts), as_of))
    assert differences(runtime.call("DX.AGING", due, amounts, as_of), desktop) == []


def test_a_function_refusing_its_input_shows_in_lite_the_desktop_editions_message(runtime):
    desktop = UDFS["DX_EOQ"].function(np.array([[100.0], [200.0]]), np.array([[50.0]]),
                                      np.array([[2.0], [2.0], [2.0]]))
    shown = runtime.call("DX.EOQ", [[100.0], [200.0]], 50.0, [[2.0], [2.0], [2.0]])
    assert shown == excel_cells(desktop)
    assert shown[0][0].startswith("#VALUE!") and "3" in shown[0][0]


# ---- the scripts -----------------------------------------------------------------------------

def run_script(runtime, snapshot, function: str, *args, constant_names: bool = True) -> tuple[StandInBook, str]:
    """Run a ``main.py`` script's job on a fresh workbook; ``args`` fix the month or date as the tests need."""
    book = StandInBook(snapshot, constant_names=constant_names)
    job = next(s.run for s in scripts.SCRIPTS if s.function == function)
    return book, job(book, *args)


def message_cell(book: StandInBook):
    return book.sheets[tr("build.index_sheet", LANG)][scripts.MESSAGE_CELL].value


@pytest.mark.parametrize("function, key, args, table", [
    ("replenishment_proposal", "replenish", (AS_OF,), "replenishment_proposal"),
    ("risk_review", "risk", (MONTH,), "dealer_risk_review"),
    ("set_targets", "targets", (YEAR,), "monthly_targets"),
])
def test_a_script_fills_the_forms_table_with_the_desktop_editions_rows(runtime, snapshot, desktop, function, key,
                                                                         args, table):
    from dealerxl.forms import get_form

    book, said = run_script(runtime, snapshot, function, *args)
    written = book.table(get_form(table).table_name)
    assert written.range.options(ndim=2).value[0] == desktop[key]["table"]["columns"]
    assert differences(written.body(), desktop_rows(desktop[key]["table"])) == []
    assert message_cell(book) == said and book.app.alerts[-1]["prompt"] == said
    for problem in desktop[key]["problems"][:1]:
        assert problem in said  # the first input problem is named with its cell, as on the desktop


def test_the_incentives_script_writes_the_statements_onto_a_sheet_of_the_workbook(runtime, snapshot, desktop):
    book, said = run_script(runtime, snapshot, "incentive_statements", MONTH)
    name = f"{tr('statement.file', LANG)}_{MONTH}"
    sheet = book.sheets[name]
    assert sheet["A1"].value == name.replace("_", " ")
    rows = sheet.used_range.options(ndim=2).value
    row = 2  # 0-based: the first block's title
    for title, table in desktop["incentives"]["sheets"].items():
        assert rows[row][0] == title
        block = rows[row + 1: row + 2 + len(table["rows"])]
        header, body = block[0][:len(table["columns"])], [r[:len(table["columns"])] for r in block[1:]]
        assert header == table["columns"]
        assert differences(body, desktop_rows(table)) == [], title
        row += len(table["rows"]) + 3
    assert name in said and message_cell(book) == said


def test_the_monthly_summary_script_writes_the_reports_key_figures(runtime, snapshot, desktop):
    book, said = run_script(runtime, snapshot, "monthly_summary", MONTH)
    name = f"{tr('report.monthly.file', LANG)}_{MONTH}"
    rows = book.sheets[name].used_range.options(ndim=2).value
    table = desktop["monthly_summary"]["table"]
    assert rows[3][:4] == table["columns"]
    assert differences([r[:4] for r in rows[4:4 + len(table["rows"])]], desktop_rows(table)) == []
    percent_row = 4 + [r[0] for r in table["rows"]].index(tr("report.monthly.figure.achievement", LANG))
    assert book.sheets[name][f"B{percent_row + 1}"].number_format == "0.0%"
    assert MONTH in said and desktop["monthly_summary"]["problems"][0] in said


@pytest.mark.parametrize("constant_names", [True, False])
def test_validation_in_lite_says_what_the_desktop_says_cell_by_cell(runtime, snapshot, desktop, constant_names):
    """Also when Lite lists only names that refer to ranges (no DX_LANG): the language comes from the sheets."""
    book, said = run_script(runtime, snapshot, "validate_workbook", constant_names=constant_names)
    assert said == desktop["validate"]
    assert "庫存台帳!C5" in said  # the negative stock typed into the sample
    changed = {s.name for s in book.sheets if s.cells != StandInBook(snapshot).sheets[s.name].cells}
    assert changed == {tr("build.index_sheet", LANG)}  # only the message cell


def test_a_sheet_of_the_users_with_the_results_name_is_left_alone(runtime, snapshot):
    book = StandInBook(snapshot)
    name = f"{tr('statement.file', LANG)}_{MONTH}"
    mine = book.sheets.add(name)
    mine["A1"].value = "my notes"
    said = scripts.incentives(book, MONTH)
    assert said == tr("msg.lite.sheet_taken", LANG, sheet=name)
    assert mine.cells == {(1, 1): "my notes"}


def test_running_a_script_again_rewrites_its_own_sheet(runtime, snapshot):
    book = StandInBook(snapshot)
    scripts.monthly_summary(book, MONTH)
    first = dict(book.sheets[f"{tr('report.monthly.file', LANG)}_{MONTH}"].cells)
    count = len(book.sheets)
    scripts.monthly_summary(book, MONTH)
    assert len(book.sheets) == count
    assert book.sheets[f"{tr('report.monthly.file', LANG)}_{MONTH}"].cells == first


def test_a_month_without_data_is_said_and_nothing_is_written(runtime, snapshot):
    book = StandInBook(snapshot)
    before = {s.name: dict(s.cells) for s in book.sheets}
    said = scripts.risk_review(book, "2031-01")
    assert said.startswith(tr("msg.risk.failed", LANG, reason="")) and "2031-01" in said
    after = {s.name: dict(s.cells) for s in book.sheets}
    assert {n for n in after if after[n] != before[n]} == {tr("build.index_sheet", LANG)}


def test_a_table_that_is_gone_is_said_and_nothing_is_written(runtime, snapshot):
    from dealerxl.forms import get_form
    from dealerxl.jobs.replenish import PROPOSAL_FORM

    book = StandInBook(snapshot)
    form = get_form(PROPOSAL_FORM)
    for sheet in book.sheets:
        sheet.tables[:] = [t for t in sheet.tables if t.name != form.table_name]
    said = scripts.replenishment(book, AS_OF)
    assert said == tr("msg.replenishment.no_table", LANG, table=form.table_name)


def test_every_script_is_bound_to_its_button_on_the_index_sheet(runtime):
    index = tr("build.index_sheet", LANG)
    bound = {name: function.__lite_script__ for name, function in runtime.scripts.items()}
    assert bound == {s.function: {"button": f"[{s.button}]{index}!{s.cell}", "show_taskpane": True}
                     for s in scripts.SCRIPTS}


def test_each_button_script_of_main_py_runs_its_job_on_the_book_it_is_given(runtime, monkeypatch):
    ran = []
    for script in scripts.SCRIPTS:
        monkeypatch.setattr(scripts, script.run.__name__, lambda book, name=script.function: ran.append((name, book)))
    book = object()
    for name, function in runtime.scripts.items():
        function(book)
    assert ran == [(s.function, book) for s in scripts.SCRIPTS]
