"""Which of the licenses a customer's tenant holds were bought through this platform.

Partner Center lists only the subscriptions the partner sold (``GET .../subscriptions``): those
are ours. A new-commerce subscription names its catalog item (``product:sku:availability``); the
catalog's SKU carries the license SKU it provisions (``dynamicAttributes.provisioningId``, the
Entra ``skuId`` that subscribed SKUs and user licenses show). A subscribed SKU whose active
units exceed the active subscriptions of ours that provide it holds the rest from another
provider (or directly from Microsoft).

The subscriptions are read live in each import rather than from ``microsoft_subscriptions``
(the sync's copy): an import runs right after an order is provisioned, before the next sync
has listed the new subscription, and must not show it as another provider's. Legacy offers
(GUID offer ids) name no catalog SKU; they are matched to a subscribed SKU by name, and count
as ours only when the names agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from tenantry.directory.context import ImportContext
from tenantry.directory.refusals import why_not
from tenantry.partnercenter.errors import BadRequest, NotFound, PartnerCenterError
from tenantry.partnercenter.models.catalog import Sku
from tenantry.partnercenter.models.subscriptions import Subscription
from tenantry.partnercenter.models.users import SubscribedSku
from tenantry.partnercenter.operations.catalog import CatalogOperations

FALLBACK_MARKET = "US"


@dataclass
class Owned:
    """Active units of ours that provide one license SKU, and the subscriptions behind them."""

    units: int = 0
    # Of ``units``, those of trials.
    trial_units: int = 0
    subscription_ids: list[str] = field(default_factory=list)


def provisioning_id(sku: Sku) -> str | None:
    """The license SKU a catalog SKU provisions (``dynamicAttributes.provisioningId``)."""
    for key, value in (sku.dynamic_attributes or {}).items():
        if key.lower() == "provisioningid" and isinstance(value, str) and value.strip():
            return value.strip().lower()
    return None


def catalog_sku_of(subscription: Subscription) -> tuple[str, str] | None:
    """``(product id, sku id)`` of a new-commerce subscription; None for a legacy offer."""
    parts = (subscription.offer_id or "").split(":")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        return None
    return parts[0], parts[1]


class LicenseSkus:
    """Catalog SKU -> license SKU, each asked of Partner Center once per import."""

    def __init__(self, client: CatalogOperations, country: str) -> None:
        self._client = client
        self._country = country or FALLBACK_MARKET
        self._known: dict[tuple[str, str], str | None] = {}
        self.calls = 0

    async def of(self, product_id: str, sku_id: str) -> str | None:
        key = (product_id, sku_id)
        if key not in self._known:
            self._known[key] = await self._read(product_id, sku_id)
        return self._known[key]

    async def _read(self, product_id: str, sku_id: str) -> str | None:
        markets = [self._country] + ([FALLBACK_MARKET] if self._country != FALLBACK_MARKET else [])
        for market in markets:
            self.calls += 1
            try:
                return provisioning_id(await self._client.get_sku(product_id, sku_id, market))
            except (NotFound, BadRequest):
                # Not sold in (or no market of) the customer's country: any market names the
                # same license SKU.
                if market == markets[-1]:
                    raise
        return None


async def license_sku_of(
    subscription: Subscription, skus: LicenseSkus, by_name: dict[str, str]
) -> str | None:
    item = catalog_sku_of(subscription)
    if item is not None:
        return await skus.of(*item)
    return by_name.get((subscription.offer_name or "").strip().lower())


async def ours_by_sku(ctx: ImportContext, subscribed: Sequence[SubscribedSku]) -> dict[str, Owned]:
    """Active units of ours per license SKU id (lower case)."""
    subscriptions = await ctx.call(ctx.client.list_subscriptions(ctx.tenant_id))
    by_name = {
        (s.product_sku.name or "").strip().lower(): s.product_sku.id.lower()
        for s in subscribed
        if s.product_sku is not None and s.product_sku.name
    }
    skus = LicenseSkus(ctx.client, ctx.country)
    owned: dict[str, Owned] = {}
    for subscription in subscriptions:
        if (subscription.status or "").lower() != "active" or not subscription.quantity:
            continue
        try:
            sku_id = await license_sku_of(subscription, skus, by_name)
        except PartnerCenterError as exc:
            ctx.problem(
                f"subscription {subscription.id}",
                f"Which licenses {subscription.friendly_name or subscription.offer_name or ''} "
                f"provides could not be read; its units are not counted as ours. {why_not(exc)}",
            )
            continue
        if sku_id is None:
            continue  # not a license (Azure), or a legacy offer no subscribed SKU is named after
        found = owned.setdefault(sku_id, Owned())
        found.units += subscription.quantity
        if subscription.is_trial:
            found.trial_units += subscription.quantity
        found.subscription_ids.append(subscription.id)
    ctx.counts["calls_made"] += skus.calls
    return owned
