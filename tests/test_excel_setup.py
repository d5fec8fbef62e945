"""First open on a real PC: the xlwings.conf sheet holds only keys with a value, and
``dealerxl excel setup`` records the interpreter (workbook or user settings) and checks
xlwings' DLL (Windows) or RunPython's AppleScript (macOS), saying what it did."""
from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
import xlsxwriter
from openpyxl import load_workbook

from dealerxl.book.in_place import excel_owner_file
from dealerxl.book.package_parts import finish_package, sheet_parts
from dealerxl.cli import main
from dealerxl.excel import config_sheet
from dealerxl.excel.config_sheet import CONFIG_SHEET, ConfigSheetRefused, read_config_sheet, update_config_sheet
from dealerxl.excel.setup import setup_excel, user_config_file, write_user_config
from dealerxl.i18n import tr

MASTER = Path(__file__).resolve().parents[1] / "DealerWorkbook.xlsm"
VERSION = "0.37.8"  # the xlwings version pinned in pyproject.toml, whose VBA the workbook holds


@pytest.fixture
def master(tmp_path) -> Path:
    return Path(shutil.copy(MASTER, tmp_path / "DealerWorkbook.xlsm"))


@pytest.fixture
def venv(tmp_path) -> Path:
    """A Windows virtual environment's layout: python.exe in Scripts, pip's data files at the root."""
    scripts = tmp_path / "venv" / "Scripts"
    scripts.mkdir(parents=True)
    (scripts / "python.exe").write_bytes(b"MZ")
    return scripts / "python.exe"


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()}


def with_old_config_sheet(path: Path) -> Path:
    """``path`` as the builds before wrote it: blank Interpreter_Win and Interpreter_Mac rows first."""
    part = sheet_parts(path)[CONFIG_SHEET]
    rows = [("Interpreter_Win", ""), ("Interpreter_Mac", ""), *read_config_sheet(path)]
    copy = path.with_name("old-" + path.name)
    shutil.copyfile(path, copy)
    finish_package(path, copy, {part: lambda data: [config_sheet._with_rows(data.decode(), rows).encode()]})
    return Path(shutil.move(copy, path))


def test_the_built_workbook_has_no_blank_keys_in_xlwings_conf():
    rows = read_config_sheet(MASTER)
    assert ("UDF Modules", "dealerxl.excel.functions") in rows
    assert all(key and value for key, value in rows)
    assert not [key for key, _ in rows if key.lower().startswith("interpreter")]
    every_cell = [row for row in load_workbook(MASTER)[CONFIG_SHEET].iter_rows(values_only=True)]
    assert all(value not in (None, "") for row in every_cell for value in row)


def test_setup_records_the_interpreter_in_the_sheet_and_changes_nothing_else(master, venv):
    before = parts(master)
    (venv.parent.parent / f"xlwings64-{VERSION}.dll").write_bytes(b"dll")
    (venv.parent.parent / f"xlwings32-{VERSION}.dll").write_bytes(b"dll")
    report = setup_excel(master, lang="en", platform="windows", interpreter=str(venv))
    assert report.problems == 0 and report.recorded
    assert ("Interpreter_Win", str(venv)) in read_config_sheet(master)
    assert read_config_sheet(master)[-1] == ("Interpreter_Win", str(venv))
    after = parts(master)
    conf = sheet_parts(master)[CONFIG_SHEET]
    assert set(after) == set(before)
    assert {n for n in before if before[n] != after[n]} == {conf}  # macros, ribbon, every other sheet: same bytes
    assert load_workbook(master, keep_vba=True)[CONFIG_SHEET]["B4"].value == str(venv)
    backups = list((master.parent / ".dealerxl-backup").iterdir())
    assert len(backups) == 1 and backups[0].read_bytes() == MASTER.read_bytes()
    assert any(str(backups[0]) in line for line in report.lines)
    assert report.lines[0] == tr("msg.excel_setup.recorded_sheet", "en", setting="Interpreter_Win", value=str(venv),
                                 file=master.name)


def test_setup_of_an_older_workbook_drops_its_blank_interpreter_rows(master, venv):
    with_old_config_sheet(master)
    assert ("Interpreter_Mac", "") in read_config_sheet(master)
    report = setup_excel(master, lang="en", platform="windows", interpreter=str(venv))
    rows = read_config_sheet(master)
    assert dict(rows)["Interpreter_Win"] == str(venv)
    assert "Interpreter_Mac" not in dict(rows) and all(value for _, value in rows)
    assert tr("msg.excel_setup.removed_blank", "en", setting="Interpreter_Mac") in report.lines


def test_running_setup_twice_changes_nothing_the_second_time(master, venv):
    setup_excel(master, lang="en", platform="windows", interpreter=str(venv))
    written = master.read_bytes()
    report = setup_excel(master, lang="en", platform="windows", interpreter=str(venv))
    assert master.read_bytes() == written
    assert report.lines[0] == tr("msg.excel_setup.unchanged", "en", setting="Interpreter_Win", value=str(venv),
                                 file=master.name)


def test_a_workbook_open_in_excel_is_refused_and_left_alone(master, venv):
    master.with_name("~$" + master.name).write_bytes(excel_owner_file("Chen Wei"))
    before = master.read_bytes()
    with pytest.raises(ConfigSheetRefused) as refused:
        setup_excel(master, lang="en", platform="windows", interpreter=str(venv))
    assert refused.value.key == "msg.excel_setup.open_in_excel" and refused.value.fields["owner"] == "Chen Wei"
    assert master.read_bytes() == before
    assert not (master.parent / ".dealerxl-backup").exists()


def test_a_workbook_without_the_config_sheet_is_refused(tmp_path, venv):
    path = tmp_path / "other.xlsm"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Data")
    book.close()
    before = path.read_bytes()
    with pytest.raises(ConfigSheetRefused) as refused:
        update_config_sheet(path, {"Interpreter_Win": str(venv)})
    assert refused.value.key == "msg.excel_setup.no_config_sheet"
    assert path.read_bytes() == before


def test_the_dll_is_found_next_to_a_standard_installs_python(master, tmp_path):
    python = tmp_path / "Python311" / "python.exe"
    python.parent.mkdir()
    python.write_bytes(b"MZ")
    for bits in ("64", "32"):
        (python.parent / f"xlwings{bits}-{VERSION}.dll").write_bytes(b"dll")
    report = setup_excel(master, lang="en", platform="windows", interpreter=str(python))
    assert tr("msg.excel_setup.dll_found", "en", dll=f"xlwings64-{VERSION}.dll", bits="64-bit",
              folder=str(python.parent)) in report.lines
    assert report.problems == 0


def test_a_missing_dll_is_a_problem_that_names_both_folders_and_the_pip_command(master, venv):
    report = setup_excel(master, lang="en", platform="windows", interpreter=str(venv))
    assert report.problems == 2
    missing = [line for line in report.lines if f"xlwings64-{VERSION}.dll" in line][0]
    assert str(venv.parent) in missing and str(venv.parent.parent) in missing
    assert f"{venv} -m pip install xlwings=={VERSION}" in missing


def test_an_interpreter_of_another_computer_is_recorded_without_looking_for_its_dll(master):
    report = setup_excel(master, lang="en", platform="windows", interpreter=r"C:\Users\lin\venv\Scripts\python.exe")
    assert dict(read_config_sheet(master))["Interpreter_Win"] == r"C:\Users\lin\venv\Scripts\python.exe"
    assert tr("msg.excel_setup.dll_not_checked", "en", interpreter=r"C:\Users\lin\venv\Scripts\python.exe") in report.lines


def test_user_settings_are_written_as_xlwings_reads_them_keeping_other_lines(tmp_path, venv, monkeypatch):
    import xlwings
    from xlwings.utils import read_user_config

    target = user_config_file("windows", tmp_path)
    target.parent.mkdir(parents=True)
    target.write_text('"INTERPRETER_WIN","C:\\old\\python.exe"\n"SHOW CONSOLE","True"\n', encoding="utf-8")
    report = setup_excel(None, lang="en", platform="windows", interpreter=str(venv), user_config=True, home=tmp_path)
    monkeypatch.setattr(xlwings, "USER_CONFIG_FILE", str(target))
    assert read_user_config() == {"interpreter_win": str(venv), "show console": "True"}
    assert report.lines[0] == tr("msg.excel_setup.recorded_user", "en", setting="INTERPRETER_WIN", value=str(venv),
                                 file=str(target))
    assert not write_user_config(target, "Interpreter_Win", str(venv))


def test_user_settings_warn_when_the_workbook_sheet_overrides_them(master, tmp_path, venv):
    setup_excel(master, lang="en", platform="windows", interpreter="C:\\other\\python.exe")
    report = setup_excel(master, lang="en", platform="windows", interpreter=str(venv), user_config=True, home=tmp_path)
    assert tr("msg.excel_setup.sheet_overrides", "en", file=master.name, setting="Interpreter_Win",
              value="C:\\other\\python.exe") in report.lines


def test_on_macos_setup_says_the_functions_do_not_run_and_checks_runpythons_applescript(tmp_path, venv):
    folder = tmp_path / "資料"
    folder.mkdir()
    book = Path(shutil.copy(MASTER, folder / "DealerWorkbook.xlsm"))
    report = setup_excel(book, lang="en", platform="mac", interpreter=str(venv), home=tmp_path)
    assert dict(read_config_sheet(book))["Interpreter_Mac"] == str(venv)
    assert tr("msg.excel_setup.mac_functions", "en") in report.lines
    scripts = tmp_path / "Library" / "Application Scripts" / "com.microsoft.Excel"
    assert tr("msg.excel_setup.applescript_missing", "en", file=f"xlwings-{VERSION}.applescript",
              folder=str(scripts)) in report.lines
    assert any("non-ASCII" in line for line in report.lines)
    assert report.problems == 2
    scripts.mkdir(parents=True)
    (scripts / f"xlwings-{VERSION}.applescript").write_text("script")
    assert setup_excel(book, lang="en", platform="mac", interpreter=str(venv), home=tmp_path).problems == 1


def test_the_command_prints_what_it_did_in_the_workbooks_language_with_its_exit_codes(master, venv, capsys):
    assert main(["excel", "setup", str(master), "--for", "windows", "--interpreter", str(venv)]) == 1
    out, err = capsys.readouterr()
    assert tr("msg.excel_setup.recorded_sheet", "zh-Hant", setting="Interpreter_Win", value=str(venv),
              file=master.name) in out
    assert tr("msg.excel_setup.problems_left", "zh-Hant", count=2) in err
    for bits in ("64", "32"):
        (venv.parent.parent / f"xlwings{bits}-{VERSION}.dll").write_bytes(b"dll")
    assert main(["excel", "setup", str(master), "--for", "windows", "--interpreter", str(venv), "--lang", "en"]) == 0
    assert tr("msg.excel_setup.done", "en") in capsys.readouterr().out
    master.with_name("~$" + master.name).write_bytes(excel_owner_file("Lin"))
    assert main(["excel", "setup", str(master), "--for", "windows", "--interpreter", str(venv), "--lang", "en"]) == 2
    assert tr("msg.excel_setup.open_in_excel", "en", file=master.name, owner="Lin") in capsys.readouterr().err


def test_without_excel_on_this_computer_and_no_platform_given_nothing_is_recorded(master, capsys, monkeypatch):
    monkeypatch.setattr("dealerxl.excel.setup.this_platform", lambda: None)
    before = master.read_bytes()
    assert main(["excel", "setup", str(master), "--lang", "en"]) == 2
    assert tr("msg.excel_setup.no_platform", "en") in capsys.readouterr().err
    assert master.read_bytes() == before
