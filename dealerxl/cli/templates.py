"""``dealerxl templates list|issue``: the shared forms, and one signed template per recipient.

``list`` prints each shared form's id and title. ``issue`` writes one file per dealer (or
colleague) for a month, recipients from the workbook's dealer master or team roster, or
``--dealers``; the files are new, the workbook is only read.
"""
from __future__ import annotations

import sys
from pathlib import Path

from dealerxl.cli._job_output import add_output_arguments, exit_codes_epilog, run_job

EPILOG = exit_codes_epilog("the templates were written",
                           "the form is not a shared one, the month is not YYYY-MM, the workbook\n"
                           "     cannot be read, or there is nobody to send the form to (the reason is printed)")


def register(subparsers) -> None:
    import argparse

    from dealerxl.build.workbook import ISSUED_ROWS
    from dealerxl.i18n import LANGS

    parser = subparsers.add_parser(
        "templates", help="list the shared forms, or issue one signed template per dealer or colleague",
        description="Shared forms go out as templates and come back through 'dealerxl collect'.")
    commands = parser.add_subparsers(dest="templates_command", metavar="{list,issue}", required=True)
    listing = commands.add_parser("list", help="print the shared forms: id, then title")
    listing.add_argument("--lang", choices=LANGS, help="language of the titles (default: zh-Hant)")
    listing.set_defaults(func=run_list)
    issue = commands.add_parser(
        "issue", help="write one template per recipient for a month",
        description="One file per recipient: id, name and period filled and locked, only the input cells open, "
                    "dropdowns and instructions in the recipient's language, and a hidden manifest signed with "
                    "the department key ($DEALERXL_EXCHANGE_KEY, else WB's name + .exchange-key next to it, "
                    "made on first use) so 'dealerxl collect' recognises and checks the returned file.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    issue.add_argument("--form", required=True, help="the shared form's id (see 'dealerxl templates list')")
    issue.add_argument("--month", required=True, metavar="YYYY-MM", help="the period the templates report on")
    issue.add_argument("--workbook", type=Path, help="the workbook whose dealer master / team roster lists the "
                                                     "recipients and next to which the key file is kept")
    issue.add_argument("--dealers", nargs="+", metavar="ID", help="only these recipients (without --workbook: "
                                                                  "exactly these ids)")
    issue.add_argument("--rows", type=_input_rows, metavar="N",
                       help=f"input rows in each file (default {ISSUED_ROWS}; at most {MAX_ISSUED_ROWS:,}): the sheet "
                            "is protected, so its table cannot grow beyond them; give what the largest recipient needs")
    issue.add_argument("--store", metavar="URL", help=argparse.SUPPRESS)  # the audit log's store, as for every job
    add_output_arguments(issue, "the folder for the files (default: issued/<form>_<month>/ next to the workbook, "
                                "or in the current folder)",
                         lang_help="write every file in this language (default: each recipient's own)")
    issue.set_defaults(func=run_issue)


# Every input cell of an issued file is written and styled one at a time; beyond this a file takes
# minutes to write and the recipient's Excel to open.
MAX_ISSUED_ROWS = 50_000


def _input_rows(text: str) -> int:
    import argparse

    from dealerxl.cli import speaking
    from dealerxl.i18n import tr

    try:
        rows = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(tr("cli.templates.bad_rows", speaking(), value=text)) from None
    if not 1 <= rows <= MAX_ISSUED_ROWS:
        raise argparse.ArgumentTypeError(tr("cli.templates.rows_out_of_range", speaking(), most=f"{MAX_ISSUED_ROWS:,}",
                                            value=f"{rows:,}"))
    return rows


def run_list(args) -> int:
    from dealerxl.exchange import shared_forms
    from dealerxl.cli._language import args_language
    from dealerxl.i18n import tr

    lang = args_language(args)
    for form in shared_forms():
        print(f"{form.id}\t{tr(form.label_key('title'), lang)}")
    return 0


def run_issue(args) -> int:
    from dealerxl.exchange.issue import plan_issue, write_issued
    from dealerxl.cli._language import args_language
    from dealerxl.i18n import tr

    lang = args_language(args)
    base = args.workbook.resolve().parent if args.workbook else Path.cwd()
    args.out = args.out or base / "issued" / f"{args.form}_{args.month}"

    def notes(result):
        return [tr("msg.exchange.issued", result.lang, count=len(result.outputs), form=result.summary["form"],
                   period=result.summary["period"], folder=args.out)]

    if args.workbook is None and not args.dealers:
        print(tr("msg.exchange.no_recipients", lang), file=sys.stderr)
        return 2
    return run_job(args, lang, job="issue_templates", code="issue_templates",
                   run=lambda: plan_issue(args.form, args.month, workbook=args.workbook, recipients=args.dealers,
                                          lang=args.lang),
                   output_name=None,
                   write=lambda result, folder: write_issued(result, folder, workbook=args.workbook, rows=args.rows),
                   notes=notes)
