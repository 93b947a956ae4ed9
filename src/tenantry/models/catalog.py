"""The catalog a platform sells from: what Partner Center lists for its market (products, SKUs
and the terms of their availabilities), the refreshes that read it, the platform's price list
and its markups.

Partner Center's ids are kept as Microsoft writes them (``CFQ7TTC0LH18``, ``0001``,
``CFQ7TTC0K971``): an offer is ``product:sku``, a catalog item ``product:sku:availability``.
Nothing is deleted when Partner Center stops listing it: ``withdrawn_at`` says since when it is
no longer sold, so carts and orders that name it keep their meaning.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tenantry.models.base import Base, IdMixin, TimestampMixin, enum_type

# Money as the price list holds it (Microsoft's price lists carry up to four decimals).
PRICE = Numeric(14, 4)


class _Listed:
    """When Partner Center first and last listed a row, and since when it no longer does."""

    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def sold(self) -> bool:
        return self.withdrawn_at is None


class CatalogProduct(_Listed, IdMixin, TimestampMixin, Base):
    __tablename__ = "catalog_products"
    __table_args__ = (UniqueConstraint("platform_id", "product_id"),)

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    product_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    product_type: Mapped[str | None] = mapped_column(String(64), default=None)
    publisher: Mapped[str | None] = mapped_column(String(200), default=None)


class CatalogSku(_Listed, IdMixin, TimestampMixin, Base):
    __tablename__ = "catalog_skus"
    __table_args__ = (UniqueConstraint("platform_id", "product_id", "sku_id"),)

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    product_id: Mapped[str] = mapped_column(String(32))
    sku_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    minimum_quantity: Mapped[int] = mapped_column(default=1)
    maximum_quantity: Mapped[int]
    is_trial: Mapped[bool] = mapped_column(default=False)

    @property
    def offer_id(self) -> str:
        return f"{self.product_id}:{self.sku_id}"


class CatalogTerm(_Listed, IdMixin, TimestampMixin, Base):
    """One term and billing cycle a SKU is sold on, and the availability that sells it."""

    __tablename__ = "catalog_terms"
    __table_args__ = (
        UniqueConstraint(
            "platform_id", "product_id", "sku_id", "term", "billing_cycle",
            name="uq_catalog_terms_item",
        ),
    )  # fmt: skip

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    product_id: Mapped[str] = mapped_column(String(32))
    sku_id: Mapped[str] = mapped_column(String(32))
    availability_id: Mapped[str] = mapped_column(String(32))
    term: Mapped[str] = mapped_column(String(8))  # P1M, P1Y, P3Y
    billing_cycle: Mapped[str] = mapped_column(String(16))  # monthly, annual

    @property
    def catalog_item_id(self) -> str:
        return f"{self.product_id}:{self.sku_id}:{self.availability_id}"


class CatalogRefreshStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class CatalogRefreshTrigger(enum.StrEnum):
    SCHEDULE = "schedule"
    MANUAL = "manual"  # "Refresh the catalog" (page, API)
    START = "start"  # the first refresh of a platform that has none


class CatalogRefresh(IdMixin, TimestampMixin, Base):
    """One reading of the catalog and what it changed (``changes``: the first few hundred, with
    ``more_changes`` counting the rest)."""

    __tablename__ = "catalog_refreshes"
    __table_args__ = (Index("ix_catalog_refreshes_platform_created", "platform_id", "created_at"),)

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    trigger: Mapped[CatalogRefreshTrigger] = mapped_column(enum_type(CatalogRefreshTrigger, 16))
    status: Mapped[CatalogRefreshStatus] = mapped_column(enum_type(CatalogRefreshStatus, 16))
    country: Mapped[str] = mapped_column(String(2))
    requested_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    requested_by: Mapped[str | None] = mapped_column(String(300), default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    # What Partner Center listed (SKUs and terms of the products it listed).
    products: Mapped[int] = mapped_column(default=0)
    skus: Mapped[int] = mapped_column(default=0)
    terms: Mapped[int] = mapped_column(default=0)
    # Rows (products, SKUs, terms) new, changed, no longer listed, and listed again.
    added: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    withdrawn: Mapped[int] = mapped_column(default=0)
    returned: Mapped[int] = mapped_column(default=0)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    more_changes: Mapped[int] = mapped_column(default=0)
    calls: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(1000), default=None)


class CatalogPrice(IdMixin, TimestampMixin, Base):
    """The platform's price of one license of an offer on a term and billing cycle, in one
    currency, per billing period (a month when billed monthly, a year when billed annually).

    ``list_price`` is what customers pay before markups; ``cost`` what the platform pays
    (optional, shown to platform staff only).
    """

    __tablename__ = "catalog_prices"
    __table_args__ = (
        UniqueConstraint(
            "platform_id", "product_id", "sku_id", "term", "billing_cycle", "currency",
            name="uq_catalog_prices_item",
        ),
    )  # fmt: skip

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    product_id: Mapped[str] = mapped_column(String(32))
    sku_id: Mapped[str] = mapped_column(String(32))
    term: Mapped[str] = mapped_column(String(8))
    billing_cycle: Mapped[str] = mapped_column(String(16))
    currency: Mapped[str] = mapped_column(String(3))
    list_price: Mapped[Decimal] = mapped_column(PRICE)
    cost: Mapped[Decimal | None] = mapped_column(PRICE, default=None)

    @property
    def offer_id(self) -> str:
        return f"{self.product_id}:{self.sku_id}"


class CatalogMarkup(IdMixin, TimestampMixin, Base):
    """A percentage on the list price for the customers of a segment or of a reseller."""

    __tablename__ = "catalog_markups"
    __table_args__ = (
        UniqueConstraint("platform_id", "segment_id"),
        UniqueConstraint("platform_id", "reseller_id"),
        CheckConstraint("(segment_id IS NULL) <> (reseller_id IS NULL)", name="one_subject"),
    )

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE")
    )
    segment_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("segments.id", ondelete="CASCADE"), default=None
    )
    reseller_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), default=None
    )
    percent: Mapped[Decimal] = mapped_column(Numeric(7, 2))
