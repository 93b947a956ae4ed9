"""A reseller's request attested by the distributor: the reseller asks on the customer's
agreements page, the distributor attests in its queue (Partner Center: the live sandbox), and
the reseller sees the agreement accepted."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.identity.service import add_membership, create_user
from tenantry.models import Organization, Role, utcnow
from tenantry.settings import Settings
from tests.e2e.conftest import PASSWORD
from tests.e2e.live_sandbox import SELLER_EMAIL as RESELLER_EMAIL
from tests.e2e.live_sandbox import (  # noqa: F401  (fixtures used here)
    LiveSandbox,
    live_sandbox,
    seed_seller,
)
from tests.e2e.timing import ACTION_TIMEOUT_MS
from tests.factories import World
from tests.threaded_servers import free_listener, served

pytestmark = pytest.mark.browser
DISTRIBUTOR_EMAIL = "dana.distributor@northwind.example"


@dataclass(frozen=True)
class Served:
    url: str
    world: World


@pytest.fixture(scope="module")
async def server(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory,
    live_sandbox: LiveSandbox,  # noqa: F811
) -> AsyncIterator[Served]:  # fmt: skip
    """Tenantry on Partner Center's sandbox; Alpha Customer's tenant is the distributor's
    customer there; a reseller admin of Alpha Reseller and a distributor admin can sign in."""
    path = tmp_path_factory.mktemp("e2e-attestation") / "tenantry.db"
    shutil.copyfile(sqlite_template, path)
    settings = Settings(
        environment="test", database_url=f"sqlite+aiosqlite:///{path}", queue_url="memory://",
        log_json=False, log_level="WARNING", smtp_url="smtp://127.0.0.1:1",
        partner_center_api_url=live_sandbox.url, partner_center_login_url=live_sandbox.url,
    )  # fmt: skip
    world = await seed_seller(settings, live_sandbox)
    tenant = await live_sandbox.control(
        "POST", "/customers", json={"companyName": "Alpha Customer", "relationship": "direct"}
    )
    database = Database(settings)
    try:
        async with database.transaction() as session:
            customer = await session.get_one(Organization, world.customer_a.id)
            customer.tenant_id = uuid.UUID(tenant["id"])
            dana = await create_user(
                session, email=DISTRIBUTOR_EMAIL, full_name="Dana Distributor",
                password=PASSWORD, verified=True,
            )  # fmt: skip
            await add_membership(
                session, None, dana, world.platform.organization, Role.PLATFORM_ADMIN
            )
    finally:
        await database.dispose()
    async with served(create_app(settings), free_listener(), "/healthz") as url:
        yield Served(url, world)


async def _signed_in(browser: Browser, server: Served, email: str, path: str) -> Page:
    context = await browser.new_context(base_url=server.url)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = await context.new_page()
    await page.goto(path)
    await page.get_by_label("Email address").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    return page


async def test_the_distributor_attests_what_the_reseller_asked(
    browser: Browser, server: Served
) -> None:
    customer = server.world.customer_a.organization
    agreements = f"/organizations/{customer.id}/agreements"
    day = (utcnow() - timedelta(days=3)).date().isoformat()

    reseller = await _signed_in(browser, server, RESELLER_EMAIL, agreements)
    await expect(reseller.get_by_role("heading", level=1)).to_have_text(
        "Agreements of Alpha Customer"
    )
    ask = reseller.locator("form", has=reseller.get_by_role("button", name="Ask to attest"))
    await ask.get_by_label("First name").fill("Anna")
    await ask.get_by_label("Last name").fill("Hansen")
    await ask.get_by_label("Email").fill("anna@alpha-customer.example")
    await ask.get_by_label("Date of acceptance").fill(day)
    await ask.get_by_label("Note").fill("Signed copy in our CRM")
    await ask.get_by_role("button", name="Ask to attest").click()
    await expect(reseller.get_by_role("status")).to_contain_text("Your distributor was asked")

    distributor = await _signed_in(browser, server, DISTRIBUTOR_EMAIL, "/organizations")
    await distributor.get_by_role("link", name="Attestation requests (1 open)").click()
    request = distributor.locator("section.request")
    await expect(request).to_contain_text("Signed copy in our CRM")
    await expect(request.get_by_label("Email")).to_have_value("anna@alpha-customer.example")
    await request.get_by_role("button", name="Attest the acceptance").click()
    await expect(distributor.get_by_role("status")).to_contain_text("Partner Center confirmed")
    await expect(distributor.get_by_text("No request is waiting.")).to_be_visible()

    await reseller.goto(agreements)
    await expect(reseller.locator("#mca-state")).to_have_text(
        "Accepted (confirmed in Partner Center)"
    )
    await expect(reseller.locator(".request-status")).to_have_text("Attested")
    await expect(
        reseller.get_by_role("heading", name="Ask your distributor to attest")
    ).to_have_count(0)
