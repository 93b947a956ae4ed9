"""Helpers of the order tests: a customer ready to order, placing over the API, reading back."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import select

from tenantry.db import Database
from tenantry.models import AuditEvent, Order, OrderEvent, Organization, OutboxItem
from tenantry.orders import flow
from tests.agreements.accepted import agreement_accepted
from tests.factories import give_tenant

OFFER_ID = "CFQ7TTC0LH18:0001"  # Microsoft 365 Business Basic
LINE = {"offer_id": OFFER_ID, "term": "P1Y", "quantity": 3}


async def ready_to_order(database: Database, organization_id: uuid.UUID) -> None:
    """The customer's Service Details are done (a linked tenant) and its agreement accepted."""
    async with database.transaction() as session:
        organization = await session.get(Organization, organization_id)
        assert organization is not None
        await give_tenant(session, organization)
    await agreement_accepted(database, organization_id)


async def place(
    client: httpx.AsyncClient, headers: dict[str, str], *, key: str | None = None,
    **body: Any,
) -> httpx.Response:  # fmt: skip
    body.setdefault("lines", [LINE])
    return await client.post(
        "/api/v1/orders", json=body,
        headers=headers | {"Idempotency-Key": key or uuid.uuid4().hex},
    )  # fmt: skip


async def placed(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> str:
    """Place an order that must be accepted; its id."""
    response = await place(client, headers, **body)
    assert response.status_code == 201, response.text
    order_id: str = response.json()["id"]
    return order_id


async def act(
    client: httpx.AsyncClient, headers: dict[str, str], order_id: str, action: str,
    body: dict[str, Any] | None = None,
) -> httpx.Response:  # fmt: skip
    return await client.post(
        f"/api/v1/orders/{order_id}/{action}", json=body or {}, headers=headers
    )


async def order_of(database: Database, order_id: str) -> Order:
    async with database.transaction(write=False) as session:
        found = await session.get(Order, uuid.UUID(order_id))
        assert found is not None
        return found


async def events(database: Database, order_id: str) -> list[str]:
    async with database.transaction(write=False) as session:
        order = await session.get(Order, uuid.UUID(order_id))
        assert order is not None
        return [e.event for e in await flow.timeline(session, order)]


async def provision_jobs(database: Database, order_id: str) -> list[OutboxItem]:
    async with database.transaction(write=False) as session:
        rows = await session.scalars(
            select(OutboxItem)
            .where(OutboxItem.kind == flow.PROVISION_JOB)
            .order_by(OutboxItem.created_at)
        )
        return [row for row in rows if row.payload == {"order_id": order_id}]


async def audit_actions(database: Database, order_id: str) -> list[str]:
    async with database.transaction(write=False) as session:
        rows = await session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.target_type == "order", AuditEvent.target_id == order_id)
            .order_by(AuditEvent.occurred_at)
        )
        return list(rows)


async def timeline_rows(database: Database, order_id: str) -> list[OrderEvent]:
    async with database.transaction(write=False) as session:
        order = await session.get(Order, uuid.UUID(order_id))
        assert order is not None
        return await flow.timeline(session, order)


async def emails_about(database: Database, order_id: str) -> list[tuple[list[str], str]]:
    """(recipients, subject) of every email queued about the order, oldest first."""
    async with database.transaction(write=False) as session:
        rows = await session.scalars(
            select(OutboxItem)
            .where(OutboxItem.kind == "notifications.email")
            .order_by(OutboxItem.created_at)
        )
        return [
            (row.payload["recipients"], row.payload["context"]["subject"])
            for row in rows
            if row.payload["context"].get("order_path") == f"/orders/{order_id}"
        ]
