"""Subscriptions, the transitions between them, and the license units they give a customer.

``kind`` says which of Partner Center's shapes a subscription has: ``nce`` (new commerce, from a
catalog item), ``license`` (a legacy license offer), ``usage`` (Microsoft Azure) or ``addon``
(a legacy add-on of a parent subscription). ``version`` feeds the etag: every change bumps it, so
an update carrying an older etag is refused.

License-based subscriptions keep the customer's subscribed SKUs (the directory's view, read by
``/subscribedskus``) in step: active seats count in ``active_units``, suspended ones in
``suspended_units`` of the SKU the subscription provisions.
"""

from __future__ import annotations

import base64
import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase
from tenantry_sandbox.store.licenses import SubscribedSku, UserLicense

ACTIVE, SUSPENDED, DELETED = "active", "suspended", "deleted"


class Subscription(SandboxBase):
    __tablename__ = "subscriptions"
    __table_args__ = (Index("ix_subscriptions_customer_seq", "customer_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    partner_tenant_id: Mapped[uuid.UUID]
    order_id: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    # The catalog item id (new commerce) or the legacy offer id.
    offer_id: Mapped[str] = mapped_column(String(64))
    offer_name: Mapped[str] = mapped_column(String(256))
    friendly_name: Mapped[str] = mapped_column(String(256))
    quantity: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=ACTIVE)
    auto_renew: Mapped[bool] = mapped_column(default=True)
    is_trial: Mapped[bool] = mapped_column(default=False)
    billing_cycle: Mapped[str | None] = mapped_column(String(16), default=None)
    term_duration: Mapped[str | None] = mapped_column(String(8), default=None)
    # The indirect reseller's PartnerID on record ("" when none).
    partner_id_on_record: Mapped[str] = mapped_column(String(20), default="")
    parent_subscription_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    entitlement_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    # The license SKU (Entra ID ``skuId``) the subscription provisions, if license-based.
    provisioning_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime]
    effective_start: Mapped[datetime]
    commitment_end: Mapped[datetime | None] = mapped_column(default=None)
    version: Mapped[int] = mapped_column(default=1)

    @property
    def etag(self) -> str:
        """Opaque to clients; shaped like Partner Center's (base64 of id and version)."""
        payload = json.dumps({"id": str(self.id), "version": self.version}, separators=(",", ":"))
        return base64.b64encode(payload.encode()).decode()


class Transition(SandboxBase):
    __tablename__ = "subscription_transitions"
    __table_args__ = (Index("ix_subscription_transitions_source", "subscription_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    operation_id: Mapped[uuid.UUID]
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    subscription_id: Mapped[uuid.UUID]
    from_catalog_item_id: Mapped[str] = mapped_column(String(64))
    to_catalog_item_id: Mapped[str] = mapped_column(String(64))
    to_subscription_id: Mapped[uuid.UUID]
    quantity: Mapped[int]
    term_duration: Mapped[str] = mapped_column(String(8))
    billing_cycle: Mapped[str] = mapped_column(String(16))
    transition_type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    # [{"name", "status", "timestamp"}]
    events: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


async def get(
    session: AsyncSession, customer_id: uuid.UUID, subscription_id: uuid.UUID
) -> Subscription | None:
    rows = await session.execute(
        select(Subscription).where(
            Subscription.customer_id == customer_id, Subscription.id == subscription_id
        )
    )
    return rows.scalar_one_or_none()


async def of_customer(
    session: AsyncSession,
    customer_id: uuid.UUID,
    *,
    order_id: str | None = None,
    partner_id_on_record: str | None = None,
    parent_id: uuid.UUID | None = None,
) -> list[Subscription]:
    query = (
        select(Subscription)
        .where(Subscription.customer_id == customer_id)
        .order_by(Subscription.seq)
    )
    if order_id is not None:
        query = query.where(Subscription.order_id == order_id)
    if partner_id_on_record is not None:
        query = query.where(Subscription.partner_id_on_record == partner_id_on_record)
    if parent_id is not None:
        query = query.where(Subscription.parent_subscription_id == parent_id)
    return list((await session.execute(query)).scalars())


async def transitions_of(
    session: AsyncSession, subscription_id: uuid.UUID, operation_id: uuid.UUID | None = None
) -> list[Transition]:
    query = (
        select(Transition)
        .where(Transition.subscription_id == subscription_id)
        .order_by(Transition.seq)
    )
    if operation_id is not None:
        query = query.where(Transition.operation_id == operation_id)
    return list((await session.execute(query)).scalars())


async def add_license_units(
    session: AsyncSession,
    customer_id: uuid.UUID,
    sku_id: uuid.UUID | None,
    *,
    active: int = 0,
    suspended: int = 0,
) -> None:
    """Move the customer's subscribed SKU counts by the given deltas (never below zero)."""
    if sku_id is None or (active == 0 and suspended == 0):
        return
    owned = await session.get(SubscribedSku, (customer_id, sku_id))
    if owned is None:
        owned = SubscribedSku(
            customer_id=customer_id,
            sku_id=sku_id,
            active_units=0,
            suspended_units=0,
            warning_units=0,
            capability_status="Enabled",
        )
        session.add(owned)
    owned.active_units = max(owned.active_units + active, 0)
    owned.suspended_units = max(owned.suspended_units + suspended, 0)
    await session.flush()


async def license_holders(
    session: AsyncSession, customer_id: uuid.UUID, sku_id: uuid.UUID
) -> list[uuid.UUID]:
    rows = await session.execute(
        select(UserLicense.user_id)
        .where(UserLicense.customer_id == customer_id, UserLicense.sku_id == sku_id)
        .order_by(UserLicense.user_id)
    )
    return list(rows.scalars())


async def reassign_licenses(
    session: AsyncSession,
    customer_id: uuid.UUID,
    users: list[uuid.UUID],
    *,
    from_sku: uuid.UUID,
    to_sku: uuid.UUID,
) -> None:
    """Give ``users`` the ``to_sku`` license in place of ``from_sku`` (license transfer)."""
    if not users or from_sku == to_sku:
        return
    await session.execute(
        delete(UserLicense).where(
            UserLicense.customer_id == customer_id,
            UserLicense.sku_id == from_sku,
            UserLicense.user_id.in_(users),
        )
    )
    holding = set(await license_holders(session, customer_id, to_sku))
    for user_id in users:
        if user_id not in holding:
            session.add(UserLicense(user_id=user_id, sku_id=to_sku, customer_id=customer_id))
    await session.flush()
