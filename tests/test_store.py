"""The history store: loading submissions and history, reading them back, on SQLite and PostgreSQL."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from support.postgres import store_url  # noqa: F401  (fixture)

from dealerxl.forms import FORMS
from dealerxl.sample import generate
from dealerxl.store import StoreError, default_url, open_store, resolve_url


@pytest.fixture(scope="module")
def sample() -> dict[str, pd.DataFrame]:
    return generate("small")


def month_of(frame: pd.DataFrame, month: str) -> pd.DataFrame:
    return frame[frame["month"].dt.strftime("%Y-%m") == month].reset_index(drop=True)


def same_rows(stored: pd.DataFrame, expected: pd.DataFrame, form_id: str) -> None:
    keys = list(FORMS[form_id].key_columns)
    columns = list(expected.columns)
    left = stored[columns].sort_values(keys).reset_index(drop=True)
    right = expected.sort_values(keys).reset_index(drop=True)
    # a blank text cell is NaN whether the frame held None or NaN
    right = right.astype({c: "str" for c in columns if right[c].dtype == object})
    # dates compared in the unit the store gives them (microseconds: every date to 9999-12-31)
    right = right.astype({c: left[c].dtype for c in columns if right[c].dtype.kind == "M"})
    pd.testing.assert_frame_equal(left, right, check_dtype=False)


@pytest.mark.parametrize("form_id", ["sales_transactions", "service_tickets", "audit_log", "team_roster",
                                     "kpi_appraisal", "receivables"])
def test_bulk_history_reads_back_exactly_with_form_columns(store_url, sample, form_id):
    with open_store(store_url) as store:
        assert store.load_rows(form_id, sample[form_id]) == len(sample[form_id])
        stored = store.read(form_id)
    assert list(stored.columns) == [c.id for c in FORMS[form_id].columns]
    same_rows(stored, sample[form_id], form_id)


def test_read_returns_the_form_dtypes(store_url, sample):
    with open_store(store_url) as store:
        store.load_rows("service_tickets", sample["service_tickets"])
        stored = store.read("service_tickets")
    assert str(stored["opened_at"].dtype) == "datetime64[us]"  # as the reader gives dates: to 9999-12-31
    assert pd.api.types.is_string_dtype(stored["ticket_id"])


def test_submissions_of_several_forms_are_accepted_and_registered(store_url, sample):
    dealer_monthly = month_of(sample["dealer_monthly"], sample["dealer_monthly"]["month"].max().strftime("%Y-%m"))
    dealers = sorted(dealer_monthly["dealer_id"].unique())[:3]
    period = dealer_monthly["month"].iloc[0].strftime("%Y-%m")
    with open_store(store_url) as store:
        for dealer in dealers:
            rows = dealer_monthly[dealer_monthly["dealer_id"] == dealer]
            assert store.load_submission("dealer_monthly", dealer, period, f"sum-{dealer}", rows).status == "accepted"
        complaints = sample["complaint_log"]
        assert store.load_submission("complaint_log", "D001", "2024-05", "c1", complaints).status == "accepted"
        register = store.submissions()
        assert list(register["status"]) == ["accepted"] * 4
        assert list(register["row_count"]) == [
            (dealer_monthly["dealer_id"] == d).sum() for d in dealers] + [len(complaints)]
        same_rows(store.read("dealer_monthly"), dealer_monthly[dealer_monthly["dealer_id"].isin(dealers)],
                  "dealer_monthly")
        assert store.missing_recipients("dealer_monthly", period, ["D999", *dealers, "D000"]) == ["D999", "D000"]


def test_loading_the_same_file_twice_changes_nothing(store_url, sample):
    frame = sample["survey_responses"]
    with open_store(store_url) as store:
        first = store.load_submission("survey_responses", "D002", "2024-03", "aaa", frame)
        register, rows = store.submissions(), store.read("survey_responses")
        again = store.load_submission("survey_responses", "D002", "2024-03", "aaa", frame)
        assert (first.status, again.status) == ("accepted", "duplicate")
        assert again.submission_id == first.submission_id
        pd.testing.assert_frame_equal(store.submissions(), register)
        pd.testing.assert_frame_equal(store.read("survey_responses"), rows)


def test_a_newer_submission_replaces_the_older_and_records_it(store_url, sample):
    frame = sample["task_tracker"]
    newer = frame.iloc[: len(frame) // 2].copy()
    newer["title"] = "revised"
    with open_store(store_url) as store:
        first = store.load_submission("task_tracker", "S01", "2024-04", "old", frame)
        second = store.load_submission("task_tracker", "S01", "2024-04", "new", newer)
        assert second.status == "replaced" and second.replaced_submission_id == first.submission_id
        register = store.submissions("task_tracker").set_index("submission_id")
        assert register.loc[first.submission_id, "status"] == "replaced"
        assert register.loc[first.submission_id, "replaced_by"] == second.submission_id
        assert register.loc[second.submission_id, "status"] == "accepted"
        same_rows(store.read("task_tracker"), newer, "task_tracker")
        # the old file arriving again later is recognised and does not undo the replacement
        assert store.load_submission("task_tracker", "S01", "2024-04", "old", frame).status == "duplicate"
        same_rows(store.read("task_tracker"), newer, "task_tracker")


def test_read_filters_by_period_and_column_values(store_url, sample):
    frame = sample["dealer_monthly"]
    months = sorted(frame["month"].dt.strftime("%Y-%m").unique())
    with open_store(store_url) as store:
        store.load_rows("dealer_monthly", frame)
        window = store.read("dealer_monthly", period_from=months[1], period_to=months[2])
        assert sorted(window["month"].dt.strftime("%Y-%m").unique()) == months[1:3]
        dealer = frame["dealer_id"].iloc[0]
        one = store.read("dealer_monthly", filters={"dealer_id": dealer})
        assert len(one) == (frame["dealer_id"] == dealer).sum()


def test_latest_periods_fit_the_row_limit_and_count_what_is_left(store_url, sample):
    frame = sample["sales_transactions"]
    per_month = frame.groupby(frame["invoice_date"].dt.strftime("%Y-%m")).size().sort_index()
    limit = int(per_month.iloc[-3:].sum())
    with open_store(store_url) as store:
        store.load_rows("sales_transactions", frame)
        latest = store.latest_periods("sales_transactions", limit)
        everything = store.latest_periods("sales_transactions", 10**7)
    assert latest.periods == list(per_month.index[-3:])
    assert (latest.rows, latest.rows_left) == (limit, len(frame) - limit)
    assert everything.rows_left == 0 and everything.periods == list(per_month.index)


def test_bulk_history_upserts_by_key(store_url, sample):
    frame = sample["receivables"]
    changed = frame.iloc[:5].copy()
    changed["paid_amount"] = 1.25
    with open_store(store_url) as store:
        store.load_rows("receivables", frame)
        assert store.load_rows("receivables", changed) == 5
        stored = store.read("receivables").set_index("invoice_no")
    assert len(stored) == len(frame)
    assert (stored.loc[changed["invoice_no"], "paid_amount"] == 1.25).all()


def test_bulk_history_never_overwrites_rows_of_a_submission(store_url, sample):
    frame = sample["survey_responses"]
    with open_store(store_url) as store:
        store.load_submission("survey_responses", "D001", "2024-01", "x", frame.iloc[:3])
        with pytest.raises(StoreError, match="belong to accepted submissions"):
            store.load_rows("survey_responses", frame)
        assert store.row_count("survey_responses") == 3


def test_store_url_comes_from_argument_then_environment_then_workbook(monkeypatch, tmp_path):
    workbook = tmp_path / "Dealer Sales.xlsm"
    monkeypatch.delenv("DEALERXL_STORE_URL", raising=False)
    assert default_url(workbook) == "sqlite:///" + (tmp_path / "Dealer Sales.sqlite").as_posix()
    assert resolve_url(None, workbook) == default_url(workbook)
    monkeypatch.setenv("DEALERXL_STORE_URL", "postgresql://u:p@db:5432/x")
    assert resolve_url(None, workbook) == "postgresql://u:p@db:5432/x"
    assert resolve_url("sqlite:///other.sqlite", workbook) == "sqlite:///other.sqlite"
    with pytest.raises(StoreError, match="store URL"):
        open_store("mysql://nowhere")


def test_default_store_is_created_beside_the_workbook(monkeypatch, tmp_path, sample):
    monkeypatch.delenv("DEALERXL_STORE_URL", raising=False)
    with open_store(workbook_path=tmp_path / "book.xlsm") as store:
        store.load_rows("team_roster", sample["team_roster"])
    assert Path(tmp_path / "book.sqlite").is_file()


def test_store_errors_speak_the_workbook_language():
    with pytest.raises(StoreError) as caught:
        open_store("mysql://nowhere")
    assert "無法辨識" in caught.value.message("zh-Hant")
    assert "无法识别" in caught.value.message("zh-Hans")


def test_ci_fails_rather_than_skips_when_no_postgres_url_is_given(monkeypatch):
    from support.postgres import require_postgres_url

    monkeypatch.delenv("DEALERXL_TEST_POSTGRES_URL", raising=False)
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="CI must test the PostgreSQL store"):
        require_postgres_url()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        require_postgres_url()


def test_values_typed_as_text_are_read_as_numbers_and_dates(store_url):
    frame = pd.DataFrame({"invoice_no": ["I1", "I2"], "line_no": ["1", " 2 "], "invoice_date": ["2024-05-02", None],
                          "quantity": ["3.5", ""], "amount": [10, None]})
    with open_store(store_url) as store:
        store.load_rows("sales_transactions", frame)
        stored = store.read("sales_transactions")
    assert stored["line_no"].tolist() == [1, 2]
    assert stored["invoice_date"].iloc[0] == pd.Timestamp("2024-05-02") and pd.isna(stored["invoice_date"].iloc[1])
    assert stored["quantity"].iloc[0] == 3.5 and pd.isna(stored["quantity"].iloc[1])


def test_every_column_type_survives_the_round_trip(store_url):
    from dealerxl.forms import Column, Form

    form = Form("type_check", 1, "1.1", (
        Column("code", "text", key=True), Column("count", "int"), Column("ratio", "number"),
        Column("price", "money"), Column("share", "percent"), Column("day", "date"),
        Column("stamp", "datetime"), Column("flag", "bool"), Column("team", "enum", enum="team")))
    frame = pd.DataFrame({
        "code": ["a", "b", "c"], "count": pd.array([1, None, -3], dtype="Int64"), "ratio": [0.5, None, 1e-9],
        "price": [1234567.89, 0.01, None], "share": [0.125, 1.0, 0.0],
        "day": pd.to_datetime(["2024-02-29", None, "1999-12-31"]),
        "stamp": pd.to_datetime(["2024-02-29 13:45:10", "2024-03-01 00:00:00", None]),
        "flag": pd.array([True, False, None], dtype="boolean"), "team": ["sales", None, "service"]})
    with open_store(store_url, forms={"type_check": form}) as store:
        store.load_rows("type_check", frame)
        stored = store.read("type_check")
        expected = frame.astype({"code": "str", "team": "str", "day": "datetime64[us]", "stamp": "datetime64[us]"})
        pd.testing.assert_frame_equal(stored, expected, check_dtype=False)
        with pytest.raises(StoreError, match="row 2: column flag"):
            store.load_rows("type_check", pd.DataFrame({"code": ["x", "y"], "flag": ["TRUE", "maybe"]}))
        with pytest.raises(StoreError, match="row 1: column day"):
            store.load_rows("type_check", pd.DataFrame({"code": ["x"], "day": ["31/31/2024"]}))


def test_filters_accept_dates_and_numbers_as_python_values(store_url, sample):
    frame = sample["kpi_appraisal"]
    year = int(frame["year"].iloc[0])
    with open_store(store_url) as store:
        store.load_rows("kpi_appraisal", frame)
        store.load_rows("dealer_monthly", sample["dealer_monthly"])
        assert len(store.read("kpi_appraisal", filters={"year": year})) == (frame["year"] == year).sum()
        month = sample["dealer_monthly"]["month"].iloc[0]
        by_date = store.read("dealer_monthly", filters={"month": [month, month.strftime("%Y-%m-%d")]})
    assert len(by_date) == (sample["dealer_monthly"]["month"] == month).sum()
