"""Collecting returned templates into the history store, keeping every file.

For each file, in name order: its SHA-256 is taken and the file copied into the archive
folder as ``<sha256><suffix>`` (before anything else, so nothing received is ever lost);
it is checked (:mod:`.returned`); an accepted file's rows go into the store in one
transaction (:meth:`dealerxl.store.Store.load_submission`: the same file again is a
``duplicate`` and changes nothing, a newer file for the same recipient and period
``replaces`` the older one and the register records it). A killed run leaves every file
either fully loaded or not at all, and a rerun finishes the rest.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dealerxl.book import Problem
from dealerxl.calc import CalcError
from dealerxl.forms import FORMS
from dealerxl.i18n import DEFAULT_LANG, tr

from . import manifest
from .issue import check_period, shared_form
from .recipients import Recipient, read_recipients
from .returned import check_file

JOB = "collect_submissions"
SKIPPED_PREFIXES = (".", "~$")  # hidden files and Excel's lock files are not submissions


@dataclass
class Outcome:
    """What happened to one received file."""

    file: Path
    checksum: str
    status: str  # accepted, replaced, duplicate or rejected
    archived: Path
    form: str | None = None
    recipient: str | None = None
    name: str | None = None
    period: str | None = None
    lang: str | None = None
    rows: int = 0
    submission_id: int | None = None
    replaced_submission_id: int | None = None
    problems: list[Problem] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def archive_copy(path: Path, checksum: str, archive: Path) -> Path:
    """``archive/<checksum><suffix>``, copied atomically unless already there."""
    target = archive / f"{checksum}{path.suffix.lower()}"
    if target.exists():
        return target
    archive.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=archive, prefix=".receiving-")
    os.close(handle)
    try:
        shutil.copyfile(path, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def received_files(sources, archive: Path | None = None) -> list[Path]:
    """The files named, and every file under the folders named (not the archive's), sorted."""
    found: list[Path] = []
    skip = archive.resolve() if archive else None
    for source in map(Path, sources):
        if source.is_dir():
            for path in sorted(source.rglob("*")):
                if not path.is_file() or path.name.startswith(SKIPPED_PREFIXES):
                    continue
                if skip and skip in path.resolve().parents:
                    continue
                found.append(path)
        else:
            found.append(source)
    return list(dict.fromkeys(found))


def default_archive(workbook_path) -> Path:
    base = Path(workbook_path).resolve().parent if workbook_path is not None else Path.cwd()
    return base / "received"


def collect_one(path: Path, store, key: bytes | None, archive: Path) -> Outcome:
    """Archive, check and load one file; an unreadable path is rejected, never raised."""
    from dealerxl.store import StoreError

    if not path.is_file():
        problem = Problem("file_not_found", file=path.name, fields={"file": path.name})
        return Outcome(path, "", "rejected", Path(), problems=[problem])
    checksum = sha256_of(path)
    outcome = Outcome(path, checksum, "rejected", archive_copy(path, checksum, archive))
    try:
        checked = check_file(path, key)
    except (OSError, ValueError, KeyError, IndexError, TypeError) as error:
        # A file damaged in a way no check foresaw is still a rejected file, kept and reported,
        # not the end of the collection: the other files must go in.
        outcome.problems = [Problem("exchange.unexpected", file=path.name,
                                    fields={"error": f"{type(error).__name__}: {error}"})]
        return outcome
    if checked.fields:
        fields = checked.fields
        outcome.form, outcome.recipient, outcome.name = fields["form"], fields["recipient"], fields["recipient_name"]
        outcome.period, outcome.lang = fields["period"], fields["lang"]
    outcome.problems = checked.problems
    if not checked.ok:
        return outcome
    try:
        loaded = store.load_submission(outcome.form, outcome.recipient, outcome.period, checksum, checked.frame)
    except StoreError as error:
        outcome.problems = [Problem("exchange.store_refused", file=path.name,
                                    fields={"reason": error.message(outcome.lang)})]
        return outcome
    outcome.status, outcome.rows = loaded.status, loaded.row_count
    outcome.submission_id, outcome.replaced_submission_id = loaded.submission_id, loaded.replaced_submission_id
    return outcome


def expected_recipients(workbook, form_id: str, lang: str) -> list[Recipient] | None:
    """Who should send ``form_id``: the workbook's roster (None without a workbook)."""
    if workbook is None:
        return None
    from dealerxl.book import open_source

    recipients, _ = read_recipients(open_source(workbook), FORMS[form_id], lang)
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
                  on_file=None, workbook_path: str | os.PathLike | None = None):
    """Collect every file in ``sources`` (files or folders) into the store.

    ``workbook`` (a path or an open book) gives the roster and the language;
    ``workbook_path`` (default: ``workbook`` when it is a path) places the store, the key
    file and the archive. ``form_id``/``period`` name the collection whose missing recipients are listed;
    without them every form and period seen in the files is. ``on_file(outcome)`` is
    called after each file. Returns a :class:`~dealerxl.jobs.common.JobResult` whose
    ``collection`` attribute is the :class:`CollectResult`.
    """
    from dealerxl.book import open_source, workbook_language
    from dealerxl.jobs import progress
    from dealerxl.jobs.common import JobResult
    from dealerxl.store import StoreError, open_store

    shown = lang or (workbook_language(open_source(workbook)) if workbook is not None else DEFAULT_LANG)
    if form_id:
        shared_form(form_id, shown)
    if period:
        check_period(period, shown)
    if workbook_path is None and isinstance(workbook, (str, os.PathLike)):
        workbook_path = workbook
    archive = Path(archive) if archive else default_archive(workbook_path)
    key = manifest.department_key(workbook_path)
    if key is None:  # without the key no file can be checked: a setup problem, not the files'
        raise CalcError(tr("msg.exchange.no_key", shown))
    files = received_files(sources, archive)
    try:
        store = open_store(store_url, workbook_path)
    except StoreError as error:
        raise CalcError(error.message(shown)) from error
    outcomes = []
    with store:
        for done, path in enumerate(files):
            progress.step(tr("msg.exchange.progress_collecting", shown, file=path.name), done, len(files))
            outcome = collect_one(path, store, key, archive)
            outcomes.append(outcome)
            if on_file is not None:
                on_file(outcome)
        missing = missing_table(store, outcomes, workbook, shown, form_id, period)
        url = store.url
    collection = CollectResult(outcomes, missing, archive, url)
    result = JobResult(JOB, shown, problems=[_file_problem(o) for o in outcomes if o.status == "rejected"],
                       summary=summary_counts(collection))
    result.tables = report_tables(collection, shown)
    result.collection = collection
    return result


def missing_table(store, outcomes, workbook, lang, form_id, period) -> pd.DataFrame:
    """Recipients with no accepted submission, for the named or every seen form and period."""
    wanted = [(form_id, period)] if form_id and period else sorted({
        (o.form, o.period) for o in outcomes
        if o.form and o.period and (form_id is None or o.form == form_id) and (period is None or o.period == period)})
    rows = []
    for form, when in wanted:
        expected = expected_recipients(workbook, form, lang)
        if expected is None:
            continue
        by_id = {r.id: r for r in expected}
        for rid in store.missing_recipients(form, when, list(by_id)):
            r = by_id[rid]
            rows.append({"recipient": r.id, "name": r.name, "email": r.email or "", "form": form,
                         "form_title": tr(FORMS[form].label_key("title"), r.lang), "period": when, "lang": r.lang})
    return pd.DataFrame(rows, columns=["recipient", "name", "email", "form", "form_title", "period", "lang"])


def _file_problem(outcome: Outcome) -> Problem:
    return Problem("exchange.rejected", file=outcome.file.name,
                   fields={"file": outcome.file.name, "count": len(outcome.problems)})


def summary_counts(collection: CollectResult) -> dict:
    counts = {status: 0 for status in ("accepted", "replaced", "duplicate", "rejected")}
    for outcome in collection.outcomes:
        counts[outcome.status] += 1
    return {**counts, "files": len(collection.outcomes), "missing": len(collection.missing),
            "archive": str(collection.archive)}


def report_tables(collection: CollectResult, lang: str) -> dict[str, pd.DataFrame]:
    """The collection report's tables (column ids; :func:`report_sheets` labels them)."""
    done = [o for o in collection.outcomes if o.status != "rejected"]
    received = pd.DataFrame([{
        "file": o.file.name, "recipient": o.recipient, "name": o.name, "form": o.form, "period": o.period,
        "status": tr(f"exchange.status.{o.status}", lang), "rows": o.rows, "submission": o.submission_id,
        "checksum": o.checksum} for o in done],
        columns=["file", "recipient", "name", "form", "period", "status", "rows", "submission", "checksum"])
    rejected = pd.DataFrame([{
        "file": o.file.name, "recipient": o.recipient, "form": o.form, "period": o.period,
        "cell": p.address if p.sheet else "", "reason": p.reason(o.lang or lang), "checksum": o.checksum}
        for o in collection.outcomes if o.status == "rejected" for p in o.problems],
        columns=["file", "recipient", "form", "period", "cell", "reason", "checksum"])
    replaced = pd.DataFrame([{
        "recipient": o.recipient, "form": o.form, "period": o.period, "submission": o.replaced_submission_id,
        "replaced_by": o.submission_id, "file": o.file.name} for o in done if o.status == "replaced"],
        columns=["recipient", "form", "period", "submission", "replaced_by", "file"])
    return {"received": received, "rejected": rejected, "replaced": replaced, "missing": collection.missing}


def report_sheets(result) -> dict[str, pd.DataFrame]:
    """The report's tables with sheet names and headers in the result's language."""
    lang = result.lang
    return {tr(f"exchange.sheet.{name}", lang): frame.rename(columns=lambda c: tr(f"exchange.col.{c}", lang))
            for name, frame in result.tables.items()}


def write_reminders(result, path: Path) -> Path:
    """The reminder list as CSV for a mail merge (UTF-8 with BOM so Excel opens it right), its
    headers in the language of the run."""
    from dealerxl.jobs.safety import atomic_write

    frame = result.tables["missing"].rename(columns=lambda c: tr(f"exchange.col.{c}", result.lang))
    with atomic_write(path) as temporary:
        frame.to_csv(temporary, index=False, encoding="utf-8-sig")
    return path


def report_name(lang: str) -> str:
    stamp = pd.Timestamp.now().strftime("%Y%m%d-%H%M%S")
    return f"{tr('exchange.report_name', lang)}_{stamp}.xlsx"


def output_name(result) -> str:
    return report_name(result.lang)


def write_outputs(result, path: Path) -> list[Path]:
    from dealerxl.jobs.common import write_result_workbook

    report = write_result_workbook(path, report_sheets(result))
    reminders = write_reminders(result, path.with_name(path.stem + "_" + tr("exchange.reminders_name", result.lang)
                                                       + ".csv"))
    return [report, reminders]


def summary_lines(result) -> list[str]:
    """What the terminal and the message box say: counts, each rejected file's problems."""
    lang = result.lang
    lines = [tr("msg.exchange.collected", lang, **{k: v for k, v in result.summary.items()})]
    for outcome in result.collection.outcomes:
        if outcome.status != "rejected":
            continue
        lines.append(tr("msg.exchange.rejected_file", lang, file=outcome.file.name))
        # the person at the console reads them in the run's language (the report keeps the recipient's)
        lines += [f"  {p.message(lang)}" for p in outcome.problems]
    return lines
