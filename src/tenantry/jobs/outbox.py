"""Writing background work in the same transaction as the change that needs it.

A service calls :func:`enqueue`; the row commits or rolls back with everything else the
transaction wrote. Session events then hand the committed rows to the queue bound to the session's
database (:func:`bind`): rows flushed in the transaction are collected in ``session.info``, handed
over after the outermost commit, and forgotten when the transaction ends any other way. A hand-off
that fails (the queue is unreachable, the process dies right after the commit) loses nothing: the
sweeper hands over every available row the queue has not run in time.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import structlog
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, UOWTransaction

from tenantry.db import Database
from tenantry.jobs.registry import MAX_KIND_LENGTH
from tenantry.models import OutboxItem, utcnow

log = structlog.get_logger("tenantry.jobs")

QUEUE_KEY = "tenantry.jobs.queue"
_FLUSHED_KEY = "tenantry.jobs.flushed"
MAX_KEY_LENGTH = 200


@dataclass(frozen=True)
class Dispatch:
    """One committed outbox row to hand to the queue, not to run before ``available_at``."""

    item_id: uuid.UUID
    available_at: datetime


class Dispatcher(Protocol):
    def dispatch(self, items: Iterable[Dispatch]) -> None: ...


def bind(database: Database, dispatcher: Dispatcher) -> None:
    """Sessions of ``database`` hand their committed outbox rows to ``dispatcher``.

    Without a binding the rows still commit and the sweeper hands them over later.
    """
    info = dict(database.sessionmaker.kw.get("info") or {})
    info[QUEUE_KEY] = dispatcher
    database.sessionmaker.configure(info=info)


async def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    payload: Mapping[str, Any],
    idempotency_key: str,
    max_attempts: int | None = None,
    available_at: datetime | None = None,
) -> OutboxItem:
    """Add background work to the caller's transaction; it runs only if that transaction commits.

    ``payload`` holds ids, not objects (UUIDs become strings): the handler reloads current state
    when it runs. A key used before returns the existing row and adds nothing, so a retried
    request or a re-run handler cannot queue the same work twice.
    """
    if not 1 <= len(kind) <= MAX_KIND_LENGTH:
        raise ValueError(f"a job kind is 1 to {MAX_KIND_LENGTH} characters: {kind!r}")
    if not 1 <= len(idempotency_key) <= MAX_KEY_LENGTH:
        raise ValueError(f"an idempotency key is 1 to {MAX_KEY_LENGTH} characters")
    existing = await _by_key(session, idempotency_key)
    if existing is not None:
        return existing
    now = utcnow()
    item = OutboxItem(
        id=uuid.uuid4(),
        kind=kind,
        payload=_jsonable(payload),
        idempotency_key=idempotency_key,
        created_at=now,
        available_at=available_at or now,
        # Handed over at commit; the sweeper measures "not picked up in time" from here.
        dispatched_at=now,
    )
    if max_attempts is not None:
        if max_attempts < 1:
            raise ValueError("max_attempts is at least 1")
        item.max_attempts = max_attempts
    try:
        # A concurrent transaction may insert the same key first; only the savepoint is lost.
        async with session.begin_nested():
            session.add(item)
            await session.flush()
    except IntegrityError:
        existing = await _by_key(session, idempotency_key)
        if existing is None:
            raise
        return existing
    return item


async def _by_key(session: AsyncSession, key: str) -> OutboxItem | None:
    found = await session.execute(select(OutboxItem).where(OutboxItem.idempotency_key == key))
    return found.scalar_one_or_none()


def _jsonable(payload: Mapping[str, Any]) -> dict[str, Any]:
    def encode(value: object) -> str:
        if isinstance(value, uuid.UUID):
            return str(value)
        raise TypeError(
            f"an outbox payload holds ids and plain JSON values, not {type(value).__name__}"
        )

    result: dict[str, Any] = json.loads(json.dumps(dict(payload), default=encode))
    return result


@event.listens_for(Session, "after_flush")
def _collect_flushed(session: Session, _flush: UOWTransaction) -> None:
    # after_flush still sees the pre-flush state, so session.new lists the rows just inserted.
    if QUEUE_KEY not in session.info:
        return
    flushed: list[Dispatch] = session.info.setdefault(_FLUSHED_KEY, [])
    flushed.extend(
        Dispatch(item.id, item.available_at) for item in session.new if isinstance(item, OutboxItem)
    )


@event.listens_for(Session, "after_commit")
def _hand_over(session: Session) -> None:
    # Releasing a savepoint also fires after_commit; only the outermost commit makes rows visible
    # to workers. (A row from a savepoint later rolled back is handed over anyway: the worker finds
    # no row to claim and skips it.)
    if session.in_nested_transaction():
        return
    flushed: list[Dispatch] = session.info.pop(_FLUSHED_KEY, [])
    dispatcher: Dispatcher | None = session.info.get(QUEUE_KEY)
    if not flushed or dispatcher is None:
        return
    try:
        dispatcher.dispatch(flushed)
    except Exception:
        # The data is committed; failing the caller now would report an error for work that
        # happened. The sweeper hands these rows over once the queue is back.
        log.exception("outbox hand-off failed", items=[str(d.item_id) for d in flushed])


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_FLUSHED_KEY, None)
