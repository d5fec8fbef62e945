"""``dealerxl build``: regenerate DealerWorkbook.xlsm and templates/ from the form declarations."""
from __future__ import annotations

from pathlib import Path

from dealerxl.i18n import DEFAULT_LANG, LANGS


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "build", help="regenerate DealerWorkbook.xlsm and templates/ from the form declarations")
    parser.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG, help="workbook language (default zh-Hant)")
    parser.add_argument("--out", type=Path, default=Path("."), help="output folder (default: current folder)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from dealerxl.build import build_all

    import sys

    from dealerxl.book.in_place import WorkbookOpen
    from dealerxl.i18n import DEFAULT_LANG

    try:
        written = build_all(args.out, args.lang)
    except WorkbookOpen as error:
        print(error.message(args.lang or DEFAULT_LANG), file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0
