"""Control API for commerce (under ``/_sandbox``, no Microsoft authentication).

- ``GET|PUT /_sandbox/provisioning``: how orders progress from pending to completed: after
  ``polls`` reads of the customer's orders or subscriptions (0: at once; null: reads don't
  count) and/or ``seconds`` on the sandbox clock (null: time doesn't count). Default: one read.
- ``POST /_sandbox/customers/{id}/orders/{orderId}/complete``: provision one order now.
- ``POST /_sandbox/orders/complete``: provision every pending order now.
- ``GET|PUT /_sandbox/catalog``: the catalog listings' page size (null: the
  ``catalog_page_size`` setting) and the products Microsoft no longer sells (left out of the
  listings, 404/400013 wherever named, refused in carts).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from pydantic import Field
from sqlalchemy import select

from tenantry_sandbox.api import Session, State
from tenantry_sandbox.binding import RequestModel
from tenantry_sandbox.services import commerce_errors, provisioning
from tenantry_sandbox.store import catalog, catalog_control, orders
from tenantry_sandbox.store.orders import Order

router = APIRouter(tags=["sandbox control"])


class ProvisioningChange(RequestModel):
    polls: int | None = Field(default=orders.DEFAULT_POLLS, ge=0)
    seconds: float | None = Field(default=None, ge=0)


class CatalogChange(RequestModel):
    page_size: int | None = Field(default=None, ge=1, le=1000)
    withdrawn_products: list[str] = Field(default_factory=list, max_length=100)


async def _catalog_state(session: Session, state: State) -> dict[str, Any]:
    choice = await catalog_control.current(session, state.settings.catalog_page_size)
    return {"pageSize": choice.page_size, "withdrawnProducts": sorted(choice.withdrawn)}


@router.get("/catalog", summary="The catalog's page size and the products no longer sold")
async def get_catalog(session: Session, state: State) -> dict[str, Any]:
    return await _catalog_state(session, state)


@router.put("/catalog", summary="Set the catalog's page size and the products no longer sold")
async def set_catalog(body: CatalogChange, session: Session, state: State) -> dict[str, Any]:
    for product_id in body.withdrawn_products:
        if catalog.find_product(product_id) is None:
            raise commerce_errors.product_not_found(product_id)
    await catalog_control.change(
        session, page_size=body.page_size, withdrawn=body.withdrawn_products
    )
    return await _catalog_state(session, state)


@router.get("/provisioning", summary="How orders progress from pending to completed")
async def get_provisioning(session: Session) -> dict[str, Any]:
    settings = await orders.provisioning_settings(session)
    return {"polls": settings.polls, "seconds": settings.seconds}


@router.put("/provisioning", summary="Set how orders progress from pending to completed")
async def set_provisioning(body: ProvisioningChange, session: Session) -> dict[str, Any]:
    settings = await orders.set_provisioning_settings(
        session, polls=body.polls, seconds=body.seconds
    )
    return {"polls": settings.polls, "seconds": settings.seconds}


@router.post(
    "/customers/{customer_id}/orders/{order_id}/complete", summary="Provision an order now"
)
async def complete_order(
    customer_id: uuid.UUID, order_id: str, session: Session, state: State
) -> dict[str, Any]:
    order = await orders.get(session, customer_id, order_id)
    if order is None:
        raise commerce_errors.order_not_found(order_id)
    await provisioning.complete(session, order, state.clock.now())
    return {
        "id": order.id,
        "status": order.status,
        "subscriptionIds": [line.subscription_id for line in order.order_lines()],
    }


@router.post("/orders/complete", summary="Provision every pending order now")
async def complete_all(session: Session, state: State) -> dict[str, int]:
    pending = (
        await session.execute(
            select(Order).where(Order.status == orders.PENDING).order_by(Order.seq)
        )
    ).scalars()
    completed = 0
    for order in list(pending):
        completed += await provisioning.complete(session, order, state.clock.now())
    return {"completed": completed}
