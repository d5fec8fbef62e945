"""``dealerxl incentives WORKBOOK --month YYYY-MM``: the Incentives job without Excel.

Writes a NEW statement workbook (the input is only read): a summary sheet, one row per
payee, and one sheet per payee with every payout line and the invoice, period, tier and
rate it comes from.
"""
from __future__ import annotations

import sys
from pathlib import Path

from dealerxl.cli._job_output import add_output_arguments, exit_codes_epilog, run_job

EPILOG = exit_codes_epilog("the statements were written",
                           "the workbook cannot be read, the month is not valid or has no data\n"
                           "     in the workbook, or the incentives cannot be worked out from it\n"
                           "     (the reason is printed)")


def register(subparsers) -> None:
    import argparse

    parser = subparsers.add_parser(
        "incentives", help="incentive statements of a month: one sheet per payee and a summary",
        description="Commission, accelerator, cap cut, clawbacks (returns and write-offs at the original rate) and "
                    "draws per payee for the month, saved as a new statement workbook; the input is never changed.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workbook", type=Path, help="the workbook (.xlsm / .xlsx) to work the incentives out from")
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="the statement month")
    add_output_arguments(parser, "the workbook to write (default: reports/<statement>_<month>.xlsx next to WORKBOOK)",
                         lang_help="language of the statements and messages (default: the workbook's)")
    parser.set_defaults(func=run)


def run(args) -> int:
    import re

    from dealerxl.cli._language import args_language
    from dealerxl.i18n import tr
    from dealerxl.jobs.incentives import output_name, run_incentives, statement_formats, statement_sheets

    lang = args_language(args)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        print(tr("msg.incentives.bad_month", lang, value=args.month), file=sys.stderr)
        return 2
    return run_job(args, lang, job="incentives", code="incentives",
                   run=lambda: run_incentives(args.workbook, args.month, lang=args.lang),
                   output_name=output_name, sheets=statement_sheets, formats=statement_formats, notes=notes)


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
