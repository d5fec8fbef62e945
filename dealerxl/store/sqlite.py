"""SQLite backend: the default store, one file next to the workbook.

The connection runs in autocommit mode and every unit of work opens its own
``BEGIN IMMEDIATE`` transaction (the write lock is taken up front, so two processes
never interleave half a load). WAL journaling keeps readers unblocked and survives a
killed process: an unfinished transaction simply never becomes visible.
"""
from __future__ import annotations

import getpass
import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from .schema import quote

TYPES = {
    "text": "TEXT", "enum": "TEXT", "int": "INTEGER", "number": "REAL", "money": "REAL",
    "percent": "REAL", "date": "TEXT", "datetime": "TEXT", "bool": "INTEGER",
}


class SQLiteBackend:
    name = "sqlite"
    identity = "INTEGER PRIMARY KEY AUTOINCREMENT"
    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, path: str) -> None:
        self.path = path
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(path, isolation_level=None, timeout=60)
        self._locks: dict = {}
        self.connection.execute("PRAGMA journal_mode=WAL")
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.execute("PRAGMA foreign_keys=ON")

    @staticmethod
    def sql_type(column_type: str) -> str:
        return TYPES[column_type]

    @contextmanager
    def transaction(self):
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

    def lock_schema(self) -> None:
        """``BEGIN IMMEDIATE`` already holds the database's write lock."""

    def execute(self, sql: str, params: tuple | list = ()) -> sqlite3.Cursor:
        return self.connection.execute(sql, params)

    def executemany(self, sql: str, rows: list) -> None:
        self.connection.executemany(sql, rows)

    def try_lock(self, name: str) -> str | None:
        """Take the lock ``name`` (a lock file beside the database, held open); None when
        taken, else who holds it. The system releases it when this process ends."""
        if self.path == ":memory:":
            return None
        path = Path(self.path).with_name(Path(self.path).name + f".{name}.lock")
        handle = open(path, "a+", encoding="utf-8")
        if not _lock_file(handle):
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            return holder or "?"
        handle.seek(0)
        handle.truncate()
        handle.write(f"{_user()} (process {os.getpid()}, {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC)")
        handle.flush()
        self._locks[name] = handle
        return None

    def unlock(self, name: str) -> None:
        handle = self._locks.pop(name, None)
        if handle is not None:
            handle.seek(0)
            handle.truncate()
            _unlock_file(handle)
            handle.close()

    def run_statements(self, statements: list[str]) -> None:
        # one by one: executescript() would commit the open transaction first
        for statement in statements:
            self.connection.execute(statement)

    def table_exists(self, table: str) -> bool:
        row = self.connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
        return row is not None

    def insert_frame(self, table: str, values: pd.DataFrame, conflict_keys: list[str] | None = None,
                     update_where: str | None = None) -> int:
        """Insert every row of ``values`` (plain values) in the open transaction; return rows written.

        With ``conflict_keys`` an existing key is updated instead, only where
        ``update_where`` holds for the stored row; rows it refuses are not counted.
        """
        columns = list(values.columns)
        sql = (f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "
               f"VALUES ({', '.join('?' for _ in columns)})")
        if conflict_keys:
            updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in columns if c not in conflict_keys)
            sql += (f" ON CONFLICT ({', '.join(map(quote, conflict_keys))}) DO UPDATE SET {updates}"
                    + (f" WHERE {update_where}" if update_where else ""))
        cells = [values[c].to_numpy(dtype=object, na_value=None).tolist() for c in columns]
        before = self.connection.total_changes
        self.connection.executemany(sql, zip(*cells))
        return self.connection.total_changes - before

    def close(self) -> None:
        for name in list(self._locks):
            self.unlock(name)
        self.connection.close()


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name known (a service account)
        return "?"


def _lock_file(handle) -> bool:
    """An exclusive lock on the open file, without waiting; False when another process holds it."""
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock_file(handle) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
