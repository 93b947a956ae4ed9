"""GDAP on Microsoft Graph: delegated admin relationships, their requests and access assignments.

Statuses are stored exactly as Graph spells them (``approvalPending``). ``seq`` columns give
insertion order for ``$skiptoken`` paging; ``version`` grows with every change and makes the
``@odata.etag``. Role definition ids are kept as a JSON array of GUID strings.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, and_, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase, utcnow

# Statuses a relationship passes through on its way to the next stable one.
SETTLING = ("approved", "terminationRequested")


class GdapRelationship(SandboxBase):
    __tablename__ = "gdap_relationships"
    __table_args__ = (Index("ix_gdap_relationships_partner_seq", "partner_tenant_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(73), unique=True)
    partner_tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partners.tenant_id", ondelete="CASCADE")
    )
    display_name: Mapped[str] = mapped_column(String(50))
    duration: Mapped[str] = mapped_column(String(16))
    duration_days: Mapped[int]
    customer_tenant_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    customer_display_name: Mapped[str | None] = mapped_column(String(256), default=None)
    role_ids: Mapped[str] = mapped_column(Text)
    auto_extend_duration: Mapped[str] = mapped_column(String(16), default="PT0S")
    status: Mapped[str] = mapped_column(String(24), index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(default=None)
    end_at: Mapped[datetime | None] = mapped_column(default=None)
    # Who approved it in the admin center (the customer's Global Administrator).
    approved_by: Mapped[uuid.UUID | None] = mapped_column(default=None)

    @property
    def roles(self) -> list[str]:
        return list(json.loads(self.role_ids))


class GdapRequest(SandboxBase):
    """``lockForApproval`` or ``terminate``, as posted to ``.../requests``."""

    __tablename__ = "gdap_requests"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    relationship_id: Mapped[str] = mapped_column(
        ForeignKey("gdap_relationships.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16), default="created")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class GdapAccessAssignment(SandboxBase):
    __tablename__ = "gdap_access_assignments"
    __table_args__ = (Index("ix_gdap_access_assignments_rel_seq", "relationship_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    relationship_id: Mapped[str] = mapped_column(
        ForeignKey("gdap_relationships.id", ondelete="CASCADE")
    )
    security_group_id: Mapped[uuid.UUID]
    role_ids: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def roles(self) -> list[str]:
        return list(json.loads(self.role_ids))


async def relationship(session: AsyncSession, relationship_id: str) -> GdapRelationship | None:
    rows = await session.execute(
        select(GdapRelationship).where(GdapRelationship.id == relationship_id)
    )
    return rows.scalar_one_or_none()


async def by_display_name(
    session: AsyncSession, partner_tenant_id: uuid.UUID, display_name: str
) -> GdapRelationship | None:
    rows = await session.execute(
        select(GdapRelationship).where(
            GdapRelationship.partner_tenant_id == partner_tenant_id,
            GdapRelationship.display_name == display_name,
        )
    )
    return rows.scalars().first()


async def relationships_page(
    session: AsyncSession,
    partner_tenant_id: uuid.UUID,
    *,
    after: int,
    limit: int,
    equals: dict[str, object],
) -> list[GdapRelationship]:
    """One page in creation order; ``equals`` maps column names to required values."""
    query = (
        select(GdapRelationship)
        .where(
            GdapRelationship.partner_tenant_id == partner_tenant_id, GdapRelationship.seq > after
        )
        .order_by(GdapRelationship.seq)
        .limit(limit)
    )
    for column, value in equals.items():
        query = query.where(getattr(GdapRelationship, column) == value)
    return list((await session.execute(query)).scalars())


async def pending_for_customer(
    session: AsyncSession, customer_tenant_id: uuid.UUID
) -> list[GdapRelationship]:
    """Relationships locked for approval that this customer can approve."""
    rows = await session.execute(
        select(GdapRelationship)
        .where(
            GdapRelationship.status == "approvalPending",
            (GdapRelationship.customer_tenant_id == customer_tenant_id)
            | GdapRelationship.customer_tenant_id.is_(None),
        )
        .order_by(GdapRelationship.seq)
        .limit(50)
    )
    return list(rows.scalars())


async def request(
    session: AsyncSession, relationship_id: str, request_id: uuid.UUID
) -> GdapRequest | None:
    row = await session.get(GdapRequest, request_id)
    return row if row is not None and row.relationship_id == relationship_id else None


async def requests_of(session: AsyncSession, relationship_id: str) -> list[GdapRequest]:
    rows = await session.execute(
        select(GdapRequest)
        .where(GdapRequest.relationship_id == relationship_id)
        .order_by(GdapRequest.created_at, GdapRequest.id)
    )
    return list(rows.scalars())


async def assignment(
    session: AsyncSession, relationship_id: str, assignment_id: uuid.UUID
) -> GdapAccessAssignment | None:
    rows = await session.execute(
        select(GdapAccessAssignment).where(
            GdapAccessAssignment.relationship_id == relationship_id,
            GdapAccessAssignment.id == assignment_id,
        )
    )
    return rows.scalar_one_or_none()


async def assignments_page(
    session: AsyncSession, relationship_id: str, *, after: int, limit: int
) -> list[GdapAccessAssignment]:
    rows = await session.execute(
        select(GdapAccessAssignment)
        .where(
            GdapAccessAssignment.relationship_id == relationship_id,
            GdapAccessAssignment.seq > after,
        )
        .order_by(GdapAccessAssignment.seq)
        .limit(limit)
    )
    return list(rows.scalars())


async def assignments_of(
    session: AsyncSession, relationship_id: str, statuses: tuple[str, ...]
) -> list[GdapAccessAssignment]:
    rows = await session.execute(
        select(GdapAccessAssignment).where(
            GdapAccessAssignment.relationship_id == relationship_id,
            GdapAccessAssignment.status.in_(statuses),
        )
    )
    return list(rows.scalars())


async def in_motion(
    session: AsyncSession, now: datetime, limit: int = 200
) -> list[GdapRelationship]:
    """Relationships with a step still to take: a status to settle, a request to complete, an
    assignment to activate or remove, or an end date that has passed."""
    r, a, q = GdapRelationship, GdapAccessAssignment, GdapRequest
    rows = await session.execute(
        select(r)
        .where(
            or_(
                r.status.in_(SETTLING),
                and_(r.status == "active", r.end_at <= now),
                exists().where(a.relationship_id == r.id, a.status.in_(("pending", "deleting"))),
                exists().where(q.relationship_id == r.id, q.status == "created"),
            )
        )
        .order_by(r.seq)
        .limit(limit)
    )
    return list(rows.scalars())
