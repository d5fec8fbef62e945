"""Whose rows are whose, which file is newer, and closed periods, on SQLite and PostgreSQL.

Every shared form's key includes its recipient (and the evaluator where several people
answer), so no recipient can take another's key; logs of open items (complaints, tasks)
take a later period's update of an item and keep its history; which of two files is newer
is the order the store received them; a closed period holds late files for review.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from support.keys import TEST_KEY, department_key, issue_all  # noqa: F401  (fixture)
from support.postgres import store_url  # noqa: F401  (fixture)
from test_exchange import fill, monthly_rows

from dealerxl.calc import CalcError
from dealerxl.exchange import collect_files
from dealerxl.forms import FORMS
from dealerxl.store import open_store

SEPTEMBER, OCTOBER = "2026-09", "2026-10"


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """Templates of several forms and months, issued once for the module."""
    return issue_all(tmp_path_factory.mktemp("issued"),
                     *(("complaint_log", month, ["D00001", "D00002"], "en") for month in (SEPTEMBER, OCTOBER)),
                     *(("dealer_monthly", month, ["D00001"], "en") for month in (SEPTEMBER, OCTOBER)),
                     ("prospect_scores", SEPTEMBER, ["S001", "S002"], "en"),
                     *(("task_tracker", month, ["S001"], "en") for month in (SEPTEMBER, OCTOBER)))


def template(issued: Path, form: str, month: str, recipient: str) -> Path:
    return issued / f"{form}_{month}_{recipient}.xlsx"


def complaints(ids: list[str], status: str = "open", resolved: dt.datetime | None = None) -> pd.DataFrame:
    return pd.DataFrame({
        "complaint_id": ids, "received_at": [dt.datetime(2026, 9, 3, 10, 0)] * len(ids),
        "contact_channel": "phone", "severity": "medium", "complaint_cause": "delivery",
        "description": [f"late delivery {i}" for i in ids], "first_response_at": [dt.datetime(2026, 9, 3, 15, 0)] * len(ids),
        "resolved_at": [resolved] * len(ids), "case_status": status})


def run(url: str, tmp_path: Path, *files: Path, **kw):
    return collect_files(list(files), store_url=url, archive=tmp_path / "archive", **kw)


def statuses(result) -> list[tuple[str, str]]:
    return [(o.file.name, o.status) for o in result.collection.outcomes]


def test_every_shared_form_is_keyed_by_its_recipient():
    from dealerxl.exchange.recipients import recipient_column

    for form in FORMS.values():
        if form.shared:
            assert recipient_column(form) in form.key_columns, form.id
    assert "evaluator_id" in FORMS["prospect_scores"].key_columns
    assert {f.id for f in FORMS.values() if f.open_items} == {"complaint_log", "task_tracker"}


def test_one_dealer_using_another_dealers_complaint_number_does_not_touch_the_other(issued, tmp_path, store_url):
    squat = fill(template(issued, "complaint_log", SEPTEMBER, "D00001"), tmp_path / "in" / "d1.xlsx",
                 complaints(["CP-D00002-0001"]), "complaint_log")
    own = fill(template(issued, "complaint_log", SEPTEMBER, "D00002"), tmp_path / "in" / "d2.xlsx",
               complaints(["CP-D00002-0001", "CP-D00002-0002"]), "complaint_log")
    assert statuses(run(store_url, tmp_path, squat, own)) == [("d1.xlsx", "accepted"), ("d2.xlsx", "accepted")]
    with open_store(store_url) as store:
        rows = store.read("complaint_log").sort_values(["dealer_id", "complaint_id"])
    assert rows[["dealer_id", "complaint_id"]].values.tolist() == [
        ["D00001", "CP-D00002-0001"], ["D00002", "CP-D00002-0001"], ["D00002", "CP-D00002-0002"]]


def test_a_later_months_file_updates_an_open_complaint_and_keeps_its_history(issued, tmp_path, store_url):
    september = fill(template(issued, "complaint_log", SEPTEMBER, "D00001"), tmp_path / "sep" / "d1.xlsx",
                     complaints(["CP-1", "CP-2"]), "complaint_log")
    resolved = dt.datetime(2026, 10, 2, 11, 0)
    october = fill(template(issued, "complaint_log", OCTOBER, "D00001"), tmp_path / "oct" / "d1.xlsx",
                   pd.concat([complaints(["CP-1"], "resolved", resolved), complaints(["CP-3"])]), "complaint_log")
    assert statuses(run(store_url, tmp_path, september)) == [("d1.xlsx", "accepted")]
    result = run(store_url, tmp_path, october)
    (outcome,) = result.collection.outcomes
    assert outcome.status == "accepted" and "updated 1 open items" in outcome.note_text("en")
    with open_store(store_url) as store:
        current = store.read("complaint_log").set_index("complaint_id")
        history = store.row_history("complaint_log", {"complaint_id": "CP-1"})
    assert current.loc["CP-1", "case_status"] == "resolved" and current.loc["CP-1", "resolved_at"] == resolved
    assert current.loc["CP-2", "case_status"] == "open" and sorted(current.index) == ["CP-1", "CP-2", "CP-3"]
    assert history[["period", "case_status", "current"]].values.tolist() == [
        [SEPTEMBER, "open", False], [OCTOBER, "resolved", True]]
    # a corrected September file (received later) changes September's version only: October's stays current
    corrected = fill(template(issued, "complaint_log", SEPTEMBER, "D00001"), tmp_path / "sep2" / "d1.xlsx",
                     complaints(["CP-1", "CP-2"], "in_progress"), "complaint_log")
    assert statuses(run(store_url, tmp_path, corrected)) == [("d1.xlsx", "replaced")]
    with open_store(store_url) as store:
        current = store.read("complaint_log").set_index("complaint_id")
        assert store.row_history("complaint_log", {"complaint_id": "CP-1"})["case_status"].tolist() == [
            "open", "in_progress", "resolved"]
    assert current.loc["CP-1", "case_status"] == "resolved" and current.loc["CP-2", "case_status"] == "in_progress"


def test_a_later_months_task_update_is_taken(issued, tmp_path, store_url):
    def tasks(status: str, progress: float) -> pd.DataFrame:
        return pd.DataFrame({"task_id": ["T-1"], "title": ["price list"], "requesting_department": ["finance"],
                             "requested_date": [dt.datetime(2026, 9, 1)], "department": ["dealer_management"],
                             "priority": ["high"], "due_date": [dt.datetime(2026, 10, 15)], "status": [status],
                             "progress": [progress]})

    first = fill(template(issued, "task_tracker", SEPTEMBER, "S001"), tmp_path / "a" / "t.xlsx",
                 tasks("in_progress", 0.4), "task_tracker")
    then = fill(template(issued, "task_tracker", OCTOBER, "S001"), tmp_path / "b" / "t.xlsx", tasks("done", 1.0),
                "task_tracker")
    assert statuses(run(store_url, tmp_path, first)) + statuses(run(store_url, tmp_path, then)) == [
        ("t.xlsx", "accepted"), ("t.xlsx", "accepted")]
    with open_store(store_url) as store:
        assert store.read("task_tracker")[["task_id", "owner", "status", "progress"]].values.tolist() == [
            ["T-1", "S001", "done", 1.0]]
        assert store.row_history("task_tracker")["status"].tolist() == ["in_progress", "done"]


def test_two_colleagues_scoring_the_same_prospect_and_criterion_are_both_kept(issued, tmp_path, store_url):
    scores = pd.DataFrame({"prospect_id": ["P0001", "P0001"], "prospect_criterion": ["credit", "capability"],
                           "criterion_value": [70.0, 4.0]})
    files = [fill(template(issued, "prospect_scores", SEPTEMBER, s), tmp_path / "in" / f"{s}.xlsx",
                  scores.assign(criterion_value=scores["criterion_value"] + n), "prospect_scores")
             for n, s in enumerate(("S001", "S002"))]
    assert statuses(run(store_url, tmp_path, *files)) == [("S001.xlsx", "accepted"), ("S002.xlsx", "accepted")]
    with open_store(store_url) as store:
        rows = store.read("prospect_scores").sort_values(["evaluator_id", "prospect_criterion"])
    assert rows[["evaluator_id", "prospect_criterion", "criterion_value"]].values.tolist() == [
        ["S001", "capability", 4.0], ["S001", "credit", 70.0], ["S002", "capability", 5.0], ["S002", "credit", 71.0]]


def test_newer_is_the_order_received_never_the_file_name(issued, tmp_path, store_url):
    sent = template(issued, "dealer_monthly", SEPTEMBER, "D00001")
    old = fill(sent, tmp_path / "in" / "D00001_OLD.xlsx", monthly_rows(3, 1))
    new = fill(sent, tmp_path / "in" / "D00001_NEW.xlsx", monthly_rows(2, 2))
    # together in one collection nothing tells which is newer: both are held, nothing is stored
    result = run(store_url, tmp_path, tmp_path / "in")
    assert statuses(result) == [("D00001_NEW.xlsx", "held"), ("D00001_OLD.xlsx", "held")]
    assert "D00001_OLD.xlsx" in result.collection.outcomes[0].problems[0].message("en")
    assert result.summary["held"] == 2 and {p.code for p in result.problems} == {"exchange.held"}
    with open_store(store_url) as store:
        assert store.submissions().empty
    # collected one after the other, the one received later replaces the earlier, whatever its name
    assert statuses(run(store_url, tmp_path, new)) == [("D00001_NEW.xlsx", "accepted")]
    result = run(store_url, tmp_path, old)
    (outcome,) = result.collection.outcomes
    assert outcome.status == "replaced" and "the order received decides" in outcome.note_text("en")
    with open_store(store_url) as store:
        assert len(store.read("dealer_monthly")) == 3
    # the same file again changes nothing, and says when it was first received
    (again,) = run(store_url, tmp_path, old).collection.outcomes
    assert again.status == "duplicate" and f"submission {outcome.submission_id}" in again.note_text("en")


def test_a_late_file_for_a_closed_period_is_held_for_review_until_the_period_is_opened(issued, tmp_path,
                                                                                       store_url):
    sent = template(issued, "dealer_monthly", SEPTEMBER, "D00001")
    first = fill(sent, tmp_path / "a" / "D00001.xlsx", monthly_rows(3, 1))
    late = fill(sent, tmp_path / "b" / "D00001.xlsx", monthly_rows(2, 2))
    assert statuses(run(store_url, tmp_path, first)) == [("D00001.xlsx", "accepted")]
    with open_store(store_url) as store:
        assert store.close_period(SEPTEMBER, closed_by="auditor") and not store.close_period(SEPTEMBER)
        before = store.read("dealer_monthly")
    result = run(store_url, tmp_path, late)
    (outcome,) = result.collection.outcomes
    assert outcome.status == "held" and outcome.problems[0].code == "exchange.held_closed"
    assert "closed" in outcome.problems[0].message("en") and result.tables["held"]["file"].tolist() == ["D00001.xlsx"]
    with open_store(store_url) as store:
        pd.testing.assert_frame_equal(store.read("dealer_monthly"), before)
        assert store.reopen_period(SEPTEMBER)
    assert statuses(run(store_url, tmp_path, late)) == [("D00001.xlsx", "replaced")]


def test_closing_every_form_for_a_month_holds_the_files_of_any_form(issued, tmp_path, store_url):
    with open_store(store_url) as store:
        store.close_period(OCTOBER)
        assert store.closed_periods()[["form_id", "period"]].values.tolist() == [["*", OCTOBER]]
    late = fill(template(issued, "complaint_log", OCTOBER, "D00002"), tmp_path / "in" / "c.xlsx",
                complaints(["CP-9"]), "complaint_log")
    assert statuses(run(store_url, tmp_path, late)) == [("c.xlsx", "held")]


def test_a_second_collection_on_the_same_store_is_refused_while_one_runs(issued, tmp_path, store_url):
    path = fill(template(issued, "dealer_monthly", SEPTEMBER, "D00001"), tmp_path / "in" / "d.xlsx", monthly_rows(2))
    with open_store(store_url) as running, running.collection_lock():
        with pytest.raises(CalcError, match="Another collection is running on this store"):
            run(store_url, tmp_path, path, lang="en")
    assert statuses(run(store_url, tmp_path, path)) == [("d.xlsx", "accepted")]


def test_a_file_another_collection_loaded_meanwhile_is_reported_as_such(issued, tmp_path, store_url):
    from dealerxl.exchange.collect import load_one, receive_file, take_check
    from dealerxl.exchange.package_check import DEFAULT_LIMITS
    from dealerxl.exchange.sandbox import check_safely

    path = fill(template(issued, "dealer_monthly", SEPTEMBER, "D00001"), tmp_path / "in" / "d.xlsx", monthly_rows(2))
    outcome = receive_file(path, tmp_path / "archive")
    checked = check_safely(outcome.archived, TEST_KEY.encode(), path.name, DEFAULT_LIMITS)
    take_check(outcome, checked)
    run(store_url, tmp_path, path)  # another collection loads the same file first

    class Racing:
        """The store as this collection saw it before the other one committed."""

        def __init__(self, store):
            self.store = store

        def load_submission(self, *args):
            from dealerxl.store import StoreError

            raise StoreError("msg.store.key_taken", form="dealer_monthly", detail="UNIQUE constraint failed")

        def __getattr__(self, name):
            return getattr(self.store, name)

    with open_store(store_url) as store:
        load_one(outcome, checked, Racing(store))
    assert outcome.status == "duplicate" and "loaded by another collection" in outcome.note_text("en")


def test_a_store_made_with_the_old_keys_is_migrated_keeping_every_row(store_url):
    old = {**FORMS, "complaint_log": replace(FORMS["complaint_log"], columns=tuple(
        replace(c, key=False) if c.id == "dealer_id" else c for c in FORMS["complaint_log"].columns))}
    rows = complaints(["CP-1", "CP-2"]).assign(dealer_id="D00001")
    with open_store(store_url, forms=old) as store:
        store.load_rows("complaint_log", rows)
        version = store.schema_version()
    with open_store(store_url) as store:
        assert store.schema_version() == version + 1
        assert "key of complaint_log + dealer_id" in store.migration_history()["description"].iloc[-1]
        assert sorted(store.read("complaint_log")["complaint_id"]) == ["CP-1", "CP-2"]
        store.load_rows("complaint_log", rows.iloc[:1].assign(dealer_id="D00002"))  # the wider key at work
        assert len(store.read("complaint_log")) == 3


def test_a_wider_key_with_blank_stored_values_is_refused_before_any_change(store_url):
    from dealerxl.store import StoreError

    old = {**FORMS, "prospect_scores": replace(FORMS["prospect_scores"], columns=tuple(
        replace(c, key=False, required=False) if c.id == "evaluator_id" else c
        for c in FORMS["prospect_scores"].columns))}
    with open_store(store_url, forms=old) as store:
        store.load_rows("prospect_scores", pd.DataFrame({"prospect_id": ["P1"], "prospect_criterion": ["credit"],
                                                         "criterion_value": [70.0]}))
        version = store.schema_version()
    with pytest.raises(StoreError, match="evaluator_id, but 1 stored rows have it blank"):
        open_store(store_url)
    with open_store(store_url, forms=old) as store:
        assert store.schema_version() == version and len(store.read("prospect_scores")) == 1


def test_dates_follow_excels_1900_system_exactly_into_both_stores(issued, tmp_path, store_url):
    """Serials 1 to 59 are 1900-01-01 to 1900-02-28, 60 is Excel's 1900-02-29 that never was
    (refused), 61 is 1900-03-01, and 2958465.5 is noon on 9999-12-31, Excel's last day."""
    serials = [1.0, 59.0, 61.0, 2_958_465.5]
    rows = complaints([f"CP-{n}" for n in range(4)]).assign(received_at=serials, first_response_at=None)
    path = fill(template(issued, "complaint_log", SEPTEMBER, "D00001"), tmp_path / "in" / "dates.xlsx", rows,
                "complaint_log")
    assert statuses(run(store_url, tmp_path, path)) == [("dates.xlsx", "accepted")]
    with open_store(store_url) as store:
        stored = store.read("complaint_log").sort_values("complaint_id")["received_at"]
    assert stored.dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "1900-01-01 00:00", "1900-02-28 00:00", "1900-03-01 00:00", "9999-12-31 12:00"]
    leap = fill(template(issued, "complaint_log", SEPTEMBER, "D00002"), tmp_path / "in2" / "leap.xlsx",
                rows.iloc[:1].assign(received_at=60.0), "complaint_log")
    (outcome,) = run(store_url, tmp_path, leap).collection.outcomes
    assert outcome.status == "rejected" and outcome.problems[0].address == "'Complaint log'!D5"
    assert "1900-02-29" in outcome.problems[0].message("en")
