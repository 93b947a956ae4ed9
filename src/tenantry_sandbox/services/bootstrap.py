"""The distributor the sandbox's Partner Center account belongs to, present in every world."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox.clock import Clock
from tenantry_sandbox.services.identity import partner_user, register_refresh_token
from tenantry_sandbox.services.partners import add_partner
from tenantry_sandbox.settings import SandboxSettings
from tenantry_sandbox.store import partners
from tenantry_sandbox.store.partners import Partner, Program


async def ensure_distributor(session: AsyncSession, settings: SandboxSettings) -> Partner:
    """The configured distributor, registered if missing."""
    partner = await partners.get(session, settings.partner_tenant_id)
    if partner is None:
        partner = await add_partner(
            session,
            tenant_id=settings.partner_tenant_id,
            name=settings.partner_name,
            mpn_id=settings.partner_mpn_id,
            domain=settings.partner_domain,
            location=settings.partner_location,
            program=Program.INDIRECT_PROVIDER,
            mpa_signed=True,
        )
    return partner


async def bootstrap(session: AsyncSession, settings: SandboxSettings, clock: Clock) -> None:
    """Register the configured distributor and its admin's refresh token, if missing."""
    await ensure_distributor(session, settings)
    if settings.bootstrap_refresh_token:
        await register_refresh_token(
            session,
            settings.bootstrap_refresh_token,
            settings=settings,
            clock=clock,
            tenant_id=settings.partner_tenant_id,
            user=partner_user(settings.partner_tenant_id, settings.partner_admin_upn),
        )
