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

from dealerxl.book.problems import Problem, WorkbookUnreadable
from dealerxl.calc import CalcError


class JobError(CalcError):
    """A job that cannot be worked out from its inputs; nothing was written.

    ``key`` names the message in the translation table, ``fields`` fill it as given and
    ``label_fields`` as label keys (or tuples of keys, listed), translated when shown.
    """

    def __init__(self, key: str, /, *, label_fields: dict | None = None, **fields: object) -> None:
        self.key = key
        self.fields = fields
        self.label_fields = dict(label_fields or {})
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        problem = Problem(self.key.removeprefix("msg."), fields=self.fields, label_fields=self.label_fields)
        return problem.reason(lang)


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
