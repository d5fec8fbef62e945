"""``dealerxl risk WORKBOOK --month YYYY-MM``: the Risk review job without Excel.

Writes a NEW workbook (the input is only read) with the risk review per dealer, the triggered
warning rules, the receivables ageing per dealer, the provision matrix with the expected
credit loss, the bad debts and the warnings waiting for a response.
"""
from __future__ import annotations

import sys
from pathlib import Path

from dealerxl.cli._job_output import add_output_arguments, exit_codes_epilog, run_job

EPILOG = exit_codes_epilog("the review was written",
                           "the month is not YYYY-MM or the workbook has no data for it, the\n"
                           "     workbook cannot be read, or the review cannot be worked out from it (the reason is printed)")


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
    add_output_arguments(parser, "the workbook to write (default: reports/<risk review>_<month>.xlsx next to WORKBOOK)")
    parser.set_defaults(func=run)


def run(args) -> int:
    import re

    from dealerxl.cli._language import args_language
    from dealerxl.i18n import tr
    from dealerxl.jobs.risk import output_name, report_formats, report_sheets, run_risk_review, summary_text

    lang = args_language(args)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        print(tr("msg.risk.bad_month", lang, value=args.month), file=sys.stderr)
        return 2
    return run_job(args, lang, job="risk", code="risk",
                   run=lambda: run_risk_review(args.workbook, args.month, lang=args.lang),
                   output_name=output_name, sheets=report_sheets, formats=report_formats,
                   notes=lambda result: [summary_text(result)])
