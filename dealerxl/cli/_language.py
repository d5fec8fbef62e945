"""Which language the command line speaks to the person running it.

In order: ``--lang``; the language of the workbook the command names (its ``DX_LANG`` name
or its sheet names, read from the package without loading any sheet); ``$DEALERXL_LANG``;
the system locale (``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``zh_TW``/``zh_HK`` → 繁體,
``zh_CN``/``zh_SG`` → 简体, any other language → English); else 繁體中文, the manual's own.
It is worked out from the raw arguments, before they are parsed, so that ``--help`` and the
messages about wrong arguments are in that language too.

The leading underscore keeps command discovery from taking this module for a command.
"""
from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from dealerxl.i18n import DEFAULT_LANG, LANGS

LANG_VARIABLE = "DEALERXL_LANG"
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def language_code(text: str | None) -> str | None:
    """``zh-Hant``, ``zh-Hans`` or ``en`` for a language tag or locale name; None when it names none.

    >>> [language_code(t) for t in ("zh_TW.UTF-8", "zh-hans", "zh_CN", "en_GB.UTF-8", "fr_FR", "C.UTF-8", "")]
    ['zh-Hant', 'zh-Hans', 'zh-Hans', 'en', 'en', None, None]
    """
    if not text:
        return None
    tag = text.split(".", 1)[0].split("@", 1)[0].replace("_", "-").casefold()
    for lang in LANGS:
        if tag == lang.casefold():
            return lang
    if tag in ("c", "posix", ""):
        return None
    if tag.startswith("zh"):
        return "zh-Hant" if re.search(r"-(hant|tw|hk|mo)\b", tag) else "zh-Hans"
    return "en" if re.fullmatch(r"[a-z]{2,3}(-.*)?", tag) else None


def locale_language() -> str | None:
    """The system locale's language (the first of LC_ALL, LC_MESSAGES, LANG that is set)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return language_code(value)
    return None


def workbook_language(path: str | os.PathLike) -> str | None:
    """The language a workbook file declares or whose sheet names it carries; None when unknown."""
    from dealerxl.book.language import LANG_NAME, normalise_label, sheet_labels
    from dealerxl.forms import FORMS

    try:
        with zipfile.ZipFile(path) as package:
            book = ElementTree.fromstring(package.read("xl/workbook.xml"))
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return None
    for defined in book.iter(f"{_MAIN}definedName"):
        if defined.get("name", "").casefold() == LANG_NAME.casefold():
            declared = language_code((defined.text or "").strip().strip('="'))
            if declared:
                return declared
    names = {normalise_label(sheet.get("name", "")) for sheet in book.iter(f"{_MAIN}sheet")}
    counts = {lang: 0 for lang in LANGS}
    for form in FORMS.values():
        for lang, label in sheet_labels(form).items():
            counts[lang] += normalise_label(label) in names
    best = max(LANGS, key=lambda lang: (counts[lang], lang == DEFAULT_LANG))
    return best if counts[best] else None


def named_workbook(argv: list[str]) -> Path | None:
    """The first argument naming an existing workbook file (the command's input)."""
    for item in argv:
        if item.startswith("-"):
            continue
        path = Path(item)
        if path.suffix.casefold() in WORKBOOK_SUFFIXES and path.is_file():
            return path
    return None


def asked_language(argv: list[str]) -> str | None:
    """The value of ``--lang`` among the raw arguments, if it is one of the languages."""
    for index, item in enumerate(argv):
        if item == "--lang" and index + 1 < len(argv):
            return language_code(argv[index + 1])
        if item.startswith("--lang="):
            return language_code(item.split("=", 1)[1])
    return None


def user_language(argv: list[str] | None = None, *, workbook: str | os.PathLike | None = None) -> str:
    """The language of the command line for these arguments (see the module's docstring)."""
    argv = list(argv or [])
    book = workbook if workbook is not None and Path(workbook).is_file() else named_workbook(argv)
    return (asked_language(argv)
            or (workbook_language(book) if book is not None else None)
            or language_code(os.environ.get(LANG_VARIABLE))
            or locale_language()
            or DEFAULT_LANG)


def args_language(args) -> str:
    """The language for messages about parsed ``args``: ``--lang``, else the workbook's, else as above."""
    lang = getattr(args, "lang", None)
    if lang:
        return lang
    return user_language(workbook=getattr(args, "workbook", None))
