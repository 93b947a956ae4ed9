"""Which customers need the professional-secrecy agreement: the platform marks segments (for
example every tax adviser it serves), and a seller marks single customers of its own."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import diff, record
from tenantry.errors import Conflict, FieldError, ValidationFailed
from tenantry.models import Organization, OrganizationKind, Segment
from tenantry.organizations import repository
from tenantry.security import Actor, Permission, manages, require


async def secrecy_segments(session: AsyncSession, actor: Actor) -> Sequence[Segment]:
    require(actor, Permission.ORGANIZATION_READ)
    found = await repository.segments(session, actor.platform_id)
    return [s for s in found if s.requires_professional_secrecy]


async def set_secrecy_segments(
    session: AsyncSession, actor: Actor, segment_ids: Sequence[uuid.UUID]
) -> Sequence[Segment]:
    """Exactly these segments require it afterwards (platform admins only)."""
    require(actor, Permission.PLATFORM_CONFIGURE, hint="the platform's admins mark segments")
    found = {s.id: s for s in await repository.segments(session, actor.platform_id)}
    unknown = [FieldError(f"segment_ids.{i}", "unknown_segment",
                          f"the platform has no segment {segment_id}")
               for i, segment_id in enumerate(segment_ids) if segment_id not in found]  # fmt: skip
    if unknown:
        raise ValidationFailed(unknown)
    wanted = set(segment_ids)
    before = sorted(s.name for s in found.values() if s.requires_professional_secrecy)
    for segment in found.values():
        segment.requires_professional_secrecy = segment.id in wanted
    after = sorted(s.name for s in found.values() if s.requires_professional_secrecy)
    if before != after:
        await session.flush()
        await record(
            session, actor, action="segments.professional_secrecy_changed",
            target_type="platform", target_id=actor.platform_id,
            organization_id=actor.platform_id,
            changes=diff({"segments": before}, {"segments": after}),
        )  # fmt: skip
    return [s for s in found.values() if s.requires_professional_secrecy]


async def mark_organization(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID, required: bool
) -> Organization:
    """Platform staff mark any customer; a reseller's admin its own customers. Another's
    customer is not found (404)."""
    organization = await repository.get_for_update(session, actor, organization_id)
    require(actor, Permission.ORGANIZATION_EDIT_BASIC,
            hint="the seller's admins and the platform's staff mark customers")  # fmt: skip
    if not manages(actor, organization):
        raise Conflict(
            "only the customer's seller or the platform marks it",
            errors=[FieldError("required", "not_your_customer",
                               "you may mark your own customers only")],
        )  # fmt: skip
    if organization.kind is not OrganizationKind.CUSTOMER:
        raise Conflict(
            f"{organization.display_name} is a {organization.kind.value}: only customers sign "
            "the professional-secrecy agreement",
            errors=[FieldError("required", "customers_only",
                               "only customers sign the professional-secrecy agreement")],
        )  # fmt: skip
    if organization.requires_professional_secrecy != required:
        before = organization.requires_professional_secrecy
        organization.requires_professional_secrecy = required
        await session.flush()
        await record(
            session, actor, action="organization.professional_secrecy_changed",
            target_type="organization", target_id=organization.id,
            organization_id=organization.id, platform_id=organization.platform_id,
            changes=diff({"requires_professional_secrecy": before},
                         {"requires_professional_secrecy": required}),
        )  # fmt: skip
    return organization


async def organization_in_scope(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID
) -> Organization:
    require(actor, Permission.ORGANIZATION_READ)
    return await repository.get(session, actor, organization_id)
