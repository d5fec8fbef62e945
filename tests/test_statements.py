"""Dealer statements: the numbers agree with the input tables and the jobs they come from, one
valid sheet per dealer laid out for print, and the command's options and refusals."""
from __future__ import annotations

import json
import re
import shutil
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from dealerxl.cli import main
from dealerxl.i18n import tr
from dealerxl.jobs.risk import run_risk_review
from dealerxl.jobs.targets import run_targets
from dealerxl.report.statements import (
    output_name,
    run_statements,
    sheet_names,
    write_statements,
)

MONTH = "2026-10"


@pytest.fixture(scope="module")
def result(sample_statements):
    return sample_statements


@pytest.fixture(scope="module")
def written(result, tmp_path_factory):
    return write_statements(result, tmp_path_factory.mktemp("statements") / "statements.xlsx")


def net_sales(sample_data, dealer_id: str, first: str, last: str) -> float:
    """Net sales worked out by hand from the sample's transactions: returns count negative."""
    sales = sample_data["sales_transactions"]
    month = pd.to_datetime(sales["invoice_date"]).dt.to_period("M").astype(str)
    chosen = sales.loc[(sales["dealer_id"] == dealer_id) & (month >= first) & (month <= last)]
    sign = np.where(chosen["transaction_type"] == "return", -1.0, 1.0)
    return float((sign * chosen["amount"].astype(float).abs()).sum())


def test_month_and_year_to_date_sales_are_the_net_sales_of_the_input(result, sample_data):
    sales = result.tables["sales"].set_index("dealer_id")
    for dealer_id in sales.index[:8]:
        assert sales.loc[dealer_id, "month_actual"] == pytest.approx(net_sales(sample_data, dealer_id, MONTH, MONTH))
        assert sales.loc[dealer_id, "ytd_actual"] == pytest.approx(net_sales(sample_data, dealer_id, "2026-01", MONTH))


def test_targets_are_those_the_set_targets_job_gives_when_the_workbook_has_none(result, sample_book):
    targets = run_targets(sample_book, 2026).tables["monthly_targets"]
    month = pd.to_datetime(targets["month"]).dt.to_period("M").astype(str)
    sales = result.tables["sales"].set_index("dealer_id")
    for dealer_id in sales.index[:8]:
        mine = targets["dealer_id"] == dealer_id
        assert sales.loc[dealer_id, "month_target"] == pytest.approx(targets.loc[mine & (month == MONTH),
                                                                                 "target_amount"].sum())
        assert sales.loc[dealer_id, "ytd_target"] == pytest.approx(targets.loc[mine & (month <= MONTH),
                                                                               "target_amount"].sum())


def test_achievement_is_actual_over_target_and_the_gap_their_difference(result):
    sales = result.tables["sales"]
    has_target = sales["ytd_target"] > 0
    assert has_target.any()
    np.testing.assert_allclose(sales.loc[has_target, "ytd_rate"],
                               sales.loc[has_target, "ytd_actual"] / sales.loc[has_target, "ytd_target"])
    np.testing.assert_allclose(sales["month_gap"], sales["month_actual"] - sales["month_target"])


def test_receivables_are_the_risk_reviews_ageing_for_each_dealer(result, sample_book):
    ageing = run_risk_review(sample_book, MONTH).tables["ageing"]
    ageing = ageing.loc[ageing["dealer_id"] != "total"].set_index("dealer_id")
    mine = result.tables["ageing"].set_index("dealer_id")
    pd.testing.assert_frame_equal(mine, ageing.loc[mine.index], check_dtype=False)
    assert set(mine.index) == set(result.tables["dealers"]["dealer_id"])


def test_rebates_are_the_dealers_own_rows_of_the_incentives_job(result):
    rebates = result.tables["incentives"]
    assert len(rebates) and set(rebates["dealer_id"]) <= set(result.tables["dealers"]["dealer_id"])
    assert (rebates["payee_type"] == "dealer").all()


def test_open_complaints_are_those_received_and_not_resolved_by_the_months_end(result, sample_data):
    log = sample_data["complaint_log"]
    end = pd.Timestamp("2026-11-01")
    received, resolved = pd.to_datetime(log["received_at"]), pd.to_datetime(log["resolved_at"])
    expected = log.loc[(received < end) & ~(resolved < end) & ~(resolved.isna() & log["case_status"].isin(
        ["resolved", "closed"])) & log["dealer_id"].isin(result.tables["dealers"]["dealer_id"]), "complaint_id"]
    assert sorted(result.tables["complaints"]["complaint_id"]) == sorted(expected)
    assert result.summary["open_complaints"] == len(expected)


def test_every_dealer_reviewed_gets_one_sheet_named_by_id_and_name(result, written):
    dealers = result.tables["dealers"]
    names = CalamineWorkbook.from_path(str(written)).sheet_names
    assert names == sheet_names(dealers["dealer_id"], dealers["dealer_name"])
    assert all(name.startswith(dealer_id) for name, dealer_id in zip(names, dealers["dealer_id"]))


def test_a_statement_sheet_shows_the_dealers_numbers_and_labels(result, written):
    dealer = result.tables["dealers"].iloc[1]
    sheet = CalamineWorkbook.from_path(str(written)).get_sheet_by_name(
        sheet_names([dealer["dealer_id"]], [dealer["dealer_name"]])[0]).to_python()
    cells = [cell for row in sheet for cell in row]
    sales = result.tables["sales"].set_index("dealer_id").loc[dealer["dealer_id"]]
    total = result.tables["ageing"].set_index("dealer_id").loc[dealer["dealer_id"], "total"]
    assert tr("dealer_statement.section.sales", "zh-Hant") in cells
    assert tr("dealer_statement.section.receivables", "zh-Hant") in cells
    assert sales["ytd_actual"] in cells and sales["month_target"] in cells and total in cells


def test_sheets_print_on_a4_at_a_readable_scale_with_the_dealer_and_page_numbers(result, written):
    with zipfile.ZipFile(written) as package:
        xml = package.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert re.search(r'<pageSetup[^>]*paperSize="9"', xml) and 'orientation="portrait"' in xml
    scale = re.search(r'<pageSetup[^>]*scale="(\d+)"', xml)
    assert 'fitToPage="1"' not in xml and (scale is None or int(scale.group(1)) >= 70)
    dealer_id = result.tables["dealers"]["dealer_id"].iloc[0]
    header = re.search(r"<oddHeader>(.*?)</oddHeader>", xml).group(1)
    footer = re.search(r"<oddFooter>(.*?)</oddFooter>", xml).group(1)
    assert dealer_id in header and "&amp;P" in footer and "&amp;N" in footer


@given(st.lists(st.tuples(st.text(min_size=0, max_size=40), st.one_of(st.none(), st.text(max_size=60))),
                min_size=1, max_size=30))
def test_sheet_names_are_valid_and_unique_whatever_the_ids_and_names(pairs):
    names = sheet_names([p[0] for p in pairs], [p[1] for p in pairs])
    assert len(names) == len(pairs)
    assert len({n.casefold() for n in names}) == len(names)
    for name in names:
        assert 1 <= len(name) <= 31 and not re.search(r"[\[\]:*?/\\]", name)
        assert not name.startswith("'") and not name.endswith("'") and name.casefold() != "history"


def test_the_command_writes_only_the_dealers_asked_for_into_the_folder_given(sample_book, result, tmp_path, capsys):
    dealers = list(result.tables["dealers"]["dealer_id"].iloc[[2, 0]])
    assert main(["statements", str(sample_book), "--month", MONTH, "--dealers", *dealers, "--out", str(tmp_path),
                 "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    path = tmp_path / output_name(result)
    assert printed["outputs"] == [str(path)] and printed["rows"]["dealers"] == 2
    assert [n.split(" ")[0] for n in CalamineWorkbook.from_path(str(path)).sheet_names] == dealers


def test_an_unknown_dealer_exits_with_two_and_writes_nothing(sample_book, tmp_path, capsys):
    out = tmp_path / "s.xlsx"
    assert main(["statements", str(sample_book), "--month", MONTH, "--dealers", "D-NOPE", "--out", str(out)]) == 2
    assert "D-NOPE" in capsys.readouterr().err and not out.exists()


def test_a_month_that_is_not_yyyy_mm_exits_with_two(sample_book, tmp_path, capsys):
    assert main(["statements", str(sample_book), "--month", "10/2026", "--out", str(tmp_path / "s.xlsx")]) == 2
    assert "YYYY-MM" in capsys.readouterr().err and not (tmp_path / "s.xlsx").exists()


def test_pdf_without_libreoffice_is_refused_before_any_work(sample_book, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    out = tmp_path / "s.xlsx"
    assert main(["statements", str(sample_book), "--month", MONTH, "--pdf", "--out", str(out), "--lang", "en"]) == 2
    assert "LibreOffice (soffice) is not installed" in capsys.readouterr().err and not out.exists()


def test_pdf_without_a_chinese_font_is_refused_with_the_install_line(sample_book, tmp_path, capsys, monkeypatch):
    import subprocess

    real_run = subprocess.run

    def fc_list_finds_nothing(command, *args, **kwargs):
        if "fc-list" in str(command[0]):
            return subprocess.CompletedProcess(command, 0, stdout="", stderr="")
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(subprocess, "run", fc_list_finds_nothing)
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    out = tmp_path / "s.xlsx"
    assert main(["statements", str(sample_book), "--month", MONTH, "--pdf", "--out", str(out), "--lang", "en"]) == 2
    error = capsys.readouterr().err
    assert "apt-get install fonts-noto-cjk" in error and not out.exists()


def test_the_installed_chinese_font_is_found():
    from dealerxl.report.render import check_cjk_font

    assert check_cjk_font()


def test_a_failed_write_leaves_the_previous_statement_file_as_it_was(result, tmp_path, monkeypatch):
    from dealerxl.report import statements

    path = tmp_path / "s.xlsx"
    path.write_bytes(b"previous")

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(statements._StatementSheet, "write", broken)
    with pytest.raises(OSError):
        write_statements(result, path)
    assert path.read_bytes() == b"previous" and list(tmp_path.iterdir()) == [path]


@pytest.fixture(scope="module")
def book_without_targets(tmp_path_factory, sample_data):
    """The sample without annual or monthly targets: no target can be set for any year."""
    from workbook_fixtures import labelled, settings_rows, write_workbook

    from dealerxl.forms import FORMS

    forms = {}
    for form_id in FORMS:
        frame = sample_data.get(form_id)
        if form_id == "settings":
            forms[form_id] = settings_rows("zh-Hant")
            continue
        if form_id in ("annual_targets", "monthly_targets") or frame is None:
            forms[form_id] = []
            continue
        forms[form_id] = labelled(form_id, frame.astype(object).where(frame.notna(), None).to_dict("records"),
                                  "zh-Hant")
    return write_workbook(tmp_path_factory.mktemp("no_targets") / "book.xlsx", forms, "zh-Hant")


def test_without_targets_the_statements_still_show_sales_and_say_what_is_missing(book_without_targets, tmp_path):
    result = run_statements(book_without_targets, MONTH, lang="en")
    sales = result.tables["sales"]
    assert sales["month_target"].isna().all() and sales["ytd_rate"].isna().all()
    assert (sales["ytd_actual"] != 0).any()
    assert any(w.startswith("No targets") for w in result.warnings)
    assert result.summary["incentives_missing"] and result.tables["incentives"].empty
    path = write_statements(result, tmp_path / "s.xlsx")
    first = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert any(str(cell).startswith("This month's incentives and rebates cannot be worked out")
               for row in first for cell in row)


def test_tier_and_tier_change_are_the_dealer_appraisals(result, sample_book):
    from dealerxl.jobs.dealers import run_dealer_review

    appraisal = run_dealer_review(sample_book, MONTH).tables["appraisal"].astype({"dealer_id": str})
    appraisal = appraisal.set_index("dealer_id")
    tiers = result.tables["tiers"].set_index("dealer_id")
    shared = tiers.index.intersection(appraisal.index)
    assert result.summary["tier_source"] == "appraisal" and len(shared)
    for column in ("tier", "previous_tier", "tier_change", "grade"):
        pd.testing.assert_series_equal(tiers.loc[shared, column], appraisal.loc[shared, column], check_dtype=False,
                                       check_names=False)
