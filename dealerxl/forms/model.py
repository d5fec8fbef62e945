"""How a form is declared: its columns, their types and rules, and cross-column checks.

A form is one Excel Table on one sheet. Everything about it (sheet, table, dropdowns,
formats, reading, validation, messages, docs) derives from its declaration, so a column
is added with one line here plus its label in ``dealerxl/i18n``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["text", "int", "number", "money", "percent", "date", "datetime", "bool", "enum"]
COLUMN_TYPES: tuple[str, ...] = ("text", "int", "number", "money", "percent", "date", "datetime", "bool", "enum")

FormKind = Literal["input", "settings", "output"]


@dataclass(frozen=True)
class Column:
    """One column of a form's table.

    ``id`` is the canonical, language-free name used in DataFrames (``dealer_id``); its
    header in each language is the label ``col.<id>``. ``enum`` names the list of allowed
    codes for coded columns (labels ``enum.<enum>.<code>``). ``min``/``max`` bound numbers
    (``min=0`` forbids negatives). ``formula`` makes the column computed in the workbook:
    an Excel formula with ``{column_id}`` placeholders that the builder turns into the
    cell of the same row (A1 references, so LibreOffice and Excel agree); computed columns
    are not input cells and are not required on reading.
    """

    id: str
    type: ColumnType = "text"
    required: bool = False
    key: bool = False
    enum: str | None = None
    min: float | None = None
    max: float | None = None
    unit: str | None = None
    width: float | None = None
    formula: str | None = None

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"column {self.id}: unknown type {self.type!r}")
        if (self.type == "enum") != (self.enum is not None):
            raise ValueError(f"column {self.id}: type 'enum' and an enum id go together")

    @property
    def label_key(self) -> str:
        return f"col.{self.id}"

    @property
    def is_input(self) -> bool:
        return self.formula is None


@dataclass(frozen=True)
class DateOrder:
    """Cross-column rule: ``later`` must not be before ``earlier`` (both dates, either may be blank)."""

    earlier: str
    later: str


@dataclass(frozen=True)
class NotAbove:
    """Cross-column rule: ``part`` must not exceed ``whole`` (e.g. paid ≤ invoiced)."""

    part: str
    whole: str


Rule = DateOrder | NotAbove


@dataclass(frozen=True)
class Form:
    """A declared form: one sheet holding one Excel Table.

    ``id`` is ASCII and stable across languages; the table is named ``tbl_<id>`` so it can
    be found whatever the sheet is called. Labels: ``form.<id>.sheet`` (≤ 31 characters),
    ``.title``, ``.purpose`` (one line for the index), ``.instruction`` (the line above the
    table). ``chapter``/``section`` place it in the manual. ``shared`` marks forms sent out
    as templates to dealers or colleagues; their key includes the recipient's column, so
    one recipient can never write a row another owns. ``open_items`` marks a shared form
    that is a log of open items (complaints, tasks): a recipient's file for a later period
    updates the items its earlier files sent, and the store keeps every version. ``kind``
    is ``input`` for what staff type, ``settings`` for tunable parameters, ``output`` for
    tables jobs write back.
    """

    id: str
    chapter: int
    section: str
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...] = ()
    kind: FormKind = "input"
    shared: bool = False
    open_items: bool = False

    def __post_init__(self) -> None:
        ids = [c.id for c in self.columns]
        if len(ids) != len(set(ids)):
            raise ValueError(f"form {self.id}: duplicate column ids")
        if not self.id.isascii() or not self.id.replace("_", "").isalnum():
            raise ValueError(f"form {self.id}: id must be ASCII letters, digits and _")
        known = set(ids)
        for rule in self.rules:
            for name in vars(rule).values():
                if name not in known:
                    raise ValueError(f"form {self.id}: rule names unknown column {name!r}")

    @property
    def table_name(self) -> str:
        return f"tbl_{self.id}"

    @property
    def key_columns(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.columns if c.key)

    def column(self, column_id: str) -> Column:
        for c in self.columns:
            if c.id == column_id:
                return c
        raise KeyError(f"form {self.id} has no column {column_id!r}")

    def label_key(self, part: str) -> str:
        return f"form.{self.id}.{part}"


@dataclass(frozen=True)
class Setting:
    """One scalar tunable parameter on the settings sheet (參數設定).

    ``id`` is the stable code jobs look up; ``group`` gathers related parameters; ``default``
    is what a new workbook carries; ``unit`` is shown beside the value. Labels:
    ``setting.<id>`` (name) and ``setting.<id>.help`` (one-line explanation); the group's
    label is ``setting_group.<group>``; a unit's label is ``unit.<unit>``.
    """

    id: str
    group: str
    default: float | int | str
    unit: str | None = None
    min: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class Enum:
    """The allowed codes of a coded column; labels ``enum.<id>.<code>``."""

    id: str
    codes: tuple[str, ...] = field(default_factory=tuple)
