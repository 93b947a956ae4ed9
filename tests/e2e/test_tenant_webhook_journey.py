"""The same journey as test_tenant_journey, finished by Partner Center alone: nobody presses
Verify. The sandbox, like Partner Center, posts a signed `reseller-relationship-accepted-by-customer`
callback when the Global Administrator accepts; Tenantry verifies it, its job links the tenant,
and the waiting Service Details page enables ordering by itself."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tenantry.app import create_app
from tenantry.partnercenter_events import registration
from tenantry.server import attach_consumer
from tenantry.settings import (
    SANDBOX_WEBHOOK_CERTIFICATE_PATH,
    SANDBOX_WEBHOOK_CERTIFICATE_SUBJECT,
    Settings,
)
from tests.e2e.conftest import PASSWORD
from tests.e2e.live_sandbox import (  # noqa: F401  (fixture used here)
    SELLER_EMAIL,
    LiveSandbox,
    TenantsServer,
    live_sandbox,
    seed_seller,
)
from tests.e2e.timing import ACTION_TIMEOUT_MS
from tests.threaded_servers import free_listener, served

OFFER = "CFQ7TTC0LH18-0001"
# From acceptance to the enabled order: the sandbox delivers within a second, the job runs,
# and the page asks every 2 s. Far more than that means something is wrong.
SELF_UPDATE_DEADLINE_MS = 20_000


@pytest.fixture(scope="module")
async def webhook_server(
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
    live_sandbox: LiveSandbox,  # noqa: F811
) -> AsyncIterator[TenantsServer]:
    """Tenantry with its job consumer running and its webhook subscription registered with the
    sandbox at start, trusting the sandbox's signing certificate."""
    directory = tmp_path_factory.mktemp("e2e-webhooks")
    shutil.copyfile(sqlite_template, directory / "tenantry.db")
    listener = free_listener()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings = Settings(
        environment="test", base_url=url,
        database_url=f"sqlite+aiosqlite:///{directory / 'tenantry.db'}",
        queue_url=f"sqlite:///{directory / 'queue.db'}",
        log_json=False, log_level="WARNING", smtp_url="smtp://127.0.0.1:1",
        partner_center_api_url=live_sandbox.url, partner_center_login_url=live_sandbox.url,
        partner_center_webhook_certificate_urls=live_sandbox.url + SANDBOX_WEBHOOK_CERTIFICATE_PATH,
        partner_center_webhook_certificate_subjects=SANDBOX_WEBHOOK_CERTIFICATE_SUBJECT,
        partner_center_webhook_register_on_start=False,
    )  # fmt: skip
    world = await seed_seller(settings, live_sandbox)
    app = create_app(settings)
    attach_consumer(app, settings)
    async with served(app, listener, "/healthz") as served_url:
        # Registered before the journey starts, so no callback can come before the subscription.
        assert await registration.register_in_background(settings) is not None
        yield TenantsServer(served_url, world, SELLER_EMAIL)


@pytest.fixture
async def seller_page(browser: Browser, webhook_server: TenantsServer) -> AsyncIterator[Page]:
    context = await browser.new_context(base_url=webhook_server.url)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    yield await context.new_page()
    await context.close()


async def test_the_page_enables_ordering_by_itself_when_the_customer_accepts(
    seller_page: Page, browser: Browser, live_sandbox: LiveSandbox,  # noqa: F811
) -> None:  # fmt: skip
    tenant = await live_sandbox.control(
        "POST", "/customers",
        json={"companyName": "Alpha Customer", "domain": "alphawebhook.onmicrosoft.com",
              "relationship": "none"},
    )  # fmt: skip
    page = seller_page
    await page.goto("/organizations")
    await page.get_by_label("Email address").fill(SELLER_EMAIL)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_role("link", name="Alpha Customer").click()
    await page.get_by_role("button", name="Open as this customer").click()
    await page.goto(f"/store/offers/{OFFER}")
    await page.get_by_role("button", name="Buy Now").click()
    await page.get_by_role("link", name="Continue to Service Details").click()
    await page.get_by_label(
        "My customer is already using Microsoft 365 and owns this domain"
    ).check()
    await page.get_by_label("Domain used with Microsoft 365").first.fill(
        "alphawebhook.onmicrosoft.com"
    )
    await page.get_by_role("button", name="Save Service Details").click()
    link = await page.get_by_label("Authorization link").input_value()
    await expect(page.locator("#continue-to-checkout")).to_have_count(0)

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

    # Nobody touches the Tenantry page: it must notice the acceptance itself.
    await expect(page.locator("#authorization-status")).to_contain_text(
        "is linked to Alpha Customer", timeout=SELF_UPDATE_DEADLINE_MS
    )
    await page.get_by_role("link", name="Continue to review and place the order").click()
    await expect(page.get_by_role("button", name="Place order")).to_be_enabled()
