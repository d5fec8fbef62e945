"""The manifest of an issued template: what it is, for whom, and the proof it is ours.

The manifest is a list of key/value text pairs on a very hidden sheet. ``signature`` is
HMAC-SHA256 (RFC 2104) over the other pairs in canonical JSON, keyed with the
department's secret key, so nobody without the key can make or alter a manifest that
passes. The key comes from ``$DEALERXL_EXCHANGE_KEY``, else from the key file next to
the workbook (``<workbook stem>.exchange-key``, or ``dealerxl.exchange-key`` in the
current folder without a workbook), created with 32 random bytes on first issue.

``form_version`` is a hash of the form's declaration (columns, types, rules), so a file
issued before the form changed is recognised as such instead of being misread.
``locked_checksum`` is SHA-256 over the locked cells (title, instruction, recipient line,
headers) as issued; the addresses are listed in ``locked_cells``.
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path

from dealerxl.forms import Form

KEY_VARIABLE = "DEALERXL_EXCHANGE_KEY"
KEY_SUFFIX = ".exchange-key"
FORMAT = "dealerxl-exchange/1"
FIELDS = ("format", "form", "form_version", "recipient", "recipient_name", "period", "lang", "sheet",
          "locked_cells", "locked_checksum", "key_id")


class ManifestError(ValueError):
    """A manifest that cannot be trusted; ``code`` is the message id, ``fields`` fill it."""

    def __init__(self, code: str, **fields):
        self.code, self.fields = code, fields
        super().__init__(code)


def form_version(form: Form) -> str:
    """16 hex digits of SHA-256 over the declaration's columns and rules (not its labels)."""
    declaration = {
        "id": form.id,
        "columns": [dataclasses.asdict(c) for c in form.columns],
        "rules": [[type(r).__name__, dataclasses.asdict(r)] for r in form.rules],
    }
    text = json.dumps(declaration, sort_keys=True, ensure_ascii=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def key_path(workbook: str | os.PathLike | None) -> Path:
    if workbook is None:
        return Path.cwd() / ("dealerxl" + KEY_SUFFIX)
    path = Path(workbook).resolve()
    return path.with_name(path.stem + KEY_SUFFIX)


def department_key(workbook: str | os.PathLike | None = None, *, create: bool = False) -> bytes | None:
    """The signing key: ``$DEALERXL_EXCHANGE_KEY``, else the key file (made when ``create``)."""
    if os.environ.get(KEY_VARIABLE):
        return os.environ[KEY_VARIABLE].encode("utf-8")
    path = key_path(workbook)
    if not path.exists() and create:
        try:
            # O_EXCL: two people issuing at once never end up with two different keys
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(handle, "w", encoding="ascii") as file:
                file.write(secrets.token_hex(32) + "\n")
    if not path.exists():
        return None
    return path.read_text(encoding="ascii").strip().encode("ascii")


def key_id(key: bytes) -> str:
    """Which key signed a file, without revealing it: 8 hex digits of its SHA-256."""
    return hashlib.sha256(b"dealerxl key id:" + key).hexdigest()[:8]


def locked_checksum(cells: list[tuple[str, str]]) -> str:
    text = json.dumps([[address, value] for address, value in cells], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _payload(fields: dict[str, str]) -> bytes:
    return json.dumps({k: fields[k] for k in FIELDS}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def sign(fields: dict[str, str], key: bytes) -> tuple[tuple[str, str], ...]:
    """The manifest rows: every field, then the signature."""
    fields = {**fields, "format": FORMAT, "key_id": key_id(key)}
    signature = hmac.new(key, _payload(fields), hashlib.sha256).hexdigest()
    return tuple((k, str(fields[k])) for k in FIELDS) + (("signature", signature),)


def verify(rows: dict[str, str], key: bytes | None) -> dict[str, str]:
    """The manifest's fields when complete and signed with ``key``; else :class:`ManifestError`."""
    if rows.get("format") != FORMAT or any(not isinstance(rows.get(k), str) for k in FIELDS + ("signature",)):
        raise ManifestError("exchange.bad_manifest")
    if key is None:
        raise ManifestError("exchange.no_key")
    expected = hmac.new(key, _payload(rows), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, rows["signature"]):
        if rows["key_id"] != key_id(key):
            raise ManifestError("exchange.other_key")
        raise ManifestError("exchange.bad_signature")
    return {k: rows[k] for k in FIELDS}
