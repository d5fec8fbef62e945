"""The monthly report: its summary figures recomputed from the input tables, and the workbook
read back with openpyxl (sheets, charts, conditional formats, print settings)."""
from __future__ import annotations

import re
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from workbook_fixtures import labelled, settings_rows, write_workbook

from dealerxl.forms import FORMS, get_form
from dealerxl.i18n import tr
from dealerxl.report.monthly import output_name, run_monthly_report
from dealerxl.report.workbook import SHEETS, write_report

MONTH = "2026-10"


@pytest.fixture(scope="module")
def result(sample_book):
    return run_monthly_report(sample_book, MONTH)


@pytest.fixture(scope="module")
def report_file(result, tmp_path_factory):
    return write_report(result, tmp_path_factory.mktemp("report") / output_name(result))


def figure(result, name: str, column: str = "value") -> float:
    return float(result.tables["summary"].set_index("figure").loc[name, column])


# ---- independent recomputation of the summary from the input tables --------------------------

def net_revenue(sales: pd.DataFrame, first: str, last: str) -> float:
    """Σ amount of the invoices dated in [first, last] (months), returns counted negative."""
    months = pd.to_datetime(sales["invoice_date"]).dt.strftime("%Y-%m")
    chosen = sales.loc[(months >= first) & (months <= last)]
    sign = np.where(chosen["transaction_type"] == "return", -1.0, 1.0)
    return float((sign * chosen["amount"].astype(float).abs()).sum())


def overdue_at(data: dict, as_of: pd.Timestamp) -> float:
    """Open amount of invoices past their due date at ``as_of``."""
    invoices = data["receivables"]
    invoices = invoices.loc[pd.to_datetime(invoices["invoice_date"]) <= as_of]
    paid_on = pd.to_datetime(invoices["paid_date"])
    paid = invoices["paid_amount"].astype(float).fillna(0.0).where(paid_on.isna() | (paid_on <= as_of), 0.0)
    offs = data["write_offs"]
    offs = offs.loc[pd.to_datetime(offs["write_off_date"]) <= as_of].groupby("invoice_no")["write_off_amount"].sum()
    open_amount = (invoices["amount"].astype(float) - paid - invoices["invoice_no"].map(offs).fillna(0.0)).clip(lower=0)
    late = pd.to_datetime(invoices["due_date"]) < as_of
    return float(open_amount[late].sum())


def nps_of(data: dict, month: str) -> float:
    answers = data["survey_responses"]
    answers = answers.loc[pd.to_datetime(answers["survey_date"]).dt.strftime("%Y-%m") == month]
    scores = pd.to_numeric(answers["nps_score"], errors="coerce").dropna()
    return float(100.0 * ((scores >= 9).mean() - (scores <= 6).mean()))


def test_sales_figures_match_the_sales_table_worked_out_by_hand(result, sample_data):
    sales = sample_data["sales_transactions"]
    assert figure(result, "revenue") == pytest.approx(net_revenue(sales, MONTH, MONTH))
    assert figure(result, "revenue", "previous") == pytest.approx(net_revenue(sales, "2026-09", "2026-09"))
    year_ago = net_revenue(sales, "2025-10", "2025-10")
    assert figure(result, "yoy") == pytest.approx(net_revenue(sales, MONTH, MONTH) / year_ago - 1)
    ytd, ytd_before = net_revenue(sales, "2026-01", MONTH), net_revenue(sales, "2025-01", "2025-10")
    assert figure(result, "ytd") == pytest.approx(ytd)
    assert figure(result, "ytd_yoy") == pytest.approx(ytd / ytd_before - 1)
    assert figure(result, "revenue", "change") == pytest.approx(
        net_revenue(sales, MONTH, MONTH) - net_revenue(sales, "2026-09", "2026-09"))


def test_target_and_achievement_come_from_the_monthly_targets_the_incentives_use(result, sample_book, sample_data):
    from dealerxl.jobs.targets import run_targets

    targets = run_targets(sample_book, 2026).tables["monthly_targets"]
    in_month = pd.to_datetime(targets["month"]).dt.strftime("%Y-%m") == MONTH
    target = float(targets.loc[in_month, "target_amount"].sum())
    assert target > 0
    assert figure(result, "target") == pytest.approx(target)
    targeted = set(targets.loc[in_month & (targets["target_amount"] > 0), "dealer_id"])
    sales = sample_data["sales_transactions"]
    theirs = net_revenue(sales.loc[sales["dealer_id"].isin(targeted)], MONTH, MONTH)
    assert figure(result, "targeted_revenue") == pytest.approx(theirs)
    assert figure(result, "achievement") == pytest.approx(theirs / target)
    assert figure(result, "untargeted_revenue") == pytest.approx(net_revenue(sales, MONTH, MONTH) - theirs)
    named = result.tables["sales.untargeted"]
    assert set(named["dealer_id"]).isdisjoint(targeted)
    assert named["actual"].sum() == pytest.approx(figure(result, "untargeted_revenue"))


def test_dealer_counts_follow_the_join_and_termination_dates(result, sample_data):
    dealers = sample_data["dealer_master"]
    start, end = pd.Timestamp("2026-10-01"), pd.Timestamp("2026-10-31")
    joined, ended = pd.to_datetime(dealers["join_date"]), pd.to_datetime(dealers["termination_date"])
    signed = dealers["status"] != "prospect"
    active = (joined.isna() | (joined <= end)) & (ended.isna() | (ended >= start)) & signed
    assert figure(result, "active_dealers") == active.sum()
    assert figure(result, "new_dealers") == (joined.between(start, end) & signed).sum()
    sales = sample_data["sales_transactions"]
    months = pd.to_datetime(sales["invoice_date"]).dt.strftime("%Y-%m")
    buyers = set(sales.loc[(months == MONTH) & (sales["transaction_type"] == "sale"), "dealer_id"])
    assert figure(result, "trading_dealers") == (active & dealers["dealer_id"].isin(buyers)).sum()
    breakdown = result.tables["sales.dealer_activity"].set_index("status")
    assert breakdown.loc["total", "dealers"] == active.sum()
    assert breakdown.loc["total", "trading"] == figure(result, "trading_dealers")
    assert figure(result, "lost_dealers") == ended.between(start, end).sum()
    assert figure(result, "lost_dealers", "previous") == ended.between("2026-09-01", "2026-09-30").sum()


def test_stock_value_and_days_of_supply_are_at_unit_cost(result, sample_data):
    cost = sample_data["item_master"].set_index("sku")["unit_cost"].astype(float)
    stock = sample_data["stock_ledger"]
    value = float((stock["on_hand"].astype(float) * stock["sku"].map(cost)).sum())
    demand = sample_data["demand_history"]
    months = pd.to_datetime(demand["month"]).dt.strftime("%Y-%m")
    year = demand.loc[(months > "2025-10") & (months <= MONTH)]
    # Demand is what was shipped and what could not be served (one meaning on every sheet).
    usage = float(((year["quantity"].astype(float) + year["unfulfilled_qty"].astype(float).fillna(0.0))
                   * year["sku"].map(cost)).sum())
    assert figure(result, "stock_value") == pytest.approx(value)
    assert figure(result, "days_of_supply") == pytest.approx(value / usage * 365.25)
    # Only today's stock is known: last month's stays blank rather than guessed.
    assert np.isnan(figure(result, "stock_value", "previous"))


def test_receivables_complaints_and_nps_match_the_input_tables(result, sample_data):
    assert figure(result, "overdue_receivables") == pytest.approx(overdue_at(sample_data, pd.Timestamp("2026-10-31")))
    assert figure(result, "overdue_receivables", "previous") == pytest.approx(
        overdue_at(sample_data, pd.Timestamp("2026-09-30")))
    complaints = sample_data["complaint_log"]
    received = pd.to_datetime(complaints["received_at"]).dt.strftime("%Y-%m")
    assert figure(result, "complaints") == (received == MONTH).sum()
    assert figure(result, "complaints", "previous") == (received == "2026-09").sum()
    assert figure(result, "nps") == pytest.approx(nps_of(sample_data, MONTH))
    assert figure(result, "nps", "previous") == pytest.approx(nps_of(sample_data, "2026-09"))


def test_provision_and_sla_breaches_are_the_reviews_own_totals(result, sample_book):
    from dealerxl.jobs.risk import run_risk_review
    from dealerxl.jobs.service import run_service_review

    risk = run_risk_review(sample_book, MONTH)
    provision = risk.tables["provision"].set_index("ageing_bucket").loc["total"]
    assert figure(result, "provision") == pytest.approx(provision["roll_rate_ecl"])
    cases = run_service_review(sample_book, MONTH).tables["cases"]
    in_month = cases.loc[cases["in_month"]]
    assert figure(result, "sla_breaches") == int(in_month["breached"].sum())
    # The base of the breaches: every complaint and service ticket of the month, not only complaints.
    assert figure(result, "service_cases") == len(in_month)
    assert figure(result, "sla_breach_share") == pytest.approx(in_month["breached"].mean())


def test_sales_by_region_adds_up_to_the_month_revenue(result):
    by_region = result.tables["sales.by_region"]
    assert by_region["actual"].sum() == pytest.approx(figure(result, "revenue"))
    assert by_region["target"].sum() == pytest.approx(figure(result, "target"))
    trend = result.tables["sales.trend"]
    assert trend["actual"].notna().sum() == 24 and trend["forecast"].iloc[24:].notna().all()


def test_trend_carries_the_forecast_80_percent_interval_and_its_chart_draws_it(result, report_file):
    trend = result.tables["sales.trend"]
    ahead = trend.iloc[24:]
    assert ((ahead["lower_80"] <= ahead["forecast"]) & (ahead["forecast"] <= ahead["upper_80"])).all()
    assert (ahead["upper_80"] - ahead["lower_80"]).iloc[-1] > 0
    with zipfile.ZipFile(report_file) as package:
        charts = [package.read(name).decode() for name in package.namelist() if name.startswith("xl/charts/")]
    trend_chart = [c for c in charts if tr("report.monthly.col.upper_80", "zh-Hant") in c]
    assert trend_chart and all(tr("report.monthly.col.lower_80", "zh-Hant") in c for c in trend_chart)
    assert all(c.count("<c:ser>") == 4 for c in trend_chart)


# ---- the workbook read back ------------------------------------------------------------------

def test_report_has_the_eight_sheets_in_order_with_localised_names(report_file, result):
    book = openpyxl.load_workbook(report_file)
    assert book.sheetnames == [tr(f"report.monthly.sheet.{key}", "zh-Hant") for key in SHEETS]
    assert report_file.name == f"月報_{MONTH}.xlsx"


def test_every_sheet_has_a_native_chart_in_its_drawing(report_file):
    with zipfile.ZipFile(report_file) as package:
        names = package.namelist()
        for number in range(1, len(SHEETS)):  # the data-quality sheet draws no chart of no problems
            rels = package.read(f"xl/worksheets/_rels/sheet{number}.xml.rels").decode()
            drawing = re.search(r'Target="\.\./drawings/(drawing\d+\.xml)"', rels).group(1)
            drawing_rels = package.read(f"xl/drawings/_rels/{drawing}.rels").decode()
            charts = re.findall(r'Target="\.\./charts/(chart\d+\.xml)"', drawing_rels)
            assert charts, f"sheet{number} has no chart"
            assert all(f"xl/charts/{chart}" in names for chart in charts)
        risk_charts = package.read("xl/drawings/_rels/drawing6.xml.rels").decode()
        stacked = [package.read(f"xl/charts/{c}").decode()
                   for c in re.findall(r"charts/(chart\d+\.xml)", risk_charts)]
        assert any('<c:grouping val="stacked"/>' in chart for chart in stacked)


def test_sheets_carry_data_bars_and_traffic_lights(report_file):
    book = openpyxl.load_workbook(report_file)
    kinds = {name: {rule.type for rng in book[name].conditional_formatting for rule in rng.rules}
             for name in book.sheetnames}
    summary, sales, _, inventory, _, risk, _, _ = book.sheetnames
    assert "iconSet" in kinds[summary]
    assert "dataBar" in kinds[sales] and "dataBar" in kinds[inventory]
    red = tr("enum.rag.red", "zh-Hant")
    risk_rules = [rule for rng in book[risk].conditional_formatting for rule in rng.rules]
    assert any(rule.type == "cellIs" and f'"{red}"' in rule.formula for rule in risk_rules)


def test_every_sheet_prints_a4_landscape_at_a_readable_scale_with_page_numbers(report_file):
    book = openpyxl.load_workbook(report_file)
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape", sheet.title
        assert sheet.page_setup.paperSize == 9
        assert not (sheet.sheet_properties.pageSetUpPr and sheet.sheet_properties.pageSetUpPr.fitToPage)
        assert int(sheet.page_setup.scale or 100) >= 70
        assert "&P" in sheet.oddFooter.center.text


def test_summary_sheet_shows_the_figures_with_last_month_and_change(report_file, result):
    sheet = openpyxl.load_workbook(report_file).worksheets[0]
    rows = {row[0]: row[1:4] for row in sheet.iter_rows(min_row=5, max_row=20, values_only=True)}
    revenue = rows[tr("report.monthly.figure.revenue", "zh-Hant")]
    assert revenue[0] == pytest.approx(figure(result, "revenue"))
    assert revenue[1] == pytest.approx(figure(result, "revenue", "previous"))
    assert revenue[2] == pytest.approx(figure(result, "revenue", "change"))
    assert sheet.cell(6, 1).value == tr("report.monthly.figure.revenue", "zh-Hant")
    assert sheet.cell(6, 2).number_format == "#,##0"


# ---- the data-quality page -------------------------------------------------------------------

def variant(path, sample_data, changes):
    forms = {}
    for form_id in FORMS:
        if form_id == "settings":
            forms[form_id] = settings_rows("zh-Hant")
            continue
        frame = sample_data.get(form_id)
        if form_id in changes and frame is not None:
            frame = changes[form_id](frame.copy())
        rows = [] if frame is None else frame.astype(object).where(frame.notna(), None).to_dict("records")
        forms[form_id] = labelled(form_id, rows, "zh-Hant")
    return write_workbook(path, forms, "zh-Hant")


def test_data_quality_sheet_lists_a_bad_cell_with_its_address(tmp_path, sample_data):
    def spoil(frame):
        frame = frame.astype({"quantity": object})
        frame.loc[3, "quantity"] = "十二"
        return frame

    book = variant(tmp_path / "bad.xlsx", sample_data, {"sales_transactions": spoil})
    result = run_monthly_report(book, MONTH)
    sheet_name = tr(get_form("sales_transactions").label_key("sheet"), "zh-Hant")
    column = "ABCDEFGHIJKLM"[[c.id for c in get_form("sales_transactions").columns].index("quantity")]
    address = f"{sheet_name}!{column}{4 + 3 + 1}"
    assert address in [p.address for p in result.problems]
    written = write_report(result, tmp_path / "report.xlsx")
    quality = openpyxl.load_workbook(written).worksheets[7]
    cells = [row[0] for row in quality.iter_rows(values_only=True)]
    assert address in cells


def test_a_review_that_cannot_be_worked_out_leaves_a_note_and_the_rest_of_the_report(sample_book, tmp_path,
                                                                                     monkeypatch):
    from dealerxl.calc import CalcError
    from dealerxl.jobs import incentives

    def fails(*args, **kwargs):
        raise CalcError("no plan this month")

    monkeypatch.setattr(incentives, "run_incentives", fails)
    result = run_monthly_report(sample_book, MONTH, lang="en")
    assert result.summary["missing_parts"] == {"incentives": "no plan this month"}
    assert "incentives: no plan this month" in result.warnings
    written = write_report(result, tmp_path / "report.xlsx")
    sheet = openpyxl.load_workbook(written)["Incentives"]
    texts = [v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert any("no plan this month" in text for text in texts)


# ---- LibreOffice -----------------------------------------------------------------------------

@pytest.mark.libreoffice
def test_libreoffice_prints_every_sheet_to_at_least_one_page(report_file, tmp_path):
    from dealerxl.report.render import page_count, to_pdf

    book = openpyxl.load_workbook(report_file)
    (pdf,) = to_pdf([report_file], tmp_path)
    assert page_count(pdf) >= len(book.sheetnames)


def test_summary_workbook_holds_the_summary_sheet_alone_with_its_chart(sample_book, tmp_path):
    from dealerxl.report.monthly import summary_workbook

    written = summary_workbook(sample_book, MONTH, tmp_path / "summary.xlsx")
    assert openpyxl.load_workbook(written).sheetnames == [tr("report.monthly.sheet.summary", "zh-Hant")]
    with zipfile.ZipFile(written) as package:
        assert any(name.startswith("xl/charts/chart") for name in package.namelist())


def test_sales_charts_plot_actual_and_target_columns_of_their_table(report_file):
    sheet = openpyxl.load_workbook(report_file).worksheets[1]
    headers = [c.value for c in sheet[5]]
    assert headers[1:3] == [tr("report.monthly.col.actual", "zh-Hant"), tr("report.monthly.col.target", "zh-Hant")]
