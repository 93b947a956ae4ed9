"""One tenant, one organization: races end with one link, retried Verify is safe, and Partner
Center's relationship-accepted event links the organization that waits for the tenant."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import (
    AuditEvent,
    LinkMethod,
    Organization,
    PartnerCenterEvent,
    ServiceDetails,
    ServiceDetailsStatus,
    utcnow,
)
from tenantry.organizations.tenant_check import TenantHeldElsewhere
from tenantry.partnercenter_events import registry
from tenantry.tenants.events import link_waiting_checkout
from tenantry.tenants.linking import TenantFacts, link_tenant
from tests.factories import World
from tests.notifications.local_smtp import LocalSmtpServer
from tests.registration.conftest import deliver, mails_to
from tests.sandbox.conftest import Sandbox
from tests.tenants.conftest import details_url

pytestmark = pytest.mark.usefixtures("network")


async def _link(database: Database, organization_id: uuid.UUID, tenant_id: uuid.UUID) -> str:
    try:
        async with database.transaction() as session:
            organization = await session.get(Organization, organization_id)
            assert organization is not None
            await link_tenant(
                session, None, organization, TenantFacts(tenant_id), LinkMethod.ENTERED
            )
    except TenantHeldElsewhere:
        return "refused"
    return "linked"


async def test_two_organizations_linking_one_tenant_at_once_end_with_one_link(
    database: Database, world: World
) -> None:
    tenant_id = uuid.uuid4()
    outcomes = await asyncio.gather(
        _link(database, world.customer_a.id, tenant_id),
        _link(database, world.customer_b.id, tenant_id),
    )
    assert sorted(outcomes) == ["linked", "refused"]
    async with database.transaction() as session:
        holders = await session.scalar(
            select(func.count())
            .select_from(Organization)
            .where(Organization.tenant_id == tenant_id)
        )
    assert holders == 1


async def test_two_people_verifying_at_once_end_with_one_link(
    client: httpx.AsyncClient, world: World, sqlite_sandbox: Sandbox, database: Database
) -> None:
    tenant = await sqlite_sandbox.customer(domain="racingco.onmicrosoft.com", relationship="none")
    customer = world.direct_customer
    url = details_url(customer.organization)
    chosen = await client.put(
        url, headers=customer.headers,
        json={"choice": "existing", "customer_domain": "racingco.onmicrosoft.com"},
    )  # fmt: skip
    await sqlite_sandbox.control(
        "POST", "/relationships/accept",
        json={"customerId": tenant["id"], "url": chosen.json()["authorization_url"]},
    )  # fmt: skip
    first, second = await asyncio.gather(
        client.post(f"{url}/verify", headers=customer.headers),
        client.post(f"{url}/verify", headers=world.platform.headers),
    )
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    assert first.json()["tenant_id"] == second.json()["tenant_id"] == tenant["id"]
    async with database.transaction() as session:
        links = await session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "tenant.linked")
        )
    assert links == 1


def accepted_event(customer_id: str, platform_id: uuid.UUID) -> PartnerCenterEvent:
    return PartnerCenterEvent(
        id=uuid.uuid4(), platform_id=platform_id, body_sha256=uuid.uuid4().hex * 2,
        event_name="reseller-relationship-accepted-by-customer",
        resource_uri=f"https://api.partnercenter.microsoft.com/v1/customers/{customer_id}",
        body={}, received_at=utcnow(),
    )  # fmt: skip


async def test_the_accepted_event_links_the_organization_waiting_for_the_tenant(
    client: httpx.AsyncClient, world: World, sqlite_sandbox: Sandbox, database: Database
) -> None:
    assert link_waiting_checkout in registry.handlers_for(
        "indirect-reseller-relationship-accepted-by-customer"
    )
    tenant = await sqlite_sandbox.customer(domain="hookedco.onmicrosoft.com", relationship="none")
    reseller = world.reseller_a
    url = details_url(world.customer_a.organization)
    chosen = await client.put(
        url, headers=reseller.headers,
        json={"choice": "existing", "customer_domain": "hookedco.onmicrosoft.com"},
    )  # fmt: skip
    await sqlite_sandbox.control(
        "POST", "/relationships/accept",
        json={"customerId": tenant["id"], "url": chosen.json()["authorization_url"]},
    )  # fmt: skip
    event = accepted_event(tenant["id"], world.platform.id)
    async with database.transaction() as session:
        said = await link_waiting_checkout(session, event)
    assert said == f"linked the tenant {tenant['id']} to Alpha Customer"
    async with database.transaction() as session:
        again = await link_waiting_checkout(session, event)
        details = await session.get(ServiceDetails, world.customer_a.id)
        assert details is not None and details.status is ServiceDetailsStatus.LINKED
    assert again.startswith("nothing linked: no organization waits")
    linked = await client.get(url, headers=reseller.headers)
    assert linked.json()["done"] is True and linked.json()["tenant_id"] == tenant["id"]


async def test_an_event_for_a_tenant_nobody_waits_for_links_nothing_and_says_so(
    world: World, sqlite_sandbox: Sandbox, database: Database
) -> None:
    tenant = await sqlite_sandbox.customer(domain="strangerco.onmicrosoft.com")
    async with database.transaction() as session:
        said = await link_waiting_checkout(session, accepted_event(tenant["id"], world.platform.id))
    assert said.startswith("nothing linked: ") and tenant["id"] in said


async def test_the_link_is_emailed_to_the_customer_without_asking_a_password(
    client: httpx.AsyncClient, world: World, job_queue: JobQueue, smtp_server: LocalSmtpServer
) -> None:
    reseller = world.reseller_a
    url = details_url(world.customer_a.organization)
    await client.put(
        url, headers=reseller.headers,
        json={"choice": "existing", "customer_domain": "mailedco.example"},
    )  # fmt: skip
    sent = await client.post(
        f"{url}/email", headers=reseller.headers, json={"to": "it@mailedco.example"}
    )
    assert sent.status_code == 202, sent.text
    await deliver(job_queue)
    assert mails_to(smtp_server, "it@mailedco.example") == [
        "Alpha Reseller asks to be your Microsoft partner"
    ]
    mail = smtp_server.mailbox.received[-1]
    body = mail.part("plain")
    assert "Nobody will ask you for a password" in body
    assert "invType=IndirectResellerRelationship" in body
    refused = await client.post(f"{url}/email", headers=reseller.headers, json={"to": "nobody"})
    assert refused.status_code == 422
