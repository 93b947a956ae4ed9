"""What a customer puts in its cart and the orders it places."""

from __future__ import annotations

import enum
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tenantry.models.base import Base, IdMixin, TimestampMixin, enum_type


class CartItem(IdMixin, TimestampMixin, Base):
    """One offer and term in an organization's cart (its people share one cart)."""

    __tablename__ = "cart_items"
    __table_args__ = (UniqueConstraint("organization_id", "offer_id", "term"),)

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    offer_id: Mapped[str] = mapped_column(String(64))
    term: Mapped[str] = mapped_column(String(8))
    quantity: Mapped[int]
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )


class OrderStatus(enum.StrEnum):
    SUBMITTED = "submitted"


class Order(IdMixin, TimestampMixin, Base):
    """An order as the customer placed it: its lines and prices are kept as they were then."""

    __tablename__ = "orders"

    platform_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    placed_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    status: Mapped[OrderStatus] = mapped_column(enum_type(OrderStatus, 24))
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
