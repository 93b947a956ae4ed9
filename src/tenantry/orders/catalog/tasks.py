"""The catalog's jobs: a refresh (``catalog.refresh``), the scheduled one
(``TENANTRY_CATALOG_REFRESH_SCHEDULE``, daily by default), and the first refresh of a platform
that has none, so a fresh install (``make run``) has a catalog within a minute.

A refresh reads Partner Center outside any transaction (it may take minutes and many calls),
then applies what it read in one transaction: a refresh that fails midway changes nothing, and
says why on the refresh; the next scheduled or requested one tries again.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.db import Database
from tenantry.jobs.queue import cron, every
from tenantry.models import (
    CatalogRefresh,
    CatalogRefreshStatus,
    CatalogRefreshTrigger,
    utcnow,
)
from tenantry.orders.catalog import refresh as refreshing
from tenantry.orders.catalog.listing import read_catalog
from tenantry.partnercenter import access
from tenantry.partnercenter.errors import PartnerCenterError
from tenantry.settings import get_settings

log = structlog.get_logger("tenantry.catalog")
FIRST_RETRY = timedelta(minutes=15)


def _daily_due(timestamp: datetime) -> bool:
    schedule = cron(get_settings().catalog_refresh_schedule, "TENANTRY_CATALOG_REFRESH_SCHEDULE")
    due: bool = schedule(timestamp)
    return due


@jobs.handler(refreshing.JOB)
async def run(session: AsyncSession, payload: dict[str, Any]) -> None:
    refresh = await session.get(CatalogRefresh, uuid.UUID(str(payload["refresh_id"])))
    if refresh is None or refresh.status not in refreshing.ACTIVE:
        return  # done already (a retried job), or gone with its platform
    refresh.status = CatalogRefreshStatus.RUNNING
    refresh.started_at = refresh.started_at or utcnow()
    country, platform_id = refresh.country, refresh.platform_id
    # Let go of the job's transaction while Partner Center is read: on SQLite it holds the
    # database's write lock.
    await session.commit()
    try:
        async with access.current().client() as client:
            listing = await read_catalog(client, country)
    except PartnerCenterError as exc:
        await _write_lock(session)
        refresh.status = CatalogRefreshStatus.FAILED
        refresh.finished_at = utcnow()
        refresh.error = (
            f"Partner Center did not give the catalog of {country}: {exc}. Nothing changed; "
            "the next refresh tries again."
        )[:1000]
        log.warning("catalog refresh failed", refresh_id=str(refresh.id), error=str(exc))
        return
    await _write_lock(session)
    now = utcnow()
    changes = await refreshing.apply_listing(session, platform_id, listing, now)
    refreshing.finish(refresh, listing, changes, now)
    log.info(
        "catalog refreshed", refresh_id=str(refresh.id), products=refresh.products,
        added=changes.added, changed=changes.changed, withdrawn=changes.withdrawn,
    )  # fmt: skip


async def _write_lock(session: AsyncSession) -> None:
    """On SQLite, take the write lock before reading what will be written, as every write
    transaction does (``Database.transaction``)."""
    if Database.of_session(session).is_sqlite:
        await session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


@jobs.periodic("catalog.daily", _daily_due)
async def daily(session: AsyncSession) -> None:
    platform_id = await refreshing.refreshed_platform(session)
    if platform_id is not None:
        await refreshing.request_refresh(session, platform_id, CatalogRefreshTrigger.SCHEDULE)


@jobs.periodic("catalog.first", every(timedelta(minutes=1)))
async def first_refresh(session: AsyncSession) -> None:
    await queue_first_refresh(session)


async def queue_first_refresh(session: AsyncSession) -> CatalogRefresh | None:
    """A refresh for the platform when it has none that worked and none under way (a failed one
    is tried again after FIRST_RETRY, not every minute)."""
    platform_id = await refreshing.refreshed_platform(session)
    if platform_id is None:
        return None
    tried = await session.scalar(
        select(CatalogRefresh.id)
        .where(
            CatalogRefresh.platform_id == platform_id,
            (CatalogRefresh.status != CatalogRefreshStatus.FAILED)
            | (CatalogRefresh.created_at > utcnow() - FIRST_RETRY),
        )
        .limit(1)
    )
    if tried is not None:
        return None
    refresh, _ = await refreshing.request_refresh(session, platform_id, CatalogRefreshTrigger.START)
    return refresh
