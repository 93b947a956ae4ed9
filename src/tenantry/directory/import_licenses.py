"""The import's license phases: the SKUs the tenant holds (with how many units are ours), then
each user's licenses, a batch of users per transaction.

A batch is written with the id of its last user as the checkpoint, so an import killed between
batches reads the next users, not the ones done. A license someone assigned through the platform
after the import read that user's licenses is kept (the import's answer was older).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.directory.context import ImportContext
from tenantry.directory.ownership import Owned, ours_by_sku
from tenantry.models import (
    DirectoryAssignment,
    DirectoryLicense,
    DirectoryUser,
    LicenseSource,
    utcnow,
)
from tenantry.partnercenter.errors import NotFound
from tenantry.partnercenter.models.users import SubscribedSku

BATCH = 25
CONCURRENCY = 4


def source_of(active: int, ours: int) -> LicenseSource:
    if ours <= 0:
        return LicenseSource.OTHER_PROVIDER
    return LicenseSource.OURS if ours >= active else LicenseSource.BOTH


def _license_values(item: SubscribedSku, owned: Owned) -> dict[str, object]:
    sku = item.product_sku
    assert sku is not None
    active = item.active_units or 0
    return {
        "name": (sku.name or sku.sku_part_number or sku.id)[:256],
        "sku_part_number": (sku.sku_part_number or None) and sku.sku_part_number[:128],
        "capability_status": (item.capability_status or None) and item.capability_status[:32],
        "active_units": active,
        "consumed_units": item.consumed_units or 0,
        "suspended_units": item.suspended_units or 0,
        "warning_units": item.warning_units or 0,
        "our_units": owned.units,
        "other_units": max(active - owned.units, 0),
        "trial_units": owned.trial_units,
        "source": source_of(active, owned.units),
        "subscription_ids": sorted(owned.subscription_ids),
    }


async def licenses_phase(ctx: ImportContext) -> None:
    subscribed = [
        item
        for item in await ctx.call(ctx.client.list_subscribed_skus(ctx.tenant_id))
        if item.product_sku is not None and item.product_sku.id
    ]
    owned = await ours_by_sku(ctx, subscribed)
    async with ctx.step(phase="assignments", after=None) as session:
        rows = {
            row.sku_id: row
            for row in await session.scalars(
                select(DirectoryLicense).where(
                    DirectoryLicense.organization_id == ctx.organization_id
                )
            )
        }
        listed: set[str] = set()
        for item in subscribed:
            assert item.product_sku is not None
            sku_id = item.product_sku.id.strip().lower()[:64]
            listed.add(sku_id)
            values = _license_values(item, owned.get(sku_id, Owned()))
            row = rows.get(sku_id)
            if row is None:
                row = DirectoryLicense(platform_id=ctx.platform_id,
                                       organization_id=ctx.organization_id, sku_id=sku_id)  # fmt: skip
                session.add(row)
                ctx.counts["licenses_added"] += 1
            elif any(getattr(row, name) != value for name, value in values.items()):
                ctx.counts["licenses_updated"] += 1
            for name, value in values.items():
                setattr(row, name, value)
            row.seen_import_id = ctx.import_id
        for sku_id in set(rows) - listed:
            await session.delete(rows[sku_id])
            ctx.counts["licenses_removed"] += 1
        await session.flush()


@dataclass(frozen=True)
class Holder:
    id: uuid.UUID
    user_id: str
    display_name: str


async def _next_users(ctx: ImportContext, after: str | None) -> list[Holder]:
    async with ctx.database.transaction(write=False) as session:
        query = select(DirectoryUser.id, DirectoryUser.user_id, DirectoryUser.display_name).where(
            DirectoryUser.organization_id == ctx.organization_id
        )
        if after:
            query = query.where(DirectoryUser.id > uuid.UUID(after))
        found = await session.execute(query.order_by(DirectoryUser.id).limit(BATCH))
        return [Holder(*row) for row in found.all()]


async def _licenses_of(
    ctx: ImportContext, holder: Holder, gate: asyncio.Semaphore
) -> set[str] | None:
    async with gate:
        try:
            found = await ctx.call(ctx.client.list_user_licenses(ctx.tenant_id, holder.user_id))
        except NotFound:
            ctx.problem(
                f"user {holder.display_name}",
                f"{holder.display_name} left the tenant while it was imported; the next import "
                "removes the user.",
            )
            return None
    return {item.product_sku.id.strip().lower()[:64] for item in found if item.product_sku}


async def assignments_phase(ctx: ImportContext) -> None:
    gate = asyncio.Semaphore(CONCURRENCY)
    while batch := await _next_users(ctx, ctx.checkpoint.get("after")):
        read_at = utcnow()
        held = await asyncio.gather(*(_licenses_of(ctx, holder, gate) for holder in batch))
        async with ctx.step(after=str(batch[-1].id)) as session:
            for holder, skus in zip(batch, held, strict=True):
                if skus is not None:
                    await _apply_assignments(session, ctx, holder.id, skus, read_at)
    async with ctx.step(phase="finish"):
        pass


async def _apply_assignments(
    session: AsyncSession,
    ctx: ImportContext,
    directory_user_id: uuid.UUID,
    skus: set[str],
    read_at: datetime,
) -> None:
    rows = {
        row.sku_id: row
        for row in await session.scalars(
            select(DirectoryAssignment).where(
                DirectoryAssignment.directory_user_id == directory_user_id
            )
        )
    }
    for sku_id in sorted(skus - set(rows)):
        session.add(DirectoryAssignment(directory_user_id=directory_user_id, sku_id=sku_id,
                                        organization_id=ctx.organization_id))  # fmt: skip
        ctx.counts["assignments_added"] += 1
    stale = [
        sku_id for sku_id in set(rows) - skus if rows[sku_id].assigned_at <= read_at
    ]  # newer ones were assigned through the platform after the read
    if stale:
        await session.execute(
            delete(DirectoryAssignment).where(
                DirectoryAssignment.directory_user_id == directory_user_id,
                DirectoryAssignment.sku_id.in_(stale),
            )
        )
        ctx.counts["assignments_removed"] += len(stale)
    await session.flush()
