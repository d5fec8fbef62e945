"""Input a function cannot use, said the way a person can fix it: which argument, which cell of
it, what it holds and what it should hold, in the workbook's language.

A function never guesses: a text, a date, TRUE/FALSE or an error value where a number belongs
is refused, not read as 0 or as a blank. In Excel the refusal is one cell,
``#VALUE! <message>`` (see :func:`error_cell`), rather than xlwings' Python traceback.

The cell is named by its place in the argument's range ("row 5", "column 3", or "row 5,
column 3" for a block): a function does not know the sheet's address of a range that Excel
hands it as values.
"""
from __future__ import annotations

import datetime as dt

import numpy as np

from dealerxl.calc import CalcError
from dealerxl.i18n import tr

ERROR_PREFIX = "#VALUE!"  # Excel shows its error names untranslated in every language


class InputError(CalcError):
    """A refused argument; :meth:`message` words it in any of the three languages."""

    def message(self, lang: str) -> str:
        fields = {name: (value.words(lang) if hasattr(value, "words") else value)
                  for name, value in self.fields.items()}
        return tr(self.key, lang, **fields)


class Place:
    """Where a cell sits in its argument's range (1-based), worded per language."""

    def __init__(self, index: int, shape: tuple[int, ...]):
        rows, columns = (shape[0], shape[1]) if len(shape) == 2 else (max(shape[0], 1) if shape else 1, 1)
        self.row, self.column = divmod(int(index), max(columns, 1))
        self.row, self.column = self.row + 1, self.column + 1
        self.kind = "row" if columns == 1 else ("column" if rows == 1 else "cell")

    def words(self, lang: str) -> str:
        return tr(f"msg.udf.place.{self.kind}", lang, row=self.row, column=self.column)


class TypeName:
    """What a cell should hold (``msg.type.<kind>``: number, date…), worded per language."""

    def __init__(self, kind: str):
        self.kind = kind

    def words(self, lang: str) -> str:
        return tr(f"msg.type.{self.kind}", lang)


class Choices:
    """The values a coded argument takes (``enum.<enum_id>.<code>``), worded per language with
    their codes: 分段累進 (marginal), 全額適用 (stepped)."""

    def __init__(self, enum_id: str, codes):
        self.enum_id, self.codes = enum_id, tuple(codes)

    def words(self, lang: str) -> str:
        return ", ".join(f"{tr(f'enum.{self.enum_id}.{code}', lang)} ({code})" for code in self.codes)


def shown(value) -> str:
    """A cell's value as a message quotes it (TRUE/FALSE as Excel writes them)."""
    if isinstance(value, (bool, np.bool_)):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.datetime, np.datetime64)) or hasattr(value, "isoformat"):
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
        return text[:-9] if text.endswith("T00:00:00") else text.replace("T", " ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# What xlwings hands over for an error cell when asked for errors as text (err_to_str=True).
ERROR_VALUES = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA",
                          "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
                          "#PYTHON!", "#TIMEOUT!"})


def at_cell(key: str, argument: str, index: int, shape, **fields) -> InputError:
    """An error about one cell of ``argument``, named by its place; a single-cell argument is
    named alone (``<key>_alone``)."""
    if int(np.prod(shape)) <= 1:
        return InputError(f"{key}_alone", argument=argument, **fields)
    return InputError(key, argument=argument, place=Place(index, tuple(shape)), **fields)


def refused(argument: str, index: int, shape, value, expected: str) -> InputError:
    """The error for one cell of ``argument`` that is not ``expected`` (``msg.type.<expected>``)."""
    if isinstance(value, str) and value.strip() in ERROR_VALUES:
        return at_cell("msg.udf.error_value", argument, index, shape, value=value.strip())
    return at_cell("msg.udf.wrong_type", argument, index, shape, value=shown(value), expected=TypeName(expected))


def blank_cell(argument: str, index: int, shape) -> InputError:
    """The error for a blank cell where ``argument`` needs a value; a single cell is named alone."""
    if int(np.prod(shape)) <= 1:
        return InputError("msg.udf.blank", argument=argument)
    return InputError("msg.udf.blank_cell", argument=argument, place=Place(index, tuple(shape)))


def error_cell(error: CalcError, lang: str) -> np.ndarray:
    """The one cell a function shows instead of its result: ``#VALUE!`` and the reason."""
    reason = error.message(lang)  # every CalcError keeps its message key
    return np.array([[f"{ERROR_PREFIX} {reason}"]], dtype=object)
