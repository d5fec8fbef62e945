"""Where the report's definitions are written: the sections of ``docs/DEFINITIONS.md``.

Every sheet of the monthly report and every dealer statement names, in a note cell under its
title, the sections it relies on ("Definitions: docs/DEFINITIONS.md §1 active dealer, §2 net
sales"); the summary names each figure's section beside it. A note cell, not a hyperlink: the
report is mailed and opened far from the package, where a link to a file would lead nowhere,
while a section number can be looked up in the document (shipped with the package and on the
project's pages). The section numbers here and the headings of the document are checked
against each other by the tests.
"""
from __future__ import annotations

from dealerxl.i18n import listed, tr

DOCUMENT = "docs/DEFINITIONS.md"
# Definition id → its section number in DOCUMENT.
SECTIONS = {"active_dealer": 1, "net_sales": 2, "achievement": 3, "demand": 4, "overdue": 5, "provision": 6,
            "sla_breach": 7, "tier": 8, "commission": 9, "left_out": 10}
# Monthly report sheet → the definitions its numbers follow.
SHEETS = {
    "summary": ("active_dealer", "net_sales", "achievement", "demand", "overdue", "provision", "sla_breach"),
    "sales": ("net_sales", "achievement", "active_dealer"),
    "dealers": ("active_dealer", "tier"),
    "inventory": ("demand",),
    "incentives": ("commission", "net_sales"),
    "risk": ("overdue", "provision", "active_dealer"),
    "service": ("sla_breach",),
    "data_quality": ("left_out",),
}
# Summary figure → the definition it follows.
FIGURES = {
    "revenue": "net_sales", "target": "achievement", "targeted_revenue": "achievement",
    "untargeted_revenue": "achievement", "achievement": "achievement", "yoy": "net_sales", "ytd": "net_sales",
    "ytd_yoy": "net_sales", "active_dealers": "active_dealer", "trading_dealers": "active_dealer",
    "new_dealers": "active_dealer", "lost_dealers": "active_dealer", "stock_value": "demand",
    "days_of_supply": "demand", "overdue_receivables": "overdue", "provision": "provision",
    "complaints": "sla_breach", "service_cases": "sla_breach", "sla_breaches": "sla_breach",
    "sla_breach_share": "sla_breach", "nps_responses": "sla_breach", "nps": "sla_breach",
}


def reference(definition: str, lang: str) -> str:
    """One definition's section and name, e.g. ``§2 淨銷售額``.

    >>> reference("net_sales", "en")
    '§2 net sales'
    """
    return f"§{SECTIONS[definition]} {tr(f'definition.{definition}', lang)}"


def note(definitions, lang: str) -> str:
    """The note cell naming the document and the sections, e.g.
    ``Definitions: docs/DEFINITIONS.md §5 overdue, §6 provision``.

    >>> note(("overdue", "provision"), "en")
    'Definitions: docs/DEFINITIONS.md §5 overdue, §6 provision'
    """
    return tr("definition.note", lang, document=DOCUMENT,
              sections=listed((reference(d, lang) for d in definitions), lang))
