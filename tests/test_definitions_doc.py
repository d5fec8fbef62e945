"""docs/DEFINITIONS.md and the report's sheets agree: every section the code names exists with
its number, and every sheet of the monthly report names the sections its numbers follow."""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from support.active_dealers_book import write_book

from dealerxl.i18n import tr
from dealerxl.report import definitions
from dealerxl.report.monthly import run_monthly_report
from dealerxl.report.workbook import SHEETS, write_report

DOC = Path(__file__).resolve().parents[1] / definitions.DOCUMENT


def test_every_definition_has_its_numbered_section_in_the_document():
    headings = dict(re.findall(r"^## §(\d+) (.+)$", DOC.read_text(encoding="utf-8"), flags=re.M))
    for name, number in definitions.SECTIONS.items():
        english = tr(f"definition.{name}", "en")
        assert english.split()[0].lower() in headings[str(number)].lower(), (name, headings.get(str(number)))
    assert len(headings) == len(definitions.SECTIONS)
    # The summary's figures and the sheets name only definitions that exist.
    assert set(definitions.FIGURES.values()) <= set(definitions.SECTIONS)
    assert {d for ds in definitions.SHEETS.values() for d in ds} <= set(definitions.SECTIONS)


@pytest.fixture(scope="module")
def report_book(tmp_path_factory):
    result = run_monthly_report(write_book(tmp_path_factory.mktemp("book")), "2026-10", lang="en")
    return openpyxl.load_workbook(write_report(result, tmp_path_factory.mktemp("defs") / "report.xlsx"))


def test_each_sheet_names_the_document_and_its_sections_under_the_title(report_book):
    for key, sheet in zip(SHEETS, report_book.worksheets):
        note = sheet["A2"].value  # the line under the title
        assert f"Definitions: {definitions.DOCUMENT}" in note, (key, note)
        for name in definitions.SHEETS[key]:
            assert f"§{definitions.SECTIONS[name]} " in note


def test_the_summary_names_each_figures_section_beside_it(report_book):
    sheet = report_book.worksheets[0]
    rows = list(sheet.iter_rows(min_row=1, max_col=5, values_only=True))
    header = next(i for i, row in enumerate(rows) if row[4] == tr("definition.column", "en"))
    named = {row[0]: row[4] for row in rows[header + 1:header + 1 + len(definitions.FIGURES)]}
    assert named[tr("report.monthly.figure.provision", "en")] == "§6 provision"
    assert named[tr("report.monthly.figure.active_dealers", "en")] == "§1 active dealer"
    assert named[tr("report.monthly.figure.sla_breaches", "en")] == "§7 SLA breach"
