"""Status changes: pending approval -> active <-> blocked, and rejected.

Repeating a change that already happened (approving an active organization) succeeds without a
second audit event, so retried requests are harmless.
"""

from __future__ import annotations

import enum
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.errors import Conflict, Forbidden
from tenantry.models import Organization, OrganizationStatus, utcnow
from tenantry.organizations import notifications, repository
from tenantry.security import Actor, Permission, manages, require

S = OrganizationStatus


class Transition(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    BLOCK = "block"
    UNBLOCK = "unblock"


# transition -> (statuses it starts from, status it ends in, permission it needs)
TRANSITIONS: dict[Transition, tuple[frozenset[S], S, Permission]] = {
    Transition.APPROVE: (
        frozenset({S.PENDING_APPROVAL, S.REJECTED}),
        S.ACTIVE,
        Permission.ORGANIZATION_APPROVE,
    ),
    Transition.REJECT: (
        frozenset({S.PENDING_APPROVAL}),
        S.REJECTED,
        Permission.ORGANIZATION_APPROVE,
    ),
    Transition.BLOCK: (frozenset({S.ACTIVE}), S.BLOCKED, Permission.ORGANIZATION_BLOCK),
    Transition.UNBLOCK: (frozenset({S.BLOCKED}), S.ACTIVE, Permission.ORGANIZATION_BLOCK),
}


def may_change_status(actor: Actor, organization: Organization) -> bool:
    """An organization's status is changed by its seller, never by itself."""
    return manages(actor, organization) and organization.id != actor.organization_id


def allowed_transitions(actor: Actor, organization: Organization) -> list[Transition]:
    """The changes :func:`change_status` would accept now (the pages offer these as buttons)."""
    if not may_change_status(actor, organization):
        return []
    return [
        transition
        for transition, (sources, _, permission) in TRANSITIONS.items()
        if organization.status in sources and actor.can(permission)
    ]


async def change_status(
    session: AsyncSession,
    actor: Actor,
    organization_id: uuid.UUID,
    transition: Transition,
    *,
    reason: str | None = None,
) -> Organization:
    sources, target, permission = TRANSITIONS[transition]
    require(actor, permission)
    organization = await repository.get_for_update(session, actor, organization_id)
    if not may_change_status(actor, organization):
        raise Forbidden("an organization's status is changed by its seller")
    if organization.status is target and (
        transition is not Transition.APPROVE or organization.approved_at
    ):
        return organization
    if organization.status not in sources:
        raise Conflict(
            f"cannot {transition.value} an organization that is {organization.status.value}",
            current_status=organization.status.value,
        )
    before = organization.status
    organization.status = target
    organization.status_reason = reason
    if target is S.ACTIVE and organization.approved_at is None:
        organization.approved_at = utcnow()
    organization.updated_at = utcnow()
    await session.flush()
    if transition in (Transition.APPROVE, Transition.REJECT) and before in (
        S.PENDING_APPROVAL,
        S.REJECTED,
    ):
        await notifications.status_decided(
            session, organization, approved=transition is Transition.APPROVE, reason=reason
        )
    await record(
        session,
        actor,
        action=f"organization.{transition.value}",
        target_type="organization",
        target_id=organization.id,
        organization_id=organization.id,
        changes={
            "before": {"status": before.value},
            "after": {"status": target.value, "reason": reason},
        },
    )
    return organization
