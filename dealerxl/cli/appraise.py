"""``dealerxl appraise WORKBOOK --month YYYY-MM``: the Dealer review job without Excel.

Writes a NEW workbook (the input is only read) with the dealer appraisal (metrics, score,
grade, tier and its movement), the prospect evaluation, the contracts due for renewal and
the market research roll-up by region.
"""
from __future__ import annotations

import sys
from pathlib import Path

from dealerxl.cli._job_output import add_output_arguments, exit_codes_epilog, run_job

EPILOG = exit_codes_epilog("the review was written",
                           "the month is not YYYY-MM or the workbook has no data for it, the\n"
                           "     workbook cannot be read, or the appraisal cannot be worked out from it (the reason is printed)")


def register(subparsers) -> None:
    import argparse

    parser = subparsers.add_parser(
        "appraise", help="dealer appraisal: score, grade and tier per dealer, prospects, renewals, market roll-up",
        description="Monthly dealer appraisal as of the month's last day (sales achievement, growth, payment "
                    "discipline, stock health, complaints and training attendance weighed into a score, grade and "
                    "tier with promotion/demotion hysteresis), the prospect evaluation with its gates, contracts "
                    "due for renewal and the market research by region, saved as a new workbook; the input "
                    "workbook is never changed.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workbook", type=Path, help="the workbook (.xlsm / .xlsx) to appraise")
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="the month appraised (as of its last day)")
    add_output_arguments(parser, "the workbook to write (default: reports/<dealer review>_<month>.xlsx next to WORKBOOK)")
    parser.set_defaults(func=run)


def run(args) -> int:
    import re

    from dealerxl.cli._language import args_language
    from dealerxl.i18n import tr
    from dealerxl.jobs.dealers import (
        output_name,
        report_formats,
        report_sheets,
        run_dealer_review,
        summary_text,
    )

    lang = args_language(args)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        print(tr("msg.dealers.bad_month", lang, value=args.month), file=sys.stderr)
        return 2
    return run_job(args, lang, job="dealers", code="dealers",
                   run=lambda: run_dealer_review(args.workbook, args.month, lang=args.lang),
                   output_name=output_name, sheets=report_sheets, formats=report_formats,
                   notes=lambda result: [summary_text(result)])
