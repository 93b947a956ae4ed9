"""The Microsoft tenant card of a customer organization (its page, loaded by htmx) and the same
details in the organization API's read."""

from __future__ import annotations

import httpx

from tenantry.db import Database
from tenantry.models import Organization, Role
from tests.factories import World, give_tenant
from tests.onboarding.test_pages import signed_in
from tests.web.html import Page

HTMX = {"HX-Request": "true"}


def card_url(world: World) -> str:
    return f"/organizations/{world.customer_a.id}/microsoft-tenant"


async def test_the_customers_page_has_a_microsoft_tenant_card(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    headers = await signed_in(database, world.reseller_a.organization, Role.RESELLER_ADMIN)
    page = Page((await client.get(f"/organizations/{world.customer_a.id}", headers=headers)).text)
    section = page.find("section", id="microsoft-tenant")
    assert section.text.startswith("Microsoft tenant")
    assert page.find("div", hx_get=card_url(world))["hx-trigger"] == "load"
    assert page.find("a", href=card_url(world))
    reseller = await client.get(f"/organizations/{world.reseller_a.id}", headers=headers)
    assert not Page(reseller.text).find_all("section", id="microsoft-tenant")


async def test_without_a_tenant_those_who_may_act_get_the_way_to_the_service_details(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    admin = await signed_in(database, world.customer_a.organization, Role.CUSTOMER_ADMIN)
    card = Page((await client.get(card_url(world), headers=admin | HTMX)).text)
    assert not card.find_all("html")
    assert "No Microsoft tenant linked yet." in card.by_id("microsoft-tenant-card").text
    assert card.find("a", href="/service-details").text == "Choose the Service Details"

    seller = await signed_in(database, world.reseller_a.organization, Role.RESELLER_ADMIN)
    card = Page((await client.get(card_url(world), headers=seller | HTMX)).text)
    link = card.find("a", href=f"/organizations/{world.customer_a.id}#on-behalf-title")
    assert link.text == "Open as this customer"

    user = await signed_in(database, world.customer_a.organization, Role.CUSTOMER_USER)
    card = Page((await client.get(card_url(world), headers=user | HTMX)).text)
    assert "No Microsoft tenant linked yet." in card.by_id("microsoft-tenant-card").text
    assert not card.find_all("a"), "a customer user may not choose the Service Details"


async def test_a_linked_tenant_is_shown_on_the_card_and_in_the_api(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    async with database.transaction() as session:
        customer = await session.get_one(Organization, world.customer_a.id)
        tenant_id = await give_tenant(session, customer)
    headers = await signed_in(database, world.customer_a.organization, Role.CUSTOMER_ADMIN)
    page = Page((await client.get(card_url(world), headers=headers)).text)
    assert page.find("h1").text == "Microsoft tenant of Alpha Customer"
    text = " ".join(page.by_id("microsoft-tenant-card").text.split())
    initial = f"t{tenant_id.hex[:12]}.onmicrosoft.com"
    assert f"Tenant ID{tenant_id}" in text and f"Initial domain{initial}" in text
    assert "Verified domains" in text and "How linked" in text and "Linked2" in text
    assert not page.find_all("a", href="/service-details")

    read = (
        await client.get(
            f"/api/v1/organizations/{world.customer_a.id}", headers=world.platform.headers
        )
    ).json()
    assert read["tenant_id"] == str(tenant_id)
    assert read["microsoft_tenant"]["tenant_id"] == str(tenant_id)
    assert read["microsoft_tenant"]["initial_domain"] == initial
    assert read["microsoft_tenant"]["link_method"] == "entered"
    listed = await client.get(
        "/api/v1/organizations", params={"kind": "customer"}, headers=world.platform.headers
    )
    by_id = {o["id"]: o["microsoft_tenant"] for o in listed.json()["items"]}
    assert by_id[str(world.customer_a.id)]["tenant_id"] == str(tenant_id)
    assert by_id[str(world.customer_b.id)] is None


async def test_another_resellers_customer_card_is_not_found(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    headers = await signed_in(database, world.reseller_b.organization, Role.RESELLER_ADMIN)
    assert (await client.get(card_url(world), headers=headers | HTMX)).status_code == 404
