"""Domains of tenants: the initial ``<prefix>.onmicrosoft.com`` and verified custom domains.

An initial domain's prefix is unique across every tenant whatever the suffix it was created with
(``contoso.onmicrosoft.com`` and the integration sandbox's ``contoso.ccsctp.net`` are the same
name), which the unique ``initial_prefix`` column enforces even under concurrent creates.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase, utcnow

# Suffixes of initial (tenant-creation) domains. ccsctp.net is the integration sandbox's suffix.
INITIAL_SUFFIXES = (".onmicrosoft.com", ".ccsctp.net")


class Domain(SandboxBase):
    __tablename__ = "domains"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), index=True
    )
    is_initial: Mapped[bool] = mapped_column(default=False)
    initial_prefix: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def initial_prefix(domain: str) -> str | None:
    """The prefix of an initial domain (``Contoso.onmicrosoft.com`` -> ``contoso``), else None."""
    lowered = domain.strip().lower()
    for suffix in INITIAL_SUFFIXES:
        if lowered.endswith(suffix):
            return lowered.removesuffix(suffix)
    return None


def domain_row(tenant_id: uuid.UUID, domain: str, *, initial: bool) -> dict[str, object]:
    """Column values for one domain, as both the ORM path and the bulk seed insert them."""
    return {
        "name": domain.lower(),
        "tenant_id": tenant_id,
        "is_initial": initial,
        "initial_prefix": initial_prefix(domain) if initial else None,
    }


async def is_taken(session: AsyncSession, domain: str) -> bool:
    """Whether ``HEAD /v1/domains/{domain}`` answers 200 (exists) rather than 404 (available).

    A name without a dot is read as an initial-domain prefix, as create customer reads it.
    """
    prefix = initial_prefix(domain) if "." in domain else domain.strip().lower()
    if prefix is not None:
        query = select(Domain.name).where(Domain.initial_prefix == prefix)
    else:
        query = select(Domain.name).where(Domain.name == domain.strip().lower())
    return (await session.execute(query.limit(1))).first() is not None


async def names_of(session: AsyncSession, tenant_id: uuid.UUID) -> list[str]:
    """A tenant's domains, the initial one first."""
    rows = await session.execute(
        select(Domain.name)
        .where(Domain.tenant_id == tenant_id)
        .order_by(Domain.is_initial.desc(), Domain.name)
    )
    return list(rows.scalars())
