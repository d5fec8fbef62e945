"""Store tables derived from the form declarations.

Each form gets a table ``f_<form_id>``: one typed column per declared column, the form's
key columns as primary key (so a key can be stored only once), and two bookkeeping
columns: ``_submission_id`` (the submission the row came with, NULL for bulk history)
and ``_period`` (``YYYY-MM``, used for period filters and for choosing the newest periods
when a sheet cannot hold everything).

A *snapshot* is the plain-data description of the tables as created, ``{form_id:
[[column_id, type, is_key], …]}``; migrations compare it with the declarations.
"""
from __future__ import annotations

from dealerxl.forms import Form

SUBMISSION_COLUMN = "_submission_id"
PERIOD_COLUMN = "_period"

Snapshot = dict[str, list[list]]


def table_name(form_id: str) -> str:
    return f"f_{form_id}"


def quote(identifier: str) -> str:
    """Identifiers are quoted because some column ids (``user``) are reserved words."""
    return '"' + identifier.replace('"', '""') + '"'


def period_source(form: Form) -> str | None:
    """The date column whose month is a row's period for bulk history, or None.

    ``month`` when declared; else the first date key column; else the first required
    date column; else the first date or datetime column (e.g. ``invoice_date``).
    """
    dates = [c for c in form.columns if c.type in ("date", "datetime")]
    for choice in (
        [c for c in dates if c.id == "month"],
        [c for c in dates if c.key],
        [c for c in dates if c.required],
        dates,
    ):
        if choice:
            return choice[0].id
    return None


def snapshot_of(forms: dict[str, Form]) -> Snapshot:
    return {f.id: [[c.id, c.type, bool(c.key)] for c in f.columns] for f in forms.values()}


def create_table_sql(form_id: str, columns: list[list], sql_type, submissions_fk: bool = True) -> list[str]:
    """``CREATE TABLE`` plus its indexes for one form, in the dialect given by ``sql_type``."""
    return [table_sql(table_name(form_id), columns, sql_type, submissions_fk)] + index_sql(form_id)


def table_sql(table: str, columns: list[list], sql_type, submissions_fk: bool = True) -> str:
    keys = [c[0] for c in columns if c[2]]
    lines = []
    for column_id, column_type, is_key in columns:
        lines.append(f"{quote(column_id)} {sql_type(column_type)}" + (" NOT NULL" if is_key else ""))
    reference = " REFERENCES submissions (submission_id)" if submissions_fk else ""
    lines.append(f"{quote(SUBMISSION_COLUMN)} BIGINT{reference}")
    lines.append(f"{quote(PERIOD_COLUMN)} TEXT")
    lines.append(f"PRIMARY KEY ({', '.join(quote(k) for k in keys)})")
    return f"CREATE TABLE {quote(table)} (\n  " + ",\n  ".join(lines) + "\n)"


def index_sql(form_id: str) -> list[str]:
    table = table_name(form_id)
    return [
        f"CREATE INDEX {quote(table + '_by_period')} ON {quote(table)} ({quote(PERIOD_COLUMN)})",
        f"CREATE INDEX {quote(table + '_by_submission')} ON {quote(table)} ({quote(SUBMISSION_COLUMN)})",
    ]


def rekey_sql(form_id: str, columns: list[list], sql_type) -> list[str]:
    """A form's table built again with the key ``columns`` now declare (a key that grew by
    columns the rows already hold): new table, rows copied, old table dropped, renamed."""
    table = table_name(form_id)
    staging = table + "__rekeyed"
    names = ", ".join(quote(c[0]) for c in columns) + f", {quote(SUBMISSION_COLUMN)}, {quote(PERIOD_COLUMN)}"
    return [table_sql(staging, columns, sql_type),
            f"INSERT INTO {quote(staging)} ({names}) SELECT {names} FROM {quote(table)}",
            f"DROP TABLE {quote(table)}",
            f"ALTER TABLE {quote(staging)} RENAME TO {quote(table)}"] + index_sql(form_id)


def add_column_sql(form_id: str, column_id: str, column_type: str, sql_type) -> list[str]:
    return [f"ALTER TABLE {quote(table_name(form_id))} ADD COLUMN {quote(column_id)} {sql_type(column_type)}"]


def submissions_sql(identity: str) -> list[str]:
    """The register of received files; one accepted submission per form, recipient and period."""
    return [
        "CREATE TABLE submissions (\n"
        f"  submission_id {identity},\n"
        "  form_id TEXT NOT NULL,\n"
        "  recipient TEXT NOT NULL,\n"
        "  period TEXT NOT NULL,\n"
        "  checksum TEXT NOT NULL,\n"
        "  received_at TEXT NOT NULL,\n"
        "  status TEXT NOT NULL CHECK (status IN ('accepted', 'replaced')),\n"
        "  replaced_by BIGINT REFERENCES submissions (submission_id),\n"
        "  row_count BIGINT NOT NULL DEFAULT 0,\n"
        "  UNIQUE (form_id, recipient, period, checksum)\n"
        ")",
        "CREATE UNIQUE INDEX submissions_one_accepted ON submissions (form_id, recipient, period)"
        " WHERE status = 'accepted'",
        "CREATE INDEX submissions_by_period ON submissions (form_id, period)",
    ]


def registers_sql(identity: str) -> list[str]:
    """What collections keep besides the submissions: the periods closed to late files, and
    every version of the rows of forms that are logs of open items (complaints, tasks), so a
    later period's update keeps the history of each item."""
    return [
        "CREATE TABLE closed_periods (\n"
        "  form_id TEXT NOT NULL,\n"  # '*': every form
        "  period TEXT NOT NULL,\n"
        "  closed_at TEXT NOT NULL,\n"
        "  closed_by TEXT NOT NULL DEFAULT '',\n"
        "  PRIMARY KEY (form_id, period)\n"
        ")",
        "CREATE TABLE row_versions (\n"
        f"  version_id {identity},\n"
        "  submission_id BIGINT NOT NULL REFERENCES submissions (submission_id),\n"
        "  form_id TEXT NOT NULL,\n"
        "  row_key TEXT NOT NULL,\n"
        "  period TEXT NOT NULL,\n"
        "  row_values TEXT NOT NULL\n"
        ")",
        "CREATE INDEX row_versions_by_key ON row_versions (form_id, row_key)",
        "CREATE INDEX row_versions_by_submission ON row_versions (submission_id)",
    ]
