"""SQLite backend: the default store, one file next to the workbook.

The connection runs in autocommit mode and every unit of work opens its own
``BEGIN IMMEDIATE`` transaction (the write lock is taken up front, so two processes
never interleave half a load). WAL journaling keeps readers unblocked and survives a
killed process: an unfinished transaction simply never becomes visible.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
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
        self.connection.close()
