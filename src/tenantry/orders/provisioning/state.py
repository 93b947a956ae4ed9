"""The provisioning job's memory of an order, its request ids, and how it comes back.

The job does one step per run and commits what the step learned (the Partner Center customer,
cart id, Partner Center's order ids) with the step, then queues its own continuation: a killed
worker loses at most the step it was in, and that step is repeated with the same
``MS-RequestId``, which Partner Center answers with its first answer instead of acting twice.

A continuation carries the run number it continues; a continuation the order has moved past (a
second copy, an older chain) finds another number and does nothing.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.models import Order, OrderProvisioning, ProvisioningStep, utcnow
from tenantry.orders import flow
from tenantry.tenants.new_tenant.customer import REQUEST_ID_NAMESPACE

# Waits double from this up to WAIT_MAX while Partner Center stays unreachable or busy.
WAIT_BASE = timedelta(seconds=15)
WAIT_MAX = timedelta(minutes=15)


def request_id(state: OrderProvisioning, step: ProvisioningStep, number: int = 0) -> str:
    """The ``MS-RequestId`` of ``step`` for the order: the same on every repeat within a round,
    a new one in the next round (after a refusal and a retry) and for the ``number``-th cart."""
    key = f"order:{state.order_id}:round:{state.round}:{step.value}:{number}"
    return str(uuid.uuid5(REQUEST_ID_NAMESPACE, key))


async def load(session: AsyncSession, order: Order) -> OrderProvisioning:
    """The order's provisioning row, locked for this run; made at the first run."""
    state = await session.get(OrderProvisioning, order.id, with_for_update=True)
    if state is None:
        state = OrderProvisioning(
            order_id=order.id,
            platform_id=order.platform_id,
            organization_id=order.organization_id,
            step=ProvisioningStep.TENANT,
            round=max(order.provisioning_attempts, 1),
            cart_lines=[],
            partner_center_order_ids=[],
            subscription_ids=[],
        )
        session.add(state)
        await session.flush()
    return state


def begin_attempt(state: OrderProvisioning, order: Order) -> None:
    """A new provisioning attempt (the order was retried after failing). Until Microsoft placed
    an order, the attempt starts over with new request ids; after, it only follows what was
    placed, so a retry never buys a second time."""
    if state.round >= order.provisioning_attempts:
        return
    state.round = order.provisioning_attempts
    state.waiting_since = state.waiting_reason = state.next_attempt_at = None
    state.waits = 0
    if state.partner_center_order_ids:
        state.step = ProvisioningStep.FOLLOW
        return
    state.step = ProvisioningStep.TENANT
    state.cart_id = None
    state.cart_lines = []
    state.carts_made = 0


async def continue_at(
    session: AsyncSession, state: OrderProvisioning, at: datetime | None = None
) -> None:
    """Queue the next run (at ``at``, or as soon as this run commits)."""
    state.run += 1
    await jobs.enqueue(
        session,
        kind=flow.PROVISION_JOB,
        payload={"order_id": state.order_id, "run": state.run},
        idempotency_key=f"{flow.PROVISION_JOB}:{state.order_id}:run:{state.run}",
        available_at=at,
    )


def moved_on(state: OrderProvisioning, now: datetime | None = None) -> None:
    """A step succeeded: whatever was waited for is over."""
    state.waiting_since = state.waiting_reason = state.next_attempt_at = None
    state.waits = 0
    state.updated_at = now or utcnow()


def next_wait(state: OrderProvisioning, retry_after: float | None) -> timedelta:
    """15 s, 30 s, 1 min ... at most 15 min, and never sooner than Partner Center asked."""
    backoff: timedelta = min(WAIT_BASE * 2 ** min(state.waits, 16), WAIT_MAX)
    asked = timedelta(seconds=retry_after or 0)
    return asked if asked > backoff else backoff
