"""The ``udf`` decorator: marks a function as an Excel array UDF and records it.

The record (name, arguments, which are optional, which take whole ranges) drives the VBA
wrapper functions generated at build time, so users never click "Import Functions", and the
function reference in the README. Help texts come from the translation table
(``udf.<NAME>`` and ``udf.<NAME>.<arg>``).

Each function is recorded twice: as written (``UdfInfo.calculate``, in its domain module:
plain Python that raises on input it cannot use) and as Excel calls it (``UdfInfo.function``,
exported by :mod:`dealerxl.excel.functions`), which

* declares its converters to xlwings (:func:`declare`): every range argument a
  :class:`~.converters.RangeArgument`, every other argument a
  :class:`~.converters.CellArgument`, the result a :class:`~.converters.SpilledResult`;
* speaks the calling workbook's language (:mod:`.language`), or returns codes when its
  ``codes`` argument is TRUE;
* shows input it cannot use as one cell, ``#VALUE!`` and the reason (:mod:`.errors`), rather
  than a Python traceback.

On Windows the xlwings decorators attach the converters; elsewhere they are no-ops.
"""
from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass
from typing import Callable

import xlwings as xw

from dealerxl.calc import CalcError

from . import language
from .convert import flag
from .converters import CellArgument, RangeArgument, SpilledResult
from .errors import error_cell

UDF_MODULE = "dealerxl.excel.functions"
CODES = "codes"  # the argument asking for codes instead of the workbook's language


@dataclass(frozen=True)
class UdfInfo:
    name: str
    args: tuple[str, ...]
    optional: tuple[str, ...]
    array_args: tuple[str, ...]
    function: Callable  # as Excel calls it
    calculate: Callable | None = None  # as written

    def converter(self, arg: str) -> dict:
        """The xlwings options declared for ``arg``."""
        return {"convert": RangeArgument if arg in self.array_args else CellArgument}


RESULT = {"convert": SpilledResult}

UDFS: dict[str, UdfInfo] = {}


def declare(function: Callable, info: UdfInfo, *, func=xw.func, arg=xw.arg, ret=xw.ret) -> Callable:
    """``function`` with its converters declared through xlwings' decorators (or the given ones)."""
    for name in info.args:
        function = arg(name, **info.converter(name))(function)
    return func(ret(**RESULT)(function))


def _as_excel_calls_it(fn: Callable, args: tuple[str, ...]) -> Callable:
    codes_at = args.index(CODES) if CODES in args else None

    @functools.wraps(fn)
    def in_excel(*values, **named):
        with language.excel_call() as call:
            try:
                if codes_at is not None:
                    call.codes = flag(values[codes_at] if codes_at < len(values) else named.get(CODES), CODES)
                return fn(*values, **named)
            except CalcError as error:
                return error_cell(error, language.messages_lang())

    return in_excel


def udf(*array_args: str) -> Callable[[Callable], Callable]:
    """Register an array UDF. ``array_args`` name the arguments that receive whole ranges
    (delivered as 2-D numpy arrays); the others arrive as single values.

    The result is a 2-D numpy array so Excel spills it (a 1-D one would fill a single row),
    or a scalar for one cell. A function whose result has headers or codes takes a last
    argument ``codes`` (TRUE: the codes, not the workbook's language); it need not read it.
    Returns the function as written; Excel's version goes into :data:`UDFS`.
    """

    def decorate(fn: Callable) -> Callable:
        name = fn.__name__
        if not name.startswith("DX_") or not name.isascii():
            raise ValueError(f"UDF {name}: names start with DX_ and are ASCII")
        if name in UDFS:
            raise ValueError(f"UDF {name} registered twice")
        params = inspect.signature(fn).parameters
        unknown = set(array_args) - set(params)
        if unknown:
            raise ValueError(f"UDF {name}: unknown array arguments {sorted(unknown)}")
        if CODES in params and list(params)[-1] != CODES:
            raise ValueError(f"UDF {name}: {CODES} is the last argument")
        optional = tuple(p for p, v in params.items() if v.default is not inspect.Parameter.empty)
        args = tuple(params)
        info = UdfInfo(name, args, optional, tuple(array_args), _as_excel_calls_it(fn, args), fn)
        UDFS[name] = UdfInfo(name, args, optional, tuple(array_args), declare(info.function, info), fn)
        return fn

    return decorate
