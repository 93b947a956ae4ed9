"""The details phase: for each account a listing marked (new, changed, or named by the audit
records), read its billing profile and subscriptions, then create, link or propose its
organization, and record what changed. Batches commit with the last account done, so a resumed
run goes on after it.

Per-customer calls run a few at a time (``TENANTRY_SYNC_CONCURRENCY``) and the client's token
bucket spreads them over the minute; a customer that still fails becomes a ``SyncRunError`` and
the others go on.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import TenantryError
from tenantry.models import (
    MicrosoftSubscription,
    Organization,
    OrganizationKind,
    PartnerCenterAccount,
    SyncChange,
    SyncRun,
    utcnow,
)
from tenantry.partnercenter.errors import PartnerCenterError
from tenantry.partnercenter.models.subscriptions import Subscription
from tenantry.sync import accounts, matching
from tenantry.sync.context import RunContext, error_row
from tenantry.sync.listing import PAGE_ROUNDS, TRANSIENT, platform_of
from tenantry.sync.organizations import billing_changes, create_customer

BATCH = 100


@dataclass
class Fetched:
    account_id: uuid.UUID
    billing: dict[str, Any] | None = None
    etag: str | None = None
    subscriptions: list[Subscription] | None = None
    error: BaseException | None = None


async def _with_rounds(ctx: RunContext, make: Any) -> Any:
    for round_ in range(PAGE_ROUNDS):
        try:
            return await ctx.call(make())
        except TRANSIENT:
            if round_ == PAGE_ROUNDS - 1:
                raise
    raise AssertionError("unreachable")


async def _fetch(
    ctx: RunContext, gate: asyncio.Semaphore, account: PartnerCenterAccount
) -> Fetched:
    tenant = str(account.tenant_id)
    found = Fetched(account.id)
    async with gate:
        try:
            profile = await _with_rounds(ctx, lambda: ctx.client.get_billing_profile(tenant))
            found.billing, found.etag = accounts.billing_of(profile), profile.etag
            found.subscriptions = await _with_rounds(
                ctx, lambda: ctx.client.list_subscriptions(tenant)
            )
        except (PartnerCenterError, ValueError) as exc:
            found.error = exc
    return found


def _selection(ctx: RunContext, run_started: datetime, after: str | None) -> Any:
    query = select(PartnerCenterAccount).where(
        PartnerCenterAccount.platform_id == ctx.platform_id,
        PartnerCenterAccount.kind == accounts.CUSTOMER,
        PartnerCenterAccount.last_run_id == ctx.run_id,
    )
    if not ctx.checkpoint.get("force"):
        query = query.where(PartnerCenterAccount.last_changed_at >= run_started)
    if after:
        query = query.where(PartnerCenterAccount.id > uuid.UUID(after))
    return query.order_by(PartnerCenterAccount.id).limit(BATCH)


async def details_phase(ctx: RunContext) -> None:
    gate = asyncio.Semaphore(ctx.concurrency)
    while True:
        async with ctx.database.transaction(write=False) as session:
            batch = list(
                (await session.scalars(
                    _selection(ctx, ctx.started_at, ctx.checkpoint.get("after"))
                )).all()
            )  # fmt: skip
        if not batch:
            async with ctx.step(phase="gone", after=None):
                return
        fetched = await asyncio.gather(*(_fetch(ctx, gate, a) for a in batch))
        async with ctx.step(after=str(batch[-1].id)) as (session, run):
            platform = await platform_of(session, ctx.platform_id)
            for result in fetched:
                await _apply_one(ctx, session, run, platform, result)


async def _apply_one(
    ctx: RunContext, session: AsyncSession, run: SyncRun, platform: Organization, result: Fetched
) -> None:
    """One account in a savepoint: a row that cannot be written fails that account only."""
    counted = dict(ctx.tally.values)
    try:
        async with session.begin_nested():
            await _apply(ctx, session, run, platform, result)
    except (SQLAlchemyError, TenantryError) as exc:
        ctx.tally.values = counted | {"calls_made": ctx.tally.values["calls_made"]}
        account = await session.get(PartnerCenterAccount, result.account_id)
        session.add(error_row(ctx.run_id, exc, tenant_id=account.tenant_id if account else None,
                              company_name=account.company_name if account else None))  # fmt: skip
        ctx.tally.add("failed")


async def _apply(
    ctx: RunContext,
    session: AsyncSession,
    run: SyncRun,
    platform: Organization,
    result: Fetched,
) -> None:
    account = await session.get(PartnerCenterAccount, result.account_id)
    if account is None:
        return
    now = utcnow()
    if result.error is not None:
        session.add(error_row(ctx.run_id, result.error, tenant_id=account.tenant_id,
                              company_name=account.company_name,
                              organization_id=account.organization_id))  # fmt: skip
        account.fingerprint = None  # read again next time
        ctx.tally.add("failed")
        return
    before = account.billing_profile
    account.billing_profile = result.billing
    account.billing_etag = (result.etag or None) and result.etag[:64]
    account.billing_missing = accounts.missing_billing(result.billing)
    organization = (
        await session.get(Organization, account.organization_id)
        if account.organization_id
        else None
    )
    if organization is None:
        if await matching.propose_for_account(session, account):
            ctx.tally.add("matched")
            return
        reseller = await _reseller_of(session, ctx.platform_id, account.reseller_tenant_id)
        organization, created = await create_customer(
            session, account, platform, reseller, run_id=ctx.run_id, now=now
        )
        ctx.tally.add("created" if created else "updated")
        account.organization_id = organization.id
    else:
        changes = billing_changes(before, result.billing) if before is not None else {}
        if changes:
            session.add(SyncChange(run_id=ctx.run_id, organization_id=organization.id,
                                   action="updated", changes=changes, occurred_at=now))  # fmt: skip
        ctx.tally.add("updated" if changes else "unchanged")
    organization.last_synced_at = now
    organization.last_sync_run_id = ctx.run_id
    if result.subscriptions is not None:
        await store_subscriptions(
            session, organization, account.tenant_id, result.subscriptions, now
        )


async def _reseller_of(
    session: AsyncSession, platform_id: uuid.UUID, tenant_id: uuid.UUID | None
) -> Organization | None:
    if tenant_id is None:
        return None
    found: Organization | None = await session.scalar(
        select(Organization).where(
            Organization.platform_id == platform_id,
            Organization.tenant_id == tenant_id,
            Organization.kind == OrganizationKind.RESELLER,
        )
    )
    return found


async def store_subscriptions(
    session: AsyncSession,
    organization: Organization,
    tenant_id: uuid.UUID,
    listed: Sequence[Subscription],
    now: datetime,
) -> None:
    ids = [s.id for s in listed]
    existing = {
        row.subscription_id: row
        for row in await session.scalars(
            select(MicrosoftSubscription).where(
                MicrosoftSubscription.platform_id == organization.platform_id,
                MicrosoftSubscription.subscription_id.in_(ids),
            )
        )
    } if ids else {}  # fmt: skip
    for item in listed:
        row = existing.get(item.id)
        if row is None:
            row = MicrosoftSubscription(
                platform_id=organization.platform_id, subscription_id=item.id[:64],
                organization_id=organization.id, tenant_id=tenant_id, last_synced_at=now,
            )  # fmt: skip
            session.add(row)
        row.organization_id = organization.id
        row.tenant_id = tenant_id
        row.offer_id = (item.offer_id or None) and item.offer_id[:128]
        row.offer_name = (item.offer_name or None) and item.offer_name[:400]
        row.friendly_name = (item.friendly_name or None) and item.friendly_name[:400]
        row.quantity = item.quantity or 0
        row.status = (item.status or None) and item.status[:32]
        row.is_trial = bool(item.is_trial)
        row.auto_renew = item.auto_renew_enabled
        row.billing_cycle = (item.billing_cycle or None) and item.billing_cycle[:32]
        row.term_duration = (item.term_duration or None) and item.term_duration[:16]
        row.commitment_end_at = item.commitment_end_date_time or item.commitment_end_date
        row.order_id = (item.order_id or None) and item.order_id[:64]
        row.raw = item.model_dump(mode="json", by_alias=True, exclude_none=True)
        row.last_synced_at = now
    await session.flush()
