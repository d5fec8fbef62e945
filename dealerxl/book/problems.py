"""A problem found while reading a workbook: where it is and why, in any language.

A problem keeps its message key and fields rather than text, so the same result can be
shown in the workbook's language, or in another one when the user asks (``--lang``).
Field values that are labels (a column header, a form's sheet name) are stored as label
keys in ``label_fields`` and translated when the message is rendered.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from dealerxl.i18n import listed_labels, tr


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a workbook.

    ``sheet``/``cell`` locate it (``cell`` is an A1 address such as ``D17``; both are None
    for a problem with the file itself, which is then cited by ``file``). ``code`` is the
    message id (label ``msg.<code>``); ``fields`` fill its placeholders as given and
    ``label_fields`` as label keys (or tuples of keys, listed) translated into the language
    shown.
    """

    code: str
    sheet: str | None = None
    cell: str | None = None
    form_id: str | None = None
    column_id: str | None = None
    file: str | None = None
    fields: dict = field(default_factory=dict)
    label_fields: dict = field(default_factory=dict)

    @property
    def address(self) -> str:
        """``sheet!D17``, ``sheet`` alone, or the file name for a problem with the whole file."""
        if self.sheet is None:
            return self.file or ""
        # Quoted the way Excel writes a reference to such a sheet ('Dealer monthly report'!E5).
        quoted = self.sheet.replace("'", "''")
        sheet = f"'{quoted}'" if any(ch in self.sheet for ch in " -!'(),;&") else self.sheet
        return f"{sheet}!{self.cell}" if self.cell else sheet

    def reason(self, lang: str) -> str:
        labels = {name: listed_labels(keys, lang) for name, keys in self.label_fields.items()}
        return tr(f"msg.{self.code}", lang, **self.fields, **labels)

    def message(self, lang: str) -> str:
        """The line shown to the user: ``sheet!cell: reason``."""
        return f"{self.address}: {self.reason(lang)}"

    def as_dict(self, lang: str) -> dict:
        return {"sheet": self.sheet, "cell": self.cell, "form": self.form_id, "column": self.column_id,
                "code": self.code, "reason": self.reason(lang), "message": self.message(lang)}


class WorkbookUnreadable(Exception):
    """The file cannot be opened as a workbook at all; ``problem`` says why."""

    def __init__(self, problem: Problem):
        self.problem = problem
        super().__init__(problem.message("en"))


def column_letters(index: int) -> str:
    """Excel column letters of a 0-based column index.

    >>> [column_letters(i) for i in (0, 25, 26, 701, 702)]
    ['A', 'Z', 'AA', 'ZZ', 'AAA']
    """
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_address(row: int, column: int) -> str:
    """A1 address of a 0-based (row, column)."""
    return f"{column_letters(column)}{row + 1}"
