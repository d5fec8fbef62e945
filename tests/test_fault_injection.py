"""sync, collect, report and statements under faults of the machine: the disk filling up (an
``OSError(ENOSPC)`` injected at each point a file is written, and a real full tmpfs), a
read-only folder (a tmpfs remounted read-only) and the database connection dropped half-way
(SQLite and PostgreSQL). Each time: the workbook's bytes unchanged or the new file complete,
the store consistent, one clear line naming the file and the cause, exit code 2, an audit row.

The tmpfs runs need a private mount namespace (``unshare``, as root: CI has it); the
injected faults run everywhere.
"""
from __future__ import annotations

import builtins
import errno
import hashlib
import io
import os
import shutil
import subprocess
import sys
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from support.postgres import store_url  # noqa: F401  (fixture)
from test_exchange_faults import DEALERS, inbox  # noqa: F401  (fixture: returned files of dealers F1…F4)

from dealerxl.cli import main
from dealerxl.store import open_store
from dealerxl.store.api import Store
from dealerxl.store.audit import entries

# A full disk makes a writer's own clean-up (ZipFile.__del__) fail once more: expected here.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

ROOT = Path(__file__).resolve().parents[1]
MASTER = ROOT / "DealerWorkbook.xlsm"


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class DiskFull:
    """Counts the writes into files under ``folder`` (opening a file for writing is one, each
    ``write`` another) and makes the ``fail_at``-th and every later one fail with ENOSPC."""

    def __init__(self, folder: Path, fail_at: int | None = None) -> None:
        self.folder, self.fail_at, self.count = str(folder), fail_at, 0

    def event(self, name) -> None:
        self.count += 1
        if self.fail_at is not None and self.count >= self.fail_at:
            raise OSError(errno.ENOSPC, "No space left on device", str(name))

    def wrap(self, real_open):
        def opened(file, mode="r", *args, **kwargs):
            writing = isinstance(file, (str, os.PathLike)) and any(m in mode for m in "wax+") \
                and os.path.abspath(file).startswith(self.folder)
            if not writing:
                return real_open(file, mode, *args, **kwargs)
            self.event(file)
            return _Counted(real_open(file, mode, *args, **kwargs), self, file)
        return opened


class _Counted:
    def __init__(self, handle, disk: DiskFull, name) -> None:
        self._handle, self._disk, self._name = handle, disk, name

    def write(self, data):
        self._disk.event(self._name)
        return self._handle.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()

    def __iter__(self):
        return iter(self._handle)

    def __getattr__(self, name):
        return getattr(self._handle, name)


@contextmanager
def disk(folder: Path, fail_at: int | None = None):
    """Writes under ``folder`` counted (and failing from the ``fail_at``-th on) while the block runs."""
    state, patch = DiskFull(folder, fail_at), pytest.MonkeyPatch()
    patch.setattr(builtins, "open", state.wrap(builtins.open))
    patch.setattr(io, "open", state.wrap(io.open))
    try:
        yield state
    finally:
        patch.undo()


def points(total: int) -> list[int]:
    """The writes to fail at: the first, the second, one half-way, the last."""
    return sorted({1, min(2, total), max(1, total // 2), total})


def audit_of(url: str) -> pd.DataFrame:
    with open_store(url) as store:
        return entries(store)


def leftovers(folder: Path) -> list[str]:
    """Temporary files a failed write left behind (none may stay)."""
    return sorted(p.name for p in folder.rglob(".*") if p.is_file())


# ---- the jobs under test ------------------------------------------------------------------

@pytest.fixture
def synced(tmp_path, sample_data):
    """An empty master workbook and a store holding two dealers' monthly reports."""
    book = Path(shutil.copy(MASTER, tmp_path / "book.xlsm"))
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monthly = sample_data["dealer_monthly"]
    with open_store(url) as store:
        for dealer in sorted(monthly["dealer_id"].unique())[:2]:
            rows = monthly[(monthly["dealer_id"] == dealer) & (monthly["month"].dt.strftime("%Y-%m") == "2026-10")]
            store.load_submission("dealer_monthly", dealer, "2026-10", f"{dealer}-2026-10", rows)
    return book, url


def check_store_consistent(url: str) -> None:
    with open_store(url) as store:
        register = store.submissions("dealer_monthly")
        rows = store.read("dealer_monthly")
    accepted = register[register["status"] == "accepted"].sort_values("recipient")
    assert sorted(rows["dealer_id"].unique()) == accepted["recipient"].tolist()
    assert rows.groupby("dealer_id").size().sort_index().tolist() == accepted["row_count"].tolist()


def complete_or_absent(path: Path) -> None:
    """A file a failed run wrote is whole (it was renamed into place only once complete)."""
    if path.exists():
        zipfile.ZipFile(path).testzip()
        CalamineWorkbook.from_path(str(path)).sheet_names


def said_disk_full(err: str) -> None:
    assert "Traceback" not in err
    (line,) = err.strip().splitlines()
    assert "磁碟已滿，無法寫入" in line or "磁碟已滿" in line, line


# ---- disk full, injected at every kind of write ---------------------------------------------

def test_sync_with_the_disk_filling_up_leaves_the_workbook_as_it_was(synced, tmp_path, monkeypatch, capsys):
    book, url = synced
    before = digest(book)
    out = tmp_path / "copy.xlsm"
    with disk(tmp_path) as counted:  # a clean run into a copy counts the writes
        assert main(["sync", str(book), "--store", url, "--out", str(out), "--quiet"]) == 0
    out.unlink()
    capsys.readouterr()
    for fail_at in points(counted.count):
        with disk(tmp_path, fail_at):
            code = main(["sync", str(book), "--store", url, "--quiet"])
        assert code == 2
        said_disk_full(capsys.readouterr().err)
        assert digest(book) == before and leftovers(tmp_path) == []
    log = audit_of(url)
    assert log["exit_status"].tolist()[-len(points(counted.count)):] == [2] * len(points(counted.count))
    assert log["detail"].str.contains("the disk is full").all() or log["exit_status"].iloc[0] == 0


def test_collect_with_the_disk_filling_up_keeps_the_store_consistent(inbox, tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    args = ["collect", str(inbox), "--store", url, "--archive", str(tmp_path / "archive"), "--quiet"]
    def afresh():
        for made in ("archive", "reports"):
            shutil.rmtree(tmp_path / made, ignore_errors=True)
        for store in tmp_path.glob("store.sqlite*"):
            store.unlink()

    report = tmp_path / "reports" / "report.xlsx"
    with disk(tmp_path) as counted:
        assert main([*args, "--out", str(report)]) == 0
    capsys.readouterr()
    for fail_at in points(counted.count):
        afresh()
        with disk(tmp_path, fail_at):
            code = main([*args, "--out", str(report)])
        assert code == 2
        said_disk_full(capsys.readouterr().err)
        check_store_consistent(url)
        complete_or_absent(report)
        assert leftovers(tmp_path / "archive") == [] and leftovers(tmp_path / "reports") == []
        assert audit_of(url)["exit_status"].iloc[-1] == 2
    # a run with room again completes what the full disk stopped
    assert main([*args, "--out", str(report)]) == 0
    check_store_consistent(url)
    with open_store(url) as store:
        assert sorted(store.submissions()["recipient"]) == DEALERS


@pytest.mark.parametrize("command", ["report", "statements"])
def test_report_and_statements_with_the_disk_filling_up_write_nothing_half(
        sample_book, tmp_path, monkeypatch, capsys, command):
    book = Path(shutil.copy(sample_book, tmp_path / "book.xlsx"))
    before = digest(book)
    args = [command, str(book), "--month", "2026-10", "--quiet"]
    with disk(tmp_path) as counted:
        assert main(args) in (0, 1)
    shutil.rmtree(tmp_path / "reports")
    capsys.readouterr()
    for fail_at in [1, max(1, counted.count // 2), counted.count]:
        with disk(tmp_path, fail_at):
            assert main(args) == 2
        said_disk_full(capsys.readouterr().err)
        assert digest(book) == before
        assert [p.name for p in (tmp_path / "reports").iterdir() if p.is_file()] == [] if (tmp_path / "reports").exists() \
            else True
    log = audit_of(f"sqlite:///{tmp_path / 'book.sqlite'}")
    assert log["exit_status"].tolist()[-3:] == [2, 2, 2] and log["detail"].iloc[-1].endswith(
        "the disk is full, nothing could be written; free some space and run again")


# ---- the database connection dropped half-way -------------------------------------------------

def drop_connection(store) -> None:
    """Cut ``store``'s connection the way a server restart or a network failure does."""
    if store.backend.name == "sqlite":
        store.backend.connection.close()
        return
    import psycopg

    pid = store.backend.connection.info.backend_pid
    with psycopg.connect(os.environ["DEALERXL_TEST_POSTGRES_URL"], autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_collect_losing_the_database_mid_way_keeps_what_was_loaded_and_says_so(
        store_url, inbox, tmp_path, monkeypatch, capsys):
    insert = Store._insert
    calls = []

    def dropping_insert(self, form, values, **kw):
        calls.append(1)
        if len(calls) == 2:  # the second file's rows
            drop_connection(self)
        return insert(self, form, values, **kw)

    monkeypatch.setattr(Store, "_insert", dropping_insert)
    code = main(["collect", str(inbox), "--store", store_url, "--archive", str(tmp_path / "archive"),
                 "--out", str(tmp_path / "reports" / "r.xlsx"), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    (line,) = err.strip().splitlines()
    assert line.startswith("收集回傳未完成：") and ("連線中斷" in line or "回報錯誤" in line), line
    monkeypatch.undo()
    check_store_consistent(store_url)
    with open_store(store_url) as store:
        assert store.submissions()["recipient"].tolist() == ["F1"]
    assert audit_of(store_url)["exit_status"].tolist() == [2]
    assert not (tmp_path / "reports").exists()


def test_sync_losing_the_database_mid_way_leaves_the_workbook_as_it_was(
        store_url, sample_data, tmp_path, monkeypatch, capsys):
    book = Path(shutil.copy(MASTER, tmp_path / "book.xlsm"))
    with open_store(store_url) as store:
        rows = sample_data["dealer_monthly"]
        rows = rows[rows["month"].dt.strftime("%Y-%m") == "2026-10"]
        store.load_rows("dealer_monthly", rows)
    before = digest(book)
    read = Store.read

    def dropping_read(self, form_id, *args, **kwargs):
        drop_connection(self)
        return read(self, form_id, *args, **kwargs)

    monkeypatch.setattr(Store, "read", dropping_read)
    assert main(["sync", str(book), "--store", store_url, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "連線中斷" in err or "回報錯誤" in err
    monkeypatch.undo()
    assert digest(book) == before and leftovers(tmp_path) == []
    assert audit_of(store_url)["exit_status"].tolist() == [2]


# ---- a real full disk and a read-only folder (tmpfs in a private mount namespace) ------------

def namespaced(script: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """Run ``script`` (bash) as root in a mount namespace of its own: its tmpfs mounts vanish with it."""
    if shutil.which("unshare") is None or os.geteuid() != 0:
        pytest.skip("a tmpfs of its own needs unshare and root")
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"no private mount namespace here: {probe.stderr.decode().strip()}")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "DEALERXL_LANG": "zh-Hant", "PY": sys.executable}
    env.pop("DEALERXL_STORE_URL", None)
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "bash", "-euc", script],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=900)


def test_a_real_full_disk_and_a_read_only_folder(sample_book, synced, tmp_path):
    book, url = synced
    sample = Path(shutil.copy(sample_book, tmp_path / "sample.xlsx"))
    def room(path):  # the input fits, a second copy of it does not
        return path.stat().st_size // 1024 + 16

    script = f"""
        mkdir -p full full2 ro
        mount -t tmpfs -o size={room(book)}k tmpfs full
        mount -t tmpfs -o size={room(sample)}k tmpfs full2
        cp {book} full/book.xlsm
        cp {sample} full2/sample.xlsx
        set +e
        "$PY" -m dealerxl sync full/book.xlsm --store {url} --quiet 2> full-sync.err; echo $? > full-sync.rc
        sha256sum full/book.xlsm | cut -d' ' -f1 > full-sync.sha
        ls -A full > full-sync.ls
        "$PY" -m dealerxl report full2/sample.xlsx --month 2026-10 --quiet 2> full-report.err; echo $? > full-report.rc
        ls -AR full2 > full-report.ls
        set -e
        mount -t tmpfs -o size=64m tmpfs ro
        cp {book} ro/book.xlsm; cp {sample} ro/sample.xlsx
        mount -o remount,ro ro
        set +e
        "$PY" -m dealerxl sync ro/book.xlsm --store {url} --quiet 2> ro-sync.err; echo $? > ro-sync.rc
        sha256sum ro/book.xlsm | cut -d' ' -f1 > ro-sync.sha
        DEALERXL_STORE_URL={url} "$PY" -m dealerxl statements ro/sample.xlsx --month 2026-10 --quiet \
            2> ro-statements.err; echo $? > ro-statements.rc
        exit 0
    """
    done = namespaced(script, tmp_path)
    assert done.returncode == 0, done.stderr

    def said(name):
        return (tmp_path / f"{name}.err").read_text(), int((tmp_path / f"{name}.rc").read_text())

    err, code = said("full-sync")
    assert code == 2 and "Traceback" not in err and "：磁碟已滿，無法寫入" in err, err
    assert (tmp_path / "full-sync.sha").read_text().strip() == digest(book)
    assert (tmp_path / "full-sync.ls").read_text().split() == ["book.xlsm"]  # no half-written temporary file
    err, code = said("full-report")
    assert code == 2 and "磁碟已滿" in err and "Traceback" not in err, err
    assert ".xlsx" not in (tmp_path / "full-report.ls").read_text().replace("sample.xlsx", "")
    err, code = said("ro-sync")
    assert code == 2 and "唯讀" in err and "Traceback" not in err, err
    assert (tmp_path / "ro-sync.sha").read_text().strip() == digest(book)
    err, code = said("ro-statements")
    assert code == 2 and "唯讀" in err and "Traceback" not in err, err
    statuses = audit_of(url)
    assert statuses["exit_status"].tolist()[-3:] == [2, 2, 2]  # full sync, read-only sync, read-only statements
