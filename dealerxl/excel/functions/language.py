"""The language a function speaks: its result headers, the codes a person reads (red/amber/green,
forecast methods…) and its messages.

In Excel a function speaks the language of the workbook that calls it, found by the same rule
as every job (:func:`~dealerxl.book.language.detect_language`: the ``DX_LANG`` name, else the
language of its sheet names, else zh-Hant). xlwings names the calling workbook before each
call (``xw.Book.caller()`` inside a UDF, on Windows), so the name costs one lookup, and only
when a label or a message is actually needed.

``codes=TRUE`` (the last argument of each function that returns labels) asks for the stable
English codes instead (``achievement_rate``, ``red``), for formulas that look them up; messages
stay in the workbook's language. Called from Python, with no workbook, a function returns
codes and words its messages in English.
"""
from __future__ import annotations

import contextvars
from contextlib import contextmanager

import numpy as np
import pandas as pd

from dealerxl.book.language import detect_language
from dealerxl.excel.live import LiveBook, name_text
from dealerxl.i18n import LANGS, has, tr

_UNKNOWN = object()


class _Call:
    """One call from Excel: whether it wants codes, and its workbook's language once looked up."""

    def __init__(self, codes: bool, lang=_UNKNOWN):
        self.codes, self._lang = codes, lang

    @property
    def lang(self) -> str | None:
        if self._lang is _UNKNOWN:
            self._lang = workbook_language()
        return self._lang


_CALL: contextvars.ContextVar[_Call | None] = contextvars.ContextVar("dealerxl_udf_call", default=None)


@contextmanager
def excel_call(codes: bool = False):
    """The language context of one call from Excel (see the module docstring); yields the call,
    whose ``codes`` may be set once the argument is read."""
    outer = _CALL.get()  # inside speaking(): that language, not a workbook's
    call = _Call(codes) if outer is None else _Call(codes, outer.lang)
    token = _CALL.set(call)
    try:
        yield call
    finally:
        _CALL.reset(token)


@contextmanager
def speaking(lang: str | None):
    """Functions called inside this block speak ``lang`` (None: codes), as if a workbook in that
    language called them; for Python callers and tests."""
    if lang is not None and lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    token = _CALL.set(_Call(lang is None, lang))
    try:
        yield
    finally:
        _CALL.reset(token)


def labels_lang() -> str | None:
    """The language of headers and codes; None for the codes themselves."""
    call = _CALL.get()
    if call is None or call.codes:
        return None
    return call.lang


def messages_lang() -> str:
    call = _CALL.get()
    return (call.lang if call is not None else None) or "en"


def caller_book():
    """The workbook whose formula is being calculated, or None outside Excel."""
    try:
        import xlwings as xw

        return xw.Book.caller()
    except Exception:  # no Excel (Linux, Python callers), or xlwings cannot name the caller
        return None


class _CallerBook(LiveBook):
    """The calling workbook, asked for ``DX_LANG`` by name (one lookup) before reading all names."""

    def defined_name(self, name: str) -> str | None:
        try:
            return name_text(self.book.names[name].refers_to)
        except Exception:  # not defined, or a book that only lists its names
            return super().defined_name(name)


def workbook_language() -> str | None:
    book = caller_book()
    if book is None:
        return None
    try:
        return detect_language(_CallerBook(book))
    except Exception:  # a workbook xlwings cannot read names or sheets of: its labels are unknown
        return None


# ---- labels ---------------------------------------------------------------------------------

def header(name: str, lang: str | None = _UNKNOWN) -> str:
    """A result column's header: ``udf_col.<name>`` in the language, the name itself for codes.

    A forecast's month columns ``h1``, ``h2``… share ``udf_col.h`` with the month's number.
    """
    lang = labels_lang() if lang is _UNKNOWN else lang
    if lang is None:
        return name
    if has(f"udf_col.{name}"):
        return tr(f"udf_col.{name}", lang)
    if name[:1] == "h" and name[1:].isdigit():
        return tr("udf_col.h", lang, n=int(name[1:]))
    return name


def headers(names) -> list[str]:
    lang = labels_lang()
    return [header(str(name), lang) for name in names]


def code_labels(values, key: str) -> np.ndarray:
    """A column of codes (``red``…) as their labels ``<key>.<code>`` in the language; codes
    without a label and numbers stay as they are, blanks become None. Each distinct code is
    looked up once."""
    lang = labels_lang()
    if lang is None or not np.size(values):
        return values
    array = np.asarray(values)
    index, distinct = pd.factorize(array.ravel(), use_na_sentinel=True)
    labels = np.empty(len(distinct) + 1, dtype=object)  # the last one for blanks (index −1)
    for j, code in enumerate(distinct):
        labels[j] = tr(f"{key}.{code}", lang) if isinstance(code, str) and has(f"{key}.{code}") else code
    labels[-1] = None
    return labels[index].reshape(array.shape)
