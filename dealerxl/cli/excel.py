"""dealerxl excel setup [WORKBOOK]: make this PC's Excel start this Python.

Records the interpreter the command runs under (or --interpreter) as
Interpreter_Win / Interpreter_Mac in the workbook's xlwings.conf sheet, or with
--user-config in the user's xlwings settings (better for a workbook several people
share), then checks that xlwings' DLL of the workbook's version is where the workbook's VBA
loads it from (Windows) or that RunPython's AppleScript is installed (macOS).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dealerxl.i18n import LANGS

EPILOG = ("exit codes:\n"
          "  0  recorded, and everything Excel needs was found\n"
          "  1  recorded, but something is missing (listed: the DLL, the AppleScript…)\n"
          "  2  nothing was recorded (the workbook is open in Excel, has no xlwings.conf sheet, …)")


def register(subparsers) -> None:
    parser = subparsers.add_parser("excel", help="set up Excel on this computer to run the workbook's Python")
    commands = parser.add_subparsers(dest="excel_command", metavar="COMMAND")
    setup = commands.add_parser(
        "setup", help="record this Python for Excel and check xlwings' DLL",
        description=__doc__.split("\n\n", 1)[1], epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    setup.add_argument("workbook", type=Path, nargs="?", help="the workbook (DealerWorkbook.xlsm) to set up")
    setup.add_argument("--user-config", action="store_true",
                       help="record in your own xlwings settings instead of the workbook")
    setup.add_argument("--interpreter", help="the Python Excel should start (default: the one running this command)")
    setup.add_argument("--for", dest="platform", choices=("windows", "mac"),
                       help="the system Excel runs on (default: this computer's)")
    setup.add_argument("--lang", choices=LANGS, help="language of the messages (default: the workbook's)")
    setup.set_defaults(func=run_setup)
    parser.set_defaults(func=lambda args: parser.print_help() or 2)


def run_setup(args) -> int:
    import sys as _sys

    from dealerxl.excel.config_sheet import ConfigSheetRefused
    from dealerxl.excel.setup import setup_excel
    from dealerxl.cli._language import args_language
    from dealerxl.i18n import tr

    lang = args_language(args)
    print(tr("msg.excel_setup.interpreter", lang, interpreter=args.interpreter or _sys.executable))
    try:
        report = setup_excel(args.workbook, lang=lang, platform=args.platform, interpreter=args.interpreter,
                             user_config=args.user_config)
    except ConfigSheetRefused as refused:
        print(tr(refused.key, lang, **refused.fields), file=sys.stderr)
        return 2
    for line in report.lines:
        print(line)
    if report.problems:
        print(tr("msg.excel_setup.problems_left", lang, count=report.problems), file=sys.stderr)
        return 1
    print(tr("msg.excel_setup.done", lang))
    return 0
