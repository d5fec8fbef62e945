"""The manifest of an issued template: what it is, for whom, and the proof it is ours.

The manifest is a list of key/value text pairs on a very hidden sheet. ``signature`` is
HMAC-SHA256 (RFC 2104) over the other pairs in canonical JSON, keyed with the
department's secret key, so nobody without the key can make or alter a manifest that
passes. The key comes from ``$DEALERXL_EXCHANGE_KEY``, else from the key file next to
the workbook (``<workbook stem>.exchange-key``, or ``dealerxl.exchange-key`` in the
current folder without a workbook), created with 32 random bytes (64 hexadecimal digits) on
first issue. A key of fewer than 32 hexadecimal digits (128 bits) is refused: a short key
could be found by trying every key against one issued file. ``key_id`` names the key
without revealing anything about it: HMAC-SHA256 of a fixed label under the key.

What the signature covers: the form and its version, the recipient, the period, the
language, and where the table is (``sheet``, ``table`` as the A1 range of the issued
Excel Table, header row included, and ``columns``, the column ids from its left edge), how
many input rows were issued (``rows``), and the locked cells. A returned file is read at
exactly that place and nowhere else. Manifests of the first format, which did not sign the
table's place, are refused with a request to issue the template again.

``form_version`` is a hash of the form's declaration (columns, types, rules), so a file
issued before the form changed is recognised as such instead of being misread.
``locked_checksum`` is SHA-256 over the locked cells (title, instruction, recipient line,
headers) as issued; the addresses are listed in ``locked_cells``.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path

from dealerxl.book.problems import column_letters
from dealerxl.forms import Form

KEY_VARIABLE = "DEALERXL_EXCHANGE_KEY"
KEY_SUFFIX = ".exchange-key"
FORMAT = "dealerxl-exchange/2"
OLD_FORMATS = ("dealerxl-exchange/1",)
FIELDS = ("format", "form", "form_version", "recipient", "recipient_name", "period", "lang", "sheet", "table",
          "columns", "rows", "issued_at", "locked_cells", "locked_checksum", "key_id")
MIN_KEY_HEX_DIGITS = 32  # 128 bits
_HEX = frozenset("0123456789abcdefABCDEF")


class ManifestError(ValueError):
    """A manifest that cannot be trusted; ``code`` is the message id, ``fields`` fill it."""

    def __init__(self, code: str, **fields):
        self.code, self.fields = code, fields
        super().__init__(code)


@dataclasses.dataclass(frozen=True)
class TableGeometry:
    """Where an issued table is: its header row and first column (0-based), its columns
    (ids, left to right) and the input rows issued below the header."""

    header_row: int
    first_column: int
    columns: tuple[str, ...]
    rows: int

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    @property
    def last_row(self) -> int:
        return self.header_row + self.rows

    @property
    def last_column(self) -> int:
        return self.first_column + len(self.columns) - 1

    @property
    def ref(self) -> str:
        """The table's range as Excel writes it in the table part, e.g. ``A4:L304``."""
        return (f"{column_letters(self.first_column)}{self.header_row + 1}:"
                f"{column_letters(self.last_column)}{self.last_row + 1}")

    def fields(self) -> dict[str, str]:
        return {"table": self.ref, "columns": ",".join(self.columns), "rows": str(self.rows)}

    @classmethod
    def from_fields(cls, fields: dict[str, str]) -> "TableGeometry":
        """The geometry a verified manifest signs; :class:`ManifestError` when its parts disagree."""
        match = _RANGE.fullmatch(fields.get("table", ""))
        columns = tuple(c for c in fields.get("columns", "").split(",") if c)
        rows = fields.get("rows", "")
        if match is None or not columns or not rows.isdigit():
            raise ManifestError("exchange.bad_manifest")
        first_col, first_row, last_col, last_row = (
            _index(match[1]), int(match[2]) - 1, _index(match[3]), int(match[4]) - 1)
        geometry = cls(first_row, first_col, columns, int(rows))
        if (last_col, last_row) != (geometry.last_column, geometry.last_row) or geometry.rows < 1:
            raise ManifestError("exchange.bad_manifest")
        return geometry


_RANGE = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6}):([A-Z]{1,3})([1-9][0-9]{0,6})")


def _index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


@functools.lru_cache(maxsize=None)
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
    """The signing key: ``$DEALERXL_EXCHANGE_KEY``, else the key file (made when ``create``);
    None when there is none. A key too short to be safe raises :class:`ManifestError`
    (``exchange.weak_key``)."""
    if os.environ.get(KEY_VARIABLE):
        return checked_key(os.environ[KEY_VARIABLE], f"${KEY_VARIABLE}")
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
    return checked_key(path.read_text(encoding="ascii", errors="replace"), str(path))


def checked_key(text: str, where: str) -> bytes:
    """``text`` as the key's bytes when it is at least :data:`MIN_KEY_HEX_DIGITS` hexadecimal
    digits, else :class:`ManifestError` naming ``where`` and how to make a good key."""
    text = text.strip()
    if len(text) < MIN_KEY_HEX_DIGITS or not set(text) <= _HEX:
        raise ManifestError("exchange.weak_key", where=where, digits=MIN_KEY_HEX_DIGITS)
    return text.encode("ascii")


def key_id(key: bytes) -> str:
    """Which key signed a file, without revealing anything about it: 16 hex digits of
    HMAC-SHA256 of a fixed label under the key (the key cannot be tried offline from it
    any faster than from the signature itself)."""
    return hmac.new(key, b"dealerxl department key id", hashlib.sha256).hexdigest()[:16]


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
    if rows.get("format") in OLD_FORMATS:
        raise ManifestError("exchange.old_manifest")
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
