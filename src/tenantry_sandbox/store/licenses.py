"""Subscribed SKUs (the licenses a customer owns) and the licenses assigned to its users.

``consumedUnits`` is not stored: it is the number of users holding the SKU, so assigning or
removing a license keeps the two answers consistent.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase
from tenantry_sandbox.store.license_catalog import SKUS_BY_ID, LicenseSku


class SubscribedSku(SandboxBase):
    __tablename__ = "subscribed_skus"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    sku_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    active_units: Mapped[int] = mapped_column(default=0)
    suspended_units: Mapped[int] = mapped_column(default=0)
    warning_units: Mapped[int] = mapped_column(default=0)
    capability_status: Mapped[str] = mapped_column(String(16), default="Enabled")


class UserLicense(SandboxBase):
    """A license assigned to a user; keyed by customer first, which every lookup knows."""

    __tablename__ = "user_licenses"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sku_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)


def in_groups(sku: LicenseSku, groups: Iterable[str] | None) -> bool:
    """``licenseGroupIds=Group1|Group2`` filter; the service compares group names without case."""
    if not groups:
        return True
    return sku.license_group_id.lower() in {group.lower() for group in groups}


async def subscribed(
    session: AsyncSession, customer_id: uuid.UUID
) -> list[tuple[SubscribedSku, LicenseSku, int]]:
    """The customer's SKUs with their catalog entry and how many units users consume."""
    consumed = (
        select(UserLicense.sku_id, func.count().label("consumed"))
        .where(UserLicense.customer_id == customer_id)
        .group_by(UserLicense.sku_id)
        .subquery()
    )
    rows = await session.execute(
        select(SubscribedSku, func.coalesce(consumed.c.consumed, 0))
        .outerjoin(consumed, consumed.c.sku_id == SubscribedSku.sku_id)
        .where(SubscribedSku.customer_id == customer_id)
        .order_by(SubscribedSku.sku_id)
    )
    return [
        (owned, SKUS_BY_ID[owned.sku_id], int(count))
        for owned, count in rows.all()
        if owned.sku_id in SKUS_BY_ID
    ]


async def of_user(
    session: AsyncSession, customer_id: uuid.UUID, user_id: uuid.UUID
) -> list[LicenseSku]:
    rows = await session.execute(
        select(UserLicense.sku_id)
        .where(UserLicense.customer_id == customer_id, UserLicense.user_id == user_id)
        .order_by(UserLicense.sku_id)
    )
    return [SKUS_BY_ID[sku_id] for sku_id in rows.scalars() if sku_id in SKUS_BY_ID]
