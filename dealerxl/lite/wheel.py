"""The wheel xlwings Lite installs: this package with only the dependencies Pyodide has.

The desktop install (``pip install -e .``) brings file readers and writers, the store's
drivers and the VBA tools; none of them exist for Pyodide, and xlwings Lite's installer
(micropip) resolves every dependency a wheel names. This wheel carries the same ``dealerxl``
package but names only what the core imports: numpy, pandas and scipy (Pyodide's own builds,
never pinned: their version is the Pyodide version's) and xlwings (pure Python, pinned like the
desktop edition). Modules that need more (the store, report files, the workbook builder) are in
it too and are simply never imported in Excel on the web and on Mac.

The file is written the same way every time (sorted entries, a fixed timestamp), so the same
source gives the same bytes. Wheel format: PEP 427 (the ``RECORD`` lists each file's
urlsafe-base64 sha256 without padding and its size).
"""
from __future__ import annotations

import base64
import hashlib
import re
import zipfile
from pathlib import Path

import dealerxl

PACKAGE_ROOT = Path(dealerxl.__file__).resolve().parent
NAME = "dealerxl"
TAG = "py3-none-any"
CORE_DEPENDENCIES = ("numpy", "pandas", "scipy", "xlwings")  # as pyproject.toml pins them
SUMMARY = "Dealer management in Excel: forms, calculations, functions and month-end jobs (xlwings Lite core)"
_FIXED_TIME = (2026, 1, 1, 0, 0, 0)
_SOURCE = re.compile(r".*\.(py|tsv)$")


def _pyproject() -> str:
    return (PACKAGE_ROOT.parent / "pyproject.toml").read_text(encoding="utf-8")


def version() -> str:
    """The project's version, from ``pyproject.toml`` beside the package (a checkout builds the wheel)."""
    return re.search(r'(?m)^version\s*=\s*"([^"]+)"', _pyproject()).group(1)


def requirements() -> list[str]:
    """The core's dependencies as ``pyproject.toml`` declares them (xlwings pinned there, so Excel
    on the web and on Mac convert cells with the same xlwings as the desktop)."""
    declared = re.findall(r'"([A-Za-z0-9_.-]+)\s*([<>=!~][^"]*)?"', _pyproject().split("dependencies = [", 1)[1].split("]", 1)[0])
    found = {name.lower(): name + spec for name, spec in declared}
    return [found[name] for name in CORE_DEPENDENCIES]


def wheel_name(ver: str | None = None) -> str:
    return f"{NAME}-{ver or version()}-{TAG}.whl"


def _package_files() -> list[tuple[str, bytes]]:
    files = []
    for path in sorted(PACKAGE_ROOT.rglob("*")):
        relative = path.relative_to(PACKAGE_ROOT.parent).as_posix()
        if path.is_file() and _SOURCE.match(path.name) and "__pycache__" not in path.parts:
            files.append((relative, path.read_bytes()))
    return files


def _metadata(ver: str) -> bytes:
    lines = ["Metadata-Version: 2.1", f"Name: {NAME}", f"Version: {ver}", f"Summary: {SUMMARY}",
             "Requires-Python: >=3.10", *(f"Requires-Dist: {r}" for r in requirements())]
    return ("\n".join(lines) + "\n").encode()


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def write_wheel(folder: str | Path) -> Path:
    """Write the wheel into ``folder`` (created if needed); return its path."""
    ver = version()
    info = f"{NAME}-{ver}.dist-info"
    entries = _package_files()
    entries += [(f"{info}/METADATA", _metadata(ver)),
                (f"{info}/WHEEL", f"Wheel-Version: 1.0\nGenerator: dealerxl\nRoot-Is-Purelib: true\nTag: {TAG}\n".encode()),
                (f"{info}/top_level.txt", f"{NAME}\n".encode())]
    record = "\n".join([*(_record_line(n, d) for n, d in entries), f"{info}/RECORD,,"]) + "\n"
    entries.append((f"{info}/RECORD", record.encode()))
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / wheel_name(ver)
    temporary = path.with_name(path.name + ".part")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in entries:
            entry = zipfile.ZipInfo(name, _FIXED_TIME)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(entry, data)
    temporary.replace(path)
    return path
