"""``dealerxl collect`` and ``dealerxl periods`` on the command line: quiet still says what
went wrong, every run keeps its own report, runs on one store one at a time, text longer than
a cell holds is refused at collect time with its cell."""
from __future__ import annotations

import re
import threading
from pathlib import Path

import pandas as pd
import pytest
from support.packages import form_sheet_part, rewrite, set_cell, text_cell
from support.keys import department_key, issue_all  # noqa: F401  (fixture)
from test_exchange import fill, monthly_rows

from dealerxl.cli import main
from dealerxl.store import open_store

MONTH = "2026-09"


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    return issue_all(tmp_path_factory.mktemp("issued"), ("dealer_monthly", MONTH, ["D1", "D2"], "en"))


def inbox_with_one_bad_file(issued: Path, tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    fill(issued / f"dealer_monthly_{MONTH}_D1.xlsx", inbox / "d1.xlsx", monthly_rows(2))
    (inbox / "d2.xlsx").write_bytes(b"PK\x03\x04 broken")
    return inbox


def collect_args(tmp_path: Path, inbox: Path, *extra: str) -> list[str]:
    return ["collect", str(inbox), "--store", f"sqlite:///{tmp_path / 'store.sqlite'}", "--archive",
            str(tmp_path / "archive"), "--lang", "en", *extra]


def test_quiet_still_prints_the_rejected_files(issued, tmp_path, capsys):
    inbox = inbox_with_one_bad_file(issued, tmp_path)
    code = main(collect_args(tmp_path, inbox, "--out", str(tmp_path / "report.xlsx"), "--quiet"))
    printed = capsys.readouterr()
    assert code == 1 and printed.out == ""
    assert "d2.xlsx" in printed.err and "rejected" in printed.err


def test_every_run_writes_a_report_of_its_own(issued, tmp_path, monkeypatch, capsys):
    inbox = inbox_with_one_bad_file(issued, tmp_path)
    monkeypatch.chdir(tmp_path)  # without a workbook the reports go into reports/ here
    for _ in range(3):
        main(collect_args(tmp_path, inbox, "--quiet"))
    reports = sorted((tmp_path / "reports").glob("*.xlsx"))
    assert len(reports) == 3 and len({p.name for p in reports}) == 3
    assert all(re.fullmatch(r"collection_report_\d{8}-\d{6}-\d{3}\.xlsx", p.name) for p in reports)
    assert len(list((tmp_path / "reports").glob("*_reminders.csv"))) == 3


def test_two_collections_at_once_one_waits_for_nothing_and_says_so(issued, tmp_path, capsys):
    inbox = inbox_with_one_bad_file(issued, tmp_path)
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with open_store(url) as first, first.collection_lock():
        code = main(collect_args(tmp_path, inbox, "--out", str(tmp_path / "second.xlsx")))
    err = capsys.readouterr().err
    assert code == 2 and "Another collection is running on this store" in err
    assert not (tmp_path / "second.xlsx").exists()
    assert main(collect_args(tmp_path, inbox, "--out", str(tmp_path / "third.xlsx"), "--quiet")) == 1


def test_collections_started_together_both_finish_and_the_store_is_right(issued, tmp_path):
    from dealerxl.calc import CalcError
    from dealerxl.exchange import collect_files

    inbox = tmp_path / "inbox"
    for dealer in ("D1", "D2"):
        fill(issued / f"dealer_monthly_{MONTH}_{dealer}.xlsx", inbox / f"{dealer}.xlsx", monthly_rows(3))
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_store(url).close()
    outcomes, refused = [], []

    def one_run(name: str) -> None:
        try:
            result = collect_files([inbox], store_url=url, archive=tmp_path / name)
            outcomes.append(sorted(o.status for o in result.collection.outcomes))
        except CalcError as error:
            refused.append(str(error))

    runs = [threading.Thread(target=one_run, args=(f"archive{n}",)) for n in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    # one run loads both files; the other was refused, or came after and found them loaded
    assert ["accepted", "accepted"] in outcomes
    assert all("Another collection" in r or "另一個收集作業" in r for r in refused)
    assert all(o in (["accepted", "accepted"], ["duplicate", "duplicate"]) for o in outcomes)
    with open_store(url) as store:
        assert store.submissions()["status"].tolist() == ["accepted", "accepted"]
        assert len(store.read("dealer_monthly")) == 6


def test_a_note_longer_than_a_cell_holds_is_refused_at_collect_time_naming_the_cell(issued, tmp_path, capsys):
    good = fill(issued / f"dealer_monthly_{MONTH}_D1.xlsx", tmp_path / "filled.xlsx", monthly_rows(2))
    long_note = rewrite(good, tmp_path / "inbox" / "long.xlsx", {form_sheet_part(good): lambda xml: set_cell(
        xml, "L6", text_cell("L6", "x" * 40_000))})
    code = main(collect_args(tmp_path, long_note.parent, "--out", str(tmp_path / "r.xlsx")))
    out = capsys.readouterr().out
    assert code == 1
    assert "'Dealer monthly report'!L6: The text is 40,000 characters long, more than the 32,767" in out
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite'}") as store:
        assert store.submissions().empty


def test_periods_close_list_and_reopen(issued, tmp_path, capsys):
    store = ["--store", f"sqlite:///{tmp_path / 'store.sqlite'}", "--lang", "en"]
    assert main(["periods", "close", "--month", MONTH, *store]) == 0
    assert "Closed 2026-09 (every form)" in capsys.readouterr().out
    assert main(["periods", "close", "--month", MONTH, "--form", "dealer_monthly", *store]) == 0
    assert main(["periods", "close", "--month", MONTH, *store]) == 0
    assert "was already closed" in capsys.readouterr().out
    assert main(["periods", "list", *store]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:2] for line in lines] == [[MONTH, "every form"], [MONTH, "dealer_monthly"]]
    inbox = inbox_with_one_bad_file(issued, tmp_path)
    report = tmp_path / "r.xlsx"
    assert main(collect_args(tmp_path, inbox, "--out", str(report))) == 1
    assert "1 held for review" in capsys.readouterr().out
    held = pd.read_excel(report, sheet_name="Held for review", engine="calamine")
    assert held["File"].tolist() == ["d1.xlsx"] and "closed" in held["Reason"].iloc[0]
    assert main(["periods", "reopen", "--month", MONTH, *store]) == 0
    assert main(["periods", "reopen", "--month", MONTH, "--form", "dealer_monthly", *store]) == 0
    assert main(collect_args(tmp_path, inbox, "--out", str(report), "--quiet")) == 1  # d2.xlsx is still broken
    with open_store(f"sqlite:///{tmp_path / 'store.sqlite'}") as opened:
        assert opened.submissions()["recipient"].tolist() == ["D1"]
        assert opened.closed_periods().empty


def test_periods_refuses_a_bad_month_or_form(tmp_path, capsys):
    store = ["--store", f"sqlite:///{tmp_path / 'store.sqlite'}", "--lang", "en"]
    assert main(["periods", "close", "--month", "2026-13", *store]) == 2
    assert "YYYY-MM" in capsys.readouterr().err
    assert main(["periods", "close", "--month", MONTH, "--form", "dealer_master", *store]) == 2
    assert "not a shared template" in capsys.readouterr().err
