"""Names of the PostgreSQL test databases: one set per pytest-xdist worker, created when missing.

Parallel workers (``pytest -n``) and parallel checkouts on one server must never share a database:
the suites drop and truncate what they use. A database name is the suite's base name, then
``TENANTRY_TEST_DB_SUFFIX`` when set (one per checkout), then the xdist worker id.
"""

from __future__ import annotations

import os
import re

import sqlalchemy as sa

# user@host:port of the PostgreSQL server the tests use.
SERVER = os.environ.get("TENANTRY_TEST_POSTGRES_SERVER", "postgres@127.0.0.1:5432")
_created: set[str] = set()


def database_name(base: str) -> str:
    """``base`` made unique to this checkout and this xdist worker."""
    parts = [
        base,
        os.environ.get("TENANTRY_TEST_DB_SUFFIX", ""),
        os.environ.get("PYTEST_XDIST_WORKER", ""),
    ]
    return "_".join(re.sub(r"\W", "", part) for part in parts if part)


def server_url(database: str, driver: str = "postgresql") -> str:
    """The URL of ``database`` (already a full name) on the test server."""
    return f"{driver}://{SERVER}/{database}"


def ensure_database(database: str) -> None:
    """Create ``database`` on the test server once per run if it is missing."""
    if database in _created:
        return
    engine = sa.create_engine(
        server_url("postgres", "postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 3},
    )
    try:
        with engine.connect() as connection:
            exists = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": database}
            ).first()
            if exists is None:
                connection.execute(sa.text(f'CREATE DATABASE "{database}"'))
    finally:
        engine.dispose()
    _created.add(database)


def postgres_test_url(base: str, driver: str = "postgresql") -> str:
    """The URL of this worker's ``base`` database (``ensure_database`` creates it)."""
    return server_url(database_name(base), driver)
