"""What a CSP's staff do in the browser, end to end."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import PASSWORD, LiveServer

pytestmark = pytest.mark.browser


async def sign_in(page: Page, email: str, path: str = "/organizations") -> None:
    await page.goto(path)
    await expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    await page.get_by_label("Email address").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(lambda url: "/sign-in" not in url)  # and the next page has loaded


async def test_create_approve_block_and_find_it_in_the_audit_log(
    page: Page, live_server: LiveServer
) -> None:
    await sign_in(page, live_server.admin_email)
    await expect(page.get_by_role("heading", name="Organizations", level=1)).to_be_visible()
    await expect(page.get_by_role("link", name="Alpha Reseller")).to_be_visible()

    await page.get_by_role("link", name="New organization").first.click()
    await page.get_by_label("Legal name").fill("Fabrikam ApS")
    await page.get_by_label("Street address", exact=True).fill("Nørregade 1")
    await page.get_by_label("City").fill("Copenhagen")
    await page.get_by_label("Postal code").fill("ABC")  # wrong for Denmark
    await page.get_by_label("Contact name").fill("Ada Admin")
    await page.get_by_label("Contact email address").fill("ada@fabrikam.example")
    await page.get_by_role("button", name="Create", exact=True).click()

    postal_code = page.get_by_label("Postal code")
    await expect(postal_code).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#f-address-postal_code-error")).to_have_text(
        "Error: 'ABC' is not a postal code of DK."
    )
    await expect(page.get_by_label("Legal name")).to_have_value("Fabrikam ApS")  # kept
    await expect(page.get_by_role("alert")).to_be_focused()  # the summary is read out first
    await postal_code.fill("1165")
    await page.get_by_role("button", name="Create", exact=True).click()

    await expect(page.get_by_role("heading", name="Fabrikam ApS", level=1)).to_be_visible()
    await expect(page.get_by_role("status")).to_contain_text("pending approval")
    await page.get_by_role("button", name="Approve").click()
    await expect(page.get_by_role("status")).to_have_text("The organization is approved.")

    await page.get_by_label("Reason for blocking").fill("Unpaid invoices")
    await page.get_by_role("button", name="Block").click()
    await expect(page.get_by_role("status")).to_contain_text("blocked")
    await expect(page.locator(".badge")).to_have_text(re.compile("Blocked"))

    await page.get_by_role("link", name="Audit log of this organization").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Audit log: Fabrikam ApS")
    row = page.get_by_role("row").filter(has_text="organization.block")
    await row.get_by_text("fields").click()  # open the changes
    await expect(row).to_contain_text("Unpaid invoices")
    await expect(row).to_contain_text("Olivia Operations")
    for action in ("organization.approve", "organization.created"):
        await expect(page.get_by_role("row").filter(has_text=action)).to_have_count(1)


async def test_live_filters_and_keyboard(page: Page, live_server: LiveServer) -> None:
    await sign_in(page, live_server.admin_email)
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()

    await page.get_by_label("Kind").select_option("reseller")
    # htmx swaps the results and puts the filters in the address, without reloading the page.
    await expect(page).to_have_url(re.compile(r"kind=reseller"))
    results = page.locator("#results")
    await expect(results.get_by_role("link")).to_have_text(["Alpha Reseller", "Beta Reseller"])
    await page.get_by_label("Search").press_sequentially("beta")
    await expect(results.get_by_role("link")).to_have_text(["Beta Reseller"])
    await expect(page).to_have_url(re.compile(r"q=beta"))


async def test_the_basics_work_without_javascript(
    browser: Browser, live_server: LiveServer
) -> None:
    context = await browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = await context.new_page()
    try:
        await sign_in(page, live_server.admin_email)
        results = page.locator("#results")
        await page.get_by_label("Kind").select_option("reseller")
        await page.get_by_role("button", name="Apply filters").click()
        await expect(page).to_have_url(re.compile(r"kind=reseller"))
        await expect(results.get_by_role("link")).to_have_text(["Alpha Reseller", "Beta Reseller"])
        await page.get_by_label("Status").select_option("blocked")
        await page.get_by_role("button", name="Apply filters").click()
        await expect(results).to_contain_text("No organizations match these filters.")
        await expect(page.get_by_label("Kind")).to_have_value("reseller")  # filters kept
    finally:
        await context.close()


async def test_staff_open_a_customer_as_that_customer_and_end_it(
    page: Page, live_server: LiveServer
) -> None:
    await sign_in(page, live_server.admin_email)
    await page.get_by_role("link", name="Alpha Customer").click()
    await page.get_by_role("button", name="Open as this customer").click()

    banner = page.get_by_role("region", name="Acting for a customer")
    await expect(banner).to_contain_text("Olivia Operations")
    await expect(banner).to_contain_text("is acting for Alpha Customer")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Alpha Reseller store")
    await page.get_by_role("link", name="Cart").click()  # the customer's own cart
    await expect(page.get_by_role("heading", level=1)).to_have_text("Cart of Alpha Customer")
    await expect(banner).to_be_visible()

    await banner.get_by_role("button", name="End").click()
    await expect(banner).to_have_count(0)
    await expect(page.get_by_role("heading", name="Alpha Customer", level=1)).to_be_visible()
    await page.get_by_role("link", name="Audit log of this organization").click()
    for action in ("on_behalf.started", "on_behalf.ended"):
        await expect(page.get_by_role("row").filter(has_text=action)).to_have_count(1)
