"""Partners (the distributor, its indirect resellers, other CSPs) and the distributor's network.

``program`` says what a PartnerID is enrolled as, which drives the MPA status answers:
an ``indirect_reseller`` has or has not signed the Microsoft Partner Agreement (2203), a partner
``none`` exists in the partner network but is no CSP indirect reseller (2204).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase, utcnow


class Program(StrEnum):
    INDIRECT_PROVIDER = "indirect_provider"
    INDIRECT_RESELLER = "indirect_reseller"
    DIRECT = "direct"
    NONE = "none"


class Partner(SandboxBase):
    __tablename__ = "partners"

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    mpn_id: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(256))
    location: Mapped[str] = mapped_column(String(2))
    program: Mapped[str] = mapped_column(String(32))
    mpa_signed: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NetworkLink(SandboxBase):
    """An indirect reseller that accepted an indirect provider (``IsIndirectCloudSolutionProviderOf``)."""

    __tablename__ = "partner_network"

    provider_tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partners.tenant_id", ondelete="CASCADE"), primary_key=True
    )
    reseller_tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("partners.tenant_id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(16), default="Active")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


async def get(session: AsyncSession, tenant_id: uuid.UUID) -> Partner | None:
    return await session.get(Partner, tenant_id)


async def by_mpn_id(session: AsyncSession, mpn_id: str) -> Partner | None:
    return (
        await session.execute(select(Partner).where(Partner.mpn_id == mpn_id))
    ).scalar_one_or_none()


async def network_link(
    session: AsyncSession, provider: uuid.UUID, reseller: uuid.UUID
) -> NetworkLink | None:
    link = await session.get(NetworkLink, (provider, reseller))
    return link if link is not None and link.state == "Active" else None


async def network(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    *,
    as_provider: bool,
    name_prefix: str | None = None,
) -> list[tuple[Partner, NetworkLink]]:
    """The other side of a partner's network links, by name.

    As provider: its indirect resellers (``IsIndirectCloudSolutionProviderOf``); as reseller: the
    indirect providers it buys through (``IsIndirectResellerOf``).
    """
    own, other = (
        (NetworkLink.provider_tenant_id, NetworkLink.reseller_tenant_id)
        if as_provider
        else (NetworkLink.reseller_tenant_id, NetworkLink.provider_tenant_id)
    )
    query = (
        select(Partner, NetworkLink)
        .join(NetworkLink, other == Partner.tenant_id)
        .where(own == tenant_id)
        .order_by(Partner.name, Partner.tenant_id)
    )
    if name_prefix:
        query = query.where(Partner.name.istartswith(name_prefix, autoescape=True))
    return [(partner, link) for partner, link in (await session.execute(query)).all()]
