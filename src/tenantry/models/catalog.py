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
    event,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, UOWTransaction, mapped_column

from tenantry.models.base import Base, IdMixin, TimestampMixin, enum_type, utcnow

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


class CatalogVersion(Base):
    """Which state of a platform's catalog (products, SKUs, terms, prices) is the current one: a
    new random ``token`` in every transaction that changes any of them (:func:`_catalog_changed`).

    Why: every process keeps the storefront's priced offers in memory by token
    (``orders.catalog.offers``), reads the token on each visit (one row by its key) and so sees
    a committed change at once, on every process. A random token, not a counter, so that two
    databases (a test's, a copy) with the same platform id never share an entry.
    """

    __tablename__ = "catalog_versions"

    platform_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


# What the storefront shows of the catalog: a change to any of these changes its version.
VERSIONED = (CatalogProduct, CatalogSku, CatalogTerm, CatalogPrice)
VERSIONED_TABLES = frozenset(model.__table__ for model in VERSIONED)


def new_token() -> str:
    return uuid.uuid4().hex


@event.listens_for(Session, "do_orm_execute")
def _catalog_written_in_bulk(state: ORMExecuteState) -> None:
    """An UPDATE, DELETE or INSERT statement on a catalog table (not through objects, so the
    flush does not see it) gives every platform's catalog a new token: which platforms it
    touched is not known, and a spurious new token costs one reload."""
    statement = state.statement
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    if getattr(statement, "table", None) in VERSIONED_TABLES:
        state.session.execute(update(CatalogVersion).values(token=new_token(), changed_at=utcnow()))


@event.listens_for(Session, "before_flush")
def _catalog_changed(session: Session, _flush: UOWTransaction, _objects: object) -> None:
    """A flush that writes a catalog row gives its platform's catalog a new token, in the same
    transaction (an upsert: two first writers at once do not collide on the key)."""
    touched = {
        row.platform_id
        for row in (*session.new, *session.deleted, *session.dirty)
        if isinstance(row, VERSIONED)
        and (row in session.new or row in session.deleted or session.is_modified(row))
    }
    if not touched:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for platform_id in sorted(touched):
        statement = insert(CatalogVersion).values(
            platform_id=platform_id, token=new_token(), changed_at=utcnow()
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=[CatalogVersion.platform_id],
                set_={
                    "token": statement.excluded.token,
                    "changed_at": statement.excluded.changed_at,
                },
            )
        )
