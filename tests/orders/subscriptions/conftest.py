"""The app wired to an in-process Partner Center sandbox, and a linked customer that bought a
new-commerce subscription there, as the sync has read it into ``microsoft_subscriptions``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from tenantry.db import Database
from tenantry.models import MicrosoftSubscription, Organization, utcnow
from tenantry.orders.subscriptions import tasks as _tasks  # noqa: F401  (the change job)
from tenantry.orders.subscriptions.carry_out import store_as_read
from tenantry.partnercenter import access
from tenantry.partnercenter.models.commerce import Cart, CartLineItem
from tenantry.settings import Settings
from tests.agreements.conftest import linked_customer
from tests.sandbox.conftest import Sandbox
from tests.tenants.conftest import (  # noqa: F401  (fixtures used here)
    app,
    clock,
    job_queue,
    mail_settings,
    people,
    settings_overrides,
    smtp_server,
    sqlite_sandbox,
)

BASIC = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"


@dataclass
class Bought:
    organization: Organization
    tenant: str
    row_id: uuid.UUID
    microsoft_id: str

    def url(self, rest: str = "") -> str:
        return f"/api/v1/organizations/{self.organization.id}/subscriptions/{self.row_id}{rest}"


async def buy(
    database: Database, settings: Settings, sandbox: Sandbox, organization: Organization,
    quantity: int = 3, **customer: Any,
) -> Bought:  # fmt: skip
    """A linked customer (its agreement signed in Partner Center) with one subscription."""
    fields: dict[str, Any] = {"mca_direct_signed": True, "skus": []} | customer
    tenant = str(await linked_customer(database, sandbox, organization, **fields))
    reach = access.PartnerCenterAccess(settings, httpx.ASGITransport(app=sandbox.app))
    async with reach.client() as client:
        line = CartLineItem(catalog_item_id=BASIC, quantity=quantity, term_duration="P1M",
                            billing_cycle="Monthly")  # fmt: skip
        cart = await client.create_cart(tenant, Cart(line_items=[line]))
        assert cart.id is not None
        await client.checkout_cart(tenant, cart.id)
        [bought] = await client.list_subscriptions(tenant)
    async with database.transaction() as session:
        row = MicrosoftSubscription(
            platform_id=organization.platform_id, organization_id=organization.id,
            tenant_id=uuid.UUID(tenant), subscription_id=bought.id, last_synced_at=utcnow(),
            offer_id=bought.offer_id, offer_name=bought.offer_name,
        )  # fmt: skip
        store_as_read(row, bought)
        session.add(row)
        await session.flush()
        row_id = row.id
    return Bought(organization, tenant, row_id, bought.id)


async def in_sandbox(settings: Settings, sandbox: Sandbox, bought: Bought) -> Any:
    reach = access.PartnerCenterAccess(settings, httpx.ASGITransport(app=sandbox.app))
    async with reach.client() as client:
        return await client.get_subscription(bought.tenant, bought.microsoft_id)
