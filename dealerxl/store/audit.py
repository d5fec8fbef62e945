"""The audit log: one row per job run, kept in the history store's ``audit_log`` table.

A row says when (UTC, ISO 8601), who (the OS user), which job and from which front end
(``cli`` or ``ribbon``), with which arguments, the SHA-256 of every input file, the files
written, the rows of each result table, how many warnings and input problems there were,
and the exit status (0 clean, 1 written with input problems, 2 nothing written) with the
reason when nothing was written.

Recording never decides a job's outcome: :func:`record` returns the reason it could not
write (store unreachable, locked…, in the language asked for) for the front end to mention,
and the job's own exit status stands. A password in an argument (a store URL) is never
stored, nor shown from rows an older version stored (:func:`~dealerxl.store.api.redact_url`).
"""
from __future__ import annotations

import getpass
import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

TABLE = "audit_log"
COLUMNS = ["audit_id", "run_at", "user_name", "job", "front_end", "arguments", "inputs", "outputs", "row_counts",
           "warnings", "problems", "exit_status", "detail"]
JSON_COLUMNS = ("arguments", "inputs", "outputs", "row_counts")
CHUNK_BYTES = 1 << 20


def audit_log_sql(identity: str) -> list[str]:
    """``CREATE TABLE audit_log`` and its index, with ``identity`` the backend's id column type."""
    return [
        "CREATE TABLE audit_log (\n"
        f"  audit_id {identity},\n"
        "  run_at TEXT NOT NULL,\n"
        "  user_name TEXT NOT NULL,\n"
        "  job TEXT NOT NULL,\n"
        "  front_end TEXT NOT NULL,\n"
        "  arguments TEXT NOT NULL,\n"
        "  inputs TEXT NOT NULL,\n"
        "  outputs TEXT NOT NULL,\n"
        "  row_counts TEXT NOT NULL,\n"
        "  warnings BIGINT NOT NULL DEFAULT 0,\n"
        "  problems BIGINT NOT NULL DEFAULT 0,\n"
        "  exit_status INTEGER NOT NULL,\n"
        "  detail TEXT NOT NULL DEFAULT ''\n"
        ")",
        "CREATE INDEX audit_log_by_time ON audit_log (run_at)",
    ]


def os_user() -> str:
    """The login name running the job ('' for service accounts without one)."""
    try:
        return getpass.getuser()
    except Exception:  # getpass raises OSError or KeyError when no name is known
        return ""


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def sha256_of(path: str | os.PathLike) -> str:
    """SHA-256 of a file's bytes, read in chunks (large workbooks are not loaded whole)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def checksums(paths) -> dict[str, str]:
    """Absolute path → SHA-256 for each existing file of ``paths`` (a missing one maps to '')."""
    found = {}
    for path in paths:
        resolved = Path(path).resolve()
        found[str(resolved)] = sha256_of(resolved) if resolved.is_file() else ""
    return found


@dataclass
class AuditEntry:
    """One job run, as stored in a row of ``audit_log``."""

    job: str
    exit_status: int
    front_end: str = "cli"
    arguments: dict = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    row_counts: dict[str, int] = field(default_factory=dict)
    warnings: int = 0
    problems: int = 0
    detail: str = ""
    user_name: str = field(default_factory=os_user)
    run_at: str = field(default_factory=utc_now)

    def values(self) -> tuple:
        def as_json(value):
            return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)

        return (self.run_at, self.user_name, self.job, self.front_end, as_json(self.arguments), as_json(self.inputs),
                as_json([str(p) for p in self.outputs]), as_json(self.row_counts), int(self.warnings),
                int(self.problems), int(self.exit_status), self.detail)


def entry_for(job: str, exit_status: int, *, result=None, front_end: str = "cli", arguments: dict | None = None,
              inputs=(), outputs=(), detail: str = "") -> AuditEntry:
    """An entry for a run; ``result`` (a :class:`~dealerxl.jobs.common.JobResult`, None when the
    job failed) gives the rows per table, warnings, problems and files it wrote.

    ``inputs`` are the input files, or their checksums already taken (path → SHA-256) when
    the job may have changed a file it read.
    """
    from .api import redact_url

    written = [str(p) for p in (result.outputs if result is not None else [])]
    written += [str(p) for p in outputs if str(p) not in written]
    return AuditEntry(
        job=job, exit_status=exit_status, front_end=front_end, arguments=redacted(arguments or {}),
        inputs=dict(inputs) if isinstance(inputs, dict) else checksums(inputs), outputs=written,
        row_counts={name: len(frame) for name, frame in result.tables.items()} if result is not None else {},
        warnings=len(result.warnings) + len(getattr(result, "empty_forms", ())) if result is not None else 0,
        problems=len(result.problems) if result is not None else 0,
        detail=redact_url(detail))


def redacted(arguments: dict) -> dict:
    """``arguments`` with a password in any text value (a store URL) replaced by ``***``."""
    from .api import redact_url

    def clean(value):
        if isinstance(value, str):
            return redact_url(value)
        if isinstance(value, (list, tuple)):
            return [clean(item) for item in value]
        if isinstance(value, dict):
            return {key: clean(item) for key, item in value.items()}
        return value

    return {name: clean(value) for name, value in arguments.items()}


def append(store, entry: AuditEntry) -> int:
    """Add ``entry`` to the open ``store`` in one transaction; return its ``audit_id``."""
    names = COLUMNS[1:]
    sql = (f"INSERT INTO {TABLE} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)}) "
           "RETURNING audit_id")
    with store.backend.transaction():
        return int(store.backend.execute(sql, entry.values()).fetchone()[0])


def entries(store, last: int | None = None) -> pd.DataFrame:
    """The log, oldest first; ``last`` keeps only the newest ``last`` runs. JSON columns are decoded."""
    sql = f"SELECT {', '.join(COLUMNS)} FROM {TABLE} ORDER BY audit_id"
    params: tuple = ()
    if last is not None:
        sql = (f"SELECT {', '.join(COLUMNS)} FROM (SELECT * FROM {TABLE} ORDER BY audit_id DESC LIMIT ?) AS newest "
               "ORDER BY audit_id")
        params = (int(last),)
    frame = pd.DataFrame.from_records(store.backend.execute(sql, params).fetchall(), columns=COLUMNS)
    for column in JSON_COLUMNS:
        frame[column] = frame[column].map(json.loads)
    frame["arguments"] = frame["arguments"].map(redacted)  # rows written before passwords were left out
    for column in ("audit_id", "warnings", "problems", "exit_status"):
        frame[column] = frame[column].astype("int64")
    return frame


def record(entry: AuditEntry, *, workbook_path=None, url: str | None = None, lang: str = "en") -> str | None:
    """Append ``entry`` to the store of ``workbook_path`` (or ``url``); None when done, else why
    not (in ``lang``).

    The store is the one every job of that workbook uses (``$DEALERXL_STORE_URL`` or the
    SQLite file beside the workbook, see :func:`dealerxl.store.resolve_url`). No store is
    made beside a workbook that does not exist: a mistyped path leaves no file behind.
    """
    from dealerxl.i18n import tr
    from dealerxl.jobs.faults import fault_reason

    from .api import open_store, resolve_url, store_label
    from .errors import StoreError

    try:
        if not url and workbook_path is not None and not Path(workbook_path).is_file() \
                and resolve_url(url, workbook_path).startswith("sqlite:///"):
            return tr("msg.audit.no_workbook", lang, file=Path(workbook_path).name)
        with open_store(url, workbook_path) as store:
            append(store, entry)
    except StoreError as error:
        return error.message(lang)
    except Exception as error:  # a log that cannot be written must not turn a done job into a failure
        return fault_reason(error, lang, store=store_label(url, workbook_path)) or type(error).__name__
    return None
