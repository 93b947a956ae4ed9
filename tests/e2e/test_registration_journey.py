"""A new customer's journey in the browser: Buy Now, register, confirm the address from the
email the app really sent, register the organization, the seller approves, the customer orders.

The app runs with its job consumer in-process (a SQLite queue), sending mail over SMTP to a
local server; nothing waits by sleeping: the mailbox is polled with a deadline.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tenantry.app import create_app
from tenantry.notifications import config as mail_config
from tenantry.server import attach_consumer
from tenantry.settings import Settings
from tests.e2e.conftest import PASSWORD, LiveServer, _seed
from tests.e2e.live_sandbox import LiveSandbox, live_sandbox  # noqa: F401  (a fixture used here)
from tests.e2e.timing import ACTION_TIMEOUT_MS
from tests.notifications.local_smtp import LocalSmtpServer
from tests.threaded_servers import free_listener, served

pytestmark = pytest.mark.browser
MAIL_DEADLINE_SECONDS = 20
NEW_PASSWORD = "violet staple orbit lantern"


@pytest.fixture(scope="module")
async def shop(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory,
    live_sandbox: LiveSandbox,  # noqa: F811
) -> AsyncIterator[tuple[LiveServer, LocalSmtpServer]]:  # fmt: skip
    folder = tmp_path_factory.mktemp("shop")
    shutil.copyfile(sqlite_template, folder / "tenantry.db")
    smtp = LocalSmtpServer()
    smtp.start()
    listener = free_listener()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings = Settings(
        environment="test",
        database_url=f"sqlite+aiosqlite:///{folder / 'tenantry.db'}",
        queue_url=f"sqlite:///{folder / 'queue.db'}",
        log_json=False,
        log_level="WARNING",
        smtp_url=smtp.url,
        base_url=url,
        # Partner Center is the sandbox: Service Details checks the new tenant's prefix there.
        partner_center_api_url=live_sandbox.url,
        partner_center_login_url=live_sandbox.url,
    )
    mail_config.configure(settings)
    world, admin_email = await _seed(settings)
    app = create_app(settings)
    attach_consumer(app, settings)
    try:
        async with served(app, listener):
            yield LiveServer(url=url, world=world, admin_email=admin_email), smtp
    finally:
        smtp.stop()
        mail_config.reset()


async def mail_for(smtp: LocalSmtpServer, address: str, subject: str) -> str:
    """The plain text of the first email to ``address`` with ``subject``, once it has arrived."""
    deadline = time.monotonic() + MAIL_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        for received in smtp.mailbox.received:
            if address in received.recipients and received.subject == subject:
                return received.part("plain")
        await asyncio.sleep(0.05)  # polling the mailbox, with a deadline
    pytest.fail(f"no email '{subject}' to {address} within {MAIL_DEADLINE_SECONDS} s")


async def test_buy_now_register_confirm_approve_and_order(
    browser: Browser, shop: tuple[LiveServer, LocalSmtpServer]
) -> None:
    live, smtp = shop
    context = await browser.new_context(base_url=live.url)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    customer: Page = await context.new_page()

    await customer.goto("/store")
    await customer.get_by_role("link", name="Buy Now: Microsoft 365 Business Basic").click()
    await expect(customer.get_by_role("heading", level=1)).to_have_text(
        "Microsoft 365 Business Basic"
    )
    await customer.get_by_role("link", name="Buy Now").click()
    await customer.locator("#main").get_by_role("link", name="Register").click()

    await customer.get_by_label("Your name").fill("Erin Example")
    await customer.get_by_label("Email address").fill("erin@fabrikam.example")
    await customer.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    await customer.get_by_label("Password again").fill(NEW_PASSWORD)
    await customer.get_by_role("button", name="Create account").click()
    await expect(customer.get_by_role("heading", level=1)).to_have_text(
        "Register your organization"
    )
    await expect(customer.get_by_role("region", name="Confirm your email address")).to_be_visible()

    mail = await mail_for(smtp, "erin@fabrikam.example", "Confirm your email address for Tenantry")
    link = re.search(r"(/verify-email\?token=\S+)", mail)
    assert link, mail
    await customer.goto(link.group(1))
    await expect(customer.get_by_role("heading", level=1)).to_have_text("Email address confirmed")
    await customer.get_by_role("link", name="Continue").click()

    await expect(customer.get_by_role("heading", level=1)).to_have_text(
        "Register your organization"
    )
    await customer.get_by_label("Legal name").fill("Fabrikam ApS")
    await customer.get_by_label("Company registration number").fill("13585628")
    await customer.get_by_label("VAT ID").fill("DK13585628")
    await customer.get_by_label("Street address", exact=True).fill("Nørregade 1")
    await customer.get_by_label("City").fill("Copenhagen")
    await customer.get_by_label("Postal code").fill("1165")
    await customer.get_by_role("button", name="Register organization").click()
    waiting = customer.get_by_role("region", name="Waiting for approval")
    await expect(waiting).to_contain_text("Fabrikam ApS is waiting for approval")

    # Waiting: the cart fills, ordering waits.
    await customer.get_by_role("link", name="Buy Now: Microsoft 365 Business Basic").click()
    await customer.get_by_label("Licenses").fill("5")
    await customer.get_by_role("button", name="Buy Now").click()
    await expect(customer.get_by_role("heading", level=1)).to_have_text("Cart of Fabrikam ApS")
    await expect(customer.get_by_role("button", name="Place order")).to_be_disabled()

    # The seller's staff get the email, follow its link, sign in and approve.
    approval = await mail_for(
        smtp, live.world.platform.organization.contact_email,
        "New organization registered - approval pending: Fabrikam ApS",
    )  # fmt: skip
    review = re.search(r"https?://[^/\s]+(/organizations/[0-9a-f-]{36})", approval)
    assert review, approval
    seller = await context.browser.new_context(base_url=live.url) if context.browser else None
    assert seller is not None
    staff = await seller.new_page()
    await staff.goto(review.group(1))
    await staff.get_by_label("Email address").fill(live.admin_email)
    await staff.get_by_label("Password").fill(PASSWORD)
    await staff.get_by_role("button", name="Sign in").click()
    await expect(staff.get_by_role("heading", name="Fabrikam ApS", level=1)).to_be_visible()
    await expect(staff.get_by_role("link", name="Pending approval (1)")).to_be_visible()
    await expect(staff.locator("dd", has_text="through the storefront")).to_have_text(
        "Erin Example <erin@fabrikam.example>, through the storefront"
    )
    await staff.get_by_role("button", name="Approve").click()
    await expect(staff.get_by_role("status")).to_have_text("The organization is approved.")
    await seller.close()

    await mail_for(smtp, "erin@fabrikam.example", "Fabrikam ApS is approved")
    await customer.goto("/cart")
    await expect(waiting).to_have_count(0)
    # The first order asks which Microsoft tenant it is for: a new one, by its name.
    await customer.get_by_role("link", name="Continue to Service Details").click()
    await customer.get_by_label("A new Microsoft tenant").check()
    await customer.get_by_label("Domain prefix").fill("FabrikamShop")
    await expect(customer.locator("#prefix-availability")).to_have_text(
        "fabrikamshop.onmicrosoft.com is available."
    )
    await customer.get_by_role("button", name="Save Service Details").click()
    await expect(customer.get_by_role("status").first).to_contain_text(
        "Tenantry keeps the name fabrikamshop.onmicrosoft.com for this order"
    )
    await customer.get_by_role("link", name="Continue to review and place the order").click()
    # Before the first order, the customer's administrator accepts the Microsoft Customer
    # Agreement (confirmed to Microsoft once the new tenant is created).
    await expect(customer.get_by_role("heading", level=1)).to_have_text(
        "Microsoft Customer Agreement"
    )
    await customer.get_by_role("button", name="I accept the Microsoft Customer Agreement").click()
    await expect(customer.get_by_role("heading", level=1)).to_have_text("Cart of Fabrikam ApS")
    await customer.get_by_role("button", name="Place order").click()
    await expect(customer.get_by_role("heading", level=1)).to_have_text("Order placed")
    await expect(customer.get_by_role("status")).to_contain_text(
        "Fabrikam ApS's order was submitted"
    )
    await context.close()
