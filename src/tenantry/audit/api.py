"""HTTP API of the audit trail."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from tenantry.audit import repository
from tenantry.audit.repository import AuditFilter
from tenantry.audit.schemas import AuditEventRead
from tenantry.deps import CurrentActor, DbSession
from tenantry.pagination import MAX_PAGE_SIZE
from tenantry.problems import API_ERRORS
from tenantry.schemas import Page
from tenantry.security import Permission, require

router = APIRouter(prefix="/api/v1", tags=["audit"], responses=API_ERRORS)


@router.get("/audit-events", summary="The audit trail within your scope, newest first")
async def list_audit_events(
    session: DbSession,
    actor: CurrentActor,
    organization: uuid.UUID | None = None,
    action: str | None = Query(default=None, max_length=64),
    actor_name: str | None = Query(default=None, alias="actor", max_length=100),
    target: str | None = Query(default=None, max_length=64),
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=50, ge=1, le=MAX_PAGE_SIZE),
) -> Page[AuditEventRead]:
    require(actor, Permission.AUDIT_READ)
    filters = AuditFilter(organization, action, actor_name, target, since, until)
    rows, next_cursor = await repository.page(session, actor, filters, cursor=cursor, limit=limit)
    return Page(items=[AuditEventRead.model_validate(r) for r in rows], next_cursor=next_cursor)
