"""Failures are messages: one line in the user's language naming the file or the store and the
cause, the exit code the README gives (2: nothing written), the run in the audit log where the
store can be opened, no file made before the inputs are known to be good, no password shown or
stored, and no traceback, not even when the reader of ``--json`` goes away."""
from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from support.postgres import require_postgres_url

from dealerxl.cli import main
from dealerxl.jobs.faults import fault_reason, file_reason, store_reason
from dealerxl.store import open_store
from dealerxl.store.api import redact_url
from dealerxl.store.audit import AuditEntry, append, entries, entry_for

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = [["check"], ["report", "--month", "2026-10"], ["risk", "--month", "2026-10"],
            ["appraise", "--month", "2026-10"], ["service", "--month", "2026-10"],
            ["statements", "--month", "2026-10"], ["incentives", "--month", "2026-10"], ["targets", "--year", "2026"],
            ["replenish"], ["sync"], ["audit"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_a_mistyped_workbook_is_one_line_exit_two_and_leaves_no_file(tmp_path, capsys, command):
    missing = tmp_path / "Mistpyed.xlsm"
    assert main([command[0], str(missing), *command[1:], "--lang", "en"]) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    said = out + err if command[0] == "check" else err  # check lists its problems on stdout
    assert "Mistpyed.xlsm" in said and ("not found" in said or "no such file" in said)
    assert list(tmp_path.iterdir()) == []  # no Mistpyed.sqlite, no reports/


def test_report_json_into_a_pipe_closed_early_ends_without_a_traceback(sample_book, tmp_path):
    book = shutil.copy(sample_book, tmp_path / "book.xlsx")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    command = f"{sys.executable} -m dealerxl report {book} --month 2026-10 --json | head -c 40"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, env=env,
                          timeout=600)
    assert done.stdout.startswith("{")
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert done.returncode == 0


def test_fault_messages_name_the_file_and_the_cause_in_each_language():
    full = OSError(errno.ENOSPC, "No space left on device", "/data/reports/月報_2026-10.xlsx")
    assert file_reason(full, "zh-Hant") == "/data/reports/月報_2026-10.xlsx：磁碟已滿，無法寫入；請騰出空間後再執行"
    assert file_reason(full, "zh-Hans").endswith("磁盘已满，无法写入；请腾出空间后再运行")
    assert file_reason(OSError(errno.EROFS, "Read-only file system", "/mnt/book.xlsm"), "en") == (
        "/mnt/book.xlsm: the location is read-only, nothing could be written; choose a writable folder (--out)")
    assert "沒有權限" in fault_reason(PermissionError(errno.EACCES, "denied", "x.xlsm"), "zh-Hant")
    assert store_reason(sqlite3.OperationalError("database or disk is full"), "en", "/data/b.sqlite") == (
        "/data/b.sqlite: the disk is full, nothing could be written; free some space and run again")
    assert "正由另一個作業寫入" in store_reason(sqlite3.OperationalError("database is locked"), "zh-Hant", "b.sqlite")
    assert fault_reason(ValueError("a bug"), "en") is None


def test_store_passwords_are_redacted_in_text_arguments_and_old_rows(tmp_path, capsys):
    assert redact_url("postgresql://dx:s3cret@db:5432/dealer") == "postgresql://dx:***@db:5432/dealer"
    assert redact_url("host=db password=s3cret dbname=x") == "host=db password=*** dbname=x"
    entry = entry_for("sync", 2, arguments={"store": "postgresql://dx:s3cret@db/x", "forms": ["a"]},
                      detail="Unrecognised store URL: mysql://dx:s3cret@db/x")
    assert "s3cret" not in json.dumps(entry.arguments) + entry.detail
    (tmp_path / "book.xlsx").write_bytes(b"")
    with open_store(f"sqlite:///{tmp_path / 'book.sqlite'}") as store:  # a row an older version wrote
        append(store, AuditEntry(job="sync", exit_status=0, arguments={"store": "postgresql://dx:s3cret@db/x"}))
        assert entries(store)["arguments"].iloc[0] == {"store": "postgresql://dx:***@db/x"}
    assert main(["audit", str(tmp_path / "book.xlsx"), "--json"]) == 0
    assert "s3cret" not in capsys.readouterr().out


def test_an_unsupported_scheme_is_said_without_its_password_and_in_the_users_language(sample_book, tmp_path, capsys):
    book = shutil.copy(sample_book, tmp_path / "book.xlsx")
    assert main(["sync", str(book), "--store", "mysql://dx:s3cret@db/x"]) == 2
    err = capsys.readouterr().err
    assert "無法辨識的資料庫位址：mysql://dx:***@db/x" in err and "s3cret" not in err
    assert "注意：本次執行未寫入稽核紀錄" in err  # the store named cannot take the audit row either


def test_an_unreachable_store_leaves_the_job_done_and_says_in_chinese_why_it_was_not_recorded(
        sample_book, tmp_path, capsys, monkeypatch):
    book = shutil.copy(sample_book, tmp_path / "book.xlsx")
    monkeypatch.setenv("DEALERXL_STORE_URL", "postgresql://dx:s3cret@127.0.0.1:9/dealer")
    assert main(["risk", str(book), "--month", "2026-10", "--quiet"]) == 0
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == ("注意：本次執行未寫入稽核紀錄（無法連線到資料庫 postgresql://dx:***@127.0.0.1:9/dealer："
                    "伺服器沒有回應或拒絕連線）")


def test_a_store_refusing_the_login_is_one_translated_line_with_exit_two(tmp_path, capsys):
    from urllib.parse import urlsplit

    url = urlsplit(require_postgres_url())
    wrong = url._replace(netloc=f"{url.username}:not-the-password@{url.hostname}:{url.port or 5432}").geturl()
    assert main(["audit", str(tmp_path / "book.xlsx"), "--store", wrong]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("無法開啟稽核紀錄所在的資料庫：資料庫 ") and err.endswith("拒絕登入：使用者名稱或密碼不正確")
    assert "not-the-password" not in err


def test_the_audit_row_of_a_postgresql_run_keeps_no_password(sample_book, tmp_path, capsys):
    from support.postgres import PrivateSchema

    schema = PrivateSchema(require_postgres_url())
    try:
        book = shutil.copy(sample_book, tmp_path / "book.xlsx")
        main(["sync", str(book), "--store", schema.url, "--quiet"])
        with open_store(schema.url) as store:
            (row,) = entries(store).to_dict("records")
        password = schema.url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
        assert f":{password}@" not in json.dumps(row) and row["arguments"]["store"] == redact_url(schema.url)
    finally:
        schema.drop()


def test_a_ribbon_button_meeting_a_full_disk_says_so_in_a_message_box_and_records_it(sample_book, tmp_path,
                                                                                     monkeypatch):
    from workbook_fixtures import WritableStandInBook

    from dealerxl.excel.actions.statements import statements_book
    from dealerxl.report import statements

    book = WritableStandInBook(shutil.copy(sample_book, tmp_path / "book.xlsx"))

    def full_disk(result, path, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(statements, "write_statements", full_disk)
    text = statements_book(book, "2026-10")
    assert text.startswith("經銷商對帳單未完成：") and "磁碟已滿，無法寫入" in text
    (row,) = entries(open_store(f"sqlite:///{tmp_path / 'book.sqlite'}")).to_dict("records")
    assert row["front_end"] == "ribbon" and row["exit_status"] == 2 and "the disk is full" in row["detail"]
