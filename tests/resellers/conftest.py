"""The MPN ID check against the in-process sandbox: the app's Partner Center calls reach the
sandbox's ASGI app, whose control API makes the resellers each test needs."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.settings import Settings
from tests.factories import World
from tests.sandbox.conftest import BASE_URL as SANDBOX_URL
from tests.sandbox.conftest import Sandbox, sqlite_sandbox  # noqa: F401  (fixture used here)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"partner_center_api_url": SANDBOX_URL, "partner_center_login_url": SANDBOX_URL}


@pytest.fixture
def app(
    settings: Settings,
    database: Database,
    sqlite_sandbox: Sandbox,  # noqa: F811
    world: World,
) -> FastAPI:
    return create_app(
        settings, database=database, http_transport=httpx.ASGITransport(app=sqlite_sandbox.app)
    )


async def reseller(sandbox: Sandbox, mpn_id: str, **fixture: Any) -> dict[str, Any]:
    """A partner in the sandbox with ``mpn_id`` (signed, in the network unless said otherwise)."""
    return await sandbox.reseller(f"Partner {mpn_id}", mpnId=mpn_id, **fixture)


async def partner_center_down(sandbox: Sandbox) -> None:
    await sandbox.control(
        "PUT",
        "/faults",
        json={"seed": 1, "rules": [{"kind": "error", "status": 503, "path": "/v1/*"}]},
    )
