"""Browser journeys with Partner Center: the sandbox served by uvicorn on a free local port (a
browser reaches it: the Global Administrator signs in and accepts on its admin-center pages),
and a Tenantry server pointed at it. Module-scoped, for every journey through Microsoft tenants.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.identity.service import add_membership, create_user
from tenantry.models import Role
from tenantry.settings import Settings
from tenantry_sandbox import SandboxSettings
from tenantry_sandbox import create_app as create_sandbox
from tests.e2e.conftest import PASSWORD
from tests.factories import World, make_world
from tests.threaded_servers import free_listener, served

SELLER_EMAIL = "sam.seller@alpha-reseller.example"


@dataclass(frozen=True)
class LiveSandbox:
    url: str
    settings: SandboxSettings

    async def control(self, method: str, path: str, **kwargs: Any) -> Any:
        async with httpx.AsyncClient(base_url=self.url, timeout=10) as client:
            response = await client.request(method, f"/_sandbox{path}", **kwargs)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None


@pytest.fixture(scope="module")
async def live_sandbox(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LiveSandbox]:
    listener = free_listener()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    database = tmp_path_factory.mktemp("e2e-sandbox") / "sandbox.db"
    settings = SandboxSettings(
        database_url=f"sqlite+aiosqlite:///{database}", base_url=url, smtp_port=0
    )
    async with served(create_sandbox(settings), listener, "/_sandbox/summary") as served_url:
        yield LiveSandbox(served_url, settings)


@dataclass(frozen=True)
class TenantsServer:
    url: str
    world: World
    seller_email: str  # a reseller admin of Alpha Reseller, Alpha Customer's seller


async def seed_seller(settings: Settings, live_sandbox: LiveSandbox) -> World:
    """The test world with a reseller admin of Alpha Reseller (Alpha Customer's seller), and
    Alpha Reseller in the sandbox distributor's network."""
    database = Database(settings)
    try:
        world = await make_world(database)
        async with database.transaction() as session:
            seller = await create_user(
                session, email=SELLER_EMAIL, full_name="Sam Seller", password=PASSWORD,
                verified=True,
            )  # fmt: skip
            await add_membership(
                session, None, seller, world.reseller_a.organization, Role.RESELLER_ADMIN
            )
    finally:
        await database.dispose()
    reseller = world.reseller_a.organization
    await live_sandbox.control(
        "POST", "/resellers", json={"name": reseller.display_name, "mpnId": reseller.mpn_id}
    )
    return world


@pytest.fixture(scope="module")
async def tenants_server(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory, live_sandbox: LiveSandbox
) -> AsyncIterator[TenantsServer]:
    """Tenantry on its own SQLite database, talking to ``live_sandbox`` as to Partner Center;
    Alpha Reseller is in the distributor's network there."""
    path = tmp_path_factory.mktemp("e2e-tenants") / "tenantry.db"
    shutil.copyfile(sqlite_template, path)
    settings = Settings(
        environment="test", database_url=f"sqlite+aiosqlite:///{path}", queue_url="memory://",
        log_json=False, log_level="WARNING", smtp_url="smtp://127.0.0.1:1",
        partner_center_api_url=live_sandbox.url, partner_center_login_url=live_sandbox.url,
    )  # fmt: skip
    world = await seed_seller(settings, live_sandbox)
    async with served(create_app(settings), free_listener(), "/healthz") as url:
        yield TenantsServer(url, world, SELLER_EMAIL)
