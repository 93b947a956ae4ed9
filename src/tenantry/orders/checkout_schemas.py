"""What ``GET /api/v1/checkout`` answers."""

from __future__ import annotations

import uuid
from decimal import Decimal

from pydantic import BaseModel, Field

from tenantry.orders.lifecycle.schemas import OrderLineRead
from tenantry.orders.steps import CheckoutState


class BlockerRead(BaseModel):
    code: str = Field(description="Stable: organization_pending_approval, erp_id_missing, ...")
    message: str = Field(description="What is missing, said so the reader can act")
    link: str | None = Field(description="The page where it is done, when one is")


class CheckoutStepRead(BaseModel):
    key: str = Field(description="offers, organization, service_details, review, place")
    title: str
    done: bool
    blockers: list[BlockerRead]


class CheckoutRead(BaseModel):
    organization_id: uuid.UUID
    may_place: bool
    steps: list[CheckoutStepRead]
    lines: list[OrderLineRead] = Field(description="The cart, priced now")
    currency: str
    total: Decimal = Field(description="Per month")
    payment_required: bool = Field(
        description="False when the customer skips payment: a placed order is paid at once"
    )


def checkout_read(state: CheckoutState) -> CheckoutRead:
    return CheckoutRead(
        organization_id=state.organization.id,
        may_place=state.may_place,
        steps=[
            CheckoutStepRead(
                key=step.key,
                title=step.title,
                done=step.done,
                blockers=[
                    BlockerRead(code=b.code, message=b.message, link=b.link) for b in step.blockers
                ],
            )
            for step in state.steps
        ],
        lines=[
            OrderLineRead(
                offer_id=line.item.offer_id,
                title=line.title,
                term=line.item.term,
                billing_cycle=line.item.billing_cycle,
                quantity=line.item.quantity,
                unit_price=line.unit_price,
                total=line.total,
            )
            for line in state.cart.lines
        ],
        currency=state.cart.currency,
        total=state.cart.total,
        payment_required=not state.skips_payment,
    )
