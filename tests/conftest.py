"""Test-session setup shared by every test module."""
from __future__ import annotations

import os
import shutil

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # In CI the LibreOffice checks must run: a missing soffice is a setup error, never a skip.
    if os.environ.get("CI") and not shutil.which("soffice"):
        raise pytest.UsageError("CI needs LibreOffice: apt-get install -y libreoffice-calc-nogui")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if shutil.which("soffice"):
        return
    skip = pytest.mark.skip(reason="LibreOffice not installed (apt-get install -y libreoffice-calc-nogui)")
    for item in items:
        if "libreoffice" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def sample_data():
    """The small sample's frames, generated once for every test that needs them."""
    from dealerxl.sample import generate

    return generate("small")


@pytest.fixture(scope="session")
def sample_book(tmp_path_factory):
    """The small sample as a zh-Hant workbook, written once per test run (jobs only read it)."""
    from workbook_fixtures import sample_workbook

    return sample_workbook(tmp_path_factory.mktemp("sample") / "sample.xlsx", "zh-Hant", "small")


@pytest.fixture(scope="session")
def sample_statements(sample_book):
    """The dealer statements of the small sample for 2026-10, worked out once (tests only read them)."""
    from dealerxl.report.statements import run_statements

    return run_statements(sample_book, "2026-10")
