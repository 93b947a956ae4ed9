"""Fixtures of the sandbox tests: a fresh sandbox per test, on SQLite and on PostgreSQL.

The sandbox runs in-process behind ``httpx.ASGITransport``. SQLite gets a new file per test;
PostgreSQL (the ``sandbox_test`` database, skipped cleanly when the server is unreachable) is
emptied before each test.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import asyncpg  # type: ignore[import-untyped]  # no stubs, as in bench/api_floor.py
import httpx
import pytest
from fastapi import FastAPI

from tenantry.partnercenter import PartnerCenterConfig
from tenantry_sandbox import SandboxSettings, create_app
from tenantry_sandbox.state import SandboxState
from tests.databases import database_name, ensure_database, postgres_test_url

REPO = Path(__file__).resolve().parents[2]
# Beside the repository (``<repo>/../shared``), or further up for a git worktree of it.
SAMPLES = next(
    (
        folder / "shared" / "partner-center" / "samples"
        for folder in REPO.parents
        if (folder / "shared" / "partner-center" / "samples").is_dir()
    ),
    REPO / ".." / "shared" / "partner-center" / "samples",
)
BASE_URL = "http://sandbox.test"
PARTNER_CENTER_SCOPE = "https://api.partnercenter.microsoft.com/.default"


def sample(name: str) -> Any:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def postgres_url(database: str = "sandbox_test") -> str:
    """This worker's ``database`` on the test server (see tests/databases.py)."""
    return postgres_test_url(database, "postgresql+asyncpg")


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}"


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 2):
            return True
    except OSError:
        return False


def reachable_postgres_url(database: str) -> str:
    """``postgres_url(database)``, or the test skipped when the server does not answer."""
    url = postgres_url(database)
    if not _reachable(url):
        pytest.skip(f"PostgreSQL at {urlsplit(url).netloc} is not reachable")
    try:
        ensure_database(database_name(database))
    except Exception as exc:  # refused, no rights: the backend is not usable here
        pytest.skip(f"PostgreSQL database {database} unusable: {exc}")
    return url


_USABLE: dict[str, str | None] = {}


async def _postgres_problem(url: str) -> str | None:
    """Why the database cannot be used (None when it can); asked once per test session."""
    if url not in _USABLE:
        parts = urlsplit(url)
        try:
            with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 2):
                pass
            connection = await asyncpg.connect(url.replace("+asyncpg", ""), timeout=5)
            await connection.close()
            _USABLE[url] = None
        except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
            _USABLE[url] = f"PostgreSQL at {parts.netloc}{parts.path} is not usable: {exc}"
    return _USABLE[url]


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    return reachable_postgres_url("sandbox_test")


@dataclass
class Sandbox:
    """A running sandbox and a client for it, with shortcuts the tests share."""

    app: FastAPI
    client: httpx.AsyncClient
    settings: SandboxSettings
    _tokens: dict[tuple[str, bool], str] = field(default_factory=dict)

    @property
    def state(self) -> SandboxState:
        state: SandboxState = self.app.state.sandbox
        return state

    @property
    def partner_id(self) -> uuid.UUID:
        return self.settings.partner_tenant_id

    async def token_response(
        self, tenant: uuid.UUID | str | None = None, **form: str
    ) -> httpx.Response:
        """The token endpoint's answer to the partner's app (its id and secret) asking ``form``."""
        data = {
            "client_id": self.settings.client_id,
            "client_secret": self.settings.client_secret,
            **form,
        }
        return await self.client.post(f"/{tenant or self.partner_id}/oauth2/v2.0/token", data=data)

    async def token(self, *, app_only: bool = False, tenant: uuid.UUID | None = None) -> str:
        tenant_id = str(tenant or self.partner_id)
        key = (tenant_id, app_only)
        if key not in self._tokens:
            if app_only:
                form = {"grant_type": "client_credentials", "scope": PARTNER_CENTER_SCOPE}
            else:
                refresh = await self.refresh_token(tenant)
                form = {"grant_type": "refresh_token", "refresh_token": refresh}
            response = await self.token_response(tenant_id, **form)
            assert response.status_code == 200, response.text
            self._tokens[key] = response.json()["access_token"]
        return self._tokens[key]

    async def refresh_token(self, tenant: uuid.UUID | None = None) -> str:
        if tenant is None:
            return self.settings.bootstrap_refresh_token
        response = await self.client.post(
            "/_sandbox/refresh-tokens", json={"tenantId": str(tenant)}
        )
        assert response.status_code == 201, response.text
        token: str = response.json()["refreshToken"]
        return token

    async def headers(
        self, *, app_only: bool = False, tenant: uuid.UUID | None = None, **extra: str
    ) -> dict[str, str]:
        token = await self.token(app_only=app_only, tenant=tenant)
        return {"Authorization": f"Bearer {token}", **extra}

    async def call(
        self,
        method: str,
        path: str,
        *,
        app_only: bool = False,
        tenant: uuid.UUID | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        merged = await self.headers(app_only=app_only, tenant=tenant)
        merged.update(headers or {})
        return await self.client.request(method, path, headers=merged, **kwargs)

    async def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.client.request(method, f"/_sandbox{path}", **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    async def reseller(self, name: str = "Contoso Reseller", **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = await self.control(
            "POST", "/resellers", json={"name": name, **fields}
        )
        return result

    async def customer(self, **fields: Any) -> dict[str, Any]:
        result: dict[str, Any] = await self.control("POST", "/customers", json=fields)
        return result


@pytest.fixture
async def sandbox(database_url: str) -> AsyncIterator[Sandbox]:
    settings = SandboxSettings(database_url=database_url, base_url=BASE_URL, smtp_port=0)
    app = create_app(settings)
    state: SandboxState = app.state.sandbox
    if database_url.startswith("postgresql"):
        problem = await _postgres_problem(database_url)
        if problem:
            pytest.skip(problem)
        await state.reset()
    else:
        await state.ensure_started()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield Sandbox(app=app, client=client, settings=settings)
    await state.close()


@pytest.fixture
async def sqlite_sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    """A sandbox on SQLite only, for tests about the sandbox itself rather than its database."""
    settings = SandboxSettings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'sandbox.db'}",
        base_url=BASE_URL,
        smtp_port=0,
    )
    app = create_app(settings)
    await app.state.sandbox.ensure_started()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        yield Sandbox(app=app, client=client, settings=settings)
    await app.state.sandbox.close()


@pytest.fixture
def client_config(sandbox: Sandbox) -> PartnerCenterConfig:
    """The product's Partner Center client configuration, pointed at the sandbox as at Microsoft."""
    settings = sandbox.settings
    return PartnerCenterConfig(
        api_url=BASE_URL,
        login_url=BASE_URL,
        graph_url=f"{BASE_URL}/graph",
        tenant_id=str(settings.partner_tenant_id),
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        refresh_token=settings.bootstrap_refresh_token,
    )
