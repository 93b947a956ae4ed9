"""The directory's jobs: running an import (``directory.import``) and the periodic re-import
that keeps imported customers in step.

An import commits step by step in transactions of its own, so the handler lets go of its own
transaction first (on SQLite it would hold the write lock for the whole import). A killed
worker's import is handed to another worker and goes on from its checkpoint.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.db import Database
from tenantry.directory.importing import DEFAULT_PAGE_SIZE, run_import
from tenantry.directory.runs import IMPORT_JOB, request_import
from tenantry.jobs.queue import every
from tenantry.models import DirectoryImport, Organization, utcnow
from tenantry.partnercenter import access

# At most this many organizations are queued per hourly run, so a platform with many customers
# spreads its re-imports instead of queueing them all in the same minute.
REIMPORTS_PER_RUN = 50


@jobs.handler(IMPORT_JOB)
async def run(session: AsyncSession, payload: dict[str, Any]) -> None:
    import_id = uuid.UUID(str(payload["import_id"]))
    database = Database.of_session(session)
    await session.commit()  # the import commits step by step on its own connections
    current = access.current()
    page_size = getattr(current.settings, "directory_import_page_size", DEFAULT_PAGE_SIZE)
    await run_import(database, current, import_id, page_size=page_size)
    if database.is_sqlite:  # the job's own writes (marking it done) take the write lock first
        await session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


async def queue_reimports(
    session: AsyncSession, *, hours: int, now: datetime | None = None
) -> list[uuid.UUID]:
    """Queue an import of every linked organization whose last import is older than ``hours``
    (those never imported wait for their first order or for "Import now"); returns their ids."""
    if hours <= 0:
        return []
    cutoff = (now or utcnow()) - timedelta(hours=hours)
    latest = (
        select(DirectoryImport.organization_id, func.max(DirectoryImport.created_at).label("at"))
        .group_by(DirectoryImport.organization_id)
        .subquery()
    )
    due = list(
        await session.scalars(
            select(Organization.id)
            .join(latest, latest.c.organization_id == Organization.id)
            .where(Organization.tenant_id.is_not(None), latest.c.at < cutoff)
            .order_by(latest.c.at)
            .limit(REIMPORTS_PER_RUN)
        )
    )
    for organization_id in due:
        await request_import(session, organization_id, reason="schedule")
    return due


@jobs.periodic("directory.reimport", every(timedelta(hours=1)))
async def reimport(session: AsyncSession) -> None:
    hours = getattr(access.current().settings, "directory_reimport_hours", 24)
    await queue_reimports(session, hours=hours)
