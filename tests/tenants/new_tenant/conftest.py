"""A customer holding a new tenant's prefix, the product's client reaching the sandbox, and the
mail the creation sends."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import (
    MicrosoftTenant,
    NewTenantCredentials,
    Organization,
    ServiceDetails,
    ServiceDetailsStatus,
    TenantChoice,
)
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.settings import Settings
from tenantry.tenants.new_tenant.service import CreatedTenant, create_tenant
from tests.agreements.conftest import partner_center  # noqa: F401  (fixture used here)
from tests.jobs.conftest import run_queued
from tests.notifications.local_smtp import LocalSmtpServer, Received
from tests.sandbox.conftest import Sandbox
from tests.tenants.conftest import (  # noqa: F401  (fixtures used here)
    app,
    clock,
    job_queue,
    mail_settings,
    network,
    people,
    settings_overrides,
    smtp_server,
    sqlite_sandbox,
)

LINK = re.compile(r"(/new-tenant/credentials\?token=[A-Za-z0-9_\-]+)")


async def hold_prefix(database: Database, organization: Organization, prefix: str) -> None:
    """The customer chose a new tenant with ``prefix`` in Service Details."""
    async with database.transaction() as session:
        held = ServiceDetails(
            organization_id=organization.id, platform_id=organization.platform_id,
            choice=TenantChoice.NEW, status=ServiceDetailsStatus.HELD, domain_prefix=prefix,
        )  # fmt: skip
        session.add(held)


async def create(
    database: Database, settings: Settings, client: PartnerCenterClient, organization: Organization
) -> CreatedTenant:
    """What provisioning does first for a new-tenant order, in a transaction of its own."""
    async with database.transaction() as session:
        row = await session.get_one(Organization, organization.id)
        return await create_tenant(session, client, settings, row)


async def tenant_of(database: Database, organization: Organization) -> MicrosoftTenant | None:
    async with database.transaction(write=False) as session:
        return await session.get(MicrosoftTenant, organization.id)


async def credentials_rows(database: Database) -> list[NewTenantCredentials]:
    async with database.transaction(write=False) as session:
        return list(await session.scalars(select(NewTenantCredentials)))


async def delivered(queue: JobQueue, smtp: LocalSmtpServer) -> list[Received]:
    """Send what the outbox holds and return every message the SMTP server received."""
    await run_queued(queue)
    return smtp.mailbox.received


def link_in(message: Received) -> str:
    found = LINK.search(message.part("plain"))
    assert found, message.part("plain")
    return found.group(1)


async def customers_with_domain(sandbox: Sandbox, domain: str) -> list[dict[str, object]]:
    response = await sandbox.call(
        "GET", "/v1/customers",
        params={"size": 0, "filter": f'{{"Field":"Domain","Value":"{domain}","Operator":"starts_with"}}'},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return [c for c in items if c["companyProfile"]["domain"] == domain]  # type: ignore[index]


class Crash(Exception):
    """The worker dies after Partner Center answered, before our commit."""


async def create_then_crash(
    database: Database, settings: Settings, client: PartnerCenterClient, organization: Organization
) -> None:
    async def crashing() -> None:
        async with database.transaction() as session:
            row = await session.get_one(Organization, organization.id)
            await create_tenant(session, client, settings, row)
            raise Crash

    with pytest.raises(Crash):
        await crashing()
