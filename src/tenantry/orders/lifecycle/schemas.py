"""What the orders API reads and takes."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from tenantry.models import OrderStatus
from tenantry.schemas import Id, InputSchema, ReadSchema
from tenantry.text import Text

Action = Literal["confirm", "pay", "mark_paid", "retry", "cancel"]


class OrderLineRead(BaseModel):
    offer_id: str = Field(description="Microsoft's product:sku")
    title: str
    term: str = Field(description="ISO 8601 duration: P1M, P1Y, P3Y")
    billing_cycle: str | None = Field(
        default=None, description="monthly or annual (orders placed before billing cycles: none)"
    )
    quantity: int
    unit_price: Decimal | None = Field(
        description="Per license per billing period, in the order's currency (none for a cart "
        "line the catalog no longer prices)"
    )
    total: Decimal = Field(description="The line's price per billing period")


class PaymentRead(BaseModel):
    required: bool = Field(description="False when the customer skips payment (trusted)")
    provider: str | None = Field(description="The provider that took or is taking the payment")
    reference: str | None
    paid_at: datetime | None
    instructions: str | None = Field(
        description="How the customer pays, while the order waits for payment"
    )


class FailureRead(BaseModel):
    code: str | None
    message: str | None = Field(description="What happened, in plain words")
    what_to_do: str
    failed_at: datetime | None


class OrderEventRead(ReadSchema):
    at: datetime
    event: str = Field(
        description="placed, customer_authorized, payment_started, payment_declined, paid, "
        "provisioning_started, completed, failed, retried, cancelled"
    )
    from_status: OrderStatus | None
    to_status: OrderStatus
    by: str = Field(description="Who did it; 'system' for Tenantry's jobs")
    code: str | None
    message: str | None


class OrderRead(BaseModel):
    id: uuid.UUID
    number: str = Field(description="The short number people quote (the id's first 8 characters)")
    organization_id: uuid.UUID = Field(description="The customer the order is for")
    organization_name: str
    seller_id: uuid.UUID | None = Field(description="The customer's seller (reseller or platform)")
    status: OrderStatus
    status_text: str = Field(description="Where the order stands, in plain words")
    placed_at: datetime
    placed_by: str | None = Field(description="The person who placed it")
    placed_by_organization_id: uuid.UUID | None = Field(
        description="The customer itself, or its seller when staff placed it for the customer"
    )
    currency: str = Field(description="ISO 4217")
    total: Decimal = Field(description="Per month")
    lines: list[OrderLineRead]
    payment: PaymentRead
    failure: FailureRead | None
    provisioning_attempts: int
    actions: list[Action] = Field(description="What the caller may do with the order now")
    timeline: list[OrderEventRead] | None = Field(
        default=None, description="Oldest first; in the answer for one order"
    )


class OrderLineCreate(InputSchema):
    offer_id: Annotated[str, Text(min_length=1, max_length=64)] = Field(
        description="Microsoft's product:sku, as the catalog lists it"
    )
    term: Annotated[str, Text(min_length=1, max_length=8)] | None = Field(
        default=None, description="P1M, P1Y or P3Y; left out, the offer's preferred term"
    )
    billing_cycle: Annotated[str, Text(min_length=1, max_length=16)] | None = Field(
        default=None, description="monthly or annual; left out, the offer's preferred one"
    )
    quantity: int = Field(ge=1, le=1_000_000)


class OrderCreate(InputSchema):
    organization_id: Id | None = Field(
        default=None,
        description="The customer to order for: your own organization when left out; a customer "
        "you serve when you are its seller's staff (the order then waits for the customer)",
    )
    lines: list[OrderLineCreate] | None = Field(
        default=None,
        min_length=1,
        max_length=50,
        description="What to order; left out, the customer's cart is ordered (and emptied)",
    )


class MarkPaid(InputSchema):
    reference: Annotated[str, Text(min_length=1, max_length=200)] = Field(
        description="The payment's reference (an invoice number, a bank transfer's reference)"
    )


class Cancel(InputSchema):
    reason: Annotated[str, Text(max_length=500, multiline=True)] | None = None


class OrderFilter(BaseModel):
    status: list[OrderStatus] = Field(default_factory=list)
    organization_id: uuid.UUID | None = None
    reseller_id: uuid.UUID | None = None
    placed_from: date | None = None
    placed_to: date | None = None
