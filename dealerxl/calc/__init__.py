"""Calculations: pandas and numpy only, one module per domain, vectorised, no file or Excel knowledge.

Errors are :class:`CalcError` (a ``ValueError``) with a message a staff member understands;
the workbook layer turns them into ``sheet!cell: reason`` in the workbook's language.
"""


class CalcError(ValueError):
    """Input a calculation cannot use; the message says what and why."""
