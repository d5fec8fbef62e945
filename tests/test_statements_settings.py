"""What a dealer statement shows follows the settings: the internal risk class stays off the
statement unless ``statement_show_risk_class`` is 1, and amounts carry the currency of
``statement_currency``. Checked in the written file: its cells and its number formats."""
from __future__ import annotations

import openpyxl
import pytest

from dealerxl.forms import FORMS
from dealerxl.i18n import tr
from dealerxl.report.statements import run_statements, write_statements
from workbook_fixtures import labelled, settings_rows, write_workbook

MONTH = "2026-10"
LANG = "zh-Hant"


def with_settings(path, sample_data, settings: dict):
    """The small sample as a workbook whose settings hold ``settings`` (id → value)."""
    forms = {}
    for form_id in FORMS:
        if form_id == "settings":
            rows = settings_rows(LANG)
            for row in rows:
                row["setting_value"] = settings.get(row["setting_id"], row["setting_value"])
            forms[form_id] = rows
            continue
        frame = sample_data.get(form_id)
        rows = [] if frame is None else frame.astype(object).where(frame.notna(), None).to_dict("records")
        forms[form_id] = labelled(form_id, rows, LANG)
    return write_workbook(path, forms, LANG)


@pytest.fixture(scope="module")
def dealers(sample_statements):
    """A few dealers with receivables, one of each risk class the review gave."""
    table = sample_statements.tables["dealers"]
    chosen = table.dropna(subset=["risk_class"]).drop_duplicates("risk_class")
    return chosen["dealer_id"].astype(str).tolist()


def written_sheets(result, path):
    book = openpyxl.load_workbook(write_statements(result, path))
    return book.worksheets


def texts(sheet) -> set:
    return {cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}


def amounts_of(result, dealer_id: str) -> set:
    """Amounts the dealer's statement shows: its sales and target, what it owes and its credit."""
    sales = result.tables["sales"].set_index("dealer_id").loc[dealer_id]
    ageing = result.tables["ageing"].set_index("dealer_id").loc[dealer_id]
    values = (sales["month_actual"], sales["ytd_actual"], sales["month_target"], ageing["total"],
              ageing["credit_limit"])
    return {round(float(v), 2) for v in values if v == v and v != 0}


def money_formats(sheet, amounts: set) -> set:
    """The number formats of the cells holding one of ``amounts``."""
    return {cell.number_format for row in sheet.iter_rows() for cell in row
            if isinstance(cell.value, (int, float)) and round(float(cell.value), 2) in amounts}


def all_formats(sheet) -> set:
    return {cell.number_format for row in sheet.iter_rows() for cell in row}


def test_by_default_a_statement_hides_the_risk_class_and_shows_amounts_in_nt_dollars(
        sample_book, dealers, tmp_path):
    result = run_statements(sample_book, MONTH, dealers=dealers)
    assert result.summary["show_risk_class"] is False and result.summary["currency"] == "NT$"
    for sheet in written_sheets(result, tmp_path / "statements.xlsx"):
        assert tr("col.risk_class", LANG) not in texts(sheet)
        formats = money_formats(sheet, amounts_of(result, sheet.title.split()[0]))
        assert formats and all('"NT$ "' in f for f in formats), formats


def test_the_settings_show_the_risk_class_and_put_amounts_in_their_currency(sample_data, dealers, tmp_path):
    book = with_settings(tmp_path / "settings.xlsx", sample_data,
                         {"statement_show_risk_class": 1, "statement_currency": "USD"})
    result = run_statements(book, MONTH, dealers=dealers)
    classes = result.tables["dealers"].set_index("dealer_id")["risk_class"]
    for sheet in written_sheets(result, tmp_path / "statements.xlsx"):
        dealer_id = sheet.title.split()[0]
        shown = texts(sheet)
        assert tr("col.risk_class", LANG) in shown
        assert tr(f"enum.rag.{classes[dealer_id]}", LANG) in shown
        formats = money_formats(sheet, amounts_of(result, dealer_id))
        assert formats and all('"USD "' in f for f in formats), formats
        assert not any("NT$" in f for f in all_formats(sheet))
