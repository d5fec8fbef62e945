"""``dealerxl targets WORKBOOK --year Y``: the Set targets job without Excel.

Writes a NEW workbook (the input is only read) with the month × dealer target table.
"""
from __future__ import annotations

import sys
from pathlib import Path

from dealerxl.cli._job_output import add_output_arguments, exit_codes_epilog, run_job

EPILOG = exit_codes_epilog("the targets were written",
                           "the workbook cannot be read, the year is not valid, or the\n"
                           "     targets cannot be worked out from it (the reason is printed)")


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
    add_output_arguments(parser,
                         "the workbook to write (default: reports/<monthly targets>_<year>.xlsx next to WORKBOOK)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from dealerxl.cli._language import args_language
    from dealerxl.i18n import tr
    from dealerxl.jobs.targets import output_name, report_sheets, run_targets

    lang = args_language(args)
    if not (args.year.isdigit() and 2000 <= int(args.year) <= 2100):
        print(tr("msg.targets.bad_year", lang, value=args.year), file=sys.stderr)
        return 2
    return run_job(args, lang, job="targets", code="targets",
                   run=lambda: run_targets(args.workbook, int(args.year), lang=args.lang),
                   output_name=output_name, sheets=report_sheets, notes=notes)


def notes(result) -> list[str]:
    """The company-pattern warning, if any, and the summary line, in the run's language."""
    from dealerxl.i18n import tr

    lang, summary = result.lang, result.summary
    lines = []
    if result.warnings:
        lines.append(tr("msg.targets.company_pattern", lang, scopes=", ".join(result.warnings)))
    lines.append(tr("msg.targets.summary", lang, year=summary["year"], total=f"{summary['total']:,.0f}",
                    dealers=summary["dealers"]))
    return lines
