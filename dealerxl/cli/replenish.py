"""``dealerxl replenish WORKBOOK``: the Replenishment job without Excel.

Writes a NEW workbook (the input is only read) with the replenishment proposal, the items
whose parameters are missing, the supplier scorecard and the logistics cost per route and per region.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from dealerxl.i18n import LANGS

EPILOG = """exit codes:
  0  the proposal was written and the input had no problems
  1  the proposal was written, but some input rows had problems: they are listed
     (sheet!cell: reason) and were left out of the calculation
  2  nothing was written: the workbook cannot be read, or the proposal cannot be
     worked out from it (the reason is printed)"""


def register(subparsers) -> None:
    import argparse

    parser = subparsers.add_parser(
        "replenish", help="plan replenishment: order proposal, missing parameters, supplier scorecard",
        description="Order proposal per item and location (available = on hand + on order - reserved against "
                    "the reorder point), saved as a new workbook; the input workbook is never changed.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workbook", type=Path, help="the workbook (.xlsm / .xlsx) to plan from")
    parser.add_argument("--as-of", dest="as_of", metavar="YYYY-MM-DD",
                        help="planning date: demand up to this month, arrivals counted from it (default: today)")
    parser.add_argument("--out", type=Path,
                        help="the workbook to write (default: reports/<proposal>_<date>.xlsx next to WORKBOOK)")
    parser.add_argument("--json", action="store_true", help="print what was done as JSON")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser.add_argument("--lang", choices=LANGS, help="language of the report and messages (default: the workbook's)")
    parser.set_defaults(func=run)


def run(args) -> int:
    import pandas as pd

    from dealerxl.book import Problem
    from dealerxl.book.problems import WorkbookUnreadable
    from dealerxl.calc import CalcError
    from dealerxl.i18n import DEFAULT_LANG, tr
    from dealerxl.jobs.common import write_result_workbook
    from dealerxl.jobs.replenish import output_name, report_formats, report_sheets, run_replenishment

    lang = args.lang or DEFAULT_LANG
    try:
        as_of = pd.Timestamp(args.as_of) if args.as_of else None
    except ValueError:
        print(tr("msg.replenishment.bad_as_of", lang, value=args.as_of), file=sys.stderr)
        return 2
    try:
        result = run_replenishment(args.workbook, as_of=as_of, lang=args.lang)
    except WorkbookUnreadable as error:
        return _fail(args, error.problem.message(lang), [error.problem], lang)
    except CalcError as error:
        text = tr("msg.replenishment.failed", lang, reason=str(error))
        problem = Problem("replenishment.failed", file=str(args.workbook), fields={"reason": str(error)})
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
        summary = result.summary
        print(tr("msg.replenishment.summary", lang, orders=summary["orders"], value=f"{summary['order_value']:,.0f}",
                 missing=summary["missing_parameters"]))
        print(tr("msg.job_done_file", lang, job=tr("ribbon.replenish", lang), path=path))
    return 1 if result.problems else 0


def _fail(args, text: str, problems, lang: str) -> int:
    if args.json:
        json.dump({"job": "replenish", "outputs": [], "problems": [p.as_dict(lang) for p in problems]},
                  sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    print(text, file=sys.stderr)
    return 2
