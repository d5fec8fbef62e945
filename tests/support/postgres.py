"""Where the PostgreSQL tests find their server, and a private schema per test.

The server comes from ``DEALERXL_TEST_POSTGRES_URL`` (e.g.
``postgresql://dealerxl:dealerxl@localhost:5432/dealerxl``). Without it the PostgreSQL
variants are skipped locally, but in CI (``CI`` set) a missing URL is an error: the
shared store must be tested there.
"""
from __future__ import annotations

import os
import uuid
from urllib.parse import quote as url_quote

import pytest

URL_VARIABLE = "DEALERXL_TEST_POSTGRES_URL"


def postgres_url() -> str | None:
    """The test server's URL; fails the test in CI when it is not configured."""
    url = os.environ.get(URL_VARIABLE)
    if not url and os.environ.get("CI"):
        pytest.fail(f"CI must test the PostgreSQL store: set {URL_VARIABLE}")
    return url


def require_postgres_url() -> str:
    url = postgres_url()
    if not url:
        pytest.skip(f"PostgreSQL store not tested: {URL_VARIABLE} is not set")
    return url


class PrivateSchema:
    """A schema of its own for one test, so tests never see each other's tables."""

    def __init__(self, base_url: str) -> None:
        import psycopg

        self.base_url = base_url
        self.name = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(base_url, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{self.name}"')

    @property
    def url(self) -> str:
        separator = "&" if "?" in self.base_url else "?"
        return f"{self.base_url}{separator}options={url_quote('-csearch_path=' + self.name)}"

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.base_url, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{self.name}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """A URL of an empty store, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'history.sqlite'}"
        return
    schema = PrivateSchema(require_postgres_url())
    try:
        yield schema.url
    finally:
        schema.drop()
