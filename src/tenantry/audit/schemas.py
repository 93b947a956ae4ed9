"""API shape of audit events."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from tenantry.schemas import ReadSchema


class AuditEventRead(ReadSchema):
    id: uuid.UUID
    occurred_at: datetime
    organization_id: uuid.UUID | None
    actor_label: str
    actor_user_id: uuid.UUID | None
    actor_token_id: uuid.UUID | None
    on_behalf_of_label: str | None
    action: str
    target_type: str
    target_id: str | None
    changes: dict[str, Any]
    request_id: str | None
    ip: str | None
