"""``dealerxl risk WORKBOOK --month YYYY-MM``: the Risk review job without Excel.

Writes a NEW workbook (the input is only read) with the risk review per dealer, the triggered
warning rules, the receivables ageing per dealer, the provision matrix with the expected
credit loss, the bad debts and the warnings waiting for a response.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from dealerxl.i18n import LANGS

EPILOG = """exit codes:
  0  the review was written and the input had no problems
  1  the review was written, but some input rows had problems: they are listed
     (sheet!cell: reason) and were left out of the calculation
  2  nothing was written: the month is not YYYY-MM, the workbook cannot be read,
     or the review cannot be worked out from it (the reason is printed)"""


def register(subparsers) -> None:
    import argparse

    parser = subparsers.add_parser(
        "risk", help="risk review: ageing, credit use, expected credit loss, early-warning levels per dealer",
        description="Monthly dealer risk review as of the month's last day (receivables ageing, DSO, credit use, "
                    "ECL provision matrix, bad debts, early-warning rules with a composite score and class, "
                    "warnings without a response), saved as a new workbook; the input workbook is never changed.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workbook", type=Path, help="the workbook (.xlsm / .xlsx) to review")
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="the month reviewed (as of its last day)")
    parser.add_argument("--out", type=Path,
                        help="the workbook to write (default: reports/<risk review>_<month>.xlsx next to WORKBOOK)")
    parser.add_argument("--json", action="store_true", help="print what was done as JSON")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser.add_argument("--lang", choices=LANGS, help="language of the report and messages (default: the workbook's)")
    parser.set_defaults(func=run)


def run(args) -> int:
    import re

    from dealerxl.book import Problem
    from dealerxl.book.problems import WorkbookUnreadable
    from dealerxl.calc import CalcError
    from dealerxl.i18n import DEFAULT_LANG, tr
    from dealerxl.jobs.common import write_result_workbook
    from dealerxl.jobs.risk import output_name, report_formats, report_sheets, run_risk_review, summary_text

    lang = args.lang or DEFAULT_LANG
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        print(tr("msg.risk.bad_month", lang, value=args.month), file=sys.stderr)
        return 2
    try:
        result = run_risk_review(args.workbook, args.month, lang=args.lang)
    except WorkbookUnreadable as error:
        return _fail(args, error.problem.message(lang), [error.problem], lang)
    except CalcError as error:
        text = tr("msg.risk.failed", lang, reason=str(error))
        problem = Problem("risk.failed", file=str(args.workbook), fields={"reason": str(error)})
        return _fail(args, text, [problem], lang)
    lang = result.lang
    path = args.out or args.workbook.resolve().parent / "reports" / output_name(result)
    path.parent.mkdir(parents=True, exist_ok=True)
    result.outputs.append(write_result_workbook(path, report_sheets(result), formats=report_formats(lang)))
    if args.json:
        json.dump(result.as_dict(), sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
    elif not args.quiet:
        for problem in result.problems:
            print(problem.message(lang))
        print(summary_text(result))
        print(tr("msg.job_done_file", lang, job=tr("ribbon.risk", lang), path=path))
    return 1 if result.problems else 0


def _fail(args, text: str, problems, lang: str) -> int:
    if args.json:
        json.dump({"job": "risk", "outputs": [], "problems": [p.as_dict(lang) for p in problems]},
                  sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    print(text, file=sys.stderr)
    return 2
