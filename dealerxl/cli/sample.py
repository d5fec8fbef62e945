"""``dealerxl sample``: a workbook filled with realistic, deterministic sample data."""
from __future__ import annotations

import re
from pathlib import Path

from dealerxl.i18n import DEFAULT_LANG, LANGS


def _month(text: str) -> str:
    import argparse

    from dealerxl.cli import speaking
    from dealerxl.i18n import tr

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError(tr("msg.month.not_a_month", speaking(), value=text))
    return text


def register(subparsers) -> None:
    from dealerxl.sample import DEFAULT_END, SIZES

    parser = subparsers.add_parser("sample", help="write a workbook filled with seeded sample data")
    parser.add_argument("--size", choices=sorted(SIZES), default="small",
                        help="small (tests) or large (2,000 dealers, 500,000 transactions, 5,000 SKUs)")
    parser.add_argument("--out", type=Path, required=True, help="workbook to write (.xlsm with macros, .xlsx without)")
    parser.add_argument("--end", type=_month, default=DEFAULT_END, metavar="YYYY-MM",
                        help=f"last month of the data (default {DEFAULT_END})")
    parser.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG, help="workbook language (default zh-Hant)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: the fixed sample seed)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from dealerxl.build import write_workbook
    from dealerxl.sample import generate

    options = {} if args.seed is None else {"seed": args.seed}
    import sys

    from dealerxl.book.in_place import WorkbookOpen

    data = generate(args.size, args.end, **options)
    try:
        path = write_workbook(args.out, lang=args.lang, data=data, macro=args.out.suffix.lower() == ".xlsm")
    except WorkbookOpen as error:
        print(error.message(args.lang), file=sys.stderr)
        return 2
    rows = sum(len(frame) for frame in data.values())
    print(f"{path}: {len(data)} forms, {rows:,} rows")
    return 0
