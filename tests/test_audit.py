"""The audit log: every job run, from the command line or the ribbon, finished or failed, is
one row of ``audit_log`` in the workbook's history store (SQLite and PostgreSQL)."""
from __future__ import annotations

import getpass
import hashlib
import json
import shutil

import pytest
from support.postgres import store_url  # noqa: F401  (fixture)
from workbook_fixtures import WritableStandInBook

from dealerxl.cli import main
from dealerxl.store import open_store
from dealerxl.store.audit import AuditEntry, append, entries, sha256_of

MONTH = "2026-10"


@pytest.fixture
def book(sample_book, tmp_path):
    return shutil.copy(sample_book, tmp_path / "book.xlsx")


def log_of(url):
    with open_store(url) as store:
        return entries(store)


def test_the_checksum_is_the_sha256_of_the_file(tmp_path):
    path = tmp_path / "abc.bin"
    path.write_bytes(b"abc")
    assert sha256_of(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2 example


def test_a_command_run_is_recorded_with_checksum_outputs_rows_and_status(book, tmp_path, store_url, monkeypatch,
                                                                         capsys):
    monkeypatch.setenv("DEALERXL_STORE_URL", store_url)
    out = tmp_path / "review.xlsx"
    assert main(["risk", str(book), "--month", MONTH, "--out", str(out), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    (row,) = log_of(store_url).to_dict("records")
    assert row["job"] == "risk" and row["front_end"] == "cli" and row["exit_status"] == 0
    assert row["user_name"] == getpass.getuser() and row["run_at"].endswith("+00:00")
    assert row["inputs"] == {str(book.resolve()): hashlib.sha256(book.read_bytes()).hexdigest()}
    assert row["outputs"] == [str(out)] and row["row_counts"] == printed["rows"]
    assert row["arguments"]["month"] == MONTH and row["problems"] == 0


def test_a_failed_run_is_recorded_with_exit_status_two_and_the_reason(tmp_path, capsys):
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    assert main(["risk", str(broken), "--month", MONTH, "--out", str(tmp_path / "never.xlsx")]) == 2
    (row,) = log_of(f"sqlite:///{tmp_path / 'broken.sqlite'}").to_dict("records")
    assert row["exit_status"] == 2 and "broken.xlsx" in row["detail"] and row["outputs"] == []
    assert row["inputs"] == {str(broken.resolve()): sha256_of(broken)}


def test_the_default_store_is_the_sqlite_file_beside_the_workbook(book, tmp_path):
    assert main(["targets", str(book), "--year", "2026", "--out", str(tmp_path / "t.xlsx"), "--quiet"]) == 0
    log = log_of(f"sqlite:///{tmp_path / 'book.sqlite'}")
    assert list(log["job"]) == ["targets"] and log["row_counts"][0]["monthly_targets"] > 0


def test_a_ribbon_run_into_a_table_is_recorded_as_a_ribbon_run(book, tmp_path):
    from dealerxl.excel.actions.risk import review_book

    review_book(WritableStandInBook(book), MONTH)
    (row,) = log_of(f"sqlite:///{tmp_path / 'book.sqlite'}").to_dict("records")
    assert row["job"] == "risk" and row["front_end"] == "ribbon" and row["exit_status"] == 0
    assert row["inputs"] == {str(book.resolve()): sha256_of(book)} and row["arguments"]["month"] == MONTH
    assert row["row_counts"]["review"] > 0 and row["outputs"] == []


def test_a_button_with_its_own_path_is_recorded_by_its_closing_message(book, tmp_path):
    from dealerxl.excel.actions.incentives import incentives_book

    incentives_book(WritableStandInBook(book), MONTH)
    (row,) = log_of(f"sqlite:///{tmp_path / 'book.sqlite'}").to_dict("records")
    assert row["job"] == "incentives" and row["front_end"] == "ribbon"
    assert len(row["outputs"]) == 1 and row["outputs"][0].endswith(f"_{MONTH}.xlsx")
    assert row["row_counts"]["summary"] > 0


def test_a_ribbon_run_that_cannot_be_worked_out_is_recorded_as_failed(book, tmp_path):
    from dealerxl.excel.actions.risk import review_book

    review_book(WritableStandInBook(book), "2026-13")
    (row,) = log_of(f"sqlite:///{tmp_path / 'book.sqlite'}").to_dict("records")
    assert row["exit_status"] == 2 and "2026-13" in row["detail"]


def test_a_store_that_cannot_be_opened_leaves_the_job_done_and_says_so(book, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DEALERXL_STORE_URL", "nosuchdb://nowhere")
    out = tmp_path / "t.xlsx"
    assert main(["targets", str(book), "--year", "2026", "--out", str(out), "--lang", "en"]) == 0
    assert out.exists() and "not recorded in the audit log" in capsys.readouterr().err


def test_the_audit_command_lists_the_newest_runs(store_url, tmp_path, capsys):
    with open_store(store_url) as store:
        for job in ("targets", "risk", "statements"):
            append(store, AuditEntry(job=job, exit_status=0, row_counts={"rows": 3}, outputs=[f"/r/{job}.xlsx"]))
    assert main(["audit", str(tmp_path / "any.xlsx"), "--store", store_url, "--last", "2", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert [row["job"] for row in printed] == ["risk", "statements"]
    assert main(["audit", str(tmp_path / "any.xlsx"), "--store", store_url, "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t")[:3] == ["Run at (UTC)", "User", "Job"]
    assert [line.split("\t")[2] for line in lines[1:]] == ["Set targets", "Risk review", "Dealer statements"]


def test_the_audit_command_on_an_empty_log_says_so_and_on_a_bad_store_exits_with_two(tmp_path, capsys):
    assert main(["audit", str(tmp_path / "new.xlsx"), "--lang", "en"]) == 2  # no such workbook: no store made
    assert "new.xlsx: no such file" in capsys.readouterr().err and list(tmp_path.iterdir()) == []
    (tmp_path / "new.xlsx").write_bytes(b"")
    assert main(["audit", str(tmp_path / "new.xlsx"), "--lang", "en"]) == 0
    assert "holds no runs yet" in capsys.readouterr().out
    assert main(["audit", str(tmp_path / "new.xlsx"), "--store", "nosuchdb://x", "--lang", "en"]) == 2
    assert "cannot be opened" in capsys.readouterr().err


def test_a_store_made_before_the_audit_log_gets_it_as_a_version_of_its_own(store_url):
    with open_store(store_url) as store:
        store.backend.execute("DROP TABLE audit_log")
        versions = list(store.migration_history()["version"])
    with open_store(store_url) as store:
        history = store.migration_history()
        assert list(history["version"]) == [*versions, versions[-1] + 1]
        assert history["description"].iloc[-1] == "audit log"
        append(store, AuditEntry(job="risk", exit_status=1, problems=4))
        assert entries(store)["problems"].tolist() == [4]
    with open_store(store_url) as store:
        assert store.migrate() == []


def test_a_ribbon_run_into_a_new_file_is_recorded_with_the_files_it_wrote(book, tmp_path):
    from dealerxl.excel.write_back import run_into_file
    from dealerxl.report.statements import output_name, run_statements, write_statements

    stand_in = WritableStandInBook(book)
    text = run_into_file(stand_in, job="statements", code="statements",
                         run=lambda live: run_statements(live, MONTH),
                         write=lambda result, folder: [write_statements(result, folder / output_name(result))],
                         notes=lambda result, lang: [])
    written = tmp_path / "reports" / f"經銷商對帳單_{MONTH}.xlsx"
    assert written.exists() and str(written) in text and stand_in.app.status_history[-1] is False
    assert stand_in.app.status_history[0].startswith("經銷商對帳單製作中")
    (row,) = log_of(f"sqlite:///{tmp_path / 'book.sqlite'}").to_dict("records")
    assert row["job"] == "statements" and row["outputs"] == [str(written)] and row["front_end"] == "ribbon"


def test_a_write_that_fails_is_recorded_as_failed_and_the_error_still_shows(book, tmp_path, monkeypatch, capsys):
    import errno

    from dealerxl.jobs import common

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(common, "write_result_workbook", full_disk)
    assert main(["targets", str(book), "--year", "2026", "--out", str(tmp_path / "t.xlsx"), "--quiet"]) == 2
    assert capsys.readouterr().err.strip().endswith("t.xlsx：磁碟已滿，無法寫入；請騰出空間後再執行")
    (row,) = log_of(f"sqlite:///{tmp_path / 'book.sqlite'}").to_dict("records")
    assert row["exit_status"] == 2 and "the disk is full" in row["detail"] and row["row_counts"]["monthly_targets"] > 0


def test_a_job_result_left_from_an_earlier_run_is_not_recorded_with_the_next_button(book, tmp_path):
    from dealerxl.excel.write_back import say, show_progress
    from dealerxl.jobs.common import JobResult

    JobResult(job="targets", lang="en")  # worked out earlier, never said
    stand_in = WritableStandInBook(book)
    show_progress(stand_in, "working")
    show_progress(stand_in, None)
    say(stand_in, "en", "could not work it out")
    assert log_of(f"sqlite:///{tmp_path / 'book.sqlite'}").empty


def test_a_button_that_ends_with_a_plain_message_is_recorded_with_its_result(book, tmp_path):
    from dealerxl.excel.write_back import say, show_progress
    from dealerxl.jobs.common import JobResult

    stand_in = WritableStandInBook(book)
    show_progress(stand_in, "syncing")
    JobResult(job="sync", lang="en", summary={"month": MONTH})
    show_progress(stand_in, None)
    say(stand_in, "en", "done")
    (row,) = log_of(f"sqlite:///{tmp_path / 'book.sqlite'}").to_dict("records")
    assert row["job"] == "sync" and row["exit_status"] == 0 and row["arguments"]["month"] == MONTH


def test_a_failure_said_after_an_inner_job_finished_is_not_recorded_as_that_job(book, tmp_path):
    from dealerxl.calc import CalcError
    from dealerxl.excel.write_back import say, show_progress
    from dealerxl.jobs.common import JobResult

    stand_in = WritableStandInBook(book)
    show_progress(stand_in, "working")
    try:
        JobResult(job="targets", lang="en")  # an inner job done, then the outer one fails
        raise CalcError("no plan")
    except CalcError:
        show_progress(stand_in, None)
        say(stand_in, "en", "could not work it out")
    assert log_of(f"sqlite:///{tmp_path / 'book.sqlite'}").empty
