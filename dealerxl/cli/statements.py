"""``dealerxl statements WORKBOOK --month YYYY-MM [--dealers …] [--pdf]``: dealer statements without Excel.

Writes a NEW workbook (the input is only read) with one printable sheet per dealer: net
sales against target for the month and the year to date, tier and tier change, incentives
or rebates, receivables with their ageing, and open complaints. With ``--pdf`` each
dealer's statement is also saved as a PDF of its own (LibreOffice headless).
"""
from __future__ import annotations

import sys
from pathlib import Path

from dealerxl.cli._job_output import add_output_arguments, exit_codes_epilog, run_job

EPILOG = exit_codes_epilog("the statements were written",
                           "the month is not YYYY-MM or the workbook has no data for it, a dealer is\n"
                           "     not in the dealer master, the workbook cannot be read, the statements\n"
                           "     cannot be worked out from it, or --pdf was asked for without LibreOffice\n"
                           "     (the reason is printed)")


def register(subparsers) -> None:
    import argparse

    parser = subparsers.add_parser(
        "statements", help="dealer statements of a month: one printable sheet (and PDF) per dealer",
        description="One statement per dealer for the month (sales against target for the month and the year to "
                    "date, tier and tier change, incentives or rebates, receivables and ageing, open complaints), "
                    "saved as a new workbook with a sheet per dealer and, with --pdf, a PDF per dealer; the input "
                    "workbook is never changed.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("workbook", type=Path, help="the workbook (.xlsm / .xlsx) to work the statements out from")
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="the statement month")
    parser.add_argument("--dealers", nargs="+", metavar="DEALER_ID", help="only these dealers (default: every dealer "
                        "active in the month or still owing)")
    parser.add_argument("--pdf", action="store_true", help="also save each dealer's statement as a PDF "
                        "(needs LibreOffice), in a folder beside the workbook written")
    add_output_arguments(parser, "the workbook to write (default: reports/<dealer statement>_<month>.xlsx next to "
                                 "WORKBOOK); --out DIR (an existing folder) puts the files in DIR",
                         lang_help="language of the statements and messages (default: the workbook's)")
    parser.set_defaults(func=run)


def run(args) -> int:
    import re

    from dealerxl.cli._language import args_language
    from dealerxl.i18n import tr
    from dealerxl.report.render import RenderUnavailable, check_cjk_font, soffice_path
    from dealerxl.report.statements import output_name, run_statements

    lang = args_language(args)
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", args.month):
        print(tr("msg.statements.bad_month", lang, value=args.month), file=sys.stderr)
        return 2
    if args.pdf:
        try:
            soffice_path()  # before any work: a PDF run without LibreOffice would only half-deliver
            check_cjk_font()  # and without a Chinese font every name would print as empty boxes
        except RenderUnavailable as error:
            print(error.message(lang), file=sys.stderr)
            return 2
    return run_job(args, lang, job="statements", code="statements",
                   run=lambda: run_statements(args.workbook, args.month, dealers=args.dealers, lang=args.lang),
                   output_name=output_name, write=lambda result, path: write_files(args, result, path),
                   notes=notes)


def write_files(args, result, path: Path) -> list[Path]:
    """The statement workbook at ``path`` and, with ``--pdf``, one PDF per dealer beside it."""
    from dealerxl.report.statements import write_statements

    written = [write_statements(result, path)]
    if args.pdf:
        from dealerxl.report.render import dealer_pdfs

        written += dealer_pdfs(result, path.with_suffix(""))
    return written


def notes(result) -> list[str]:
    """What the run made, in its language (the PDFs' folder when there are PDFs)."""
    from dealerxl.i18n import tr

    lang, summary = result.lang, result.summary
    lines = [tr("msg.statements.summary", lang, month=summary["month"], dealers=summary["dealers"],
                sales=f"{summary['sales']:,.0f}",
                target="-" if summary["target"] is None else f"{summary['target']:,.0f}",
                complaints=summary["open_complaints"])]
    lines += result.warnings
    pdfs = [p for p in result.outputs if Path(p).suffix == ".pdf"]
    if pdfs:
        lines.append(tr("msg.statements.pdf_done", lang, count=len(pdfs), folder=Path(pdfs[0]).parent))
    return lines

