"""A subscription with one change, straight into the database (no sandbox)."""

from __future__ import annotations

import uuid

from tenantry.db import Database
from tenantry.models import (
    MicrosoftSubscription,
    SubscriptionChange,
    SubscriptionChangeKind,
    SubscriptionChangeState,
    utcnow,
)
from tests.factories import World


async def subscription_with_change(
    database: Database, world: World, organization_id: uuid.UUID
) -> tuple[uuid.UUID, uuid.UUID]:
    """(subscription row id, change id) of a subscription of the organization."""
    async with database.transaction() as session:
        row = MicrosoftSubscription(
            platform_id=world.platform.id, organization_id=organization_id, tenant_id=uuid.uuid4(),
            subscription_id=str(uuid.uuid4()), offer_name="Microsoft 365 Business Basic",
            quantity=3, status="active", auto_renew=True, last_synced_at=utcnow(),
        )  # fmt: skip
        session.add(row)
        await session.flush()
        change = SubscriptionChange(
            platform_id=world.platform.id, organization_id=organization_id,
            subscription_row_id=row.id, kind=SubscriptionChangeKind.QUANTITY,
            quantity_before=2, quantity=3, requested_by_label="A's admin",
            state=SubscriptionChangeState.DONE, finished_at=utcnow(),
        )  # fmt: skip
        session.add(change)
        await session.flush()
        return row.id, change.id
