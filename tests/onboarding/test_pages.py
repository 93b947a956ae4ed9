"""The onboarding tracker on pages: a section of the customer's page (loaded by htmx, a link
without JavaScript) and a page of its own, each state said in words."""

from __future__ import annotations

import httpx

from tenantry.db import Database
from tenantry.models import Organization, Role
from tests.factories import World
from tests.identity.factories import make_person, sign_in
from tests.web.html import Page


async def signed_in(database: Database, organization: Organization, role: Role) -> dict[str, str]:
    async with database.transaction() as session:
        person = await make_person(session, organization, role)
        return await sign_in(session, person, organization)


async def test_the_customers_page_has_an_onboarding_section(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    headers = await signed_in(database, world.reseller_a.organization, Role.RESELLER_ADMIN)
    response = await client.get(f"/organizations/{world.customer_a.id}", headers=headers)

    assert response.status_code == 200
    page = Page(response.text)
    section = page.find("section", id="onboarding")
    assert section.text.startswith("Onboarding")
    url = f"/organizations/{world.customer_a.id}/onboarding"
    assert page.find("div", hx_get=url)["hx-trigger"] == "load"
    assert page.find("a", href=url)


async def test_a_reseller_has_no_onboarding_section(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    headers = await signed_in(database, world.platform.organization, Role.PLATFORM_ADMIN)
    response = await client.get(f"/organizations/{world.reseller_a.id}", headers=headers)

    assert response.status_code == 200
    assert not Page(response.text).find_all("section", id="onboarding")


async def test_htmx_loads_the_steps_in_order_with_their_state_in_words(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    headers = await signed_in(database, world.reseller_a.organization, Role.RESELLER_ADMIN)
    response = await client.get(
        f"/organizations/{world.customer_a.id}/onboarding",
        headers=headers | {"HX-Request": "true"},
    )

    assert response.status_code == 200
    page = Page(response.text)
    assert not page.find_all("html")
    items = page.find_all("li")
    assert [item["id"] for item in items] == [
        "onboarding-created", "onboarding-approved", "onboarding-tenant",
        "onboarding-relationship", "onboarding-reseller_mpn", "onboarding-gdap",
        "onboarding-agreement", "onboarding-first_order",
    ]  # fmt: skip
    assert items[0].text.startswith("Created: ✓ Done")
    assert items[2].text.startswith("Microsoft tenant created or linked: … Waiting")
    assert "Not accepted: Microsoft accepts no purchases" in items[6].text
    assert page.find("a", href=f"/organizations/{world.customer_a.id}/agreements").text == (
        "See the customer's agreements"
    )
    action = page.find("a", href=f"/organizations/{world.customer_a.id}#on-behalf-title")
    assert action.text == "Open as this customer"
    # In the organization's page the Microsoft tenant card shows the tenant, not the steps.
    assert "Microsoft tenant linked yet" not in page.by_id("onboarding-steps").text


async def test_without_javascript_the_steps_are_a_page_of_their_own(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    headers = await signed_in(database, world.customer_a.organization, Role.CUSTOMER_ADMIN)
    response = await client.get(f"/organizations/{world.customer_a.id}/onboarding", headers=headers)

    assert response.status_code == 200
    page = Page(response.text)
    assert page.find("h1").text == "Onboarding of Alpha Customer"
    assert page.find("h2").text == "Microsoft tenant"
    steps = page.by_id("onboarding-steps")
    assert "Choose the Service Details" in steps.text
    assert page.find("a", href="/service-details").text == "Choose the Service Details"


async def test_another_resellers_customer_is_not_found(
    client: httpx.AsyncClient, database: Database, world: World
) -> None:
    headers = await signed_in(database, world.reseller_b.organization, Role.RESELLER_ADMIN)
    response = await client.get(f"/organizations/{world.customer_a.id}/onboarding", headers=headers)
    assert response.status_code == 404
