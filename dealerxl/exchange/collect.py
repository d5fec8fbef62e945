"""Collecting returned templates into the history store, keeping every file.

Only one collection runs on a store at a time (:meth:`dealerxl.store.Store.collection_lock`;
another one is refused with a clear message). Every file is first copied into the archive
folder as ``<sha256><suffix>``, hashed while it is copied (so nothing received is ever
lost, and what is checked is exactly what was archived); links are never followed, and
anything that is not a plain file is refused. The archived copy is checked
(:mod:`.returned`) in a child process with a memory and a time limit (:mod:`.sandbox`), so
no file can stop the collection: a file that cannot be read is rejected with its name and
the reason, and the next file is read.

Then the accepted files are loaded, one transaction each
(:meth:`dealerxl.store.Store.load_submission`): the same file again is a ``duplicate``
and changes nothing; a file for a closed period is ``held`` for review; a file received
after an earlier one for the same recipient and period ``replaces`` it (which is newer is
the order the store received them, never the file's name or dates, which the sender
controls), and the register records it. Two different files for the same recipient and
period in one collection cannot be told apart that way: both are held for review. A
killed run leaves every file either fully loaded or not at all, and a rerun finishes the
rest. The collection report and the reminder list are written whatever the files held.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dealerxl.book import Problem
from dealerxl.calc import CalcError
from dealerxl.forms import FORMS
from dealerxl.i18n import DEFAULT_LANG, tr

from .issue import check_period, department_key, shared_form
from .package_check import DEFAULT_LIMITS, Limits
from .recipients import Recipient, read_recipients
from .returned import Checked

JOB = "collect_submissions"
SKIPPED_PREFIXES = (".", "~$")  # hidden files and Excel's lock files are not submissions
STATUSES = ("accepted", "replaced", "duplicate", "held", "rejected")
WORKERS = 2  # files checked at once, where there are as many processors
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}")


@dataclass
class Outcome:
    """What happened to one received file.

    ``note`` is a message key and its fields saying how the outcome was decided (which
    earlier submission a duplicate matches and when it was received, what a replacement
    replaced, the open items updated).
    """

    file: Path
    checksum: str
    status: str  # accepted, replaced, duplicate, held or rejected (on the way: received, checked)
    archived: Path
    form: str | None = None
    recipient: str | None = None
    name: str | None = None
    period: str | None = None
    lang: str | None = None
    rows: int = 0
    submission_id: int | None = None
    replaced_submission_id: int | None = None
    received_at: str = ""
    note: tuple[str, dict] | None = None
    problems: list[Problem] = field(default_factory=list)
    checked: Checked | None = field(default=None, repr=False)  # the rows, until they are loaded

    def note_text(self, lang: str) -> str:
        return tr(self.note[0], lang, **self.note[1]) if self.note else ""


class NotReceived(Exception):
    """The path is not a plain file that can be received (a link, a folder, a device)."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.code)


def _not_received(code: str, path: Path) -> NotReceived:
    return NotReceived(Problem(code, file=path.name, fields={"file": path.name}))


def receive(path: Path, archive: Path) -> tuple[str, Path]:
    """Copy the file at ``path`` into ``archive`` as ``<sha256><suffix>`` (atomically, once:
    a file already archived is not copied again), hashing it on the way; its checksum and the
    archived copy. A link is never followed, and only a plain file is read."""
    if path.is_symlink():
        raise _not_received("exchange.link", path)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        descriptor = os.open(path, flags)
    except FileNotFoundError:
        raise _not_received("file_not_found", path) from None
    except OSError:  # a link swapped in after the check above, or a folder
        raise _not_received("exchange.link" if path.is_symlink() else "exchange.not_a_file", path) from None
    with os.fdopen(descriptor, "rb") as source:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise _not_received("exchange.not_a_file", path)
        archive.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=archive, prefix=".receiving-")
        digest = hashlib.sha256()
        try:
            with os.fdopen(handle, "wb") as target:
                for block in iter(lambda: source.read(1 << 20), b""):
                    digest.update(block)
                    target.write(block)
            suffix = path.suffix.lower() if _SUFFIX.fullmatch(path.suffix) else ""
            archived = archive / f"{digest.hexdigest()}{suffix}"
            if archived.exists():
                Path(temporary).unlink()
            else:
                os.replace(temporary, archived)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return digest.hexdigest(), archived


def received_files(sources, archive: Path | None = None) -> list[Path]:
    """The files named, and every file under the folders named (not the archive's), sorted.

    Folders are walked without following links; a link found in them is listed (and then
    refused, never followed), so a link to a private file cannot bring it into the archive.
    """
    found: list[Path] = []
    skip = archive.resolve() if archive else None
    for source in map(Path, sources):
        if source.is_dir() and not source.is_symlink():
            inside = []
            for folder, folders, files in os.walk(source, followlinks=False):
                here = Path(folder)
                if skip and (here.resolve() == skip or skip in here.resolve().parents):
                    folders[:] = []
                    continue
                folders[:] = [f for f in folders if not f.startswith(".")]
                inside += [here / f for f in files if not f.startswith(SKIPPED_PREFIXES)]
                inside += [here / f for f in folders if (here / f).is_symlink()]
            found += sorted(inside)
        else:
            found.append(source)
    return list(dict.fromkeys(found))


def default_archive(workbook_path) -> Path:
    base = Path(workbook_path).resolve().parent if workbook_path is not None else Path.cwd()
    return base / "received"


def receive_file(path: Path, archive: Path) -> Outcome:
    """Archive one file: an outcome ``received`` (to be checked), or ``rejected`` when the path
    is not a plain file that can be received."""
    try:
        checksum, archived = receive(path, archive)
    except NotReceived as refused:
        return Outcome(path, "", "rejected", Path(), problems=[refused.problem])
    return Outcome(path, checksum, "received", archived)


def take_check(outcome: Outcome, checked: Checked) -> Outcome:
    """What the check of a received file found: ``checked`` (to be loaded) or ``rejected``."""
    if checked.fields:
        fields = checked.fields
        outcome.form, outcome.recipient, outcome.name = fields["form"], fields["recipient"], fields["recipient_name"]
        outcome.period, outcome.lang = fields["period"], fields["lang"]
    outcome.problems = checked.problems
    outcome.status = "checked" if checked.ok else "rejected"
    return outcome


def load_one(outcome: Outcome, checked: Checked, store) -> Outcome:
    """Load a checked file into the store; what happened goes into ``outcome``."""
    from dealerxl.store import StoreError
    from dealerxl.store.errors import PeriodClosed

    try:
        loaded = store.load_submission(outcome.form, outcome.recipient, outcome.period, outcome.checksum,
                                       checked.frame)
    except PeriodClosed:
        outcome.status = "held"
        outcome.problems = [Problem("exchange.held_closed", file=outcome.file.name,
                                    fields={"period": outcome.period, "form": outcome.form})]
        return outcome
    except StoreError as error:
        loaded = _loaded_meanwhile(store, outcome)
        if loaded is None:
            outcome.status = "rejected"
            outcome.problems = [Problem("exchange.store_refused", file=outcome.file.name,
                                        fields={"reason": error.message(outcome.lang or DEFAULT_LANG)})]
            return outcome
        outcome.note = ("exchange.note.other_run", {"submission": loaded.submission_id,
                                                    "received_at": _when(loaded.received_at)})
    except Exception as error:
        if not _store_answers(store):  # the connection is gone: no later file can load either
            raise
        # the database refused this file's rows (and still answers): this file only
        outcome.status = "rejected"
        outcome.problems = [Problem("exchange.store_failed", file=outcome.file.name,
                                    fields={"error": f"{type(error).__name__}: {str(error).strip()[:300]}"})]
        return outcome
    outcome.status, outcome.rows = loaded.status, loaded.row_count
    outcome.submission_id, outcome.replaced_submission_id = loaded.submission_id, loaded.replaced_submission_id
    outcome.received_at = _when(loaded.received_at)
    if outcome.note is None:
        outcome.note = _note(loaded, store, outcome)
    return outcome


def _store_answers(store) -> bool:
    """Whether the store's connection still answers a trivial query (after one of its errors)."""
    try:
        store.backend.execute("SELECT 1")
        return True
    except Exception:  # closed, terminated or unreachable
        return False


def _loaded_meanwhile(store, outcome: Outcome):
    """The same file loaded by another collection since this one checked it, if so."""
    try:
        return store.submission_of(outcome.form, outcome.recipient, outcome.period, outcome.checksum)
    except Exception:
        return None


def _when(stamp: str) -> str:
    """A store time stamp (UTC, ISO) as people read it: ``2026-10-03 10:22 UTC``."""
    return f"{stamp[:10]} {stamp[11:16]} UTC" if len(stamp) >= 16 else stamp


def _note(loaded, store, outcome: Outcome) -> tuple[str, dict] | None:
    if loaded.status == "duplicate":
        return "exchange.note.duplicate", {"submission": loaded.submission_id,
                                           "received_at": _when(loaded.received_at)}
    if loaded.status == "replaced":
        return "exchange.note.replaced", {"submission": loaded.replaced_submission_id}
    if loaded.updated_rows:
        return "exchange.note.updated", {"count": loaded.updated_rows}
    return None


def collect_one(path: Path, store, key: bytes | None, archive: Path, limits: Limits = DEFAULT_LIMITS) -> Outcome:
    """Archive, check (in this process) and load one file; an unreadable path is rejected, never raised."""
    from .sandbox import check_safely

    outcome = receive_file(path, archive)
    if outcome.status != "received":
        return outcome
    checked = check_safely(outcome.archived, key, outcome.file.name, limits)
    if take_check(outcome, checked).status == "checked":
        load_one(outcome, checked, store)
    return outcome


def hold_conflicts(outcomes: list[Outcome]) -> None:
    """Hold for review every file of a recipient and period that came with a different file
    for the same recipient and period in this collection: which of them is newer cannot be
    told from anything the sender does not control."""
    groups: dict[tuple, list[Outcome]] = {}
    for outcome in outcomes:
        if outcome.status == "checked":
            groups.setdefault((outcome.form, outcome.recipient, outcome.period), []).append(outcome)
    for group in groups.values():
        if len({o.checksum for o in group}) < 2:
            continue
        for outcome in group:
            others = ", ".join(o.file.name for o in group if o is not outcome)
            outcome.status = "held"
            outcome.problems = [Problem("exchange.held_conflict", file=outcome.file.name,
                                        fields={"others": others, "recipient": outcome.recipient,
                                                "period": outcome.period})]


def expected_recipients(workbook, form_id: str, lang: str, period: str | None = None) -> list[Recipient] | None:
    """Who should send ``form_id`` for ``period``: the workbook's roster (None without a workbook)."""
    if workbook is None:
        return None
    from dealerxl.book import open_source

    recipients, _ = read_recipients(open_source(workbook), FORMS[form_id], lang, period)
    return recipients


@dataclass
class CollectResult:
    """The outcomes of one collection, the recipients still missing, and where things went."""

    outcomes: list[Outcome]
    missing: pd.DataFrame
    archive: Path
    store_url: str


def collect_files(sources, *, store_url: str | None = None, workbook=None, archive: str | Path | None = None,
                  lang: str | None = None, form_id: str | None = None, period: str | None = None,
                  on_file=None, workbook_path: str | os.PathLike | None = None, isolate: bool = True,
                  limits: Limits = DEFAULT_LIMITS):
    """Collect every file in ``sources`` (files or folders) into the store.

    ``workbook`` (a path or an open book) gives the roster and the language;
    ``workbook_path`` (default: ``workbook`` when it is a path) places the store, the key
    file and the archive. ``form_id``/``period`` name the collection whose missing recipients are listed;
    without them every form and period seen in the files is. ``on_file(outcome)`` is
    called after each file. ``isolate`` checks the files in a child process with limits
    (:mod:`.sandbox`). Returns a :class:`~dealerxl.jobs.common.JobResult` whose
    ``collection`` attribute is the :class:`CollectResult`.
    """
    from dealerxl.book import open_source, workbook_language
    from dealerxl.jobs import progress
    from dealerxl.jobs.common import JobResult
    from dealerxl.store import StoreError, open_store

    from .sandbox import Checker

    shown = lang or (workbook_language(open_source(workbook)) if workbook is not None else DEFAULT_LANG)
    if form_id:
        shared_form(form_id, shown)
    if period:
        check_period(period, shown)
    if workbook_path is None and isinstance(workbook, (str, os.PathLike)):
        workbook_path = workbook
    archive = Path(archive) if archive else default_archive(workbook_path)
    key = department_key(workbook_path, shown)
    if key is None:  # without the key no file can be checked: a setup problem, not the files'
        raise CalcError(tr("msg.exchange.no_key", shown))
    files = received_files(sources, archive)
    try:
        store = open_store(store_url, workbook_path)
    except StoreError as error:
        raise CalcError(error.message(shown)) from error
    with store, _one_collection(store, shown):
        outcomes = []
        for done, path in enumerate(files):
            progress.step(tr("msg.exchange.progress_receiving", shown), done, len(files))
            outcomes.append(receive_file(path, archive))
        received = [o for o in outcomes if o.status == "received"]
        # in this process (isolate=False) one file at a time; in child processes as many as there are processors
        workers = min(WORKERS, os.cpu_count() or 1, max(len(received), 1)) if isolate else 1
        with Checker(key, limits, workers=workers) as checker:
            if not isolate:
                checker.unavailable = True
            results = checker.check_all([(o.archived, o.file.name) for o in received])
            for done, (outcome, checked) in enumerate(zip(received, results)):
                progress.step(tr("msg.exchange.progress_collecting", shown, file=outcome.file.name), done,
                              len(received))
                take_check(outcome, checked)
                outcome.checked = checked
        hold_conflicts(outcomes)
        for outcome in outcomes:
            if outcome.status == "checked":
                load_one(outcome, outcome.checked, store)
            outcome.checked = None  # the rows are in the store now; let them go
            if on_file is not None:
                on_file(outcome)
        missing = missing_table(store, outcomes, workbook, shown, form_id, period)
        url = store.url
    collection = CollectResult(outcomes, missing, archive, url)
    result = JobResult(JOB, shown, problems=[_file_problem(o) for o in outcomes if o.status in ("rejected", "held")],
                       summary=summary_counts(collection))
    result.tables = report_tables(collection, shown)
    result.collection = collection
    return result


@contextmanager
def _one_collection(store, lang: str):
    """The store's collection lock for the block; another collection running is a clear
    message, not a failure of this one's files."""
    from dealerxl.store import StoreError

    try:
        with store.collection_lock():
            yield
    except StoreError as error:
        if error.key != "msg.store.collect_running":
            raise
        raise CalcError(error.message(lang)) from error


def missing_table(store, outcomes, workbook, lang, form_id, period) -> pd.DataFrame:
    """Recipients with no accepted submission, for the named or every seen form and period."""
    wanted = [(form_id, period)] if form_id and period else sorted({
        (o.form, o.period) for o in outcomes
        if o.form and o.period and (form_id is None or o.form == form_id) and (period is None or o.period == period)})
    rows = []
    for form, when in wanted:
        expected = expected_recipients(workbook, form, lang, when)
        if expected is None:
            continue
        by_id = {r.id: r for r in expected}
        for rid in store.missing_recipients(form, when, list(by_id)):
            r = by_id[rid]
            rows.append({"recipient": r.id, "name": r.name, "email": r.email or "", "form": form,
                         "form_title": tr(FORMS[form].label_key("title"), r.lang), "period": when, "lang": r.lang})
    return pd.DataFrame(rows, columns=["recipient", "name", "email", "form", "form_title", "period", "lang"])


def _file_problem(outcome: Outcome) -> Problem:
    code = "exchange.held" if outcome.status == "held" else "exchange.rejected"
    return Problem(code, file=outcome.file.name, fields={"file": outcome.file.name, "count": len(outcome.problems)})


def summary_counts(collection: CollectResult) -> dict:
    counts = {status: 0 for status in STATUSES}
    for outcome in collection.outcomes:
        counts[outcome.status] += 1
    return {**counts, "files": len(collection.outcomes), "missing": len(collection.missing),
            "archive": str(collection.archive)}


def report_tables(collection: CollectResult, lang: str) -> dict[str, pd.DataFrame]:
    """The collection report's tables (column ids; :func:`report_sheets` labels them).

    ``received`` says for each loaded file how it was decided (``note``): which earlier
    submission a duplicate matches and when that was received; that a replacement was
    received after the submission it replaces (the order received decides which is newer).
    """
    done = [o for o in collection.outcomes if o.status in ("accepted", "replaced", "duplicate")]
    received = pd.DataFrame([{
        "file": o.file.name, "recipient": o.recipient, "name": o.name, "form": o.form, "period": o.period,
        "status": tr(f"exchange.status.{o.status}", lang), "rows": o.rows, "submission": o.submission_id,
        "received_at": o.received_at, "note": o.note_text(lang), "checksum": o.checksum} for o in done],
        columns=["file", "recipient", "name", "form", "period", "status", "rows", "submission", "received_at", "note",
                 "checksum"])

    def problems_of(status: str) -> pd.DataFrame:
        return pd.DataFrame([{
            "file": o.file.name, "recipient": o.recipient, "form": o.form, "period": o.period,
            "cell": p.address if p.sheet else "", "reason": p.reason(o.lang or lang), "checksum": o.checksum}
            for o in collection.outcomes if o.status == status for p in o.problems],
            columns=["file", "recipient", "form", "period", "cell", "reason", "checksum"])

    replaced = pd.DataFrame([{
        "recipient": o.recipient, "form": o.form, "period": o.period, "submission": o.replaced_submission_id,
        "replaced_by": o.submission_id, "file": o.file.name} for o in done if o.status == "replaced"],
        columns=["recipient", "form", "period", "submission", "replaced_by", "file"])
    return {"received": received, "held": problems_of("held"), "rejected": problems_of("rejected"),
            "replaced": replaced, "missing": collection.missing}


def report_sheets(result) -> dict[str, pd.DataFrame]:
    """The report's tables with sheet names and headers in the result's language."""
    lang = result.lang
    return {tr(f"exchange.sheet.{name}", lang): frame.rename(columns=lambda c: tr(f"exchange.col.{c}", lang))
            for name, frame in result.tables.items()}


def write_reminders(result, path: Path) -> Path:
    """The reminder list as CSV for a mail merge (UTF-8 with BOM so Excel opens it right), its
    headers in the language of the run; no cell can start a formula
    (:func:`dealerxl.jobs.outputs.write_csv`)."""
    from dealerxl.jobs.outputs import write_csv

    return write_csv(result.tables["missing"].rename(columns=lambda c: tr(f"exchange.col.{c}", result.lang)), path)


def report_name(lang: str) -> str:
    """A name of its own for each run: the time to the millisecond (runs on one store never
    overlap, and two runs cannot start in the same millisecond)."""
    now = pd.Timestamp.now()
    return f"{tr('exchange.report_name', lang)}_{now.strftime('%Y%m%d-%H%M%S')}-{now.microsecond // 1000:03d}.xlsx"


def output_name(result) -> str:
    return report_name(result.lang)


def write_outputs(result, path: Path) -> list[Path]:
    from dealerxl.jobs.common import write_result_workbook

    report = write_result_workbook(path, report_sheets(result))
    reminders = write_reminders(result, path.with_name(path.stem + "_" + tr("exchange.reminders_name", result.lang)
                                                       + ".csv"))
    return [report, reminders]


def summary_lines(result) -> list[str]:
    """What the terminal and the message box say: counts, each rejected or held file's problems."""
    lang = result.lang
    counts = {**{status: 0 for status in STATUSES}, **result.summary}  # a summary from before held files counts none
    lines = [tr("msg.exchange.collected", lang, **counts)]
    for outcome in result.collection.outcomes:
        if outcome.status not in ("rejected", "held"):
            continue
        lines.append(tr(f"msg.exchange.{outcome.status}_file", lang, file=outcome.file.name))
        # the person at the console reads them in the run's language (the report keeps the recipient's)
        lines += [f"  {p.message(lang)}" for p in outcome.problems]
    return lines
