"""``dealerxl collect FILES_OR_FOLDER``: returned templates into the history store.

Every file is archived under its SHA-256, checked against its signed manifest and its
form, and, when valid, loaded into the store in one transaction. A collection report
workbook and a reminder CSV (who has not sent the form yet) are written.
"""
from __future__ import annotations

from pathlib import Path

from dealerxl.cli._job_output import add_output_arguments, exit_codes_epilog, run_job

EPILOG = exit_codes_epilog("the files were collected and the report written",
                           "the store cannot be opened, another collection is running on it, or the options\n"
                           "     are wrong (the reason is printed)\n"
                           "     exit code 1 means some files were rejected or held for review: each is listed with its problems\n"
                           "     (with --quiet on stderr)")


def register(subparsers) -> None:
    import argparse

    parser = subparsers.add_parser(
        "collect", help="check returned templates and load them into the history store",
        description="Checks every returned template (signed manifest, the table where it was issued, locked "
                    "cells, the form's rules: every problem with its cell, in the recipient's language), in child "
                    "processes with memory and time limits, loads the accepted rows into the history store (one "
                    "transaction per file; the same file twice changes nothing; a file received later for the "
                    "same recipient and period replaces the earlier one; a file for a closed period, or two "
                    "different files for one recipient and period in one run, are held for review), keeps every "
                    "file in the archive under its checksum, and writes a collection report and a reminder list. "
                    "One collection runs on a store at a time.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sources", nargs="+", type=Path, metavar="FILES_OR_FOLDER",
                        help="returned files, or folders holding them")
    parser.add_argument("--workbook", type=Path, help="the workbook: its roster says who is missing, its store "
                                                      "and key file are used")
    parser.add_argument("--store", metavar="URL",
                        help="the history store (default: $DEALERXL_STORE_URL, else WB's name + .sqlite next to "
                             "it); sqlite:///path or postgresql://user:pass@host/db")
    parser.add_argument("--archive", type=Path, help="where every received file is kept (default: received/ "
                                                     "next to the workbook, or in the current folder)")
    parser.add_argument("--form", help="list missing recipients for this form (default: every form received)")
    parser.add_argument("--month", metavar="YYYY-MM", help="list missing recipients for this period")
    add_output_arguments(parser, "the report workbook (default: reports/<collection report>_<time>.xlsx next to "
                                 "the workbook, or in the current folder); the reminder CSV goes beside it")
    parser.set_defaults(func=run)


def run(args) -> int:
    from dealerxl.exchange.collect import (
        collect_files,
        output_name,
        report_name,
        summary_lines,
        write_outputs,
    )
    from dealerxl.cli._language import args_language

    lang = args_language(args)
    if args.out is None and args.workbook is None:
        args.out = Path.cwd() / "reports" / report_name(lang)
    return run_job(args, lang, job="collect_submissions", code="collect_submissions",
                   run=lambda: collect_files(args.sources, store_url=args.store, workbook=args.workbook,
                                             archive=args.archive, lang=args.lang, form_id=args.form,
                                             period=args.month),
                   output_name=output_name, write=write_outputs, notes=summary_lines)
