"""The ``udf`` decorator: marks a function as an Excel array UDF and records it.

The record (name, arguments, which are optional, which take whole ranges) drives the VBA
wrapper functions generated at build time, so users never click "Import Functions", and the
function reference in the README. Help texts come from the translation table
(``udf.<NAME>`` and ``udf.<NAME>.<arg>``).

On Windows the xlwings decorators attach the converters; elsewhere they are no-ops and the
function is plain Python, which is how tests call it.
"""
from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Callable

import numpy as np
import xlwings as xw

UDF_MODULE = "dealerxl.excel.functions"


@dataclass(frozen=True)
class UdfInfo:
    name: str
    args: tuple[str, ...]
    optional: tuple[str, ...]
    array_args: tuple[str, ...]
    function: Callable


UDFS: dict[str, UdfInfo] = {}


def udf(*array_args: str) -> Callable[[Callable], Callable]:
    """Register an array UDF. ``array_args`` name the arguments that receive whole ranges
    (delivered as 2-D numpy arrays); the others arrive as scalars.

    The result is a 2-D numpy array so Excel spills it (a 1-D one would fill a single row):
    xlwings turns it into rows and writes NaN as a blank cell (see :mod:`.convert`).
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
        optional = tuple(p for p, v in params.items() if v.default is not inspect.Parameter.empty)
        UDFS[name] = UdfInfo(name, tuple(params), optional, tuple(array_args), fn)
        wrapped = fn
        for arg in array_args:
            wrapped = xw.arg(arg, np.array, ndim=2)(wrapped)
        return xw.func(wrapped)

    return decorate
