"""A customer's order in the browser: the cart shows the checkout steps and the review, the
customer places the order and reads how to pay, its reseller's staff mark it paid with a
reference, and the timeline shows both steps. Each page passes the accessibility checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tenantry.db import Database
from tenantry.identity.service import add_membership, create_user
from tenantry.models import Role
from tests.e2e.conftest import PASSWORD, LiveServer
from tests.e2e.test_accessibility import AXE_JS, Checker
from tests.e2e.test_journeys import sign_in
from tests.e2e.timing import ACTION_TIMEOUT_MS
from tests.orders.support import ready_to_order

OFFER = "CFQ7TTC0LH18-0001"


async def _person(live: LiveServer, email: str, organization_id: object, role: Role) -> None:
    assert live.settings is not None
    database = Database(live.settings)
    try:
        async with database.transaction() as session:
            from tenantry.models import Organization

            organization = await session.get(Organization, organization_id)
            assert organization is not None
            user = await create_user(session, email=email, full_name=email.split("@")[0].title(),
                                     password=PASSWORD, verified=True)  # fmt: skip
            await add_membership(session, None, user, organization, role)
        if role is Role.CUSTOMER_ADMIN:
            await ready_to_order(database, organization.id)
    finally:
        await database.dispose()


@pytest.fixture
async def second_page(browser: Browser, live_server: LiveServer) -> AsyncIterator[Page]:
    context = await browser.new_context(base_url=live_server.url)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    yield await context.new_page()
    await context.close()


async def test_a_customer_orders_and_its_reseller_marks_the_order_paid(
    page: Page, second_page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    """Screenshots of each page are left in the test's temporary folder."""
    world = live_server.world
    await _person(live_server, "carla@alpha.example", world.customer_a.id, Role.CUSTOMER_ADMIN)
    await _person(live_server, "rob@reseller.example", world.reseller_a.id, Role.RESELLER_ADMIN)
    shots = tmp_path
    checker = Checker(page, 1280, AXE_JS.read_text(encoding="utf-8"))

    await sign_in(page, "carla@alpha.example", "/orders")
    await page.goto(f"/store/offers/{OFFER}")
    await page.get_by_role("button", name="Buy Now").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Cart of Alpha Customer")
    await expect(page.locator("#checkout-steps")).to_contain_text("Service Details: done")
    await expect(page.locator("#review")).to_contain_text(
        "nothing is sent to Microsoft before it is paid"
    )
    await checker.check("cart with checkout steps")
    await page.screenshot(path=str(shots / "cart.png"), full_page=True)
    await page.get_by_role("button", name="Place order").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Order placed")
    await expect(page.locator("#how-to-pay")).to_contain_text("Alpha Reseller invoices this order")
    order_path = page.url.removeprefix(live_server.url)
    await checker.check("order waiting for payment")
    await page.screenshot(path=str(shots / "order-pending.png"), full_page=True)

    seller = second_page
    seller_checker = checker_for(seller)
    await sign_in(seller, "rob@reseller.example", "/orders")
    await seller_checker.check("orders list for the reseller")
    await seller.screenshot(path=str(shots / "orders-list.png"), full_page=True)
    await seller.goto(order_path)
    await seller.get_by_label("Payment reference").fill("INV-2026-0042")
    await seller.get_by_role("button", name="Mark paid").click()
    await expect(
        seller.get_by_role("status").filter(has_text="The order is marked paid.")
    ).to_be_visible()
    await expect(seller.locator("#timeline")).to_contain_text("Paid")
    await expect(seller.locator("#order-status")).to_contain_text("Paid, waiting for provisioning")
    await seller_checker.check("order marked paid")
    await seller.screenshot(path=str(shots / "order-paid.png"), full_page=True)

    await page.reload()
    await expect(page.locator("p.notice").first).to_contain_text(
        "It is paid and waits for provisioning with Microsoft."
    )
    assert checker.problems + seller_checker.problems == []


def checker_for(page: Page) -> Checker:
    return Checker(page, 1280, AXE_JS.read_text(encoding="utf-8"))
