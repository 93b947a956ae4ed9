"""Sync rows for tests that need one without running a sync."""

from __future__ import annotations

import uuid

from tenantry.db import Database
from tenantry.models import SyncRun, SyncRunStatus, SyncScope, SyncTrigger, utcnow
from tests.factories import World


async def finished_reseller_run(database: Database, world: World) -> uuid.UUID:
    """A finished sync of reseller A (its scope is A's, so A's staff read it and B's do not)."""
    async with database.transaction() as session:
        run = SyncRun(
            platform_id=world.platform.id, scope=SyncScope.RESELLER,
            scope_organization_id=world.reseller_a.id, trigger=SyncTrigger.MANUAL,
            status=SyncRunStatus.SUCCEEDED, checkpoint={}, started_at=utcnow(),
            finished_at=utcnow(),
        )  # fmt: skip
        session.add(run)
        await session.flush()
        return run.id
