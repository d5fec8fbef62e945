"""The printed report and statements, in every language: nothing is drawn over a filled cell
or another drawing, every page prints at 70 % or more and no wider than the paper, no chart
is cut by a page break, continuation pages start with a title or a header, numbers print in
the format of their unit, and every chart draws named categories with data."""
from __future__ import annotations

import openpyxl
import pytest
from support.printed import (
    anchors_and_charts,
    bad_number_formats,
    overlaps,
    pages_without_a_heading,
    printed,
    read_chart,
    reference_cells,
    split_drawings,
)
from workbook_fixtures import sample_workbook

from dealerxl.i18n import LANGS, tr
from dealerxl.report.monthly import run_monthly_report
from dealerxl.report.statements import run_statements, write_statements
from dealerxl.report.workbook import write_report

MONTH = "2026-10"


@pytest.fixture(scope="module", params=LANGS)
def written(request, tmp_path_factory, sample_data):
    """The report and a few dealers' statements of the small sample, in one language."""
    lang = request.param
    folder = tmp_path_factory.mktemp(f"printed-{lang}")
    book = sample_workbook(folder / "sample.xlsx", lang, "small")
    report = write_report(run_monthly_report(book, MONTH), folder / "report.xlsx")
    statements = run_statements(book, MONTH)
    dealers = statements.tables["dealers"]["dealer_id"]
    with_complaints = statements.tables["complaints"]["dealer_id"].value_counts().index[:2]
    chosen = list(dict.fromkeys([*dealers[:3], *with_complaints]))
    statement_file = write_statements(statements, folder / "statements.xlsx", dealers=chosen)
    codes = set(sample_data["dealer_master"]["dealer_id"].astype(str)) | set(sample_data["item_master"]["sku"])
    codes |= set(sample_data["team_roster"]["staff_id"].astype(str)) | set(sample_data["item_master"]["product_group"])
    return lang, report, statement_file, codes


def files(written):
    _, report, statements, _ = written
    return [report, statements]


def test_nothing_is_drawn_over_a_filled_cell_or_another_drawing(written):
    for path in files(written):
        book = openpyxl.load_workbook(path)
        drawings = anchors_and_charts(path)
        problems = [p for sheet in book.worksheets for p in overlaps(sheet, drawings[sheet.title])]
        assert not problems, problems[:5]


def test_every_sheet_prints_at_seventy_percent_or_more_within_the_paper_width(written):
    for path in files(written):
        for sheet in openpyxl.load_workbook(path).worksheets:
            pages = printed(sheet)
            assert not pages.fit_to_page, f"{sheet.title} is shrunk to fit the page"
            assert pages.scale >= 70, f"{sheet.title} prints at {pages.scale} %"
            assert pages.width_pt <= pages.printable_width_pt, \
                f"{sheet.title}: {pages.width_pt:.0f} pt of columns on {pages.printable_width_pt:.0f} pt of paper"


def test_no_chart_is_cut_by_a_page_break_and_every_page_says_what_it_shows(written):
    for path in files(written):
        book = openpyxl.load_workbook(path)
        drawings = anchors_and_charts(path)
        for sheet in book.worksheets:
            pages = printed(sheet)
            assert not split_drawings(sheet, drawings[sheet.title], pages)
            assert not pages_without_a_heading(sheet, drawings[sheet.title], pages)
            assert not sheet.print_title_rows, f"{sheet.title} repeats rows of the sheet on every page"


def test_numbers_print_in_the_format_of_their_unit(written):
    lang = written[0]
    months = {tr("report.monthly.col.month", lang), tr("col.month", lang)}
    for path in files(written):
        book = openpyxl.load_workbook(path)
        problems = [p for sheet in book.worksheets for p in bad_number_formats(sheet, months)]
        assert not problems, problems[:5]


def test_every_chart_draws_data_by_the_names_a_reader_knows_with_a_labelled_axis(written):
    _, report, _, codes = written
    book = openpyxl.load_workbook(report)
    charts = [read_chart(report, a.chart) for anchors in anchors_and_charts(report).values()
              for a in anchors if a.chart]
    assert charts
    for chart in charts:
        numbers = [v for ref in chart.values for v in reference_cells(book, ref) if isinstance(v, (int, float))]
        assert any(v != 0 for v in numbers), f"{chart.path} draws no data"
        categories = [v for ref in chart.categories for v in reference_cells(book, ref)]
        assert categories and not set(map(str, categories)) & codes, f"{chart.path} is labelled with codes"
        assert chart.axis_format not in (None, "General") and chart.axis_title, f"{chart.path}: value axis"


def test_data_bars_leave_the_total_row_out(written):
    lang, report, _, _ = written
    book = openpyxl.load_workbook(report)
    totals = {tr("report.risk.total", lang), tr("report.service.total", lang)}
    for sheet in book.worksheets:
        total_rows = {c.row for row in sheet.iter_rows(max_col=2) for c in row if c.value in totals}
        for ranges in sheet.conditional_formatting:
            if any(rule.type == "dataBar" for rule in ranges.rules):
                rows = {r for cells in ranges.sqref.ranges for r in range(cells.min_row, cells.max_row + 1)}
                assert not rows & total_rows, f"{sheet.title}: a data bar over the total row"


def test_section_titles_are_filled_across_their_table(written):
    _, report, _, _ = written
    for sheet in openpyxl.load_workbook(report).worksheets:
        for merged in (m for m in sheet.merged_cells.ranges if m.min_row == m.max_row):
            header = [c for c in sheet[merged.min_row + 1] if c.value is not None]
            if not header or header[0].fill.fgColor.rgb[-6:] != "DDEBF7":
                continue  # a title over a note: as wide as the sheet's tables
            assert (header[0].column, header[-1].column) == (merged.min_col, merged.max_col), \
                f"{sheet.title}: the title of row {merged.min_row} is not as wide as its table"


@pytest.mark.libreoffice
def test_libreoffice_prints_the_pages_the_layout_worked_out(written, tmp_path):
    """The pagination the checks above rely on is the one LibreOffice prints."""
    from dealerxl.report.render import page_count, to_pdf

    _, report, _, _ = written
    expected = sum(len(printed(sheet).page_starts) for sheet in openpyxl.load_workbook(report).worksheets)
    (pdf,) = to_pdf([report], tmp_path)
    assert page_count(pdf) == expected
