"""The one translation table: every label the product shows, in three languages.

The table is kept as tab-separated files in this folder (``*.tsv``), one row per key:
``key<TAB>zh-Hant<TAB>zh-Hans<TAB>en``. Splitting it into files by topic (forms, settings,
messages, ribbon, functions…) keeps edits small; loading merges them into one table and a
key defined twice is an error, so there is still exactly one place for every label.

Keys follow a naming scheme so that form declarations never repeat a label:

* ``col.<column_id>``                      column header (shared by every form using the column)
* ``form.<form_id>.sheet|title|purpose|instruction``
* ``enum.<enum_id>.<code>``                a dropdown value
* ``chapter.<n>``                          a manual chapter title
* ``msg.<id>``                             a message (``str.format`` fields in braces)
* ``ribbon.<id>``                          a ribbon label
* ``udf.<NAME>`` / ``udf.<NAME>.<arg>``    a function's and its arguments' help text
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

LANGS: tuple[str, ...] = ("zh-Hant", "zh-Hans", "en")
DEFAULT_LANG = "zh-Hant"


class TranslationError(KeyError):
    """A label key is missing from the table, or a language is unknown."""


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise TranslationError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    return lang


@lru_cache(maxsize=1)
def table() -> dict[str, tuple[str, str, str]]:
    """Every key with its three labels, merged from all ``*.tsv`` files of this folder."""
    merged: dict[str, tuple[str, str, str]] = {}
    origin: dict[str, str] = {}
    folder = resources.files(__package__)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".tsv"):
            continue
        for lineno, line in enumerate(entry.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 4 or not all(p.strip() for p in parts):
                raise TranslationError(
                    f"{entry.name}:{lineno}: expected key and three non-empty labels separated by tabs")
            key = parts[0].strip()
            if key in merged:
                raise TranslationError(
                    f"{entry.name}:{lineno}: key {key!r} already defined in {origin[key]}")
            merged[key] = (parts[1].strip(), parts[2].strip(), parts[3].strip())
            origin[key] = f"{entry.name}:{lineno}"
    return merged


def has(key: str) -> bool:
    return key in table()


def tr(key: str, lang: str = DEFAULT_LANG, **fields: object) -> str:
    """The label of ``key`` in ``lang``; ``fields`` fill ``{name}`` placeholders."""
    try:
        labels = table()[key]
    except KeyError:
        raise TranslationError(f"no label for {key!r} in dealerxl/i18n/*.tsv") from None
    text = labels[LANGS.index(check_lang(lang))]
    return text.format(**fields) if fields else text


def listed(texts, lang: str) -> str:
    """Texts joined the way ``lang`` lists things (、 in Chinese, a comma in English).

    >>> listed(["A", "B"], "zh-Hant"), listed(["A", "B"], "en")
    ('A、B', 'A, B')
    """
    return ("、" if lang.startswith("zh") else ", ").join(texts)


def listed_labels(keys: str | tuple[str, ...], lang: str) -> str:
    """The label of one key, or the labels of several listed as ``lang`` lists things."""
    if isinstance(keys, str):
        return tr(keys, lang)
    return listed((tr(key, lang) for key in keys), lang)


def all_labels(key: str) -> tuple[str, str, str]:
    """The three labels of ``key`` (zh-Hant, zh-Hans, en)."""
    try:
        return table()[key]
    except KeyError:
        raise TranslationError(f"no label for {key!r} in dealerxl/i18n/*.tsv") from None
