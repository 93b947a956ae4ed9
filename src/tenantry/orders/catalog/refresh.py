"""Refreshing the catalog: asking for a refresh (one at a time per platform: a second request
joins the one queued or running) and applying what Partner Center listed to the tables.

Applying compares the listing with the tables row by row (products, SKUs, terms): new rows are
added, changed ones updated, rows no longer listed marked withdrawn (never deleted, so carts
and orders that name them keep their meaning), withdrawn rows listed again brought back. Each
change is written into the refresh, which is what staff read as "what changed".
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.audit.service import record
from tenantry.errors import Conflict
from tenantry.models import (
    CatalogProduct,
    CatalogRefresh,
    CatalogRefreshStatus,
    CatalogRefreshTrigger,
    CatalogSku,
    CatalogTerm,
    Organization,
)
from tenantry.orders.catalog.listing import ListedProduct, ListedSku, ListedTerm, Listing
from tenantry.partnercenter import access
from tenantry.partnercenter_events.service import find_receiving_platform
from tenantry.security import Actor, Permission, require

JOB = "catalog.refresh"
ACTIVE = (CatalogRefreshStatus.QUEUED, CatalogRefreshStatus.RUNNING)
# Changes kept on a refresh for staff to read; more are counted.
MAX_CHANGES = 300


async def refreshed_platform(session: AsyncSession) -> uuid.UUID | None:
    """The platform whose Partner Center account this process speaks for (its catalog is the
    one this process can read), or None when none can be told apart."""
    tenant_id = access.current().settings.partner_center_tenant_id
    return await find_receiving_platform(session, tenant_id)


async def active_refresh(session: AsyncSession, platform_id: uuid.UUID) -> CatalogRefresh | None:
    return await session.scalar(
        select(CatalogRefresh)
        .where(CatalogRefresh.platform_id == platform_id, CatalogRefresh.status.in_(ACTIVE))
        .order_by(CatalogRefresh.created_at)
        .limit(1)
    )


async def request_refresh(
    session: AsyncSession,
    platform_id: uuid.UUID,
    trigger: CatalogRefreshTrigger,
    actor: Actor | None = None,
) -> tuple[CatalogRefresh, bool]:
    """Queue a refresh of the platform's catalog, or join the one queued or running: (the
    refresh, joined). The platform's row is locked first, so two requests at once make one."""
    platform = await session.get(Organization, platform_id, with_for_update=True)
    if platform is None:
        raise Conflict("there is no such platform")
    existing = await active_refresh(session, platform_id)
    if existing is not None:
        return existing, True
    refresh = CatalogRefresh(
        platform_id=platform_id,
        trigger=trigger,
        status=CatalogRefreshStatus.QUEUED,
        country=platform.address_country.upper(),
        requested_by_id=actor.user_id if actor else None,
        requested_by=actor.label if actor else None,
        changes=[],
    )
    session.add(refresh)
    await session.flush()
    await jobs.enqueue(
        session,
        kind=JOB,
        payload={"refresh_id": str(refresh.id)},
        idempotency_key=f"{JOB}:{refresh.id}",
    )
    return refresh, False


async def refresh_now(session: AsyncSession, actor: Actor) -> tuple[CatalogRefresh, bool]:
    """ "Refresh the catalog" for platform staff: the platform whose Partner Center account this
    Tenantry uses (409 for another platform, which has none here)."""
    require(actor, Permission.CATALOG_MANAGE)
    if not actor.is_platform or await refreshed_platform(session) != actor.platform_id:
        raise Conflict(
            "this Tenantry's Partner Center account is not your platform's, so it cannot read "
            "your catalog; set TENANTRY_PARTNER_CENTER_TENANT_ID to your platform's tenant ID",
            reason="no_partner_center_account",
        )
    refresh, joined = await request_refresh(
        session, actor.platform_id, CatalogRefreshTrigger.MANUAL, actor
    )
    if not joined:
        await record(
            session, actor, action="catalog.refresh_requested", target_type="catalog_refresh",
            target_id=refresh.id, organization_id=actor.platform_id,
            changes={"after": {"country": refresh.country}},
        )  # fmt: skip
    return refresh, joined


# ------------------------------------------------------------------------------------ applying


class _Row(Protocol):
    first_seen_at: datetime
    last_seen_at: datetime
    withdrawn_at: datetime | None


R = TypeVar("R", bound=_Row)


@dataclass
class Changes:
    """What one refresh changed, counted and described."""

    added: int = 0
    changed: int = 0
    withdrawn: int = 0
    returned: int = 0
    entries: list[dict[str, Any]] = field(default_factory=list)
    more: int = 0

    def note(self, change: str, kind: str, key: str, title: str, **fields: Any) -> None:
        setattr(self, change, getattr(self, change) + 1)
        if len(self.entries) >= MAX_CHANGES:
            self.more += 1
            return
        entry: dict[str, Any] = {"change": change, "kind": kind, "id": key, "title": title}
        if fields:
            entry["fields"] = fields
        self.entries.append(entry)


def _update(row: object, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set ``values`` on ``row``; the ones that differed, as ``{name: [before, after]}``."""
    differed = {}
    for name, value in values.items():
        before = getattr(row, name)
        if before != value:
            differed[name] = [before, value]
            setattr(row, name, value)
    return differed


@dataclass
class _Applier:
    session: AsyncSession
    platform_id: uuid.UUID
    now: datetime
    changes: Changes = field(default_factory=Changes)

    def seen(
        self,
        row: R | None,
        make: Callable[..., R],
        values: dict[str, Any],
        kind: str,
        key: str,
        title: str,
    ) -> R:
        """Add, update or bring back one listed row, noting what changed."""
        if row is None:
            row = make(
                platform_id=self.platform_id, first_seen_at=self.now, last_seen_at=self.now,
                **values,
            )  # fmt: skip
            self.session.add(row)
            self.changes.note("added", kind, key, title)
            return row
        differed = _update(row, values)
        if row.withdrawn_at is not None:
            row.withdrawn_at = None
            self.changes.note("returned", kind, key, title)
        elif differed:
            self.changes.note("changed", kind, key, title, **differed)
        row.last_seen_at = self.now
        return row

    def gone(self, rows: Iterable[tuple[str, str, _Row]], kind: str) -> None:
        """Mark withdrawn the rows not listed this time (``(key, title, row)``)."""
        for key, title, row in rows:
            if row.withdrawn_at is None:
                row.withdrawn_at = self.now
                self.changes.note("withdrawn", kind, key, title)


async def _existing(session: AsyncSession, model: type[Any], platform_id: uuid.UUID) -> list[Any]:
    return list(await session.scalars(select(model).where(model.platform_id == platform_id)))


async def apply_listing(
    session: AsyncSession, platform_id: uuid.UUID, listing: Listing, now: datetime
) -> Changes:
    """Bring the platform's catalog tables to what ``listing`` says (see the module docstring)."""
    apply = _Applier(session, platform_id, now)
    products = {p.product_id: p for p in await _existing(session, CatalogProduct, platform_id)}
    skus = {(s.product_id, s.sku_id): s for s in await _existing(session, CatalogSku, platform_id)}
    plans = {
        (t.product_id, t.sku_id, t.term, t.billing_cycle): t
        for t in await _existing(session, CatalogTerm, platform_id)
    }
    for product_id, listed in listing.products.items():
        apply.seen(
            products.pop(product_id, None), CatalogProduct, _product_values(listed), "product",
            product_id, listed.title,
        )  # fmt: skip
        for sku_id, sku in listed.skus.items():
            offer_id = f"{product_id}:{sku_id}"
            apply.seen(
                skus.pop((product_id, sku_id), None), CatalogSku,
                _sku_values(product_id, sku), "sku", offer_id, sku.title,
            )  # fmt: skip
            for (term, cycle), offered in sku.terms.items():
                apply.seen(
                    plans.pop((product_id, sku_id, term, cycle), None), CatalogTerm,
                    _term_values(product_id, sku_id, offered), "term",
                    f"{offer_id}:{term}:{cycle}", sku.title,
                )  # fmt: skip
    apply.gone(((key, row.title, row) for key, row in products.items()), "product")
    apply.gone(((f"{p}:{s}", row.title, row) for (p, s), row in skus.items()), "sku")
    apply.gone(((":".join(key), f"{key[0]}:{key[1]}", row) for key, row in plans.items()), "term")
    await session.flush()
    return apply.changes


def _product_values(listed: ListedProduct) -> dict[str, Any]:
    return {
        "product_id": listed.product_id,
        "title": listed.title,
        "description": listed.description,
        "product_type": listed.product_type,
        "publisher": listed.publisher,
    }


def _sku_values(product_id: str, sku: ListedSku) -> dict[str, Any]:
    return {
        "product_id": product_id,
        "sku_id": sku.sku_id,
        "title": sku.title,
        "description": sku.description,
        "minimum_quantity": sku.minimum_quantity,
        "maximum_quantity": sku.maximum_quantity,
        "is_trial": sku.is_trial,
    }


def _term_values(product_id: str, sku_id: str, offered: ListedTerm) -> dict[str, Any]:
    return {
        "product_id": product_id,
        "sku_id": sku_id,
        "term": offered.term,
        "billing_cycle": offered.billing_cycle,
        "availability_id": offered.availability_id,
    }


def finish(refresh: CatalogRefresh, listing: Listing, changes: Changes, now: datetime) -> None:
    refresh.status = CatalogRefreshStatus.SUCCEEDED
    refresh.finished_at = now
    refresh.products = len(listing.products)
    refresh.skus = sum(len(p.skus) for p in listing.products.values())
    refresh.terms = sum(len(s.terms) for p in listing.products.values() for s in p.skus.values())
    refresh.added, refresh.changed = changes.added, changes.changed
    refresh.withdrawn, refresh.returned = changes.withdrawn, changes.returned
    refresh.changes, refresh.more_changes = changes.entries, changes.more
    refresh.calls = listing.calls
