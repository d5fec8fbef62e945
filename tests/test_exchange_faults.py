"""A collection killed between files (or inside one) leaves the store consistent; a rerun completes it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from support.postgres import store_url  # noqa: F401  (fixture)
from test_exchange import fill, monthly_rows

from dealerxl.exchange import collect_files, issue_templates
from dealerxl.exchange.manifest import KEY_VARIABLE
from dealerxl.store import open_store

KEY = "fa" * 16
DEALERS = ["F1", "F2", "F3", "F4"]

COLLECTOR = textwrap.dedent("""
    import sys, time
    from dealerxl.exchange import collect_files
    from dealerxl.store.api import Store
    url, inbox, archive, where = sys.argv[1:5]
    if where == "inside":
        insert = Store._insert
        def slow_insert(self, form, values, **kw):
            written = insert(self, form, values, **kw)
            if values["dealer_id"].iloc[0] == "F3":
                print("inserted", flush=True)
                time.sleep(60)
            return written
        Store._insert = slow_insert
    def after(outcome):
        print(outcome.recipient, outcome.status, flush=True)
        if outcome.recipient == "F2" and where == "between":
            time.sleep(60)
    collect_files([inbox], store_url=url, archive=archive, on_file=after)
""")


@pytest.fixture
def inbox(tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_VARIABLE, KEY)
    issue_templates("dealer_monthly", "2026-06", tmp_path / "issued", recipients=DEALERS, lang="en")
    folder = tmp_path / "inbox"
    for n, dealer in enumerate(DEALERS):
        fill(tmp_path / "issued" / f"dealer_monthly_2026-06_{dealer}.xlsx", folder / f"{n}_{dealer}.xlsx",
             monthly_rows(2 + n, n))
    return folder


def run_until_killed(url: str, inbox: Path, archive: Path, where: str, signal_line: str) -> None:
    env = {**os.environ, KEY_VARIABLE: KEY,
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])}
    process = subprocess.Popen([sys.executable, "-c", COLLECTOR, url, str(inbox), str(archive), where],
                               stdout=subprocess.PIPE, text=True, env=env)
    try:
        for line in process.stdout:
            if line.startswith(signal_line):
                break
        else:
            pytest.fail("the collector ended before the point where it should be killed")
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)


def check_consistent(store) -> None:
    register = store.submissions("dealer_monthly")
    rows = store.read("dealer_monthly")
    accepted = register[register["status"] == "accepted"].sort_values("recipient")
    assert sorted(rows["dealer_id"].unique()) == accepted["recipient"].tolist()
    assert rows.groupby("dealer_id").size().sort_index().tolist() == accepted["row_count"].tolist()


@pytest.mark.parametrize("where, signal_line", [("between", "F2 accepted"), ("inside", "inserted")])
def test_a_collection_killed_mid_way_leaves_the_store_consistent_and_a_rerun_completes_it(
        store_url, inbox, tmp_path, where, signal_line):
    archive = tmp_path / "archive"
    run_until_killed(store_url, inbox, archive, where, signal_line)
    with open_store(store_url) as store:
        check_consistent(store)
        assert store.submissions()["recipient"].tolist() == ["F1", "F2"]
    result = collect_files([inbox], store_url=store_url, archive=archive)
    assert [(o.recipient, o.status) for o in result.collection.outcomes] == [
        ("F1", "duplicate"), ("F2", "duplicate"), ("F3", "accepted"), ("F4", "accepted")]
    with open_store(store_url) as store:
        check_consistent(store)
        assert store.row_count("dealer_monthly") == 2 + 3 + 4 + 5
        assert pd.Series(store.read("dealer_monthly")["dealer_id"]).value_counts().to_dict() == {
            "F1": 2, "F2": 3, "F3": 4, "F4": 5}
    # every file was archived, and no half-copied file was left behind
    assert len([p for p in archive.iterdir() if not p.name.startswith(".")]) == 4
