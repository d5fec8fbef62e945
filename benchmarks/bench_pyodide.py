"""Excel on the web and on Mac (xlwings Lite, Pyodide) against desktop Python on the same machine.

    python benchmarks/bench_pyodide.py [--rows 100000] [--repeat 3]

Measures, once in CPython and once inside Pyodide 0.27.7 under Node (the Python xlwings Lite
runs; set up by ``.ci/pyodide/run``):

* the month-end scripts of the Lite edition on the small sample (validate, replenishment, risk
  review, targets, incentives, monthly summary), each on a workbook as Lite hands it to a
  script, the reading included;
* every ``DX_`` function of the generated ``main.py`` on ``--rows`` rows (the UDF benchmark's
  cases), called with its arguments as xlwings' converters hand them over;
* Pyodide's load time: the runtime with numpy, pandas and scipy, then importing the Lite code.

Prints each time on both, the ratio Pyodide / CPython (best of ``--repeat``), and writes
``benchmarks/results_pyodide.json``. Inside Pyodide (``--inside``) it only measures and prints
one JSON line.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests")]

MONTH, AS_OF, YEAR = "2026-10", "2026-10-31", 2027
SCRIPT_ARGS = {"validate_workbook": (), "replenishment_proposal": (AS_OF,), "risk_review": (MONTH,),
               "set_targets": (YEAR,), "incentive_statements": (MONTH,), "monthly_summary": (MONTH,)}


def best(run, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(fixture: Path, rows: int, repeat: int) -> dict:
    """Seconds per script and per function, here (whichever Python this is)."""
    started = time.perf_counter()
    from dealerxl.lite import scripts
    from dealerxl.lite.code import main_py
    from support.lite_book import LiteRuntime, StandInBook

    runtime = LiteRuntime(main_py("zh-Hant"))
    imported = time.perf_counter() - started
    snapshot = json.loads((fixture / "book.json").read_text(encoding="utf-8"))
    jobs = {s.function: s.run for s in scripts.SCRIPTS}
    script_seconds = {}
    for function, args in SCRIPT_ARGS.items():
        times = []
        for _ in range(repeat):
            book = StandInBook(snapshot)  # made before each run, as Lite makes it before calling the script
            started = time.perf_counter()
            jobs[function](book, *args)
            times.append(time.perf_counter() - started)
        script_seconds[function] = min(times)

    from suite import udfs

    function_seconds = {}
    for name, (args, _) in sorted(udfs.cases(rows).items()):
        function = runtime.functions[f"DX.{name[3:]}"]
        function_seconds[name] = best(lambda: function(*args), repeat)
    return {"python": sys.version.split()[0], "platform": sys.platform, "import_seconds": imported,
            "load_seconds": float(os.environ.get("DEALERXL_PYODIDE_LOAD_SECONDS", "nan")),
            "scripts": script_seconds, "functions": function_seconds}


def inside_pyodide(fixture: Path, rows: int, repeat: int) -> dict:
    work = ROOT / ".ci" / "pyodide"
    env = {**os.environ, "DEALERXL_BENCH_FIXTURE": str(fixture)}
    done = subprocess.run(["bash", str(work / "run"), "bench", "--rows", str(rows), "--repeat", str(repeat)],
                          capture_output=True, text=True, env=env, timeout=7200)
    if done.returncode != 0:
        sys.exit(f"the Pyodide run failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--inside", action="store_true", help="measure here and print JSON (used inside Pyodide)")
    args = parser.parse_args(argv)
    if args.inside:
        fixture = Path(os.environ["DEALERXL_BENCH_FIXTURE"])
        print(json.dumps(measure(fixture, args.rows, args.repeat)))
        return 0

    from support.lite_fixture import make

    fixture = make(ROOT / ".ci" / "pyodide" / "work" / "bench-fixture")
    native = measure(fixture, args.rows, args.repeat)
    pyodide = inside_pyodide(fixture, args.rows, args.repeat)
    results = {"rows": args.rows, "repeat": args.repeat, "cpython": native, "pyodide": pyodide,
               "ratios": {"scripts": {k: pyodide["scripts"][k] / native["scripts"][k] for k in native["scripts"]},
                          "functions": {k: pyodide["functions"][k] / native["functions"][k]
                                        for k in native["functions"]}}}
    total = {side: sum(results[side]["scripts"].values()) for side in ("cpython", "pyodide")}
    results["ratios"]["scripts_total"] = total["pyodide"] / total["cpython"]
    functions = {side: sum(results[side]["functions"].values()) for side in ("cpython", "pyodide")}
    results["ratios"]["functions_total"] = functions["pyodide"] / functions["cpython"]
    (HERE / "results_pyodide.json").write_text(json.dumps(results, indent=1), encoding="utf-8")

    print(f"{'script (small sample)':32} {'CPython s':>10} {'Pyodide s':>10} {'ratio':>7}")
    for name in native["scripts"]:
        print(f"{name:32} {native['scripts'][name]:10.3f} {pyodide['scripts'][name]:10.3f} "
              f"{results['ratios']['scripts'][name]:7.2f}")
    print(f"{'all scripts':32} {total['cpython']:10.3f} {total['pyodide']:10.3f} {results['ratios']['scripts_total']:7.2f}")
    print(f"\n{'function (' + format(args.rows, ',') + ' rows)':32} {'CPython s':>10} {'Pyodide s':>10} {'ratio':>7}")
    for name in native["functions"]:
        print(f"{name:32} {native['functions'][name]:10.4f} {pyodide['functions'][name]:10.4f} "
              f"{results['ratios']['functions'][name]:7.2f}")
    print(f"{'all functions':32} {functions['cpython']:10.4f} {functions['pyodide']:10.4f} "
          f"{results['ratios']['functions_total']:7.2f}")
    print(f"\nPyodide load (runtime, numpy, pandas, scipy): {pyodide['load_seconds']:.1f} s; "
          f"importing the Lite code: {pyodide['import_seconds']:.1f} s (CPython {native['import_seconds']:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
