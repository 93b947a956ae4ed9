""" "Sync now" from the pages: one organization, one reseller, or the whole platform.

The run is queued in the caller's transaction, or the caller joins the run of the same scope
that is queued or running (:func:`tenantry.sync.runs.request_sync`): there is no lock-out
window. Each request is audited (``sync.requested``).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.errors import Forbidden
from tenantry.models import OrganizationKind, SyncRun, SyncScope, SyncTrigger
from tenantry.organizations import repository
from tenantry.security import Actor, Permission, require
from tenantry.sync.runs import request_sync


async def sync_now(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID | None = None
) -> tuple[SyncRun, bool]:
    """Sync the organization (a customer, or a reseller with its customers) or, with no
    organization, everything the caller may sync: the platform for platform staff, their own
    reseller for a reseller's admins. Returns the run and whether the request joined it."""
    require(actor, Permission.SYNC_RUN)
    scope, target = SyncScope.PLATFORM, None
    if organization_id is None and actor.organization_kind is OrganizationKind.RESELLER:
        organization_id = actor.organization_id
    if organization_id is not None:
        organization = await repository.get(session, actor, organization_id)
        if organization.kind is OrganizationKind.PLATFORM:
            organization_id = None
        elif organization.kind is OrganizationKind.RESELLER:
            scope, target = SyncScope.RESELLER, organization.id
        else:
            scope, target = SyncScope.ORGANIZATION, organization.id
    if scope is SyncScope.PLATFORM and not actor.is_platform:
        raise Forbidden("only the platform's staff sync the whole platform")
    run, joined = await request_sync(
        session, platform_id=actor.platform_id, scope=scope, trigger=SyncTrigger.MANUAL,
        organization_id=target, requested_by_id=actor.user_id,
    )  # fmt: skip
    await record(
        session, actor, action="sync.requested", target_type="sync_run", target_id=run.id,
        organization_id=target or actor.platform_id,
        changes={"scope": scope.value, "joined": joined},
    )  # fmt: skip
    return run, joined
