"""Checking the cart out: the one call that buys.

It carries the same ``MS-RequestId`` on every repeat (a lost answer, a killed worker), which
Partner Center answers with its first answer. Should Partner Center answer a repeat with "cart
already submitted" (400/800065) instead, the orders the cart became are looked up among the
customer's orders: those whose lines are the cart's and that no other order of Tenantry claimed
(an assumption written down in docs/partner-center.md). A cart Partner Center let expire
(404/800008, carts live seven days) is made again.
"""

from __future__ import annotations

from collections import Counter

import structlog
from sqlalchemy import select

from tenantry.errors import Conflict
from tenantry.models import OrderProvisioning, ProvisioningStep, utcnow
from tenantry.orders.provisioning import refusals
from tenantry.orders.provisioning.context import Run
from tenantry.orders.provisioning.lines import PurchaseLine
from tenantry.orders.provisioning.refusals import Refused
from tenantry.orders.provisioning.state import request_id
from tenantry.orders.purchase_gate import PurchaseKind, guarded
from tenantry.partnercenter.errors import PartnerCenterError
from tenantry.partnercenter.models.commerce import CartCheckoutResult, Order

log = structlog.get_logger("tenantry.orders")
S = ProvisioningStep
CART_SUBMITTED = "800065"
CART_GONE = "800008"


async def checkout_step(run: Run) -> None:
    state = run.state
    if state.cart_id is None:
        state.step = S.CART
        return
    call = run.client.checkout_cart(
        run.customer_id, state.cart_id,
        request_id=request_id(state, S.CHECKOUT, state.carts_made),
    )  # fmt: skip
    try:
        result = await guarded(
            run.session, run.organization, run.viewer, PurchaseKind.PURCHASE, call
        )
    except Conflict as exc:  # Microsoft's own 13605, turned into the gate's refusal
        raise Refused(
            refusals.AGREEMENT_MISSING,
            "Microsoft refused the purchase: the customer's acceptance of the Microsoft "
            "Customer Agreement is not on record at Microsoft. A customer administrator accepts "
            "it in Tenantry (Agreements), or the seller attests an acceptance obtained outside "
            "it; then retry the order.",
        ) from exc
    except PartnerCenterError as exc:
        if exc.code == CART_GONE:
            state.cart_id = None
            state.step = S.CART
            return
        if exc.code != CART_SUBMITTED:
            run.partner_center_said(exc, "the checkout")
        log.info("cart already checked out; finding its orders", order_id=str(run.order.id))
        result = await _placed_earlier(run)
    placed = [order.id for order in result.orders if order.id]
    errors = [
        {"code": str(e.code or ""), "description": e.description or ""} for e in result.order_errors
    ]
    if not placed:
        said = "; ".join(e["description"] or e["code"] for e in errors) or "no order was placed"
        raise Refused(
            refusals.CHECKOUT_REFUSED,
            f"Microsoft placed no order at checkout: {said}. Check the order's products and "
            "quantities; cancel it and order again, or retry once the cause is fixed.",
        )
    state.partner_center_order_ids = placed
    state.checkout_errors = errors
    state.checked_out_at = utcnow()
    state.step = S.FOLLOW


def _lines_of(order: Order) -> Counter[tuple[str, int]]:
    return Counter((line.offer_id.lower(), line.quantity) for line in order.line_items)


async def _placed_earlier(run: Run) -> CartCheckoutResult:
    """The customer's orders the submitted cart became (see the module's docstring)."""
    wanted = Counter(
        (PurchaseLine.from_json(line).catalog_item_id.lower(), int(line["quantity"]))
        for line in run.state.cart_lines
    )
    claimed_rows = await run.session.scalars(
        select(OrderProvisioning.partner_center_order_ids).where(
            OrderProvisioning.customer_tenant_id == run.state.customer_tenant_id,
            OrderProvisioning.order_id != run.state.order_id,
        )
    )
    claimed = {order_id for ids in claimed_rows for order_id in ids}
    try:
        orders = await run.client.list_orders(run.customer_id)
    except PartnerCenterError as exc:
        run.partner_center_said(exc, "the lookup of the checked-out cart")
    found: list[Order] = []
    for order in orders:
        lines = _lines_of(order)
        if order.id and order.id not in claimed and lines and not lines - wanted:
            found.append(order)
            wanted -= lines
    if not found:
        raise Refused(
            refusals.PARTNER_CENTER_REFUSED,
            "Partner Center says the order's cart was already checked out, but none of the "
            "customer's orders in Partner Center matches it. Check the customer's orders in "
            "Partner Center before retrying, so as not to buy twice.",
        )
    return CartCheckoutResult(orders=found)
