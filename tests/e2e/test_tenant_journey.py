"""A reseller orders for a customer that already uses Microsoft 365: Service Details hands out the
authorization link, the customer's Global Administrator accepts it on Microsoft's (the sandbox's)
admin center, Verify authorization links the tenant and the order can be placed."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import PASSWORD
from tests.e2e.live_sandbox import (  # noqa: F401  (fixtures used here)
    LiveSandbox,
    TenantsServer,
    live_sandbox,
    tenants_server,
)
from tests.e2e.test_accessibility import AXE_JS, Checker
from tests.e2e.timing import ACTION_TIMEOUT_MS

OFFER = "CFQ7TTC0LH18-0001"


@pytest.fixture
async def seller_page(browser: Browser, tenants_server: TenantsServer) -> AsyncIterator[Page]:  # noqa: F811
    context = await browser.new_context(base_url=tenants_server.url)
    await context.grant_permissions(["clipboard-read", "clipboard-write"])
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    yield await context.new_page()
    await context.close()


async def test_the_global_admin_accepts_and_verify_enables_the_order(
    seller_page: Page, browser: Browser, tenants_server: TenantsServer,  # noqa: F811
    live_sandbox: LiveSandbox,  # noqa: F811
) -> None:  # fmt: skip
    tenant = await live_sandbox.control(
        "POST", "/customers",
        json={"companyName": "Alpha Customer", "domain": "alphacustomer.onmicrosoft.com",
              "relationship": "none"},
    )  # fmt: skip
    page = seller_page
    await page.goto("/organizations")
    await page.get_by_label("Email address").fill(tenants_server.seller_email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("link", name="Alpha Customer").click()
    await page.get_by_role("button", name="Open as this customer").click()
    await page.goto(f"/store/offers/{OFFER}")
    await page.get_by_role("button", name="Buy Now").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Cart of Alpha Customer")

    await page.get_by_role("link", name="Continue to Service Details").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Service Details for Alpha Customer"
    )
    await page.get_by_label(
        "My customer is already using Microsoft 365 and owns this domain"
    ).check()
    await page.get_by_label("Domain used with Microsoft 365").first.fill(
        "alphacustomer.onmicrosoft.com"
    )
    await page.get_by_role("button", name="Save Service Details").click()
    link_box = page.get_by_label("Authorization link")
    link = await link_box.input_value()
    assert "invType=IndirectResellerRelationship" in link
    await page.get_by_role("button", name="Copy the link").click()
    await expect(page.locator("#authorization-url-copied")).to_have_text(re.compile(r"\S"))
    await expect(page.get_by_role("button", name="Place order")).to_be_disabled()
    checker = Checker(page, 1280, AXE_JS.read_text(encoding="utf-8"))
    await checker.check("service details awaiting authorization")
    await page.get_by_label("Domain prefix").fill("not a prefix!")
    await expect(page.locator("#prefix-availability")).to_contain_text("use only letters a-z")
    await checker.check("service details with a prefix refused as typed")
    assert checker.problems == []

    admin = await browser.new_context()
    admin.set_default_timeout(ACTION_TIMEOUT_MS)
    admin_page = await admin.new_page()
    await admin_page.goto(link)
    await admin_page.get_by_label("Email, phone or Skype").fill(tenant["adminUserPrincipalName"])
    await admin_page.get_by_role("button", name="Sign in").click()
    await admin_page.get_by_label(re.compile("I have read and agree")).check()
    await admin_page.get_by_role("button", name="Accept authorization and agreement").click()
    await expect(admin_page.get_by_text("You accepted the invitation")).to_be_visible()
    await admin.close()

    await page.get_by_role("button", name="Verify authorization").click()
    await expect(page.get_by_text("Authorization verified.")).to_be_visible()
    await page.get_by_role("link", name="Continue to review and place the order").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Cart of Alpha Customer")
    await expect(page.get_by_role("button", name="Place order")).to_be_enabled()
