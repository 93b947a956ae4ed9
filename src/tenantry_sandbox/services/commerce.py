"""Carts, checkout and orders.

A cart lives seven days (``expirationTimestamp``); an expired cart is gone (404/800008). Updating
a cart replaces its lines; a cart ``attributes.etag`` that is no longer current is refused
(412/2055), a cart without one is taken as is. Checkout re-checks what may have changed since the
cart was filled (the Microsoft Customer Agreement, the reseller of record, the catalog), then
claims the cart: a cart already checked out answers 400/800065. Each order group becomes one
order, pending until provisioning completes (``services.provisioning``).
"""

from __future__ import annotations

import secrets
import uuid
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox import errors
from tenantry_sandbox.errors import PartnerCenterError, invalid_property
from tenantry_sandbox.schemas.commerce import CartIn, CartLineOut, OrderIn, OrderLineIn
from tenantry_sandbox.services import commerce_errors, provisioning, purchases
from tenantry_sandbox.services.catalog import market, resolve
from tenantry_sandbox.store import carts, catalog, subscriptions
from tenantry_sandbox.store.carts import Cart
from tenantry_sandbox.store.customers import Customer, new_etag
from tenantry_sandbox.store.orders import Order, OrderLine
from tenantry_sandbox.tokens import Caller

CART_LIFETIME = timedelta(days=7)


def currency_of(customer: Customer) -> tuple[str, str]:
    return market(customer.country)[1]


async def create_cart(
    session: AsyncSession, caller: Caller, customer: Customer, body: CartIn, now: datetime
) -> Cart:
    code, _symbol = currency_of(customer)
    lines = await purchases.validate_cart(session, caller.tenant_id, body.line_items or [], code)
    cart = Cart(
        id=uuid.uuid4(),
        customer_id=customer.id,
        partner_tenant_id=caller.tenant_id,
        status=carts.ACTIVE,
        created_at=now,
        modified_at=now,
        expires_at=now + CART_LIFETIME,
        last_modified_user=caller.object_id,
        etag=new_etag(),
        attestation_accepted=body.partner_on_record_attestation_accepted,
        lines=[line.model_dump(mode="json") for line in lines],
    )
    session.add(cart)
    await session.flush()
    return cart


async def live_cart(
    session: AsyncSession, caller: Caller, customer: Customer, cart_id: uuid.UUID, now: datetime
) -> Cart:
    """The caller's cart, unless it does not exist or has expired (404/800008)."""
    cart = await carts.get(session, caller.tenant_id, customer.id, cart_id)
    if cart is None or cart.expires_at <= now:
        raise commerce_errors.cart_not_found(cart_id)
    return cart


async def update_cart(
    session: AsyncSession,
    caller: Caller,
    customer: Customer,
    cart: Cart,
    body: CartIn,
    now: datetime,
) -> Cart:
    if cart.status != carts.ACTIVE:
        raise commerce_errors.cart_submitted(cart.id)
    sent_etag = body.attributes.etag if body.attributes else None
    if sent_etag and sent_etag.strip('"') != cart.etag:
        raise errors.etag_mismatch()
    code, _symbol = currency_of(customer)
    lines = await purchases.validate_cart(session, caller.tenant_id, body.line_items or [], code)
    cart.lines = [line.model_dump(mode="json") for line in lines]
    cart.modified_at = now
    cart.expires_at = now + CART_LIFETIME
    cart.last_modified_user = caller.object_id
    cart.etag = new_etag()
    if body.partner_on_record_attestation_accepted is not None:
        cart.attestation_accepted = body.partner_on_record_attestation_accepted
    await session.flush()
    return cart


async def checkout(
    session: AsyncSession, caller: Caller, customer: Customer, cart: Cart, now: datetime
) -> list[Order]:
    if cart.status != carts.ACTIVE:
        raise commerce_errors.cart_submitted(cart.id)
    await purchases.ensure_customer_may_buy(session, customer)
    lines = [CartLineOut.model_validate(line) for line in cart.lines]
    for line in lines:
        if catalog.legacy_offer(line.catalog_item_id) is None:
            resolve(line.catalog_item_id, f"lineItems[{line.id}].catalogItemId")
        reseller = purchases.participant_reseller(line.participants)
        await purchases.reseller_of_record(session, caller.tenant_id, reseller)
    if not await carts.claim_for_checkout(session, cart, now):
        raise commerce_errors.cart_submitted(cart.id)
    groups: dict[str, list[CartLineOut]] = defaultdict(list)
    for line in lines:
        groups[line.order_group].append(line)
    placed = []
    for group_lines in groups.values():
        order_lines = [
            OrderLine(
                number=number,
                offer_id=line.catalog_item_id,
                friendly_name=line.friendly_name or _title_of(line.catalog_item_id),
                quantity=line.quantity,
                billing_cycle=line.billing_cycle,
                term_duration=line.term_duration,
                partner_id_on_record=purchases.participant_reseller(line.participants),
                provisioning_context=dict(line.provisioning_context),
                unit_price=str(line.pricing.price) if line.pricing else None,
                extended_price=str(line.pricing.extended_price) if line.pricing else None,
            )
            for number, line in enumerate(group_lines)
        ]
        placed.append(
            await place_order(
                session,
                caller,
                customer,
                order_lines,
                billing_cycle=group_lines[0].billing_cycle,
                now=now,
                cart_id=cart.id,
                attestation=cart.attestation_accepted,
            )
        )
    return placed


def _title_of(offer_id: str) -> str:
    offer = catalog.legacy_offer(offer_id)
    if offer is not None:
        return offer.name
    item = catalog.by_product_sku(offer_id.rsplit(":", 1)[0])
    return item.sku.title if item else offer_id


async def place_order(
    session: AsyncSession,
    caller: Caller,
    customer: Customer,
    lines: list[OrderLine],
    *,
    billing_cycle: str,
    now: datetime,
    cart_id: uuid.UUID | None = None,
    attestation: bool | None = None,
    immediate: bool = False,
) -> Order:
    """Record a pending order and schedule its provisioning (``immediate``: provision now)."""
    code, symbol = currency_of(customer)
    order = Order(
        id=secrets.token_hex(6),
        customer_id=customer.id,
        partner_tenant_id=caller.tenant_id,
        cart_id=cart_id,
        billing_cycle=billing_cycle,
        currency_code=code,
        currency_symbol=symbol,
        created_at=now,
        attestation_accepted=attestation,
        lines=[line.to_json() for line in lines],
    )
    session.add(order)
    await session.flush()
    if immediate:
        await provisioning.complete(session, order, now)
    else:
        await provisioning.schedule(session, order, now)
    return order


def currency_mismatch(requested: str) -> PartnerCenterError:
    return PartnerCenterError(
        400,
        900169,
        f"One or more of the order items do not support the given currency, {requested}. Input "
        "currency should be either partner or customer (market) currency.",
    )


async def create_order(
    session: AsyncSession, caller: Caller, customer: Customer, body: OrderIn, now: datetime
) -> Order:
    """``POST /customers/{id}/orders``: legacy offers, or catalog items by their id."""
    requested = body.line_items or []
    if not requested:
        raise invalid_property("An order needs at least one line item.", "lineItems")
    numbers = [
        line.line_item_number if line.line_item_number is not None else index
        for index, line in enumerate(requested)
    ]
    if sorted(numbers) != list(range(len(requested))):
        raise commerce_errors.line_numbers_invalid()
    cycle = purchases.billing_cycle(body.billing_cycle, "billingCycle")
    code, _symbol = currency_of(customer)
    if body.currency_code and body.currency_code.strip().upper() != code:
        raise currency_mismatch(body.currency_code)
    lines = []
    for number, line in sorted(zip(numbers, requested, strict=True), key=lambda pair: pair[0]):
        lines.append(await _order_line(session, caller, customer, line, number, cycle))
    await purchases.ensure_customer_may_buy(session, customer)
    return await place_order(
        session,
        caller,
        customer,
        lines,
        billing_cycle=cycle,
        now=now,
        attestation=body.partner_on_record_attestation_accepted,
    )


async def _order_line(
    session: AsyncSession,
    caller: Caller,
    customer: Customer,
    line: OrderLineIn,
    number: int,
    cycle: str,
) -> OrderLine:
    field = f"lineItems[{number}]"
    if not line.offer_id:
        raise invalid_property("The offer id is required.", f"{field}.offerId")
    reseller = await purchases.reseller_of_record(
        session, caller.tenant_id, line.partner_id_on_record
    )
    offer = catalog.legacy_offer(line.offer_id)
    if offer is not None:
        quantity = purchases.legacy_line(offer, line.quantity, number)
        parent = await _parent_of(session, customer, offer.parent_offer_ids, line)
        return OrderLine(
            number=number,
            offer_id=offer.id,
            friendly_name=line.friendly_name or offer.name,
            quantity=quantity,
            billing_cycle=cycle,
            partner_id_on_record=reseller,
            parent_subscription_id=parent,
            provisioning_context=line.provisioning_context or {},
        )
    if line.offer_id.count(":") != 2:
        raise commerce_errors.invalid_offer(line.offer_id)
    item, term, cycle, quantity = purchases.new_commerce_line(
        line.offer_id, line.term_duration, cycle, line.quantity, number, field
    )
    cost = catalog.price_of(item.sku, term, cycle, quantity)
    return OrderLine(
        number=number,
        offer_id=item.id,
        friendly_name=line.friendly_name or item.sku.title,
        quantity=quantity,
        billing_cycle=cycle,
        term_duration=term,
        partner_id_on_record=reseller,
        provisioning_context=line.provisioning_context or {},
        unit_price=str(cost.unit),
        extended_price=str(cost.extended),
    )


async def _parent_of(
    session: AsyncSession, customer: Customer, parents: tuple[str, ...], line: OrderLineIn
) -> str | None:
    """An add-on's parent subscription: active, the customer's, of an offer it extends."""
    if not parents:
        return None
    try:
        parent_id = uuid.UUID(line.parent_subscription_id or "")
    except ValueError as exc:
        raise commerce_errors.addon_not_related() from exc
    parent = await subscriptions.get(session, customer.id, parent_id)
    if parent is None or parent.offer_id not in parents or parent.status != "active":
        raise commerce_errors.addon_not_related()
    return str(parent.id)
