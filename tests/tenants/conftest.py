"""The app wired to an in-process Partner Center sandbox, and its fixtures for tenants."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import Organization
from tenantry.settings import Settings
from tests.factories import World
from tests.jobs.conftest import clock, job_queue  # noqa: F401  (fixtures used here)
from tests.notifications.conftest import (  # noqa: F401  (fixtures used here)
    mail_settings,
    smtp_server,
)
from tests.sandbox.conftest import BASE_URL as SANDBOX_URL
from tests.sandbox.conftest import Sandbox, sqlite_sandbox  # noqa: F401  (fixture used here)
from tests.web.conftest import people  # noqa: F401  (a fixture of these tests)


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"partner_center_api_url": SANDBOX_URL, "partner_center_login_url": SANDBOX_URL}


@pytest.fixture
def app(
    mail_settings: Settings,  # noqa: F811  (the imported fixture, as a parameter)
    database: Database,
    job_queue: JobQueue,  # noqa: F811
    sqlite_sandbox: Sandbox,  # noqa: F811
) -> FastAPI:
    return create_app(
        mail_settings, database=database, queue=job_queue,
        http_transport=httpx.ASGITransport(app=sqlite_sandbox.app),
    )  # fmt: skip


@pytest.fixture
async def network(sqlite_sandbox: Sandbox, world: World) -> World:  # noqa: F811
    """Alpha Reseller is in the distributor's network in Partner Center; Beta Reseller is not."""
    await sqlite_sandbox.reseller(
        world.reseller_a.organization.display_name, mpn_id=world.reseller_a.organization.mpn_id
    )
    await sqlite_sandbox.reseller(
        world.reseller_b.organization.display_name,
        mpn_id=world.reseller_b.organization.mpn_id,
        in_network=False,
    )
    return world


def details_url(organization: Organization) -> str:
    return f"/api/v1/organizations/{organization.id}/service-details"
