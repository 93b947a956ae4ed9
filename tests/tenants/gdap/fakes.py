"""A hand-written Microsoft Graph for GDAP, for tests whose app cannot reach the sandbox."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from tenantry.models import utcnow
from tenantry.tenants.gdap.graph import NewRelationship, RelationshipState


@dataclass
class AcceptingGdap:
    """Every relationship is created and locked for approval; reading one says it is active."""

    created: dict[str, NewRelationship] = field(default_factory=dict)

    async def create_for_approval(self, new: NewRelationship) -> RelationshipState:
        relationship_id = f"{uuid.uuid4()}-{uuid.uuid4()}"
        self.created[relationship_id] = new
        return RelationshipState(
            relationship_id, "approvalPending", f"https://admin.example/{relationship_id}"
        )

    async def read(self, relationship_id: str) -> RelationshipState:
        now = utcnow()
        return RelationshipState(
            relationship_id, "active", f"https://admin.example/{relationship_id}",
            activated_at=now, end_at=now + timedelta(days=730),
        )  # fmt: skip
