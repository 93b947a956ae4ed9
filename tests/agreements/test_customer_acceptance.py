"""A customer admin accepts the Microsoft Customer Agreement in Tenantry: sent to it before the
cart and the orders, shown the agreement (never its template ID), confirmed to Partner Center
once even when submitted twice, kept pending for a tenant not created yet; a customer user and
staff acting for the customer are told who accepts."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select

from tenantry.agreements import microsoft
from tenantry.agreements.gate import CUSTOMER_ACCEPTANCE_PATH as PATH
from tenantry.db import Database
from tenantry.models import (
    AcceptanceRoute,
    AgreementAcceptance,
    AuditEvent,
    Organization,
    Role,
    ServiceDetails,
    ServiceDetailsStatus,
    TenantChoice,
)
from tests.agreements.conftest import linked_customer
from tests.factories import World
from tests.sandbox.conftest import Sandbox
from tests.web.conftest import People, person, post_form, sign_in
from tests.web.html import Page
from tests.web.on_behalf_support import open_as

TEMPLATE_ID = "117a77b0-9360-443b-8795-c6dedc750cf9"
ACCEPT = {"first_name": "Erin", "last_name": "Holm", "email": "erin@alpha.example", "phone": ""}


def words(response: httpx.Response) -> str:
    return " ".join(Page(response.text).text.split())


async def status_of(database: Database, world: World) -> tuple[str, int, int]:
    """The state, Partner Center-confirmed acceptances kept, and pending acceptances."""
    async with database.transaction() as session:
        organization = await session.get(Organization, world.customer_a.id)
        assert organization is not None
        status = await microsoft.status_row(session, organization)
        rows = list(await session.scalars(select(AgreementAcceptance)))
        return (
            status.state.value,
            sum(1 for r in rows if r.response is not None),
            int(status.pending_acceptance_id is not None),
        )


async def hold_new_tenant(database: Database, world: World) -> None:
    details = ServiceDetails(
        organization_id=world.customer_a.id, platform_id=world.platform.id,
        choice=TenantChoice.NEW, status=ServiceDetailsStatus.HELD, domain_prefix="alphanew",
    )  # fmt: skip
    async with database.transaction() as session:
        session.add(details)


async def test_a_customer_admin_is_sent_to_the_agreement_and_comes_back_after_accepting(
    client: httpx.AsyncClient, database: Database, world: World, people: People,
    sqlite_sandbox: Sandbox,
) -> None:  # fmt: skip
    tenant = await linked_customer(database, sqlite_sandbox, world.customer_a.organization)
    await sign_in(client, people.customer_admin.email)
    for here in ("/cart", "/orders"):
        sent = await client.get(here)
        assert sent.status_code == 303
        assert sent.headers["location"] == f"{PATH}?next={here}"

    page = await client.get(f"{PATH}?next=/orders", headers={"Accept-Language": "da"})
    assert page.status_code == 200, page.text
    assert TEMPLATE_ID not in page.text, "template IDs never reach a person's screen"
    form = Page(page.text)
    read = "Read the Microsoft Customer Agreement (DK, da-DK)"
    link = next(a for a in form.find_all("a") if a.text == read)
    assert "country=DK" in link["href"] and "language=da-DK" in link["href"]
    assert form.field("email")["value"] == people.customer_admin.email  # prefilled, editable

    refused = await post_form(client, PATH, ACCEPT | {"email": "not-an-email", "next": "/orders"})
    assert refused.status_code == 422
    assert "is not valid" in Page(refused.text).by_id("f-email-error").text
    assert await status_of(database, world) == ("missing", 0, 0), "nothing kept"

    accepted = await post_form(client, PATH, ACCEPT | {"next": "/orders"})
    assert accepted.status_code == 303, accepted.text
    assert accepted.headers["location"] == "/orders"
    again = await post_form(client, PATH, ACCEPT | {"next": "/orders"})
    assert again.status_code == 303, "a double submit is answered as the first"
    confirmed = await sqlite_sandbox.call("GET", f"/v1/customers/{tenant}/agreements")
    assert confirmed.json()["totalCount"] == 1, "Partner Center holds one attestation"
    assert await status_of(database, world) == ("accepted", 1, 0)
    async with database.transaction() as session:
        acceptance = await session.scalar(select(AgreementAcceptance))
        audit = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "agreement.accepted")
        )
    assert acceptance is not None and audit is not None
    assert acceptance.route is AcceptanceRoute.CUSTOMER_IN_PRODUCT
    assert (acceptance.first_name, acceptance.email) == ("Erin", "erin@alpha.example")
    assert (await client.get("/cart")).status_code == 200, "no detour once accepted"
    shown = words(await client.get(PATH))
    assert "has accepted the Microsoft Customer Agreement" in shown


async def test_a_new_tenants_acceptance_waits_for_the_tenant(
    client: httpx.AsyncClient, database: Database, world: World, people: People
) -> None:
    await hold_new_tenant(database, world)
    await sign_in(client, people.customer_admin.email)
    assert (await client.get("/cart")).headers["location"] == f"{PATH}?next=/cart"
    for _ in range(2):
        accepted = await post_form(client, PATH, ACCEPT | {"next": "/cart"})
        assert accepted.status_code == 303, accepted.text
    assert await status_of(database, world) == ("unknown", 0, 1)
    async with database.transaction() as session:
        recorded = list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.action == "agreement.accepted")
            )
        )
    assert len(recorded) == 1, "a double submit is one acceptance"
    assert (await client.get("/cart")).status_code == 200
    assert "confirms the acceptance to Microsoft right after" in words(await client.get(PATH))


async def test_without_a_tenant_chosen_the_customer_is_not_sent_away_from_the_cart(
    client: httpx.AsyncClient, database: Database, people: People, world: World
) -> None:
    await sign_in(client, people.customer_admin.email)
    assert (await client.get("/cart")).status_code == 200
    page = await client.get(PATH)
    assert "Choose the tenant first" in words(page)
    refused = await post_form(client, PATH, ACCEPT)
    assert refused.status_code == 409
    assert await status_of(database, world) == ("unknown", 0, 0)


async def test_partner_center_refusals_are_said_in_plain_words_and_nothing_is_kept(
    client: httpx.AsyncClient, database: Database, world: World, people: People,
    sqlite_sandbox: Sandbox,
) -> None:  # fmt: skip
    # A tenant Partner Center does not know as the distributor's customer.
    async with database.transaction() as session:
        organization = await session.get(Organization, world.customer_a.id)
        assert organization is not None
        organization.tenant_id = uuid.uuid4()
    await sign_in(client, people.customer_admin.email)
    refused = await post_form(client, PATH, ACCEPT)
    assert refused.status_code == 409
    assert "Partner Center does not know" in words(refused)
    assert await status_of(database, world) == ("unknown", 0, 0)


@pytest.mark.parametrize("who", ["customer_user", "on_behalf"])
async def test_only_the_customers_own_administrator_accepts(
    client: httpx.AsyncClient, database: Database, world: World, people: People,
    sqlite_sandbox: Sandbox, who: str,
) -> None:  # fmt: skip
    await linked_customer(database, sqlite_sandbox, world.customer_a.organization)
    if who == "customer_user":
        async with database.transaction() as session:
            organization = await session.get(Organization, world.customer_a.id)
            assert organization is not None
            user = await person(session, organization, Role.CUSTOMER_USER)
        await sign_in(client, user.email)
        said = "An administrator of your organization accepts"
        status = 403
    else:
        await sign_in(client, people.reseller_staff.email)
        assert (await open_as(client, world.customer_a.id)).status_code == 303
        said = "attest the acceptance on its agreements page"
        status = 403
    cart = await client.get("/cart")
    assert cart.status_code == 200, "only an administrator in person is sent to accept"
    if who == "on_behalf":
        assert "until the Microsoft Customer Agreement is accepted" in words(cart)
    page = await client.get(PATH)
    assert said in words(page)
    assert not Page(page.text).find_all("form", action=PATH)
    refused = await post_form(client, PATH, ACCEPT)
    assert refused.status_code == status
    assert await status_of(database, world) == ("missing", 0, 0)
