"""The app wired to an in-process Partner Center sandbox, for agreements."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from tenantry.db import Database
from tenantry.models import Organization
from tenantry.partnercenter import access
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.settings import Settings
from tests.sandbox.conftest import Sandbox
from tests.tenants.conftest import (  # noqa: F401  (fixtures used here)
    app,
    clock,
    job_queue,
    mail_settings,
    people,
    settings_overrides,
    smtp_server,
    sqlite_sandbox,
)


@pytest.fixture
async def partner_center(
    settings: Settings,
    sqlite_sandbox: Sandbox,  # noqa: F811
) -> AsyncIterator[PartnerCenterClient]:
    """The product's client, reaching the sandbox as it would reach Microsoft."""
    configured = access.PartnerCenterAccess(settings, httpx.ASGITransport(app=sqlite_sandbox.app))
    async with configured.client() as client:
        yield client


async def linked_customer(
    database: Database, sandbox: Sandbox, organization: Organization, **fields: object
) -> uuid.UUID:
    """Give ``organization`` a tenant the sandbox knows as the distributor's customer."""
    customer = await sandbox.customer(relationship="direct", **fields)
    tenant_id = uuid.UUID(customer["id"])
    async with database.transaction() as session:
        row = await session.get(Organization, organization.id)
        assert row is not None
        row.tenant_id = tenant_id
    organization.tenant_id = tenant_id
    return tenant_id
