"""``dealerxl excel setup``: make a PC's Excel find this Python, and check what it needs.

The workbook's VBA (xlwings' module) starts the Python named by ``Interpreter_Win`` /
``Interpreter_Mac``: first from the workbook's ``xlwings.conf`` sheet, else from the user's
xlwings settings file, else ``pythonw``/``python`` on the PATH, where a venv or conda
Python usually is not. Setup records the interpreter it runs under (or ``--interpreter``)
in one of those two places and then checks, for Windows, that xlwings' DLL of the version
the workbook's VBA was built with is where that VBA loads it from (the interpreter's folder,
then the folder above it, as a venv has it), and for macOS that RunPython's AppleScript is
installed. Every step is reported as a line in the workbook's language.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from dealerxl.i18n import tr

from .config_sheet import ConfigSheetRefused, read_config_sheet, update_config_sheet

PLATFORM_KEYS = {"windows": "Interpreter_Win", "mac": "Interpreter_Mac"}
DLLS = (("xlwings64-{version}.dll", "64-bit"), ("xlwings32-{version}.dll", "32-bit"))


@dataclass
class SetupReport:
    """What setup did and found: ``lines`` to print, ``problems`` still left (DLL missing…),
    and whether the interpreter was ``recorded``."""

    lang: str
    lines: list[str] = field(default_factory=list)
    problems: int = 0
    recorded: bool = False

    def say(self, message: str, /, **fields) -> None:
        self.lines.append(tr(message, self.lang, **fields))

    def problem(self, message: str, /, **fields) -> None:
        self.say(message, **fields)
        self.problems += 1


def this_platform() -> str | None:
    """``windows`` or ``mac`` when Excel can run here, else None."""
    if sys.platform.startswith("win"):
        return "windows"
    if sys.platform == "darwin":
        return "mac"
    return None


def workbook_xlwings_version(path: Path) -> str | None:
    """The xlwings version of the VBA inside the workbook (its ``XLWINGS_VERSION``), None
    when the workbook holds no xlwings module."""
    from pyopenvba import ExcelFile
    from pyopenvba.exceptions import PyOpenVBAError

    try:
        with ExcelFile(path) as book:
            source = book.get_module("xlwings")
    except (KeyError, PyOpenVBAError):
        return None
    found = re.search(r'XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]+)"', source or "")
    return found.group(1) if found else None


def user_config_file(platform: str, home: Path | None = None) -> Path:
    """Where xlwings' VBA looks for the user's settings (``GetConfigFilePath`` in xlwings.bas)."""
    home = home or Path.home()
    if platform == "mac":
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "xlwings.conf"
    return home / ".xlwings" / "xlwings.conf"


def write_user_config(path: Path, key: str, value: str) -> bool:
    """Set ``key`` in an xlwings settings file (lines of ``"KEY","VALUE"``, the format
    xlwings' ``config create`` writes and its VBA reads), keeping its other lines; True
    when the file changed."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    kept = [line for line in old.splitlines() if not re.match(rf'\s*"{re.escape(key)}"\s*,', line, re.IGNORECASE)]
    new = "\n".join([*kept, f'"{key.upper()}","{value}"']) + "\n"
    if new == old:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new, encoding="utf-8")
    return True


def setup_excel(workbook: Path | None, *, lang: str, platform: str | None = None, interpreter: str | None = None,
                user_config: bool = False, home: Path | None = None) -> SetupReport:
    """Record the interpreter for ``platform`` (default: this computer's) in ``workbook``'s
    xlwings.conf sheet, or with ``user_config`` in the user's xlwings settings; then check
    the DLL (Windows) or the AppleScript (macOS). Raises :class:`ConfigSheetRefused` when
    nothing could be recorded."""
    report = SetupReport(lang)
    platform = platform or this_platform()
    if platform is None:
        raise ConfigSheetRefused("msg.excel_setup.no_platform")
    interpreter = interpreter or sys.executable
    here = Path(interpreter).is_file()
    if not here and platform == this_platform():
        raise ConfigSheetRefused("msg.excel_setup.no_interpreter", interpreter=interpreter)
    key = PLATFORM_KEYS[platform]
    if workbook is not None and not workbook.is_file():
        raise ConfigSheetRefused("msg.excel_setup.not_found", file=str(workbook))
    if user_config:
        _record_for_user(report, workbook, platform, key, interpreter, home)
    else:
        if workbook is None:
            raise ConfigSheetRefused("msg.excel_setup.no_workbook")
        _record_in_workbook(report, workbook, key, interpreter)
    version = (workbook_xlwings_version(workbook) if workbook is not None else None) or _installed_xlwings()
    if platform == "windows":
        _check_dll(report, Path(interpreter), version, here)
    else:
        _check_mac(report, workbook, version, home)
    return report


def _installed_xlwings() -> str:
    import xlwings

    return xlwings.__version__


def _record_in_workbook(report: SetupReport, workbook: Path, key: str, interpreter: str) -> None:
    update = update_config_sheet(workbook, {key: interpreter})
    report.recorded = True
    for removed in update.removed_blank:
        report.say("msg.excel_setup.removed_blank", setting=removed)
    if update.changed:
        report.say("msg.excel_setup.recorded_sheet", setting=key, value=interpreter, file=workbook.name)
    else:
        report.say("msg.excel_setup.unchanged", setting=key, value=interpreter, file=workbook.name)
    if update.backup is not None:
        report.say("msg.excel_setup.backup", backup=str(update.backup))


def _record_for_user(report: SetupReport, workbook: Path | None, platform: str, key: str, interpreter: str,
                     home: Path | None) -> None:
    target = user_config_file(platform, home)
    changed = write_user_config(target, key, interpreter)
    report.recorded = True
    report.say("msg.excel_setup.recorded_user" if changed else "msg.excel_setup.unchanged",
               setting=key.upper(), value=interpreter, file=str(target))
    if workbook is not None:
        sheet = {k.casefold(): v for k, v in read_config_sheet(workbook) or []}
        if sheet.get(key.casefold()):
            report.problem("msg.excel_setup.sheet_overrides", file=workbook.name, setting=key,
                           value=sheet[key.casefold()])


def _check_dll(report: SetupReport, interpreter: Path, version: str, here: bool) -> None:
    """xlwings.bas (``XLPyLoadDLL``) loads the DLL from the interpreter's folder, then from
    the folder above it; pip installs it into the environment's root (``sys.prefix``)."""
    if not here:
        report.say("msg.excel_setup.dll_not_checked", interpreter=str(interpreter))
        return
    folders = (interpreter.parent, interpreter.parent.parent)
    for pattern, bits in DLLS:
        dll = pattern.format(version=version)
        found = next((folder for folder in folders if (folder / dll).is_file()), None)
        if found is not None:
            report.say("msg.excel_setup.dll_found", dll=dll, bits=bits, folder=str(found))
        else:
            report.problem("msg.excel_setup.dll_missing", dll=dll, bits=bits, first=str(folders[0]),
                           second=str(folders[1]), version=version, interpreter=str(interpreter))


def _check_mac(report: SetupReport, workbook: Path | None, version: str, home: Path | None) -> None:
    report.say("msg.excel_setup.mac_functions")
    folder = (home or Path.home()) / "Library" / "Application Scripts" / "com.microsoft.Excel"
    script = f"xlwings-{version}.applescript"
    if (folder / script).is_file():
        report.say("msg.excel_setup.applescript_found", file=script, folder=str(folder))
    else:
        report.problem("msg.excel_setup.applescript_missing", file=script, folder=str(folder))
    if workbook is not None and not str(workbook.resolve()).isascii():
        report.problem("msg.excel_setup.ascii_path", path=str(workbook.resolve()))
