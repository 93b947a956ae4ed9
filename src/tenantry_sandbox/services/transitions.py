"""New-commerce transitions: upgrading a subscription, or converting a new-commerce trial to paid.

Eligible targets come from the catalog: a SKU's ``upgradeTargetOffers`` and, for a trial, the
paid SKU it converts to. A transition moves ``quantity`` seats from the source to the target:
into an existing active subscription of the target item (``toSubscriptionId``) or into a new one
(a new order, provisioned at once). A source left with no seats is deleted; a trial converts
whole, whatever number of paid seats it becomes. With
``transition_with_license_transfer`` the users holding the source's license get the target's
instead; a trial and its paid SKU provision the same license, so converting a trial keeps every
assignment whichever the type. Transitions buy paid seats, so they are refused (403/13605)
for a customer without the Microsoft Customer Agreement, as every purchase is.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox.binding import enum_key
from tenantry_sandbox.errors import invalid_property
from tenantry_sandbox.schemas.subscriptions import refund_deadline
from tenantry_sandbox.schemas.transitions import (
    EligibilityErrorOut,
    EligibilityOut,
    SubscriptionEligibilityOut,
    TransitionEligibilityOut,
    TransitionIn,
)
from tenantry_sandbox.services import commerce_errors
from tenantry_sandbox.services.catalog import resolve
from tenantry_sandbox.services.commerce import place_order
from tenantry_sandbox.services.purchases import (
    billing_cycle,
    check_cycle,
    ensure_customer_may_buy,
    term_of,
)
from tenantry_sandbox.store import catalog, subscriptions
from tenantry_sandbox.store.catalog import CatalogItem
from tenantry_sandbox.store.customers import Customer
from tenantry_sandbox.store.orders import OrderLine
from tenantry_sandbox.store.subscriptions import (
    ACTIVE,
    DELETED,
    Subscription,
    Transition,
    add_license_units,
    license_holders,
    reassign_licenses,
)
from tenantry_sandbox.tokens import Caller

TYPES = ("transition_only", "transition_with_license_transfer")


def targets_of(sub: Subscription) -> list[CatalogItem]:
    if sub.kind != "nce":
        return []
    item = catalog.by_product_sku(sub.offer_id.rsplit(":", 1)[0])
    if item is None:
        return []
    paid = catalog.by_product_sku(item.sku.converts_to) if item.sku.converts_to else None
    references = [paid.product_sku] if paid else []
    references += (paid or item).sku.upgrade_targets
    found = (catalog.by_product_sku(reference) for reference in references)
    return [target for target in found if target is not None]


def _source_errors(sub: Subscription) -> list[EligibilityErrorOut]:
    if sub.status == ACTIVE:
        return []
    text = "Subscription can't be Transitioned - source subscription isn't active."
    return [EligibilityErrorOut(code=1, description=text)]


def _target_errors(
    source: Subscription, target: Subscription, now: datetime
) -> list[EligibilityErrorOut]:
    found = []
    if target.status != ACTIVE:
        found.append(EligibilityErrorOut(code=1, description="Subscription is not active."))
    if now < refund_deadline(target):
        text = "Subscription is within cancellation window."
        found.append(EligibilityErrorOut(code=2, description=text))
    if catalog.term_months(target.term_duration or "P1M") < catalog.term_months(
        source.term_duration or "P1M"
    ):
        text = "The subscription's term duration is shorter than the source subscription's term duration."
        found.append(EligibilityErrorOut(code=3, description=text))
    return found


async def eligibilities(
    session: AsyncSession, sub: Subscription, eligibility_type: str, now: datetime
) -> list[TransitionEligibilityOut]:
    """``GET .../transitionEligibilities``: every target, with the existing subscriptions of it
    that could receive the seats (none for a trial or a scheduled transition)."""
    if enum_key(eligibility_type) not in ("immediate", "scheduled"):
        raise invalid_property(f"Unknown eligibilityType '{eligibility_type}'.", "eligibilityType")
    operation_id = uuid.uuid4()
    errors = _source_errors(sub)
    owned = await subscriptions.of_customer(session, sub.customer_id)
    with_targets = not sub.is_trial and enum_key(eligibility_type) == "immediate"
    found = []
    for target in targets_of(sub):
        receivers = [s for s in owned if s.offer_id == target.id and s.id != sub.id]
        found.append(
            TransitionEligibilityOut(
                operation_id=operation_id,
                catalog_item_id=target.id,
                title=target.sku.title,
                description=target.sku.description,
                quantity=sub.quantity,
                subscription_eligibilities=[
                    SubscriptionEligibilityOut(
                        is_eligible=not (problems := _target_errors(sub, receiver, now)),
                        subscription_id=receiver.id,
                        subscription_friendly_name=receiver.friendly_name,
                        subscription_term_duration=receiver.term_duration,
                        subscription_billing_cycle=receiver.billing_cycle,
                        errors=problems,
                    )
                    for receiver in (receivers if with_targets else [])
                ],
                eligibilities=[
                    EligibilityOut(is_eligible=not errors, transition_type=kind, errors=errors)
                    for kind in TYPES
                ],
            )
        )
    return found


def _request(sub: Subscription, body: TransitionIn) -> tuple[CatalogItem, str, int]:
    """The validated target, transition type and quantity."""
    if not body.to_catalog_item_id:
        raise invalid_property("toCatalogItemId is required.", "toCatalogItemId")
    kind = enum_key(body.transition_type or "")
    transition_type = next((t for t in TYPES if enum_key(t) == kind), None)
    if transition_type is None:
        raise invalid_property(
            "transitionType must be transition_only or transition_with_license_transfer.",
            "transitionType",
        )
    if body.from_subscription_id and body.from_subscription_id.strip().lower() != str(sub.id):
        raise invalid_property("fromSubscriptionId is not this subscription.", "fromSubscriptionId")
    if sub.status != ACTIVE:
        raise commerce_errors.not_active()
    target = resolve(body.to_catalog_item_id, "toCatalogItemId")
    if target.id not in {t.id for t in targets_of(sub)}:
        raise commerce_errors.not_eligible(target.id)
    high = target.sku.maximum_quantity if sub.is_trial else sub.quantity
    if body.quantity is None or not 1 <= body.quantity <= high:
        raise commerce_errors.quantity_out_of_range()
    return target, transition_type, body.quantity


async def transition(
    session: AsyncSession,
    caller: Caller,
    customer: Customer,
    sub: Subscription,
    body: TransitionIn,
    now: datetime,
) -> Transition:
    target, transition_type, quantity = _request(sub, body)
    # Paid seats are a purchase: refused without the Microsoft Customer Agreement (13605).
    await ensure_customer_may_buy(session, customer)
    term = term_of(target.sku, body.term_duration or (None if sub.is_trial else sub.term_duration))
    if not sub.is_trial and catalog.term_months(term) < catalog.term_months(
        sub.term_duration or term
    ):
        raise commerce_errors.target_term_shorter()
    cycle = billing_cycle(body.billing_cycle or sub.billing_cycle or "monthly", "billingCycle")
    check_cycle(target.sku, term, cycle)
    receiver = await _receiver(
        session, caller, customer, sub, body, target, quantity, term, cycle, now
    )
    holders = []
    if sub.provisioning_id is not None:
        holders = (await license_holders(session, sub.customer_id, sub.provisioning_id))[:quantity]
    # A trial ends whole when it converts, whatever number of paid seats it became.
    released = sub.quantity if sub.is_trial else quantity
    await add_license_units(session, sub.customer_id, sub.provisioning_id, active=-released)
    sub.quantity -= released
    if sub.quantity == 0:
        sub.status = DELETED
    sub.version += 1
    events = [{"name": "Conversion", "status": "Completed", "timestamp": now.isoformat()}]
    if transition_type == "transition_with_license_transfer" and sub.provisioning_id:
        assert receiver.provisioning_id is not None
        await reassign_licenses(
            session,
            sub.customer_id,
            holders,
            from_sku=sub.provisioning_id,
            to_sku=receiver.provisioning_id,
        )
        events.append(
            {"name": "LicenseReassignment", "status": "Completed", "timestamp": now.isoformat()}
        )
    row = Transition(
        id=uuid.uuid4(),
        operation_id=uuid.uuid4(),
        customer_id=customer.id,
        subscription_id=sub.id,
        from_catalog_item_id=sub.offer_id,
        to_catalog_item_id=target.id,
        to_subscription_id=receiver.id,
        quantity=quantity,
        term_duration=term,
        billing_cycle=cycle,
        transition_type=transition_type,
        status="Completed",
        created_at=now,
        events=events,
    )
    session.add(row)
    await session.flush()
    return row


async def _receiver(
    session: AsyncSession,
    caller: Caller,
    customer: Customer,
    sub: Subscription,
    body: TransitionIn,
    target: CatalogItem,
    quantity: int,
    term: str,
    cycle: str,
    now: datetime,
) -> Subscription:
    """The subscription receiving the seats: the named one, or a new one."""
    if body.to_subscription_id:
        try:
            receiver_id = uuid.UUID(body.to_subscription_id)
        except ValueError as exc:
            raise commerce_errors.target_not_active() from exc
        if receiver_id == sub.id:
            raise commerce_errors.target_is_source()
        receiver = await subscriptions.get(session, customer.id, receiver_id)
        if receiver is None or receiver.status != ACTIVE:
            raise commerce_errors.target_not_active()
        if receiver.offer_id != target.id:
            raise commerce_errors.target_catalog_mismatch()
        await add_license_units(session, customer.id, receiver.provisioning_id, active=quantity)
        receiver.quantity += quantity
        receiver.version += 1
        return receiver
    cost = catalog.price_of(target.sku, term, cycle, quantity)
    line = OrderLine(
        number=0,
        offer_id=target.id,
        friendly_name=target.sku.title,
        quantity=quantity,
        billing_cycle=cycle,
        term_duration=term,
        partner_id_on_record=sub.partner_id_on_record or None,
        unit_price=str(cost.unit),
        extended_price=str(cost.extended),
    )
    order = await place_order(
        session, caller, customer, [line], billing_cycle=cycle, now=now, immediate=True
    )
    created = order.order_lines()[0].subscription_id
    receiver = await subscriptions.get(session, customer.id, uuid.UUID(str(created)))
    assert receiver is not None
    return receiver
