"""The ``dealerxl`` command line. Each sub-command lives in its own module of this package
and defines ``register(subparsers)``, which adds its parser and sets ``func`` to a callable
taking the parsed arguments and returning the exit code.
"""
from __future__ import annotations

import argparse
import pkgutil
import sys
from importlib import import_module

from dealerxl import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dealerxl",
        description="Dealer management workbook: build, check, sample data and the monthly jobs.")
    parser.add_argument("--version", action="version", version=f"dealerxl {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            import_module(f"{__name__}.{info.name}").register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
