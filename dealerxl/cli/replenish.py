"""``dealerxl replenish WORKBOOK``: the Replenishment job without Excel.

Writes a NEW workbook (the input is only read) with the replenishment proposal, the items
whose parameters are missing, the supplier scorecard and the logistics cost per route and per region.
"""
from __future__ import annotations

import sys
from pathlib import Path

from dealerxl.cli._job_output import add_output_arguments, exit_codes_epilog, run_job

EPILOG = exit_codes_epilog("the proposal was written",
                           "the workbook cannot be read, or the proposal cannot be\n"
                           "     worked out from it (the reason is printed)")


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
    add_output_arguments(parser, "the workbook to write (default: reports/<proposal>_<date>.xlsx next to WORKBOOK)")
    parser.set_defaults(func=run)


def run(args) -> int:
    import pandas as pd

    from dealerxl.cli._language import args_language
    from dealerxl.i18n import tr
    from dealerxl.jobs.replenish import output_name, report_formats, report_sheets, run_replenishment

    lang = args_language(args)
    try:
        as_of = pd.Timestamp(args.as_of) if args.as_of else None
    except ValueError:
        print(tr("msg.replenishment.bad_as_of", lang, value=args.as_of), file=sys.stderr)
        return 2
    return run_job(args, lang, job="replenish", code="replenishment",
                   run=lambda: run_replenishment(args.workbook, as_of=as_of, lang=args.lang),
                   output_name=output_name, sheets=report_sheets, formats=report_formats, notes=notes)


def notes(result) -> list[str]:
    """The summary lines of the proposal, in the run's language."""
    from dealerxl.jobs.replenish import summary_lines

    return summary_lines(result)
