"""Running one import by id, phase by phase, from wherever its checkpoint stands.

Phases: ``users`` (every page), ``removed`` (users no longer listed), ``domains``, ``licenses``
(subscribed SKUs, with how many units are ours), ``assignments`` (each user's licenses), then
``finish``. Each phase commits its progress with its writes (``ImportContext.step``); running
the same import again, after a kill or twice at once, goes on from there and counts nothing
twice (the second worker takes the import over and the first stops at its next step).

A re-import changes only what changed: users, domains, licenses and assignments are compared
with what the last import wrote and only the differences are written and counted.

Partner Center refusing, or staying unreachable after the client's retries, ends the import as
failed with the reason in plain words; the next import (scheduled, "Import now") starts over.
"""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.db import Database
from tenantry.directory.context import COUNTERS, ImportContext, ImportTakenOver, locked_import
from tenantry.directory.import_licenses import assignments_phase, licenses_phase
from tenantry.directory.import_users import domains_phase, removed_phase, users_phase
from tenantry.directory.refusals import why_not
from tenantry.directory.runs import ENDED, end
from tenantry.models import DirectoryImport, DirectoryImportStatus, Organization, utcnow
from tenantry.partnercenter.access import PartnerCenterAccess
from tenantry.partnercenter.errors import PartnerCenterError

log = structlog.get_logger("tenantry.directory")
PHASES = {
    "users": users_phase,
    "removed": removed_phase,
    "domains": domains_phase,
    "licenses": licenses_phase,
    "assignments": assignments_phase,
}
DEFAULT_PAGE_SIZE = 100


async def _claim(database: Database, import_id: uuid.UUID) -> tuple[DirectoryImport, str] | None:
    """Mark the import running as this worker's (taking it over from a dead one)."""
    worker = uuid.uuid4().hex
    async with database.transaction() as session:
        found = await session.scalar(
            select(DirectoryImport).where(DirectoryImport.id == import_id).with_for_update()
        )
        if found is None or found.status in ENDED:
            return None
        organization = await session.get_one(Organization, found.organization_id)
        if organization.tenant_id is None:
            end(found, DirectoryImportStatus.FAILED,
                error=f"{organization.display_name} holds no Microsoft tenant: link its tenant "
                "first (Service Details, or the tenant ID on the organization).")  # fmt: skip
            await _audit(session, found)
            return None
        found.status = DirectoryImportStatus.RUNNING
        found.started_at = found.started_at or utcnow()
        found.tenant_id = organization.tenant_id
        found.checkpoint = {"phase": "users", **(found.checkpoint or {}), "worker": worker,
                            "country": organization.address_country}  # fmt: skip
        await session.flush()
        session.expunge(found)
    return found, worker


async def run_import(
    database: Database,
    access: PartnerCenterAccess,
    import_id: uuid.UUID,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> DirectoryImportStatus | None:
    """Run (or go on with) the import; returns its final status, None when there was nothing
    to run (ended already, unknown, or taken over by another worker)."""
    claimed = await _claim(database, import_id)
    if claimed is None:
        return None
    found, worker = claimed
    assert found.tenant_id is not None
    async with access.client() as client:
        ctx = ImportContext(
            database=database, client=client, import_id=found.id,
            organization_id=found.organization_id, platform_id=found.platform_id,
            tenant_id=str(found.tenant_id), country=str(found.checkpoint.get("country") or ""),
            worker=worker, page_size=page_size, checkpoint=dict(found.checkpoint),
        )  # fmt: skip
        try:
            while (phase := ctx.checkpoint.get("phase")) != "finish":
                if phase not in PHASES:
                    raise ValueError(f"unknown import phase {phase!r}")
                await PHASES[phase](ctx)
        except ImportTakenOver:
            log.warning("directory import taken over by another worker", import_id=str(import_id))
            return None
        except PartnerCenterError as exc:
            return await _stop(ctx, DirectoryImportStatus.FAILED, why_not(exc))
    return await _stop(ctx, None, None)


async def _stop(
    ctx: ImportContext, status: DirectoryImportStatus | None, error: str | None
) -> DirectoryImportStatus | None:
    try:
        async with ctx.step() as session:
            found = await locked_import(session, ctx.import_id, ctx.worker)
            if status is None:
                status = (
                    DirectoryImportStatus.PARTIAL
                    if found.problems
                    else DirectoryImportStatus.SUCCEEDED
                )
            end(found, status, error=error)
            await _audit(session, found)
    except ImportTakenOver:
        return None
    if error:
        log.warning("directory import failed", import_id=str(ctx.import_id), error=error)
    return status


async def _audit(session: AsyncSession, found: DirectoryImport) -> None:
    counts = {name: getattr(found, name) for name in COUNTERS if name != "calls_made"}
    await record(
        session, None, action=f"directory.import_{found.status.value}",
        target_type="directory_import", target_id=found.id,
        organization_id=found.organization_id, platform_id=found.platform_id,
        changes={"after": {"reason": found.reason, "error": found.error,
                           "problems": len(found.problems), **counts}},
    )  # fmt: skip
