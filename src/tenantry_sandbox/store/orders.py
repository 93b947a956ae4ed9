"""Orders, their lines, and how quickly the sandbox provisions them.

Partner Center provisions an order asynchronously: it answers ``pending`` and the subscriptions
appear later. The sandbox makes "later" deterministic: an order completes after a configured
number of reads (``polls``, default 1: the first read after checkout sees it completed), or once
the sandbox clock passes ``seconds`` after its creation, or when the control API completes it.
``provisioning_settings`` holds that configuration; a reset brings back the default.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase, claim

PENDING = "pending"
COMPLETED = "completed"
DEFAULT_POLLS = 1


@dataclass
class OrderLine:
    """One order line as stored (a JSON object in ``orders.lines``)."""

    number: int
    offer_id: str
    friendly_name: str
    quantity: int
    billing_cycle: str
    term_duration: str | None = None
    partner_id_on_record: str | None = None
    parent_subscription_id: str | None = None
    provisioning_context: dict[str, str] = field(default_factory=dict)
    # Decimal amounts as strings; None for offers the sandbox does not price (legacy offers).
    unit_price: str | None = None
    extended_price: str | None = None
    subscription_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OrderLine:
        return cls(**data)


class Order(SandboxBase):
    __tablename__ = "orders"
    __table_args__ = (Index("ix_orders_customer_seq", "customer_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    partner_tenant_id: Mapped[uuid.UUID]
    cart_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    billing_cycle: Mapped[str] = mapped_column(String(16))
    currency_code: Mapped[str] = mapped_column(String(3))
    currency_symbol: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    # Reads left before provisioning completes (None: reads don't count).
    polls_remaining: Mapped[int | None] = mapped_column(default=None)
    # When the sandbox clock passes this, provisioning completes (None: time doesn't count).
    complete_after: Mapped[datetime | None] = mapped_column(default=None)
    attestation_accepted: Mapped[bool | None] = mapped_column(default=None)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON)

    def order_lines(self) -> list[OrderLine]:
        return [OrderLine.from_json(line) for line in self.lines]


class ProvisioningSettings(SandboxBase):
    """One row (id 1) when the control API changed the defaults."""

    __tablename__ = "provisioning_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    polls: Mapped[int | None] = mapped_column(default=DEFAULT_POLLS)
    seconds: Mapped[float | None] = mapped_column(default=None)


async def get(session: AsyncSession, customer_id: uuid.UUID, order_id: str) -> Order | None:
    rows = await session.execute(
        select(Order).where(Order.customer_id == customer_id, Order.id == order_id)
    )
    return rows.scalar_one_or_none()


async def of_customer(
    session: AsyncSession, customer_id: uuid.UUID, *, pending_only: bool = False
) -> list[Order]:
    query = select(Order).where(Order.customer_id == customer_id).order_by(Order.seq)
    if pending_only:
        query = query.where(Order.status == PENDING)
    return list((await session.execute(query)).scalars())


async def claim_completion(session: AsyncSession, order: Order, now: datetime) -> bool:
    """Mark a pending order completed; False when another request completed it first."""
    return await claim(
        session,
        order,
        {"status": COMPLETED, "completed_at": now},
        Order.seq == order.seq,
        Order.status == PENDING,
    )


async def provisioning_settings(session: AsyncSession) -> ProvisioningSettings:
    row = await session.get(ProvisioningSettings, 1)
    return row if row is not None else ProvisioningSettings(id=1, polls=DEFAULT_POLLS, seconds=None)


async def set_provisioning_settings(
    session: AsyncSession, *, polls: int | None, seconds: float | None
) -> ProvisioningSettings:
    row = await session.get(ProvisioningSettings, 1)
    if row is None:
        row = ProvisioningSettings(id=1)
        session.add(row)
    row.polls, row.seconds = polls, seconds
    await session.flush()
    return row
