"""A throw-away PostgreSQL schema for a benchmark run, so runs never touch real data."""
from __future__ import annotations

import uuid
from urllib.parse import quote as url_quote


def private_postgres_schema(base_url: str):
    """A URL whose search path is a new, uniquely named schema, and a function dropping it."""
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base_url, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{name}"')
    separator = "&" if "?" in base_url else "?"

    def drop() -> None:
        with psycopg.connect(base_url, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{name}" CASCADE')

    return f"{base_url}{separator}options={url_quote('-csearch_path=' + name)}", drop
