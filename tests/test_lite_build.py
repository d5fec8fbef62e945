"""``dealerxl build --lite``: the Lite workbook, its buttons, main.py, requirements.txt and the wheel."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dealerxl.build.layout import CONFIG_SHEET, HELP_SHEET
from dealerxl.cli import main
from dealerxl.excel.functions import UDFS
from dealerxl.i18n import tr
from dealerxl.lite import scripts
from dealerxl.lite.build import CODE_DIR, WHEEL_DIR, build_lite
from dealerxl.lite.code import DEFAULT_WHEEL_URL, lite_name
from dealerxl.lite.wheel import wheel_name
from dealerxl.lite.workbook import LITE_NAME
from support.lite_book import LiteRuntime

ROOT = Path(__file__).resolve().parents[1]
LANG = "zh-Hant"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lite")
    build_lite(out, LANG)
    return out


def cell_values(path: Path) -> dict:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return {sheet.title: [[c.value for c in row] for row in sheet.iter_rows()] for sheet in book.worksheets}


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def test_committed_lite_edition_is_the_output_of_dealerxl_build_lite(built):
    assert cell_values(ROOT / LITE_NAME) == cell_values(built / LITE_NAME), "run `dealerxl build --lite` and commit"
    committed, fresh = parts(ROOT / LITE_NAME), parts(built / LITE_NAME)
    drawings = [name for name in fresh if name.startswith("xl/drawings/")]
    assert drawings and all(committed.get(name) == fresh[name] for name in drawings)
    for name in ("main.py", "requirements.txt"):
        assert (ROOT / CODE_DIR / name).read_text(encoding="utf-8") == (built / CODE_DIR / name).read_text(encoding="utf-8")


def test_the_lite_workbook_has_the_desktop_forms_index_and_settings_and_no_macros(built):
    from openpyxl import load_workbook

    lite, desktop = load_workbook(built / LITE_NAME), load_workbook(ROOT / "DealerWorkbook.xlsm")
    # xlwings.conf and the help sheet Excel's function dialog reads through the VBA project are the
    # desktop edition's own: Lite takes the help from main.py
    assert lite.sheetnames == [name for name in desktop.sheetnames if name not in (CONFIG_SHEET, HELP_SHEET)]
    for name in lite.sheetnames:
        assert sorted(lite[name].tables) == sorted(desktop[name].tables), name
    package = parts(built / LITE_NAME)
    assert "xl/vbaProject.bin" not in package and not any(name.startswith("customUI") for name in package)
    assert b"macroEnabled" not in package["[Content_Types].xml"]


def test_each_button_is_a_shape_named_and_linked_to_the_cell_its_script_names(built):
    package = parts(built / LITE_NAME)
    drawing = package["xl/drawings/drawing1.xml"].decode()
    links = dict(re.findall(r'Id="(rId\d+)" Type="[^"]+/hyperlink" Target="([^"]+)"',
                            package["xl/drawings/_rels/drawing1.xml.rels"].decode()))
    shapes = re.findall(r'<xdr:cNvPr id="\d+" name="([^"]+)"><a:hlinkClick [^>]*r:id="(rId\d+)"', drawing)
    index = tr("build.index_sheet", LANG)
    assert {name: links[rid] for name, rid in shapes} == {s.button: f"#'{index}'!{s.cell}" for s in scripts.SCRIPTS}
    anchors = re.findall(r"<xdr:from><xdr:col>(\d+)</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>(\d+)</xdr:row>", drawing)
    for (col, row), script in zip(anchors, scripts.SCRIPTS):  # the shape covers its linked cell
        assert f"{chr(65 + int(col))}{int(row) + 1}" == script.cell
    runtime = LiteRuntime((built / CODE_DIR / "main.py").read_text(encoding="utf-8"))
    assert {f.__lite_script__["button"] for f in runtime.scripts.values()} == \
        {f"[{s.button}]{index}!{s.cell}" for s in scripts.SCRIPTS}


# What the desktop decorators declare for each argument, recorded in a fresh interpreter with
# xlwings' arg decorator replaced by a recorder (outside Windows the real one records nothing).
RECORD_DECLARATIONS = """
import json, sys, xlwings
declared = {}
def arg(name, convert=None, **options):
    def record(function):
        declared.setdefault(function.__name__, {})[name] = {"convert": getattr(convert, "__name__", None), **options}
        return function
    return record
xlwings.arg = arg
from dealerxl.excel.functions import UDFS
print(json.dumps({name: declared.get(name, {}) for name in UDFS}, default=repr))
"""


def test_main_py_declares_each_argument_as_the_desktop_edition_does(built):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", RECORD_DECLARATIONS], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    desktop = json.loads(done.stdout)
    runtime = LiteRuntime((built / CODE_DIR / "main.py").read_text(encoding="utf-8"))
    for name in UDFS:
        lite = runtime.functions[f"DX.{lite_name(name)}"].__lite_args__
        lite = {arg: {"convert": getattr(d.get("convert"), "__name__", None),
                      **{k: v for k, v in d.items() if k not in ("convert", "doc")}}
                for arg, d in lite.items() if d.get("convert") is not None or set(d) - {"convert", "doc"}}
        assert lite == desktop[name], name


def test_requirements_name_xlwings_as_pinned_and_the_wheel_at_its_url(tmp_path):
    build_lite(tmp_path, LANG, "https://intranet.example.org/python/")
    lines = (tmp_path / CODE_DIR / "requirements.txt").read_text().splitlines()
    pinned = re.search(r'"(xlwings==[^"]+)"', (ROOT / "pyproject.toml").read_text()).group(1)
    assert lines == [pinned, f"https://intranet.example.org/python/{wheel_name()}"]
    committed = (ROOT / CODE_DIR / "requirements.txt").read_text().splitlines()
    assert committed[1].startswith(DEFAULT_WHEEL_URL)


def test_the_wheel_is_the_same_bytes_from_the_same_source_and_names_only_the_core(built, tmp_path):
    wheel = built / WHEEL_DIR / wheel_name()
    again = build_lite(tmp_path, LANG)[-1]
    assert wheel.read_bytes() == again.read_bytes()
    with zipfile.ZipFile(wheel) as package:
        info = f"dealerxl-{wheel_name().split('-')[1]}.dist-info"
        metadata = package.read(f"{info}/METADATA").decode()
        assert [line.split(": ")[1].split("=")[0].rstrip("<>") for line in metadata.splitlines()
                if line.startswith("Requires-Dist")] == ["numpy", "pandas", "scipy", "xlwings"]
        for line in package.read(f"{info}/RECORD").decode().splitlines():
            name, digest, size = line.split(",")
            if digest:
                data = package.read(name)
                assert digest == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                assert int(size) == len(data)
        names = package.namelist()
        assert "dealerxl/lite/functions.py" in names and "dealerxl/i18n/lite.tsv" in names
        assert not any("__pycache__" in name for name in names)


def test_dealerxl_build_lite_on_the_command_line(tmp_path, capsys):
    assert main(["build", "--lite", "--out", str(tmp_path), "--wheel-url", "https://files.example.org/dx/"]) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [str(tmp_path / LITE_NAME), str(tmp_path / CODE_DIR / "main.py"),
                       str(tmp_path / CODE_DIR / "requirements.txt"), str(tmp_path / WHEEL_DIR / wheel_name())]
    assert "https://files.example.org/dx/" in (tmp_path / CODE_DIR / "requirements.txt").read_text()
