"""The store under bad input and interruption: a refused or broken load leaves it exactly as it was."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import uuid

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.postgres import store_url  # noqa: F401  (fixture)

from dealerxl.sample import generate
from dealerxl.store import StoreError, open_store


@pytest.fixture(scope="module")
def surveys() -> pd.DataFrame:
    return generate("small")["survey_responses"]


def snapshot(store, form_id: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return store.submissions(), store.read(form_id)


def assert_unchanged(store, form_id: str, before) -> None:
    after = snapshot(store, form_id)
    pd.testing.assert_frame_equal(after[0], before[0])
    pd.testing.assert_frame_equal(after[1], before[1])


def test_duplicate_keys_inside_one_file_are_refused_and_nothing_is_written(store_url, surveys):
    bad = pd.concat([surveys.iloc[:4], surveys.iloc[[2]]], ignore_index=True)
    with open_store(store_url) as store:
        store.load_submission("survey_responses", "D001", "2024-01", "good", surveys.iloc[4:9])
        before = snapshot(store, "survey_responses")
        with pytest.raises(StoreError, match="row 5: the key .* repeats"):
            store.load_submission("survey_responses", "D001", "2024-01", "bad", bad)
        assert_unchanged(store, "survey_responses", before)


def test_a_wrong_type_is_refused_naming_row_and_column(store_url, surveys):
    bad = surveys.iloc[:6].astype({"csat_score": object})
    bad.loc[3, "csat_score"] = "four"
    with open_store(store_url) as store:
        store.load_submission("survey_responses", "D001", "2024-01", "good", surveys.iloc[:6])
        before = snapshot(store, "survey_responses")
        with pytest.raises(StoreError, match="row 4: column csat_score"):
            store.load_submission("survey_responses", "D001", "2024-01", "bad", bad)
        with pytest.raises(StoreError, match="no columns extra"):
            store.load_submission("survey_responses", "D001", "2024-01", "bad", surveys.assign(extra=1))
        assert_unchanged(store, "survey_responses", before)


def test_a_failed_replacement_keeps_the_older_submission_and_its_rows(store_url, surveys):
    with open_store(store_url) as store:
        store.load_submission("survey_responses", "D001", "2024-01", "a", surveys.iloc[:5])
        store.load_submission("survey_responses", "D002", "2024-01", "b", surveys.iloc[5:10])
        before = snapshot(store, "survey_responses")
        # D001's new file claims a response D002 already sent: the database's key refuses it
        clash = surveys.iloc[[0, 1, 7]]
        with pytest.raises(StoreError, match=r"already belongs to D002's submission for 2024-01 \(submission 2\)"):
            store.load_submission("survey_responses", "D001", "2024-01", "c", clash)
        assert_unchanged(store, "survey_responses", before)


def test_an_error_after_rows_were_inserted_rolls_the_whole_file_back(store_url, surveys, monkeypatch):
    with open_store(store_url) as store:
        store.load_submission("survey_responses", "D001", "2024-01", "a", surveys.iloc[:5])
        before = snapshot(store, "survey_responses")
        insert = store.backend.insert_frame

        def insert_then_fail(*args, **kwargs):
            insert(*args, **kwargs)
            raise OSError("disk went away")

        monkeypatch.setattr(store.backend, "insert_frame", insert_then_fail)
        with pytest.raises(OSError):
            store.load_submission("survey_responses", "D001", "2024-01", "b", surveys.iloc[5:12])
        with pytest.raises(OSError):
            store.load_rows("survey_responses", surveys.iloc[20:30])
        monkeypatch.undo()
        assert_unchanged(store, "survey_responses", before)


LOADER = textwrap.dedent("""
    import sys, time
    from dealerxl.sample import generate
    from dealerxl.store import open_store
    url, stop_inside = sys.argv[1], sys.argv[2] == "inside"
    frame = generate("small")["survey_responses"]
    store = open_store(url)
    if stop_inside:
        insert = store.backend.insert_frame
        def slow_insert(*args, **kwargs):
            written = insert(*args, **kwargs)
            if kwargs.get("conflict_keys") is None and args[1]["dealer_id"].iloc[0] == "file2":
                print("inserted", flush=True)
                time.sleep(60)
            return written
        store.backend.insert_frame = slow_insert
    for n in range(4):
        rows = frame.iloc[n * 5:(n + 1) * 5].assign(dealer_id=f"file{n}")
        result = store.load_submission("survey_responses", f"file{n}", "2024-02", f"sum{n}", rows)
        print(n, result.status, flush=True)
        if n == 1 and not stop_inside:
            time.sleep(60)
""")


def run_until_killed(url: str, where: str, signal_line: str) -> None:
    process = subprocess.Popen([sys.executable, "-c", LOADER, url, where], stdout=subprocess.PIPE, text=True)
    try:
        for line in process.stdout:
            if line.startswith(signal_line):
                break
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=60)


def check_consistent(store) -> None:
    register = store.submissions("survey_responses")
    rows = store.read("survey_responses")
    accepted = register[register["status"] == "accepted"]
    assert sorted(rows["dealer_id"].unique()) == sorted(accepted["recipient"])
    assert rows.groupby("dealer_id").size().sort_index().tolist() == \
        accepted.sort_values("recipient")["row_count"].tolist()


@pytest.mark.parametrize("where, signal_line", [("between", "1 accepted"), ("inside", "inserted")])
def test_a_run_killed_mid_way_leaves_a_consistent_store_and_a_rerun_completes_it(store_url, surveys,
                                                                                 where, signal_line):
    run_until_killed(store_url, where, signal_line)
    with open_store(store_url) as store:
        check_consistent(store)
        assert list(store.submissions()["recipient"]) == ["file0", "file1"]
        results = [store.load_submission("survey_responses", f"file{n}", "2024-02", f"sum{n}",
                                         surveys.iloc[n * 5:(n + 1) * 5].assign(dealer_id=f"file{n}")).status
                   for n in range(4)]
        assert results == ["duplicate", "duplicate", "accepted", "accepted"]
        check_consistent(store)
        assert store.row_count("survey_responses") == 20


def frame_for(namespace: str, recipient: str, period: str, checksum: int) -> pd.DataFrame:
    """The rows a file with this checksum carries: the same checksum always means the same rows."""
    size = 1 + checksum % 3
    return pd.DataFrame({
        "response_id": [f"{namespace}-{recipient}-{period}-{i}" for i in range(size)],
        "dealer_id": f"{namespace}-{recipient}",
        "survey_date": pd.Timestamp(f"{period}-15"),
        "survey_type": "after_sales",
        "csat_score": checksum,
        "comment": f"file {checksum}",
    })


submission = st.tuples(st.sampled_from(["A", "B", "C"]), st.sampled_from(["2024-01", "2024-02"]),
                       st.integers(min_value=0, max_value=5))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=st.lists(submission, min_size=1, max_size=12))
def test_any_sequence_of_submissions_keeps_one_accepted_per_recipient_and_period(store_url, sequence):
    namespace = uuid.uuid4().hex[:8]
    seen: dict[tuple[str, str], set[int]] = {}
    latest: dict[tuple[str, str], pd.DataFrame] = {}
    with open_store(store_url) as store:
        for recipient, period, checksum in sequence:
            frame = frame_for(namespace, recipient, period, checksum)
            result = store.load_submission("survey_responses", f"{namespace}-{recipient}", period,
                                           str(checksum), frame)
            slot = (recipient, period)
            if checksum in seen.get(slot, set()):
                assert result.status == "duplicate"
            else:
                assert result.status == ("replaced" if slot in seen else "accepted")
                seen.setdefault(slot, set()).add(checksum)
                latest[slot] = frame
        register = store.submissions("survey_responses")
        mine = register[register["recipient"].str.startswith(namespace)]
        accepted = mine[mine["status"] == "accepted"]
        assert len(accepted) == len(latest)
        assert not accepted.duplicated(["recipient", "period"]).any()
        assert len(mine) == sum(len(s) for s in seen.values())
        assert mine.loc[mine["status"] == "replaced", "replaced_by"].notna().all()
        stored = store.read("survey_responses", filters={
            "dealer_id": [f"{namespace}-{r}" for r in ("A", "B", "C")]})
    expected = pd.concat(latest.values(), ignore_index=True).sort_values("response_id")
    pd.testing.assert_frame_equal(stored[expected.columns].sort_values("response_id").reset_index(drop=True),
                                  expected.reset_index(drop=True), check_dtype=False)


def test_the_register_itself_refuses_a_second_accepted_submission(store_url, surveys):
    with open_store(store_url) as store:
        store.load_submission("survey_responses", "D001", "2024-01", "a", surveys.iloc[:2])
        with pytest.raises(store.backend.integrity_errors):
            with store.backend.transaction():
                store.backend.execute(
                    "INSERT INTO submissions (form_id, recipient, period, checksum, received_at, status)"
                    " VALUES ('survey_responses', 'D001', '2024-01', 'b', 'now', 'accepted')")
        assert len(store.submissions()) == 1
