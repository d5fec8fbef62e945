"""What the job commands (replenish, risk, targets, incentives) share: the output options,
the exit codes, and how a finished or failed run is reported on the terminal.

The leading underscore keeps command discovery from taking this module for a command.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from dealerxl.i18n import LANGS


def exit_codes_epilog(written: str, why_nothing: str) -> str:
    """The ``exit codes`` help text; ``written`` says what was written, ``why_nothing`` why code 2."""
    return ("exit codes:\n"
            f"  0  {written} and the input had no problems\n"
            f"  1  {written}, but some input rows had problems: they are listed\n"
            "     (sheet!cell: reason) and were left out of the calculation\n"
            f"  2  nothing was written: {why_nothing}")


def add_output_arguments(parser, out_help: str,
                         lang_help: str = "language of the report and messages (default: the workbook's)") -> None:
    """``--out``, ``--json``, ``--quiet`` and ``--lang``, the same for every job command."""
    parser.add_argument("--out", type=Path, help=out_help)
    parser.add_argument("--json", action="store_true", help="print what was done as JSON")
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    parser.add_argument("--lang", choices=LANGS, help=lang_help)


def output_path(args, name: str) -> Path:
    """``--out``, or ``reports/<name>`` next to the input workbook; its folder exists afterwards."""
    path = args.out or args.workbook.resolve().parent / "reports" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def run_job(args, lang: str, *, job: str, code: str, run, output_name, sheets, formats=None, notes) -> int:
    """Run a job and save its result as a new workbook; say what was done; the exit code.

    ``run()`` works the result out; an unreadable workbook or a :class:`~dealerxl.calc.CalcError`
    (``msg.<code>.failed``) writes nothing and exits with 2. The result is saved to
    :func:`output_path` (``output_name(result)``) with ``sheets(result)`` and, if given,
    ``formats(lang)``, then :func:`report` prints ``notes(result)``.
    """
    from dealerxl.book.problems import WorkbookUnreadable
    from dealerxl.calc import CalcError
    from dealerxl.jobs.common import write_result_workbook

    try:
        result = run()
    except WorkbookUnreadable as error:
        return fail(args, job, error.problem.message(lang), [error.problem], lang)
    except CalcError as error:
        return calc_failed(args, job, code, error, lang)
    path = output_path(args, output_name(result))
    result.outputs.append(write_result_workbook(path, sheets(result),
                                                formats=formats(result.lang) if formats else None))
    return report(args, result, job, path, notes)


def calc_failed(args, job: str, code: str, error: Exception, lang: str) -> int:
    """The job cannot be worked out: ``msg.<code>.failed`` on stderr, problem ``<code>.failed``, exit 2."""
    from dealerxl.book import Problem
    from dealerxl.i18n import tr

    problem = Problem(f"{code}.failed", file=str(args.workbook), fields={"reason": str(error)})
    return fail(args, job, tr(f"msg.{code}.failed", lang, reason=str(error)), [problem], lang)


def fail(args, job: str, text: str, problems, lang: str) -> int:
    """Nothing was written: the problems as JSON when asked, ``text`` on stderr, exit 2."""
    if args.json:
        json.dump({"job": job, "outputs": [], "problems": [p.as_dict(lang) for p in problems]},
                  sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    print(text, file=sys.stderr)
    return 2


def report(args, result, job: str, path: Path, notes) -> int:
    """Print what was done (JSON, or the input problems, ``notes(result)`` and where the file is); the exit code.

    ``notes`` is called only when the summary lines are printed.
    """
    from dealerxl.i18n import tr

    lang = result.lang
    if args.json:
        json.dump(result.as_dict(), sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
    elif not args.quiet:
        for problem in result.problems:
            print(problem.message(lang))
        for line in notes(result):
            print(line)
        print(tr("msg.job_done_file", lang, job=tr(f"ribbon.{job}", lang), path=path))
    return 1 if result.problems else 0
