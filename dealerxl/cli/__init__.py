"""The ``dealerxl`` command line. Each sub-command lives in its own module of this package
and defines ``register(subparsers)``, which adds its parser and sets ``func`` to a callable
taking the parsed arguments and returning the exit code.

Everything the command line says is in the user's language (:mod:`dealerxl.cli._language`),
argparse's own texts and ``--help`` included: the commands declare their help in English and
:func:`translate_parser` puts the translation table's text in its place (``cli.*`` keys of
``dealerxl/i18n/cli*.tsv``, found by their English label; a test checks that every help text
has one). A fault of the program ends in one line and
exit code 2, not a traceback (``DEALERXL_DEBUG=1`` shows it); output cut short by a closed
pipe (``dealerxl report … --json | head``) ends quietly.
"""
from __future__ import annotations

import argparse
import gc
import os
import pkgutil
import sys
from contextlib import contextmanager
from contextvars import ContextVar
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


_speaking: ContextVar[str | None] = ContextVar("dealerxl_cli_language", default=None)


def speaking() -> str:
    """The language the command line speaks in this run (for argument checks made while parsing)."""
    from dealerxl.i18n import DEFAULT_LANG

    return _speaking.get() or DEFAULT_LANG


@contextmanager
def argparse_speaking(lang: str):
    """argparse's own texts in ``lang`` while the block runs (it looks them up when it needs them)."""
    saved = argparse._, argparse.ngettext
    token = _speaking.set(lang)
    argparse._ = lambda message: argparse_text(message, lang)
    argparse.ngettext = lambda one, many, n: argparse_text(one if n == 1 else many, lang)
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved
        _speaking.reset(token)


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, its help in ``lang`` (English as declared when None)."""
    parser = argparse.ArgumentParser(
        prog="dealerxl", description="Dealer management workbook: build, check, sample data and the monthly jobs.")
    parser.add_argument("--version", action="version", version=f"dealerxl {__version__}",
                        help="show the version and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            import_module(f"{__name__}.{info.name}").register(subparsers)
    if lang is not None:
        translate_parser(parser, lang)
    return parser


def help_texts(parser: argparse.ArgumentParser):
    """Every help text of ``parser`` and its sub-commands, as ``(holder, attribute)`` pairs."""
    for attribute in ("description", "epilog"):
        if getattr(parser, attribute):
            yield parser, attribute
    for group in parser._action_groups:
        if group.title:
            yield group, "title"
    for action in parser._actions:
        if action.help and action.help != argparse.SUPPRESS:
            yield action, "help"
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if choice.help:
                    yield choice, "help"
            for sub in dict.fromkeys(action.choices.values()):
                yield from help_texts(sub)


def help_keys() -> dict[str, str]:
    """English help text → its ``cli.*`` key in the translation table."""
    from dealerxl.i18n import table

    return {labels[2].replace("\\n", "\n"): key for key, labels in table().items() if key.startswith("cli.")}


def translate_parser(parser: argparse.ArgumentParser, lang: str) -> None:
    """Put every help text of ``parser`` in ``lang`` (one the table does not have stays as declared)."""
    from dealerxl.i18n import tr

    keys = help_keys()
    for holder, attribute in help_texts(parser):
        text = getattr(holder, attribute)
        key = keys.get(text.strip())
        if key is not None:
            setattr(holder, attribute, tr(key, lang).replace("\\n", "\n"))


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
    saved_stdout, saved_hook = sys.stdout, sys.unraisablehook
    sys.stdout = _PipeSafe(saved_stdout)
    sys.unraisablehook = _quiet_about_faults(saved_hook)
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
        gc.collect()  # what a failed writer left open is closed now, under the quiet hook
        sys.stdout.flush()
        sys.stdout, sys.unraisablehook = saved_stdout, saved_hook


def _quiet_about_faults(hook):
    """An unraisable-exception hook that says nothing of a fault met again while a writer that
    failed is cleaned up (a ZipFile closing on a full disk): the run has said it once already."""
    from dealerxl.jobs.faults import FAULTS

    def quiet(unraisable) -> None:
        if not isinstance(unraisable.exc_value, FAULTS):
            hook(unraisable)
    return quiet


def _has(key: str) -> bool:
    from dealerxl.i18n import has

    return has(key)


if __name__ == "__main__":
    sys.exit(main())
