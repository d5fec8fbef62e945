"""``dealerxl build``: regenerate DealerWorkbook.xlsm and templates/ from the form declarations."""
from __future__ import annotations

from pathlib import Path

from dealerxl.i18n import DEFAULT_LANG, LANGS


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "build", help="regenerate DealerWorkbook.xlsm and templates/ from the form declarations")
    parser.add_argument("--lang", choices=LANGS, default=DEFAULT_LANG, help="workbook language (default zh-Hant)")
    parser.add_argument("--out", type=Path, default=Path("."), help="output folder (default: current folder)")
    parser.add_argument("--lite", action="store_true",
                        help="the Excel on the web and Mac edition instead: DealerWorkbook-Lite.xlsx, the xlwings Lite "
                             "code (lite/main.py, lite/requirements.txt) and the wheel it installs (dist/)")
    parser.add_argument("--wheel-url", default=None, metavar="URL",
                        help="with --lite: the web folder the wheel is served from, written into requirements.txt")
    parser.set_defaults(func=run)


def run(args) -> int:
    import sys

    from dealerxl.book.in_place import WorkbookOpen
    from dealerxl.i18n import DEFAULT_LANG

    try:
        if args.lite:
            from dealerxl.lite.build import build_lite
            from dealerxl.lite.code import DEFAULT_WHEEL_URL

            written = build_lite(args.out, args.lang, args.wheel_url or DEFAULT_WHEEL_URL)
        else:
            from dealerxl.build import build_all

            written = build_all(args.out, args.lang)
    except WorkbookOpen as error:
        print(error.message(args.lang or DEFAULT_LANG), file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0
