"""Calculations: pandas and numpy only, one module per domain, vectorised, no file or Excel knowledge.

Errors are :class:`CalcError` (a ``ValueError``) keeping a message key and its fields rather
than text, so the workbook layer says ``sheet!cell: reason`` in the workbook's language.
"""
from __future__ import annotations

from dealerxl.i18n import has, listed, tr


class CalcError(ValueError):
    """Input a calculation cannot use; the message says what and why.

    ``key`` names the message in the translation table (``msg.…``), ``fields`` fill it as
    given and ``label_fields`` as label keys (or tuples of keys, listed), translated when
    shown (what the reason is about: ``calc.subject.sales_table``). A field that is itself a :class:`CalcError` (the reason behind this one) is shown
    in the same language. ``str()`` is the English text, which the audit log keeps.

    A text that is not a ``msg.`` key is kept as it is, in every language: for callers
    outside the package that have nothing to translate.

    >>> error = CalcError("msg.calc.sales.month_outside_sales_matrix", month=13)
    >>> str(error)
    'month 13 is outside the sales matrix'
    >>> error.message("zh-Hant")
    '月份 13 不在銷售矩陣內'
    """

    def __init__(self, key: str, /, *, label_fields: dict | None = None, **fields: object) -> None:
        self.key = key
        self.fields = fields
        self.label_fields = dict(label_fields or {})
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        """The reason in ``lang``."""
        if not self.key.startswith("msg."):
            return self.key
        shown = {name: value.message(lang) if isinstance(value, CalcError) else value
                 for name, value in self.fields.items()}
        labels = {name: _labels(keys, lang) for name, keys in self.label_fields.items()}
        return tr(self.key, lang, **shown, **labels)


def _labels(keys: str | tuple[str, ...], lang: str) -> str:
    """One label, or several joined the way the language lists things.

    A name that is no label key (a function's argument such as ``annual_target``, which the
    user typed in that spelling) is shown as it is."""
    if isinstance(keys, str):
        return tr(keys, lang) if has(keys) else keys
    return listed((tr(key, lang) if has(key) else key for key in keys), lang)
