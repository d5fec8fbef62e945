"""The monthly report's summary agrees with an independent recomputation to the unit.

``tests/recompute_summary.py`` reads the small sample's raw tables with openpyxl and works
every summary figure out with plain pandas by the definitions of docs/DEFINITIONS.md, without
the package's code. The sample here carries its monthly targets, set by the Set targets job as
a department does before its month-end report, so that both read the same table.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from workbook_fixtures import labelled, settings_rows, write_workbook

import recompute_summary
from dealerxl.forms import FORMS
from dealerxl.report.monthly import run_monthly_report

MONTH = "2026-10"
SCRIPT = Path(recompute_summary.__file__)


@pytest.fixture(scope="module")
def sample_with_targets(sample_book, sample_data, tmp_path_factory):
    from dealerxl.jobs.targets import run_targets

    frames = {**sample_data, "monthly_targets": run_targets(sample_book, 2026).tables["monthly_targets"]}
    forms = {}
    for form_id in FORMS:
        if form_id == "settings":
            forms[form_id] = settings_rows("zh-Hant")
            continue
        frame = frames.get(form_id)
        rows = [] if frame is None else frame.astype(object).where(frame.notna(), None).to_dict("records")
        forms[form_id] = labelled(form_id, rows, "zh-Hant")
    return write_workbook(tmp_path_factory.mktemp("targets") / "sample.xlsx", forms, "zh-Hant")


@pytest.fixture(scope="module")
def both(sample_with_targets):
    report = run_monthly_report(sample_with_targets, MONTH).tables["summary"].set_index("figure")
    return report, recompute_summary.summary(sample_with_targets, MONTH)


def test_the_recomputation_imports_nothing_of_the_package():
    tree = ast.parse(SCRIPT.read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not any(name.split(".")[0] == "dealerxl" for name in imported)
    assert {name.split(".")[0] for name in imported} <= {"__future__", "argparse", "csv", "pathlib", "numpy",
                                                          "openpyxl", "pandas"}


def test_every_summary_figure_is_recomputed(both):
    report, recomputed = both
    assert list(recomputed.index) == list(report.index)


@pytest.mark.parametrize("column", ["value", "previous"])
def test_the_report_agrees_with_the_recomputation_to_the_unit(both, column):
    report, recomputed = both
    for figure in recomputed.index:
        mine, theirs = report.loc[figure, column], recomputed.loc[figure, column]
        if np.isnan(theirs):
            assert np.isnan(mine), figure
            continue
        assert round(mine) == round(theirs), (figure, mine, theirs)
        # a figure that is a difference of sums of about 1e8 keeps float residue near 1e-8
        assert mine == pytest.approx(theirs, rel=1e-9, abs=1e-6), (figure, mine, theirs)


def test_the_recomputation_runs_as_a_script(sample_with_targets):
    done = subprocess.run([sys.executable, str(SCRIPT), str(sample_with_targets), "--month", MONTH],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = {line.split()[0]: line.split()[1:] for line in done.stdout.splitlines()[1:]}
    assert set(lines) == set(recompute_summary.FIGURES)
    assert pd.to_numeric(lines["revenue"][0].replace(",", "")) > 0
