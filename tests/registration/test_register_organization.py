"""Registering the organization: pending approval, its registrant its admin, the seller told;
and nothing created when it may exist already."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.jobs.queue import JobQueue
from tenantry.models import AuditEvent, Membership, Organization, OrganizationStatus, Role, User
from tests.factories import World, make_organization
from tests.notifications.local_smtp import LocalSmtpServer
from tests.registration.conftest import (
    SELLER_CC,
    Sandbox,
    deliver,
    mails_to,
    register_organization,
    registered,
    sign_up,
    text_of,
)


async def organizations_named(database: Database, legal_name: str) -> int:
    async with database.transaction() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Organization)
            .where(Organization.legal_name == legal_name)
        )
        return int(count or 0)


def reveals_nothing(response: httpx.Response, *secrets: str) -> None:
    """The registrant, who may be anyone, learns only that the organization may be registered
    and how to reach the seller: nothing of what matched or whose it is."""
    page = text_of(response)
    assert "may already be registered with Northwind Distribution A/S" in page
    assert "To reach Northwind Distribution A/S yourself:" in page
    for secret in secrets:
        assert secret not in response.text


async def test_the_organization_is_pending_its_registrant_is_admin_and_the_seller_is_emailed(
    client: httpx.AsyncClient, database: Database, world: World, job_queue: JobQueue,
    smtp_server: LocalSmtpServer,
) -> None:  # fmt: skip
    await sign_up(client)
    response = await register_organization(client, next_path="/store/offers/CFQ7TTC0LH18-0001")
    assert response.status_code == 303, text_of(response)
    assert response.headers["location"] == "/store/offers/CFQ7TTC0LH18-0001"

    organization = await registered(database)
    assert organization is not None
    assert organization.status is OrganizationStatus.PENDING_APPROVAL
    assert organization.parent_id == world.platform.id  # the platform's own storefront
    async with database.transaction() as session:
        erin = (
            await session.execute(select(User).where(User.email == "erin@fabrikam.example"))
        ).scalar_one()
        membership = (
            await session.execute(select(Membership).where(Membership.user_id == erin.id))
        ).scalar_one()
        event = (
            await session.execute(
                select(AuditEvent).where(AuditEvent.action == "organization.registered")
            )
        ).scalar_one()
    assert organization.registered_by_id == erin.id
    assert (membership.organization_id, membership.role) == (organization.id, Role.CUSTOMER_ADMIN)
    assert event.actor_label == "Erin Example <erin@fabrikam.example>"

    offer = await client.get("/store/offers/CFQ7TTC0LH18-0001")
    assert "Fabrikam ApS is waiting for approval by Northwind Distribution A/S" in text_of(offer)

    await deliver(job_queue)
    seller_contact = world.platform.organization.contact_email
    subject = "New organization registered - approval pending: Fabrikam ApS"
    assert mails_to(smtp_server, seller_contact) == [subject]
    assert mails_to(smtp_server, SELLER_CC) == [subject]
    mail = next(m for m in smtp_server.mailbox.received if m.subject == subject)
    assert f"/organizations/{organization.id}" in mail.part("plain")
    assert "Erin Example <erin@fabrikam.example>" in mail.part("plain")


async def test_a_refused_field_is_named_and_everything_typed_is_kept(
    client: httpx.AsyncClient, database: Database
) -> None:
    await sign_up(client)
    response = await register_organization(
        client,
        **{
            "address.city": "",
            "address.postal_code": "ABC",
            "registration_number": "",
            "vat_id": "",
        },
    )
    assert response.status_code == 422
    page = text_of(response)
    # A missing field and the rules of the country, named together after one submit.
    assert "City: This field is required." in page
    assert "Postal code: 'ABC' is not a postal code of DK" in page
    assert (
        "Company registration number: Companies in DK give their company registration number"
        in page
    )
    assert "VAT ID: Companies in DK give their VAT ID" in page
    assert 'value="Fabrikam ApS"' in response.text
    assert await organizations_named(database, "Fabrikam ApS") == 0


async def test_posting_the_form_twice_registers_one_organization(
    client: httpx.AsyncClient, database: Database
) -> None:
    await sign_up(client)
    first = await register_organization(client, key="7a1c3f4e-1d2b-4c5a-9e8f-0a1b2c3d4e5f")
    again = await register_organization(client, key="7a1c3f4e-1d2b-4c5a-9e8f-0a1b2c3d4e5f")
    assert first.status_code == again.status_code == 303
    assert await organizations_named(database, "Fabrikam ApS") == 1


async def test_a_known_domain_stops_the_registration_and_alerts_the_seller_once(
    client: httpx.AsyncClient, database: Database, world: World, job_queue: JobQueue,
    smtp_server: LocalSmtpServer,
) -> None:  # fmt: skip
    async with database.transaction() as session:
        platform = await session.get_one(Organization, world.platform.id)
        existing = await make_organization(
            session, platform, legal_name="Fabrikam Holding", domain="fabrikam.example"
        )
    await sign_up(client)
    for _ in range(2):
        response = await register_organization(client)
        assert response.status_code == 409
        assert "Your organization may already be registered" in text_of(response)
        reveals_nothing(response, "Fabrikam Holding", str(existing.id))
    assert await organizations_named(database, "Fabrikam ApS") == 0

    await deliver(job_queue)
    alerts = [m for m in smtp_server.mailbox.received if m.subject.startswith("Possible duplicate")]
    assert len(alerts) == 1
    assert f"/organizations/{existing.id}" in alerts[0].part("plain")
    assert "the domain fabrikam.example belongs to Fabrikam Holding" in alerts[0].part("plain")
    assert set(alerts[0].recipients) == {world.platform.organization.contact_email, SELLER_CC}


async def test_a_known_registration_number_in_the_same_country_stops_it(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    async with database.transaction() as session:
        platform = await session.get_one(Organization, world.platform.id)
        await make_organization(
            session, platform, legal_name="Fabrikam Old", registration_number="1358 5628"
        )
    await sign_up(client)
    response = await register_organization(client, domain="fabrikam-new.example")
    assert response.status_code == 409
    reveals_nothing(response, "Fabrikam Old")


async def test_a_known_vat_id_stops_it_and_the_seller_learns_which_organization(
    client: httpx.AsyncClient, database: Database, world: World, job_queue: JobQueue,
    smtp_server: LocalSmtpServer,
) -> None:  # fmt: skip
    async with database.transaction() as session:
        platform = await session.get_one(Organization, world.platform.id)
        await make_organization(
            session, platform, legal_name="Fabrikam Nordic", vat_id="DK 1358 5628"
        )
    await sign_up(client)
    response = await register_organization(
        client, domain="fabrikam-nordic.example", registration_number="25063864"
    )
    assert response.status_code == 409
    reveals_nothing(response, "Fabrikam Nordic")
    await deliver(job_queue)
    alert = next(m for m in smtp_server.mailbox.received if m.subject.startswith("Possible"))
    assert "the VAT ID DK13585628 belongs to Fabrikam Nordic" in alert.part("plain")


async def test_a_domain_of_a_tenant_the_partner_serves_stops_it(
    client: httpx.AsyncClient, database: Database, sqlite_sandbox: Sandbox
) -> None:
    customer = await sqlite_sandbox.control(
        "POST", "/customers",
        json={"companyName": "Fabrikam Cloud", "customDomain": "fabrikam.example"},
    )  # fmt: skip
    tenant_id = customer["id"]
    await sign_up(client)
    response = await register_organization(client)
    assert response.status_code == 409
    reveals_nothing(response, "Fabrikam Cloud", tenant_id, "Partner Center", "customer")
    assert await organizations_named(database, "Fabrikam ApS") == 0


async def test_a_tenant_without_a_relationship_is_no_duplicate(
    client: httpx.AsyncClient, database: Database, sqlite_sandbox: Sandbox
) -> None:
    await sqlite_sandbox.control(
        "POST", "/customers",
        json={"companyName": "Fabrikam Elsewhere", "customDomain": "fabrikam.example",
              "relationship": "none"},
    )  # fmt: skip
    await sign_up(client)
    response = await register_organization(client)
    assert response.status_code == 303
    assert await organizations_named(database, "Fabrikam ApS") == 1


async def test_a_reseller_storefront_makes_the_reseller_the_seller(
    client: httpx.AsyncClient, database: Database, world: World, job_queue: JobQueue,
    smtp_server: LocalSmtpServer,
) -> None:  # fmt: skip
    store = await client.get(f"/store/{world.reseller_a.id}")
    assert store.status_code == 200
    assert "Alpha Reseller store" in text_of(store)
    await sign_up(client)
    response = await register_organization(client)
    assert response.status_code == 303
    organization = await registered(database)
    assert organization is not None and organization.parent_id == world.reseller_a.id
    await deliver(job_queue)
    assert mails_to(smtp_server, world.reseller_a.organization.contact_email)


async def test_a_person_has_at_most_three_registrations_waiting(
    client: httpx.AsyncClient, database: Database
) -> None:
    await sign_up(client)
    british = {
        "address.country": "GB", "address.city": "London", "address.postal_code": "SW1A 1AA",
        "registration_number": "", "vat_id": "", "preferred_currency": "EUR",
    }  # fmt: skip
    for n in range(4):
        response = await register_organization(
            client, legal_name=f"Fabrikam {n} Ltd", domain=f"fabrikam{n}.example", **british
        )
        assert response.status_code == (303 if n < 3 else 409), text_of(response)
    assert "3 organizations you registered are waiting for approval" in text_of(response)
    assert await organizations_named(database, "Fabrikam 3 Ltd") == 0


async def test_twenty_people_registering_one_company_at_once_make_one_organization(
    app: FastAPI, database: Database, world: World,
) -> None:  # fmt: skip
    transport = httpx.ASGITransport(app=app)
    clients = [
        httpx.AsyncClient(transport=transport, base_url="http://testserver") for _ in range(20)
    ]
    try:
        for number, each in enumerate(clients):
            signed_up = await sign_up(each, f"person{number}@fabrikam.example")
            assert signed_up.status_code == 303, text_of(signed_up)
        answers = await asyncio.gather(*(register_organization(each) for each in clients))
    finally:
        for each in clients:
            await each.aclose()

    assert await organizations_named(database, "Fabrikam ApS") == 1
    assert sorted(answer.status_code for answer in answers).count(303) == 1
    refused = [answer for answer in answers if answer.status_code != 303]
    assert len(refused) == 19
    for answer in refused:
        reveals_nothing(answer, "13585628")
