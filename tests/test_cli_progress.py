"""Progress of a job command: a bar on a terminal, plain lines in a pipe, nothing with --quiet,
only the JSON summary with --json; and the step hook jobs report through."""
from __future__ import annotations

import io
import json
import sys
from types import SimpleNamespace

import pytest

from dealerxl.cli import main
from dealerxl.cli._job_output import JobProgress
from dealerxl.jobs import progress

YEAR = "2026"


class FakeTerminal(io.StringIO):
    """A stream that says it is a terminal, as a console's stderr does."""

    def isatty(self) -> bool:
        return True


def run_targets(sample_book, tmp_path, *options):
    return main(["targets", str(sample_book), "--year", YEAR, "--out", str(tmp_path / "t.xlsx"), "--lang", "en",
                 *options])


def test_a_terminal_gets_a_progress_bar_on_stderr_and_no_stage_lines(sample_book, tmp_path, monkeypatch, capsys):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert run_targets(sample_book, tmp_path) == 0
    drawn, out = terminal.getvalue(), capsys.readouterr().out
    assert "\r" in drawn and "/3" in drawn and "Working out Set targets" in drawn
    assert "Recording the audit log" in drawn and "Reading sheets" in drawn
    assert "[1/3]" not in out and "Set targets done" in out


def test_a_pipe_gets_one_plain_line_per_stage_in_order(sample_book, tmp_path, capsys):
    assert run_targets(sample_book, tmp_path) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    stages = [line for line in lines if line.startswith("[")]
    assert stages == ["[1/3] Working out Set targets", "[2/3] Writing the file", "[3/3] Recording the audit log"]
    assert lines.index(stages[-1]) < len(lines) - 1 and "\r" not in out and err == ""


def test_quiet_shows_no_progress_at_all(sample_book, tmp_path, monkeypatch, capsys):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert run_targets(sample_book, tmp_path, "--quiet") == 0
    assert capsys.readouterr().out == "" and terminal.getvalue() == ""


def test_json_prints_only_the_machine_readable_summary(sample_book, tmp_path, monkeypatch, capsys):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert run_targets(sample_book, tmp_path, "--json") == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["job"] == "targets" and terminal.getvalue() == ""


def test_a_jobs_steps_show_once_each_in_a_log_however_many_items_they_count():
    out = io.StringIO()
    shown = JobProgress(SimpleNamespace(quiet=False, json=False), "en", stream_err=io.StringIO(), stream_out=out)
    with shown, progress.reporting(shown.update):
        shown.stage(1, "Working")
        for done in range(5):
            progress.step("Reading sheets", done, 5)
        progress.step("Adding up")
    assert out.getvalue().splitlines() == ["[1/3] Working", "  Reading sheets", "  Adding up"]


def test_a_step_without_a_front_end_listening_does_nothing():
    progress.step("nobody listens", 1, 2)  # must not raise


def test_steps_go_to_the_callback_installed_and_stop_when_its_block_ends():
    heard = []
    with progress.reporting(lambda *step: heard.append(step)):
        progress.step("one")
        with progress.reporting(None):
            progress.step("silenced")
        progress.step("two", 1, 2)
    progress.step("after")
    assert heard == [("one", None, None), ("two", 1, 2)]


@pytest.mark.parametrize("broken", [None, object()])
def test_a_stream_that_cannot_say_whether_it_is_a_terminal_counts_as_a_pipe(broken):
    shown = JobProgress(SimpleNamespace(quiet=False, json=False), "en", stream_err=broken or io.StringIO(),
                        stream_out=io.StringIO())
    assert shown.mode == "lines"


def test_the_monthly_report_counts_its_reviews_and_sheets_as_it_goes(sample_book, tmp_path):
    from dealerxl.report.monthly import run_monthly_report
    from dealerxl.report.workbook import write_report

    counted = []
    with progress.reporting(lambda text, done, total: counted.append((done, total)) if total else None):
        write_report(run_monthly_report(sample_book, "2026-10"), tmp_path / "report.xlsx")
    assert len(counted) >= 14
    assert all(0 <= done < total for done, total in counted)


def test_a_counted_step_fills_the_bar_with_the_jobs_own_steps():
    err = io.StringIO()
    with JobProgress(SimpleNamespace(quiet=False, json=False), "en", stream_err=err) as bar:
        bar.mode = "bar"
        from tqdm import tqdm

        bar.bar = tqdm(total=3, file=err)
        bar.stage(1, "Working out")
        bar.update("Risk review", 3, 8)
        assert (bar.bar.n, bar.bar.total) == (3, 8)
        bar.stage(2, "Writing")
        assert (bar.bar.n, bar.bar.total) == (1, 3)
