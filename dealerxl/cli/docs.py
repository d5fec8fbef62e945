"""``dealerxl docs``: regenerate the README's function reference and docs/FORMS.md."""
from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "docs", help="regenerate the function reference in README.md and docs/FORMS.md")
    parser.add_argument("--root", type=Path, default=Path("."), help="project folder (default: current)")
    parser.set_defaults(func=run)


def run(args) -> int:
    from dealerxl.reference import write_docs

    for path in write_docs(args.root):
        print(f"updated {path}")
    return 0
