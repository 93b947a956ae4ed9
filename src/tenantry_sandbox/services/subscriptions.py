"""Changing subscriptions: quantity, auto-renew, friendly name and status; legacy trial
conversions.

An update carries the full resource as read, its etag in ``attributes.etag`` (a stale one is
refused, 412/2055; none is accepted). Leaving ``autoRenewEnabled`` out turns auto-renew off, as
Partner Center documents. Rules: a deleted subscription can't change (400/2011); seats can't
change while suspended (400/2001), nor on trials and usage subscriptions (400/800095); the
quantity stays within the offer's bounds (400/2002); new-commerce seats can only be reduced in
the first 168 hours (400/900214); the billing cycle is not changed here (400/2054); more seats
are a purchase, refused without the Microsoft Customer Agreement (403/13605).

A legacy trial converts in place: the subscription keeps its id, becomes the paid offer, and its
users keep their licenses (the quantity may not drop below the licenses assigned). Converting is
a purchase: refused (403/13605) without the Microsoft Customer Agreement.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox import errors
from tenantry_sandbox.binding import enum_key
from tenantry_sandbox.catalog_data import REFUND_WINDOW_HOURS
from tenantry_sandbox.errors import invalid_property
from tenantry_sandbox.schemas.subscriptions import (
    ConversionIn,
    ConversionOut,
    SubscriptionPatch,
    refund_deadline,
)
from tenantry_sandbox.services import commerce_errors
from tenantry_sandbox.services.purchases import billing_cycle, ensure_customer_may_buy
from tenantry_sandbox.store import catalog, customers
from tenantry_sandbox.store.subscriptions import (
    ACTIVE,
    DELETED,
    SUSPENDED,
    Subscription,
    add_license_units,
    license_holders,
    reassign_licenses,
)


def quantity_bounds(sub: Subscription) -> tuple[int, int]:
    offer = catalog.legacy_offer(sub.offer_id)
    if offer is not None:
        return offer.minimum_quantity, offer.maximum_quantity
    item = catalog.by_product_sku(sub.offer_id.rsplit(":", 1)[0])
    return (item.sku.minimum_quantity, item.sku.maximum_quantity) if item else (1, 1)


def check_etag(sub: Subscription, sent: str | None) -> None:
    if sent and sent.strip().strip('"') != sub.etag:
        raise errors.etag_mismatch()


async def update_subscription(
    session: AsyncSession, sub: Subscription, body: SubscriptionPatch, now: datetime
) -> list[str]:
    """Apply the update; returns the names of what changed (for the audit record)."""
    check_etag(sub, body.attributes.etag if body.attributes else None)
    if sub.status in (DELETED, "expired"):
        raise commerce_errors.subscription_deleted(sub.id)
    cycle = billing_cycle(body.billing_cycle, "billingCycle") if body.billing_cycle else None
    if cycle and sub.billing_cycle and cycle != sub.billing_cycle:
        raise commerce_errors.billing_cycle_not_updatable()
    changed: list[str] = []
    status = enum_key(body.status) if body.status else sub.status
    if status != sub.status:
        await _change_status(session, sub, status)
        changed.append("Status")
    if body.quantity is not None and body.quantity != sub.quantity:
        await _change_quantity(session, sub, body.quantity, now)
        changed.append("Quantity")
    auto_renew = bool(body.auto_renew_enabled)
    if auto_renew != sub.auto_renew:
        if sub.kind == "usage":
            raise commerce_errors.auto_renew_not_allowed()
        sub.auto_renew = auto_renew
        changed.append("AutoRenewEnabled")
    if body.friendly_name and body.friendly_name != sub.friendly_name:
        sub.friendly_name = body.friendly_name[:256]
        changed.append("FriendlyName")
    if changed:
        sub.version += 1
    await session.flush()
    return changed


async def _change_status(session: AsyncSession, sub: Subscription, status: str) -> None:
    if status not in (ACTIVE, SUSPENDED):
        raise commerce_errors.status_not_updatable(status)
    sign = 1 if status == SUSPENDED else -1
    await add_license_units(
        session,
        sub.customer_id,
        sub.provisioning_id,
        active=-sign * sub.quantity,
        suspended=sign * sub.quantity,
    )
    sub.status = status


async def _change_quantity(
    session: AsyncSession, sub: Subscription, quantity: int, now: datetime
) -> None:
    if sub.status == SUSPENDED:
        raise commerce_errors.quantity_change_while_suspended()
    if sub.kind == "usage" or sub.is_trial:
        raise commerce_errors.seat_quantity_fixed()
    low, high = quantity_bounds(sub)
    if not low <= quantity <= high:
        raise commerce_errors.quantity_out_of_range()
    if quantity > sub.quantity:
        customer = await customers.get(session, sub.customer_id)
        if customer is not None:
            await ensure_customer_may_buy(session, customer)
    if sub.kind == "nce" and quantity < sub.quantity and now >= refund_deadline(sub):
        raise commerce_errors.seat_reduction_window_passed(REFUND_WINDOW_HOURS)
    await add_license_units(
        session, sub.customer_id, sub.provisioning_id, active=quantity - sub.quantity
    )
    sub.quantity = quantity


# ------------------------------------------------------------------ legacy trial conversions


def conversions_of(sub: Subscription) -> list[ConversionOut]:
    """The paid offers a legacy trial converts to (none for other subscriptions)."""
    offer = catalog.legacy_offer(sub.offer_id)
    if offer is None or not sub.is_trial or offer.conversion_target is None:
        return []
    return [
        ConversionOut(
            offer_id=offer.id,
            target_offer_id=offer.conversion_target,
            order_id=sub.order_id,
            quantity=sub.quantity,
            billing_cycle="monthly",
        )
    ]


async def convert_trial(
    session: AsyncSession, sub: Subscription, body: ConversionIn, now: datetime
) -> str:
    """Convert a legacy trial in place; returns the offer it converted from."""
    if sub.kind == "nce":
        raise invalid_property(
            "New-commerce trials convert to paid through transitions, not conversions.",
            "targetOfferId",
        )
    if sub.status != ACTIVE:
        raise commerce_errors.not_active()
    target_id = (body.target_offer_id or "").strip().upper()
    conversion = next((c for c in conversions_of(sub) if c.target_offer_id == target_id), None)
    target = catalog.legacy_offer(target_id)
    if conversion is None or target is None:
        raise invalid_property(
            f"{body.target_offer_id} is not a conversion offer of subscription {sub.id}.",
            "targetOfferId",
        )
    quantity = body.quantity if body.quantity is not None else sub.quantity
    if not target.minimum_quantity <= quantity <= target.maximum_quantity:
        raise commerce_errors.quantity_out_of_range()
    customer = await customers.get(session, sub.customer_id)
    if customer is not None:  # converting buys the paid offer
        await ensure_customer_may_buy(session, customer)
    holders = (
        await license_holders(session, sub.customer_id, sub.provisioning_id)
        if sub.provisioning_id
        else []
    )
    if quantity < len(holders):
        raise invalid_property(
            f"{len(holders)} users hold this subscription's licenses; convert at least that many.",
            "quantity",
        )
    await add_license_units(session, sub.customer_id, sub.provisioning_id, active=-sub.quantity)
    await add_license_units(session, sub.customer_id, target.provisioning_id, active=quantity)
    if sub.provisioning_id and target.provisioning_id:
        await reassign_licenses(
            session,
            sub.customer_id,
            holders,
            from_sku=sub.provisioning_id,
            to_sku=target.provisioning_id,
        )
    source = sub.offer_id
    if sub.friendly_name == sub.offer_name:
        sub.friendly_name = target.name
    sub.offer_id, sub.offer_name, sub.provisioning_id = (
        target.id,
        target.name,
        target.provisioning_id,
    )
    sub.quantity, sub.is_trial, sub.auto_renew = quantity, False, True
    sub.billing_cycle = billing_cycle(body.billing_cycle or "monthly", "billingCycle")
    sub.effective_start, sub.commitment_end = now, catalog.term_end(now, "P1Y")
    sub.version += 1
    await session.flush()
    return source
