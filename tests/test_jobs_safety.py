"""Safe writes: atomic replacement and refusal to drop workbook parts."""
from __future__ import annotations

import zipfile

import pytest

from dealerxl.jobs.safety import UnsafeWriteError, atomic_write, parts_at_risk, refuse_if_at_risk


def test_failed_write_leaves_the_previous_file_as_it_was(tmp_path):
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"previous")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as temporary:
            temporary.write_bytes(b"half")
            raise RuntimeError("writer failed")
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


def test_finished_write_replaces_the_target(tmp_path):
    target = tmp_path / "sub" / "report.xlsx"
    with atomic_write(target) as temporary:
        assert temporary.suffix == ".xlsx" and temporary.parent == target.parent
        temporary.write_bytes(b"new")
    assert target.read_bytes() == b"new"


def make_package(path, names):
    with zipfile.ZipFile(path, "w") as package:
        for name in names:
            package.writestr(name, "x")


def test_charts_images_and_pivots_are_reported(tmp_path):
    book = tmp_path / "book.xlsx"
    make_package(book, ["xl/workbook.xml", "xl/charts/chart1.xml", "xl/media/image1.png",
                        "xl/pivotTables/pivotTable1.xml"])
    assert parts_at_risk(book) == ["charts", "images", "pivot tables"]
    with pytest.raises(UnsafeWriteError, match="charts, images, pivot tables"):
        refuse_if_at_risk(book)


def test_plain_workbook_is_safe(tmp_path):
    book = tmp_path / "book.xlsx"
    make_package(book, ["xl/workbook.xml", "xl/worksheets/sheet1.xml"])
    refuse_if_at_risk(book)


def test_a_new_file_gets_the_umask_mode_not_owner_only(tmp_path):
    import os

    mask = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "new.xlsx") as temporary:
            temporary.write_bytes(b"x")
    finally:
        os.umask(mask)
    assert (tmp_path / "new.xlsx").stat().st_mode & 0o777 == 0o644


def test_a_replaced_file_keeps_its_permissions(tmp_path):
    target = tmp_path / "shared.xlsx"
    target.write_bytes(b"old")
    target.chmod(0o664)
    with atomic_write(target) as temporary:
        temporary.write_bytes(b"new")
    assert target.stat().st_mode & 0o777 == 0o664
