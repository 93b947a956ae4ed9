"""What the catalog's tests share: the app with Partner Center played by the sandbox, a refresh
run as the job runs it, and short ways to call the API."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, select

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.models import (
    CatalogPrice,
    CatalogProduct,
    CatalogRefresh,
    CatalogSku,
    CatalogTerm,
)
from tenantry.orders.catalog import tasks
from tenantry.settings import Settings
from tests.factories import World
from tests.sandbox.conftest import BASE_URL as SANDBOX_URL
from tests.sandbox.conftest import Sandbox, sqlite_sandbox

__all__ = ["Sandbox", "sqlite_sandbox"]
SANDBOX_SETTINGS = {
    "partner_center_api_url": SANDBOX_URL,
    "partner_center_login_url": SANDBOX_URL,
    # Throttled and failing calls are retried without waiting long.
}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return dict(SANDBOX_SETTINGS)


@pytest.fixture
def app(settings: Settings, database: Database, sqlite_sandbox: Sandbox) -> FastAPI:
    return create_app(
        settings, database=database, http_transport=httpx.ASGITransport(app=sqlite_sandbox.app)
    )


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def empty_catalog(database: Database, world: World, *, prices: bool = False) -> None:
    """The platform's catalog as before its first refresh (the world comes with one)."""
    async with database.transaction() as session:
        for model in (CatalogTerm, CatalogSku, CatalogProduct) + (
            (CatalogPrice,) if prices else ()
        ):
            await session.execute(delete(model).where(model.platform_id == world.platform.id))


async def run_refreshes(database: Database) -> list[CatalogRefresh]:
    """Run each queued refresh through the ``catalog.refresh`` job handler."""
    async with database.transaction(write=False) as session:
        queued = list(
            await session.scalars(
                select(CatalogRefresh.id).where(CatalogRefresh.status == "queued")
            )
        )
    for refresh_id in queued:
        async with database.transaction() as session:
            await tasks.run(session, {"refresh_id": str(refresh_id)})
    found = []
    for refresh_id in queued:
        async with database.transaction(write=False) as session:
            found.append(await session.get_one(CatalogRefresh, refresh_id))
    return found


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: httpx.Response, status: int = 422) -> dict[str, Any]:
    """A problem answer; returns it (``errors`` as ``{field: rule}`` under ``"fields"``)."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    body["fields"] = {e["field"]: e["rule"] for e in body.get("errors", [])}
    return body


def uid(value: uuid.UUID) -> str:
    return str(value)
