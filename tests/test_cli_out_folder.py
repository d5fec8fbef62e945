"""``--out`` naming a folder puts each job's own file name inside it, for every job command."""
from __future__ import annotations

import pytest

from dealerxl.cli import main

MONTH = "2026-10"


@pytest.mark.parametrize("command", ["incentives", "risk", "report"])
def test_an_existing_folder_given_as_out_receives_the_file_under_its_own_name(sample_book, tmp_path, command):
    folder = tmp_path / "out"
    folder.mkdir()
    assert main([command, str(sample_book), "--month", MONTH, "--out", str(folder), "--quiet"]) in (0, 1)
    written = list(folder.iterdir())
    assert len(written) == 1 and written[0].suffix == ".xlsx" and MONTH in written[0].name


def test_a_path_without_a_suffix_is_a_folder_made_for_the_file(sample_book, tmp_path):
    folder = tmp_path / "new" / "reports"
    assert main(["incentives", str(sample_book), "--month", MONTH, "--out", str(folder), "--quiet"]) in (0, 1)
    assert [p.suffix for p in folder.iterdir()] == [".xlsx"]
