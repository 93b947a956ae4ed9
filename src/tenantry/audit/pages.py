"""Page of the audit trail: who did what, when, from where; filtered, newest first."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from pydantic import BaseModel, ConfigDict, Field

from tenantry.audit import repository
from tenantry.audit.repository import AuditFilter
from tenantry.deps import DbSession
from tenantry.errors import ValidationFailed
from tenantry.models import AuditEvent
from tenantry.security import Permission, organization_names, require
from tenantry.web.forms import errors_by_field, validate
from tenantry.web.rendering import render
from tenantry.web.routing import PageActor, page_router

router = page_router()
PAGE_SIZE = 50


class AuditQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    organization: uuid.UUID | None = None
    action: str | None = Field(default=None, max_length=64)
    actor: str | None = Field(default=None, max_length=100)
    target: str | None = Field(default=None, max_length=64)
    since: date | None = None
    until: date | None = None
    cursor: str | None = Field(default=None, max_length=500)


def _start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return str(value)


def change_rows(changes: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """An event's changes as (field, before, after) rows."""
    before, after = changes.get("before"), changes.get("after")
    if set(changes) <= {"before", "after"} and isinstance(before or {}, dict):
        before, after = before or {}, after or {}
        return [(k, _shown(before.get(k)), _shown(after.get(k))) for k in sorted({*before, *after})]
    return [(str(k), "", _shown(v)) for k, v in sorted(changes.items())]


@router.get("/audit")
async def audit_log(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, Permission.AUDIT_READ)
    given = {k: v.strip() for k, v in request.query_params.items() if v.strip()}
    rows: list[AuditEvent] = []
    errors: dict[str, str] = {}
    next_url = None
    organization_id = None
    try:
        query = validate(AuditQuery, given)
        organization_id = query.organization
        # "Until" is a day the person includes: events before the next midnight (UTC).
        until = _start_of(query.until + timedelta(days=1)) if query.until else None
        filters = AuditFilter(
            query.organization, query.action, query.actor, query.target,
            _start_of(query.since), until,
        )  # fmt: skip
        found, cursor = await repository.page(
            session, actor, filters, cursor=query.cursor, limit=PAGE_SIZE
        )
        rows = list(found)
        if cursor:
            next_url = "/audit?" + urlencode(given | {"cursor": cursor})
    except ValidationFailed as exc:
        errors = errors_by_field(exc.errors)
    filters_only = {k: v for k, v in given.items() if k != "cursor"}
    names = await organization_names(
        session, actor, [organization_id, *(e.organization_id for e in rows)]
    )
    context = {
        "section": "audit",
        "events": [(event, change_rows(event.changes)) for event in rows],
        "names": names,
        "filtered_organization": names.get(organization_id) if organization_id else None,
        "values": given,
        "errors": errors,
        "next_url": next_url,
        "first_url": ("/audit?" + urlencode(filters_only)) if "cursor" in given else None,
    }
    return render(request, "audit/list.html", context, status_code=422 if errors else 200)
