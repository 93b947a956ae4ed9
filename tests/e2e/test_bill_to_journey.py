"""Staff see where a customer's bill-to differs from Partner Center's on its page, tick a field
and take Partner Center's value."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, expect

from tenantry.db import Database
from tenantry.models import Organization
from tenantry.settings import Settings
from tests.e2e.conftest import LiveServer
from tests.e2e.test_journeys import sign_in
from tests.sync.visibility import add_account, profile_of

pytestmark = pytest.mark.browser


async def test_staff_take_partner_centers_city_on_the_customers_page(
    page: Page, live_server: LiveServer
) -> None:
    settings = Settings(environment="test", database_url=live_server.database_url)
    database = Database(settings)
    try:
        async with database.transaction() as session:
            customer = await session.get_one(Organization, live_server.world.customer_a.id)
            profile = profile_of(customer, city="Aarhus", postalCode="8000")
            await add_account(session, customer.platform_id, organization=customer, profile=profile)
    finally:
        await database.dispose()

    await sign_in(page, live_server.admin_email, f"/organizations/{customer.id}")
    bill_to = page.locator(
        "section", has=page.get_by_role("heading", name="Bill-to in Partner Center")
    )
    await expect(bill_to.get_by_role("row", name="City")).to_contain_text("Aarhus")
    await bill_to.get_by_label("City").check()
    await bill_to.get_by_role("button", name="Take Partner Center's values").click()

    await expect(page.get_by_role("status")).to_contain_text("Partner Center's values were taken")
    await expect(bill_to.get_by_label("City")).to_have_count(0)
    await expect(bill_to.get_by_label("Postal code")).to_be_visible()
    await page.get_by_role("link", name=customer.display_name).click()
    await expect(page.get_by_label("City", exact=True)).to_have_value("Aarhus")
