"""An order's states and the only ways between them.

::

    awaiting_customer --customer_authorized--> pending_payment --mark_paid--> paid
    (placed by a seller for a customer)             |                          |
                                                    +-- cancel                 start_provisioning
                                                                               v
                              failed <--fail-- provisioning --complete--> completed
                                |  ^             (paid --fail--> failed too)
                                |  +-- retry (staff): back to paid, handed to provisioning again
                                +-- cancel (staff)

Each function checks that the order may move (409 ``order_state`` otherwise), moves it, writes a
row of its timeline (``order_events``) and an audit event, and tells the customer and the seller
(``orders.emails``). Entering ``paid`` hands the order to the provisioning job: an outbox row of
kind :data:`PROVISION_JOB` with payload ``{"order_id": ...}`` and one idempotency key per attempt
(``orders.provision:<order id>:<attempt>``), so a retried request queues it once and a retry after
a failure queues it again. Nothing here talks to Microsoft.

Callers hold the order's row: every function re-reads it ``FOR UPDATE`` (PostgreSQL) before
checking its state, so two requests or a request and the job cannot both move it.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.audit.service import record
from tenantry.errors import Conflict, NotFound
from tenantry.models import Order, OrderEvent, OrderStatus, utcnow
from tenantry.orders import emails
from tenantry.security import Actor

PROVISION_JOB = "orders.provision"

S = OrderStatus
# Who may leave which state, by the event that moves the order.
_FROM: dict[str, frozenset[OrderStatus]] = {
    "customer_authorized": frozenset({S.AWAITING_CUSTOMER}),
    "payment_started": frozenset({S.PENDING_PAYMENT}),
    "payment_declined": frozenset({S.PENDING_PAYMENT}),
    "paid": frozenset({S.PENDING_PAYMENT}),
    "provisioning_started": frozenset({S.PAID}),
    "completed": frozenset({S.PROVISIONING}),
    "failed": frozenset({S.PAID, S.PROVISIONING}),
    "retried": frozenset({S.FAILED}),
    "cancelled": frozenset({S.AWAITING_CUSTOMER, S.PENDING_PAYMENT, S.FAILED}),
}
# What the refusal says the order cannot be, by event.
_VERBS = {
    "customer_authorized": "confirmed by the customer",
    "payment_started": "paid",
    "payment_declined": "paid",
    "paid": "marked paid",
    "provisioning_started": "provisioned",
    "completed": "completed",
    "failed": "marked failed",
    "retried": "retried",
    "cancelled": "cancelled",
}
STATUS_WORDS: dict[OrderStatus, str] = {
    S.AWAITING_CUSTOMER: "waiting for the customer",
    S.PENDING_PAYMENT: "waiting for payment",
    S.PAID: "paid, waiting for provisioning",
    S.PROVISIONING: "being provisioned with Microsoft",
    S.COMPLETED: "completed",
    S.FAILED: "failed",
    S.CANCELLED: "cancelled",
}


class OrderStateConflict(Conflict):
    """The order is not in a state the asked change may leave (409, reason ``order_state``)."""


def allowed(order: Order, event: str) -> bool:
    """Whether ``event`` may happen to ``order`` now (the pages show only the buttons it allows)."""
    return order.status in _FROM[event]


def provision_key(order: Order) -> str:
    """The outbox idempotency key of the order's current provisioning attempt."""
    return f"{PROVISION_JOB}:{order.id}:{order.provisioning_attempts}"


async def lock(session: AsyncSession, order_id: uuid.UUID) -> Order:
    """The order, its row held until the transaction ends (not scoped: callers scope)."""
    order = (
        await session.execute(
            select(Order)
            .where(Order.id == order_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if order is None:
        raise NotFound(f"order {order_id} not found")
    return order


async def placed(
    session: AsyncSession,
    actor: Actor,
    order: Order,
    *,
    awaiting_customer: bool = False,
    skip_payment: bool = False,
) -> None:
    """Start the timeline of an order just built (added to the session, not yet in any state).

    ``awaiting_customer``: a seller placed it for a customer, who confirms it first. Otherwise it
    waits for payment, or with ``skip_payment`` (the customer is trusted) goes straight to paid
    and to provisioning.
    """
    order.status = S.AWAITING_CUSTOMER if awaiting_customer else S.PENDING_PAYMENT
    order.status_changed_at = utcnow()
    session.add(order)
    await session.flush()
    row = await _write(session, actor, order, "placed", None)
    await record(
        session, actor, action="order.submitted", target_type="order", target_id=order.id,
        organization_id=order.organization_id,
        changes={"after": {"status": order.status, "total": order.total,
                           "currency": order.currency, "lines": order.lines}},
    )  # fmt: skip
    await emails.state_changed(session, order, row)
    if not awaiting_customer and skip_payment:
        await _skip_payment(session, actor, order)


async def customer_authorized(
    session: AsyncSession, actor: Actor, order: Order, *, skip_payment: bool = False
) -> None:
    """The customer confirmed an order its seller placed for it: it now waits for payment (or,
    with ``skip_payment``, goes straight to paid)."""
    await _move(session, actor, order, "customer_authorized", S.PENDING_PAYMENT)
    if skip_payment:
        await _skip_payment(session, actor, order)


async def payment_started(
    session: AsyncSession,
    actor: Actor | None,
    order: Order,
    *,
    provider: str,
    reference: str | None,
    details: dict[str, Any] | None = None,
) -> None:
    """A payment provider began taking the payment (a card payment waiting for 3-D Secure, say);
    the order keeps waiting for payment."""
    order.payment_provider = provider
    order.payment_reference = reference
    order.payment_details = {**order.payment_details, **(details or {})}
    await _move(session, actor, order, "payment_started", S.PENDING_PAYMENT,
                details={"provider": provider, "reference": reference})  # fmt: skip


async def payment_declined(
    session: AsyncSession, actor: Actor | None, order: Order, *, provider: str, code: str,
    message: str,
) -> None:  # fmt: skip
    """The provider refused the payment; the order keeps waiting for payment (paid another way,
    or tried again)."""
    await _move(session, actor, order, "payment_declined", S.PENDING_PAYMENT, code=code,
                message=message, details={"provider": provider})  # fmt: skip


async def mark_paid(
    session: AsyncSession,
    actor: Actor | None,
    order: Order,
    *,
    provider: str,
    reference: str,
    details: dict[str, Any] | None = None,
) -> None:
    """The order is paid (staff marked it, or a provider confirmed it): it goes to provisioning."""
    order.payment_provider = provider
    order.payment_reference = reference
    order.payment_details = {**order.payment_details, **(details or {})}
    order.paid_at = utcnow()
    order.paid_by_id = actor.user_id if actor else None
    await _move(session, actor, order, "paid", S.PAID,
                details={"provider": provider, "reference": reference})  # fmt: skip
    await _hand_to_provisioning(session, order)


async def start_provisioning(session: AsyncSession, order: Order) -> None:
    """The provisioning job took the order (paid -> provisioning). An order already provisioning
    is left as it is: the job resumed after a crash."""
    await _locked(session, order)
    if order.status is S.PROVISIONING:
        return
    await _move(session, None, order, "provisioning_started", S.PROVISIONING)


async def complete(session: AsyncSession, order: Order) -> None:
    """Microsoft provisioned everything the order bought."""
    order.completed_at = utcnow()
    await _move(session, None, order, "completed", S.COMPLETED)


async def fail(session: AsyncSession, order: Order, code: str, message: str) -> None:
    """Provisioning stopped: ``code`` (stable, see docs/orders.md) and ``message`` (plain words
    saying what happened and what to do) are kept on the order; staff may retry it."""
    order.failure_code = code[:64]
    order.failure_message = message[:2000]
    order.failed_at = utcnow()
    await _move(session, None, order, "failed", S.FAILED, code=code[:64], message=message[:2000])


async def retry(session: AsyncSession, actor: Actor, order: Order) -> None:
    """Staff hand a failed order to provisioning again (a new attempt, a new outbox row)."""
    details = {"failure_code": order.failure_code}
    await _move(session, actor, order, "retried", S.PAID, details=details)
    await _hand_to_provisioning(session, order)


async def cancel(session: AsyncSession, actor: Actor, order: Order, reason: str | None) -> None:
    """Cancel an order nothing was bought for: waiting for the customer or for payment, or
    failed. It refunds nothing: a payment already taken is settled by the seller."""
    order.cancelled_at = utcnow()
    await _move(session, actor, order, "cancelled", S.CANCELLED, message=reason or None)


async def _skip_payment(session: AsyncSession, actor: Actor, order: Order) -> None:
    order.payment_skipped = True
    order.paid_at = utcnow()
    await _move(session, actor, order, "paid", S.PAID,
                message="Payment is not required for this customer (payment settings).",
                details={"payment_skipped": True})  # fmt: skip
    await _hand_to_provisioning(session, order)


async def _hand_to_provisioning(session: AsyncSession, order: Order) -> None:
    order.provisioning_attempts += 1
    await session.flush()
    await jobs.enqueue(
        session, kind=PROVISION_JOB, payload={"order_id": order.id},
        idempotency_key=provision_key(order),
    )  # fmt: skip


async def _locked(session: AsyncSession, order: Order) -> None:
    # Keep what the caller set on the order, then re-read its row under a lock.
    await session.flush()
    await session.refresh(order, with_for_update=True)


async def _move(
    session: AsyncSession,
    actor: Actor | None,
    order: Order,
    event: str,
    to: OrderStatus,
    *,
    code: str | None = None,
    message: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    await _locked(session, order)
    _check(order, event, _FROM[event])
    before = order.status
    order.status = to
    if before is not to:
        order.status_changed_at = utcnow()
    await session.flush()
    row = await _write(
        session, actor, order, event, before, code=code, message=message, details=details
    )
    changes: dict[str, Any] = {"before": {"status": before}, "after": {"status": to}}
    if code or message or details:
        changes["after"] |= {"code": code, "message": message, **(details or {})}
    await record(
        session, actor, action=f"order.{event}", target_type="order", target_id=order.id,
        organization_id=order.organization_id, platform_id=order.platform_id, changes=changes,
    )  # fmt: skip
    await emails.state_changed(session, order, row)


def _check(order: Order, event: str, sources: Collection[OrderStatus]) -> None:
    if order.status not in sources:
        raise OrderStateConflict(
            f"the order is {STATUS_WORDS[order.status]}; it cannot be {_VERBS[event]} now",
            reason="order_state",
            status_now=order.status.value,
        )


async def _write(
    session: AsyncSession,
    actor: Actor | None,
    order: Order,
    event: str,
    before: OrderStatus | None,
    *,
    code: str | None = None,
    message: str | None = None,
    details: dict[str, Any] | None = None,
) -> OrderEvent:
    row = OrderEvent(
        order_id=order.id, event=event, from_status=before, to_status=order.status,
        actor_user_id=actor.user_id if actor else None,
        actor_label=actor.label if actor else "system", code=code, message=message,
        details=details or {},
    )  # fmt: skip
    session.add(row)
    await session.flush()
    return row


async def timeline(session: AsyncSession, order: Order) -> list[OrderEvent]:
    """The order's events, oldest first."""
    rows = await session.scalars(
        select(OrderEvent)
        .where(OrderEvent.order_id == order.id)
        .order_by(OrderEvent.created_at, OrderEvent.id)
    )
    return list(rows)
