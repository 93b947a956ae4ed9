"""A subscription's page in Chromium: its details, the forms to change it, its changes with
their states (a failed one says why and what to do), accessible at phone and desktop widths."""

from __future__ import annotations

import uuid

from playwright.async_api import Page, expect

from tenantry.db import Database
from tenantry.models import (
    MicrosoftSubscription,
    SubscriptionChange,
    SubscriptionChangeKind,
    SubscriptionChangeState,
    utcnow,
)
from tenantry.settings import Settings
from tests.e2e.conftest import LiveServer
from tests.e2e.test_accessibility import AXE_JS, Checker
from tests.e2e.test_journeys import sign_in


async def _subscription(live: LiveServer) -> str:
    assert live.settings is not None
    database = Database(Settings(**{**live.settings.model_dump(), "log_level": "WARNING"}))
    customer = live.world.customer_a.organization
    try:
        async with database.transaction() as session:
            row = MicrosoftSubscription(
                platform_id=live.world.platform.id, organization_id=customer.id,
                tenant_id=uuid.uuid4(), subscription_id=str(uuid.uuid4()),
                offer_name="Microsoft 365 Business Basic", quantity=5, status="active",
                auto_renew=True, billing_cycle="monthly", term_duration="P1M",
                commitment_end_at=utcnow(), last_synced_at=utcnow(),
            )  # fmt: skip
            session.add(row)
            await session.flush()
            session.add(SubscriptionChange(
                platform_id=live.world.platform.id, organization_id=customer.id,
                subscription_row_id=row.id, kind=SubscriptionChangeKind.QUANTITY,
                quantity_before=5, quantity=8, requested_by_label="Olivia Operations",
                state=SubscriptionChangeState.FAILED, failure_code="13605",
                failure="Microsoft accepts no more licenses for Alpha Customer until the "
                "Microsoft Customer Agreement is accepted.",
            ))  # fmt: skip
            return f"/organizations/{customer.id}/subscriptions/{row.id}"
    finally:
        await database.dispose()


async def test_a_subscriptions_page_reads_well(page: Page, live_server: LiveServer) -> None:
    url = await _subscription(live_server)
    await sign_in(page, live_server.admin_email)
    await page.goto(url.rsplit("/", 1)[0])
    await page.get_by_role("link", name="Microsoft 365 Business Basic").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Microsoft 365 Business Basic")
    await expect(page.get_by_text("Failed: Microsoft accepts no more licenses")).to_be_visible()
    await expect(page.get_by_role("button", name="Turn auto-renew off")).to_be_visible()
    problems: list[str] = []
    for width in (375, 1280):
        await page.set_viewport_size({"width": width, "height": 900})
        checker = Checker(page, width, AXE_JS.read_text(encoding="utf-8"))
        await checker.check("subscription")
        problems += checker.problems
    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.screenshot(path="/tmp/subscriptionchanges-detail.png", full_page=True)
    assert problems == []
