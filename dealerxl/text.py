"""Text that identifies things (dealer ids, SKUs, complaint numbers) in one comparable form.

The same id can be typed in ways that look identical and are not: full-width letters and
digits (``ＳＫＵ－０００１``), or characters that show nothing at all (a zero-width space,
a bidirectional mark pasted from a web page or a chat). :func:`key_text` gives every
such spelling one form: Unicode normalisation NFKC (compatibility characters to their
plain ones; Unicode Standard Annex #15), then every format character (general category
Cf: zero-width, joiners, bidirectional controls, the byte order mark) removed.

>>> key_text(pd.Series(["SKU\\u200b-0001", "ＳＫＵ－０００１", "\\u202eSKU-0001", None], dtype="str")).tolist()
['SKU-0001', 'SKU-0001', 'SKU-0001', nan]
"""
from __future__ import annotations

import unicodedata

import pandas as pd


def key_word(text: str) -> str:
    """One id in its comparable form (ASCII text is already in it)."""
    if text.isascii():
        return text
    normal = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in normal if unicodedata.category(ch) != "Cf").strip()


def key_text(series: pd.Series) -> pd.Series:
    """:func:`key_word` of every value of ``series`` (each distinct value worked out once)."""
    if not len(series):
        return series
    if isinstance(series.dtype, pd.StringDtype) and bool(series.str.isascii().all()):
        return series  # every id already in its form: a column of invoice numbers is mostly distinct ids
    positions, distinct = pd.factorize(series)
    given = distinct.tolist()
    words = [key_word(word) if isinstance(word, str) else word for word in given]
    if words == given:
        return series
    if isinstance(series.dtype, pd.StringDtype):
        values = pd.array(words, dtype=series.dtype).take(positions, allow_fill=True)
    else:
        values = [None if p < 0 else words[p] for p in positions.tolist()]
    return pd.Series(values, index=series.index, name=series.name, dtype=series.dtype)
