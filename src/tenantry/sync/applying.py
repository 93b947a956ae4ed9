"""Applying a batch of the details phase: each account's billing profile, organization (created,
linked, or left to a match proposal) and subscriptions, with one query per kind of row for the
whole batch and one flush, not a dozen round trips per account.

The batch is written in one savepoint. When it cannot be written whole (a registration linked
one of its tenants meanwhile, so a new organization meets the unique ``organizations(platform_id,
tenant_id)``; a value a column refuses), that savepoint is rolled back and the batch is applied
again account by account, each in a savepoint of its own: the race still ends in one
organization (see :mod:`tenantry.sync.holders`) and a row that cannot be written fails that
account only.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
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
    utcnow,
)
from tenantry.partnercenter.models.subscriptions import Subscription
from tenantry.sync import accounts, matching
from tenantry.sync.context import RunContext, error_row
from tenantry.sync.holders import add_customer, billing_changes, create_customer


@dataclass
class Fetched:
    """What Partner Center answered for one account: its billing profile and subscriptions,
    or the error that stopped them."""

    account_id: uuid.UUID
    billing: dict[str, Any] | None = None
    etag: str | None = None
    subscriptions: list[Subscription] | None = None
    error: BaseException | None = None


@dataclass
class _Held:
    """An account's organization with the subscriptions to store for it."""

    organization: Organization
    tenant_id: uuid.UUID
    subscriptions: list[Subscription] | None


async def apply_batch(
    ctx: RunContext, session: AsyncSession, platform: Organization, batch: Sequence[Fetched]
) -> None:
    counted = dict(ctx.tally.values)
    try:
        async with session.begin_nested():
            await _apply_all(ctx, session, platform, batch)
    except (SQLAlchemyError, TenantryError):
        ctx.tally.values = counted | {"calls_made": ctx.tally.values["calls_made"]}
        for result in batch:
            await _apply_one(ctx, session, platform, result)


def _take_details(account: PartnerCenterAccount, result: Fetched) -> dict[str, Any] | None:
    """Keep the fetched billing profile on the account; returns the one it had."""
    before = account.billing_profile
    account.billing_profile = result.billing
    account.billing_etag = (result.etag or None) and result.etag[:64]
    account.billing_missing = accounts.missing_billing(result.billing)
    return before


def _failed(ctx: RunContext, session: AsyncSession, account: PartnerCenterAccount,
            error: BaseException) -> None:  # fmt: skip
    session.add(error_row(ctx.run_id, error, tenant_id=account.tenant_id,
                          company_name=account.company_name,
                          organization_id=account.organization_id))  # fmt: skip
    account.fingerprint = None  # read again next time
    ctx.tally.add("failed")


def _updated(ctx: RunContext, session: AsyncSession, organization: Organization,
             before: dict[str, Any] | None, after: dict[str, Any] | None,
             now: datetime) -> None:  # fmt: skip
    changes = billing_changes(before, after) if before is not None else {}
    if changes:
        session.add(SyncChange(run_id=ctx.run_id, organization_id=organization.id,
                               action="updated", changes=changes, occurred_at=now))  # fmt: skip
    ctx.tally.add("updated" if changes else "unchanged")


async def _apply_all(
    ctx: RunContext, session: AsyncSession, platform: Organization, batch: Sequence[Fetched]
) -> None:
    now = utcnow()
    found = await _by_id(session, PartnerCenterAccount, (r.account_id for r in batch))
    organizations = await _by_id(
        session, Organization, (a.organization_id for a in found.values() if a.organization_id)
    )
    held: list[_Held] = []
    unheld: list[tuple[PartnerCenterAccount, Fetched]] = []
    for result in batch:
        account = found.get(result.account_id)
        if account is None:
            continue
        if result.error is not None:
            _failed(ctx, session, account, result.error)
            continue
        before = _take_details(account, result)
        organization = organizations.get(account.organization_id)
        if organization is None:
            unheld.append((account, result))
            continue
        _updated(ctx, session, organization, before, result.billing, now)
        held.append(_Held(organization, account.tenant_id, result.subscriptions))
    if unheld:
        await matching.propose_for_accounts(session, (a for a, _ in unheld))
        proposed = await matching.accounts_with_open_proposals(session, (a.id for a, _ in unheld))
        creating = [(a, r) for a, r in unheld if a.id not in proposed]
        ctx.tally.add("matched", len(unheld) - len(creating))
        resellers = await _resellers_of(
            session, ctx.platform_id, (a.reseller_tenant_id for a, _ in creating)
        )
        for account, result in creating:
            reseller = resellers.get(account.reseller_tenant_id)  # type: ignore[arg-type]
            organization = await add_customer(
                session, account, platform, reseller, run_id=ctx.run_id, now=now
            )
            account.organization_id = organization.id
            ctx.tally.add("created")
            held.append(_Held(organization, account.tenant_id, result.subscriptions))
    for item in held:
        item.organization.last_synced_at = now
        item.organization.last_sync_run_id = ctx.run_id
    await store_subscriptions(session, held, now)


async def _by_id(session: AsyncSession, model: Any, ids: Iterable[uuid.UUID]) -> dict[Any, Any]:
    wanted = sorted(set(ids), key=str)
    if not wanted:
        return {}
    return {row.id: row for row in await session.scalars(select(model).where(model.id.in_(wanted)))}


async def _resellers_of(
    session: AsyncSession, platform_id: uuid.UUID, tenant_ids: Iterable[uuid.UUID | None]
) -> dict[uuid.UUID, Organization]:
    wanted = sorted({t for t in tenant_ids if t is not None}, key=str)
    if not wanted:
        return {}
    rows = await session.scalars(
        select(Organization).where(
            Organization.platform_id == platform_id,
            Organization.tenant_id.in_(wanted),
            Organization.kind == OrganizationKind.RESELLER,
        )
    )
    return {row.tenant_id: row for row in rows if row.tenant_id is not None}


async def _apply_one(
    ctx: RunContext, session: AsyncSession, platform: Organization, result: Fetched
) -> None:
    """One account in a savepoint: a row that cannot be written fails that account only."""
    counted = dict(ctx.tally.values)
    try:
        async with session.begin_nested():
            await _apply(ctx, session, platform, result)
    except (SQLAlchemyError, TenantryError) as exc:
        ctx.tally.values = counted | {"calls_made": ctx.tally.values["calls_made"]}
        account = await session.get(PartnerCenterAccount, result.account_id)
        session.add(error_row(ctx.run_id, exc, tenant_id=account.tenant_id if account else None,
                              company_name=account.company_name if account else None))  # fmt: skip
        ctx.tally.add("failed")


async def _apply(
    ctx: RunContext, session: AsyncSession, platform: Organization, result: Fetched
) -> None:
    account = await session.get(PartnerCenterAccount, result.account_id)
    if account is None:
        return
    if result.error is not None:
        _failed(ctx, session, account, result.error)
        return
    now = utcnow()
    before = _take_details(account, result)
    organization = (
        await session.get(Organization, account.organization_id)
        if account.organization_id
        else None
    )
    if organization is None:
        await matching.propose_for_account(session, account)
        if await matching.open_proposals(session, account):
            ctx.tally.add("matched")
            return
        resellers = await _resellers_of(session, ctx.platform_id, [account.reseller_tenant_id])
        organization, created = await create_customer(
            session, account, platform, resellers.get(account.reseller_tenant_id),  # type: ignore[arg-type]
            run_id=ctx.run_id, now=now,
        )  # fmt: skip
        ctx.tally.add("created" if created else "updated")
        account.organization_id = organization.id
    else:
        _updated(ctx, session, organization, before, result.billing, now)
    organization.last_synced_at = now
    organization.last_sync_run_id = ctx.run_id
    await store_subscriptions(session, [_Held(organization, account.tenant_id,
                                              result.subscriptions)], now)  # fmt: skip


async def store_subscriptions_of(
    session: AsyncSession,
    organization: Organization,
    tenant_id: uuid.UUID,
    subscriptions: Sequence[Subscription],
    now: datetime | None = None,
) -> None:
    """Keep ``subscriptions`` of one organization's tenant in ``microsoft_subscriptions`` as the
    sync would (the provisioning job records what an order bought through it)."""
    held = [_Held(organization, tenant_id, list(subscriptions))]
    await store_subscriptions(session, held, now or utcnow())


async def store_subscriptions(session: AsyncSession, held: Sequence[_Held], now: datetime) -> None:
    """Every listed subscription of the organizations, inserted or updated (found with one
    query), then one flush."""
    listed = [(item, s) for item in held for s in item.subscriptions or ()]
    ids = sorted({s.id for _, s in listed})
    platforms = sorted({item.organization.platform_id for item, _ in listed}, key=str)
    existing = {
        (row.platform_id, row.subscription_id): row
        for row in await session.scalars(
            select(MicrosoftSubscription).where(
                MicrosoftSubscription.platform_id.in_(platforms),
                MicrosoftSubscription.subscription_id.in_(ids),
            )
        )
    } if ids else {}  # fmt: skip
    for owner, item in listed:
        organization = owner.organization
        row = existing.get((organization.platform_id, item.id))
        if row is None:
            row = MicrosoftSubscription(
                platform_id=organization.platform_id, subscription_id=item.id[:64],
                organization_id=organization.id, tenant_id=owner.tenant_id, last_synced_at=now,
            )  # fmt: skip
            session.add(row)
            existing[(organization.platform_id, item.id)] = row
        row.organization_id = organization.id
        row.tenant_id = owner.tenant_id
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
