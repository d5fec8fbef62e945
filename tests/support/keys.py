"""The department key of the exchange tests, and templates issued with it."""
from __future__ import annotations

from pathlib import Path

import pytest

from dealerxl.exchange.manifest import KEY_VARIABLE

# department keys are at least 32 hexadecimal digits
TEST_KEY = "5e" * 16
OTHER_KEY = "a7" * 16


@pytest.fixture(autouse=True)
def department_key(monkeypatch):
    """Every test of a module importing this signs and checks with :data:`TEST_KEY`."""
    monkeypatch.setenv(KEY_VARIABLE, TEST_KEY)


def issue_all(folder: Path, *issues: tuple) -> Path:
    """Issue each (form, month, recipients, lang) into ``folder`` with :data:`TEST_KEY`, for a
    module-wide fixture (where the per-test key is not set yet)."""
    from dealerxl.exchange import issue_templates

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(KEY_VARIABLE, TEST_KEY)
        for form, month, recipients, lang in issues:
            issue_templates(form, month, folder, recipients=recipients, lang=lang)
    return folder
