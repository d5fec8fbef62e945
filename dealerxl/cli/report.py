"""``dealerxl report WORKBOOK --month YYYY-MM``: the department's monthly report without Excel.

Writes a NEW workbook (the input is only read): summary, sales, dealers, inventory,
incentives, risk, service and marketing, and the data-quality page listing every input
problem with its cell, each sheet with its charts and print layout.
"""
from __future__ import annotations

import sys
from pathlib import Path

from dealerxl.cli._job_output import add_output_arguments, exit_codes_epilog, run_job

EPILOG = exit_codes_epilog("the report was written",
                           "the month is not YYYY-MM or the workbook has no data for it, the\n"
                           "     workbook cannot be read, or the report cannot be worked out from it (the reason is printed)")


def register(subparsers) -> None:
    import argparse

    parser = subparsers.add_parser(
        "report", help="the monthly report workbook: summary, sales, dealers, inventory, incentives, risk, service",
        description="The department's monthly report for one month, gathered from every review (sales against "
                    "target with a 24-month trend and forecast, dealer appraisal, replenishment, incentives, risk, "
                    "service and marketing) plus a data-quality page, saved as a new workbook with charts and a "
                    "print layout; the input workbook is never changed.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workbook", type=Path, help="the workbook (.xlsm / .xlsx) to report on")
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="the month reported")
    add_output_arguments(parser, "the workbook to write (default: reports/<monthly report>_<month>.xlsx "
                                 "next to WORKBOOK); a folder puts the report in it")
    parser.set_defaults(func=run)


def run(args) -> int:
    import re

    from dealerxl.cli._language import args_language
    from dealerxl.i18n import tr
    from dealerxl.report.monthly import output_name, run_monthly_report, summary_text
    from dealerxl.report.workbook import write_report

    lang = args_language(args)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        print(tr("msg.monthly_report.bad_month", lang, value=args.month), file=sys.stderr)
        return 2

    def notes(result):
        lines = [summary_text(result)]
        lines += [tr("msg.monthly_report.missing_part", result.lang, part=tr(f"ribbon.{name}", result.lang),
                     reason=reason) for name, reason in result.summary["missing_parts"].items()]
        return lines

    return run_job(args, lang, job="monthly_report", code="monthly_report",
                   run=lambda: run_monthly_report(args.workbook, args.month, lang=args.lang),
                   output_name=output_name, write=lambda result, path: [write_report(result, path)],
                   notes=notes)
