"""Ribbon buttons: the one place that lists them and maps a click to a job.

The generated VBA has a single callback, ``DX_OnAction(control)``, which runs
``dealerxl.excel.ribbon.on_button("<control id>")`` through xlwings' ``RunPython``. The
ribbon XML is generated from :data:`BUTTONS`, so a button exists only when it has a handler.
Labels come from the translation table (``ribbon.<id>`` and ``ribbon.<id>.tip``); groups
from ``ribbon_group.<group>``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Button:
    id: str
    group: str
    image_mso: str
    order: int
    handler: Callable


BUTTONS: dict[str, Button] = {}


def load_buttons() -> dict[str, Button]:
    """Import every handler module in ``dealerxl.excel.actions`` and return the buttons
    sorted by their ``order`` (the order they appear on the ribbon)."""
    import pkgutil
    from importlib import import_module

    from dealerxl.excel import actions

    for info in sorted(pkgutil.iter_modules(actions.__path__), key=lambda m: m.name):
        import_module(f"{actions.__name__}.{info.name}")
    return dict(sorted(BUTTONS.items(), key=lambda item: (item[1].order, item[0])))


def button(button_id: str, group: str, image_mso: str, order: int) -> Callable[[Callable], Callable]:
    """Register ``handler(book)`` as the action of ribbon button ``button_id``.

    ``image_mso`` is a built-in Office icon name; ``group`` the ribbon group it sits in;
    ``order`` places it on the ribbon (lower first).
    """
    if not button_id.isascii() or not button_id.replace("_", "").isalnum():
        raise ValueError(f"ribbon button id {button_id!r} must be ASCII letters, digits and _")

    def register(handler: Callable) -> Callable:
        if button_id in BUTTONS:
            raise ValueError(f"ribbon button {button_id!r} registered twice")
        BUTTONS[button_id] = Button(button_id, group, image_mso, order, handler)
        return handler

    return register


def on_button(button_id: str, book=None) -> object:
    """Entry point called from VBA. ``book`` defaults to the calling workbook."""
    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
    try:
        handler = load_buttons()[button_id].handler
    except KeyError:
        raise KeyError(f"no ribbon button {button_id!r}") from None
    return handler(book)
