"""The listing phases of a run: audit records, indirect resellers, customers page by page, and
which reseller each customer belongs to.

Every page commits with the continuation token of the next one, so a run killed at any point
goes on from the page after the last committed one. Tokens are opaque: passed back exactly as
the service sent them, never parsed. A stored token the service refuses on resume (expired,
signed by another process) restarts that listing; pages seen twice change nothing twice,
because an account counts once per run (``last_run_id``).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import (
    Organization,
    PartnerCenterAccount,
    SyncCursor,
    SyncRun,
    SyncScope,
    utcnow,
)
from tenantry.partnercenter.errors import (
    PartnerCenterError,
    ServerError,
    Throttled,
    TransportFailure,
)
from tenantry.partnercenter.models.base import SeekResourceCollection
from tenantry.partnercenter.models.customers import Customer
from tenantry.sync import accounts, audit_records
from tenantry.sync.context import RunContext
from tenantry.sync.holders import ensure_reseller

Page = SeekResourceCollection[Customer]
Fetch = Callable[[str | None], Awaitable[Page]]
Apply = Callable[[AsyncSession, SyncRun, Sequence[Customer]], Awaitable[None]]
# A list page is worth a few more tries than the client's own before the run gives up.
PAGE_ROUNDS = 4
# The largest list page the contract shows (``size=500``); the service may cap it or send
# fewer, so nothing counts on a page holding this many.
PAGE_SIZE = 500
TRANSIENT = (ServerError, Throttled, TransportFailure)


async def _page(ctx: RunContext, fetch: Fetch, token: str | None) -> Page:
    for round_ in range(PAGE_ROUNDS):
        try:
            page: Page = await ctx.call(fetch(token))
            return page
        except TRANSIENT:
            if round_ == PAGE_ROUNDS - 1:
                raise
    raise AssertionError("unreachable")


async def paged(ctx: RunContext, fetch: Fetch, apply: Apply, *, then: dict[str, Any]) -> None:
    """Fetch and apply every page from the checkpoint's token; the last page's step also
    writes ``then`` (the next phase), so a finished listing is never listed again. The next
    page is asked for while this one is applied (a killed run asks for it again)."""
    token: str | None = ctx.checkpoint.get("token")
    restarted = False
    seen: set[str] = set()
    ahead = asyncio.create_task(_page(ctx, fetch, token))
    try:
        while True:
            try:
                page = await ahead
            except PartnerCenterError as exc:
                if token is None or restarted or isinstance(exc, TRANSIENT):
                    raise
                token, restarted = None, True  # the stored token was refused: list again
                ahead = asyncio.create_task(_page(ctx, fetch, token))
                continue
            following = page.next_continuation_token() if page.items else None
            if following is not None and following in seen:
                following = None  # a repeating token would loop forever: the listing ends here
            done = following is None
            if following is not None:
                ahead = asyncio.create_task(_page(ctx, fetch, following))
            checkpoint = {"token": following, **(then if done else {})}
            async with ctx.step(**checkpoint) as (session, run):
                await apply(session, run, page.items)
            if done:
                return
            seen.add(following)  # type: ignore[arg-type]
            token = following
    finally:
        if not ahead.done():
            ahead.cancel()
            await asyncio.gather(ahead, return_exceptions=True)


async def audit_phase(ctx: RunContext) -> None:
    """Which customers' profiles, relationships or subscriptions changed since the last full
    sync (their details are read again even when the list shows nothing new)."""
    async with ctx.database.transaction(write=False) as session:
        cursor = await session.get(SyncCursor, ctx.platform_id)
        since = cursor.last_full_sync_at if cursor else None
    delta = audit_records.Delta()
    if since is not None:
        delta = await audit_records.read(
            ctx.client, since - timedelta(minutes=5), count=lambda: ctx.tally.add("calls_made")
        )
    async with ctx.step(
        phase="resellers", refresh=sorted(delta.customers),
        subscriptions=sorted(delta.subscriptions),
    ):  # fmt: skip
        pass


async def resellers_phase(ctx: RunContext, platform: Organization) -> None:
    resellers = await ctx.call(ctx.client.list_indirect_resellers())
    now = utcnow()
    async with ctx.step(phase="customers", token=None) as (session, run):
        rows = await accounts.upsert_resellers(
            session, platform_id=ctx.platform_id, run_id=ctx.run_id, resellers=resellers, now=now
        )
        for account in rows:
            _, created = await ensure_reseller(
                session, account, platform, run_id=ctx.run_id, now=now
            )
            ctx.tally.add("created" if created else "unchanged")
        run.checkpoint = {**run.checkpoint, "resellers": sorted(str(a.tenant_id) for a in rows)}


def count_listed(ctx: RunContext, rows: Sequence[accounts.Upserted]) -> None:
    for row in rows:
        if row.first_in_run and not row.needs_details:
            ctx.tally.add("unchanged")
            ctx.tally.add("calls_saved", 2)  # its billing profile and subscriptions


async def customers_phase(ctx: RunContext, *, indirect: bool) -> None:
    refresh = frozenset(ctx.checkpoint.get("refresh") or ())

    async def apply(session: AsyncSession, run: SyncRun, items: Sequence[Customer]) -> None:
        rows = await accounts.upsert_customers(
            session, platform_id=ctx.platform_id, run_id=ctx.run_id, customers=items,
            now=utcnow(), refresh=refresh,
        )  # fmt: skip
        count_listed(ctx, rows)
        if indirect:  # a naive sync asks each customer for its resellers
            ctx.tally.add("calls_saved", sum(r.first_in_run for r in rows))

    following = {"phase": "attribution" if indirect else "details", "reseller_index": 0}
    await paged(
        ctx,
        lambda token: ctx.client.list_customers_page(size=PAGE_SIZE, continuation_token=token),
        apply,
        then=following,
    )  # fmt: skip


async def attribution_phase(ctx: RunContext) -> None:
    """Each reseller's customers, by the documented ``IndirectReseller`` filter: a page per
    reseller (more for big ones) instead of a call per customer."""
    resellers: list[str] = list(ctx.checkpoint.get("resellers") or [])
    index = int(ctx.checkpoint.get("reseller_index") or 0)
    if index >= len(resellers):
        async with ctx.step(phase="detach", token=None):
            return
    reseller = resellers[index]

    async def apply(session: AsyncSession, run: SyncRun, items: Sequence[Customer]) -> None:
        await attribute(ctx, session, run, items, uuid.UUID(reseller))

    last = index + 1 >= len(resellers)
    then: dict[str, Any] = {"reseller_index": index + 1, "token": None}
    if last:
        then["phase"] = "detach"
    await paged(
        ctx,
        lambda token: ctx.client.list_customers_of_indirect_reseller_page(
            reseller, size=PAGE_SIZE, continuation_token=token
        ),
        apply,
        then=then,
    )


async def attribute(
    ctx: RunContext,
    session: AsyncSession,
    run: SyncRun,
    items: Sequence[Customer],
    reseller_tenant_id: uuid.UUID,
) -> None:
    tenants = [t for c in items if (t := accounts.tenant_of(c)) is not None]
    found = await accounts.accounts_by_tenant(session, ctx.platform_id, accounts.CUSTOMER, tenants)
    if found:  # one statement per page, whatever changed
        await session.execute(
            update(PartnerCenterAccount)
            .where(PartnerCenterAccount.id.in_([a.id for a in found.values()]))
            .values(attributed_run_id=ctx.run_id)
            .execution_options(synchronize_session=False)
        )
    for account in found.values():
        if account.reseller_tenant_id != reseller_tenant_id:
            account.reseller_tenant_id = reseller_tenant_id
            _changed(ctx, account, run)


def _changed(ctx: RunContext, account: PartnerCenterAccount, run: SyncRun) -> None:
    """A listed account whose reseller changed after its list page counted it unchanged."""
    started: datetime = run.started_at or utcnow()
    if account.last_run_id == ctx.run_id and not _marked(account, started):
        account.last_changed_at = utcnow()
        ctx.tally.add("unchanged", -1)  # counted unchanged by its list page; now it is not
        ctx.tally.add("calls_saved", -2)


async def detach_phase(ctx: RunContext) -> None:
    """After every reseller's list: a customer this run listed that no reseller's list named
    has left its reseller (it stays the platform's customer, and is no longer the reseller's)."""
    async with ctx.step(phase="details") as (session, run):
        left = await session.scalars(
            select(PartnerCenterAccount).where(
                PartnerCenterAccount.platform_id == ctx.platform_id,
                PartnerCenterAccount.kind == accounts.CUSTOMER,
                PartnerCenterAccount.reseller_tenant_id.is_not(None),
                PartnerCenterAccount.last_run_id == ctx.run_id,
                (PartnerCenterAccount.attributed_run_id != ctx.run_id)
                | PartnerCenterAccount.attributed_run_id.is_(None),
            )
        )
        for account in left:
            account.reseller_tenant_id = None
            _changed(ctx, account, run)


def _marked(account: PartnerCenterAccount, started: datetime) -> bool:
    changed = account.last_changed_at
    if changed is None:
        return False
    if changed.tzinfo is None and started.tzinfo is not None:
        started = started.replace(tzinfo=None)
    return changed >= started


async def gone_phase(ctx: RunContext) -> None:
    """A complete platform run saw every account Partner Center lists: the others are gone."""
    async with ctx.step(phase="finish") as (session, run):
        if run.scope == SyncScope.PLATFORM:
            await session.execute(
                update(PartnerCenterAccount)
                .where(
                    PartnerCenterAccount.platform_id == ctx.platform_id,
                    PartnerCenterAccount.gone_at.is_(None),
                    (PartnerCenterAccount.last_run_id != ctx.run_id)
                    | PartnerCenterAccount.last_run_id.is_(None),
                )
                .values(gone_at=utcnow())
                .execution_options(synchronize_session=False)
            )


async def platform_of(session: AsyncSession, platform_id: uuid.UUID) -> Organization:
    platform = await session.scalar(select(Organization).where(Organization.id == platform_id))
    if platform is None:
        raise LookupError(f"no platform {platform_id}")
    return platform
