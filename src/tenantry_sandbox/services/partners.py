"""Creating partners (the distributor, indirect resellers) and linking them into a network."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox.errors import PartnerCenterError
from tenantry_sandbox.store import domains
from tenantry_sandbox.store.domains import Domain
from tenantry_sandbox.store.partners import NetworkLink, Partner, Program
from tenantry_sandbox.store.tenants import Tenant, TenantKind


def conflict(description: str) -> PartnerCenterError:
    return PartnerCenterError(409, 3000, description)


async def add_partner(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    name: str,
    mpn_id: str,
    domain: str,
    location: str,
    program: Program,
    mpa_signed: bool,
) -> Partner:
    if await session.get(Tenant, tenant_id) is not None:
        raise conflict(f"Tenant {tenant_id} already exists.")
    if (await session.execute(select(Partner).where(Partner.mpn_id == mpn_id))).first():
        raise conflict(f"PartnerID {mpn_id} is already registered.")
    if await domains.is_taken(session, domain):
        raise conflict(f"The domain {domain} is already used by another tenant.")
    session.add(Tenant(id=tenant_id, kind=TenantKind.PARTNER.value, display_name=name))
    await session.flush()
    session.add(Domain(**domains.domain_row(tenant_id, domain, initial=True)))
    partner = Partner(
        tenant_id=tenant_id,
        mpn_id=mpn_id,
        name=name,
        location=location.upper(),
        program=program.value,
        mpa_signed=mpa_signed,
    )
    session.add(partner)
    await session.flush()
    return partner


async def join_network(session: AsyncSession, provider: uuid.UUID, reseller: uuid.UUID) -> None:
    """The reseller accepts the provider as its indirect provider."""
    link = await session.get(NetworkLink, (provider, reseller))
    if link is None:
        session.add(NetworkLink(provider_tenant_id=provider, reseller_tenant_id=reseller))
    else:
        link.state = "Active"
    await session.flush()
