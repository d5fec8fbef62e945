"""``dealerxl sync``: the store's latest periods into the workbook's tables, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from support.postgres import store_url  # noqa: F401  (fixture)
from workbook_fixtures import write_workbook

from dealerxl.book import read_form
from dealerxl.cli import main
from dealerxl.forms import FORMS
from dealerxl.i18n import tr
from dealerxl.jobs import sync as sync_job
from dealerxl.jobs.sync import choose_periods, sync_workbook
from dealerxl.store import open_store

MASTER = Path(__file__).resolve().parents[1] / "DealerWorkbook.xlsm"
HEADER_ROWS = 4  # title, instruction, a blank row and the header above a built table's first data row


@pytest.fixture
def master(tmp_path) -> Path:
    return Path(shutil.copy(MASTER, tmp_path / "DealerWorkbook.xlsm"))


def months_of(frame: pd.DataFrame, column: str) -> pd.Series:
    return frame[column].dt.strftime("%Y-%m")


def load_history(url: str, sample: dict, dealers: int = 4) -> None:
    """Dealer monthly reports as submissions (one per dealer and month), sales as bulk history."""
    monthly = sample["dealer_monthly"]
    chosen = sorted(monthly["dealer_id"].unique())[:dealers]
    with open_store(url) as store:
        for (dealer, month), rows in monthly[monthly["dealer_id"].isin(chosen)].groupby(
                ["dealer_id", months_of(monthly, "month")]):
            assert store.load_submission("dealer_monthly", dealer, month, f"{dealer}-{month}", rows).status == "accepted"
        store.load_rows("sales_transactions", sample["sales_transactions"])


def workbook_rows(path: Path, form_id: str) -> pd.DataFrame:
    read = read_form(path, form_id)
    assert read.problems == []
    return read.data.reset_index(drop=True)


def same_rows(left: pd.DataFrame, right: pd.DataFrame, form_id: str) -> None:
    """The workbook's rows are the store's, computed columns worked out from the inputs (the
    store keeps none for submitted rows)."""
    from dealerxl.book.computed import computed_columns

    keys = list(FORMS[form_id].key_columns)
    right = right.assign(**computed_columns(FORMS[form_id], right))
    pd.testing.assert_frame_equal(left.sort_values(keys).reset_index(drop=True),
                                  right.sort_values(keys).reset_index(drop=True), check_dtype=False)


def test_sync_gives_the_workbook_exactly_the_stores_rows(store_url, master, sample_data):
    load_history(store_url, sample_data)
    result = sync_workbook(master, url=store_url)
    assert set(result.tables) == {"dealer_monthly", "sales_transactions"}
    with open_store(store_url) as store:
        for form_id in result.tables:
            same_rows(workbook_rows(master, form_id), store.read(form_id), form_id)
            assert result.summary["forms"][form_id]["rows_left"] == 0
    assert result.summary["rows_left"] == 0
    assert result.summary["forms"]["sales_transactions"]["table"] == f"A4:M{4 + len(sample_data['sales_transactions'])}"


def test_a_sheet_too_small_for_the_store_gets_the_newest_periods_and_a_note(store_url, master, sample_data):
    load_history(store_url, sample_data)
    sales = sample_data["sales_transactions"]
    sheet_rows = HEADER_ROWS + 1000
    result = sync_workbook(master, url=store_url, forms=["sales_transactions"], sheet_rows=sheet_rows, lang="en")
    with open_store(store_url) as store:
        latest = store.latest_periods("sales_transactions", 1000)
    plan = result.summary["forms"]["sales_transactions"]
    assert plan["periods"] == latest.periods and plan["rows"] == latest.rows <= 1000
    assert latest.periods[-1] == months_of(sales, "invoice_date").max()
    expected = sales[months_of(sales, "invoice_date").isin(latest.periods)]
    same_rows(workbook_rows(master, "sales_transactions"), expected.reset_index(drop=True), "sales_transactions")
    left_periods = months_of(sales, "invoice_date").nunique() - len(latest.periods)
    assert (plan["rows_left"], plan["periods_left"]) == (len(sales) - len(expected), left_periods)
    lines = sync_job.summary_lines(result)
    assert tr("msg.sync.left_in_store", "en", rows=len(sales) - len(expected), periods=left_periods) in lines


def test_months_keeps_at_most_that_many_newest_periods(store_url, master, sample_data):
    load_history(store_url, sample_data)
    sync_workbook(master, url=store_url, months=2)
    sales, monthly = sample_data["sales_transactions"], sample_data["dealer_monthly"]
    newest = sorted(months_of(sales, "invoice_date").unique())[-2:]
    in_book = workbook_rows(master, "sales_transactions")
    assert sorted(months_of(in_book, "invoice_date").unique()) == newest
    assert len(in_book) == months_of(sales, "invoice_date").isin(newest).sum()
    assert months_of(workbook_rows(master, "dealer_monthly"), "month").nunique() == min(
        2, months_of(monthly, "month").nunique())


def test_a_rerun_changes_nothing(store_url, master, sample_data):
    load_history(store_url, sample_data)
    first = sync_workbook(master, url=store_url, months=3)
    tables = {f: workbook_rows(master, f) for f in first.tables}
    again = sync_workbook(master, url=store_url, months=3)
    for form_id, frame in tables.items():
        pd.testing.assert_frame_equal(workbook_rows(master, form_id), frame)
        plan, replan = first.summary["forms"][form_id], again.summary["forms"][form_id]
        assert (replan["replaced"], replan["added"], replan["kept"]) == (plan["added"], 0, 0)
        assert {k: v for k, v in replan.items() if k not in ("replaced", "added")} == \
            {k: v for k, v in plan.items() if k not in ("replaced", "added")}


def test_a_later_sync_brings_a_replaced_submission(store_url, master, sample_data):
    load_history(store_url, sample_data)
    sync_workbook(master, url=store_url)
    monthly = sample_data["dealer_monthly"]
    dealer, month = monthly["dealer_id"].min(), months_of(monthly, "month").max()
    corrected = monthly[(monthly["dealer_id"] == dealer) & (months_of(monthly, "month") == month)].copy()
    corrected["sell_out_qty"] = corrected["sell_out_qty"] + 1
    with open_store(store_url) as store:
        assert store.load_submission("dealer_monthly", dealer, month, "corrected", corrected).status == "replaced"
        stored = store.read("dealer_monthly")
    sync_workbook(master, url=store_url)
    same_rows(workbook_rows(master, "dealer_monthly"), stored, "dealer_monthly")


def test_a_form_without_dates_takes_rows_in_key_order_up_to_the_sheet(store_url, master, sample_data):
    warehouses = sample_data["warehouses"]
    with open_store(store_url) as store:
        store.load_rows("warehouses", warehouses)
        expected = store.read("warehouses").head(2)
    result = sync_workbook(master, url=store_url, sheet_rows=HEADER_ROWS + 2)
    plan = result.summary["forms"]["warehouses"]
    assert (plan["rows"], plan["rows_left"], plan["periods"]) == (2, len(warehouses) - 2, [])
    pd.testing.assert_frame_equal(workbook_rows(master, "warehouses"), expected, check_dtype=False)


def chart_workbook(path: Path) -> Path:
    path.parent.mkdir(exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Sales")
    headers = [tr(c.label_key, "en") for c in FORMS["sales_transactions"].columns]
    sheet.write_row(3, 0, headers)
    sheet.add_table(3, 0, 4, len(headers) - 1, {"name": "tbl_sales_transactions",
                                                "columns": [{"header": h} for h in headers]})
    chart = book.add_chart({"type": "line"})
    chart.add_series({"values": ["Sales", 4, 6, 4, 6]})
    sheet.insert_chart("P2", chart)
    book.define_name("DX_LANG", '="en"')
    book.close()
    return path


def test_a_workbook_with_a_chart_is_refused_with_nothing_written(store_url, tmp_path, sample_data, capsys):
    load_history(store_url, sample_data)
    path = chart_workbook(tmp_path / "book" / "charted.xlsx")
    before = path.read_bytes()
    assert main(["sync", str(path), "--store", store_url]) == 2
    error = capsys.readouterr().err
    assert "charted.xlsx" in error and "charts" in error
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["charted.xlsx"]


def test_out_writes_a_new_workbook_and_keeps_the_original(store_url, tmp_path, sample_data, capsys):
    load_history(store_url, sample_data)
    path = chart_workbook(tmp_path / "charted.xlsx")
    before = path.read_bytes()
    out = tmp_path / "synced.xlsx"
    assert main(["sync", str(path), "--store", store_url, "--out", str(out), "--forms", "sales_transactions",
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["outputs"] == [str(out)] and report["summary"]["dropped_parts"] == ["charts", "drawings"]
    assert path.read_bytes() == before
    with open_store(store_url) as store:
        same_rows(workbook_rows(out, "sales_transactions"), store.read("sales_transactions"), "sales_transactions")


def test_json_reports_rows_written_and_left_in_the_store(store_url, master, sample_data, capsys, monkeypatch):
    load_history(store_url, sample_data)
    monkeypatch.setattr(sync_job, "SHEET_ROWS", HEADER_ROWS + 500)
    assert main(["sync", str(master), "--store", store_url, "--json", "--forms", "sales_transactions,dealer_monthly"]) == 0
    report = json.loads(capsys.readouterr().out)
    forms = report["summary"]["forms"]
    assert set(forms) == {"sales_transactions", "dealer_monthly"}
    sales = forms["sales_transactions"]
    assert sales["rows"] <= 500 and sales["rows"] + sales["rows_left"] == len(sample_data["sales_transactions"])
    assert report["rows"]["sales_transactions"] == sales["rows"]
    assert report["summary"]["rows_left"] == sum(f["rows_left"] for f in forms.values())
    assert report["summary"]["sheet_rows"] == HEADER_ROWS + 500


def test_the_summary_names_each_sheet_and_what_stayed_behind(store_url, master, sample_data, capsys, monkeypatch):
    load_history(store_url, sample_data)
    monkeypatch.setattr(sync_job, "SHEET_ROWS", HEADER_ROWS + 500)
    assert main(["sync", str(master), "--store", store_url, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert f'"{tr("form.sales_transactions.sheet", "en")}":' in out
    assert "more rows" in out and "stay in the store" in out
    assert str(master) in out


def test_forms_without_a_table_in_the_workbook_are_noted(store_url, tmp_path, sample_data):
    load_history(store_url, sample_data)
    path = write_workbook(tmp_path / "sales_only.xlsx", {"sales_transactions": []}, "en")
    result = sync_workbook(path, url=store_url)
    assert set(result.tables) == {"sales_transactions"}
    assert any("tbl_dealer_monthly" in warning for warning in result.warnings)


def test_an_empty_store_writes_nothing(store_url, master, capsys):
    before = master.read_bytes()
    assert main(["sync", str(master), "--store", store_url, "--lang", "en"]) == 2
    assert "holds nothing to sync" in capsys.readouterr().err
    assert master.read_bytes() == before


def test_a_named_form_with_no_stored_rows_keeps_its_table_unless_replace_is_asked(store_url, master, sample_data,
                                                                                   capsys):
    from dealerxl.book.write_into import write_into

    complaints = sample_data["complaint_log"].head(5)
    write_into(master, {"complaint_log": complaints})
    with open_store(store_url) as store:
        store.load_rows("sales_transactions", sample_data["sales_transactions"].head(10))
    sync_workbook(master, url=store_url, forms=["complaint_log", "sales_transactions"])
    assert len(workbook_rows(master, "complaint_log")) == 5
    assert len(workbook_rows(master, "sales_transactions")) == 10
    assert main(["sync", str(master), "--store", store_url, "--forms", "complaint_log", "--replace",
                 "--lang", "en"]) == 0
    assert workbook_rows(master, "complaint_log").empty
    periods = complaints["received_at"].dt.strftime("%Y-%m").value_counts()
    said = capsys.readouterr().out
    for period, rows in periods.items():
        assert tr("msg.sync.removed_period", "en", period=period, rows=rows) in said


def test_unknown_forms_and_bad_months_are_refused(store_url, master, capsys):
    before = master.read_bytes()
    assert main(["sync", str(master), "--store", store_url, "--forms", "no_such_form"]) == 2
    assert "no_such_form" in capsys.readouterr().err
    assert main(["sync", str(master), "--store", store_url, "--months", "0", "--lang", "en"]) == 2
    assert "positive whole number" in capsys.readouterr().err
    assert master.read_bytes() == before


def test_the_default_store_is_the_sqlite_file_next_to_the_workbook(master, sample_data, monkeypatch):
    monkeypatch.delenv("DEALERXL_STORE_URL", raising=False)
    with open_store(None, master) as store:
        store.load_rows("sales_transactions", sample_data["sales_transactions"].head(30))
    result = sync_workbook(master)
    assert result.summary["store"].endswith("/DealerWorkbook.sqlite")
    assert len(workbook_rows(master, "sales_transactions")) == 30


def test_choosing_periods_stops_at_the_first_that_does_not_fit():
    counts = {"2024-01": 1, "2024-02": 4, "2024-03": 3, "2024-04": 6, None: 2}
    plan = choose_periods(counts, capacity=11)
    # 2024-02 does not fit; 2024-01 would, but the sheet keeps an unbroken run of the latest periods
    assert (plan.periods, plan.rows, plan.rows_left, plan.periods_left) == (["2024-03", "2024-04"], 9, 7, 2)
    plan = choose_periods(counts, capacity=100, months=1)
    assert (plan.periods, plan.rows, plan.rows_left, plan.periods_left) == (["2024-04"], 6, 10, 3)
    plan = choose_periods(counts, capacity=5)
    assert (plan.periods, plan.rows, plan.rows_left) == ([], 0, 16)
    undated = choose_periods({None: 7}, capacity=5, dated=False)
    assert (undated.rows, undated.rows_left, undated.periods) == (5, 2, [])


def test_a_password_in_the_store_url_is_not_shown():
    assert sync_job.shown_url("postgresql://dealerxl:secret@db:5432/x") == "postgresql://dealerxl:***@db:5432/x"
    assert sync_job.shown_url("sqlite:////tmp/a.sqlite") == "sqlite:////tmp/a.sqlite"
