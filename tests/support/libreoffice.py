"""LibreOffice headless as the spreadsheet engine of the tests: open, recalculate, save.

The product's own :class:`dealerxl.report.render.LibreOffice` is used: each instance has its
own fresh user profile (a shared profile makes parallel runs hang) whose settings say
"always recalculate on load", so formulas that carry cached results (XlsxWriter writes 0)
come back with LibreOffice's own values.
"""
from __future__ import annotations

from dealerxl.report.render import RECALC_ALWAYS, LibreOffice

__all__ = ["RECALC_ALWAYS", "LibreOffice"]
