"""``dealerxl periods close|reopen|list``: periods whose figures are final.

Once a month's figures are reported, the department closes the month (for one form, or
for every form): a file for a closed period that arrives later changes nothing in the
history store and ``dealerxl collect`` holds it for review. After the review, ``reopen``
the period and collect the file again; close it once more when done. Each change is
recorded in the audit log.
"""
from __future__ import annotations

import sys
from pathlib import Path

from dealerxl.i18n import LANGS

JOB = "close_period"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "periods", help="close a period to late files, open it again, or list the closed ones",
        description="A closed period takes no more files: 'dealerxl collect' holds a late file for it for review "
                    "instead of replacing what was accepted. Exit code 2 when the store cannot be opened or the "
                    "month or form is wrong.")
    commands = parser.add_subparsers(dest="periods_command", metavar="{close,reopen,list}", required=True)
    for name, text in (("close", "close a month to late files"), ("reopen", "open a closed month again")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--month", required=True, metavar="YYYY-MM", help="the period")
        command.add_argument("--form", help="only this form (default: every form)")
        _store_arguments(command)
        command.set_defaults(func=run_change, action=name)
    listing = commands.add_parser("list", help="the closed periods")
    _store_arguments(listing)
    listing.add_argument("--json", action="store_true", help="print them as JSON")
    listing.set_defaults(func=run_list)


def _store_arguments(parser) -> None:
    parser.add_argument("--workbook", type=Path, help="the workbook whose history store is meant")
    parser.add_argument("--store", metavar="URL", help="the store's URL (default: $DEALERXL_STORE_URL, else the "
                                                       "workbook's name + .sqlite next to it)")
    parser.add_argument("--lang", choices=LANGS, help="language of the messages")


def run_change(args) -> int:
    from dealerxl.calc import CalcError
    from dealerxl.cli._job_output import audit_run
    from dealerxl.cli._language import args_language
    from dealerxl.exchange.issue import check_period, shared_form
    from dealerxl.i18n import tr
    from dealerxl.store import StoreError, open_store
    from dealerxl.store.audit import os_user

    lang = args_language(args)
    try:
        check_period(args.month, lang)
        if args.form:
            shared_form(args.form, lang)
        with open_store(args.store, args.workbook) as store:
            if args.action == "close":
                changed = store.close_period(args.month, args.form, closed_by=os_user())
            else:
                changed = store.reopen_period(args.month, args.form)
    except (CalcError, StoreError) as error:
        text = error.message(lang) if isinstance(error, StoreError) else str(error)
        print(text, file=sys.stderr)
        audit_run(args, JOB, 2, lang, detail=str(error), quiet=True)
        return 2
    which = args.form or tr("msg.periods.every_form", lang)
    key = f"msg.periods.{args.action}{'' if changed else '_unchanged'}"
    print(tr(key, lang, period=args.month, form=which))
    audit_run(args, JOB, 0, lang)
    return 0


def run_list(args) -> int:
    import json

    from dealerxl.cli._language import args_language
    from dealerxl.i18n import tr
    from dealerxl.store import StoreError, open_store

    lang = args_language(args)
    try:
        with open_store(args.store, args.workbook) as store:
            closed = store.closed_periods()
    except StoreError as error:
        print(error.message(lang), file=sys.stderr)
        return 2
    if args.json:
        json.dump(closed.to_dict(orient="records"), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        return 0
    if closed.empty:
        print(tr("msg.periods.none", lang))
    for row in closed.itertuples(index=False):
        form = tr("msg.periods.every_form", lang) if row.form_id == "*" else row.form_id
        print(f"{row.period}\t{form}\t{row.closed_at}\t{row.closed_by}")
    return 0
