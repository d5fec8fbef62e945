"""``dealerxl incentives WORKBOOK --month YYYY-MM``: the Incentives job without Excel.

Writes a NEW statement workbook (the input is only read): a summary sheet, one row per
payee, and one sheet per payee with every payout line and the invoice, period, tier and
rate it comes from.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from dealerxl.i18n import LANGS

EPILOG = """exit codes:
  0  the statements were written and the input had no problems
  1  the statements were written, but some input rows had problems: they are listed
     (sheet!cell: reason) and were left out of the calculation
  2  nothing was written: the workbook cannot be read, the month is not valid, or the
     incentives cannot be worked out from it (the reason is printed)"""


def register(subparsers) -> None:
    import argparse

    parser = subparsers.add_parser(
        "incentives", help="incentive statements of a month: one sheet per payee and a summary",
        description="Commission, accelerator, cap cut, clawbacks (returns and write-offs at the original rate) and "
                    "draws per payee for the month, saved as a new statement workbook; the input is never changed.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workbook", type=Path, help="the workbook (.xlsm / .xlsx) to work the incentives out from")
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="the statement month")
    parser.add_argument("--out", type=Path,
                        help="the workbook to write (default: reports/<statement>_<month>.xlsx next to WORKBOOK)")
    parser.add_argument("--json", action="store_true", help="print what was done as JSON")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser.add_argument("--lang", choices=LANGS, help="language of the statements and messages (default: the workbook's)")
    parser.set_defaults(func=run)


def run(args) -> int:
    import re

    from dealerxl.book import Problem
    from dealerxl.book.problems import WorkbookUnreadable
    from dealerxl.calc import CalcError
    from dealerxl.i18n import DEFAULT_LANG, tr
    from dealerxl.jobs.common import write_result_workbook
    from dealerxl.jobs.incentives import output_name, run_incentives, statement_formats, statement_sheets

    lang = args.lang or DEFAULT_LANG
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        print(tr("msg.incentives.bad_month", lang, value=args.month), file=sys.stderr)
        return 2
    try:
        result = run_incentives(args.workbook, args.month, lang=args.lang)
    except WorkbookUnreadable as error:
        return _fail(args, error.problem.message(lang), [error.problem], lang)
    except CalcError as error:
        problem = Problem("incentives.failed", file=str(args.workbook), fields={"reason": str(error)})
        return _fail(args, tr("msg.incentives.failed", lang, reason=str(error)), [problem], lang)
    lang = result.lang
    path = args.out or args.workbook.resolve().parent / "reports" / output_name(result)
    path.parent.mkdir(parents=True, exist_ok=True)
    result.outputs.append(write_result_workbook(path, statement_sheets(result), formats=statement_formats(lang)))
    if args.json:
        json.dump(result.as_dict(), sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
    elif not args.quiet:
        for problem in result.problems:
            print(problem.message(lang))
        for line in notes(result):
            print(line)
        print(tr("msg.job_done_file", lang, job=tr("ribbon.incentives", lang), path=path))
    return 1 if result.problems else 0


def notes(result) -> list[str]:
    """What people should know about the run besides the input problems, in its language."""
    from dealerxl.i18n import tr

    lang, summary = result.lang, result.summary
    lines = [tr("msg.incentives.summary", lang, month=summary["month"], payees=summary["payees"],
                payable=f"{summary['payable']:,.2f}", clawback=f"{summary['clawback']:,.2f}")]
    if summary["targets_set_for"]:
        lines.append(tr("msg.incentives.targets_set", lang, years=", ".join(summary["targets_set_for"])))
    if summary["unmatched_reversals"]:
        lines.append(tr("msg.incentives.unmatched", lang, count=summary["unmatched_reversals"]))
    if summary["without_target"]:
        lines.append(tr("msg.incentives.without_target", lang, payees=", ".join(summary["without_target"])))
    return lines


def _fail(args, text: str, problems, lang: str) -> int:
    if args.json:
        json.dump({"job": "incentives", "outputs": [], "problems": [p.as_dict(lang) for p in problems]},
                  sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    print(text, file=sys.stderr)
    return 2
