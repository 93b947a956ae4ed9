"""Taking an order's payment through a provider, and what the provider says back.

The provider answers with a step or a notice (``base``); this module turns it into the order's
move through ``orders.flow``: paid, a payment started (still waiting for payment), or declined
(still waiting for payment, the reason on the timeline).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import Conflict, Forbidden, NotFound, TenantryError
from tenantry.models import Order, OrderStatus
from tenantry.orders import flow
from tenantry.orders.lifecycle import repository
from tenantry.orders.payments import registry
from tenantry.orders.payments.base import (
    IgnoredNotice,
    InvalidNotice,
    PaymentProvider,
    PaymentStep,
    StepOutcome,
)
from tenantry.security import Actor, Permission
from tenantry.settings import Settings

NOTICES_KEPT = 50


class NoticeRefused(TenantryError):
    status = 400
    code = "payment_notice_refused"
    title = "Payment notification refused"


async def _apply(
    session: AsyncSession,
    actor: Actor | None,
    order: Order,
    provider: PaymentProvider,
    outcome: StepOutcome,
    *,
    reference: str | None,
    code: str | None,
    message: str | None,
    details: dict[str, Any],
) -> None:
    if outcome is StepOutcome.PAID:
        await flow.mark_paid(
            session, actor, order, provider=provider.name,
            reference=reference or "", details=details,
        )  # fmt: skip
    elif outcome is StepOutcome.DECLINED:
        await flow.payment_declined(
            session, actor, order, provider=provider.name, code=code or "declined",
            message=message or "The payment was declined.",
        )  # fmt: skip
    elif reference is None or (order.payment_provider, order.payment_reference) != (
        provider.name,
        reference,
    ):
        # The same payment started again (the customer clicked twice, the provider answered
        # the same page) is not news for the timeline.
        await flow.payment_started(
            session, actor, order, provider=provider.name, reference=reference, details=details
        )


async def start(
    session: AsyncSession,
    actor: Actor,
    order_id: uuid.UUID,
    provider_name: str,
    settings: Settings,
    *,
    return_url: str,
) -> PaymentStep:
    """The customer starts paying the order with ``provider_name`` (one it starts itself)."""
    await repository.get(session, actor, order_id)  # 404 unless in scope
    order = await flow.lock(session, order_id)
    if order.organization_id != actor.organization_id or not actor.can(Permission.ORDERS_PLACE):
        raise Forbidden("the customer's admins pay its orders", permission="orders.place")
    provider = registry.get(settings, provider_name)
    if not provider.customer_starts:
        raise Conflict(
            f"{provider.title} payments are not started online; the order says how to pay",
            reason="not_paid_online",
        )
    if not flow.allowed(order, "payment_started"):
        raise flow.OrderStateConflict(
            f"the order is {flow.STATUS_WORDS[order.status]}; it cannot be paid now",
            reason="order_state",
            status_now=order.status.value,
        )
    step = await provider.start(order, return_url=return_url)
    await _apply(session, actor, order, provider, step.outcome, reference=step.reference,
                 code=step.code, message=step.message, details=step.details)  # fmt: skip
    return step


async def receive(
    session: AsyncSession,
    provider_name: str,
    headers: Mapping[str, str],
    body: bytes,
    settings: Settings,
) -> str:
    """Apply one webhook call of a provider; answers what became of it (``applied``, or
    ``ignored`` for news the order is past: providers send a notification more than once)."""
    provider = registry.get(settings, provider_name)
    try:
        notice = provider.notice(headers, body)
    except InvalidNotice as exc:
        raise NoticeRefused(str(exc)) from exc
    except IgnoredNotice:
        return "ignored"
    try:
        order = await flow.lock(session, notice.order_id)
    except NotFound:
        raise NoticeRefused(f"no order {notice.order_id}") from None
    if order.status is not OrderStatus.PENDING_PAYMENT:
        return "ignored"
    if notice.notice_id:
        seen = list(order.payment_details.get("notice_ids", []))
        if notice.notice_id in seen:
            return "ignored"
        # The last ones are enough: providers resend within hours, not after dozens of others.
        order.payment_details = {
            **order.payment_details,
            "notice_ids": [*seen, notice.notice_id][-NOTICES_KEPT:],
        }
    await _apply(session, None, order, provider, notice.outcome, reference=notice.reference,
                 code=notice.code, message=notice.message, details=notice.details)  # fmt: skip
    return "applied"
