"""Ribbon button "Validate workbook": the checks of ``dealerxl check`` on the open workbook.

Reads every form from the open book (values only, nothing written) and shows how many
problems were found and the first of them, in the workbook's language.
"""
from __future__ import annotations

from dealerxl.excel.ribbon import button

PROBLEMS_SHOWN = 15  # an alert box cannot scroll; the rest are counted


def validation_report(book) -> tuple[str, str]:
    """The alert's title and text for ``book`` (an open xlwings Book)."""
    from dealerxl.book import read_workbook
    from dealerxl.i18n import tr

    result = read_workbook(book)
    lang, problems = result.lang, result.problems
    title = tr("msg.check_title", lang)
    if not problems:
        return title, tr("msg.check_clean", lang, file=result.label)
    lines = [tr("msg.check_summary", lang, file=result.label, count=len(problems)), ""]
    lines += [p.message(lang) for p in problems[:PROBLEMS_SHOWN]]
    if len(problems) > PROBLEMS_SHOWN:
        lines.append(tr("msg.check_more", lang, count=len(problems) - PROBLEMS_SHOWN))
    return title, "\n".join(lines)


@button("validate", group="workbook", image_mso="ErrorChecking", order=100)
def validate_workbook(book) -> str:
    title, text = validation_report(book)
    book.app.alert(text, title=title)
    return text
