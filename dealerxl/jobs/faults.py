"""Faults of the machine rather than of the data: a full disk, a read-only folder, a file
that is gone, a database that cannot be reached or drops the connection half-way.

A job run that meets one stops with nothing half-done (files are written under a temporary
name and renamed, store writes are one transaction each) and the front end says one line in
the user's language naming the file or the store and the cause (:func:`fault_reason`).
These are the errors :data:`FAULTS` lists; any other exception is a fault of the program.
"""
from __future__ import annotations

import errno
import sqlite3

from dealerxl.i18n import tr


def _driver_errors() -> tuple[type[BaseException], ...]:
    try:
        import psycopg
    except ImportError:
        return ()
    return (psycopg.Error,)


# What the machine or the database can raise at any point of a run.
FAULTS: tuple[type[BaseException], ...] = (OSError, sqlite3.Error, *_driver_errors())

# errno → message key: the causes a person can act on.
_FILE_CAUSES = {
    errno.ENOSPC: "msg.fault.disk_full",
    errno.EDQUOT: "msg.fault.disk_full",
    errno.EROFS: "msg.fault.read_only",
    errno.EACCES: "msg.fault.no_permission",
    errno.EPERM: "msg.fault.no_permission",
    errno.ENOENT: "msg.fault.not_found",
    errno.EISDIR: "msg.fault.is_folder",
    errno.ENOTDIR: "msg.fault.not_folder",
    errno.ENAMETOOLONG: "msg.fault.name_too_long",
    errno.EIO: "msg.fault.io",
}

# What the database drivers say (their text is not translated), the part that tells the cause → key.
_STORE_CAUSES = (
    ("password authentication failed", "msg.fault.store_login"),
    ("authentication failed", "msg.fault.store_login"),
    ("no password supplied", "msg.fault.store_login"),
    ("does not exist", "msg.fault.store_missing"),
    ("connection refused", "msg.fault.store_unreachable"),
    ("could not connect", "msg.fault.store_unreachable"),
    ("failed to resolve host", "msg.fault.store_unreachable"),
    ("could not translate host name", "msg.fault.store_unreachable"),
    ("timeout expired", "msg.fault.store_unreachable"),
    ("connection timed out", "msg.fault.store_unreachable"),
    ("no route to host", "msg.fault.store_unreachable"),
    ("terminating connection", "msg.fault.store_dropped"),
    ("server closed the connection", "msg.fault.store_dropped"),
    ("connection is closed", "msg.fault.store_dropped"),
    ("connection is lost", "msg.fault.store_dropped"),
    ("consuming input failed", "msg.fault.store_dropped"),
    ("database is locked", "msg.fault.store_locked"),
    ("database or disk is full", "msg.fault.disk_full"),
    ("readonly database", "msg.fault.read_only"),
    ("unable to open database file", "msg.fault.store_cannot_open"),
    ("disk i/o error", "msg.fault.io"),
    ("file is not a database", "msg.fault.store_not_a_database"),
    ("database disk image is malformed", "msg.fault.store_not_a_database"),
)


def file_reason(error: OSError, lang: str, file: str | None = None) -> str:
    """``error`` as one line naming the file (its own, else ``file``) and the cause."""
    name = error.filename or file or ""
    key = _FILE_CAUSES.get(error.errno or 0)
    if key is None:
        code = errno.errorcode.get(error.errno) if error.errno else None
        return tr("msg.fault.file_other", lang, file=name, code=code or error.strerror or str(error))
    return tr(key, lang, file=name)


def store_reason(error: BaseException, lang: str, store: str) -> str:
    """A database error as one line naming ``store`` (a redacted URL or a file) and the cause."""
    text = str(error).casefold()
    for part, key in _STORE_CAUSES:
        if part in text:
            return tr(key, lang, file=store)
    return tr("msg.fault.store_other", lang, file=store, kind=type(error).__name__)


def root_fault(error: BaseException) -> BaseException | None:
    """``error`` if it is a fault of :data:`FAULTS`, else the fault a library wrapped in it
    (XlsxWriter's ``FileCreateError`` carries the ``OSError`` of a full disk), else None."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, FAULTS):
            return error
        seen.add(id(error))
        wrapped = error.args[0] if error.args and isinstance(error.args[0], BaseException) else None
        error = wrapped or error.__cause__ or error.__context__
    return None


def fault_reason(error: BaseException, lang: str, *, store: str = "", file: str | None = None) -> str | None:
    """The one line said for a fault of the machine or the database; None for other errors."""
    fault = root_fault(error)
    if isinstance(fault, OSError):
        return file_reason(fault, lang, file)
    if fault is not None:
        return store_reason(fault, lang, store)
    return None
