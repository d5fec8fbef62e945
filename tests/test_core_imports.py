"""The core runs anywhere: what Excel on the web and on Mac (xlwings Lite, Pyodide) imports.

Pyodide has numpy, pandas and scipy, and xlwings' pure-Python package, but no python-calamine,
fastexcel, openpyxl, XlsxWriter, psycopg, no loaded sqlite3 and no COM. The calculations, the
functions, the form declarations, the translations, the reading and validation of an open
workbook and the jobs the Lite scripts run must import without any of them; the modules that
read or write files, the history store and Excel's COM parts are imported only where used.
Each check runs in a fresh interpreter, so nothing imported by another test hides a leak.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# A name ending in ".*" stands for the package and every module in it.
CORE = [
    "dealerxl.calc.*",
    "dealerxl.excel.functions.*",
    "dealerxl.forms.*",
    "dealerxl.i18n",
    "dealerxl.book",
    "dealerxl.excel.live",
    "dealerxl.jobs.replenish",
    "dealerxl.jobs.risk",
    "dealerxl.jobs.targets",
    "dealerxl.jobs.incentives",
    "dealerxl.report.monthly",
    # what the generated main.py of the xlwings Lite edition imports, and what its scripts import when run
    "dealerxl.lite.functions",
    "dealerxl.lite.scripts",
    "dealerxl.excel.actions.validate",
    "dealerxl.cli.incentives",
    "dealerxl.report.workbook",
]

# Top-level packages the core must not load, and modules of ours and of xlwings likewise.
FORBIDDEN_PACKAGES = {"python_calamine", "fastexcel", "openpyxl", "xlsxwriter", "psycopg", "psycopg_binary",
                      "sqlite3", "_sqlite3", "pyopenvba", "tqdm", "win32com", "pythoncom", "pywintypes",
                      "appscript", "aem"}
# The store's drivers; its pure parts (the schema a table's periods are merged by) may load.
FORBIDDEN_MODULES = {"dealerxl.store.sqlite", "dealerxl.store.postgres",
                     "dealerxl.book.write_into", "dealerxl.build",
                     "xlwings._xlwindows", "xlwings._xlmac", "xlwings.com_server",
                     "xlwings.udfs"}

PROBE = """
import importlib, json, pkgutil, sys
names = json.loads(sys.argv[1])
for name in names:
    every = name.endswith(".*")
    module = importlib.import_module(name.removesuffix(".*"))
    if every:
        for info in pkgutil.walk_packages(module.__path__, module.__name__ + "."):
            importlib.import_module(info.name)
print(json.dumps(sorted(sys.modules)))
"""


def loaded_modules(*names: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(names))], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def leaks(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in FORBIDDEN_PACKAGES
                  or any(m == f or m.startswith(f + ".") for f in FORBIDDEN_MODULES))


@pytest.mark.parametrize("name", CORE)
def test_the_core_imports_without_file_readers_writers_the_store_or_com(name):
    assert leaks(loaded_modules(name)) == []


def test_the_probe_sees_a_leak():
    """The check itself finds what the desktop edition loads (so an empty list above means something)."""
    found = leaks(loaded_modules("dealerxl.store.sqlite", "dealerxl.build.workbook"))
    assert {"sqlite3", "xlsxwriter", "dealerxl.store.sqlite", "dealerxl.build"} <= set(found)
