"""A customer with its existing Microsoft tenant linked orders in the browser, its reseller's staff
mark the order paid, the job consumer running inside the server buys it in the live sandbox
and the order completes by itself; the customer then finds its tenant's people on its Users and
licenses page, imported after this first order. Each page passes the accessibility checks;
screenshots are left in the test's temporary folder."""

from __future__ import annotations

import re
import shutil
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tenantry.app import create_app
from tenantry.db import Database
from tenantry.identity.service import add_membership, create_user
from tenantry.models import LinkMethod, Organization, Role
from tenantry.server import attach_consumer
from tenantry.settings import Settings
from tenantry.tenants.linking import TenantFacts, link_tenant
from tests.agreements.accepted import agreement_accepted
from tests.e2e.conftest import PASSWORD
from tests.e2e.live_sandbox import (  # noqa: F401  (fixture used here)
    SELLER_EMAIL,
    LiveSandbox,
    live_sandbox,
    seed_seller,
)
from tests.e2e.test_accessibility import AXE_JS, Checker
from tests.e2e.test_journeys import sign_in
from tests.e2e.timing import ACTION_TIMEOUT_MS
from tests.factories import World
from tests.threaded_servers import free_listener, served

OFFER = "CFQ7TTC0LH18-0001"  # Microsoft 365 Business Basic
CUSTOMER_EMAIL = "camilla@alpha-customer.example"
CUSTOM_DOMAIN = "alpha-customer.example"
POWER_BI = "f8a1db68-be16-40ed-86d5-cb42ce701560"
# The people of Alpha Customer's tenant, besides its Global Administrator: first and last name,
# and the sign-in name (user principal names are ASCII).
PEOPLE = (("Freja", "Holm", "freja"), ("Mads", "Kjeldsen", "mads"), ("Ida", "Sørensen", "ida"))
# From "Mark paid" to the completed order: the job's steps follow each other at once, Microsoft's
# provisioning is read every second. From then to the imported users: one import job.
PROVISIONED_DEADLINE_S = 90
IMPORTED_DEADLINE_S = 60
# How long one look at the page waits before it is loaded again.
LOOK_MS = 3_000


@dataclass(frozen=True)
class JourneyServer:
    url: str
    world: World
    tenant: dict[str, Any]  # the sandbox's answer when the customer's tenant was made


async def tenant_with_people(sandbox: LiveSandbox) -> dict[str, Any]:
    """Alpha Customer's existing tenant: served by Alpha Reseller under the distributor, its
    Microsoft Customer Agreement accepted, three people, and two Power BI Pro licenses bought
    from another provider, one held by Freja."""
    made: dict[str, Any] = await sandbox.control(
        "POST", "/customers",
        json={"companyName": "Alpha Customer", "domain": "alphacustomer.onmicrosoft.com",
              "relationship": "indirect", "mcaAttested": True, "extraUsers": 0, "skus": [],
              "customDomain": CUSTOM_DOMAIN},
    )  # fmt: skip
    people = []
    for first, last, user_name in PEOPLE:
        person = {"firstName": first, "lastName": last, "userName": user_name,
                  "usageLocation": "US"}  # fmt: skip
        people.append(await sandbox.control("POST", f"/customers/{made['id']}/users", json=person))
    await sandbox.control(
        "POST", f"/customers/{made['id']}/other-provider-licenses",
        json={"skuId": POWER_BI, "units": 2},
    )  # fmt: skip
    await sandbox.control(
        "PUT", f"/customers/{made['id']}/users/{people[0]['id']}/licenses",
        json={"skuIds": [POWER_BI]},
    )  # fmt: skip
    return made


async def ready_customer(settings: Settings, world: World, tenant: dict[str, Any]) -> None:
    """Alpha Customer (in the US, where the sandbox sells) holds the tenant, linked once its
    authorization was verified, has accepted the agreement, and has an admin who orders."""
    database = Database(settings)
    try:
        async with database.transaction() as session:
            organization = await session.get_one(Organization, world.customer_a.id)
            organization.address_country = "US"
            organization.address_region = "WA"
            organization.address_city = "Redmond"
            organization.address_postal_code = "98052"
            facts = TenantFacts(
                uuid.UUID(tenant["id"]), company_name=tenant["companyName"],
                initial_domain=tenant["domain"], relationship="indirect",
                reseller_id=world.reseller_a.id,
            )  # fmt: skip
            await link_tenant(session, None, organization, facts, LinkMethod.VERIFIED)
            admin = await create_user(
                session, email=CUSTOMER_EMAIL, full_name="Camilla Customer", password=PASSWORD,
                verified=True,
            )  # fmt: skip
            await add_membership(session, None, admin, organization, Role.CUSTOMER_ADMIN)
        await agreement_accepted(database, world.customer_a.id)
    finally:
        await database.dispose()


@pytest.fixture(scope="module")
async def journey_server(
    sqlite_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
    live_sandbox: LiveSandbox,  # noqa: F811
) -> AsyncIterator[JourneyServer]:
    """Tenantry with its job consumer running in the server, talking to ``live_sandbox`` as to
    Partner Center, Alpha Customer ready to order for its linked tenant."""
    directory = tmp_path_factory.mktemp("e2e-existing-tenant")
    shutil.copyfile(sqlite_template, directory / "tenantry.db")
    listener = free_listener()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    settings = Settings(
        environment="test", base_url=url,
        database_url=f"sqlite+aiosqlite:///{directory / 'tenantry.db'}",
        queue_url=f"sqlite:///{directory / 'queue.db'}",
        log_json=False, log_level="WARNING", smtp_url="smtp://127.0.0.1:1",
        partner_center_api_url=live_sandbox.url, partner_center_login_url=live_sandbox.url,
        partner_center_webhook_register_on_start=False, provisioning_poll_seconds=1,
    )  # fmt: skip
    world = await seed_seller(settings, live_sandbox)
    tenant = await tenant_with_people(live_sandbox)
    await ready_customer(settings, world, tenant)
    app = create_app(settings)
    attach_consumer(app, settings)
    async with served(app, listener, "/healthz") as served_url:
        yield JourneyServer(served_url, world, tenant)


async def new_page(browser: Browser, server: JourneyServer) -> AsyncIterator[Page]:
    context = await browser.new_context(base_url=server.url)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    yield await context.new_page()
    await context.close()


@pytest.fixture
async def customer_page(browser: Browser, journey_server: JourneyServer) -> AsyncIterator[Page]:
    async for page in new_page(browser, journey_server):
        yield page


@pytest.fixture
async def seller_page(browser: Browser, journey_server: JourneyServer) -> AsyncIterator[Page]:
    async for page in new_page(browser, journey_server):
        yield page


async def shows_after_reloads(page: Page, where: Locator, text: str | re.Pattern[str],
                              deadline_s: float) -> None:  # fmt: skip
    """Wait for ``where`` to contain ``text``, loading the page again between looks (it does
    not refresh itself), until the deadline."""
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            await expect(where).to_contain_text(text, timeout=LOOK_MS)
            return
        except AssertionError:
            if time.monotonic() >= deadline:
                raise
            await page.reload()


async def test_the_customer_orders_and_finds_its_tenants_users_imported_after_provisioning(
    customer_page: Page, seller_page: Page, journey_server: JourneyServer, tmp_path: Path
) -> None:
    world, tenant = journey_server.world, journey_server.tenant
    page, seller = customer_page, seller_page
    axe = AXE_JS.read_text(encoding="utf-8")
    checkers = [Checker(page, 1280, axe), Checker(seller, 1280, axe)]
    checker, seller_checker = checkers

    await sign_in(page, CUSTOMER_EMAIL, "/orders")
    await page.goto(f"/store/offers/{OFFER}")
    await page.get_by_role("button", name="Buy Now").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Cart of Alpha Customer")
    await expect(page.locator("#checkout-steps")).to_contain_text("Service Details: done")
    await checker.check("cart")
    await page.screenshot(path=str(tmp_path / "1-cart.png"), full_page=True)
    await page.get_by_role("button", name="Place order").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Order placed")
    await expect(page.locator("#how-to-pay")).to_contain_text("Alpha Reseller invoices this order")
    order_path = page.url.removeprefix(journey_server.url)
    await checker.check("order waiting for payment")
    await page.screenshot(path=str(tmp_path / "2-order-placed.png"), full_page=True)

    await sign_in(seller, SELLER_EMAIL, order_path)
    await seller.get_by_label("Payment reference").fill("INV-2026-0107")
    await seller.get_by_role("button", name="Mark paid").click()
    await expect(
        seller.get_by_role("status").filter(has_text="The order is marked paid.")
    ).to_be_visible()
    await seller_checker.check("order marked paid")
    await seller.screenshot(path=str(tmp_path / "3-marked-paid.png"), full_page=True)

    # Nobody acts any more: the server's own worker buys the order in Partner Center.
    await page.reload()
    await shows_after_reloads(page, page.locator("#order-status"), "Completed",
                              PROVISIONED_DEADLINE_S)  # fmt: skip
    await expect(page.locator("p.notice").first).to_contain_text(
        "It is completed: Microsoft provisioned it."
    )
    await expect(page.locator("#timeline")).to_contain_text("Completed")
    await expect(page.locator("#failure")).to_have_count(0)
    await checker.check("order completed")
    await page.screenshot(path=str(tmp_path / "4-order-completed.png"), full_page=True)

    await page.goto(f"/organizations/{world.customer_a.id}/directory")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Users and licenses of Alpha Customer"
    )
    # Users come in before their licenses: wait for the whole import to have succeeded.
    await shows_after_reloads(page, page.get_by_role("region", name="Recent imports"),
                              "Succeeded (after the first order)", IMPORTED_DEADLINE_S)  # fmt: skip
    users = page.get_by_role("table").filter(has_text="Usage location")
    rows = users.locator("tbody tr")
    await expect(rows).to_have_count(len(PEOPLE) + 1)  # and the Global Administrator
    for first, last, user_name in PEOPLE:
        person = rows.filter(has_text=f"{first} {last}")
        await expect(person).to_contain_text(f"{user_name}@alphacustomer.onmicrosoft.com")
    await expect(rows.filter(has_text=tenant["adminUserPrincipalName"])).to_have_count(1)
    freja = rows.filter(has_text="Freja Holm")
    await expect(freja).to_contain_text("Power BI Pro")
    await expect(freja).to_contain_text("another provider")
    licenses = page.get_by_role("table").filter(has_text="Bought from")
    await expect(licenses.get_by_role("row", name=re.compile("Business Basic"))).to_contain_text(
        "Bought here"
    )
    await expect(licenses.get_by_role("row", name=re.compile("Power BI Pro"))).to_contain_text(
        "Another provider"
    )
    domains = page.get_by_role("region", name="Domains")
    await expect(domains).to_contain_text(CUSTOM_DOMAIN)
    await expect(domains).to_contain_text(f"{tenant['domain']} (initial domain)")
    # Importing again is for the seller's staff; the customer reads.
    await expect(page.get_by_role("button", name="Import now")).to_have_count(0)
    await checker.check("users and licenses")
    await page.screenshot(path=str(tmp_path / "5-users.png"), full_page=True)

    assert [problem for c in checkers for problem in c.problems] == []
