"""Webhook registrations, the deliveries owed to them, and every delivery attempt.

A delivery is written in the same transaction as the change it reports (an outbox), with its body
frozen, and is then posted by the background task or ``POST /_sandbox/webhooks/flush``. Whoever
posts first claims the row by setting ``locked_until``, so two sandbox processes (or the background
task and a flush) never post the same attempt twice. A delivery is ``pending`` until a 2xx answer
makes it ``delivered`` or the last attempt fails and it is ``parked``.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase, utcnow

PENDING, DELIVERED, PARKED = "pending", "delivered", "parked"


class WebhookRegistration(SandboxBase):
    __tablename__ = "webhook_registrations"

    partner_tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partners.tenant_id", ondelete="CASCADE"), primary_key=True
    )
    subscriber_id: Mapped[uuid.UUID]
    webhook_url: Mapped[str] = mapped_column(Text)
    events: Mapped[str] = mapped_column(Text)
    # Send the signature in ``x-ms-signature`` instead of ``Authorization``.
    signature_in_ms_header: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def event_names(self) -> list[str]:
        return list(json.loads(self.events))


class WebhookDelivery(SandboxBase):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    partner_tenant_id: Mapped[uuid.UUID] = mapped_column(index=True)
    event_name: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(Text)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    signature_in_ms_header: Mapped[bool] = mapped_column(default=False)
    # Set for the test event of a validation request (``validationEvents``).
    correlation_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    last_status_code: Mapped[int | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)


class WebhookAttempt(SandboxBase):
    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    attempted_at: Mapped[datetime]
    status_code: Mapped[int | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    duration_ms: Mapped[int] = mapped_column(default=0)


class ValidationEvent(SandboxBase):
    """A ``POST validationEvents``: counted for the 2-per-minute limit, polled by its id."""

    __tablename__ = "webhook_validation_events"

    correlation_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    partner_tenant_id: Mapped[uuid.UUID] = mapped_column(index=True)
    callback_url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


async def registration(
    session: AsyncSession, partner_tenant_id: uuid.UUID
) -> WebhookRegistration | None:
    return await session.get(WebhookRegistration, partner_tenant_id)


async def due(
    session: AsyncSession, now: datetime, *, ignore_schedule: bool, limit: int = 100
) -> list[uuid.UUID]:
    """Ids of pending deliveries nobody holds, whose next attempt is due (or all of them)."""
    d = WebhookDelivery
    query = (
        select(d.id)
        .where(d.status == PENDING, or_(d.locked_until.is_(None), d.locked_until < now))
        .order_by(d.seq)
        .limit(limit)
    )
    if not ignore_schedule:
        query = query.where(d.next_attempt_at <= now)
    return list((await session.execute(query)).scalars())


async def claim(
    session: AsyncSession, delivery_id: uuid.UUID, now: datetime, until: datetime
) -> WebhookDelivery | None:
    """Take the delivery for one attempt, unless someone else holds it."""
    d = WebhookDelivery
    claimed = await session.execute(
        update(d)
        .where(
            d.id == delivery_id,
            d.status == PENDING,
            or_(d.locked_until.is_(None), d.locked_until < now),
        )
        .values(locked_until=until)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return None
    rows = await session.execute(select(d).where(d.id == delivery_id))
    return rows.scalar_one()


async def deliveries(
    session: AsyncSession,
    *,
    partner_tenant_id: uuid.UUID | None = None,
    correlation_id: uuid.UUID | None = None,
    limit: int = 100,
) -> list[WebhookDelivery]:
    query = select(WebhookDelivery).order_by(WebhookDelivery.seq.desc()).limit(limit)
    if partner_tenant_id is not None:
        query = query.where(WebhookDelivery.partner_tenant_id == partner_tenant_id)
    if correlation_id is not None:
        query = query.where(WebhookDelivery.correlation_id == correlation_id)
    return list((await session.execute(query)).scalars())


async def attempts_of(session: AsyncSession, delivery_ids: list[uuid.UUID]) -> list[WebhookAttempt]:
    if not delivery_ids:
        return []
    rows = await session.execute(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id.in_(delivery_ids))
        .order_by(WebhookAttempt.delivery_id, WebhookAttempt.number)
    )
    return list(rows.scalars())
