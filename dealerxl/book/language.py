"""Which language a workbook speaks, and matching labels typed in any of the three.

The builder records the language as the defined name ``DX_LANG``. A workbook without it
(an old copy, a template saved by another tool) is recognised by whichever language's
sheet names it carries; zh-Hant, the manual's own language, is the default.
"""
from __future__ import annotations

import re
from functools import lru_cache

from dealerxl.forms import ENUMS, FORMS, Form
from dealerxl.i18n import DEFAULT_LANG, LANGS, all_labels

LANG_NAME = "DX_LANG"
_UNIT_SUFFIX = re.compile(r"\s*[\(（][^()（）]*[\)）]\s*$")
_SPACES = re.compile(r"\s+")


def normalise_label(text: object) -> str:
    """Compare labels loosely: case, surrounding and repeated spaces, a trailing unit in brackets."""
    if not isinstance(text, str):
        return ""
    text = _SPACES.sub(" ", text.replace("\u3000", " ")).strip()
    return _UNIT_SUFFIX.sub("", text).casefold()


def sheet_labels(form: Form) -> dict[str, str]:
    """The form's sheet name in each language, keyed by language."""
    return dict(zip(LANGS, all_labels(form.label_key("sheet"))))


@lru_cache(maxsize=None)
def header_lookup(form_id: str) -> dict[str, str]:
    """Normalised header text (any language, or the column id itself) → column id."""
    lookup: dict[str, str] = {}
    columns = FORMS[form_id].columns
    for column in columns:
        for text in all_labels(column.label_key):
            lookup.setdefault(normalise_label(text), column.id)
    for column in columns:  # ids last: a label wins over another column's id
        lookup.setdefault(normalise_label(column.id), column.id)
    return lookup


@lru_cache(maxsize=None)
def enum_lookup(enum_id: str) -> dict[str, str]:
    """Normalised label in any language, or the code itself → code."""
    lookup: dict[str, str] = {}
    for code in ENUMS[enum_id].codes:
        for text in (code, *all_labels(f"enum.{enum_id}.{code}")):
            lookup.setdefault(text.strip().casefold(), code)
    return lookup


def detect_language(source) -> str:
    """The workbook's language: ``DX_LANG`` if set, else the language most sheet names are in."""
    declared = source.defined_name(LANG_NAME)
    if declared:
        for lang in LANGS:
            if declared.strip().casefold() == lang.casefold():
                return lang
    names = {normalise_label(n) for n in source.sheet_names}
    counts = {lang: 0 for lang in LANGS}
    for form in FORMS.values():
        for lang, label in sheet_labels(form).items():
            if normalise_label(label) in names:
                counts[lang] += 1
    best = max(LANGS, key=lambda lang: (counts[lang], lang == DEFAULT_LANG))
    return best if counts[best] else DEFAULT_LANG
