"""The card payment stand-in's state: Checkout Sessions (each with its PaymentIntent) and the
signed events owed to the merchant's webhook endpoint.

An event is written in the same transaction as the change it reports, then posted by the
background task or ``POST /_sandbox/card/events/flush`` (an outbox, as Partner Center's
deliveries are), until a 2xx answer delivers it or ``webhook_max_attempts`` parks it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase, utcnow

PENDING, DELIVERED, PARKED = "pending", "delivered", "parked"


class CardCheckoutSession(SandboxBase):
    __tablename__ = "card_checkout_sessions"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    # The secret key's idempotency key the session was created under (one session per key).
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True, default=None)
    payment_intent_id: Mapped[str] = mapped_column(String(80), unique=True)
    amount: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    product_name: Mapped[str] = mapped_column(Text)
    client_reference_id: Mapped[str | None] = mapped_column(String(255), default=None)
    metadata_json: Mapped[str] = mapped_column(Text, default="{}")
    intent_metadata_json: Mapped[str] = mapped_column(Text, default="{}")
    success_url: Mapped[str] = mapped_column(Text)
    cancel_url: Mapped[str | None] = mapped_column(Text, default=None)
    # open | complete | expired
    status: Mapped[str] = mapped_column(String(16), default="open")
    # unpaid | paid
    payment_status: Mapped[str] = mapped_column(String(16), default="unpaid")
    # requires_payment_method | requires_action | succeeded
    intent_status: Mapped[str] = mapped_column(String(32), default="requires_payment_method")
    # The last attempt's refusal: {"code", "decline_code", "message", "type"} as JSON.
    last_error_json: Mapped[str | None] = mapped_column(Text, default=None)
    # The card's last four digits while 3-D Secure waits (never the number).
    pending_last4: Mapped[str | None] = mapped_column(String(4), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def metadata_map(self) -> dict[str, str]:
        return dict(json.loads(self.metadata_json))

    @property
    def intent_metadata(self) -> dict[str, str]:
        return dict(json.loads(self.intent_metadata_json))

    @property
    def last_error(self) -> dict[str, Any] | None:
        return json.loads(self.last_error_json) if self.last_error_json else None


class CardEvent(SandboxBase):
    __tablename__ = "card_events"
    __table_args__ = (Index("ix_card_events_due", "status", "next_attempt_at"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(80), unique=True)
    type: Mapped[str] = mapped_column(String(64))
    session_id: Mapped[str] = mapped_column(String(80), index=True)
    body: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status_code: Mapped[int | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)


async def session_by_key(session: AsyncSession, key: str) -> CardCheckoutSession | None:
    found: CardCheckoutSession | None = await session.scalar(
        select(CardCheckoutSession).where(CardCheckoutSession.idempotency_key == key)
    )
    return found


async def due_events(session: AsyncSession, now: datetime, *, everything: bool) -> list[str]:
    query = select(CardEvent.id).where(CardEvent.status == PENDING).order_by(CardEvent.seq)
    if not everything:
        query = query.where(CardEvent.next_attempt_at <= now)
    return list(await session.scalars(query))


async def events_of(session: AsyncSession, session_id: str | None) -> list[CardEvent]:
    query = select(CardEvent).order_by(CardEvent.seq)
    if session_id:
        query = query.where(CardEvent.session_id == session_id)
    return list(await session.scalars(query))
