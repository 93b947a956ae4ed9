"""Rows of the seed waiting for bulk insertion, and the small helpers every seeded table uses.

Rows are plain dicts inserted with executemany in dependency order (``INSERT_ORDER``), no ORM
object per row, so 100,000 customers take seconds.
"""

from __future__ import annotations

import random
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from tenantry_sandbox.db import bulk_insert
from tenantry_sandbox.store.agreements import CustomerAgreement
from tenantry_sandbox.store.customers import BillingProfile, Customer
from tenantry_sandbox.store.domains import Domain
from tenantry_sandbox.store.licenses import SubscribedSku, UserLicense
from tenantry_sandbox.store.orders import Order
from tenantry_sandbox.store.partners import NetworkLink, Partner
from tenantry_sandbox.store.relationships import CustomerRelationship
from tenantry_sandbox.store.subscriptions import Subscription
from tenantry_sandbox.store.tenants import Tenant
from tenantry_sandbox.store.users import CustomerUser

INSERT_ORDER: tuple[type[DeclarativeBase], ...] = (
    Tenant,
    Domain,
    Partner,
    NetworkLink,
    Customer,
    BillingProfile,
    CustomerRelationship,
    CustomerUser,
    UserLicense,
    SubscribedSku,
    CustomerAgreement,
    Order,
    Subscription,
)


def random_uuid(rng: random.Random) -> uuid.UUID:
    """A version-4 id drawn from the seed's stream, so the same seed yields the same ids."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


@lru_cache(maxsize=4096)
def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@dataclass
class Rows:
    """Rows waiting for insertion, per table."""

    tables: dict[type[DeclarativeBase], list[dict[str, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, model: type[DeclarativeBase], row: dict[str, Any]) -> None:
        self.tables[model].append(row)

    async def flush(self, session: AsyncSession) -> None:
        connection = await session.connection()
        for model in INSERT_ORDER:
            rows = self.tables.pop(model, [])
            if rows:
                await bulk_insert(connection, model.__table__, rows)  # type: ignore[arg-type]
                self.counts[model.__tablename__] += len(rows)
