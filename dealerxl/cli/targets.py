"""``dealerxl targets WORKBOOK --year Y``: the Set targets job without Excel.

Writes a NEW workbook (the input is only read) with the month × dealer target table.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from dealerxl.i18n import LANGS

EPILOG = """exit codes:
  0  the targets were written and the input had no problems
  1  the targets were written, but some input rows had problems: they are listed
     (sheet!cell: reason) and were left out of the calculation
  2  nothing was written: the workbook cannot be read, the year is not valid, or the
     targets cannot be worked out from it (the reason is printed)"""


def register(subparsers) -> None:
    import argparse

    parser = subparsers.add_parser(
        "targets", help="set targets: the year's target per month and dealer",
        description="Splits the year's annual targets into months by seasonal indices and allocates them to "
                    "dealers (historic share, recent growth, market potential, floors and ceilings); months and "
                    "dealers add up exactly to the annual target. Saved as a new workbook; the input is never "
                    "changed.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workbook", type=Path, help="the workbook (.xlsm / .xlsx) to set targets from")
    parser.add_argument("--year", required=True, help="the year to set targets for (YYYY)")
    parser.add_argument("--out", type=Path,
                        help="the workbook to write (default: reports/<monthly targets>_<year>.xlsx next to WORKBOOK)")
    parser.add_argument("--json", action="store_true", help="print what was done as JSON")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser.add_argument("--lang", choices=LANGS, help="language of the report and messages (default: the workbook's)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from dealerxl.book import Problem
    from dealerxl.book.problems import WorkbookUnreadable
    from dealerxl.calc import CalcError
    from dealerxl.i18n import DEFAULT_LANG, tr
    from dealerxl.jobs.common import write_result_workbook
    from dealerxl.jobs.targets import output_name, report_sheets, run_targets

    lang = args.lang or DEFAULT_LANG
    if not (args.year.isdigit() and 2000 <= int(args.year) <= 2100):
        print(tr("msg.targets.bad_year", lang, value=args.year), file=sys.stderr)
        return 2
    try:
        result = run_targets(args.workbook, int(args.year), lang=args.lang)
    except WorkbookUnreadable as error:
        return _fail(args, error.problem.message(lang), [error.problem], lang)
    except CalcError as error:
        problem = Problem("targets.failed", file=str(args.workbook), fields={"reason": str(error)})
        return _fail(args, tr("msg.targets.failed", lang, reason=str(error)), [problem], lang)
    lang = result.lang
    path = args.out or args.workbook.resolve().parent / "reports" / output_name(result)
    path.parent.mkdir(parents=True, exist_ok=True)
    result.outputs.append(write_result_workbook(path, report_sheets(result)))
    if args.json:
        json.dump(result.as_dict(), sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
    elif not args.quiet:
        for problem in result.problems:
            print(problem.message(lang))
        if result.warnings:
            print(tr("msg.targets.company_pattern", lang, scopes=", ".join(result.warnings)))
        summary = result.summary
        print(tr("msg.targets.summary", lang, year=summary["year"], total=f"{summary['total']:,.0f}",
                 dealers=summary["dealers"]))
        print(tr("msg.job_done_file", lang, job=tr("ribbon.targets", lang), path=path))
    return 1 if result.problems else 0


def _fail(args, text: str, problems, lang: str) -> int:
    if args.json:
        json.dump({"job": "targets", "outputs": [], "problems": [p.as_dict(lang) for p in problems]},
                  sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    print(text, file=sys.stderr)
    return 2
