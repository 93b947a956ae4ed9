"""What a customer puts in its cart and the orders it places."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenantry.models.base import Base, IdMixin, TimestampMixin, enum_type, utcnow


class CartItem(IdMixin, TimestampMixin, Base):
    """One offer, term and billing cycle in an organization's cart (its people share one cart)."""

    __tablename__ = "cart_items"
    __table_args__ = (UniqueConstraint("organization_id", "offer_id", "term", "billing_cycle"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    offer_id: Mapped[str] = mapped_column(String(64))
    term: Mapped[str] = mapped_column(String(8))
    billing_cycle: Mapped[str] = mapped_column(
        String(16), default="monthly", server_default="monthly"
    )
    quantity: Mapped[int]
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


class OrderStatus(enum.StrEnum):
    """Where an order stands (``tenantry.orders.flow`` holds the only ways between them).

    ``awaiting_customer``: a seller placed it for a customer, who has yet to authorize (Service
    Details, the agreement). ``pending_payment``: nothing goes to Microsoft until it is paid.
    ``paid``: waiting for the provisioning job. ``failed`` keeps the reason and can be retried.
    """

    AWAITING_CUSTOMER = "awaiting_customer"
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    PROVISIONING = "provisioning"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


# Placed and not finished: waiting for the customer, for payment or for Microsoft.
OPEN_ORDER_STATUSES = frozenset(
    {
        OrderStatus.AWAITING_CUSTOMER,
        OrderStatus.PENDING_PAYMENT,
        OrderStatus.PAID,
        OrderStatus.PROVISIONING,
        OrderStatus.FAILED,
    }
)


class Order(IdMixin, TimestampMixin, Base):
    """An order as the customer placed it: its lines and prices are kept as they were then."""

    __tablename__ = "orders"

    platform_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    placed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    status: Mapped[OrderStatus] = mapped_column(enum_type(OrderStatus, 24), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The organization of whoever placed it: the customer itself, or its seller (reseller or
    # platform) ordering for it; ``organization_id`` is whom it is for.
    placed_by_organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), default=None
    )
    # Payment: which provider (``orders/payments``), its reference for the payment (an invoice
    # number, a card payment's id), and what the provider keeps between steps.
    payment_provider: Mapped[str | None] = mapped_column(String(32), default=None)
    payment_reference: Mapped[str | None] = mapped_column(String(200), default=None)
    payment_details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Paid without payment: the customer's segment or the customer is trusted (payment settings).
    payment_skipped: Mapped[bool] = mapped_column(default=False)
    paid_at: Mapped[datetime | None] = mapped_column(default=None)
    paid_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    # Times the order was handed to provisioning (1 on the first, +1 on each retry): the outbox
    # key of each hand-off is per attempt.
    provisioning_attempts: Mapped[int] = mapped_column(default=0)
    failure_code: Mapped[str | None] = mapped_column(String(64), default=None)
    failure_message: Mapped[str | None] = mapped_column(String(2000), default=None)
    failed_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
