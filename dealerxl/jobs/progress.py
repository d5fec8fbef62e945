"""How a job tells its front end how far it has got, without knowing which front end that is.

A front end installs a callback with :func:`reporting`; a job (or a helper it calls, such
as :func:`dealerxl.jobs.common.load_inputs`) calls :func:`step` at points worth showing.
Without a callback installed, :func:`step` does nothing, so jobs may call it freely and
tests of the jobs need no front end. The callback is held in a context variable, so a job
running in another thread or task does not report into someone else's bar.

The callback takes ``(text, done, total)``: ``text`` names the step in the run's language,
``done``/``total`` count items inside the step (both None when the step is not counted).
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar

Callback = Callable[[str, int | None, int | None], None]

_callback: ContextVar[Callback | None] = ContextVar("dealerxl_progress", default=None)


def step(text: str, done: int | None = None, total: int | None = None) -> None:
    """Report that the job is at ``text`` (``done`` of ``total`` items, when counted)."""
    callback = _callback.get()
    if callback is not None:
        callback(text, done, total)


@contextlib.contextmanager
def reporting(callback: Callback | None) -> Iterator[None]:
    """Send every :func:`step` made inside the block to ``callback`` (None: to nobody)."""
    token = _callback.set(callback)
    try:
        yield
    finally:
        _callback.reset(token)
