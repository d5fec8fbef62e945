"""What the job commands (replenish, risk, targets, incentives…) share: the output options,
the exit codes, the progress display, the audit log entry, and how a finished or failed
run is reported on the terminal.

Progress: on a terminal (stderr is a TTY) a tqdm bar on stderr; otherwise one plain line
per stage on stdout (what a scheduler's log keeps); nothing with ``--quiet``; with
``--json`` only the machine-readable summary is printed. Jobs may report their own steps
through :mod:`dealerxl.jobs.progress`.

Every run that reaches :func:`run_job` appends one row to the audit log of the workbook's
history store (:mod:`dealerxl.store.audit`), whether it wrote its file or failed.

The leading underscore keeps command discovery from taking this module for a command.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from dealerxl.i18n import LANGS

STAGES = 3  # work the job out, write its file, record it in the audit log


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
    """``--out`` (a file, or a folder to hold ``name``: an existing one or a path without a
    file suffix), or ``reports/<name>`` next to the input workbook; its folder exists afterwards."""
    path = args.out or args.workbook.resolve().parent / "reports" / name
    if args.out is not None and (args.out.is_dir() or not args.out.suffix):
        path = args.out.resolve() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def run_job(args, lang: str, *, job: str, code: str, run, output_name, sheets=None, formats=None, notes,
            write=None) -> int:
    """Run a job and save its result as a new workbook; say what was done; the exit code.

    ``run()`` works the result out; an unreadable workbook, a
    :class:`~dealerxl.calc.CalcError` (``msg.<code>.failed``), a store that refuses or a
    fault of the machine (:mod:`dealerxl.jobs.faults`: disk full, read-only folder, database
    gone) writes nothing and exits with 2, with one line in the user's language. The result
    is saved to :func:`output_path` (``output_name(result)``; None: ``--out`` is the folder the
    job's ``write`` fills) with ``sheets(result)`` and, if
    given, ``formats(lang)``; a job whose file is not a plain table workbook passes
    ``write(result, path)`` instead, which writes ``path`` (atomically) and returns every
    file written; a fault while writing exits with 2 the same way. Then :func:`report`
    prints ``notes(result)``. Progress is shown while it runs, and the run is appended to
    the audit log however it ends.
    """
    from dealerxl.book.problems import WorkbookUnreadable
    from dealerxl.calc import CalcError
    from dealerxl.i18n import tr
    from dealerxl.jobs.common import take_run_record, write_result_workbook
    from dealerxl.jobs.faults import FAULTS, root_fault
    from dealerxl.jobs.progress import reporting
    from dealerxl.store import StoreError
    from dealerxl.store.audit import checksums

    refused = (WorkbookUnreadable, CalcError, StoreError, *FAULTS)
    try:
        inputs = checksums(input_files(args))  # taken first: a job may write into a file it reads
    except OSError as error:  # an input that cannot be read at all
        return failed(args, job, code, error, lang, inputs={})
    shown = JobProgress(args, lang)
    with shown, reporting(shown.update):
        shown.stage(1, tr("msg.progress.working", lang, job=tr(f"ribbon.{job}", lang)))
        try:
            result = run()
        except BaseException as error:
            shown.close()
            take_run_record()
            if isinstance(error, refused) or root_fault(error) is not None:
                return failed(args, job, code, error, lang, inputs=inputs)
            # a fault of the program: recorded, then reported by the command line
            audit_run(args, job, 2, lang, inputs=inputs, detail=f"{type(error).__name__}: {error}", quiet=True)
            raise
        shown.stage(2, tr("msg.progress.writing", result.lang))
        path = None
        try:
            # a job writing a folder of files (output_name None) writes into --out itself
            path = output_path(args, output_name(result)) if output_name is not None else args.out.resolve()
            if write is not None:
                for written in write(result, path):
                    if written not in result.outputs:
                        result.outputs.append(written)
            else:
                result.outputs.append(write_result_workbook(path, sheets(result),
                                                            formats=formats(result.lang) if formats else None))
        except BaseException as error:
            shown.close()
            take_run_record()
            if isinstance(error, refused) or root_fault(error) is not None:  # disk full, read-only, store gone…
                return failed(args, job, code, error, result.lang, inputs=inputs, result=result, file=path)
            audit_run(args, job, 2, lang, inputs=inputs, result=result, detail=f"{type(error).__name__}: {error}",
                      quiet=True)
            raise
        take_run_record()
        shown.stage(3, tr("msg.progress.recording", result.lang))
        status = 1 if result.problems else 0
        not_recorded = audit_run(args, job, status, result.lang, inputs=inputs, result=result, quiet=True)
    code_out = report(args, result, job, path, notes)
    if not_recorded:
        print(tr("msg.audit.not_recorded", result.lang, reason=not_recorded), file=sys.stderr)
    return code_out


def failed(args, job: str, code: str, error: BaseException, lang: str, *, inputs: dict, result=None,
           file=None) -> int:
    """A run that wrote nothing (or not all it should): one line on stderr, the audit row, exit 2."""
    from dealerxl.book import Problem
    from dealerxl.book.problems import WorkbookUnreadable
    from dealerxl.i18n import tr
    from dealerxl.jobs.errors import reason
    from dealerxl.jobs.faults import fault_reason
    from dealerxl.store import StoreError
    from dealerxl.store.api import store_label

    if isinstance(error, WorkbookUnreadable):
        problem, text, detail = error.problem, error.problem.message(lang), error.problem.message("en")
    else:
        store = store_label(getattr(args, "store", None), getattr(args, "workbook", None))
        file = file or getattr(args, "out", None) or getattr(args, "workbook", None)  # the file being written
        fault = fault_reason(error, lang, store=store, file=file)
        if fault is None and not isinstance(error, StoreError):  # the job refused: its own message
            key, fields, detail = f"{code}.failed", {"reason": reason(error, lang)}, reason(error, "en")
        else:  # the machine or the store failed the job
            said = fault if fault is not None else reason(error, lang)
            detail = fault_reason(error, "en", store=store, file=file) if fault is not None else reason(error, "en")
            key, fields = "fault.failed", {"job": tr(f"ribbon.{job}", lang), "reason": said}
        problem = Problem(key, file=str(getattr(args, "workbook", "") or ""), fields=fields)
        text = problem.reason(lang)
    code_out = fail(args, job, text, [problem], lang)
    audit_run(args, job, code_out, lang, inputs=inputs, result=result, detail=detail)
    return code_out


def job_arguments(args) -> dict:
    """The command's arguments as plain values (paths as text), for the audit log."""
    return {name: (str(value) if isinstance(value, Path) else value)
            for name, value in vars(args).items() if name != "func" and not callable(value)}


def input_files(args) -> list[Path]:
    """The files the command reads: every path argument naming an existing file, except ``--out``."""
    out = getattr(args, "out", None)
    files = []
    for name, value in vars(args).items():
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            if isinstance(item, Path) and name != "out" and item != out and item.is_file():
                files.append(item)
    return files


def audit_run(args, job: str, status: int, lang: str, *, inputs: dict | None = None, result=None,
              detail: str = "", quiet: bool = False) -> str | None:
    """Append this run to the audit log of the workbook's store; None when recorded, else why not.

    ``inputs`` are the input files' checksums taken before the job ran (default: taken now).
    Unless ``quiet``, a run that could not be recorded is said on stderr (the job's own
    outcome stands either way).
    """
    from dealerxl.i18n import tr
    from dealerxl.store.audit import entry_for, record

    entry = entry_for(job, status, result=result, front_end="cli", arguments=job_arguments(args),
                      inputs=inputs if inputs is not None else input_files(args), detail=detail)
    workbook = getattr(args, "workbook", None)
    reason = record(entry, workbook_path=workbook, url=getattr(args, "store", None), lang=lang)
    if reason and not quiet and (workbook is None or Path(workbook).is_file()):
        print(tr("msg.audit.not_recorded", lang, reason=reason), file=sys.stderr)
    return reason


class JobProgress:
    """The progress of one command run: a tqdm bar on a terminal, plain lines in a log, or nothing.

    :meth:`stage` moves to one of :data:`STAGES` stages; :meth:`update` takes the job's own
    steps (:func:`dealerxl.jobs.progress.step`) and shows them inside the current stage.
    """

    def __init__(self, args, lang: str, *, stream_err=None, stream_out=None):
        self.err = stream_err or sys.stderr
        self.out = stream_out or sys.stdout
        self.lang = lang
        if getattr(args, "quiet", False) or getattr(args, "json", False):
            self.mode = "off"
        elif _is_terminal(self.err):
            self.mode = "bar"
        else:
            self.mode = "lines"
        self.bar = None
        self.current = 0
        self.last_text = None

    def __enter__(self) -> JobProgress:
        if self.mode == "bar":
            from tqdm import tqdm

            self.bar = tqdm(total=STAGES, file=self.err, leave=False, dynamic_ncols=True,
                            bar_format="{desc} |{bar}| {n_fmt}/{total_fmt} [{elapsed}]")
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Take the bar off the terminal (the summary lines follow on a clean line)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def stage(self, number: int, text: str) -> None:
        if self.mode == "bar" and self.bar is not None:
            self.bar.total, self.bar.n = STAGES, number - 1
            self.bar.set_description_str(text)
        elif self.mode == "lines":
            print(tr_line(self.lang, number, text), file=self.out, flush=True)
        self.current, self.last_text = number, text

    def update(self, text: str, done: int | None = None, total: int | None = None) -> None:
        if self.mode == "bar" and self.bar is not None:
            if done is not None and total:
                # a counted step fills the bar with the job's own steps (e.g. the report's reviews and sheets)
                self.bar.total, self.bar.n = total, done
            self.bar.set_description_str(text)
        elif self.mode == "lines" and text != self.last_text:
            # one line per step, not per item: a log should stay readable
            print(f"  {text}", file=self.out, flush=True)
            self.last_text = text


def tr_line(lang: str, stage: int, text: str) -> str:
    from dealerxl.i18n import tr

    return tr("msg.progress.line", lang, stage=stage, stages=STAGES, text=text)


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or replaced streams
        return False


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
    from dealerxl.jobs.months import empty_forms_note

    lang = result.lang
    if args.json:
        json.dump(result.as_dict(), sys.stdout, ensure_ascii=False, indent=1, default=str)
        sys.stdout.write("\n")
    elif not args.quiet:
        for problem in result.problems:
            print(problem.message(lang))
        for line in empty_forms_note(result, lang):
            print(line)
        for line in notes(result):
            print(line)
        print(tr("msg.job_done_file", lang, job=tr(f"ribbon.{job}", lang), path=path))
    else:  # quiet is not silent: what went wrong is still said
        for problem in result.problems:
            print(problem.message(lang), file=sys.stderr)
    return 1 if result.problems else 0
