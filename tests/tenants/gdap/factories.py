"""GDAP rows for tests that need one without asking Microsoft."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import update

from tenantry.db import Database
from tenantry.models import GdapRelationship, GdapStatus, Organization, utcnow
from tests.factories import World


async def linked_with_gdap(database: Database, world: World) -> uuid.UUID:
    """A's customer holds a tenant and has an active GDAP relationship asked by reseller A."""
    tenant_id = uuid.uuid4()
    async with database.transaction() as session:
        await session.execute(
            update(Organization)
            .where(Organization.id == world.customer_a.id)
            .values(tenant_id=tenant_id)
        )
        row = GdapRelationship(
            platform_id=world.platform.id, organization_id=world.customer_a.id,
            requested_by_organization_id=world.reseller_a.id, tenant_id=tenant_id,
            relationship_id=f"{uuid.uuid4()}-{uuid.uuid4()}", display_name="Alpha - Support",
            template="support",
            roles=[{"id": "f2ef992c-3afb-46b9-b7cf-a126ee74c451", "name": "Global Reader"}],
            duration_days=730, auto_extend=False, status=GdapStatus.ACTIVE,
            activated_at=utcnow(), end_at=utcnow() + timedelta(days=730), reminders_sent=[],
        )  # fmt: skip
        session.add(row)
        await session.flush()
        return row.id
