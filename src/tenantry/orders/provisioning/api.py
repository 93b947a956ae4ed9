"""HTTP API: an order's provisioning in Partner Center."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from tenantry.deps import CurrentActor, DbSession
from tenantry.orders.checkout import get_order
from tenantry.orders.provisioning import progress
from tenantry.orders.provisioning.schemas import ProvisioningRead
from tenantry.problems import API_ERRORS

router = APIRouter(prefix="/api/v1", tags=["Orders"], responses=API_ERRORS)


@router.get(
    "/orders/{order_id}/provisioning",
    summary="Where a paid order stands with Microsoft",
    description="What the provisioning job did in Partner Center for the order (tenant, cart, "
    "Microsoft's orders, subscriptions bought) and, while it waits, why and until when. Before "
    "the order is paid and handed to provisioning, `step` is null: nothing was sent to "
    "Microsoft. 404 for an order the caller may not see.",
)
async def order_provisioning(
    order_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> ProvisioningRead:
    order = await get_order(session, actor, order_id)
    state = await progress.of(session, order)
    if state is None:
        return ProvisioningRead(order_id=order.id, step=None, summary=progress.NOT_YET)
    return ProvisioningRead(
        order_id=order.id, step=state.step, summary=progress.summary(state),
        customer_tenant_id=state.customer_tenant_id, cart_id=state.cart_id,
        partner_center_order_ids=list(state.partner_center_order_ids),
        subscription_ids=list(state.subscription_ids), waiting_reason=state.waiting_reason,
        next_attempt_at=state.next_attempt_at, checked_out_at=state.checked_out_at,
        completed_at=state.completed_at,
    )  # fmt: skip
