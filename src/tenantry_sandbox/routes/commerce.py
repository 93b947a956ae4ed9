"""Carts, checkout and orders (App-only or App+User; the customer must be related, 403/20002).

- ``POST /v1/customers/{id}/carts`` -> 201 Cart
- ``GET|PUT /v1/customers/{id}/carts/{cartId}``
- ``POST /v1/customers/{id}/carts/{cartId}/checkout`` -> 201 ``{"orders", "orderErrors"}``
- ``POST /v1/customers/{id}/orders`` -> 201 Order (pending)
- ``GET /v1/customers/{id}/orders``, ``GET .../orders/{orderId}``
- ``GET .../orders/{orderId}/provisioningstatus``

Reading orders is what moves provisioning forward (see ``services.provisioning``). Every write
appends an audit record.
"""

from __future__ import annotations

import uuid

from tenantry_sandbox.api import (
    AnyCaller,
    CustomerOfAnyCaller,
    Session,
    State,
    partner_center_router,
)
from tenantry_sandbox.resources import Collection, collection
from tenantry_sandbox.schemas.commerce import (
    CartCheckoutResultOut,
    CartIn,
    CartOut,
    OrderIn,
    OrderOut,
    ProvisioningStatusOut,
    cart_out,
    order_out,
    provisioning_status,
)
from tenantry_sandbox.services import audit, commerce, commerce_errors, provisioning
from tenantry_sandbox.store import orders
from tenantry_sandbox.store.customers import Customer
from tenantry_sandbox.store.orders import Order
from tenantry_sandbox.tokens import Caller

router = partner_center_router(tags=["commerce"])

CUSTOMER = "/customers/{customer_id:uuid}"


def _order_data(order: Order) -> dict[str, object | None]:
    """``customizedData`` of a ``create_order`` record, as Partner Center lists it."""
    data: dict[str, object | None] = {"OrderId": order.id, "BillingCycle": order.billing_cycle}
    for line in order.order_lines():
        data[f"OfferId-{line.number}"] = line.offer_id
        data[f"SubscriptionId-{line.number}"] = line.subscription_id
        data[f"SubscriptionName-{line.number}"] = line.friendly_name
        data[f"Quantity-{line.number}"] = line.quantity
        data[f"PartnerOnRecord-{line.number}"] = line.partner_id_on_record
    return data


async def _record_orders(
    session: Session,
    caller: Caller,
    customer: Customer,
    placed: list[OrderOut],
    rows: list[Order],
    state: State,
) -> None:
    for answer, order in zip(placed, rows, strict=True):
        record = audit.Recorder(session, caller, customer, state.clock.now())
        await record("order", "create_order", _order_data(order), new_value=answer)


@router.post(f"{CUSTOMER}/carts", status_code=201, summary="Create a cart")
async def create_cart(
    body: CartIn, customer: CustomerOfAnyCaller, caller: AnyCaller, session: Session, state: State
) -> CartOut:
    cart = await commerce.create_cart(session, caller, customer, body, state.clock.now())
    answer = cart_out(cart)
    record = audit.Recorder(session, caller, customer, state.clock.now())
    await record("cart", "create_cart", {"CartId": cart.id}, new_value=answer)
    return answer


@router.get(f"{CUSTOMER}/carts/{{cart_id:uuid}}", summary="Get a cart")
async def get_cart(
    cart_id: uuid.UUID,
    customer: CustomerOfAnyCaller,
    caller: AnyCaller,
    session: Session,
    state: State,
) -> CartOut:
    return cart_out(await commerce.live_cart(session, caller, customer, cart_id, state.clock.now()))


@router.put(f"{CUSTOMER}/carts/{{cart_id:uuid}}", summary="Update a cart")
async def update_cart(
    cart_id: uuid.UUID,
    body: CartIn,
    customer: CustomerOfAnyCaller,
    caller: AnyCaller,
    session: Session,
    state: State,
) -> CartOut:
    now = state.clock.now()
    cart = await commerce.live_cart(session, caller, customer, cart_id, now)
    before = cart_out(cart)
    cart = await commerce.update_cart(session, caller, customer, cart, body, now)
    answer = cart_out(cart)
    record = audit.Recorder(session, caller, customer, now)
    await record("cart", "update_cart", {"CartId": cart.id}, old_value=before, new_value=answer)
    return answer


@router.post(
    f"{CUSTOMER}/carts/{{cart_id:uuid}}/checkout", status_code=201, summary="Check out a cart"
)
async def checkout_cart(
    cart_id: uuid.UUID,
    customer: CustomerOfAnyCaller,
    caller: AnyCaller,
    session: Session,
    state: State,
) -> CartCheckoutResultOut:
    now = state.clock.now()
    cart = await commerce.live_cart(session, caller, customer, cart_id, now)
    rows = await commerce.checkout(session, caller, customer, cart, now)
    placed = [order_out(order, customer.country) for order in rows]
    await _record_orders(session, caller, customer, placed, rows, state)
    return CartCheckoutResultOut(orders=placed)


@router.post(f"{CUSTOMER}/orders", status_code=201, summary="Create an order")
async def create_order(
    body: OrderIn, customer: CustomerOfAnyCaller, caller: AnyCaller, session: Session, state: State
) -> OrderOut:
    order = await commerce.create_order(session, caller, customer, body, state.clock.now())
    answer = order_out(order, customer.country)
    await _record_orders(session, caller, customer, [answer], [order], state)
    return answer


@router.get(f"{CUSTOMER}/orders", summary="List a customer's orders")
async def list_orders(
    customer: CustomerOfAnyCaller, session: Session, state: State
) -> Collection[OrderOut]:
    await provisioning.advance(session, customer.id, state.clock.now())
    rows = await orders.of_customer(session, customer.id)
    return collection(
        [order_out(order, customer.country) for order in rows],
        self_uri=f"/customers/{customer.id}/orders",
    )


async def _order(session: Session, customer: Customer, order_id: str, state: State) -> Order:
    order = await orders.get(session, customer.id, order_id)
    if order is None:
        raise commerce_errors.order_not_found(order_id)
    await provisioning.advance(session, customer.id, state.clock.now(), order)
    return order


@router.get(f"{CUSTOMER}/orders/{{order_id}}", summary="Get an order")
async def get_order(
    order_id: str, customer: CustomerOfAnyCaller, session: Session, state: State
) -> OrderOut:
    return order_out(await _order(session, customer, order_id, state), customer.country)


@router.get(
    f"{CUSTOMER}/orders/{{order_id}}/provisioningstatus",
    summary="Get an order's provisioning status",
)
async def order_provisioning_status(
    order_id: str, customer: CustomerOfAnyCaller, session: Session, state: State
) -> Collection[ProvisioningStatusOut]:
    return collection(provisioning_status(await _order(session, customer, order_id, state)))
