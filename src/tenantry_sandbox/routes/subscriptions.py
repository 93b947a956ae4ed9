"""Subscriptions, add-ons, legacy trial conversions and new-commerce transitions.

- ``GET /v1/customers/{id}/subscriptions[?order_id=|?mpn_id=]``
- ``GET|PATCH /v1/customers/{id}/subscriptions/{subscriptionId}``
- ``GET .../subscriptions/{subscriptionId}/addons``
- ``GET|POST .../subscriptions/{subscriptionId}/conversions`` (App+User only)
- ``GET .../subscriptions/{subscriptionId}/transitionEligibilities?eligibilityType=``
- ``POST|GET .../subscriptions/{subscriptionId}/transitions[?operationId=]``

Listing subscriptions counts as a read of the customer's orders, so provisioning moves forward.
Every write appends an audit record (``update_subscription``, ``convert_trial_subscription``,
``upgrade_subscription``).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query

from tenantry_sandbox.api import (
    AnyCaller,
    CustomerOfAnyCaller,
    CustomerOfUser,
    Session,
    State,
    UserCaller,
    partner_center_router,
)
from tenantry_sandbox.resources import Collection, collection
from tenantry_sandbox.schemas.subscriptions import (
    ConversionIn,
    ConversionOut,
    ConversionResultOut,
    SubscriptionOut,
    SubscriptionPatch,
    subscription_out,
)
from tenantry_sandbox.schemas.transitions import (
    TransitionEligibilityOut,
    TransitionIn,
    TransitionOut,
    transition_out,
)
from tenantry_sandbox.services import audit, commerce_errors, provisioning, transitions
from tenantry_sandbox.services import subscriptions as changes
from tenantry_sandbox.store import orders, subscriptions
from tenantry_sandbox.store.customers import Customer
from tenantry_sandbox.store.subscriptions import Subscription

router = partner_center_router(tags=["subscriptions"])

SUBSCRIPTIONS = "/customers/{customer_id:uuid}/subscriptions"
ONE = SUBSCRIPTIONS + "/{subscription_id:uuid}"


async def _subscription(
    session: Session, customer: Customer, subscription_id: uuid.UUID
) -> Subscription:
    found = await subscriptions.get(session, customer.id, subscription_id)
    if found is None:
        raise commerce_errors.subscription_not_found(subscription_id)
    return found


@router.get(SUBSCRIPTIONS, summary="List a customer's subscriptions (or an order's)")
async def list_subscriptions(
    customer: CustomerOfAnyCaller,
    session: Session,
    state: State,
    order_id: Annotated[str | None, Query()] = None,
    mpn_id: Annotated[str | None, Query()] = None,
) -> Collection[SubscriptionOut]:
    now = state.clock.now()
    order = await orders.get(session, customer.id, order_id) if order_id else None
    if order_id and order is None:
        raise commerce_errors.order_not_found(order_id)
    await provisioning.advance(session, customer.id, now, order)
    rows = await subscriptions.of_customer(
        session, customer.id, order_id=order_id, partner_id_on_record=mpn_id
    )
    return collection(
        [subscription_out(row, customer.country, now) for row in rows],
        self_uri=f"/customers/{customer.id}/subscriptions",
    )


@router.get(ONE, summary="Get a subscription")
async def get_subscription(
    subscription_id: uuid.UUID, customer: CustomerOfAnyCaller, session: Session, state: State
) -> SubscriptionOut:
    found = await _subscription(session, customer, subscription_id)
    return subscription_out(found, customer.country, state.clock.now())


@router.patch(ONE, summary="Update a subscription (quantity, auto-renew, name, status)")
async def update_subscription(
    subscription_id: uuid.UUID,
    body: SubscriptionPatch,
    customer: CustomerOfAnyCaller,
    caller: AnyCaller,
    session: Session,
    state: State,
) -> SubscriptionOut:
    now = state.clock.now()
    found = await _subscription(session, customer, subscription_id)
    before = subscription_out(found, customer.country, now)
    changed = await changes.update_subscription(session, found, body, now)
    answer = subscription_out(found, customer.country, now)
    if changed:
        await audit.Recorder(session, caller, customer, now)(
            "subscription",
            "update_subscription",
            {"SubscriptionId": found.id, "ChangedProperties": ",".join(changed)},
            old_value=before,
            new_value=answer,
        )
    return answer


@router.get(f"{ONE}/addons", summary="List a subscription's add-ons")
async def list_addons(
    subscription_id: uuid.UUID, customer: CustomerOfAnyCaller, session: Session, state: State
) -> Collection[SubscriptionOut]:
    parent = await _subscription(session, customer, subscription_id)
    rows = await subscriptions.of_customer(session, customer.id, parent_id=parent.id)
    now = state.clock.now()
    return collection([subscription_out(row, customer.country, now) for row in rows])


@router.get(f"{ONE}/conversions", summary="List a trial's conversion offers")
async def list_conversions(
    subscription_id: uuid.UUID, customer: CustomerOfUser, session: Session
) -> Collection[ConversionOut]:
    found = await _subscription(session, customer, subscription_id)
    return collection(changes.conversions_of(found))


@router.post(f"{ONE}/conversions", summary="Convert a trial to paid")
async def convert_trial(
    subscription_id: uuid.UUID,
    body: ConversionIn,
    customer: CustomerOfUser,
    caller: UserCaller,
    session: Session,
    state: State,
) -> ConversionResultOut:
    now = state.clock.now()
    found = await _subscription(session, customer, subscription_id)
    before = subscription_out(found, customer.country, now)
    source_offer = await changes.convert_trial(session, found, body, now)
    await audit.Recorder(session, caller, customer, now)(
        "subscription",
        "convert_trial_subscription",
        {"SubscriptionId": found.id, "OfferId": source_offer, "TargetOfferId": found.offer_id},
        old_value=before,
        new_value=subscription_out(found, customer.country, now),
    )
    return ConversionResultOut(
        subscription_id=found.id, offer_id=source_offer, target_offer_id=found.offer_id
    )


# The .NET SDK's configuration spells the path in lower case; the service matches paths
# without regard to case, so both spellings answer.
@router.get(f"{ONE}/transitioneligibilities", include_in_schema=False)
@router.get(
    f"{ONE}/transitionEligibilities", summary="List the transitions a subscription can make"
)
async def list_transition_eligibilities(
    subscription_id: uuid.UUID,
    customer: CustomerOfAnyCaller,
    session: Session,
    state: State,
    eligibility_type: Annotated[str, Query(alias="eligibilityType")] = "immediate",
) -> Collection[TransitionEligibilityOut]:
    found = await _subscription(session, customer, subscription_id)
    return collection(
        await transitions.eligibilities(session, found, eligibility_type, state.clock.now())
    )


@router.post(f"{ONE}/transitions", summary="Transition (upgrade or convert a trial)")
async def create_transition(
    subscription_id: uuid.UUID,
    body: TransitionIn,
    customer: CustomerOfAnyCaller,
    caller: AnyCaller,
    session: Session,
    state: State,
) -> TransitionOut:
    now = state.clock.now()
    found = await _subscription(session, customer, subscription_id)
    row = await transitions.transition(session, caller, customer, found, body, now)
    answer = transition_out(row, as_started=True)
    await audit.Recorder(session, caller, customer, now)(
        "subscription",
        "upgrade_subscription",
        {
            "SubscriptionId": found.id,
            "TargetSubscriptionId": row.to_subscription_id,
            "TransitionType": row.transition_type,
            "Quantity": row.quantity,
        },
        new_value=answer,
    )
    return answer


@router.get(f"{ONE}/transitions", summary="List a subscription's transitions")
async def list_transitions(
    subscription_id: uuid.UUID,
    customer: CustomerOfAnyCaller,
    session: Session,
    operation_id: Annotated[uuid.UUID | None, Query(alias="operationId")] = None,
) -> Collection[TransitionOut]:
    found = await _subscription(session, customer, subscription_id)
    rows = await subscriptions.transitions_of(session, found.id, operation_id)
    return collection([transition_out(row) for row in rows])
