"""``dealerxl sync WORKBOOK``: the latest periods of the history store into the workbook's tables.

Rewrites WORKBOOK in place (its macros and ribbon kept), or writes a new workbook with
``--out``. A workbook holding charts, images, pivot tables or slicers is refused unless
``--out`` is given, because a rewrite without Excel would lose them.
"""
from __future__ import annotations

import sys
from pathlib import Path

from dealerxl.cli._job_output import add_output_arguments, run_job

EPILOG = ("exit codes:\n"
          "  0  the tables were written (what stayed in the store is listed)\n"
          "  2  nothing was written: the workbook cannot be read, is open in Excel, or holds parts a rewrite\n"
          "     would lose (charts, images, pivot tables, slicers: use --out), a table cannot take the rows,\n"
          "     the store cannot be opened, or it holds nothing to sync (the reason is printed)")


def register(subparsers) -> None:
    import argparse

    parser = subparsers.add_parser(
        "sync", help="pull the latest periods from the history store into the workbook's tables",
        description="Merge the newest periods of the history store into the workbook's tables: per form, as "
                    "many whole periods, newest first, as the sheet holds (Excel's 1,048,576 rows less the "
                    "rows above the table). Stored rows replace the workbook's rows of the same key; rows only "
                    "the workbook holds stay (only when the sheet is full are the oldest periods the store "
                    "holds taken off, and named). What stays in the store is reported. In place, a workbook "
                    "open in Excel (~$ owner file) is refused, and the file as it was is first copied to "
                    ".dealerxl-backup/ beside it (the newest 10 copies kept). The file is written under a "
                    "temporary name and renamed, so a failure leaves it as it was.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workbook", type=Path, help="the workbook (.xlsm / .xlsx) to fill")
    parser.add_argument("--forms", nargs="+", metavar="FORM",
                        help="form ids to sync (default: every form with rows in the store)")
    parser.add_argument("--months", type=int, metavar="N", help="at most the N newest periods of each form")
    parser.add_argument("--store", metavar="URL",
                        help="the history store (default: $DEALERXL_STORE_URL, else WORKBOOK's name + .sqlite "
                             "next to it); sqlite:///path or postgresql://user:pass@host/db")
    parser.add_argument("--replace", action="store_true",
                        help="make each table exactly the store's rows: rows only the workbook holds are removed "
                             "(each period removed is named; the safety copy keeps them)")
    add_output_arguments(parser, "write a new workbook here instead of rewriting WORKBOOK")
    parser.set_defaults(func=run)


def run(args) -> int:
    from dealerxl.cli._language import args_language
    from dealerxl.i18n import tr
    from dealerxl.jobs.sync import JOB, summary_lines, sync_workbook

    lang = args_language(args)
    if args.months is not None and args.months < 1:
        print(tr("msg.sync.bad_months", lang, value=args.months), file=sys.stderr)
        return 2
    target = args.out or args.workbook  # sync writes into the workbook itself unless told otherwise
    args.out = target
    return run_job(args, lang, job=JOB, code=JOB,
                   run=lambda: sync_workbook(args.workbook, forms=args.forms, months=args.months, url=args.store,
                                             out=target, lang=args.lang, replace=args.replace),
                   output_name=lambda result: target.name,
                   write=lambda result, path: list(result.outputs),
                   notes=summary_lines)
