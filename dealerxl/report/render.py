"""Workbooks to PDF with LibreOffice headless, PDF pages to PNG with ``pdftoppm``.

Each :class:`LibreOffice` has its own fresh user profile (``-env:UserInstallation``): a
profile shared by two running instances makes the second hang, and a fresh one is also
where the settings below live. The profile says "always recalculate on load" for OOXML and
ODF (``OOXMLRecalcMode`` / ``ODFRecalcMode`` = 0), so formulas whose cached results were
written as 0 (XlsxWriter does that) print LibreOffice's own values.

``pdftoppm`` and ``pdfinfo`` come with poppler-utils; a missing program is a
:class:`RenderUnavailable` whose message says what to install.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path

import numpy as np

from dealerxl.i18n import tr

RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Font/Substitution"><prop oor:name="Replacement" oor:op="fuse"><value>true</value></prop></item>
{substitutions}</oor:items>
"""
# The report's font is a Windows one; LibreOffice prints it with a free CJK font of the same
# build (full-width CJK, proportional Latin), so widths on paper match what Excel shows.
FONT_SUBSTITUTES = {"Microsoft JhengHei": "Noto Sans CJK TC"}
_SUBSTITUTION = ('<item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">'
                 '<node oor:name="{name}" oor:op="replace">'
                 '<prop oor:name="Always" oor:op="fuse"><value>true</value></prop>'
                 '<prop oor:name="OnScreenOnly" oor:op="fuse"><value>false</value></prop>'
                 '<prop oor:name="ReplaceFont" oor:op="fuse"><value>{font}</value></prop>'
                 '<prop oor:name="SubstituteFont" oor:op="fuse"><value>{substitute}</value></prop>'
                 '</node></item>\n')
CONVERT_SECONDS_PER_FILE = 60
MIN_CONVERT_SECONDS = 240


class RenderUnavailable(RuntimeError):
    """A program the rendering needs (soffice, pdftoppm, pdfinfo) is not installed."""

    def __init__(self, key: str, **fields):
        self.key, self.fields = key, fields
        super().__init__(tr(key, "en", **fields))

    def message(self, lang: str) -> str:
        return tr(self.key, lang, **self.fields)


class RenderFailed(RuntimeError):
    """LibreOffice or poppler ran but did not produce the file."""


def write_profile(profile: Path) -> Path:
    """Make ``profile`` a LibreOffice user profile that recalculates every file it loads."""
    user = Path(profile) / "user"
    user.mkdir(parents=True, exist_ok=True)
    pairs = "".join(_SUBSTITUTION.format(name=f"_{number}", font=font, substitute=substitute)
                    for number, (font, substitute) in enumerate(FONT_SUBSTITUTES.items()))
    (user / "registrymodifications.xcu").write_text(RECALC_ALWAYS.replace("{substitutions}", pairs), encoding="utf-8")
    return Path(profile)


def check_cjk_font() -> str:
    """The family of an installed font with Chinese characters (``fc-list :lang=zh``).

    Without one, LibreOffice draws every Chinese character of a PDF as an empty box: a
    :class:`RenderUnavailable` whose message gives the install line. Where fontconfig is
    not installed (Windows, macOS) the system's own fonts are used and nothing is checked.
    """
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return ""
    done = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=60, check=False)
    families = [line.split(",")[0].strip() for line in done.stdout.splitlines() if line.strip()]
    if not families:
        raise RenderUnavailable("msg.render.no_cjk_font")
    return sorted(families)[0]


def soffice_path() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise RenderUnavailable("msg.render.no_soffice")
    return found


class LibreOffice:
    """LibreOffice headless with a profile of its own (a temporary one unless ``profile`` is given)."""

    def __init__(self, profile: Path | None = None):
        self.executable = soffice_path()
        self.profile = write_profile(Path(profile or tempfile.mkdtemp(prefix="dealerxl-lo-")))

    def convert_many(self, sources: list[Path], out_dir: Path, to: str = "pdf", timeout: int | None = None) -> list[Path]:
        """Open each of ``sources`` (recalculated) and save it as ``to`` in ``out_dir``, in one
        LibreOffice run (it starts once for all); the files made, in the order of ``sources``."""
        sources = [Path(s) for s in sources]
        if not sources:
            return []
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        command = [self.executable, f"-env:UserInstallation={self.profile.as_uri()}", "--headless", "--norestore",
                   "--convert-to", to, "--outdir", str(out_dir), *map(str, sources)]
        limit = timeout or max(MIN_CONVERT_SECONDS, CONVERT_SECONDS_PER_FILE * len(sources))
        done = subprocess.run(command, capture_output=True, text=True, timeout=limit, check=False)
        targets = [out_dir / f"{source.stem}.{to.split(':')[0]}" for source in sources]
        missing = [t for t in targets if not t.exists()]
        if done.returncode != 0 or missing:
            names = ", ".join(t.name for t in missing) or sources[0].name
            raise RenderFailed(f"LibreOffice could not convert {names}: {done.stdout}{done.stderr}".strip())
        return targets

    def convert(self, source: Path, out_dir: Path, to: str = "xlsx", timeout: int = MIN_CONVERT_SECONDS) -> Path:
        """Open ``source``, recalculate, and save it as ``to`` (xlsx, pdf…) in ``out_dir``."""
        return self.convert_many([source], out_dir, to, timeout)[0]

    def remove_profile(self) -> None:
        shutil.rmtree(self.profile, ignore_errors=True)


def to_pdf(workbooks, out_dir: Path) -> list[Path]:
    """Each workbook as a PDF in ``out_dir`` (one LibreOffice run with a fresh profile, removed after)."""
    office = LibreOffice()
    try:
        return office.convert_many(list(workbooks), Path(out_dir), "pdf")
    finally:
        office.remove_profile()


def _poppler(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        raise RenderUnavailable("msg.render.no_poppler", program=program)
    return found


def page_count(pdf: Path) -> int:
    """The number of pages of ``pdf`` (``pdfinfo``)."""
    done = subprocess.run([_poppler("pdfinfo"), str(pdf)], capture_output=True, text=True, timeout=60, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise RenderFailed(f"pdfinfo could not read {Path(pdf).name}: {done.stderr.strip()}")


def pdf_to_png(pdf: Path, target: Path, *, page: int = 1, dpi: int = 110) -> Path:
    """Render one page of ``pdf`` to the PNG ``target`` (``pdftoppm``), written atomically."""
    from dealerxl.jobs.safety import atomic_write

    target = Path(target)
    with tempfile.TemporaryDirectory(prefix="dealerxl-png-") as folder:
        prefix = Path(folder) / "page"
        command = [_poppler("pdftoppm"), "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                   "-singlefile", str(pdf), str(prefix)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        made = prefix.with_suffix(".png")
        if done.returncode != 0 or not made.exists():
            raise RenderFailed(f"pdftoppm could not render page {page} of {Path(pdf).name}: {done.stderr.strip()}")
        with atomic_write(target) as temporary:
            shutil.copyfile(made, temporary)
    os.chmod(target, 0o644)
    return target


# ---- reading a PNG back (to tell a drawn page from a blank one, without an imaging library) --

_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # PNG colour type → samples per pixel (8-bit, no palette)


def png_pixels(path: Path) -> np.ndarray:
    """The pixels of an 8-bit, non-interlaced greyscale or RGB(A) PNG as a (height, width, channels) array.

    Follows the PNG specification (W3C, 2nd ed., §9 filters): each scanline is unfiltered
    with the filter named in its first byte (None, Sub, Up, Average, Paeth).
    """
    data = Path(path).read_bytes()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise RenderFailed(f"{Path(path).name} is not a PNG")
    position, chunks, header = 8, [], None
    while position < len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height = int.from_bytes(header[0:4], "big"), int.from_bytes(header[4:8], "big")
    depth, colour, interlace = header[8], header[9], header[12]
    if depth != 8 or colour not in _CHANNELS or interlace:
        raise RenderFailed(f"{Path(path).name}: only 8-bit non-interlaced grey/RGB PNGs are read")
    channels = _CHANNELS[colour]
    stride = width * channels
    raw = np.frombuffer(zlib.decompress(b"".join(chunks)), dtype=np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.int32)
    previous = np.zeros(stride, dtype=np.int32)
    for y in range(height):  # scanlines depend on the one above: this loop is the format's
        kind, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        if kind == 0:
            row = line
        elif kind == 2:
            row = (line + previous) % 256
        elif kind in (1, 3, 4):
            row = _unfilter_left(kind, line, previous, channels)
        else:
            raise RenderFailed(f"{Path(path).name}: unknown PNG filter {kind}")
        out[y] = row
        previous = row
    return out.reshape(height, width, channels).astype(np.uint8)


def _unfilter_left(kind: int, line: np.ndarray, above: np.ndarray, channels: int) -> np.ndarray:
    """Sub, Average and Paeth depend on the pixel to the left, already decoded."""
    if kind == 1:  # Sub: a running sum per channel
        return np.cumsum(line.reshape(-1, channels), axis=0).reshape(-1) % 256
    row = np.zeros_like(line)
    for x in range(len(line)):
        left = row[x - channels] if x >= channels else 0
        if kind == 3:
            row[x] = (line[x] + (left + above[x]) // 2) % 256
        else:
            upper_left = above[x - channels] if x >= channels else 0
            estimate = left + above[x] - upper_left
            distances = (abs(estimate - left), abs(estimate - above[x]), abs(estimate - upper_left))
            choice = (left, above[x], upper_left)[distances.index(min(distances))]
            row[x] = (line[x] + choice) % 256
    return row


def inked_share(path: Path, threshold: int = 200) -> float:
    """The share of pixels darker than ``threshold`` (0–255) in a PNG: 0.0 for a blank page."""
    pixels = png_pixels(path)[..., :3].astype(np.float64)
    grey = pixels.mean(axis=2)
    return float((grey < threshold).mean())


def dealer_pdfs(result, folder: Path) -> list[Path]:
    """One PDF per dealer of a statements ``result`` in ``folder``, named like the dealer's sheet.

    Each dealer's statement is written as a workbook of its own (so page numbers count that
    dealer's pages), all are converted in one LibreOffice run, and the PDFs are moved into
    ``folder`` only when every one was made.
    """
    from dealerxl.jobs import progress
    from dealerxl.report.statements import sheet_names, write_statements

    dealers = result.tables["dealers"]
    names = sheet_names(dealers["dealer_id"], dealers["dealer_name"])
    folder = Path(folder)
    with tempfile.TemporaryDirectory(prefix="dealerxl-pdf-") as work:
        work = Path(work)
        # ASCII file names for LibreOffice; the dealers' names are given back when moving
        books = []
        for number, dealer_id in enumerate(dealers["dealer_id"], start=1):
            books.append(write_statements(result, work / f"statement_{number:05d}.xlsx", dealers=[dealer_id]))
        progress.step(tr("msg.render.converting", result.lang), 0, len(books))
        pdfs = to_pdf(books, work / "pdf")
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for pdf, name in zip(pdfs, names):
            target = folder / f"{name}.pdf"
            shutil.move(str(pdf), str(target))
            os.chmod(target, 0o644)
            written.append(target)
    return written
