"""Before a workbook is rewritten in place: is it open, and a safety copy of it.

**Open in Excel.** Excel keeps an owner file ``~$<name>`` beside a workbook it has open
(LibreOffice keeps ``.~lock.<name>#``). Writing the file behind its back loses either the
write (Excel saves over it) or what the user typed since their last save, so every in-place
write refuses while such a file is there, naming who has it open. Excel's owner file
(165 bytes) starts with the user name's length in one byte and the name in the Windows
8-bit code page, padded with spaces to byte 55, where the length follows again as two bytes
and the name in UTF-16-LE (the layout LibreOffice reads and writes in
``svl/source/misc/msodocumentlockfile.cxx``; Word's file is 162 bytes with the second copy at
byte 54). LibreOffice's own lock file is one line of comma-separated fields, the user's
name first.

**Safety copy.** Before an in-place write the file as it was is copied to
``.dealerxl-backup/<stem>.<YYYYMMDD-HHMMSS>.<suffix>`` beside it; the newest
:data:`BACKUPS_KEPT` copies of each workbook are kept, older ones removed.
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

from dealerxl.i18n import tr

BACKUP_FOLDER = ".dealerxl-backup"
BACKUPS_KEPT = 10  # copies kept per workbook; $DEALERXL_BACKUPS_KEPT changes it
EXCEL_OWNER_PREFIX = "~$"
_NAME_MAX = 52  # the longest user name Office writes into an owner file


class WorkbookOpen(ValueError):
    """The workbook is open in Excel or LibreOffice; ``message(lang)`` says by whom."""

    def __init__(self, path: Path, lock: Path, user: str | None):
        self.path, self.lock, self.user = path, lock, user
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        if self.user:
            return tr("msg.in_place.open_by", lang, file=self.path.name, user=self.user, lock=self.lock.name)
        return tr("msg.in_place.open", lang, file=self.path.name, lock=self.lock.name)


def lock_files(path: str | Path) -> list[Path]:
    """The owner files of Excel and LibreOffice that exist beside ``path``."""
    path = Path(path)
    candidates = [path.with_name(EXCEL_OWNER_PREFIX + path.name), path.with_name(f".~lock.{path.name}#")]
    return [lock for lock in candidates if lock.is_file()]


def lock_owner(lock: str | Path) -> str | None:
    """The user name in an owner file, or None when it cannot be read.

    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> owner = Path(folder, "~$Book.xlsm")
    >>> _ = owner.write_bytes(excel_owner_file("王小明"))
    >>> lock_owner(owner)
    '王小明'
    """
    lock = Path(lock)
    try:
        data = lock.read_bytes()[:4096]
    except OSError:
        return None
    if lock.name.startswith(".~lock."):
        first = data.decode("utf-8", "replace").split(",")
        return first[0].strip() or (first[2].strip() if len(first) > 2 else None) or None
    if not data or not 0 < data[0] <= _NAME_MAX:
        return None
    for start in (55, 54):  # Excel / PowerPoint, then Word
        if len(data) >= start + 2:
            length = data[start] | (data[start + 1] << 8)
            if 0 < length <= _NAME_MAX and len(data) >= start + 2 + 2 * length:
                name = data[start + 2:start + 2 + 2 * length].decode("utf-16-le", "replace")
                if name.isprintable() and len(name) == length:
                    return name
    return data[1:1 + data[0]].decode("cp1252", "replace").strip() or None


def excel_owner_file(user: str) -> bytes:
    """The 165 bytes Excel writes as ``~$<name>`` for ``user`` (what tests and tools can put
    beside a workbook to stand for Excel having it open)."""
    user = user[:_NAME_MAX]
    data = bytearray([len(user)]) + user.encode("cp1252", "replace")
    data += b" " * (55 - len(data))
    data += len(user).to_bytes(2, "little") + user.encode("utf-16-le")
    while len(data) < 165:
        data += b" \x00"
    return bytes(data[:165])


def refuse_if_open(path: str | Path) -> None:
    """Raise :class:`WorkbookOpen` when Excel or LibreOffice has ``path`` open."""
    path = Path(path)
    for lock in lock_files(path):
        raise WorkbookOpen(path, lock, lock_owner(lock))


def backups_kept() -> int:
    try:
        return max(1, int(os.environ.get("DEALERXL_BACKUPS_KEPT", BACKUPS_KEPT)))
    except ValueError:
        return BACKUPS_KEPT


def keep_safety_copy(path: str | Path, *, keep: int | None = None, now: dt.datetime | None = None) -> Path:
    """Copy ``path`` into ``.dealerxl-backup/`` beside it; keep the newest ``keep`` copies.

    Returns the copy. The copy is complete before older ones are removed; a copy that fails
    (a full disk) leaves nothing behind and raises.
    """
    path = Path(path)
    folder = path.parent / BACKUP_FOLDER
    made_folder = not folder.exists()
    folder.mkdir(exist_ok=True)
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    serial = 1
    while target.exists():  # two writes in one second keep both copies
        serial += 1
        target = folder / f"{path.stem}.{stamp}-{serial}{path.suffix}"
    partial = target.with_name(target.name + ".part")
    try:
        shutil.copy2(path, partial)
        partial.replace(target)
    except OSError:  # a full disk: leave nothing half-copied behind, not even the new folder
        partial.unlink(missing_ok=True)
        if made_folder:
            try:
                folder.rmdir()
            except OSError:
                pass
        raise
    copies = sorted(folder.glob(f"{_glob_escape(path.stem)}.[0-9]*{_glob_escape(path.suffix)}"),
                    key=lambda p: p.name[:len(p.name) - len(path.suffix)])  # by the time in the name
    for old in copies[:-(keep or backups_kept())]:
        if old != target:
            old.unlink(missing_ok=True)
    return target


def _glob_escape(text: str) -> str:
    return "".join(f"[{ch}]" if ch in "[]*?" else ch for ch in text)
