"""Signing in with Microsoft against the sandbox's identity platform, with real ID tokens.

The app reaches the identity platform through ``create_app(http_transport=...)``, routed to the
sandbox's ASGI app; the test's browser walks between the two by host name (``Hosts``), so it
follows the same redirects and cookies a person's browser would. The sandbox keeps its state in a
SQLite file of the test; the app's database is the usual one (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.identity.passwords.hashing import hash_password
from tenantry.identity.service import add_membership, create_user
from tenantry.models import Organization, Role, User
from tenantry.settings import Settings
from tests.sandbox.conftest import BASE_URL as LOGIN_URL
from tests.sandbox.conftest import Sandbox, sqlite_sandbox  # noqa: F401  (fixture used here)
from tests.sandbox.outside_world import Browser, Hosts
from tests.web.conftest import PASSWORD

__all__ = ["LOGIN_URL", "PASSWORD"]
APP_HOST = "testserver"
APP_URL = f"http://{APP_HOST}"
LOGIN_HOST = urlsplit(LOGIN_URL).netloc
CONSUMER_TENANT_ID = "9188040d-6c67-4c5b-b112-36a304b66dad"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose

TokenEdit = Callable[[str], str]


@dataclass
class Tamper(httpx.AsyncBaseTransport):
    """The app's way to the identity platform; ``edit`` (when set) changes the ID token of the
    token endpoint's answer on the way back, as someone in the middle would."""

    inner: httpx.AsyncBaseTransport
    edit: TokenEdit | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.edit is None or not request.url.path.endswith("/oauth2/v2.0/token"):
            return response
        body = json.loads(await response.aread())
        if "id_token" in body:
            body["id_token"] = self.edit(body["id_token"])
        return httpx.Response(response.status_code, json=body)


@dataclass
class IdentityPlatform:
    """The sandbox playing Microsoft's identity platform, and its control API."""

    app: FastAPI
    client: httpx.AsyncClient
    transport: Tamper
    _made: list[str] = field(default_factory=list)

    async def control(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self.client.request(method, f"/_sandbox{path}", **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    async def personal_account(self, username: str, name: str = "Avery Jensen") -> str:
        await self.control("POST", "/accounts", json={"username": username, "displayName": name})
        return username

    async def work_account(self, name: str) -> WorkAccount:
        """The Global Administrator of a new customer tenant ``{name}.onmicrosoft.com``."""
        tenant = await self.control(
            "POST", "/customers", json={"companyName": name.title(), "domain": name}
        )
        username = str(tenant["adminUserPrincipalName"])
        return WorkAccount(username, username.rpartition("@")[2], str(tenant["id"]))


@dataclass(frozen=True)
class WorkAccount:
    username: str
    domain: str
    tenant_id: str


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The tests' settings, with the app at ``APP_URL`` and Microsoft at ``LOGIN_URL``."""
    return settings.model_copy(update={"base_url": APP_URL, "microsoft_login_url": LOGIN_URL})


@pytest.fixture
def identity_platform(sqlite_sandbox: Sandbox) -> IdentityPlatform:  # noqa: F811
    transport = Tamper(httpx.ASGITransport(app=sqlite_sandbox.app))
    return IdentityPlatform(sqlite_sandbox.app, sqlite_sandbox.client, transport)


@pytest.fixture
def app(settings: Settings, database: Database, identity_platform: IdentityPlatform) -> FastAPI:
    return create_app(settings, database=database, http_transport=identity_platform.transport)


@pytest.fixture
def new_browser(
    app: FastAPI, identity_platform: IdentityPlatform
) -> Callable[[], httpx.AsyncClient]:
    """A browser of its own (its own cookies) that reaches the app and the identity platform."""

    def make() -> httpx.AsyncClient:
        hosts = Hosts({APP_HOST: app, LOGIN_HOST: identity_platform.app})
        return httpx.AsyncClient(transport=hosts, base_url=APP_URL)

    return make


@pytest.fixture
async def client(new_browser: Callable[[], httpx.AsyncClient]) -> AsyncIterator[httpx.AsyncClient]:
    async with new_browser() as browser:
        yield browser


async def at_microsoft(
    client: httpx.AsyncClient, account: str = "personal", next_path: str = "/organizations"
) -> httpx.Response:
    """Choose "Sign in with ..." on the sign-in page: Microsoft's sign-in page."""
    start = await client.get(
        f"/sign-in/microsoft?{urlencode({'account': account, 'next': next_path})}"
    )
    assert start.status_code == 302, start.text
    page = await client.get(start.headers["location"])
    assert page.status_code == 200, page.text
    return page


async def pick(client: httpx.AsyncClient, page: httpx.Response, username: str, **extra: str) -> str:
    """Pick the account at Microsoft and consent: where Microsoft sends the browser back."""
    answer = await Browser(client).sign_in(page, username, **extra)
    assert answer.status_code == 302, answer.text
    location: str = answer.headers["location"]
    assert location.startswith(f"{APP_URL}/sign-in/microsoft/callback?"), location
    return location


async def sign_in_with_microsoft(
    client: httpx.AsyncClient,
    username: str,
    account: str = "personal",
    next_path: str = "/organizations",
) -> httpx.Response:
    """The whole round trip, as a person clicks it: the app's answer to the way back."""
    page = await at_microsoft(client, account, next_path)
    return await client.get(await pick(client, page, username))


async def member(
    database: Database, organization: Organization, role: Role, email: str, *, password: bool = True
) -> User:
    """Someone in an organization, with the test password (or none)."""
    async with database.transaction() as session:
        user = await create_user(session, email=email, full_name="Casey Member", password=None)
        user.password_hash = _PASSWORD_HASH if password else None
        await add_membership(session, None, user, organization, role)
        return user


async def count(database: Database, model: type[Any]) -> int:
    async with database.transaction(write=False) as session:
        return (await session.execute(select(func.count()).select_from(model))).scalar_one()
