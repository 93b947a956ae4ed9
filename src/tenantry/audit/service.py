"""Write audit events in the same transaction as the change they record."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.context import current_request
from tenantry.models import AuditEvent
from tenantry.security import Actor


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Only the fields that changed, as {"before": {...}, "after": {...}}."""
    keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    return {
        "before": {k: _plain(before.get(k)) for k in keys},
        "after": {k: _plain(after.get(k)) for k in keys},
    }


async def record(
    session: AsyncSession,
    actor: Actor | None,
    *,
    action: str,
    target_type: str,
    target_id: uuid.UUID | str | None,
    organization_id: uuid.UUID | None,
    platform_id: uuid.UUID | None = None,
    changes: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event. ``actor`` is None for the system itself (jobs, the CLI)."""
    request = current_request()
    event = AuditEvent(
        platform_id=platform_id or (actor.platform_id if actor else None),
        organization_id=organization_id,
        actor_user_id=actor.user_id if actor else None,
        actor_token_id=actor.token_id if actor else None,
        actor_label=actor_label or (actor.label if actor else "system"),
        on_behalf_of_user_id=actor.on_behalf_of_user_id if actor else None,
        on_behalf_of_label=actor.on_behalf_of_label if actor else None,
        action=action,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        changes=_plain(changes or {}),
        request_id=request.request_id,
        ip=request.ip,
    )
    session.add(event)
    return event
