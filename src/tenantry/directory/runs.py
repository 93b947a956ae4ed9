"""Asking for an import of a customer's directory: one open import per organization, and later
requests join it.

``open_for`` (unique) holds the organization's id while its import is queued or running, so two
requests at the same moment cannot both start one: the second finds the first's row and joins
it. A reason that names one event (``first_order:<order id>``) imports once for that event: asked
again (the provisioning job retried) it answers the import already made for it.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.models import (
    DirectoryImport,
    DirectoryImportStatus,
    Organization,
    OutboxItem,
    OutboxStatus,
    utcnow,
)

IMPORT_JOB = "directory.import"
OPEN = (DirectoryImportStatus.QUEUED, DirectoryImportStatus.RUNNING)
ENDED = (DirectoryImportStatus.SUCCEEDED, DirectoryImportStatus.PARTIAL,
         DirectoryImportStatus.FAILED)  # fmt: skip
# Reasons people and schedules give; any other reason names one event and imports once for it.
REPEATABLE_REASONS = frozenset({"manual", "schedule"})
MAX_REASON_LENGTH = 200


def job_key(import_id: uuid.UUID) -> str:
    return f"{IMPORT_JOB}:{import_id}"


async def open_import(session: AsyncSession, organization_id: uuid.UUID) -> DirectoryImport | None:
    return await session.scalar(
        select(DirectoryImport).where(DirectoryImport.open_for == organization_id)
    )


async def _end_if_abandoned(session: AsyncSession, found: DirectoryImport) -> bool:
    """An open import whose job gave up (its attempts ran out) ends as failed, with the job's
    last error, so nobody joins an import no worker will carry on. True when it ended."""
    failed = await session.scalar(
        select(OutboxItem.last_error).where(
            OutboxItem.idempotency_key == job_key(found.id),
            OutboxItem.status == OutboxStatus.FAILED,
        )
    )
    if failed is None:
        return False
    end(found, DirectoryImportStatus.FAILED,
        error=f"the import stopped and was not retried: {failed.strip()[-500:]}")  # fmt: skip
    await session.flush()
    return True


def end(found: DirectoryImport, status: DirectoryImportStatus, *, error: str | None = None) -> None:
    """Close an import: it no longer holds the organization's open slot."""
    found.status = status
    found.finished_at = utcnow()
    found.open_for = None
    if error is not None:
        found.error = error


async def request_import(
    session: AsyncSession,
    organization_id: uuid.UUID,
    *,
    reason: str,
    requested_by_id: uuid.UUID | None = None,
) -> DirectoryImport:
    """Queue an import of the organization's directory in the caller's transaction, once.

    Joins the organization's queued or running import if there is one; for a reason naming
    one event (anything but ``manual`` and ``schedule``, e.g. ``first_order:<order id>``)
    answers the import that event already asked for. The job (``directory.import``) runs after
    the caller commits. The organization is not checked here: an import of one with no linked
    tenant ends as failed and says so.
    """
    reason = " ".join(reason.split())[:MAX_REASON_LENGTH] or "manual"
    organization = await session.get_one(Organization, organization_id)
    if reason not in REPEATABLE_REASONS:
        earlier = await session.scalar(
            select(DirectoryImport)
            .where(
                DirectoryImport.organization_id == organization_id,
                DirectoryImport.reason == reason,
            )
            .limit(1)
        )
        if earlier is not None:
            return earlier
    for _ in range(3):
        found = await open_import(session, organization_id)
        if found is not None and not await _end_if_abandoned(session, found):
            found.joined += 1
            await session.flush()
            return found
        created = DirectoryImport(
            id=uuid.uuid4(), platform_id=organization.platform_id,
            organization_id=organization_id, open_for=organization_id,
            tenant_id=organization.tenant_id, reason=reason,
            status=DirectoryImportStatus.QUEUED, requested_by_id=requested_by_id,
            checkpoint={}, problems=[],
        )  # fmt: skip
        try:
            async with session.begin_nested():
                session.add(created)
                await session.flush()
        except IntegrityError:
            continue  # another request opened one at the same moment: join it
        await jobs.enqueue(
            session, kind=IMPORT_JOB, payload={"import_id": created.id},
            idempotency_key=job_key(created.id),
        )  # fmt: skip
        return created
    raise RuntimeError(f"could not open an import for organization {organization_id}")
