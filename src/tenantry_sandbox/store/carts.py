"""Carts: what a partner is about to buy for a customer, until checkout turns them into orders.

A cart belongs to the partner that created it. Its lines are kept as one JSON document (a PUT
replaces them all); checkout flips ``status`` from ``Active`` to ``Ordered`` with a conditional
update, so two concurrent checkouts of one cart cannot both create orders.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase, claim

ACTIVE = "Active"
ORDERED = "Ordered"


class Cart(SandboxBase):
    __tablename__ = "carts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    partner_tenant_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    # The object id of the partner user (or application) that last changed the cart.
    last_modified_user: Mapped[uuid.UUID]
    etag: Mapped[str] = mapped_column(String(32))
    attestation_accepted: Mapped[bool | None] = mapped_column(default=None)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


async def get(
    session: AsyncSession, partner_tenant_id: uuid.UUID, customer_id: uuid.UUID, cart_id: uuid.UUID
) -> Cart | None:
    rows = await session.execute(
        select(Cart).where(
            Cart.id == cart_id,
            Cart.customer_id == customer_id,
            Cart.partner_tenant_id == partner_tenant_id,
        )
    )
    return rows.scalar_one_or_none()


async def claim_for_checkout(session: AsyncSession, cart: Cart, now: datetime) -> bool:
    """Mark the cart ordered if it still is active; False when another checkout won."""
    return await claim(
        session,
        cart,
        {"status": ORDERED, "modified_at": now},
        Cart.id == cart.id,
        Cart.status == ACTIVE,
    )
