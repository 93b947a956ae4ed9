"""The job that hands a recorded event to every domain handler of its type
(kind ``partnercenter_events.handle``), and the daily clean-up of old events
(``partnercenter_events.retention``, see ``retention``).

Each handler runs in a savepoint of the job's transaction. When one raises, its changes are
undone and the job is retried with the outbox's backoff; on the last attempt the event ends
``failed`` with the reason instead, so staff see it in the events list. An event type no handler
knows is ``ignored``, never an error.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.models import EventOutcome, OutboxItem, PartnerCenterEvent, utcnow
from tenantry.partnercenter_events import registry, retention, service
from tenantry.partnercenter_events.events import TEST_EVENT
from tenantry.settings import get_settings

log = structlog.get_logger("tenantry.partnercenter_events")
DETAIL_MAX = 2000
IGNORED_WHY = {TEST_EVENT: "Partner Center's test event: the subscription delivers."}


async def _last_attempt(session: AsyncSession, event_id: uuid.UUID) -> bool:
    """Whether this run is the job's last attempt (the claim committed the attempt count)."""
    found = await session.execute(
        select(OutboxItem.attempts, OutboxItem.max_attempts).where(
            OutboxItem.idempotency_key == service.job_key(event_id)
        )
    )
    row = found.one_or_none()
    return row is None or row[0] >= row[1]


@jobs.handler(service.KIND)
async def handle(session: AsyncSession, payload: dict[str, Any]) -> None:
    event_id = uuid.UUID(str(payload["event_id"]))
    event = await session.get(PartnerCenterEvent, event_id)
    if event is None or event.outcome in (EventOutcome.HANDLED, EventOutcome.IGNORED):
        return  # gone, or a re-run after the work committed
    handlers = registry.handlers_for(event.event_name)
    bound = log.bind(event_id=str(event_id), event_name=event.event_name)
    if not handlers:
        event.outcome, event.handled_at = EventOutcome.IGNORED, utcnow()
        event.detail = (
            "The event names no type." if not event.event_name else "No handler for this type."
        )
        bound.info("partner center event ignored", reason=event.detail)
        return
    done: list[str] = []
    for handler in handlers:
        try:
            async with session.begin_nested():
                said = await handler(session, event)
        except Exception as exc:
            reason = f"{handler.__module__}.{handler.__qualname__}: {type(exc).__name__}: {exc}"
            if not await _last_attempt(session, event_id):
                raise  # retried with backoff; the event stays "received" meanwhile
            bound.warning("partner center event failed for good", reason=reason)
            event.outcome, event.handled_at = EventOutcome.FAILED, utcnow()
            event.detail = "; ".join([*done, reason])[:DETAIL_MAX]
            return
        if said:
            done.append(said)
    event.handled_at = utcnow()
    if done:
        event.outcome, event.detail = EventOutcome.HANDLED, "; ".join(done)[:DETAIL_MAX]
    else:
        event.outcome = EventOutcome.IGNORED
        event.detail = IGNORED_WHY.get(event.event_name, "Nothing to do for this event.")
    bound.info("partner center event handled", outcome=event.outcome.value)


@jobs.periodic("partnercenter_events.retention", jobs.crontab(minute="30", hour="4"))
async def daily_retention(session: AsyncSession) -> None:
    days = get_settings().partner_center_event_retention_days
    deleted = await retention.delete_old_events(session, retention_days=days)
    log.info("old partner center events deleted", deleted=deleted, retention_days=days)
