"""``dealerxl audit WORKBOOK [--last N] [--json]``: the runs recorded in the workbook's audit log.

Every job (from the command line or the ribbon) appends a row to the ``audit_log`` table of
the workbook's history store: when, who, which job, its arguments, the SHA-256 of its input
files, the files written with the rows of each table, warnings, input problems and the exit
status. This command lists them, oldest first; it only reads.
"""
from __future__ import annotations

import sys
from pathlib import Path

from dealerxl.i18n import LANGS


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "audit", help="list the job runs recorded in the workbook's audit log",
        description="The job runs recorded in the audit log of the workbook's history store (default: the SQLite "
                    "file next to WORKBOOK, or $DEALERXL_STORE_URL), oldest first. Exit code 2 when the store "
                    "cannot be opened.")
    parser.add_argument("workbook", type=Path, help="the workbook whose store holds the log")
    parser.add_argument("--last", type=_positive, metavar="N", help="only the newest N runs")
    parser.add_argument("--store", metavar="URL", help="the store's URL (sqlite:///… or postgresql://…)")
    parser.add_argument("--json", action="store_true", help="print the runs as JSON")
    parser.add_argument("--lang", choices=LANGS, help="language of the column headings and messages")
    parser.set_defaults(func=run)


def _positive(text: str) -> int:
    import argparse

    from dealerxl.cli import speaking
    from dealerxl.i18n import tr

    number = int(text) if text.isdigit() else 0
    if number < 1:
        raise argparse.ArgumentTypeError(tr("cli.audit.bad_last", speaking(), value=text))
    return number


def run(args) -> int:
    import json

    from dealerxl.cli._language import args_language
    from dealerxl.i18n import tr
    from dealerxl.jobs.errors import reason
    from dealerxl.jobs.faults import FAULTS, fault_reason
    from dealerxl.store import StoreError, open_store
    from dealerxl.store.api import store_label
    from dealerxl.store.audit import entries

    lang = args_language(args)
    url = store_label(args.store, args.workbook)
    if not args.store and not args.workbook.is_file() and url.endswith(".sqlite"):
        # no workbook there: say so, and leave no empty store behind
        print(tr("msg.audit.store_failed", lang, reason=tr("msg.fault.not_found", lang, file=args.workbook)),
              file=sys.stderr)
        return 2
    try:
        with open_store(args.store, args.workbook) as store:
            log = entries(store, args.last)
    except (StoreError, *FAULTS) as error:
        said = fault_reason(error, lang, store=url) or reason(error, lang)
        print(tr("msg.audit.store_failed", lang, reason=said), file=sys.stderr)
        return 2
    if args.json:
        json.dump(log.to_dict(orient="records"), sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
        return 0
    if log.empty:
        print(tr("msg.audit.empty", lang, store=url))
        return 0
    for line in listing(log, lang):
        print(line)
    return 0


SHOWN = ("run_at", "user_name", "job", "front_end", "exit_status", "problems", "warnings", "row_counts", "outputs")


def listing(log, lang: str) -> list[str]:
    """One tab-separated line per run under a heading line (pastes into a sheet as columns)."""
    from dealerxl.i18n import has, tr

    lines = ["\t".join(tr(f"audit.col.{column}", lang) for column in SHOWN)]
    for row in log.itertuples(index=False):
        cells = []
        for column in SHOWN:
            value = getattr(row, column)
            if column == "row_counts":
                value = ", ".join(f"{name}={count}" for name, count in value.items())
            elif column == "outputs":
                value = ", ".join(value)
            elif column == "job" and has(f"ribbon.{value}"):
                value = tr(f"ribbon.{value}", lang)
            cells.append(str(value))
        lines.append("\t".join(cells))
    return lines

