"""``dealerxl check WORKBOOK``: read every form, validate it, list every problem.

Each problem prints as ``sheet!cell: reason`` in the workbook's language (or ``--lang``).
Exit code 0 when the workbook is clean, 1 when a form has problems, 2 when the file cannot
be read at all (missing, not a workbook, damaged, password-protected), as for every
command. The file is only read.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from dealerxl.i18n import LANGS


def register(subparsers) -> None:
    parser = subparsers.add_parser("check", help="validate every form of a workbook and list the problems")
    parser.add_argument("workbook", type=Path, help="the workbook (.xlsm / .xlsx) to check")
    parser.add_argument("--lang", choices=LANGS, help="language of the messages (default: the workbook's)")
    parser.add_argument("--json", action="store_true", help="print the problems as JSON")
    parser.set_defaults(func=run)


def run(args) -> int:
    from dealerxl.book import read_workbook
    from dealerxl.i18n import tr

    from dealerxl.cli._language import args_language

    result = read_workbook(args.workbook, lang=args.lang)
    problems = result.problems
    lang = args_language(args) if result.file_problems else result.lang
    if args.json:
        json.dump({"workbook": str(args.workbook), "lang": lang, "ok": not problems,
                   "problems": [p.as_dict(lang) for p in problems]}, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        for problem in problems:
            print(problem.message(lang))
        summary = ("check_summary", {"count": len(problems)}) if problems else ("check_clean", {})
        print(tr(f"msg.{summary[0]}", lang, file=args.workbook.name, **summary[1]),
              file=sys.stderr if problems else sys.stdout)
    if result.file_problems:
        return 2
    return 1 if problems else 0
