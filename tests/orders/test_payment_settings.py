"""Who skips payment: by default every order waits for payment; the platform's admins let a
segment's customers, or one customer, skip it (audited); a customer's own setting wins."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from tenantry.db import Database
from tenantry.models import AuditEvent, Segment, organization_segments
from tests.factories import World
from tests.orders.support import place, ready_to_order


@pytest.fixture
async def trusted(database: Database, world: World) -> str:
    """A segment "Trusted" holding Alpha Customer."""
    await ready_to_order(database, world.customer_a.id)
    async with database.transaction() as session:
        segment = Segment(platform_id=world.platform.id, name="Trusted")
        session.add(segment)
        await session.flush()
        await session.execute(
            organization_segments.insert().values(
                organization_id=world.customer_a.id, segment_id=segment.id
            )
        )
        return str(segment.id)


async def status_of_new_order(client: httpx.AsyncClient, world: World) -> str:
    response = await place(client, world.customer_a.headers)
    assert response.status_code == 201, response.text
    status: str = response.json()["status"]
    return status


async def test_a_segment_skips_payment_and_a_customer_setting_wins(
    client: httpx.AsyncClient, database: Database, world: World, trusted: str
) -> None:
    assert await status_of_new_order(client, world) == "pending_payment"
    url = f"/api/v1/payment-settings/segments/{trusted}"
    answer = await client.put(url, json={"skip_payment": True}, headers=world.platform.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["segments"] == [
        {"segment_id": trusted, "name": "Trusted", "skip_payment": True}
    ]
    assert await status_of_new_order(client, world) == "paid"

    own = f"/api/v1/payment-settings/organizations/{world.customer_a.id}"
    pay = await client.put(own, json={"skip_payment": False}, headers=world.platform.headers)
    assert pay.json()["organizations"] == [
        {
            "organization_id": str(world.customer_a.id),
            "name": "Alpha Customer",
            "skip_payment": False,
        }
    ]
    assert await status_of_new_order(client, world) == "pending_payment"
    cleared = await client.put(own, json={"skip_payment": None}, headers=world.platform.headers)
    assert cleared.json()["organizations"] == []
    assert await status_of_new_order(client, world) == "paid"

    async with database.transaction(write=False) as session:
        actions = list(
            await session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.action.like("payment_setting.%"))
                .order_by(AuditEvent.occurred_at)
            )
        )
    assert actions == [
        "payment_setting.segment",
        "payment_setting.organization",
        "payment_setting.organization",
    ]


async def test_only_the_platforms_admins_change_who_skips_payment(
    client: httpx.AsyncClient, world: World, trusted: str
) -> None:
    for party in (world.reseller_a, world.customer_a):
        assert (
            await client.get("/api/v1/payment-settings", headers=party.headers)
        ).status_code == 403
        # The platform's segments are not theirs to find; their own customer is, but not its setting.
        put = await client.put(
            f"/api/v1/payment-settings/segments/{trusted}", json={"skip_payment": True},
            headers=party.headers,
        )  # fmt: skip
        assert put.status_code == 404
        own_customer = await client.put(
            f"/api/v1/payment-settings/organizations/{world.customer_a.id}",
            json={"skip_payment": True}, headers=party.headers,
        )  # fmt: skip
        assert own_customer.status_code == 403
    reseller = await client.put(
        f"/api/v1/payment-settings/organizations/{world.reseller_a.id}", json={"skip_payment": True},
        headers=world.platform.headers,
    )  # fmt: skip
    assert reseller.status_code == 409
    assert reseller.json()["errors"][0]["rule"] == "customers_only"
    not_bool = await client.put(
        f"/api/v1/payment-settings/segments/{trusted}", json={"skip_payment": "yes"},
        headers=world.platform.headers,
    )  # fmt: skip
    assert not_bool.status_code == 422
