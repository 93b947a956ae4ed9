"""Creating a customer's new tenant in the Partner Center sandbox: a direct customer, a reseller's
customer, and never two customers when the worker dies between Partner Center's answer and our
commit."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import AuditEvent, LinkMethod, Organization, ServiceDetails
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.settings import Settings
from tenantry.tenants.new_tenant.service import DomainTakenMeanwhile, NoNewTenantChosen
from tests.factories import World
from tests.notifications.local_smtp import LocalSmtpServer
from tests.sandbox.conftest import Sandbox
from tests.tenants.new_tenant.conftest import (
    create,
    create_then_crash,
    credentials_rows,
    customers_with_domain,
    delivered,
    hold_prefix,
    tenant_of,
)

pytestmark = pytest.mark.usefixtures("network")


async def test_a_direct_customer_gets_its_tenant_with_its_company_billing_address_and_contact(
    database: Database, world: World, mail_settings: Settings,
    partner_center: PartnerCenterClient, sqlite_sandbox: Sandbox,
) -> None:  # fmt: skip
    customer = world.direct_customer.organization
    await hold_prefix(database, customer, "directtraders")

    created = await create(database, mail_settings, partner_center, customer)

    assert created.created_now and created.credentials_sent
    tenant = await tenant_of(database, customer)
    assert tenant is not None and tenant.link_method is LinkMethod.CREATED
    assert tenant.initial_domain == "directtraders.onmicrosoft.com"
    assert tenant.relationship == "direct" and tenant.reseller_id is None
    async with database.transaction(write=False) as session:
        organization = await session.get_one(Organization, customer.id)
        details = await session.get_one(ServiceDetails, customer.id)
    assert organization.tenant_id == tenant.tenant_id
    assert details.status.value == "linked"
    found = await sqlite_sandbox.call("GET", f"/v1/customers/{tenant.tenant_id}")
    assert found.status_code == 200, found.text
    assert found.json()["companyProfile"]["domain"] == "directtraders.onmicrosoft.com"
    billing = await sqlite_sandbox.call("GET", f"/v1/customers/{tenant.tenant_id}/profiles/billing")
    profile = billing.json()
    assert profile["companyName"] == customer.legal_name
    assert profile["email"] == customer.contact_email
    assert profile["defaultAddress"]["addressLine1"] == customer.address_line1
    assert profile["defaultAddress"]["city"] == customer.address_city
    assert profile["defaultAddress"]["country"] == "DK"
    assert (profile["firstName"], profile["lastName"]) == ("Contact", "Person")
    # Only the distributor is the partner: no indirect reseller on the customer.
    resellers = await sqlite_sandbox.call("GET", f"/v1/customers/{tenant.tenant_id}/relationships")
    assert resellers.json()["items"] == []


async def test_a_resellers_customer_is_created_as_the_indirect_resellers_customer(
    database: Database, world: World, mail_settings: Settings,
    partner_center: PartnerCenterClient, sqlite_sandbox: Sandbox,
) -> None:  # fmt: skip
    customer = world.customer_a.organization
    await hold_prefix(database, customer, "alphanewco")

    await create(database, mail_settings, partner_center, customer)

    tenant = await tenant_of(database, customer)
    assert tenant is not None
    assert tenant.relationship == "indirect"
    assert tenant.reseller_id == world.reseller_a.organization.id
    resellers = await sqlite_sandbox.call("GET", f"/v1/customers/{tenant.tenant_id}/relationships")
    assert [r["mpnId"] for r in resellers.json()["items"]] == [world.reseller_a.organization.mpn_id]


async def test_the_customers_admin_is_emailed_a_link_not_the_credentials(
    database: Database, world: World, mail_settings: Settings, job_queue: JobQueue,
    smtp_server: LocalSmtpServer, partner_center: PartnerCenterClient,
) -> None:  # fmt: skip
    customer = world.direct_customer.organization
    await hold_prefix(database, customer, "mailedco")

    await create(database, mail_settings, partner_center, customer)

    messages = await delivered(job_queue, smtp_server)
    assert len(messages) == 1
    message = messages[0]
    # Nobody signs in to Tenantry as that customer: the primary contact is its admin here.
    assert message.recipients == [customer.contact_email]
    assert "mailedco.onmicrosoft.com" in message.subject
    assert "/new-tenant/credentials?token=" in message.part("plain")
    assert "/new-tenant/credentials?token=" in message.part("html")
    [row] = await credentials_rows(database)
    assert row.sealed is not None and row.recipient_email == customer.contact_email


async def test_a_crash_after_partner_center_answered_creates_no_second_customer(
    database: Database, world: World, mail_settings: Settings,
    partner_center: PartnerCenterClient, sqlite_sandbox: Sandbox,
) -> None:  # fmt: skip
    customer = world.customer_a.organization
    await hold_prefix(database, customer, "crashco")

    await create_then_crash(database, mail_settings, partner_center, customer)
    assert await tenant_of(database, customer) is None  # nothing of ours was committed
    created = await create(database, mail_settings, partner_center, customer)

    assert len(await customers_with_domain(sqlite_sandbox, "crashco.onmicrosoft.com")) == 1
    tenant = await tenant_of(database, customer)
    assert tenant is not None
    [listed] = await customers_with_domain(sqlite_sandbox, "crashco.onmicrosoft.com")
    assert listed["id"] == str(tenant.tenant_id)
    # Partner Center answered the repeated request id with its first answer: the credentials
    # of the one administrator still reach the customer.
    assert created.credentials_sent
    assert len(await credentials_rows(database)) == 1


async def test_when_partner_center_no_longer_replays_the_tenant_is_linked_without_credentials(
    database: Database, world: World, mail_settings: Settings,
    partner_center: PartnerCenterClient, sqlite_sandbox: Sandbox,
) -> None:  # fmt: skip
    customer = world.direct_customer.organization
    await hold_prefix(database, customer, "lateco")
    await create_then_crash(database, mail_settings, partner_center, customer)
    # Past the time Partner Center keeps answers to repeated request ids.
    ttl = sqlite_sandbox.settings.idempotency_ttl_seconds
    await sqlite_sandbox.control("POST", "/clock", json={"advanceSeconds": ttl + 60})

    created = await create(database, mail_settings, partner_center, customer)

    assert not created.credentials_sent
    assert await credentials_rows(database) == []
    assert len(await customers_with_domain(sqlite_sandbox, "lateco.onmicrosoft.com")) == 1
    async with database.transaction(write=False) as session:
        event = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "tenant.created")
        )
    assert event is not None
    assert event.changes["after"]["credentials_link"] == "not returned by Partner Center"


async def test_a_domain_registered_meanwhile_by_another_tenant_is_said(
    database: Database, world: World, mail_settings: Settings,
    partner_center: PartnerCenterClient, sqlite_sandbox: Sandbox,
) -> None:  # fmt: skip
    customer = world.direct_customer.organization
    await hold_prefix(database, customer, "sniped")
    await sqlite_sandbox.customer(domain="sniped.onmicrosoft.com", relationship="none")

    with pytest.raises(DomainTakenMeanwhile, match="choose another prefix"):
        await create(database, mail_settings, partner_center, customer)
    assert await tenant_of(database, customer) is None


async def test_no_tenant_is_created_without_a_held_prefix(
    database: Database, world: World, mail_settings: Settings, partner_center: PartnerCenterClient
) -> None:
    with pytest.raises(NoNewTenantChosen):
        await create(database, mail_settings, partner_center, world.direct_customer.organization)


async def test_an_organization_holding_its_tenant_is_left_as_it_is(
    database: Database, world: World, mail_settings: Settings, partner_center: PartnerCenterClient
) -> None:
    customer = world.direct_customer.organization
    await hold_prefix(database, customer, "onceco")
    first = await create(database, mail_settings, partner_center, customer)
    again = await create(database, mail_settings, partner_center, customer)
    assert not again.created_now
    assert again.tenant.tenant_id == first.tenant.tenant_id
    assert isinstance(first.tenant.tenant_id, uuid.UUID)
