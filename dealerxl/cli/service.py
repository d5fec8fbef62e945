"""``dealerxl service WORKBOOK --month YYYY-MM``: the Service review job without Excel.

Writes a NEW workbook (the input is only read) with every complaint and after-sales case and
its SLA clock in working hours, the SLA summary by severity, dealer and cause, CSAT and NPS
by dealer and region, marketing budget against spend, promotion results and the digital funnel.
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
        "service", help="service review: SLA breaches in working hours, CSAT/NPS, marketing spend, promotions, funnel",
        description="Monthly customer-service and marketing review as of the month's end (complaint and "
                    "after-sales cases with first-response and resolution time in working hours against the SLA of "
                    "their severity, open-case ageing, CSAT and NPS by dealer and region with small samples marked, "
                    "budget against spend by campaign and channel, promotion uplift, incremental margin and ROI, "
                    "the digital funnel), saved as a new workbook; the input workbook is never changed.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workbook", type=Path, help="the workbook (.xlsm / .xlsx) to review")
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="the month reviewed (up to its end)")
    add_output_arguments(parser, "the workbook to write (default: reports/<service review>_<month>.xlsx next to WORKBOOK)")
    parser.set_defaults(func=run)


def run(args) -> int:
    import re

    from dealerxl.cli._language import args_language
    from dealerxl.i18n import tr
    from dealerxl.jobs.service import output_name, report_formats, report_sheets, run_service_review, summary_text

    lang = args_language(args)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        print(tr("msg.service.bad_month", lang, value=args.month), file=sys.stderr)
        return 2
    return run_job(args, lang, job="service", code="service",
                   run=lambda: run_service_review(args.workbook, args.month, lang=args.lang),
                   output_name=output_name, sheets=report_sheets, formats=report_formats,
                   notes=lambda result: [summary_text(result)])
