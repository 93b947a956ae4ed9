"""HTTP API of the sync: ask for a run ("Sync now"), list runs, read one with its errors."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query
from fastapi.openapi.models import Example

from tenantry.deps import CurrentActor, DbSession
from tenantry.pagination import MAX_PAGE_SIZE
from tenantry.problems import API_ERRORS
from tenantry.schemas import Page
from tenantry.sync import service
from tenantry.sync.schemas import (
    SyncRunCreate,
    SyncRunDetail,
    SyncRunErrorRead,
    SyncRunRead,
    SyncRunRequested,
)

EXAMPLES: dict[str, Example] = {
    "platform": {"summary": "The whole platform", "value": {"scope": "platform"}},
}
router = APIRouter(prefix="/api/v1/sync/runs", tags=["Sync"], responses=API_ERRORS)


@router.post(
    "",
    status_code=202,
    summary="Sync now: the platform, one reseller or one customer organization",
    description="sync.run. Platform staff may sync the platform; reseller admins their own "
    "reseller and its customers. A request while a run of the same scope is queued or running "
    "joins it (joined_existing true) instead of starting another: there is no lock-out window.",
)
async def request_run(
    data: Annotated[SyncRunCreate, Body(openapi_examples=EXAMPLES)],
    session: DbSession,
    actor: CurrentActor,
) -> SyncRunRequested:
    run, joined = await service.start(session, actor, data)
    await session.flush()
    await session.refresh(run)
    return SyncRunRequested.model_validate(
        {**SyncRunRead.model_validate(run).model_dump(), "joined_existing": joined}
    )


@router.get(
    "",
    summary="Sync runs, oldest first, with their counts and calls",
    description="sync.read. Platform staff see every run of the platform; reseller staff the "
    "runs of their reseller and its customers.",
)
async def list_runs(
    session: DbSession,
    actor: CurrentActor,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
) -> Page[SyncRunRead]:
    rows, next_cursor = await service.page(session, actor, cursor=cursor, limit=limit)
    return Page(items=[SyncRunRead.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.get("/{sync_run_id}", summary="One sync run with each error and the customer it concerns")
async def get_run(sync_run_id: uuid.UUID, session: DbSession, actor: CurrentActor) -> SyncRunDetail:
    run, errors = await service.get(session, actor, sync_run_id)
    return SyncRunDetail.model_validate(
        {
            **SyncRunRead.model_validate(run).model_dump(),
            "errors": [SyncRunErrorRead.model_validate(e) for e in errors],
        }
    )
