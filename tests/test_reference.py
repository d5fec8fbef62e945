"""The committed reference docs are the output of ``dealerxl docs``."""
from __future__ import annotations

from pathlib import Path

from dealerxl.reference import END, START, forms_markdown, functions_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_readme_function_reference_is_current():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index(START): text.index(END) + len(END)]
    assert block == functions_markdown(), "run `dealerxl docs` and commit README.md"


def test_forms_reference_is_current():
    committed = (ROOT / "docs" / "FORMS.md").read_text(encoding="utf-8")
    assert committed == forms_markdown(), "run `dealerxl docs` and commit docs/FORMS.md"


def test_function_reference_lists_every_udf_in_three_languages():
    from dealerxl.excel.functions import UDFS

    block = functions_markdown()
    for name in UDFS:
        assert block.count(f"`{name}(") == 3
