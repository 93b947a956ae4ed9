"""The platform's price list: a list price (and optionally a cost) per offer, term, billing
cycle and currency, set by platform staff one by one (page, API) or by importing a CSV file.

A price may be set for an offer the catalog does not list yet (a price list often arrives
before the product): it applies once Partner Center lists it. Currencies are the platform's
allowed ones; a price in a currency the platform stops allowing is kept but not used.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.errors import FieldError, ValidationFailed
from tenantry.models import CatalogPrice, CatalogSku
from tenantry.orders.catalog.pricing import allowed_currencies
from tenantry.orders.catalog.schemas import PriceSet
from tenantry.security import Actor, Permission, require

# Changes listed in the audit event of one save; more are counted.
AUDITED_CHANGES = 200


@dataclass
class PriceChanges:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    audited: list[dict[str, str | None]] = field(default_factory=list)

    def note(self, kind: str, entry: PriceSet, before: CatalogPrice | None) -> None:
        setattr(self, kind, getattr(self, kind) + 1)
        if kind != "unchanged" and len(self.audited) < AUDITED_CHANGES:
            self.audited.append(
                {
                    "offer": f"{entry.offer_id}:{entry.term}:{entry.billing_cycle}",
                    "currency": entry.currency,
                    "before": str(before.list_price) if before else None,
                    "after": None if entry.list_price is None else str(entry.list_price),
                }
            )


def _key(entry: PriceSet) -> tuple[str, str, str, str, str]:
    product_id, sku_id = entry.offer_id.upper().split(":", 1)
    return product_id, sku_id, entry.term, entry.billing_cycle, entry.currency


async def list_prices(
    session: AsyncSession, actor: Actor, *, currency: str | None = None, offer_id: str | None = None
) -> list[CatalogPrice]:
    require(actor, Permission.CATALOG_MANAGE)
    query = select(CatalogPrice).where(CatalogPrice.platform_id == actor.platform_id)
    if currency:
        query = query.where(CatalogPrice.currency == currency.upper())
    if offer_id and ":" in offer_id:
        product_id, sku_id = offer_id.upper().split(":", 1)
        query = query.where(CatalogPrice.product_id == product_id, CatalogPrice.sku_id == sku_id)
    query = query.order_by(
        CatalogPrice.product_id, CatalogPrice.sku_id, CatalogPrice.term,
        CatalogPrice.billing_cycle, CatalogPrice.currency,
    )  # fmt: skip
    return list(await session.scalars(query))


async def check_currencies(
    session: AsyncSession, platform_id: uuid.UUID, entries: Sequence[PriceSet], field_name: str
) -> None:
    """422 for each price in a currency the platform does not allow."""
    allowed = await allowed_currencies(session, platform_id)
    if allowed is None:
        return
    errors = [
        FieldError(
            f"{field_name}.{index}.currency",
            "allowed",
            f"{entry.currency} is not one of the platform's currencies ({', '.join(allowed)})",
        )
        for index, entry in enumerate(entries)
        if entry.currency not in allowed
    ]
    if errors:
        raise ValidationFailed(errors[:50])


async def set_prices(
    session: AsyncSession, actor: Actor, entries: Sequence[PriceSet], *, source: str = "api"
) -> PriceChanges:
    """Set each price (a null list price removes it), audited as one change of the price list."""
    require(actor, Permission.CATALOG_MANAGE)
    await check_currencies(session, actor.platform_id, entries, "prices")
    existing = {
        (p.product_id, p.sku_id, p.term, p.billing_cycle, p.currency): p
        for p in await list_prices(session, actor)
    }
    changes = PriceChanges()
    for entry in entries:
        key = _key(entry)
        row = existing.get(key)
        if entry.list_price is None:
            if row is not None:
                changes.note("removed", entry, row)
                await session.delete(row)
                del existing[key]
            continue
        if row is None:
            row = CatalogPrice(
                platform_id=actor.platform_id, product_id=key[0], sku_id=key[1], term=key[2],
                billing_cycle=key[3], currency=key[4], list_price=entry.list_price,
                cost=entry.cost,
            )  # fmt: skip
            session.add(row)
            existing[key] = row
            changes.note("created", entry, None)
        elif (row.list_price, row.cost) == (entry.list_price, entry.cost):
            changes.note("unchanged", entry, row)
        else:
            changes.note("changed", entry, row)
            row.list_price, row.cost = entry.list_price, entry.cost
    await session.flush()
    if changes.audited or changes.removed:
        await record(
            session, actor, action="catalog.prices_set", target_type="price_list",
            target_id=actor.platform_id, organization_id=actor.platform_id,
            changes={
                "source": source, "created": changes.created, "changed": changes.changed,
                "removed": changes.removed, "prices": changes.audited,
            },
        )  # fmt: skip
    return changes


async def unlisted_offers(
    session: AsyncSession, platform_id: uuid.UUID, offer_ids: set[str]
) -> list[str]:
    """The offers among ``offer_ids`` that the catalog does not list at all."""
    listed = {
        f"{product_id}:{sku_id}"
        for product_id, sku_id in await session.execute(
            select(CatalogSku.product_id, CatalogSku.sku_id).where(
                CatalogSku.platform_id == platform_id
            )
        )
    }
    return sorted(offer_ids - listed)


def money(value: Decimal | None) -> str:
    """A price as staff read and type it: cents, or the four decimals a price list may hold."""
    if value is None:
        return ""
    cents = value.quantize(Decimal("0.01"))
    return f"{cents:f}" if cents == value else f"{value.normalize():f}"
