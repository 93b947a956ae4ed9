"""Customer relationships: which partners may act for a customer, and in which role.

A customer served by a distributor through a reseller has two rows: ``reseller`` for the
distributor (Partner Center's ``relationshipToPartner: "reseller"``) and ``indirect_reseller`` for
the reseller, naming the distributor it came through. A directly served customer has one
``reseller`` row. A partner may call customer-scoped operations only while one of its rows is
active; everything else answers 403 with code 20002.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    SQLColumnExpression,
    String,
    exists,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase, utcnow
from tenantry_sandbox.store.partners import Partner


class Role(StrEnum):
    RESELLER = "reseller"
    INDIRECT_RESELLER = "indirect_reseller"


class CustomerRelationship(SandboxBase):
    __tablename__ = "customer_relationships"
    # customer_id last: the visibility check of every customer-scoped call and of each listed
    # customer (``visible_to``) is then one index lookup. SQLite prefers this index to the primary
    # key for it, and without the column it scanned all of the partner's relationships per row.
    __table_args__ = (
        Index("ix_customer_relationships_partner", "partner_tenant_id", "active", "customer_id"),
    )

    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    partner_tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partners.tenant_id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    # For an indirect reseller: the indirect provider the customer is served through.
    provider_tenant_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    # Whether the partner holds delegated admin rights (DAP) in the customer's tenant.
    delegated_admin: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def relationship_row(
    customer_id: uuid.UUID,
    partner_tenant_id: uuid.UUID,
    role: Role,
    *,
    provider_tenant_id: uuid.UUID | None = None,
    delegated_admin: bool = True,
) -> dict[str, object]:
    """Column values for one relationship, as both the API and the bulk seed insert them."""
    return {
        "customer_id": customer_id,
        "partner_tenant_id": partner_tenant_id,
        "role": role.value,
        "provider_tenant_id": provider_tenant_id,
        "delegated_admin": delegated_admin,
        "active": True,
    }


def visible_to(
    partner_tenant_id: uuid.UUID, customer_id: SQLColumnExpression[uuid.UUID]
) -> ColumnElement[bool]:
    """SQL condition: the partner has an active relationship with the customer in ``customer_id``."""
    r = CustomerRelationship
    return exists().where(
        r.customer_id == customer_id, r.partner_tenant_id == partner_tenant_id, r.active.is_(True)
    )


def served_through(
    customer_id: SQLColumnExpression[uuid.UUID],
    *,
    reseller: uuid.UUID | None = None,
    provider: uuid.UUID | None = None,
) -> ColumnElement[bool]:
    """SQL condition: the customer is served by this indirect reseller / through this provider."""
    r = CustomerRelationship
    query = exists().where(
        r.customer_id == customer_id, r.role == Role.INDIRECT_RESELLER.value, r.active.is_(True)
    )
    if reseller is not None:
        query = query.where(r.partner_tenant_id == reseller)
    if provider is not None:
        query = query.where(r.provider_tenant_id == provider)
    return query


async def active_for(
    session: AsyncSession, customer_id: uuid.UUID, partner_tenant_id: uuid.UUID
) -> CustomerRelationship | None:
    """The partner's active relationship with the customer (``reseller`` preferred)."""
    rows = await session.execute(
        select(CustomerRelationship)
        .where(
            CustomerRelationship.customer_id == customer_id,
            CustomerRelationship.partner_tenant_id == partner_tenant_id,
            CustomerRelationship.active.is_(True),
        )
        .order_by(CustomerRelationship.role.desc())
    )
    return rows.scalars().first()


async def link(
    session: AsyncSession,
    customer_id: uuid.UUID,
    partner_tenant_id: uuid.UUID,
    role: Role,
    *,
    provider_tenant_id: uuid.UUID | None = None,
    delegated_admin: bool = True,
) -> None:
    """Create or re-activate a relationship (creating a customer, accepting an invitation)."""
    existing = await session.get(CustomerRelationship, (customer_id, partner_tenant_id, role.value))
    if existing is None:
        values = relationship_row(
            customer_id,
            partner_tenant_id,
            role,
            provider_tenant_id=provider_tenant_id,
            delegated_admin=delegated_admin,
        )
        session.add(CustomerRelationship(**values))
    else:
        existing.active = True
        existing.provider_tenant_id = provider_tenant_id
        existing.delegated_admin = existing.delegated_admin or delegated_admin
    await session.flush()


async def end_for(session: AsyncSession, customer_id: uuid.UUID, partner: uuid.UUID) -> None:
    """End a partner's relationships with a customer, and the reseller links it provided."""
    r = CustomerRelationship
    await session.execute(
        update(r)
        .where(r.customer_id == customer_id, r.partner_tenant_id == partner)
        .values(active=False, updated_at=utcnow())
    )
    await session.execute(
        update(r)
        .where(r.customer_id == customer_id, r.provider_tenant_id == partner)
        .values(active=False, updated_at=utcnow())
    )


async def indirect_resellers(
    session: AsyncSession, customer_id: uuid.UUID, provider: uuid.UUID
) -> list[Partner]:
    """The indirect resellers serving the customer through this provider."""
    r = CustomerRelationship
    rows = await session.execute(
        select(Partner)
        .join(r, r.partner_tenant_id == Partner.tenant_id)
        .where(
            r.customer_id == customer_id,
            r.role == Role.INDIRECT_RESELLER.value,
            r.active.is_(True),
            r.provider_tenant_id == provider,
        )
        .order_by(Partner.name)
    )
    return list(rows.scalars())
