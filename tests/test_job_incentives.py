"""The Incentives job: the summary adds up each payee's statement lines, one sheet per payee,
clawbacks shown at the original rate, the headless statement workbook (input untouched) and
the ribbon button saving it next to the open workbook."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from python_calamine import CalamineWorkbook

from dealerxl.cli import main
from dealerxl.excel.ribbon import load_buttons
from dealerxl.jobs.incentives import run_incentives
from dealerxl.jobs.targets import run_targets
from workbook_fixtures import WritableStandInBook, settings_rows, write_workbook

MONTH = "2026-10"


@pytest.fixture(scope="session")
def result(sample_book):
    return run_incentives(sample_book, MONTH)


def test_each_payees_lines_add_up_to_its_summary(result):
    summary = result.tables["summary"].set_index("payee_id")
    lines = result.tables["lines"].groupby("payee_id")["credited"].sum()
    expected = summary["earned"] + summary["accelerator"] - summary["cap_cut"] + summary["clawback"]
    assert len(summary) >= 4
    assert lines.reindex(summary.index, fill_value=0.0).to_numpy() == pytest.approx(expected.to_numpy(), abs=1e-6)


def _sample_book(path, data):
    """A workbook of the small sample's frames ``data`` (changed by the test)."""
    from dealerxl.forms import FORMS
    from workbook_fixtures import labelled

    forms = {form_id: (settings_rows("zh-Hant") if form_id == "settings" else labelled(
        form_id, [] if data.get(form_id) is None else
        data[form_id].astype(object).where(data[form_id].notna(), None).to_dict("records"), "zh-Hant"))
        for form_id in FORMS}
    return write_workbook(path, forms, "zh-Hant")


def test_no_payee_below_its_plans_gate_earns_anything(result, tmp_path):
    """The salespeople's plan gated between the weakest salesperson's attainment and the
    team's: those below the gate earn nothing though the team is above it (an all-team plan
    is gated on the team)."""
    from dealerxl.sample import generate

    summary = result.tables["summary"]
    own = summary.loc[summary["payee_type"] == "salesperson"]
    plan = own["plan_id"].iloc[0]
    weakest, team = own["attainment"].min(), own["team_attainment"].iloc[0]
    assert weakest < team
    data = generate("small")
    plans = data["incentive_plans"].copy()
    plans.loc[plans["plan_id"] == plan, "gate_attainment"] = round((weakest + team) / 2, 4)
    data["incentive_plans"] = plans
    gated = run_incentives(_sample_book(tmp_path / "gated.xlsx", data), MONTH).tables["summary"]
    gate = float(plans.loc[plans["plan_id"] == plan, "gate_attainment"].iloc[0])
    below = gated.loc[(gated["plan_id"] == plan) & (gated["attainment"] < gate)]
    assert len(below) and (below["team_attainment"] >= gate).all()
    assert (below["earned"] + below["accelerator"] == 0).all()
    above = gated.loc[(gated["plan_id"] == plan) & (gated["attainment"] >= gate)]
    assert len(above) and (above["earned"] > 0).all()


def test_clawbacks_are_shown_at_the_rate_the_original_invoice_earned(result):
    lines = result.tables["lines"]
    claws = lines[lines["line_type"].str.startswith("clawback")]
    assert (claws["credited"] <= 0).all() and (claws["credited"] < 0).any()
    assert (claws["original_period"] <= MONTH).all() and (claws["original_period"] < MONTH).any()
    assert claws["credited"].to_numpy() == pytest.approx((claws["amount"] * claws["rate"]).to_numpy())
    per_payee = claws.groupby("payee_id")["credited"].sum()
    summary = result.tables["summary"].set_index("payee_id")
    assert per_payee.to_numpy() == pytest.approx(summary.loc[per_payee.index, "clawback"].to_numpy())


# ---- dealer statements ------------------------------------------------------------------------

def test_every_dealer_line_traces_to_an_invoice_line_of_that_dealer(result, sample_data):
    dealer_lines = result.tables["dealer_lines"]
    assert len(dealer_lines) and dealer_lines["dealer_id"].notna().all()
    for column in ("invoice_no", "period", "rate", "tier", "plan_id", "payee_id"):
        assert dealer_lines[column].notna().all(), column
    invoices = sample_data["sales_transactions"]
    sale = dealer_lines["line_type"] == "sale"
    # A sale line names its invoice line; a clawback names the original invoice and its month.
    source_lines = set(zip(invoices["invoice_no"].astype(str), invoices["line_no"].astype(float),
                           invoices["dealer_id"].astype(str)))
    sold = dealer_lines[sale]
    assert all(key in source_lines for key in zip(sold["invoice_no"].astype(str), sold["line_no"].astype(float),
                                                  sold["dealer_id"].astype(str)))
    source_invoices = set(zip(invoices["invoice_no"].astype(str), invoices["dealer_id"].astype(str)))
    reversed_ = dealer_lines[~sale]
    assert len(reversed_) and reversed_["original_period"].notna().all()
    assert all(key in source_invoices for key in zip(reversed_["invoice_no"].astype(str),
                                                     reversed_["dealer_id"].astype(str)))


def test_dealer_lines_are_the_payee_lines_tied_to_an_invoice_none_lost_or_added(result):
    lines = result.tables["lines"]
    tied = lines[lines["dealer_id"].notna()]
    assert len(result.tables["dealer_lines"]) == len(tied)
    assert result.tables["dealer_lines"]["credited"].sum() == pytest.approx(tied["credited"].sum())
    assert (lines.loc[lines["dealer_id"].isna(), "line_type"] == "team").all()


def test_dealer_summary_adds_up_its_lines_split_into_rebate_and_commission(result):
    summary = result.tables["dealer_summary"].set_index("dealer_id")
    lines = result.tables["dealer_lines"]
    credited = lines.groupby("dealer_id")["credited"].sum()
    rebate = lines[lines["payee_type"] == "dealer"].groupby("dealer_id")["credited"].sum()
    claws = lines[lines["line_type"].str.startswith("clawback")].groupby("dealer_id")["credited"].sum()
    assert summary.index.tolist() == sorted(credited.index)
    assert summary["credited"].to_numpy() == pytest.approx(credited.reindex(summary.index).to_numpy())
    assert summary["rebate"].to_numpy() == pytest.approx(rebate.reindex(summary.index, fill_value=0.0).to_numpy())
    assert (summary["rebate"] + summary["commission"]).to_numpy() == pytest.approx(summary["credited"].to_numpy())
    assert summary["clawback"].to_numpy() == pytest.approx(claws.reindex(summary.index, fill_value=0.0).to_numpy())
    assert (summary["rebate"] > 0).any() and (summary["commission"] > 0).any()
    assert (summary["period"] == MONTH).all() and summary["dealer_name"].notna().all()
    assert (summary["lines"] == lines.groupby("dealer_id").size().reindex(summary.index)).all()


def test_dealer_sales_are_its_invoice_lines_of_the_month_counted_once(result, sample_data):
    invoices = sample_data["sales_transactions"]
    in_month = invoices[(invoices["transaction_type"] == "sale")
                        & (invoices["invoice_date"].astype(str).str[:7] == MONTH)]
    expected = in_month.groupby("dealer_id")["amount"].sum()
    summary = result.tables["dealer_summary"].set_index("dealer_id")
    # A dealer on the rebate plan that bought nothing in the month has 0 sales.
    assert summary["sales"].to_numpy() == pytest.approx(expected.reindex(summary.index).fillna(0.0).to_numpy())


def test_the_dealer_lines_sheet_closes_each_dealer_with_its_total(result):
    from dealerxl.jobs.incentives import statement_sheets

    sheet = statement_sheets(result)["經銷商明細"]
    totals = sheet[sheet["明細類別"] == "合計"]
    assert totals["經銷商編號"].tolist() == result.tables["dealer_summary"]["dealer_id"].tolist()
    last_of_block = sheet["經銷商編號"].ne(sheet["經銷商編號"].shift(-1))
    assert (sheet.loc[last_of_block, "明細類別"] == "合計").all()
    assert totals["入帳金額"].to_numpy() == pytest.approx(result.tables["dealer_summary"]["credited"].to_numpy())


def test_targets_are_the_reps_monthly_targets(result, sample_book):
    targets = run_targets(sample_book, 2026).tables["monthly_targets"]
    october = targets[targets["month"] == "2026-10-01"]
    summary = result.tables["summary"].set_index("payee_id")
    rep = summary.index[summary["payee_type"] != "dealer"][0]
    dealer = summary.index[summary["payee_type"] == "dealer"][0]
    assert summary.loc[rep, "target"] == october.loc[october["sales_rep_id"] == rep, "target_amount"].sum()
    assert summary.loc[dealer, "target"] == october.loc[october["dealer_id"] == dealer, "target_amount"].sum()
    assert result.summary["targets_set_for"] == ["2026"]


def test_a_draw_above_the_earnings_is_paid_and_carried_as_a_balance(result, tmp_path):
    from dealerxl.sample import generate

    # A draw 10,000 above what the salesperson earns in the month without one.
    before = result.tables["summary"].set_index("payee_id").loc["S0013"]
    draw = float(np.ceil((before["earned"] + before["accelerator"] - before["cap_cut"] + before["clawback"])
                         / 1000) * 1000 + 10_000)
    data = generate("small")
    assignments = data["incentive_assignments"].copy()
    assignments.loc[assignments["payee_id"] == "S0013", "monthly_draw"] = draw
    data["incentive_assignments"] = assignments
    book = _sample_book(tmp_path / "draw.xlsx", data)
    row = run_incentives(book, MONTH).tables["summary"].set_index("payee_id").loc["S0013"]
    earned = row["earned"] + row["accelerator"] - row["cap_cut"] + row["clawback"]
    assert earned < draw and row["draw"] == draw
    assert row["payable"] == pytest.approx(draw) and row["balance"] > draw - earned


def test_headless_run_writes_one_sheet_per_payee_and_leaves_the_input_unchanged(sample_book, result, tmp_path, capsys):
    book = shutil.copy(sample_book, tmp_path / "book.xlsx")
    before = book.read_bytes()
    assert main(["incentives", str(book), "--month", MONTH]) == 0
    report = tmp_path / "reports" / f"獎金對帳單_{MONTH}.xlsx"
    assert report.exists() and book.read_bytes() == before
    assert str(report) in capsys.readouterr().out
    workbook = CalamineWorkbook.from_path(str(report))
    payees = result.tables["summary"]["payee_id"].tolist()
    assert workbook.sheet_names == ["彙總", *payees, "經銷商彙總", "經銷商明細"]
    summary_rows = workbook.get_sheet_by_name("彙總").to_python()
    header = summary_rows[0]
    for column in ("應得佣金", "加速獎金", "上限扣減", "沖銷", "預支", "應付金額"):
        assert column in header
    for payee, row in zip(payees, summary_rows[1:]):
        lines = workbook.get_sheet_by_name(payee).to_python()
        credited = lines[0].index("入帳金額")
        total = lines[-1]
        assert total[0] == "合計"
        assert sum(r[credited] for r in lines[1:-1] if r[credited] != "") == pytest.approx(total[credited])
        expected = sum(row[header.index(c)] for c in ("應得佣金", "加速獎金", "沖銷")) - row[header.index("上限扣減")]
        assert total[credited] == pytest.approx(expected, abs=1e-6)
    assert any(line[0] == "沖銷（退貨）" for p in payees for line in workbook.get_sheet_by_name(p).to_python())


def test_english_statement_with_json(sample_book, tmp_path, capsys):
    out = tmp_path / "statement.xlsx"
    assert main(["incentives", str(sample_book), "--month", MONTH, "--out", str(out), "--json", "--lang", "en"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["outputs"] == [str(out)] and printed["summary"]["month"] == MONTH
    workbook = CalamineWorkbook.from_path(str(out))
    assert workbook.sheet_names[0] == "Summary"
    assert workbook.get_sheet_by_name("Summary").to_python()[0][:3] == ["Payee ID", "Payee type", "Plan ID"]


def test_a_bad_month_exits_with_two_and_writes_nothing(sample_book, tmp_path, capsys):
    out = tmp_path / "x.xlsx"
    assert main(["incentives", str(sample_book), "--month", "2026-13", "--out", str(out)]) == 2
    assert main(["incentives", str(sample_book), "--month", "2019-01", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "YYYY-MM" in err and "無法計算獎金" in err and not out.exists()


def test_quiet_prints_nothing(sample_book, tmp_path, capsys):
    assert main(["incentives", str(sample_book), "--month", MONTH, "--out", str(tmp_path / "q.xlsx"), "--quiet"]) == 0
    assert capsys.readouterr().out == ""


# ---- the ribbon button ----------------------------------------------------------------------

def test_incentives_button_is_on_the_sales_group():
    button = load_buttons()["incentives"]
    assert (button.group, button.image_mso, button.order) == ("sales", "Calculator", 250)


def test_ribbon_saves_the_statement_next_to_the_workbook_and_says_where(sample_book, tmp_path):
    from dealerxl.excel.actions.incentives import incentives_book

    path = shutil.copy(sample_book, tmp_path / "book.xlsx")
    before = path.read_bytes()
    book = WritableStandInBook(path)
    text = incentives_book(book, MONTH)
    report = tmp_path / "reports" / f"獎金對帳單_{MONTH}.xlsx"
    assert report.exists() and str(report) in text and path.read_bytes() == before
    (alert,) = book.app.alerts
    assert alert["prompt"] == text and alert["title"] == "經銷商管理"
    assert book.app.status_history[0].startswith("獎金計算") and book.app.status_history[-1] is False


def test_ribbon_on_a_workbook_without_sales_says_why(tmp_path):
    from dealerxl.excel.actions.incentives import incentives_book

    path = write_workbook(tmp_path / "empty.xlsx", {"settings": settings_rows("en")}, "en")
    book = WritableStandInBook(path)
    text = incentives_book(book, MONTH)
    assert text.startswith("The incentives cannot be worked out") and not (tmp_path / "reports").exists()
