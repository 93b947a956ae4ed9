"""A sync leaves the planner statistics of the tables it fills as they are when it ends. Without
them a database whose autovacuum is off or behind plans each batch for the tables as they were
before the sync (empty, for a new platform), and reads all of a platform's accounts and
subscriptions for every batch: at 100,000 customers, more each batch."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import func, select, text

from tenantry.db import Database
from tenantry.models import (
    MicrosoftSubscription,
    Organization,
    PartnerCenterAccount,
    SyncRunStatus,
)
from tenantry.sync.details import FILLED_TABLES
from tests.factories import World
from tests.sandbox.conftest import Sandbox
from tests.sync.conftest import sync


async def planned_rows(database: Database, table: str) -> int:
    """How many rows the planner believes ``table`` holds."""
    async with database.transaction(write=False) as session:
        if database.is_sqlite:
            stat = await session.scalar(
                text("SELECT stat FROM sqlite_stat1 WHERE tbl = :table LIMIT 1"), {"table": table}
            )
            return int(str(stat).split()[0]) if stat else 0
        tuples = await session.scalar(
            text("SELECT reltuples FROM pg_class WHERE relname = :table AND relkind = 'r'"),
            {"table": table},
        )
        return max(int(tuples or 0), 0)


async def test_the_planner_knows_the_rows_a_sync_wrote(
    app: FastAPI, database: Database, network: World, sqlite_sandbox: Sandbox
) -> None:
    for number in range(6):
        await sqlite_sandbox.customer(company_name=f"Planned Customer {number}", country="DE")

    run = await sync(database, network.platform.organization.id)

    assert run.status is SyncRunStatus.SUCCEEDED, run.error
    async with database.transaction(write=False) as session:
        stored = {
            model.__tablename__: await session.scalar(select(func.count()).select_from(model))
            for model in (PartnerCenterAccount, Organization, MicrosoftSubscription)
        }
    assert set(stored) == set(FILLED_TABLES)
    assert stored["partner_center_accounts"] is not None  # a count
    assert stored["partner_center_accounts"] >= 6
    for table, rows in stored.items():
        assert await planned_rows(database, table) == rows, table
