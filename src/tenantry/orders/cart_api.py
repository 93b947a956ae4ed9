"""HTTP API of the cart (/api/v1/cart): the caller's customer organization's cart, with today's
prices and what keeps a line from being ordered; adding, changing and removing lines.

Customers' admins (and sellers' staff acting for a customer) fill it; the SKU's limits are
checked on every change: a term or billing cycle it is not sold on, or a quantity outside its
minimum and maximum, is 422 naming the field and the rule.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Body, Response
from fastapi.openapi.models import Example
from pydantic import Field, Strict
from sqlalchemy import select

from tenantry.deps import CurrentActor, DbSession
from tenantry.errors import NotFound
from tenantry.models import CartItem, Organization
from tenantry.orders import cart as carts
from tenantry.orders.catalog.schemas import BillingCycle, OfferId, Term
from tenantry.organizations import repository
from tenantry.problems import API_ERRORS
from tenantry.schemas import InputSchema, ReadSchema
from tenantry.security import Actor, organization_scope

router = APIRouter(prefix="/api/v1/cart", tags=["cart"], responses=API_ERRORS)
Quantity = Annotated[int, Strict(), Field(ge=1, le=1_000_000)]
ADD_EXAMPLES: dict[str, Example] = {
    "basic": {
        "summary": "Five Business Basic licenses for a year, billed monthly",
        "value": {
            "offer_id": "CFQ7TTC0LH18:0001", "term": "P1Y", "billing_cycle": "monthly",
            "quantity": 5,
        },
    }
}  # fmt: skip


class CartItemCreate(InputSchema):
    offer_id: OfferId
    term: Term | None = Field(default=None, description="Left out: the offer's preferred term")
    billing_cycle: BillingCycle | None = Field(
        default=None, description="Left out: the preferred billing of the term"
    )
    quantity: Quantity = Field(description="Added to the licenses already in the line")


class CartItemQuantity(InputSchema):
    quantity: Annotated[int, Strict(), Field(ge=0, le=1_000_000)] = Field(
        description="The line's licenses; 0 removes the line"
    )


class CartProblemRead(ReadSchema):
    code: str
    message: str


class CartLineRead(ReadSchema):
    id: uuid.UUID
    offer_id: str
    title: str
    term: str
    billing_cycle: str
    quantity: int
    unit_price: Decimal | None = Field(description="Per license per billing period")
    total: Decimal | None
    catalog_item_id: str | None
    problem: CartProblemRead | None = Field(description="Why the line cannot be ordered as it is")


class CartRead(ReadSchema):
    currency: str
    total: Decimal = Field(description="The first billing period of the lines that can be ordered")
    lines: list[CartLineRead]


async def _cart(session: DbSession, actor: Actor) -> CartRead:
    organization = await repository.get(session, actor, actor.organization_id)
    cart = await carts.load(session, organization)
    return CartRead(
        currency=cart.currency,
        total=cart.total,
        lines=[
            CartLineRead(
                id=line.item.id, offer_id=line.item.offer_id, title=line.title,
                term=line.item.term, billing_cycle=line.item.billing_cycle,
                quantity=line.item.quantity, unit_price=line.unit_price,
                total=None if line.problem else line.total,
                catalog_item_id=line.plan.catalog_item_id if line.plan else None,
                problem=CartProblemRead(code=line.problem.code, message=line.problem.message)
                if line.problem else None,
            )
            for line in cart.lines
        ],
    )  # fmt: skip


@router.get("", summary="The cart with today's prices")
async def get_cart(session: DbSession, actor: CurrentActor) -> CartRead:
    carts.require_buyer(actor)
    return await _cart(session, actor)


@router.post(
    "/items",
    status_code=201,
    summary="Add licenses of an offer on a plan",
    description="orders.place, in a customer. Adds to the line of the same offer, term and "
    "billing cycle if there is one. 422 when the plan is not one the offer is sold on in the "
    "customer's currency, or the line's quantity would leave the SKU's limits.",
)
async def add_item(
    data: Annotated[CartItemCreate, Body(openapi_examples=ADD_EXAMPLES)],
    session: DbSession,
    actor: CurrentActor,
) -> CartRead:
    carts.require_buyer(actor)
    organization = await repository.get(session, actor, actor.organization_id)
    await carts.add(
        session, actor, organization, data.offer_id, term=data.term,
        billing_cycle=data.billing_cycle, quantity=data.quantity,
    )  # fmt: skip
    return await _cart(session, actor)


async def _line(session: DbSession, actor: Actor, item_id: uuid.UUID) -> Organization:
    """The organization holding the line: 404 unless the caller may see that organization,
    then 403 unless the caller may fill its cart (its own, as a customer's admin)."""
    holder = await session.scalar(
        select(CartItem.organization_id)
        .join(Organization, Organization.id == CartItem.organization_id)
        .where(CartItem.id == item_id, organization_scope(actor))
    )
    if holder is None:
        raise NotFound(f"cart line {item_id} not found")
    carts.require_buyer(actor)
    return await repository.get(session, actor, holder)


@router.put(
    "/items/{item_id}",
    summary="Set the licenses of a line (0 removes it)",
    description="orders.place, in a customer. 422 when the quantity leaves the SKU's limits.",
)
async def set_quantity(
    item_id: uuid.UUID, data: CartItemQuantity, session: DbSession, actor: CurrentActor
) -> CartRead:
    organization = await _line(session, actor, item_id)
    await carts.change(session, actor, organization, item_id, quantity=data.quantity)
    return await _cart(session, actor)


@router.delete("/items/{item_id}", status_code=204, summary="Remove a line")
async def remove_item(item_id: uuid.UUID, session: DbSession, actor: CurrentActor) -> Response:
    organization = await _line(session, actor, item_id)
    await carts.change(session, actor, organization, item_id, quantity=0)
    return Response(status_code=204)
