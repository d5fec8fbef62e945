"""A form's computed columns worked out from their inputs, as the spreadsheet does.

A computed column's declared formula (``ROUND({quantity}*{unit_price}*(1-{discount_rate}),2)``)
is parsed once and evaluated over whole columns with numpy, following Excel's rules, so the
result does not depend on the value a file caches for each formula cell (a file saved by a
program that does not calculate caches none, or a stale one):

* a blank input is 0 in arithmetic and ``""`` in a comparison with text;
* text in arithmetic, or a division by zero, is an error (here: no value);
* ``IF(test, a, b)`` takes ``a`` where the test is a non-zero number, else ``b``;
* ``ROUND(x, n)`` rounds half away from zero after taking ``x`` to 15 significant digits, as
  Excel and LibreOffice do (``ROUND(2.675, 2)`` is 2.68 there, although the double nearest
  2.675 lies below it);
* ``EDATE(start, months)`` is the same day ``months`` later, the month's last day when it is
  shorter; dates are Excel serial days (1900 system).

A formula result of ``""`` (``IF(…,"",…)``) is a blank: NaN, or NaT in a date column.
:func:`computed_columns` is what the reader and every writer use; a formula this module
cannot evaluate is refused when the form is first used, never guessed at.

>>> from dealerxl.forms import get_form
>>> import pandas as pd
>>> rows = pd.DataFrame({"quantity": [3.0, 2.0], "unit_price": [2.675, 1.3375], "discount_rate": [0.5, None]})
>>> computed_columns(get_form("sales_transactions"), rows)["amount"].tolist()
[4.01, 2.68]
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

EXCEL_EPOCH = np.datetime64("1899-12-30", "ns")
_DAY_NS = 86_400 * 10**9
SIGNIFICANT_DIGITS = 15  # what Excel keeps of a number

_TOKEN = re.compile(r"""\s*(?:
    (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)
  | (?P<string>"(?:[^"]|"")*")
  | (?P<column>\{\w+\})
  | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<op><>|<=|>=|[-+*/^&=<>(),])
)""", re.VERBOSE)


class FormulaNotSupported(ValueError):
    """A declared formula uses something this evaluator does not know."""


@dataclass
class Cells:
    """One value per row: a number (NaN where none), or text where ``text`` says so; ``blank``
    marks empty cells, ``error`` rows whose value is an Excel error."""

    number: np.ndarray
    text: np.ndarray | None = None  # object array, None where the value is not text
    blank: np.ndarray | None = None
    error: np.ndarray | None = None

    @property
    def size(self) -> int:
        return len(self.number)

    def is_text(self) -> np.ndarray:
        if self.text is None:
            return np.zeros(self.size, dtype=bool)
        return pd.notna(self.text) & (self.text != None)  # noqa: E711  (elementwise)

    def errors(self) -> np.ndarray:
        return np.zeros(self.size, dtype=bool) if self.error is None else self.error

    def blanks(self) -> np.ndarray:
        return np.zeros(self.size, dtype=bool) if self.blank is None else self.blank


# ---- parsing -------------------------------------------------------------------------------------

def _tokens(formula: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while position < len(formula):
        match = _TOKEN.match(formula, position)
        if match is None or match.end() == position:
            if formula[position:].strip():
                raise FormulaNotSupported(f"cannot read {formula!r} at {formula[position:]!r}")
            break
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    """Excel's precedence: comparison < ``&`` < ``+ -`` < ``* /`` < ``^`` < unary minus."""

    def __init__(self, formula: str):
        self.tokens, self.at = _tokens(formula), 0

    def parse(self):
        tree = self.comparison()
        if self.at != len(self.tokens):
            raise FormulaNotSupported(f"unexpected {self.tokens[self.at][1]!r}")
        return tree

    def peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise FormulaNotSupported("the formula ends too early")
        token = self.tokens[self.at]
        if expected is not None and token[1] != expected:
            raise FormulaNotSupported(f"expected {expected!r}, found {token[1]!r}")
        self.at += 1
        return token

    def binary(self, operators: tuple[str, ...], operand):
        tree = operand()
        while self.peek() in operators:
            operator = self.take()[1]
            tree = ("op", operator, tree, operand())
        return tree

    def comparison(self):
        return self.binary(("=", "<>", "<", ">", "<=", ">="), self.concatenation)

    def concatenation(self):
        return self.binary(("&",), self.additive)

    def additive(self):
        return self.binary(("+", "-"), self.term)

    def term(self):
        return self.binary(("*", "/"), self.power)

    def power(self):
        return self.binary(("^",), self.unary)

    def unary(self):
        if self.peek() in ("-", "+"):
            sign = self.take()[1]
            operand = self.unary()
            return ("op", "-", ("number", 0.0), operand) if sign == "-" else operand
        return self.primary()

    def primary(self):
        kind, text = self.take()
        if kind == "number":
            return ("number", float(text))
        if kind == "string":
            return ("string", text[1:-1].replace('""', '"'))
        if kind == "column":
            return ("column", text[1:-1])
        if kind == "name" and self.peek() == "(":
            self.take("(")
            arguments = []
            if self.peek() != ")":
                arguments.append(self.comparison())
                while self.peek() == ",":
                    self.take(",")
                    arguments.append(self.comparison())
            self.take(")")
            name = text.upper()
            if name not in _FUNCTIONS:
                raise FormulaNotSupported(f"function {text} is not supported")
            return ("call", name, arguments)
        if kind == "name" and text.upper() in ("TRUE", "FALSE"):
            return ("number", 1.0 if text.upper() == "TRUE" else 0.0)
        if text == "(":
            tree = self.comparison()
            self.take(")")
            return tree
        raise FormulaNotSupported(f"unexpected {text!r}")


@lru_cache(maxsize=None)
def parsed(formula: str):
    """The syntax tree of a declared formula (cached: forms declare a handful)."""
    return _Parser(formula).parse()


def inputs_of(formula: str) -> list[str]:
    """The column ids a formula reads, in order of first use."""
    return list(dict.fromkeys(re.findall(r"\{(\w+)\}", formula)))


# ---- evaluating ----------------------------------------------------------------------------------

def _column(values: pd.Series) -> Cells:
    """A typed frame column as cells: numbers, dates as serials, text as text."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        stamps = values.to_numpy(dtype="datetime64[us]")  # microseconds: every date to 9999-12-31 fits
        blank = np.isnat(stamps)
        serial = (stamps - EXCEL_EPOCH.astype("datetime64[us]")).astype("int64") / (_DAY_NS // 1000)
        return Cells(np.where(blank, np.nan, serial), blank=blank)
    if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
        number = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
        return Cells(number, blank=np.isnan(number))
    objects = values.astype(object).to_numpy()
    blank = pd.isna(objects) | np.array([isinstance(v, str) and not v.strip() for v in objects], dtype=bool)
    number = pd.to_numeric(pd.Series(objects), errors="coerce").astype("float64").to_numpy()
    is_text = np.array([isinstance(v, str) for v in objects], dtype=bool) & ~blank
    text = np.where(is_text, objects, None).astype(object)
    number = np.where(is_text | blank, np.nan, number)
    return Cells(number, text if is_text.any() else None, blank)


def _constant(value, size: int) -> Cells:
    if isinstance(value, str):
        return Cells(np.full(size, np.nan), np.full(size, value, dtype=object))
    return Cells(np.full(size, float(value)))


def _as_numbers(cells: Cells) -> tuple[np.ndarray, np.ndarray]:
    """Numbers for arithmetic (blank is 0) and where that is an error (text that is not a number)."""
    number = np.where(cells.blanks(), 0.0, cells.number)
    error = cells.errors().copy()
    if cells.text is not None:
        is_text = cells.is_text()
        converted = pd.to_numeric(pd.Series(np.where(is_text, cells.text, None)), errors="coerce").to_numpy(float)
        number = np.where(is_text, converted, number)
        error |= is_text & np.isnan(converted)
    return number, error


def _arithmetic(operator: str, left: Cells, right: Cells) -> Cells:
    a, a_error = _as_numbers(left)
    b, b_error = _as_numbers(right)
    with np.errstate(all="ignore"):
        if operator == "+":
            result = a + b
        elif operator == "-":
            result = a - b
        elif operator == "*":
            result = a * b
        elif operator == "/":
            result = np.where(b == 0, np.nan, a / np.where(b == 0, 1.0, b))
        else:
            result = np.power(a, b)
    error = a_error | b_error | ~np.isfinite(result)
    return Cells(np.where(error, np.nan, result), error=error)


def _comparable(cells: Cells, other: Cells) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(kind, number, text) of each value for a comparison: 0 number, 1 text. A blank takes the
    kind of the other side's value (0 beside a number, "" beside text), as Excel compares."""
    is_text = cells.is_text()
    other_text = other.is_text()
    blank = cells.blanks()
    kind = np.where(is_text | (blank & other_text), 1, 0)
    number = np.where(blank, 0.0, cells.number)
    text = np.where(is_text, cells.text, "").astype(object) if cells.text is not None else \
        np.full(cells.size, "", dtype=object)
    return kind, number, text


def _compare(operator: str, left: Cells, right: Cells) -> Cells:
    left_kind, left_number, left_text = _comparable(left, right)
    right_kind, right_number, right_text = _comparable(right, left)
    both_numbers = (left_kind == 0) & (right_kind == 0)
    both_texts = (left_kind == 1) & (right_kind == 1)
    # order: -1, 0, 1 of left against right; a number sorts before any text
    order = np.where(left_kind < right_kind, -1, np.where(left_kind > right_kind, 1, 0))
    with np.errstate(invalid="ignore"):
        order = np.where(both_numbers, np.sign(left_number - right_number), order)
    if both_texts.any():  # Excel compares text without regard to case
        rows = np.flatnonzero(both_texts)
        text_order = [(a > b) - (a < b) for a, b in zip((str(v).casefold() for v in left_text[rows]),
                                                      (str(v).casefold() for v in right_text[rows]))]
        order = order.copy()
        order[rows] = text_order
    result = {"=": order == 0, "<>": order != 0, "<": order < 0, ">": order > 0, "<=": order <= 0,
              ">=": order >= 0}[operator]
    error = left.errors() | right.errors()
    return Cells(np.where(error, np.nan, result.astype(float)), error=error)


def _truth(cells: Cells) -> tuple[np.ndarray, np.ndarray]:
    number, error = _as_numbers(cells)
    return (number != 0) & ~error, error


def _pick(test: np.ndarray, error: np.ndarray, yes: Cells, no: Cells) -> Cells:
    number = np.where(test, yes.number, no.number)
    text = None
    if yes.text is not None or no.text is not None:
        size = len(test)
        yes_text = yes.text if yes.text is not None else np.full(size, None, dtype=object)
        no_text = no.text if no.text is not None else np.full(size, None, dtype=object)
        text = np.where(test, yes_text, no_text).astype(object)
    blank = np.where(test, yes.blanks(), no.blanks())
    result_error = error | np.where(test, yes.errors(), no.errors())
    return Cells(np.where(result_error, np.nan, number), text, blank, result_error)


def _significant(values: np.ndarray, digits: int = SIGNIFICANT_DIGITS) -> np.ndarray:
    """``values`` taken to ``digits`` significant decimal digits (the value Excel works with)."""
    magnitude = np.abs(values)
    with np.errstate(divide="ignore", invalid="ignore"):
        exponent = np.floor(np.log10(np.where(magnitude > 0, magnitude, 1.0)))
        scale = np.power(10.0, digits - 1 - exponent)
        return np.where(magnitude > 0, np.round(values * scale) / scale, values)


def excel_round(values: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """Excel's ROUND: half away from zero on the 15-digit value.

    Rounding the double as it is would take 2.675·100 = 267.49999999999997 down; only values
    that lie that close to a half are taken to 15 significant digits first (the rest round
    the same either way, and the correction costs a logarithm per value).

    >>> excel_round(np.array([2.675, -2.675, 0.125, 1234.5, 0.285]), np.array([2, 2, 2, -1, 2])).tolist()
    [2.68, -2.68, 0.13, 1230.0, 0.29]
    """
    digits = np.trunc(np.asarray(digits, dtype="float64"))
    if digits.size and np.all(digits == digits.flat[0]):
        digits = digits.flat[0]  # one number of digits for every row (the usual case): scalar arithmetic
    magnitude = np.abs(values)
    with np.errstate(invalid="ignore", over="ignore"):
        up = digits >= 0
        factor = np.power(10.0, np.abs(digits))
        scaled = magnitude * factor if np.isscalar(up) and up else (
            magnitude / factor if np.isscalar(up) else np.where(up, magnitude * factor, magnitude / factor))
        fraction = scaled - np.floor(scaled)
        near_half = np.abs(fraction - 0.5) <= np.maximum(scaled, 1.0) * 1e-12
        if near_half.any():
            exact = _significant(np.where(up, _significant(magnitude) * factor, _significant(magnitude) / factor))
            scaled = np.where(near_half, exact, scaled)
        rounded = np.floor(scaled + 0.5)
        if np.isscalar(up):
            return np.sign(values) * (rounded / factor if up else rounded * factor)
        return np.sign(values) * np.where(up, rounded / factor, rounded * factor)


def _edate(start: np.ndarray, months: np.ndarray) -> np.ndarray:
    """Serial day of the date ``months`` after serial ``start`` (the month's end when shorter)."""
    usable = np.isfinite(start) & np.isfinite(months) & (start >= 0)
    days = np.where(usable, np.floor(start), 0).astype("int64")
    dates = (EXCEL_EPOCH + days * np.timedelta64(1, "D")).astype("datetime64[D]")
    month = dates.astype("datetime64[M]")
    day = (dates - month.astype("datetime64[D]")).astype("int64")
    target = month + np.where(usable, np.trunc(months), 0).astype("int64")
    length = ((target + 1).astype("datetime64[D]") - target.astype("datetime64[D]")).astype("int64")
    result = target.astype("datetime64[D]") + np.minimum(day, length - 1)
    serial = (result.astype("datetime64[ns]") - EXCEL_EPOCH).astype("int64") / _DAY_NS
    return np.where(usable, serial, np.nan)


def _call(name: str, arguments: list, frame_columns: dict, size: int) -> Cells:
    if name == "IF":
        if len(arguments) not in (2, 3):
            raise FormulaNotSupported("IF takes 2 or 3 arguments")
        test, error = _truth(_evaluate(arguments[0], frame_columns, size))
        yes = _evaluate(arguments[1], frame_columns, size)
        no = _evaluate(arguments[2], frame_columns, size) if len(arguments) == 3 else _constant(0.0, size)
        return _pick(test, error, yes, no)
    values = [_as_numbers(_evaluate(argument, frame_columns, size)) for argument in arguments]
    if name == "ROUND":
        if len(values) != 2:
            raise FormulaNotSupported("ROUND takes 2 arguments")
        (number, first_error), (digits, second_error) = values
        error = first_error | second_error
        return Cells(np.where(error, np.nan, excel_round(number, digits)), error=error)
    if len(values) != 2:
        raise FormulaNotSupported("EDATE takes 2 arguments")
    (start, first_error), (months, second_error) = values
    result = _edate(start, months)
    error = first_error | second_error | np.isnan(result)
    return Cells(result, error=error)


_FUNCTIONS = ("IF", "ROUND", "EDATE")


def _evaluate(tree, frame_columns: dict, size: int) -> Cells:
    kind = tree[0]
    if kind == "number":
        return _constant(tree[1], size)
    if kind == "string":
        return _constant(tree[1], size)
    if kind == "column":
        return frame_columns[tree[1]]
    if kind == "call":
        return _call(tree[1], tree[2], frame_columns, size)
    _, operator, left, right = tree
    left_cells, right_cells = _evaluate(left, frame_columns, size), _evaluate(right, frame_columns, size)
    if operator in ("+", "-", "*", "/", "^"):
        return _arithmetic(operator, left_cells, right_cells)
    if operator == "&":
        raise FormulaNotSupported("text joining (&) is not supported")
    return _compare(operator, left_cells, right_cells)


def evaluate(formula: str, frame: pd.DataFrame) -> Cells:
    """The cells a declared formula gives in each row of ``frame`` (column ids as columns; a
    missing input column counts as blank)."""
    size = len(frame)
    columns = {}
    for column_id in inputs_of(formula):
        if column_id in frame.columns:
            columns[column_id] = _column(frame[column_id])
        else:
            columns[column_id] = Cells(np.full(size, np.nan), blank=np.ones(size, dtype=bool))
    return _evaluate(parsed(formula), columns, size)


def as_column(cells: Cells, column, index=None) -> pd.Series:
    """Formula results as the column's values: numbers (NaN for text, blanks and errors) or,
    for a date column, datetimes from the serials."""
    number = np.where(cells.errors() | cells.is_text(), np.nan, cells.number)
    if column.type in ("date", "datetime"):
        finite = np.isfinite(number)
        stamps = EXCEL_EPOCH + (np.where(finite, number, 0) * _DAY_NS).astype("int64").astype("timedelta64[ns]")
        return pd.Series(np.where(finite, stamps, np.datetime64("NaT")), index=index, dtype="datetime64[ns]")
    return pd.Series(number, index=index, dtype="float64")


def computed_columns(form, frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Every computed column of ``form`` worked out from ``frame``'s input columns (same index)."""
    return {column.id: as_column(evaluate(column.formula, frame), column, frame.index)
            for column in form.columns if column.formula}


def cached_results(column, cells: Cells) -> tuple[np.ndarray, np.ndarray]:
    """What a writer caches for each formula cell: (numbers, text flags). A number is the
    result (a date as its serial); where ``text`` is True the result is the empty or other
    text in ``cells.text``; where both are missing (an error) nothing is cached."""
    is_text = cells.is_text() & ~cells.errors()
    number = np.where(cells.errors() | is_text, np.nan, cells.number)
    return number, is_text


def results_to_cache(column, frame: pd.DataFrame) -> list:
    """Per row of ``frame``, what a writer passes as a formula's cached result: the number
    (a date as its serial), or ``""`` for a text or error result."""
    numbers, _ = cached_results(column, evaluate(column.formula, frame))
    return ["" if np.isnan(value) else float(value) for value in numbers.tolist()]
