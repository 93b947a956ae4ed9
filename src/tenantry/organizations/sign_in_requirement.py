"""An organization's sign-in requirement: how its people must sign in (``identity.requirements``
enforces it).

It is set by those who manage the organization's people (``members.manage``): its own admins,
and its seller's admins, who may be asked to do it for a customer. Nobody can set a requirement
their own session in the organization does not meet, so an admin cannot lock themselves out. A
change made with an API token is not checked that way: tokens are not affected by the requirement,
and the token can change it back.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import diff, record
from tenantry.errors import Conflict, FieldError
from tenantry.identity.on_behalf.service import refuse_credential_change
from tenantry.identity.service import administered
from tenantry.identity.sign_in.requirements import lockout
from tenantry.models import AuthSession, Organization, SignInRequirement, utcnow
from tenantry.organizations import repository
from tenantry.security import Actor, Permission, manages, require


def may_set(actor: Actor, organization: Organization) -> bool:
    """Whether :func:`set_requirement` would let the actor change it (the pages offer the form)."""
    return actor.can(Permission.MEMBERS_MANAGE) and (
        organization.id == actor.organization_id or manages(actor, organization)
    )


async def get_requirement(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID
) -> Organization:
    require(actor, Permission.ORGANIZATION_READ)
    return await repository.get(session, actor, organization_id)


async def set_requirement(
    session: AsyncSession,
    actor: Actor,
    organization_id: uuid.UUID,
    requirement: SignInRequirement,
    *,
    auth_session: AuthSession | None,
) -> Organization:
    """Require a sign-in method of the organization's people. ``auth_session``: the caller's own
    session (None for an API token). Setting the requirement it has already changes nothing."""
    refuse_credential_change(actor)  # not while acting for a customer (login on behalf)
    organization = await administered(session, actor, organization_id, Permission.MEMBERS_MANAGE)
    before = organization.sign_in_requirement
    if before is requirement:
        return organization
    own_session = auth_session if organization.id == actor.organization_id else None
    if own_session is not None and not requirement.admits(own_session.method):
        message = lockout(organization, requirement, own_session.method)
        raise Conflict(message, errors=[FieldError("requirement", "would_lock_you_out", message)])
    organization.sign_in_requirement = requirement
    organization.updated_at = utcnow()
    await session.flush()
    await record(
        session, actor, action="organization.sign_in_requirement_changed",
        target_type="organization", target_id=organization.id, organization_id=organization.id,
        platform_id=organization.platform_id,
        changes=diff({"sign_in_requirement": before}, {"sign_in_requirement": requirement}),
    )  # fmt: skip
    return organization
