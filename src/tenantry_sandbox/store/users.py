"""Users of customer tenants (``/v1/customers/{id}/users``), seek-paged in creation order."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase, utcnow


class CustomerUser(SandboxBase):
    __tablename__ = "customer_users"
    __table_args__ = (Index("ix_customer_users_customer_seq", "customer_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    user_principal_name: Mapped[str] = mapped_column(String(256))
    first_name: Mapped[str | None] = mapped_column(String(64))
    last_name: Mapped[str | None] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(256))
    usage_location: Mapped[str | None] = mapped_column(String(2))
    state: Mapped[str] = mapped_column(String(16), default="active")
    user_domain_type: Mapped[str] = mapped_column(String(16), default="none")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def user_row(
    customer_id: uuid.UUID,
    user_id: uuid.UUID,
    upn: str,
    *,
    first_name: str | None,
    last_name: str | None,
    display_name: str,
    usage_location: str | None,
) -> dict[str, object]:
    """Column values for one user, as both the API and the bulk seed insert them."""
    return {
        "id": user_id,
        "customer_id": customer_id,
        "user_principal_name": upn,
        "first_name": first_name,
        "last_name": last_name,
        "display_name": display_name,
        "usage_location": usage_location,
        "state": "active",
        "user_domain_type": "none",
    }


async def get(
    session: AsyncSession, customer_id: uuid.UUID, user_id: uuid.UUID
) -> CustomerUser | None:
    rows = await session.execute(
        select(CustomerUser).where(
            CustomerUser.customer_id == customer_id, CustomerUser.id == user_id
        )
    )
    return rows.scalar_one_or_none()


async def page(
    session: AsyncSession, customer_id: uuid.UUID, *, after: int, limit: int
) -> list[CustomerUser]:
    rows = await session.execute(
        select(CustomerUser)
        .where(CustomerUser.customer_id == customer_id, CustomerUser.seq > after)
        .order_by(CustomerUser.seq)
        .limit(limit)
    )
    return list(rows.scalars())
