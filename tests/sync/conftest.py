"""The app wired to an in-process Partner Center sandbox, and helpers that run syncs."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.models import (
    Organization,
    PartnerCenterAccount,
    SyncRun,
    SyncScope,
    SyncTrigger,
)
from tenantry.partnercenter import access
from tenantry.sync.engine import run_sync
from tenantry.sync.runs import request_sync
from tests.tenants.conftest import (  # noqa: F401  (fixtures used here)
    app,
    clock,
    job_queue,
    mail_settings,
    network,
    people,
    settings_overrides,
    smtp_server,
    sqlite_sandbox,
)


async def queue_run(
    database: Database,
    platform_id: uuid.UUID,
    scope: SyncScope = SyncScope.PLATFORM,
    **kwargs: Any,
) -> SyncRun:
    async with database.transaction() as session:
        run, _ = await request_sync(
            session, platform_id=platform_id, scope=scope, trigger=SyncTrigger.MANUAL, **kwargs
        )
    return run


async def sync(database: Database, platform_id: uuid.UUID, **kwargs: Any) -> SyncRun:
    """Queue and run a sync to its end; returns the finished run."""
    run = await queue_run(database, platform_id, **kwargs)
    await run_sync(database, access.current(), run.id)
    return await reload(database, run.id)


async def reload(database: Database, run_id: uuid.UUID) -> SyncRun:
    async with database.transaction(write=False) as session:
        found = await session.get(SyncRun, run_id)
        assert found is not None
        return found


async def state(database: Database, platform_id: uuid.UUID) -> dict[str, Any]:
    """What a sync leaves behind, comparable between two runs."""
    async with database.transaction(write=False) as session:
        organizations = sorted(
            (str(o.tenant_id), o.kind.value, o.legal_name, str(o.parent_id))
            for o in await session.scalars(
                select(Organization).where(
                    Organization.platform_id == platform_id, Organization.tenant_id.is_not(None)
                )
            )
        )
        accounts = sorted(
            (a.kind.value, str(a.tenant_id), a.company_name, str(a.reseller_tenant_id),
             str(a.organization_id is not None), repr(a.billing_profile))
            for a in await session.scalars(
                select(PartnerCenterAccount).where(PartnerCenterAccount.platform_id == platform_id)
            )
        )  # fmt: skip
        count = await session.scalar(select(func.count()).select_from(Organization))
    return {"organizations": organizations, "accounts": accounts, "count": count}
