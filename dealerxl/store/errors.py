"""The store's one error type; its text comes from the translation table."""
from __future__ import annotations

from dealerxl.i18n import tr


class StoreError(ValueError):
    """A load or query the store refuses; nothing was written.

    ``key`` names the message (``msg.store.*`` in ``dealerxl/i18n/store.tsv``) and
    ``fields`` fill it, so the caller can show it in the workbook's language with
    :meth:`message`; ``str()`` gives the English text for logs.
    """

    def __init__(self, key: str, /, **fields: object) -> None:
        self.key = key
        self.fields = fields
        super().__init__(tr(key, "en", **fields))

    def message(self, lang: str) -> str:
        return tr(self.key, lang, **self.fields)


class PeriodClosed(StoreError):
    """The period is closed: the file was not loaded and is held for review."""
