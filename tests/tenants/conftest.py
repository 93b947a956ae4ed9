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
from tests.jobs.conftest import clock, job_queue
from tests.notifications.conftest import mail_settings, smtp_server
from tests.sandbox.conftest import BASE_URL as SANDBOX_URL
from tests.sandbox.conftest import Sandbox, sqlite_sandbox
from tests.web.conftest import people

# Fixtures used here, and by the conftests that take these tests' fixtures from this one.
__all__ = ["clock", "job_queue", "mail_settings", "people", "smtp_server", "sqlite_sandbox"]


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"partner_center_api_url": SANDBOX_URL, "partner_center_login_url": SANDBOX_URL}


@pytest.fixture
def app(
    mail_settings: Settings,
    database: Database,
    job_queue: JobQueue,
    sqlite_sandbox: Sandbox,
) -> FastAPI:
    return create_app(
        mail_settings, database=database, queue=job_queue,
        http_transport=httpx.ASGITransport(app=sqlite_sandbox.app),
    )  # fmt: skip


@pytest.fixture
async def network(sqlite_sandbox: Sandbox, world: World) -> World:
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
