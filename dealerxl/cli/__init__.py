"""The ``dealerxl`` command line. Each sub-command lives in its own module of this package
and defines ``register(subparsers, lang)``, which adds its parser (help texts in ``lang``)
and sets ``func`` to a callable taking the parsed arguments and returning the exit code.

Everything the command line says is in the user's language (:mod:`dealerxl.cli._language`),
argparse's own texts and ``--help`` included. A fault of the program ends in one line and
exit code 2, not a traceback (``DEALERXL_DEBUG=1`` shows it); output cut short by a closed
pipe (``dealerxl report … --json | head``) ends quietly.
"""
from __future__ import annotations

import argparse
import os
import pkgutil
import sys
from contextlib import contextmanager
from importlib import import_module

from dealerxl import __version__

DEBUG_VARIABLE = "DEALERXL_DEBUG"

# argparse's texts (gettext message ids) → translation keys.
ARGPARSE_TEXTS = {
    "usage: ": "cli.argparse.usage",
    "options": "cli.argparse.options",
    "positional arguments": "cli.argparse.positional",
    "show this help message and exit": "cli.argparse.help",
    "%(prog)s: error: %(message)s\n": "cli.argparse.error",
    "argument %(argument_name)s: %(message)s": "cli.argparse.argument",
    "the following arguments are required: %s": "cli.argparse.required",
    "one of the arguments %s is required": "cli.argparse.one_required",
    "invalid choice: %(value)r (choose from %(choices)s)": "cli.argparse.invalid_choice",
    "invalid %(type)s value: %(value)r": "cli.argparse.invalid_value",
    "unrecognized arguments: %s": "cli.argparse.unrecognized",
    "expected one argument": "cli.argparse.expected_one",
    "expected at least one argument": "cli.argparse.expected_at_least_one",
    "expected at most one argument": "cli.argparse.expected_at_most_one",
    "expected %s argument": "cli.argparse.expected_n",
    "expected %s arguments": "cli.argparse.expected_n",
    "ambiguous option: %(option)s could match %(matches)s": "cli.argparse.ambiguous",
    "not allowed with argument %s": "cli.argparse.not_allowed",
    "ignored explicit argument %r": "cli.argparse.ignored",
    "can't open '%(filename)s': %(error)s": "cli.argparse.cannot_open",
}


def argparse_text(message: str, lang: str) -> str:
    """argparse's ``message`` in ``lang`` (unknown ones as they are)."""
    from dealerxl.i18n import tr

    key = ARGPARSE_TEXTS.get(message)
    if key is None:
        return message
    text = tr(key, lang).replace("\\n", "\n")
    return text + " " if message.endswith(": ") else text  # the table keeps no trailing space


@contextmanager
def argparse_speaking(lang: str):
    """argparse's own texts in ``lang`` while the block runs (it looks them up when it needs them)."""
    saved = argparse._, argparse.ngettext
    argparse._ = lambda message: argparse_text(message, lang)
    argparse.ngettext = lambda one, many, n: argparse_text(one if n == 1 else many, lang)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    from dealerxl.i18n import DEFAULT_LANG, tr

    lang = lang or DEFAULT_LANG
    parser = argparse.ArgumentParser(prog="dealerxl", description=tr("cli.main.description", lang))
    parser.add_argument("--version", action="version", version=f"dealerxl {__version__}",
                        help=tr("cli.main.version", lang))
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title=tr("cli.main.commands", lang))
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            import_module(f"{__name__}.{info.name}").register(subparsers, lang)
    return parser


class _PipeSafe:
    """stdout that stops writing, without an error, once the reader has gone (``| head``)."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self.closed_pipe = False

    def write(self, text: str) -> int:
        if not self.closed_pipe:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._gone()
        return len(text)

    def flush(self) -> None:
        if not self.closed_pipe:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._gone()

    def _gone(self) -> None:
        self.closed_pipe = True
        try:  # the interpreter flushes stdout once more at exit: point it at nothing
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError, AttributeError):
            pass

    def __getattr__(self, name):
        return getattr(self._stream, name)


def main(argv: list[str] | None = None) -> int:
    from dealerxl.cli._language import user_language
    from dealerxl.i18n import tr

    argv = sys.argv[1:] if argv is None else list(argv)
    lang = user_language(argv)
    saved_stdout = sys.stdout
    sys.stdout = _PipeSafe(saved_stdout)
    try:
        with argparse_speaking(lang):
            parser = build_parser(lang)
            args = parser.parse_args(argv)
            if not getattr(args, "func", None):
                parser.print_help()
                return 2
            try:
                return int(args.func(args) or 0)
            except BrokenPipeError:
                return 0
            except Exception as error:  # a fault of the program: one line, not a traceback
                if os.environ.get(DEBUG_VARIABLE):
                    raise
                job = tr(f"ribbon.{args.command}", lang) if _has(f"ribbon.{args.command}") else f"dealerxl {args.command}"
                print(tr("msg.fault.program", lang, job=job, kind=f"{type(error).__name__}: {error}"),
                      file=sys.stderr)
                return 2
    finally:
        sys.stdout.flush()
        sys.stdout = saved_stdout


def _has(key: str) -> bool:
    from dealerxl.i18n import has

    return has(key)


if __name__ == "__main__":
    sys.exit(main())
