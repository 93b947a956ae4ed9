"""Staff find a proposed match, merge the two organizations in the wizard, and the organization
that remains orders: it holds the merged one's tenant and cart."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect

from tenantry.db import Database
from tenantry.models import CartItem, Organization, OrganizationKind, Role
from tenantry.security import Actor
from tenantry.sync.matching import find_duplicate_organizations
from tests.agreements.accepted import agreement_accepted
from tests.e2e.conftest import LiveServer
from tests.e2e.test_accessibility import AXE_JS, Checker
from tests.e2e.test_journeys import sign_in
from tests.factories import give_tenant, make_organization

pytestmark = pytest.mark.browser


async def _duplicates(live_server: LiveServer) -> None:
    """Two records of one customer of reseller A: one made by hand (no tenant), one holding
    the tenant with something in its cart."""
    assert live_server.settings is not None
    database = Database(live_server.settings)
    world = live_server.world
    try:
        async with database.transaction() as session:
            platform = await session.get(Organization, world.platform.id)
            reseller = await session.get(Organization, world.reseller_a.id)
            assert platform is not None and reseller is not None
            await make_organization(
                session, platform, parent=reseller, legal_name="Fabrikam ApS",
                domain="fabrikam.example",
            )  # fmt: skip
            synced = await make_organization(
                session, platform, parent=reseller, legal_name="FABRIKAM A/S",
                domain="fabrikam.example",
            )  # fmt: skip
            await give_tenant(session, synced)
            session.add(CartItem(organization_id=synced.id, offer_id="CFQ7TTC0LH18:0001",
                                 term="P1M", quantity=3))  # fmt: skip
            staff = Actor(
                platform_id=platform.id, organization_id=platform.id,
                organization_kind=OrganizationKind.PLATFORM, role=Role.PLATFORM_ADMIN,
                label="Seed",
            )  # fmt: skip
            assert len(await find_duplicate_organizations(session, staff)) == 1
        await agreement_accepted(database, synced.id)
    finally:
        await database.dispose()


async def test_staff_merge_a_proposed_match_and_the_organization_orders(
    page: Page, live_server: LiveServer
) -> None:
    await _duplicates(live_server)
    await sign_in(page, live_server.admin_email)
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Matches").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Matches")
    checker = Checker(page, 1280, AXE_JS.read_text(encoding="utf-8"))
    await checker.check("matches")
    match = page.get_by_role("listitem").filter(has_text="FABRIKAM A/S")
    await expect(match.get_by_role("row").filter(has_text="Same verified domain")).to_contain_text(
        "fabrikam.example"
    )
    await expect(match.get_by_role("row").filter(has_text="Same company name")).to_be_visible()
    await match.get_by_role("link", name="Merge…").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Merge (FABRIKAM A/S into Fabrikam ApS|Fabrikam ApS into FABRIKAM A/S)$")
    )
    if "Merge Fabrikam ApS into" in (await page.get_by_role("heading", level=1).inner_text()):
        await page.get_by_role("link", name="Keep Fabrikam ApS instead").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Merge FABRIKAM A/S into Fabrikam ApS"
    )
    await checker.check("merge wizard")
    legal_name = page.get_by_role("group", name="Legal name")
    await legal_name.get_by_role("radio", name="FABRIKAM A/S (from FABRIKAM A/S)").check()
    await legal_name.get_by_role("radio", name="Fabrikam ApS (from Fabrikam ApS)").check()
    await page.get_by_role("button", name="Merge FABRIKAM A/S into Fabrikam ApS").click()

    await expect(page.get_by_role("heading", level=1)).to_have_text("Fabrikam ApS")
    await expect(page.get_by_role("status")).to_have_text(
        "The organizations are merged into this one."
    )
    await page.get_by_role("button", name="Open as this customer").click()
    await page.goto("/cart")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Cart of Fabrikam ApS")
    place = page.get_by_role("button", name="Place order")
    await expect(place).to_be_enabled()  # the tenant came with the merge: no Service Details
    await place.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Order placed for Fabrikam ApS")
