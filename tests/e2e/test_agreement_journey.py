"""A customer admin is stopped before ordering, accepts the Microsoft Customer Agreement in
Tenantry, and the order goes through: Partner Center (the sandbox) holds the attestation."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect
from sqlalchemy import select

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.identity.service import add_membership, create_user
from tenantry.models import AgreementAcceptance, Organization, Role
from tenantry.settings import Settings
from tests.e2e.conftest import PASSWORD
from tests.e2e.live_sandbox import (  # noqa: F401  (fixture used here)
    LiveSandbox,
    live_sandbox,
    seed_seller,
)
from tests.e2e.test_accessibility import AXE_JS, Checker
from tests.e2e.timing import ACTION_TIMEOUT_MS
from tests.threaded_servers import free_listener, served

pytestmark = pytest.mark.browser
OFFER = "CFQ7TTC0LH18-0001"
ADMIN_EMAIL = "ada.admin@alpha-customer.example"


@dataclass(frozen=True)
class Shop:
    url: str
    settings: Settings


@pytest.fixture(scope="module")
async def shop(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory,
    live_sandbox: LiveSandbox,  # noqa: F811
) -> AsyncIterator[Shop]:  # fmt: skip
    """Alpha Customer holds a tenant Partner Center knows as the distributor's customer, with
    no acceptance of the agreement; Ada is its administrator."""
    path = tmp_path_factory.mktemp("e2e-agreements") / "tenantry.db"
    shutil.copyfile(sqlite_template, path)
    settings = Settings(
        environment="test", database_url=f"sqlite+aiosqlite:///{path}", queue_url="memory://",
        log_json=False, log_level="WARNING", smtp_url="smtp://127.0.0.1:1",
        partner_center_api_url=live_sandbox.url, partner_center_login_url=live_sandbox.url,
    )  # fmt: skip
    world = await seed_seller(settings, live_sandbox)
    customer = await live_sandbox.control(
        "POST", "/customers",
        json={"companyName": "Alpha Customer", "domain": "alphamca.onmicrosoft.com",
              "relationship": "direct"},
    )  # fmt: skip
    database = Database(settings)
    try:
        async with database.transaction() as session:
            organization = await session.get(Organization, world.customer_a.id)
            assert organization is not None
            organization.tenant_id = uuid.UUID(customer["id"])
            admin = await create_user(
                session, email=ADMIN_EMAIL, full_name="Ada Lindqvist", password=PASSWORD,
                verified=True,
            )  # fmt: skip
            await add_membership(session, None, admin, organization, Role.CUSTOMER_ADMIN)
    finally:
        await database.dispose()
    async with served(create_app(settings), free_listener(), "/healthz") as url:
        yield Shop(url, settings)


async def test_a_customer_admin_accepts_the_agreement_and_then_orders(
    browser: Browser, shop: Shop
) -> None:
    context = await browser.new_context(base_url=shop.url)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = await context.new_page()
    await page.goto(f"/sign-in?next=/store/offers/{OFFER}")
    await page.get_by_label("Email address").fill(ADMIN_EMAIL)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_label("Licenses").fill("4")
    await page.get_by_role("button", name="Buy Now").click()

    # Stopped before the cart: the agreement first.
    await expect(page.get_by_role("heading", level=1)).to_have_text("Microsoft Customer Agreement")
    await expect(page.locator("#main")).to_contain_text("Microsoft accepts no purchases")
    assert "117a77b0" not in await page.content(), "no template ID on screen"
    checker = Checker(page, 1280, AXE_JS.read_text(encoding="utf-8"))
    await checker.check("microsoft customer agreement, to accept")
    assert checker.problems == []
    await expect(page.get_by_label("First name")).to_have_value("Ada")
    await expect(page.get_by_label("Last name")).to_have_value("Lindqvist")
    await page.get_by_label("Phone").fill("+45 32 12 34 56")
    await page.get_by_role("button", name="I accept the Microsoft Customer Agreement").click()

    # Back where the customer was going; the order goes through.
    await expect(page.get_by_role("heading", level=1)).to_have_text("Cart of Alpha Customer")
    await expect(page.locator("#blockers")).to_have_count(0)
    await page.get_by_role("button", name="Place order").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Order placed")

    await context.close()
    database = Database(shop.settings)
    try:
        async with database.transaction() as session:
            kept = list(await session.scalars(select(AgreementAcceptance)))
    finally:
        await database.dispose()
    assert len(kept) == 1, "one acceptance, as Partner Center confirmed it"
    assert kept[0].response is not None and kept[0].response["templateId"]
    assert (kept[0].first_name, kept[0].phone) == ("Ada", "+4532123456")
