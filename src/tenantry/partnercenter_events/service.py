"""Recording Partner Center's events once, handing them to the outbox, and listing them.

An event belongs to a platform: the one whose Partner Center account sent it
(:func:`receiving_platform`). Within a platform it is keyed by the SHA-256 of the exact body bytes
Partner Center signed: a retried or replayed delivery of the same body is the same event, recorded
once and handled once. The row and its outbox row are written in the request's one transaction.
Staff see only their own platform's events.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.errors import NotFound, TenantryError
from tenantry.models import (
    EventOutcome,
    Organization,
    OrganizationKind,
    PartnerCenterEvent,
    utcnow,
)
from tenantry.pagination import aware_datetime, decode_cursor, encode_cursor
from tenantry.security import Actor, Permission, require

KIND = "partnercenter_events.handle"
# Handlers that keep failing are retried with backoff this many times, then the event is failed.
MAX_ATTEMPTS = 6
NAME_MAX, URI_MAX, DATE_MAX = 128, 4000, 64
# Partner Center's events are a few hundred bytes; anything this large is not one.
MAX_BODY_BYTES = 256 * 1024


class NotAnEvent(TenantryError):
    """A signed body that is not a JSON object: nothing to record."""

    code = "invalid_event"
    title = "The event is not a JSON object"


class TooLarge(TenantryError):
    status = 413
    code = "event_too_large"
    title = "The event is too large"


class NoPlatform(TenantryError):
    """No platform can be told apart as the receiver: nothing is recorded, and Partner Center
    retries the delivery (503) until the setting or the platform's tenant ID is fixed."""

    status = 503
    code = "no_platform_for_event"
    title = "No platform receives Partner Center's events"


async def find_receiving_platform(
    session: AsyncSession, partner_tenant_id: str
) -> uuid.UUID | None:
    """The platform whose Partner Center account this process speaks for: the platform whose
    tenant ID is ``partner_tenant_id`` (TENANTRY_PARTNER_CENTER_TENANT_ID), else the only
    platform there is. None when there is no platform, or several and none has that tenant ID."""
    found = await session.execute(
        select(Organization.id, Organization.tenant_id)
        .where(Organization.kind == OrganizationKind.PLATFORM)
        .order_by(Organization.created_at, Organization.id)
    )
    platforms = found.all()
    try:
        identity: uuid.UUID | None = uuid.UUID(partner_tenant_id)
    except ValueError:
        identity = None
    for platform_id, tenant_id in platforms:
        if identity is not None and tenant_id == identity:
            return platform_id
    return platforms[0][0] if len(platforms) == 1 else None


async def receiving_platform(session: AsyncSession, partner_tenant_id: str) -> uuid.UUID:
    """:func:`find_receiving_platform`, or :class:`NoPlatform` naming the setting to fix."""
    platform_id = await find_receiving_platform(session, partner_tenant_id)
    if platform_id is None:
        raise NoPlatform(
            "No platform holds the Partner Center tenant ID "
            f"{partner_tenant_id} (TENANTRY_PARTNER_CENTER_TENANT_ID) and there is not exactly "
            "one platform; set the platform's tenant ID. Nothing recorded."
        )
    return platform_id


@dataclass(frozen=True)
class ParsedEvent:
    body: dict[str, Any]
    sha256: str
    event_name: str
    resource_uri: str | None
    resource_name: str | None
    audit_uri: str | None
    resource_change_utc: str | None


def _text(fields: dict[str, Any], name: str, limit: int) -> str | None:
    """A field as text whatever JSON type it came as (absent and null are None)."""
    value = fields.get(name.lower())
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text.replace("\x00", "")[:limit] or None


def parse(raw: bytes) -> ParsedEvent:
    """Read the PascalCase payload tolerantly: any field may be missing, null, of another type,
    or unknown (kept in ``body``); field names are matched without regard to case."""
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise NotAnEvent(f"The event body is not UTF-8 JSON: {exc}"[:300]) from exc
    if not isinstance(body, dict):
        raise NotAnEvent("The event body must be a JSON object with an EventName.")
    fields = {str(key).lower(): value for key, value in body.items()}
    return ParsedEvent(
        body=body,
        sha256=hashlib.sha256(raw).hexdigest(),
        event_name=(_text(fields, "EventName", NAME_MAX) or "").strip().lower(),
        resource_uri=_text(fields, "ResourceUri", URI_MAX),
        resource_name=_text(fields, "ResourceName", NAME_MAX),
        audit_uri=_text(fields, "AuditUri", URI_MAX),
        resource_change_utc=_text(fields, "ResourceChangeUtcDate", DATE_MAX),
    )


async def _by_hash(
    session: AsyncSession, platform_id: uuid.UUID, sha256: str
) -> PartnerCenterEvent | None:
    found = await session.execute(
        select(PartnerCenterEvent).where(
            PartnerCenterEvent.platform_id == platform_id, PartnerCenterEvent.body_sha256 == sha256
        )
    )
    return found.scalar_one_or_none()


def job_key(event_id: uuid.UUID) -> str:
    return f"{KIND}:{event_id}"


async def record(
    session: AsyncSession, platform_id: uuid.UUID, event: ParsedEvent
) -> tuple[PartnerCenterEvent, bool]:
    """The event's row for the platform and whether this delivery created it; a new one gets its
    job queued."""
    existing = await _by_hash(session, platform_id, event.sha256)
    if existing is not None:
        return existing, False
    row = PartnerCenterEvent(
        id=uuid.uuid4(),
        platform_id=platform_id,
        body_sha256=event.sha256,
        event_name=event.event_name,
        resource_uri=event.resource_uri,
        resource_name=event.resource_name,
        audit_uri=event.audit_uri,
        resource_change_utc=event.resource_change_utc,
        body=event.body,
        received_at=utcnow(),
        outcome=EventOutcome.RECEIVED,
    )
    try:
        # Two deliveries of one event at once: the second one's insert loses, nothing else.
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:
        existing = await _by_hash(session, platform_id, event.sha256)
        if existing is None:
            raise
        return existing, False
    await jobs.enqueue(
        session,
        kind=KIND,
        payload={"event_id": row.id},
        idempotency_key=job_key(row.id),
        max_attempts=MAX_ATTEMPTS,
    )
    return row, True


async def page(
    session: AsyncSession,
    actor: Actor,
    *,
    outcome: EventOutcome | None,
    event_name: str | None,
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[PartnerCenterEvent], str | None]:
    """The actor's platform's events, newest first (staff with the permission)."""
    require(actor, Permission.PARTNER_CENTER_EVENTS_READ)
    query = select(PartnerCenterEvent).where(PartnerCenterEvent.platform_id == actor.platform_id)
    if outcome is not None:
        query = query.where(PartnerCenterEvent.outcome == outcome)
    if event_name:
        query = query.where(PartnerCenterEvent.event_name == event_name.strip().lower())
    if cursor:
        after_time, after_id = decode_cursor(cursor, aware_datetime)
        query = query.where(
            or_(
                PartnerCenterEvent.received_at < after_time,
                (PartnerCenterEvent.received_at == after_time) & (PartnerCenterEvent.id < after_id),
            )
        )
    query = query.order_by(
        PartnerCenterEvent.received_at.desc(), PartnerCenterEvent.id.desc()
    ).limit(limit + 1)
    rows = (await session.execute(query)).scalars().all()
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(last.received_at, last.id)


async def event_names(session: AsyncSession, actor: Actor) -> list[str]:
    """Every event type the actor's platform received so far, for the list's filter."""
    require(actor, Permission.PARTNER_CENTER_EVENTS_READ)
    found = await session.execute(
        select(PartnerCenterEvent.event_name)
        .where(PartnerCenterEvent.platform_id == actor.platform_id)
        .distinct()
        .order_by(PartnerCenterEvent.event_name)
    )
    return list(found.scalars())


async def get(session: AsyncSession, actor: Actor, event_id: uuid.UUID) -> PartnerCenterEvent:
    require(actor, Permission.PARTNER_CENTER_EVENTS_READ)
    event = await session.get(PartnerCenterEvent, event_id)
    if event is None or event.platform_id != actor.platform_id:
        raise NotFound(f"There is no Partner Center event {event_id}.")
    return event
