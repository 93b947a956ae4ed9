"""Directory rows for tests that need an imported user without importing from Microsoft."""

from __future__ import annotations

import uuid

from tenantry.db import Database
from tenantry.models import DirectoryLicense, DirectoryUser, LicenseSource
from tests.factories import World

WALK_SKU = "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"


async def imported_user(database: Database, world: World) -> uuid.UUID:
    """A user of A's customer, and a license of ours in its tenant the user does not hold."""
    async with database.transaction() as session:
        user = DirectoryUser(
            platform_id=world.platform.id, organization_id=world.customer_a.id,
            user_id=str(uuid.uuid4()), user_principal_name="anna@alpha.example",
            display_name="Anna Berg", usage_location="DK",
        )  # fmt: skip
        session.add(user)
        session.add(
            DirectoryLicense(
                platform_id=world.platform.id, organization_id=world.customer_a.id,
                sku_id=WALK_SKU, name="Microsoft 365 Business Premium", active_units=1,
                our_units=1, source=LicenseSource.OURS, subscription_ids=[],
            )
        )  # fmt: skip
        await session.flush()
        return user.id
