"""Test harness: every database test runs on SQLite and, when reachable, on PostgreSQL.

Each test gets a database built by the migrations: on SQLite a copy of a migrated template file,
on PostgreSQL the migrated schema with every table emptied after the test.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.migrate import upgrade
from tenantry.models import Base
from tenantry.observability import configure_logging
from tenantry.resellers.mpn import app_partner_ids
from tenantry.settings import Settings
from tests.databases import database_name, ensure_database, postgres_test_url
from tests.factories import World, make_world
from tests.resellers.fakes import KnownPartnerIds
from tests.threaded_servers import where_servers_are

POSTGRES_URL = postgres_test_url("test")
BACKENDS = ("sqlite", "postgresql")


def _sync_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _postgres_reachable() -> bool:
    try:
        ensure_database(database_name("test"))
        engine = sa.create_engine(_sync_url(POSTGRES_URL), connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session", autouse=True)
def _logs_written_as_the_product_writes_them() -> None:
    """The console format of ``tenantry run``. Left unconfigured, structlog prints every
    frame's local variables under a traceback, which took seconds a failure under load: long
    enough for a job's retry to fall due while its failure was still being logged."""
    configure_logging("INFO", json=False)


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    return _postgres_reachable()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_migrated(postgres_available: bool) -> str | None:
    if not postgres_available:
        return None
    engine = sa.create_engine(_sync_url(POSTGRES_URL))
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(POSTGRES_URL)
    return POSTGRES_URL


def _empty_postgres(url: str) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    engine = sa.create_engine(_sync_url(url))
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "tenantry.db"
        shutil.copyfile(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = request.getfixturevalue("postgres_migrated")
    if url is None:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}")
    yield url
    _empty_postgres(url)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """The settings a folder's tests set differently: its conftest overrides this fixture."""
    return {}


@pytest.fixture
def settings(database_url: str, settings_overrides: dict[str, Any]) -> Settings:
    base: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "queue_url": "memory://",
        "log_json": False,
        "smtp_url": "smtp://127.0.0.1:1",
    }
    return Settings(**(base | settings_overrides))


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[Database]:
    db = Database(settings)
    yield db
    await db.dispose()


@pytest.fixture
def app(settings: Settings, database: Database) -> FastAPI:
    app = create_app(settings, database=database)
    # Resellers' MPN IDs pass; tests/resellers checks them against the sandbox.
    app.dependency_overrides[app_partner_ids] = lambda: KnownPartnerIds()
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failed test that talked to servers in this process shows where they were: a step that
    timed out then says what the server waited on."""
    report = yield
    if report.when == "call" and report.failed and (where := where_servers_are()):
        report.sections.append(("servers in this process at the failure", where))
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Show how many database tests ran on each backend."""
    counts: dict[str, dict[str, int]] = {
        b: {"passed": 0, "failed": 0, "skipped": 0} for b in BACKENDS
    }
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            for backend in BACKENDS:
                if f"[{backend}" in nodeid or f"-{backend}]" in nodeid or f"-{backend}-" in nodeid:
                    key = "failed" if outcome == "error" else outcome
                    counts[backend][key] += 1
    terminalreporter.section("database backends")
    for backend, c in counts.items():
        terminalreporter.write_line(
            f"{backend}: {c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped"
        )


@pytest.fixture
async def world(database: Database) -> World:
    return await make_world(database)
