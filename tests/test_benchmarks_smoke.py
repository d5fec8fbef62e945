"""The benchmark suite runs end to end on tiny data, so it cannot rot between full runs."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench")
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--no-libreoffice",
                           "--out", str(folder / "results.json"), "--cache", str(folder / "cache")],
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((folder / "results.json").read_text(encoding="utf-8")), done.stdout


def test_quick_benchmark_times_every_job_present_as_read_compute_and_write(quick_results):
    results, _ = quick_results
    (scale,) = results["scales"]
    assert scale["jobs"], scale["notes"]
    assert not [note for note in scale["notes"] if "failed" in note]
    for name, job in scale["jobs"].items():
        assert min(job["read_s"], job["compute_s"], job["write_s"], job["floor_s"]) >= 0, name
        assert job["peak_mb"] > 0 and job["forms_read"] > 0, name
    assert {"validate", "risk"} <= set(scale["jobs"])


def test_quick_benchmark_checks_each_udf_case_against_its_numpy_expression(quick_results):
    results, _ = quick_results
    cases = results["udf"]["results"]
    assert cases
    for name, by_rows in cases.items():
        assert all(point["agree"] for point in by_rows.values()), name


def test_quick_benchmark_prints_a_verdict_for_every_target(quick_results):
    results, printed = quick_results
    assert len(results["verdicts"]) == 5
    for name in results["verdicts"]:
        assert name in printed


def test_updating_the_udf_part_keeps_the_rest_of_a_run(quick_results, tmp_path):
    results, _ = quick_results
    earlier = tmp_path / "results.json"
    earlier.write_text(json.dumps(results), encoding="utf-8")
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--update-udf", "--udf-rows", "300",
                           "--out", str(earlier)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    updated = json.loads(earlier.read_text(encoding="utf-8"))
    assert updated["scales"] == results["scales"] and updated["native"] == results["native"]
    assert {tuple(by_rows) for by_rows in updated["udf"]["results"].values()} == {("300",)}
    assert "at 300 rows" in done.stdout and "UDF overhead <= 20 % at 300 rows" in done.stdout


@pytest.mark.libreoffice
def test_native_formulas_give_the_same_numbers_as_dealerxl():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from suite.data import QUICK_SCALE
    from suite.native import compare

    from dealerxl.sample import DEFAULT_END

    point = compare(QUICK_SCALE, DEFAULT_END)
    assert point["formula_cells"] > 0
    for aggregation, difference in point["max_abs_difference"].items():
        assert difference < 0.01, aggregation


def test_collect_benchmark_runs_on_twenty_files_and_reports_files_per_second():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    env.pop("DEALERXL_TEST_POSTGRES_URL", None)  # the SQLite run is enough to keep the script alive
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_collect.py"), "--files", "20",
                           "--skus", "5"], capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "read only" in done.stdout and "collect sqlite" in done.stdout
    assert done.stdout.count("files/s") == 3  # read only, collect with child processes, collect in process


def test_report_benchmark_splits_the_small_report_into_read_calculate_and_write(tmp_path):
    out = tmp_path / "report.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_report.py"), "--size", "small",
                           "--json", str(out)], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    numbers = json.loads(out.read_text(encoding="utf-8"))
    assert min(numbers["read_s"], numbers["calculate_s"], numbers["write_s"],
               numbers["read_floor_s"], numbers["write_floor_s"]) >= 0
    assert numbers["rows_read"] > 0 and numbers["output_rows"] > 0 and not numbers["missing_parts"]
    assert "calculate" in done.stdout


def test_replenish_job_benchmark_splits_the_small_run_into_read_calculate_and_write(tmp_path):
    out = tmp_path / "replenish.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_replenish_job.py"), "--size", "small",
                           "--json", str(out)], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    numbers = json.loads(out.read_text(encoding="utf-8"))
    assert min(numbers["baseline_s"], numbers["read_s"], numbers["calculate_s"], numbers["write_s"],
               numbers["whole_s"]) >= 0
    assert numbers["rows_read"] > 0 and numbers["positions"] > 0 and numbers["cells_read_baseline"] > 0
    for step in ("baseline (raw read)", "read + validate", "calculate", "write report", "whole job", "calculate / read"):
        assert step in done.stdout, step


def test_sales_job_benchmark_times_analysis_targets_and_incentives_on_the_small_sample(tmp_path):
    out = tmp_path / "sales.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_sales_job.py"), "--size", "small",
                           "--json", str(out)], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    numbers = json.loads(out.read_text(encoding="utf-8"))
    assert min(numbers["baseline_s"], numbers["read_s"], numbers["sales_analysis_s"], numbers["targets_s"],
               numbers["incentives_s"], numbers["whole_s"]) >= 0
    assert numbers["analysis_tables"] == 10 and numbers["target_rows"] > 0 and numbers["payees"] > 0
    for step in ("sales analysis", "target allocation", "incentives", "whole", "calculations / read"):
        assert step in done.stdout, step


def test_a_cached_sample_made_by_other_code_is_removed_not_reused(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from suite.data import forget_other_workbooks, workbook_path

    current = workbook_path(1.0, tmp_path)
    others = ["sample-x1.xlsm", "sample-x1-0123456789.xlsm", "sample-x0.5.xlsm", "sample-x10.xlsm", "sample-x1.sqlite"]
    for name in [*others, current.name]:
        (tmp_path / name).write_bytes(b"")
    assert current.name.startswith("sample-x1-") and current.name != "sample-x1-0123456789.xlsm"
    removed = forget_other_workbooks(1.0, tmp_path)
    assert sorted(p.name for p in removed) == ["sample-x1-0123456789.xlsm", "sample-x1.xlsm"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["sample-x0.5.xlsm", "sample-x10.xlsm", "sample-x1.sqlite", current.name])
