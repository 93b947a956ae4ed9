"""Where an order stands with Microsoft, in words, for its page and the API."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import Order, OrderProvisioning, OrderStatus, ProvisioningStep

S = ProvisioningStep
NOT_YET = "Not handed to provisioning yet: nothing was sent to Microsoft."
DOING = {
    S.TENANT: "Creating the new Microsoft tenant",
    S.AGREEMENT: "Checking the Microsoft Customer Agreement",
    S.CART: "Putting the order in a Partner Center cart",
    S.CHECKOUT: "Placing the order with Microsoft",
    S.FOLLOW: "Microsoft is provisioning the order",
    S.DONE: "Provisioned",
}


async def of(session: AsyncSession, order: Order) -> OrderProvisioning | None:
    return await session.get(OrderProvisioning, order.id)


def summary(state: OrderProvisioning) -> str:
    """``Placing the order with Microsoft: waiting (Partner Center is throttling Tenantry's
    requests); next try at 14:05 UTC.``"""
    doing = DOING[state.step]
    if state.waiting_reason and state.next_attempt_at and state.step is not S.DONE:
        at = state.next_attempt_at.strftime("%H:%M UTC")
        if state.waiting_reason == doing:
            return f"{doing}; Tenantry looks again at {at}."
        return f"{doing}: waiting ({state.waiting_reason}); next try at {at}."
    return f"{doing}."


async def summary_of(session: AsyncSession, order: Order) -> str | None:
    """The summary while the job works on the order (paid or provisioning), else None."""
    if order.status not in (OrderStatus.PAID, OrderStatus.PROVISIONING):
        return None
    state = await of(session, order)
    return summary(state) if state is not None else None
