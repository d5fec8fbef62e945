"""The history store: submissions and bulk history for every form, SQLite or PostgreSQL.

Which of two submissions for the same form, recipient and period is newer is decided by
the order the store received them, never by anything in or about the file (its name, its
dates), which the recipient controls: a later collection's file replaces the earlier one,
and the register keeps both. A department closes a period (:meth:`Store.close_period`)
once its figures are final; a file for a closed period then changes nothing and is held
for review (:class:`PeriodClosed`) until the period is opened again.

Forms that are logs of open items (complaints, tasks: ``Form.open_items``) keep every
version of each item: a recipient's file for a later period updates the items it sent
before, the item's current version is the one of the latest period, and
:meth:`Store.row_history` lists them all.
"""
from __future__ import annotations

import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from dealerxl.forms import FORMS, Form

from . import migrations
from .errors import PeriodClosed, StoreError
from .schema import PERIOD_COLUMN, SUBMISSION_COLUMN, quote, table_name
from .values import check_period, column_values, row_periods, storage_dtypes, storage_frame, typed_frame

URL_VARIABLE = "DEALERXL_STORE_URL"
EXCEL_MAX_ROWS = 1_048_576
SUBMISSION_COLUMNS = ["submission_id", "form_id", "recipient", "period", "checksum", "received_at",
                      "status", "replaced_by", "row_count"]


def default_url(workbook_path: str | os.PathLike) -> str:
    """The SQLite file next to the workbook: ``Sales.xlsm`` → ``sqlite:///…/Sales.sqlite``."""
    path = Path(workbook_path).resolve()
    return "sqlite:///" + path.with_name(path.stem + ".sqlite").as_posix()


# A password in a URL's user part (``user:secret@``), as a parameter (``?password=secret``) or in
# a libpq keyword string (``password=secret``).
_USER_PASSWORD = re.compile(r"(?P<keep>://[^:/@?#\s]*:)[^@/\s]*(?=@)")
_PASSWORD_PARAMETER = re.compile(r"(?P<keep>(?:^|[?&;\s])password\s*=\s*)(?:'[^']*'|[^&;\s]*)", re.IGNORECASE)


def redact_url(text: str) -> str:
    """``text`` (a store URL, or a message holding one) with every password replaced by ``***``:
    what may be printed, logged or stored.

    >>> redact_url("postgresql://dx:s3cret@db:5432/dealer?password=x&sslmode=require")
    'postgresql://dx:***@db:5432/dealer?password=***&sslmode=require'
    """
    text = _USER_PASSWORD.sub(r"\g<keep>***", str(text))
    return _PASSWORD_PARAMETER.sub(r"\g<keep>***", text)


def store_label(url: str | None = None, workbook_path: str | os.PathLike | None = None) -> str:
    """How a store is named in messages: its SQLite file, or its URL without the password."""
    try:
        resolved = resolve_url(url, workbook_path)
    except StoreError:
        return ""
    if resolved.startswith("sqlite:///"):
        return resolved[len("sqlite:///"):]
    return redact_url(resolved)


def resolve_url(url: str | None = None, workbook_path: str | os.PathLike | None = None) -> str:
    """The store to use: ``url`` (argument or settings sheet), else ``$DEALERXL_STORE_URL``, else the default."""
    if url:
        return url
    if os.environ.get(URL_VARIABLE):
        return os.environ[URL_VARIABLE]
    if workbook_path is None:
        raise StoreError("msg.store.no_url")
    return default_url(workbook_path)


@dataclass(frozen=True)
class LoadResult:
    """What a submission load did: ``status`` is ``accepted``, ``replaced`` or ``duplicate``.

    ``received_at`` is when the stored submission was received (for a duplicate: the first
    time); ``updated_rows`` counts the open items an earlier period's file had sent that
    this one updated.
    """

    status: str
    submission_id: int
    replaced_submission_id: int | None
    row_count: int
    received_at: str = ""
    updated_rows: int = 0


@dataclass(frozen=True)
class LatestPeriods:
    """The newest periods whose rows fit in a sheet, and what stays in the store."""

    periods: list[str]
    rows: int
    rows_left: int


def open_store(url: str | None = None, workbook_path: str | os.PathLike | None = None,
               forms: dict[str, Form] | None = None) -> "Store":
    """Open (creating and migrating as needed) the store named by ``url`` or its fallbacks."""
    url = resolve_url(url, workbook_path)
    if url.startswith("sqlite:///"):
        from .sqlite import SQLiteBackend
        backend = SQLiteBackend(url[len("sqlite:///"):])
    elif url.split("://", 1)[0] in ("postgresql", "postgres", "postgresql+psycopg"):
        from .postgres import PostgresBackend
        backend = PostgresBackend(url.replace("postgresql+psycopg://", "postgresql://", 1))
    else:
        raise StoreError("msg.store.bad_url", url=redact_url(url))
    store = Store(backend, url, FORMS if forms is None else forms)
    try:
        store.migrate()
    except BaseException:
        store.close()
        raise
    return store


class Store:
    """One open store. Every write is one transaction: it happens completely or not at all."""

    def __init__(self, backend, url: str, forms: dict[str, Form]) -> None:
        self.backend = backend
        self.url = url
        self.forms = forms

    # -- lifecycle -------------------------------------------------------------------
    def close(self) -> None:
        self.backend.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def migrate(self) -> list[int]:
        """Bring the tables up to the form declarations; return the versions applied."""
        return migrations.migrate(self.backend, self.forms)

    def schema_version(self) -> int:
        return migrations.recorded_state(self.backend)[0]

    def migration_history(self) -> pd.DataFrame:
        rows = self.backend.execute(
            "SELECT version, description, applied_at FROM schema_migrations ORDER BY version").fetchall()
        return pd.DataFrame.from_records(rows, columns=["version", "description", "applied_at"])

    # -- writing ---------------------------------------------------------------------
    def _form(self, form_id: str) -> Form:
        if form_id not in self.forms:
            raise StoreError("msg.store.unknown_form", form=form_id)
        return self.forms[form_id]

    def _insert(self, form: Form, values: pd.DataFrame, **kw) -> int:
        return self.backend.insert_frame(table_name(form.id), values, **kw)

    @contextmanager
    def _write(self, form_id: str):
        """One transaction; a key the database refuses (e.g. two people sending the same
        recipient and period at the same moment) becomes a StoreError after the rollback."""
        try:
            with self.backend.transaction():
                yield
        except self.backend.integrity_errors as error:
            detail = str(error).strip().splitlines()[0]
            raise StoreError("msg.store.key_taken", form=form_id, detail=detail) from error

    def load_submission(self, form_id: str, recipient: str, period: str, checksum: str,
                        frame: pd.DataFrame) -> LoadResult:
        """Store one received file's rows for ``recipient`` and ``period`` in one transaction.

        A checksum already received for the same form, recipient and period changes
        nothing (``duplicate``); a file for a closed period raises :class:`PeriodClosed`
        and changes nothing either; otherwise an earlier submission for them is marked
        ``replaced`` and its rows are swapped for the new ones (``replaced``); else the rows
        are simply added (``accepted``). Any error leaves the store as it was.
        """
        form = self._form(form_id)
        check_period(period)
        recipient = str(recipient)
        values = storage_frame(form, frame)
        values[SUBMISSION_COLUMN] = None
        values[PERIOD_COLUMN] = period
        execute = self.backend.execute
        try:
            with self._write(form_id):
                earlier = execute(
                    "SELECT submission_id, checksum, status, received_at, row_count FROM submissions"
                    " WHERE form_id = ? AND recipient = ? AND period = ?",
                    (form_id, recipient, period)).fetchall()
                for submission_id, known_checksum, _, received_at, count in earlier:
                    if known_checksum == checksum:
                        return LoadResult("duplicate", int(submission_id), None, int(count), str(received_at))
                if self.is_closed(form_id, period):
                    raise PeriodClosed("msg.store.period_closed", form=form_id, period=period)
                current = [row[0] for row in earlier if row[2] == "accepted"]
                if current:
                    execute("UPDATE submissions SET status = 'replaced' WHERE submission_id = ?", (current[0],))
                    execute(f"DELETE FROM {quote(table_name(form_id))} WHERE {quote(SUBMISSION_COLUMN)} = ?",
                            (current[0],))
                received_at = datetime.now(timezone.utc).isoformat(timespec="microseconds")
                new_id = int(execute(
                    "INSERT INTO submissions (form_id, recipient, period, checksum, received_at, status, row_count)"
                    " VALUES (?, ?, ?, ?, ?, 'accepted', ?) RETURNING submission_id",
                    (form_id, recipient, period, checksum, received_at, len(values))).fetchone()[0])
                if current:
                    execute("UPDATE submissions SET replaced_by = ? WHERE submission_id = ?", (new_id, current[0]))
                values[SUBMISSION_COLUMN] = new_id
                updated = 0
                if form.open_items:
                    updated = self._load_versions(form, recipient, period, new_id, values)
                else:
                    self._insert(form, values)
        except StoreError as error:
            if error.key == "msg.store.key_taken":
                raise self._explained_clash(form, recipient, period, values, error) from error
            raise
        status = "replaced" if current else "accepted"
        return LoadResult(status, new_id, current[0] if current else None, len(values), received_at, updated)

    def _load_versions(self, form: Form, recipient: str, period: str, submission_id: int,
                       values: pd.DataFrame) -> int:
        """Record the submission's rows as versions, then make the recipient's current rows the
        versions of the latest period (then the latest submission) among its accepted
        submissions; return how many items of earlier periods this submission updated."""
        execute = self.backend.execute
        keys = list(form.key_columns)
        columns = [c.id for c in form.columns]
        plain = {c: values[c].to_numpy(dtype=object, na_value=None).tolist() for c in columns}
        rows = [dict(zip(columns, cells)) for cells in zip(*(plain[c] for c in columns))]
        row_keys = [_row_key(row, keys) for row in rows]
        history = execute(
            "SELECT v.row_key, v.period, v.submission_id, v.row_values FROM row_versions v"
            " JOIN submissions s ON s.submission_id = v.submission_id"
            " WHERE v.form_id = ? AND s.recipient = ? AND s.status = 'accepted'",
            (form.id, recipient)).fetchall()
        earlier_keys = {key for key, when, _, _ in history if when < period}
        self.backend.executemany(
            "INSERT INTO row_versions (submission_id, form_id, row_key, period, row_values) VALUES (?, ?, ?, ?, ?)",
            [(submission_id, form.id, key, period, json.dumps(row, ensure_ascii=False, default=_plain_json))
             for key, row in zip(row_keys, rows)])
        latest: dict[str, tuple] = {}
        for key, when, owner, text in [*history, *((k, period, submission_id, None) for k in row_keys)]:
            if key not in latest or (when, int(owner)) > latest[key][:2]:
                latest[key] = (when, int(owner), text)
        own = {k: row for k, row in zip(row_keys, rows)}
        winners = [{**(own[key] if text is None else json.loads(text)), SUBMISSION_COLUMN: owner,
                    PERIOD_COLUMN: when} for key, (when, owner, text) in latest.items()]
        table = quote(table_name(form.id))
        execute(f"DELETE FROM {table} WHERE {quote(SUBMISSION_COLUMN)} IN"
                " (SELECT submission_id FROM submissions WHERE form_id = ? AND recipient = ?)", (form.id, recipient))
        frame = pd.DataFrame.from_records(winners, columns=columns + [SUBMISSION_COLUMN, PERIOD_COLUMN])
        self._insert(form, storage_dtypes(form, frame))
        return len(earlier_keys & set(row_keys))

    def _explained_clash(self, form: Form, recipient: str, period: str, values: pd.DataFrame,
                         error: StoreError) -> StoreError:
        """The store's refusal of a key, said in the user's terms: which row's key, and whose
        submission for which period already holds it (or that it is history loaded in bulk).
        Rows of the submission the load was replacing are not the clash: they were to go."""
        keys = list(form.key_columns)
        table = quote(table_name(form.id))
        condition = " AND ".join(f"t.{quote(k)} = ?" for k in keys)
        plain = values[keys].to_numpy(dtype=object, na_value=None).tolist()
        for row in plain:
            found = self.backend.execute(
                f"SELECT s.recipient, s.period, s.submission_id FROM {table} t LEFT JOIN submissions s"
                f" ON s.submission_id = t.{quote(SUBMISSION_COLUMN)} WHERE {condition}", row).fetchone()
            if found is None or (found[0], found[1]) == (recipient, period):
                continue
            shown = ", ".join(str(v) for v in row)
            if found[2] is None:
                return StoreError("msg.store.key_in_history", form=form.id, values=shown)
            return StoreError("msg.store.key_held", form=form.id, values=shown, recipient=found[0],
                              period=found[1], submission=found[2])
        return error

    def submission_of(self, form_id: str, recipient: str, period: str, checksum: str) -> LoadResult | None:
        """The stored submission of this very file, if any (another collection may have loaded it)."""
        row = self.backend.execute(
            "SELECT submission_id, row_count, received_at FROM submissions"
            " WHERE form_id = ? AND recipient = ? AND period = ? AND checksum = ?",
            (form_id, str(recipient), check_period(period), checksum)).fetchone()
        return None if row is None else LoadResult("duplicate", int(row[0]), None, int(row[1]), str(row[2]))

    def row_history(self, form_id: str, filters: dict[str, object] | None = None) -> pd.DataFrame:
        """Every version of the rows of an open-items form, oldest first: the form's columns,
        then ``period``, ``submission_id``, ``received_at`` and ``current`` (the version the
        form's table holds now)."""
        form = self._form(form_id)
        rows = self.backend.execute(
            "SELECT v.row_values, v.period, v.submission_id, s.received_at, s.status FROM row_versions v"
            " JOIN submissions s ON s.submission_id = v.submission_id WHERE v.form_id = ?"
            " ORDER BY v.period, v.submission_id, v.version_id", (form_id,)).fetchall()
        columns = [c.id for c in form.columns]
        records = [json.loads(text) for text, *_ in rows]
        frame = typed_frame(form, [tuple(r.get(c) for c in columns) for r in records], columns)
        frame["period"] = [r[1] for r in rows]
        frame["submission_id"] = pd.array([int(r[2]) for r in rows], dtype="Int64")
        frame["received_at"] = [str(r[3]) for r in rows]
        current = self.read(form_id)
        owners = {}
        if len(current):
            owned = self.backend.execute(
                f"SELECT {', '.join(map(quote, form.key_columns))}, {quote(SUBMISSION_COLUMN)}"
                f" FROM {quote(table_name(form_id))}").fetchall()
            owners = {tuple(str(v) for v in row[:-1]): row[-1] for row in owned}
        key_text = [tuple(str(r.get(k)) for k in form.key_columns) for r in records]
        frame["current"] = [r[4] == "accepted" and owners.get(k) == r[2] for k, r in zip(key_text, rows)]
        for column_id, wanted in (filters or {}).items():
            choices = list(wanted) if isinstance(wanted, (list, tuple, set)) else [wanted]
            frame = frame[frame[column_id].isin(choices)]
        return frame.reset_index(drop=True)

    # -- periods ---------------------------------------------------------------------
    def close_period(self, period: str, form_id: str | None = None, closed_by: str = "") -> bool:
        """Close ``period`` for one form (or every form): later files for it are held for
        review. False when it was closed already."""
        if form_id is not None:
            self._form(form_id)
        with self.backend.transaction():
            if self.backend.execute("SELECT 1 FROM closed_periods WHERE form_id = ? AND period = ?",
                                    (form_id or "*", check_period(period))).fetchone():
                return False
            self.backend.execute(
                "INSERT INTO closed_periods (form_id, period, closed_at, closed_by) VALUES (?, ?, ?, ?)",
                (form_id or "*", period, datetime.now(timezone.utc).isoformat(timespec="seconds"), closed_by))
        return True

    def reopen_period(self, period: str, form_id: str | None = None) -> bool:
        """Open a closed period again (for one form, or the closing of every form); False when
        it was not closed so."""
        with self.backend.transaction():
            found = self.backend.execute("SELECT 1 FROM closed_periods WHERE form_id = ? AND period = ?",
                                         (form_id or "*", check_period(period))).fetchone()
            self.backend.execute("DELETE FROM closed_periods WHERE form_id = ? AND period = ?",
                                 (form_id or "*", period))
        return found is not None

    def is_closed(self, form_id: str, period: str) -> bool:
        return self.backend.execute(
            "SELECT 1 FROM closed_periods WHERE (form_id = ? OR form_id = '*') AND period = ?",
            (form_id, period)).fetchone() is not None

    def closed_periods(self) -> pd.DataFrame:
        rows = self.backend.execute(
            "SELECT form_id, period, closed_at, closed_by FROM closed_periods ORDER BY period, form_id").fetchall()
        return pd.DataFrame.from_records(rows, columns=["form_id", "period", "closed_at", "closed_by"])

    # -- one collection at a time ------------------------------------------------------
    @contextmanager
    def collection_lock(self):
        """Hold the store's collection lock while the block runs; :class:`StoreError`
        (``msg.store.collect_running``) at once when another collection holds it. The lock
        goes with the process or connection that holds it, so a killed run never leaves it."""
        holder = self.backend.try_lock("collect")
        if holder is not None:
            raise StoreError("msg.store.collect_running", holder=holder)
        try:
            yield
        finally:
            self.backend.unlock("collect")

    def load_rows(self, form_id: str, frame: pd.DataFrame) -> int:
        """Add or update bulk history rows by key, in one transaction; return the rows written.

        Rows that came with a submission are not overwritten (the submission owns them);
        if any key belongs to one, nothing is written.
        """
        form = self._form(form_id)
        values = storage_frame(form, frame)
        values[SUBMISSION_COLUMN] = None
        values[PERIOD_COLUMN] = row_periods(form, values)
        table = quote(table_name(form_id))
        with self._write(form_id):
            written = self._insert(form, values, conflict_keys=list(form.key_columns),
                                   update_where=f"{table}.{quote(SUBMISSION_COLUMN)} IS NULL")
            if written != len(values):
                raise StoreError("msg.store.rows_owned", form=form_id, count=len(values) - written)
        return written

    # -- reading ---------------------------------------------------------------------
    def read(self, form_id: str, period_from: str | None = None, period_to: str | None = None,
             filters: dict[str, object] | None = None) -> pd.DataFrame:
        """The stored rows of a form, typed, with the form's columns, in key order.

        ``period_from``/``period_to`` (``YYYY-MM``, inclusive) select periods; ``filters``
        maps a column id to a value or a list of values.
        """
        form = self._form(form_id)
        conditions, params = [], []
        if period_from:
            conditions.append(f"{quote(PERIOD_COLUMN)} >= ?")
            params.append(check_period(period_from))
        if period_to:
            conditions.append(f"{quote(PERIOD_COLUMN)} <= ?")
            params.append(check_period(period_to))
        for column_id, wanted in (filters or {}).items():
            choices = list(wanted) if isinstance(wanted, (list, tuple, set)) else [wanted]
            stored = column_values(form, form.column(column_id), pd.Series(choices, dtype=object))
            conditions.append(f"{quote(column_id)} IN ({', '.join('?' for _ in choices)})")
            params += stored.to_numpy(dtype=object, na_value=None).tolist()
        columns = [c.id for c in form.columns]
        sql = (f"SELECT {', '.join(map(quote, columns))} FROM {quote(table_name(form_id))}"
               + (f" WHERE {' AND '.join(conditions)}" if conditions else "")
               + f" ORDER BY {', '.join(map(quote, form.key_columns))}")
        return typed_frame(form, self.backend.execute(sql, params).fetchall(), columns)

    def submissions(self, form_id: str | None = None, period: str | None = None) -> pd.DataFrame:
        """The register of received submissions, oldest first."""
        conditions, params = [], []
        if form_id:
            conditions.append("form_id = ?")
            params.append(form_id)
        if period:
            conditions.append("period = ?")
            params.append(check_period(period))
        rows = self.backend.execute(
            f"SELECT {', '.join(SUBMISSION_COLUMNS)} FROM submissions"
            + (f" WHERE {' AND '.join(conditions)}" if conditions else "")
            + " ORDER BY submission_id", params).fetchall()
        frame = pd.DataFrame.from_records(rows, columns=SUBMISSION_COLUMNS)
        for column in ("submission_id", "replaced_by", "row_count"):
            frame[column] = pd.to_numeric(frame[column]).astype("Int64")
        return frame

    def missing_recipients(self, form_id: str, period: str, expected_recipients) -> list:
        """The expected recipients with no accepted submission for the form and period, in the given order."""
        self._form(form_id)
        received = {row[0] for row in self.backend.execute(
            "SELECT recipient FROM submissions WHERE form_id = ? AND period = ? AND status = 'accepted'",
            (form_id, check_period(period))).fetchall()}
        return [r for r in expected_recipients if str(r) not in received]

    def row_count(self, form_id: str) -> int:
        self._form(form_id)
        return int(self.backend.execute(f"SELECT COUNT(*) FROM {quote(table_name(form_id))}").fetchone()[0])

    def latest_periods(self, form_id: str, max_rows: int) -> LatestPeriods:
        """The newest periods (oldest first) whose rows together fit in ``max_rows``.

        A sheet holds ``EXCEL_MAX_ROWS`` minus its header rows; rows of older periods and
        rows without a period stay in the store and are counted in ``rows_left``.
        """
        self._form(form_id)
        counts = self.backend.execute(
            f"SELECT {quote(PERIOD_COLUMN)}, COUNT(*) FROM {quote(table_name(form_id))}"
            f" GROUP BY {quote(PERIOD_COLUMN)}").fetchall()
        total = sum(int(n) for _, n in counts)
        chosen, used = [], 0
        for period, n in sorted(((p, int(n)) for p, n in counts if p is not None), reverse=True):
            if used + n > max_rows:
                break
            chosen.append(period)
            used += n
        return LatestPeriods(sorted(chosen), used, total - used)


def _row_key(row: dict, keys: list[str]) -> str:
    return json.dumps([row[k] for k in keys], ensure_ascii=False, default=_plain_json)


def _plain_json(value):
    """numpy numbers as the plain numbers JSON takes."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not a plain value: {type(value).__name__}")
