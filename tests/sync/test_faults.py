"""With 30% of Partner Center's answers failing (429, 503, dropped connections) a sync still
ends with every customer once: nothing lost, nothing twice."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import func, select

from tenantry.db import Database
from tenantry.models import Organization, PartnerCenterAccount, SyncRunStatus
from tests.factories import World
from tests.sandbox.conftest import Sandbox
from tests.sync.conftest import state, sync

CUSTOMERS = 15
FAULTS = {
    "seed": 7,
    "rules": [
        {"kind": "throttle", "rate": 0.1, "path": "/v1/*", "retryAfter": 1},
        {"kind": "error", "rate": 0.1, "status": 503, "path": "/v1/*"},
        {"kind": "disconnect", "rate": 0.1, "path": "/v1/*", "methods": ["GET"]},
    ],
}


async def test_thirty_percent_faults_lose_nothing_and_double_nothing(
    app: FastAPI, database: Database, network: World, sqlite_sandbox: Sandbox
) -> None:
    for n in range(CUSTOMERS):
        await sqlite_sandbox.customer(company_name=f"Faulty {n:02d} Ltd", country="GB")
    await sqlite_sandbox.control("PUT", "/faults", json=FAULTS)

    run = await sync(database, network.platform.id)

    fired = await sqlite_sandbox.control("GET", "/faults")
    assert sum(fired["fired"]) >= 5, fired
    assert run.status is SyncRunStatus.SUCCEEDED, run.error
    async with database.transaction(write=False) as session:
        accounts = await session.scalar(
            select(func.count())
            .select_from(PartnerCenterAccount)
            .where(
                PartnerCenterAccount.kind == "customer",
                PartnerCenterAccount.organization_id.is_not(None),
                PartnerCenterAccount.billing_profile.is_not(None),
            )
        )
        names = list(
            await session.scalars(
                select(Organization.legal_name).where(Organization.legal_name.like("Faulty %"))
            )
        )
    assert accounts == CUSTOMERS
    assert sorted(names) == [f"Faulty {n:02d} Ltd" for n in range(CUSTOMERS)]
    assert run.created == CUSTOMERS
    settled = await state(database, network.platform.id)

    await sqlite_sandbox.control("DELETE", "/faults")
    again = await sync(database, network.platform.id)
    assert again.created == again.updated == again.failed == 0
    assert await state(database, network.platform.id) == settled
