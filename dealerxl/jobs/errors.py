"""Why a job cannot be worked out, said in the user's language.

A job refuses with :class:`JobError`: a :class:`~dealerxl.calc.CalcError` that keeps its
message key and fields (like :class:`~dealerxl.book.Problem`) rather than English text, so
the front end shows the reason in the workbook's language (``msg.<job>.failed`` wraps it)
and the audit log keeps the English one (``str()``).

:func:`reason` is the one way a front end turns any error a job raises into text: a
:class:`JobError` or a :class:`~dealerxl.store.StoreError` in the language asked for, an
unreadable workbook as its problem, a file the system refused (disk full, read-only
folder…) as :func:`dealerxl.jobs.faults.file_reason` says it, anything else as it is.
"""
from __future__ import annotations

from dealerxl.book.problems import WorkbookUnreadable
from dealerxl.calc import CalcError


class JobError(CalcError):
    """A job that cannot be worked out from its inputs; nothing was written.

    Keyed like every :class:`~dealerxl.calc.CalcError`; the class says the job refused.
    """


def reason(error: BaseException, lang: str) -> str:
    """What went wrong, in ``lang`` wherever the error carries its message key."""
    from dealerxl.jobs.faults import file_reason

    if isinstance(error, WorkbookUnreadable):
        return error.problem.message(lang)
    message = getattr(error, "message", None)
    if callable(message):
        return message(lang)
    if isinstance(error, OSError):
        return file_reason(error, lang)
    return str(error)
