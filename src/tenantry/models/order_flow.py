"""An order's timeline, and who may skip payment."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenantry.models.base import Base, IdMixin, TimestampMixin, enum_type, utcnow
from tenantry.models.commerce import OrderStatus


class OrderEvent(IdMixin, Base):
    """One step in an order's life, as its page shows it: a change of state, or something that
    happened within one (a card payment started or declined). Written only by ``orders.flow``."""

    __tablename__ = "order_events"
    __table_args__ = (Index("ix_order_events_order_created", "order_id", "created_at"),)

    order_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # What happened: placed, customer_authorized, paid, payment_started, payment_declined,
    # provisioning_started, completed, failed, retried, cancelled.
    event: Mapped[str] = mapped_column(String(48))
    from_status: Mapped[OrderStatus | None] = mapped_column(
        enum_type(OrderStatus, 24), default=None
    )
    to_status: Mapped[OrderStatus] = mapped_column(enum_type(OrderStatus, 24))
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # Who did it as the audit trail names them; "system" for the jobs.
    actor_label: Mapped[str] = mapped_column(String(200))
    # A failure's or a decline's stable code, and the sentence for people.
    code: Mapped[str | None] = mapped_column(String(64), default=None)
    message: Mapped[str | None] = mapped_column(String(2000), default=None)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PaymentSetting(IdMixin, TimestampMixin, Base):
    """Whether orders of a segment's organizations, or of one organization, skip payment (go
    straight to paid). Payment is required where no row says otherwise; an organization's own row
    wins over its segments' (so one customer of a trusted segment can still be made to pay)."""

    __tablename__ = "order_payment_settings"
    __table_args__ = (
        UniqueConstraint("segment_id"),
        UniqueConstraint("organization_id"),
        CheckConstraint(
            "(segment_id IS NULL) <> (organization_id IS NULL)", name="segment_or_organization"
        ),
    )

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    segment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), default=None
    )
    organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), default=None
    )
    skip_payment: Mapped[bool]
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
