"""Versioned schema migrations, recorded in ``schema_migrations``.

Version 1 is written by hand: the submissions register and the audit log (a store made
before the audit log existed gets it as a version of its own). Every later version is
generated from the difference between the last recorded snapshot of the form tables
and the current declarations: a new form creates its table, a new column is added
(nullable, so existing rows stay valid). Applying is idempotent: when nothing differs,
nothing is written. A key that grew by columns the table already has (a form whose key
now includes the recipient) is migrated by building the table again with the wider key,
refused with the count of rows when some of them have no value there; any other change of
a column's type or key role cannot be migrated automatically and is reported. A column
dropped from a declaration stays in the table (history is never thrown away) and simply
is no longer read. The registers of closed periods and of row versions come with a new
store, or as a version of their own for a store made before them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from dealerxl.forms import Form

from .audit import TABLE as AUDIT_TABLE
from .audit import audit_log_sql
from .errors import StoreError
from .schema import (
    Snapshot,
    add_column_sql,
    create_table_sql,
    quote,
    registers_sql,
    rekey_sql,
    snapshot_of,
    submissions_sql,
    table_name,
)

BASE_VERSION = 1


@dataclass(frozen=True)
class Step:
    """One migration: its version, a one-line description, its SQL, and the snapshot after it."""

    version: int
    description: str
    statements: list[str]
    snapshot: Snapshot = field(default_factory=dict)
    # (form id, column): columns that become part of a key and must hold a value on every row
    new_keys: list[tuple[str, str]] = field(default_factory=list)


def migrations_table_sql() -> str:
    return ("CREATE TABLE IF NOT EXISTS schema_migrations (\n"
            "  version INTEGER PRIMARY KEY,\n"
            "  description TEXT NOT NULL,\n"
            "  applied_at TEXT NOT NULL,\n"
            "  snapshot TEXT NOT NULL\n"
            ")")


def base_step(backend) -> Step:
    # A new store gets the audit log with the register; older stores get it in audit_step().
    return Step(BASE_VERSION, "submissions register",
                submissions_sql(backend.identity) + audit_log_sql(backend.identity) + registers_sql(backend.identity),
                {})


def audit_step(backend, version: int, recorded: Snapshot) -> Step:
    """The audit log for a store created before it existed; the form snapshot is carried on."""
    return Step(version, "audit log", audit_log_sql(backend.identity), recorded)


def registers_step(backend, version: int, recorded: Snapshot) -> Step:
    """Closed periods and row versions for a store created before them."""
    return Step(version, "closed periods and row versions", registers_sql(backend.identity), recorded)


def declaration_step(version: int, recorded: Snapshot, forms: dict[str, Form], sql_type) -> Step | None:
    """The step that brings ``recorded`` up to ``forms``, or None when they already agree."""
    declared = snapshot_of(forms)
    statements: list[str] = []
    notes: list[str] = []
    new_keys: list[tuple[str, str]] = []
    merged: Snapshot = {form_id: [list(c) for c in columns] for form_id, columns in recorded.items()}
    for form_id, columns in declared.items():
        if form_id not in recorded:
            statements += create_table_sql(form_id, columns, sql_type)
            merged[form_id] = columns
            notes.append(f"create {form_id}")
            continue
        known = {c[0]: c for c in recorded[form_id]}
        widened = []
        for column in columns:
            old = known.get(column[0])
            if old is None:
                if column[2]:
                    raise StoreError("msg.store.migration_needed", form=form_id, column=column[0],
                                     old="-", new=f"{column[1]} key")
                statements += add_column_sql(form_id, column[0], column[1], sql_type)
                merged[form_id].append(column)
                notes.append(f"add {form_id}.{column[0]}")
            elif old[1] == column[1] and not old[2] and column[2]:
                widened.append(column[0])  # the key grows by a column the rows already hold
            elif (old[1], bool(old[2])) != (column[1], column[2]):
                raise StoreError("msg.store.migration_needed", form=form_id, column=column[0],
                                 old=f"{old[1]}{' key' if old[2] else ''}",
                                 new=f"{column[1]}{' key' if column[2] else ''}")
        if widened:
            keys = {c[0] for c in columns if c[2]}
            merged[form_id] = [[c[0], c[1], c[0] in keys] for c in merged[form_id]]
            statements += rekey_sql(form_id, merged[form_id], sql_type)
            new_keys += [(form_id, column) for column in widened]
            notes.append(f"key of {form_id} + {', '.join(widened)}")
    if not statements:
        return None
    summary = "; ".join(notes) if len(notes) <= 5 else f"{'; '.join(notes[:5])}; … ({len(notes)} changes)"
    return Step(version, summary, statements, merged, new_keys)


def recorded_state(backend) -> tuple[int, Snapshot]:
    """The highest applied version and the form snapshot recorded with it (0, {} for a new store)."""
    row = backend.execute(
        "SELECT version, snapshot FROM schema_migrations ORDER BY version DESC LIMIT 1").fetchone()
    if row is None:
        return 0, {}
    return int(row[0]), json.loads(row[1])


def pending_steps(backend, forms: dict[str, Form]) -> list[Step]:
    """What :func:`migrate` would apply now, without applying it."""
    version, snapshot = recorded_state(backend) if backend.table_exists("schema_migrations") else (0, {})
    steps = [base_step(backend)] if version < BASE_VERSION else []
    if version >= BASE_VERSION and not backend.table_exists(AUDIT_TABLE):
        version += 1
        steps.append(audit_step(backend, version, snapshot))
    if version >= BASE_VERSION and not backend.table_exists("closed_periods"):
        version += 1
        steps.append(registers_step(backend, version, snapshot))
    generated = declaration_step(max(version, BASE_VERSION) + 1, snapshot, forms, backend.sql_type)
    return steps + ([generated] if generated else [])


def migrate(backend, forms: dict[str, Form]) -> list[int]:
    """Apply every pending step in one transaction; return the versions applied (often none)."""
    with backend.transaction():
        backend.lock_schema()
        backend.execute(migrations_table_sql())
        steps = pending_steps(backend, forms)
        for step in steps:
            _check_new_keys(backend, step)
            backend.run_statements(step.statements)
            backend.execute(
                "INSERT INTO schema_migrations (version, description, applied_at, snapshot) VALUES (?, ?, ?, ?)",
                (step.version, step.description, datetime.now(timezone.utc).isoformat(timespec="seconds"),
                 json.dumps(step.snapshot, ensure_ascii=True)))
    return [step.version for step in steps]


def _check_new_keys(backend, step: Step) -> None:
    """Refuse (before any change) a wider key when some stored rows have no value for it."""
    for form_id, column in step.new_keys:
        blank = int(backend.execute(
            f"SELECT COUNT(*) FROM {quote(table_name(form_id))} WHERE {quote(column)} IS NULL").fetchone()[0])
        if blank:
            raise StoreError("msg.store.rekey_blank", form=form_id, column=column, count=blank)
