"""Replaying the first answer to a retried create that carries the same ``Idempotency-Key``."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from typing import Any

from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import invalid
from tenantry.models import IdempotencyRecord, utcnow
from tenantry.security import Actor

HEADER = "Idempotency-Key"


def _principal(actor: Actor) -> str:
    return str(actor.token_id or actor.user_id)


def fingerprint(method: str, path: str, body: Any) -> str:
    raw = json.dumps([method, path, body], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


async def replay(
    session: AsyncSession, actor: Actor, key: str | None, request_fingerprint: str,
    *, max_age: timedelta | None = None,
) -> JSONResponse | None:  # fmt: skip
    """The stored answer when this key was used before for the same request; None when new.
    With ``max_age``, a key first used longer ago than that is forgotten and counts as new."""
    if key is None:
        return None
    if not 1 <= len(key) <= 200:
        raise invalid(f"header.{HEADER}", "length", "an Idempotency-Key is 1 to 200 characters")
    stored = (
        await session.execute(
            select(IdempotencyRecord).where(
                IdempotencyRecord.principal == _principal(actor), IdempotencyRecord.key == key
            )
        )
    ).scalar_one_or_none()
    if stored is not None and max_age is not None and stored.created_at < utcnow() - max_age:
        await session.delete(stored)
        await session.flush()
        stored = None
    if stored is None:
        return None
    if stored.fingerprint != request_fingerprint:
        raise invalid(
            f"header.{HEADER}",
            "reused_key",
            "this Idempotency-Key was used for a different request",
        )
    return JSONResponse(
        stored.body, status_code=stored.status_code, headers={"Idempotent-Replayed": "true"}
    )


def remember(
    session: AsyncSession,
    actor: Actor,
    key: str | None,
    request_fingerprint: str,
    status: int,
    body: Any,
) -> None:
    if key is not None:
        session.add(
            IdempotencyRecord(
                principal=_principal(actor),
                key=key,
                fingerprint=request_fingerprint,
                status_code=status,
                body=body,
            )
        )


async def earlier_resource(session: AsyncSession, principal: str, key: str) -> uuid.UUID | None:
    """What a page form carrying ``key`` created the first time it was posted (forms carry a
    one-time key, so a double click or a retried post does not create a second thing)."""
    stored = (
        await session.execute(
            select(IdempotencyRecord.resource_id).where(
                IdempotencyRecord.principal == principal, IdempotencyRecord.key == key
            )
        )
    ).scalar_one_or_none()
    return stored


def remember_resource(
    session: AsyncSession, principal: str, key: str, resource_id: uuid.UUID
) -> None:
    session.add(
        IdempotencyRecord(
            principal=principal, key=key, fingerprint="form", status_code=201,
            body={"id": str(resource_id)}, resource_id=resource_id,
        )
    )  # fmt: skip
