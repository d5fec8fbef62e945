"""``dealerxl build --lite``: everything a department hands out for Excel on the web and on Mac."""
from __future__ import annotations

from pathlib import Path

from dealerxl.i18n import DEFAULT_LANG

from .code import DEFAULT_WHEEL_URL

CODE_DIR = "lite"     # main.py and requirements.txt, to paste into the xlwings Lite editor
WHEEL_DIR = "dist"    # the wheel, to copy to the web server requirements.txt points at


def build_lite(out_dir: str | Path = ".", lang: str = DEFAULT_LANG, wheel_url: str = DEFAULT_WHEEL_URL) -> list[Path]:
    """``DealerWorkbook-Lite.xlsx``, ``lite/main.py``, ``lite/requirements.txt`` and the wheel in ``dist/``."""
    from dealerxl.jobs.safety import atomic_write

    from .code import main_py, requirements_txt
    from .wheel import write_wheel
    from .workbook import LITE_NAME, write_lite_workbook

    out = Path(out_dir)
    written = [write_lite_workbook(out / LITE_NAME, lang=lang)]
    code = out / CODE_DIR
    code.mkdir(parents=True, exist_ok=True)
    for name, text in (("main.py", main_py(lang)), ("requirements.txt", requirements_txt(wheel_url))):
        with atomic_write(code / name) as temporary:
            temporary.write_text(text, encoding="utf-8", newline="\n")
        written.append(code / name)
    written.append(write_wheel(out / WHEEL_DIR))
    return written
