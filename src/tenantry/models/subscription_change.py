"""A change asked of one of a customer's Microsoft subscriptions: more or fewer licenses, or
auto-renew on or off. Each is its own record, carried out by a job through Partner Center."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenantry.models.base import Base, IdMixin, TimestampMixin, enum_type


class SubscriptionChangeKind(enum.StrEnum):
    QUANTITY = "quantity"
    AUTO_RENEW = "auto_renew"


class SubscriptionChangeState(enum.StrEnum):
    REQUESTED = "requested"
    DONE = "done"
    FAILED = "failed"


class SubscriptionChange(IdMixin, TimestampMixin, Base):
    """One change of a subscription (``microsoft_subscriptions`` row), from requested to done or
    failed; ``failure`` says why in plain words and what to do."""

    __tablename__ = "subscription_changes"
    # A retried request (the same Idempotency-Key) finds the change it made the first time.
    __table_args__ = (UniqueConstraint("subscription_row_id", "idempotency_key"),)

    platform_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    subscription_row_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("microsoft_subscriptions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[SubscriptionChangeKind] = mapped_column(enum_type(SubscriptionChangeKind, 16))
    state: Mapped[SubscriptionChangeState] = mapped_column(
        enum_type(SubscriptionChangeState, 16), default=SubscriptionChangeState.REQUESTED
    )
    quantity_before: Mapped[int | None] = mapped_column(default=None)
    quantity: Mapped[int | None] = mapped_column(default=None)
    auto_renew: Mapped[bool | None] = mapped_column(default=None)
    failure_code: Mapped[str | None] = mapped_column(String(64), default=None)
    failure: Mapped[str | None] = mapped_column(Text, default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), default=None)
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    requested_by_label: Mapped[str] = mapped_column(String(320))
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
