"""All form declarations, in manual order, with the dropdown lists and the scalar settings.

Each module (``common``, ``chapter01`` … ``chapter12``) may define ``FORMS`` (list of
:class:`Form`), ``ENUMS`` (list of :class:`Enum`) and ``SETTINGS`` (list of
:class:`Setting`). They are merged here; an id declared twice is an error.

``FORMS`` maps form id → Form in manual order; ``ENUMS`` enum id → Enum; ``SETTINGS``
setting id → Setting (the rows of the settings sheet 參數設定, form ``settings``).
``DEFAULT_ROWS`` maps a table-shaped settings form's id → the rows a new workbook starts
with (each module may define ``DEFAULT_ROWS = {form_id: [{column_id: value}, …]}``).
"""
from __future__ import annotations

from importlib import import_module

from .model import Column, DateOrder, Enum, Form, NotAbove, Setting  # noqa: F401

_MODULES = ["common"] + [f"chapter{n:02d}" for n in range(1, 13)]


def _merge(attribute: str) -> dict:
    merged: dict = {}
    for name in _MODULES:
        module = import_module(f"{__name__}.{name}")
        for item in getattr(module, attribute, []):
            if item.id in merged:
                raise ValueError(f"{attribute[:-1].lower()} id {item.id!r} declared twice ({name})")
            merged[item.id] = item
    return merged


FORMS: dict[str, Form] = _merge("FORMS")
ENUMS: dict[str, Enum] = _merge("ENUMS")
SETTINGS: dict[str, Setting] = _merge("SETTINGS")


def _default_rows() -> dict[str, list[dict]]:
    merged: dict[str, list[dict]] = {}
    for name in _MODULES:
        for form_id, rows in getattr(import_module(f"{__name__}.{name}"), "DEFAULT_ROWS", {}).items():
            if form_id not in FORMS or form_id in merged:
                raise ValueError(f"default rows for {form_id!r} ({name}): unknown form or given twice")
            merged[form_id] = rows
    return merged


DEFAULT_ROWS: dict[str, list[dict]] = _default_rows()


def get_form(form_id: str) -> Form:
    try:
        return FORMS[form_id]
    except KeyError:
        raise KeyError(f"unknown form {form_id!r}; known: {', '.join(FORMS)}") from None


def forms_of_chapter(chapter: int) -> list[Form]:
    return [f for f in FORMS.values() if f.chapter == chapter]
