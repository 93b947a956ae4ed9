"""Provisioning orders: pending orders become subscriptions and licenses.

``schedule`` stamps a new order with the configured progression (see ``store.orders``);
``advance`` is called by every read of a customer's orders and subscriptions and completes what
is due; ``complete`` does the work exactly once (a conditional update claims the order), creating
one subscription per line and adding its seats to the customer's subscribed SKUs, where the
directory routes (``/subscribedskus``, license assignment) see them.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox import catalog_data
from tenantry_sandbox.catalog_data import TRIAL_TERM
from tenantry_sandbox.store import catalog, orders
from tenantry_sandbox.store.orders import Order, OrderLine
from tenantry_sandbox.store.subscriptions import Subscription, add_license_units

# Microsoft Azure (usage) subscriptions have no commitment end; Partner Center shows this date.
OPEN_ENDED = datetime(9999, 12, 10, tzinfo=UTC)


async def schedule(session: AsyncSession, order: Order, now: datetime) -> None:
    """Apply the provisioning settings to a new order (completing it at once for 0 polls)."""
    settings = await orders.provisioning_settings(session)
    order.polls_remaining = settings.polls
    order.complete_after = (
        now + timedelta(seconds=settings.seconds) if settings.seconds is not None else None
    )
    await session.flush()
    if settings.polls == 0:
        await complete(session, order, now)


async def advance(
    session: AsyncSession, customer_id: uuid.UUID, now: datetime, order: Order | None = None
) -> None:
    """One read of the customer's orders (or of ``order``): count it, complete what is due."""
    pending = (
        [order]
        if order is not None
        else await orders.of_customer(session, customer_id, pending_only=True)
    )
    for candidate in pending:
        if candidate.status != orders.PENDING:
            continue
        if candidate.polls_remaining is not None:
            candidate.polls_remaining = max(candidate.polls_remaining - 1, 0)
        polled_out = candidate.polls_remaining == 0
        timed_out = candidate.complete_after is not None and now >= candidate.complete_after
        if polled_out or timed_out:
            await complete(session, candidate, now)
    await session.flush()


async def complete(session: AsyncSession, order: Order, now: datetime) -> bool:
    """Provision a pending order now; False when it was already completed."""
    if not await orders.claim_completion(session, order, now):
        return False
    lines = order.order_lines()
    for line in lines:
        subscription = new_subscription(order, line, now)
        session.add(subscription)
        await session.flush()
        await add_license_units(
            session, order.customer_id, subscription.provisioning_id, active=line.quantity
        )
        line.subscription_id = str(subscription.id)
    order.lines = [line.to_json() for line in lines]
    await session.flush()
    return True


SEEDED_SINCE = datetime(2024, 1, 1, tzinfo=UTC)


def seeded_rows(
    customer_id: uuid.UUID,
    sku_id: uuid.UUID,
    units: int,
    partner: uuid.UUID,
    country: str,
    now: datetime | None = None,
) -> list[tuple[type[Order] | type[Subscription], dict[str, object]]]:
    """Column values of the completed order and the subscription behind a seeded license SKU.

    For the bulk seed: the world's customers already hold licenses, so they hold the one-year
    new-commerce subscriptions that provide them. Ids and dates derive from the customer and
    SKU, not from the seed's random stream, so adding them leaves the rest of the world as it
    was. They auto-renewed every year since, so the current term is running. SKUs the catalog
    does not sell get none.
    """
    item = next(
        (
            found
            for product in catalog_data.PRODUCTS
            for sku in product.skus
            if sku.provisioning_id == sku_id
            and not sku.is_trial
            and (found := catalog.by_product_sku(f"{product.id}:{sku.id}")) is not None
        ),
        None,
    )
    if item is None:
        return []
    currency = catalog.currency_of(country) or ("USD", "$")
    key = uuid.uuid5(customer_id, f"seeded:{sku_id}")
    since = SEEDED_SINCE + timedelta(days=key.int % 365)
    term_start, today = since, now or datetime.now(UTC)
    while catalog.add_months(term_start, 12) <= today:
        term_start = catalog.add_months(term_start, 12)
    order_id = key.hex[:12]
    line = OrderLine(0, item.id, item.sku.title, units, "monthly", "P1Y", subscription_id=str(key))
    order = {
        "id": order_id,
        "customer_id": customer_id,
        "partner_tenant_id": partner,
        "billing_cycle": "monthly",
        "currency_code": currency[0],
        "currency_symbol": currency[1],
        "status": orders.COMPLETED,
        "created_at": since,
        "completed_at": since,
        "lines": [line.to_json()],
    }
    subscription = {
        "id": key,
        "customer_id": customer_id,
        "partner_tenant_id": partner,
        "order_id": order_id,
        "kind": "nce",
        "offer_id": item.id,
        "offer_name": item.product.title,
        "friendly_name": item.sku.title,
        "quantity": units,
        "status": "active",
        "auto_renew": True,
        "is_trial": False,
        "billing_cycle": "monthly",
        "term_duration": "P1Y",
        "partner_id_on_record": "",
        "provisioning_id": sku_id,
        "created_at": since,
        "effective_start": term_start,
        "commitment_end": catalog.term_end(term_start, "P1Y"),
        "version": 1,
    }
    return [(Order, order), (Subscription, subscription)]


def new_subscription(order: Order, line: OrderLine, now: datetime) -> Subscription:
    """The subscription an order line provisions (new commerce item or legacy offer)."""
    common = {
        "id": uuid.uuid4(),
        "customer_id": order.customer_id,
        "partner_tenant_id": order.partner_tenant_id,
        "order_id": order.id,
        "quantity": line.quantity,
        "partner_id_on_record": line.partner_id_on_record or "",
        "created_at": now,
        "effective_start": now,
        "status": "active",
    }
    offer = catalog.legacy_offer(line.offer_id)
    if offer is not None:
        usage = offer.kind == "usage"
        trial = offer.kind == "trial"
        return Subscription(
            **common,
            kind="license" if trial else offer.kind,
            offer_id=offer.id,
            offer_name=offer.name,
            friendly_name=line.friendly_name or offer.name,
            auto_renew=not (usage or trial),
            is_trial=trial,
            billing_cycle=None if usage else order.billing_cycle,
            parent_subscription_id=(
                uuid.UUID(line.parent_subscription_id) if line.parent_subscription_id else None
            ),
            entitlement_id=uuid.uuid4() if usage else None,
            provisioning_id=offer.provisioning_id,
            commitment_end=(
                OPEN_ENDED if usage else catalog.term_end(now, TRIAL_TERM if trial else "P1Y")
            ),
        )
    item = catalog.by_product_sku(line.offer_id.rsplit(":", 1)[0])
    if item is None:  # validated when the order was placed; the catalog is static
        raise LookupError(f"catalog item {line.offer_id} vanished")
    term = line.term_duration or item.sku.term_durations[0]
    return Subscription(
        **common,
        kind="nce",
        offer_id=item.id,
        offer_name=item.product.title,
        friendly_name=line.friendly_name or item.sku.title,
        auto_renew=not item.sku.is_trial,
        is_trial=item.sku.is_trial,
        billing_cycle=line.billing_cycle,
        term_duration=term,
        provisioning_id=item.sku.provisioning_id,
        commitment_end=catalog.term_end(now, term),
    )
