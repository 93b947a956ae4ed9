"""An order as the API and the pages show it: where it stands in plain words, how to pay, why it
failed and what to do, what the viewer may do."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import Order, OrderStatus, Organization, User
from tenantry.orders import flow
from tenantry.orders.emails import order_ref
from tenantry.orders.lifecycle import service
from tenantry.orders.lifecycle.schemas import (
    FailureRead,
    OrderEventRead,
    OrderLineRead,
    OrderRead,
    PaymentRead,
)
from tenantry.orders.payments import registry
from tenantry.security import Actor
from tenantry.settings import Settings


def how_to_pay(order: Order, seller: Organization | None, settings: Settings) -> str | None:
    """The enabled providers' instructions, while the order waits for payment."""
    if order.status is not OrderStatus.PENDING_PAYMENT or seller is None:
        return None
    return " ".join(p.instructions(order, seller) for p in registry.enabled(settings)) or None


def what_to_do(actor: Actor, order: Order, organization: Organization, seller_name: str) -> str:
    """After a failure: the staff who can retry are told to fix the cause and retry; anyone else
    who can do that for them."""
    if service.is_staff_over(actor, organization):
        return (
            "Fix what the reason names, then retry the order; or cancel it if it should not be "
            "bought."
        )
    return f"{seller_name} was told and retries the order once the cause is fixed."


async def read(
    session: AsyncSession,
    actor: Actor,
    order: Order,
    organization: Organization,
    settings: Settings,
    *,
    with_timeline: bool = False,
) -> OrderRead:
    seller = await session.get(Organization, organization.parent_id)
    placed_by = await session.get(User, order.placed_by_id) if order.placed_by_id else None
    failure = None
    if order.status is OrderStatus.FAILED:
        failure = FailureRead(
            code=order.failure_code,
            message=order.failure_message,
            what_to_do=what_to_do(
                actor, order, organization, seller.display_name if seller else "Your seller"
            ),
            failed_at=order.failed_at,
        )
    timeline = None
    if with_timeline:
        timeline = [
            OrderEventRead(
                at=e.created_at, event=e.event, from_status=e.from_status,
                to_status=e.to_status, by=e.actor_label, code=e.code, message=e.message,
            )
            for e in await flow.timeline(session, order)
        ]  # fmt: skip
    return OrderRead(
        id=order.id,
        number=order_ref(order),
        organization_id=organization.id,
        organization_name=organization.display_name,
        seller_id=organization.parent_id,
        status=order.status,
        status_text=flow.STATUS_WORDS[order.status],
        placed_at=order.created_at,
        placed_by=placed_by.full_name if placed_by else None,
        placed_by_organization_id=order.placed_by_organization_id,
        currency=order.currency,
        total=order.total,
        lines=[OrderLineRead.model_validate(line) for line in order.lines],
        payment=PaymentRead(
            required=not order.payment_skipped,
            provider=order.payment_provider,
            reference=order.payment_reference,
            paid_at=order.paid_at,
            instructions=how_to_pay(order, seller, settings),
        ),
        failure=failure,
        provisioning_attempts=order.provisioning_attempts,
        actions=service.actions(actor, order, organization, settings),
        timeline=timeline,
    )
