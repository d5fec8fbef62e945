"""The xlwings converters the ``DX_`` functions declare: what a function receives from Excel and
what Excel receives back.

xlwings' own numpy converter (``xw.arg(x, np.array)``) is not used for arguments: it reads blank
cells as NaN and lets numpy guess one type for the whole range, so in a range mixing text and
numbers every number becomes its text and every blank the string ``'nan'``; and it reads an
error cell (``#N/A``) as a blank. These converters keep each cell as it is instead:

* :class:`RangeArgument` (arguments that take ranges): a 2-D array; a float array (blanks NaN)
  when the range holds only numbers and blanks, the common case, read by the calculations as
  it is; otherwise an object array of the cells: blanks None, text as text, dates as
  datetimes, errors as their text (``"#N/A"``), so :mod:`.convert` can name a wrong cell.
* :class:`CellArgument` (single values): the cell (None when blank, an error as its text); a
  range of several cells as an object array, which the function refuses by name.
* :class:`SpilledResult` (every result): the rows Excel receives, with blank cells (None) for
  NaN, NaT and ``pd.NA``, which some Excel engines would show as ``#NUM!``, and Python
  datetimes for ``datetime64``.

xlwings' UDF server (``xlwings.udfs.call_udf``) runs each argument through
``xlwings.conversion.read`` with the options its decorator declared, and the result through
``xlwings.conversion.write``; the tests call the same code.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from xlwings.conversion import Converter, Options

from .convert import ALL_NUMBERS, cells, has_blanks_done, missing_cells


def range_array(rows) -> np.ndarray:
    """The cells of a range (rows of values, blanks None) as a float array when they are all
    numbers or blanks, else as an object array, 2-D either way."""
    array = np.array(rows, dtype=object)
    if array.ndim != 2:
        array = array.reshape(1, -1) if array.ndim == 1 else array.reshape(1, 1)
    if pd.api.types.infer_dtype(array.ravel(), skipna=True) in ALL_NUMBERS:
        try:
            return array.astype(float)
        except (TypeError, ValueError, OverflowError):  # an integer too large for a float: read cell by cell
            pass
    return array


class _CellsAsTheyAre(Converter):
    """Reads rows of cells: blanks as None (not NaN, which numpy would turn into text next to
    text), errors as their text (xlwings reads them as None otherwise), always rows."""

    @classmethod
    def base_reader(cls, options):
        return super().base_reader(Options(options).override(empty=None, err_to_str=True, ndim=2))


class RangeArgument(_CellsAsTheyAre):
    """A range argument as a 2-D numpy array (see the module docstring)."""

    @classmethod
    def read_value(cls, value, options):
        return range_array(value)


class CellArgument(_CellsAsTheyAre):
    """A single-value argument: the cell itself, or an object array when several were given."""

    @classmethod
    def read_value(cls, value, options):
        if len(value) == 1 and len(value[0]) == 1:
            return value[0][0]
        return np.array(value, dtype=object)


class SpilledResult(Converter):
    """A result as the rows Excel receives: a 2-D array spills as it is, a scalar fills one cell;
    NaN, NaT and ``pd.NA`` become blank cells."""

    @classmethod
    def write_value(cls, value, options):
        return spilled_rows(value)


def spilled_rows(value):
    """The rows of a result (or the one cell of a scalar) with blanks as None.

    A float array is turned into rows as it is and its NaN cells patched (few, as a rule); an
    object array is looked through for NaN unless :func:`~.convert.table` built it, which
    writes None itself.
    """
    if not isinstance(value, np.ndarray):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        return float(value) if isinstance(value, np.number) else value
    if value.ndim == 0:
        return spilled_rows(value.item())
    if value.dtype.kind == "M":
        value = cells(value.reshape(-1)).reshape(value.shape)
    if value.dtype.kind == "f":
        missing = np.isnan(value)
        count = int(np.count_nonzero(missing))
        if count * 4 > value.size:  # mostly blank: convert every cell at once
            value = value.astype(object)
            value[missing] = None
            return value.tolist()
        rows = value.tolist()
        if count:
            for place in zip(*np.nonzero(missing)):
                _set(rows, place, None)
        return rows
    if value.dtype == object and not has_blanks_done(value):
        missing = missing_cells(value)
        if missing.any():
            value = value.copy()
            value[missing] = None
    return value.tolist()


def _set(rows, place, cell):
    for i in place[:-1]:
        rows = rows[i]
    rows[place[-1]] = cell
