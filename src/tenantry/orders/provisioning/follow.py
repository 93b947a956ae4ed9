"""Following Microsoft's provisioning of the placed orders, then recording what they bought.

Every ``TENANTRY_PROVISIONING_POLL_SECONDS`` the job reads each Partner Center order's
provisioning status. When every line is fulfilled and its subscription exists, the
subscriptions are kept in ``microsoft_subscriptions`` and the order completes. A line Microsoft
reports failed fails the order; so does provisioning still unfinished
``TENANTRY_PROVISIONING_GIVE_UP_HOURS`` after the checkout.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tenantry.models import ProvisioningStep, utcnow
from tenantry.orders import flow
from tenantry.orders.provisioning import hooks, refusals
from tenantry.orders.provisioning.context import Run
from tenantry.orders.provisioning.refusals import Refused
from tenantry.orders.provisioning.state import moved_on
from tenantry.partnercenter.errors import PartnerCenterError
from tenantry.partnercenter.models.subscriptions import Subscription
from tenantry.sync.applying import store_subscriptions_of

FULFILLED = frozenset({"fulfilled", "completed", "provisioned", "succeeded"})
FAILED = frozenset({"failed", "cancelled", "canceled", "rejected"})


async def _look(run: Run) -> tuple[int, list[str], list[str]]:
    """(lines, lines not yet fulfilled, lines failed) of the placed orders."""
    lines, pending, failed = 0, [], []
    for order_id in run.state.partner_center_order_ids:
        for line in await run.client.get_order_provisioning_status(run.customer_id, order_id):
            lines += 1
            status = (line.status or "").lower()
            where = f"order {order_id} line {line.line_item_number}"
            if status in FAILED:
                failed.append(f"{where} ({status})")
            elif status not in FULFILLED:
                pending.append(where)
    return lines, pending, failed


async def follow_step(run: Run) -> datetime | None:
    state, now = run.state, utcnow()
    subscriptions: list[Subscription] = []
    try:
        lines, pending, failed = await _look(run)
        if not pending and not failed:
            for order_id in state.partner_center_order_ids:
                subscriptions += await run.client.list_subscriptions_by_order(
                    run.customer_id, order_id
                )
    except PartnerCenterError as exc:
        run.partner_center_said(exc, "the order's provisioning status")
    if failed:
        raise Refused(
            refusals.PROVISIONING_FAILED,
            f"Microsoft could not provision {', '.join(failed)}. The seller checks the order in "
            "Partner Center and opens a support request with Microsoft if needed; a retry only "
            "follows the placed order again, it buys nothing more.",
        )
    if pending or len(subscriptions) < lines:
        hours = run.settings.provisioning_give_up_hours
        if state.checked_out_at is not None and now - state.checked_out_at > timedelta(hours=hours):
            raise Refused(
                refusals.PROVISIONING_FAILED,
                f"Microsoft has not finished provisioning the order {hours} hours after it was "
                "placed. The seller checks it in Partner Center; a retry only follows the placed "
                "order again, it buys nothing more.",
            )
        later = now + timedelta(seconds=run.settings.provisioning_poll_seconds)
        state.waiting_reason = "Microsoft is provisioning the order"
        state.next_attempt_at = later
        return later
    assert state.customer_tenant_id is not None
    await store_subscriptions_of(
        run.session, run.organization, state.customer_tenant_id, subscriptions, now
    )
    state.subscription_ids = [s.id for s in subscriptions]
    moved_on(state, now)
    state.step = ProvisioningStep.DONE
    state.completed_at = now
    if state.checkout_errors:
        refused = "; ".join(e["description"] or e["code"] for e in state.checkout_errors)
        raise Refused(
            refusals.PARTIALLY_PROVISIONED,
            f"Microsoft provisioned part of the order ({len(subscriptions)} subscription(s), "
            f"now listed with the customer's subscriptions) and refused the rest: {refused}. "
            "Order what is missing in a new order; a retry of this one buys nothing more.",
        )
    await flow.complete(run.session, run.order)
    await hooks.order_completed(run.session, run.client, run.order, run.organization)
    return None
