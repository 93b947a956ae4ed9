"""Reads of organizations, always through the caller's scope."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tenantry.errors import NotFound
from tenantry.models import (
    CustomPropertyDefinition,
    MicrosoftTenant,
    Organization,
    PlatformConfig,
    Segment,
)
from tenantry.organizations import listing
from tenantry.security import Actor, organization_scope


def scoped(actor: Actor) -> Select[Organization]:
    return (
        select(Organization)
        .where(organization_scope(actor))
        .options(selectinload(Organization.segments))
    )


async def get(session: AsyncSession, actor: Actor, organization_id: uuid.UUID) -> Organization:
    """The organization, if the actor may see it; otherwise 404 (never 403, which would leak it)."""
    found = (
        await session.execute(scoped(actor).where(Organization.id == organization_id))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"organization {organization_id} not found")
    return found


async def get_for_update(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID
) -> Organization:
    found = (
        await session.execute(
            scoped(actor)
            .where(Organization.id == organization_id)
            .with_for_update(of=Organization)
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(f"organization {organization_id} not found")
    return found


# A page of the organizations the actor may see, by legal name, read from an index in order.
page = listing.orm_page


async def platform_config(
    session: AsyncSession, platform_id: uuid.UUID, *, for_update: bool = False
) -> PlatformConfig:
    """The platform's rules; a platform that never saved any gets the defaults (stored only when
    ``for_update``, so reads never write)."""
    config = await session.get(PlatformConfig, platform_id)
    if config is None:
        config = PlatformConfig(
            platform_id=platform_id,
            allowed_currencies=[],
            erp_id_required_for_orders=False,
            work_account_domains=[],
            notification_cc=[],
        )
        if for_update:
            session.add(config)
    return config


async def segments(session: AsyncSession, platform_id: uuid.UUID) -> Sequence[Segment]:
    return (
        (
            await session.execute(
                select(Segment).where(Segment.platform_id == platform_id).order_by(Segment.name)
            )
        )
        .scalars()
        .all()
    )


async def segments_by_id(
    session: AsyncSession, platform_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, Segment]:
    if not ids:
        return {}
    rows = await session.execute(
        select(Segment).where(Segment.platform_id == platform_id, Segment.id.in_(ids))
    )
    return {s.id: s for s in rows.scalars()}


async def custom_properties(
    session: AsyncSession, platform_id: uuid.UUID
) -> Sequence[CustomPropertyDefinition]:
    query = (
        select(CustomPropertyDefinition)
        .where(CustomPropertyDefinition.platform_id == platform_id)
        .order_by(CustomPropertyDefinition.key)
    )
    return (await session.execute(query)).scalars().all()


async def erp_id_taken(
    session: AsyncSession, platform_id: uuid.UUID, erp_id: str, exclude: uuid.UUID | None
) -> bool:
    query = select(Organization.id).where(
        Organization.platform_id == platform_id, Organization.erp_id == erp_id
    )
    if exclude:
        query = query.where(Organization.id != exclude)
    return (await session.execute(query.limit(1))).first() is not None


async def preferring_other_currencies(
    session: AsyncSession, platform_id: uuid.UUID, currencies: list[str]
) -> list[Organization]:
    """The platform's organizations (itself included) whose preferred currency is not listed."""
    rows = await session.scalars(
        select(Organization)
        .where(
            Organization.platform_id == platform_id,
            Organization.preferred_currency.not_in(currencies),
        )
        .order_by(Organization.display_name, Organization.id)
    )
    return list(rows)


async def microsoft_tenants(
    session: AsyncSession, organization_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, MicrosoftTenant]:
    """What is known of the tenants the organizations (already in scope) hold, by organization."""
    if not organization_ids:
        return {}
    found = await session.scalars(
        select(MicrosoftTenant).where(MicrosoftTenant.organization_id.in_(organization_ids))
    )
    return {row.organization_id: row for row in found}
