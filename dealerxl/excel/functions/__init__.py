"""Every ``DX_`` UDF, importable from this one module (xlwings' ``UDF MODULES`` setting).

Each domain keeps its UDFs in its own submodule, as written (they raise on input they cannot
use); importing them here registers them in :data:`registry.UDFS` and exposes them, as Excel
calls them (converters declared, the workbook's language, a ``#VALUE!`` cell for refused input),
as attributes of this module, which is where the generated VBA wrappers point.
"""
from __future__ import annotations

import pkgutil
from importlib import import_module

from .registry import UDF_MODULE, UDFS, udf  # noqa: F401

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
    if _module != "registry":
        import_module(f"{__name__}.{_module}")

globals().update({name: info.function for name, info in UDFS.items()})
