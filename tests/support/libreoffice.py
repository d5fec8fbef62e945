"""LibreOffice headless as the spreadsheet engine of the tests: open, recalculate, save.

Each :class:`LibreOffice` has its own fresh user profile (a shared profile makes
parallel runs hang) whose settings say "always recalculate on load", so formulas that
carry cached results (XlsxWriter writes 0) come back with LibreOffice's own values.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


class LibreOffice:
    def __init__(self, profile: Path | None = None):
        self.executable = shutil.which("soffice")
        if self.executable is None:
            raise RuntimeError("LibreOffice (soffice) is not installed")
        self.profile = Path(profile or tempfile.mkdtemp(prefix="dealerxl-lo-"))
        user = self.profile / "user"
        user.mkdir(parents=True, exist_ok=True)
        (user / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")

    def convert(self, source: Path, out_dir: Path, to: str = "xlsx", timeout: int = 240) -> Path:
        """Open ``source``, recalculate, and save it as ``to`` (xlsx, pdf…) in ``out_dir``."""
        out_dir.mkdir(parents=True, exist_ok=True)
        command = [self.executable, f"-env:UserInstallation={self.profile.as_uri()}", "--headless", "--norestore",
                   "--convert-to", to, "--outdir", str(out_dir), str(source)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        target = out_dir / f"{source.stem}.{to.split(':')[0]}"
        if done.returncode != 0 or not target.exists():
            raise RuntimeError(f"LibreOffice could not convert {source.name}: {done.stdout}{done.stderr}")
        return target
