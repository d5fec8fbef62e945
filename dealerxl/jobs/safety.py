"""Writing files safely: never half-written, never losing parts of a user's workbook.

* :func:`atomic_write` gives a temporary path beside the target and renames it over the
  target only when the writer finished; a failure leaves the previous file untouched.
* :func:`parts_at_risk` lists what an openpyxl load → save would drop from a workbook
  (charts, images, pivot tables, slicers…), so a job can refuse before writing into it.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Iterator

# Package folders whose parts openpyxl does not carry through a load → save.
_AT_RISK = {
    "xl/charts/": "charts",
    "xl/chartsheets/": "chart sheets",
    "xl/drawings/": "drawings",
    "xl/media/": "images",
    "xl/pivotTables/": "pivot tables",
    "xl/pivotCache/": "pivot caches",
    "xl/slicers/": "slicers",
    "xl/slicerCaches/": "slicer caches",
    "xl/timelines/": "timelines",
    "xl/embeddings/": "embedded objects",
    "customUI/": "ribbon",
    "xl/vbaProject.bin": "macros",
}


class UnsafeWriteError(RuntimeError):
    """Writing into this workbook would lose parts of it."""

    def __init__(self, path: Path, parts: list[str]):
        self.path, self.parts = path, parts
        super().__init__(f"{path.name} holds {', '.join(parts)} that would be lost; write a new file instead")


def parts_at_risk(path: str | Path) -> list[str]:
    """Names of the workbook parts an openpyxl load → save would drop (empty when none)."""
    with zipfile.ZipFile(path) as package:
        names = package.namelist()
    found = []
    for prefix, label in _AT_RISK.items():
        if any(name.startswith(prefix) for name in names) and label not in found:
            found.append(label)
    return found


def refuse_if_at_risk(path: str | Path) -> None:
    """Raise :class:`UnsafeWriteError` when writing into ``path`` with openpyxl would lose parts."""
    parts = parts_at_risk(path)
    if parts:
        raise UnsafeWriteError(Path(path), parts)


@contextlib.contextmanager
def atomic_write(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; on success rename it over the target.

    The temporary file keeps the target's suffix (writers such as XlsxWriter look at it).
    On any exception the temporary file is removed and the target is left as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        # mkstemp creates the file readable by its owner only; give it the mode the
        # target had, or what a newly created file gets, so colleagues can open it.
        os.chmod(temporary, _file_mode(target))
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise


def _file_mode(target: Path) -> int:
    """The target's permission bits, or those a new file gets under the process umask."""
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
