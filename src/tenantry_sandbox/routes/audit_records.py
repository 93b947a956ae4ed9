"""The activity log: ``GET /v1/auditrecords?startDate=&endDate=&size=&filter=`` (seek paging).

Records are the calling partner's own. ``startDate`` defaults to 30 days ago and may not be more
than 90 days back (400); ``endDate`` (inclusive when a date) defaults to today. ``filter`` is
``{"Field": "CompanyName"|"CustomerName"|"CustomerId"|"ResourceType", "Value", "Operator":
"substring"|"equals"}``. Later pages are asked for with ``seekOperation=Next`` and the
``MS-ContinuationToken`` header only, so the token carries the window and the filter.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Annotated

from fastapi import Query, Request

from tenantry_sandbox.api import AnyCaller, SeekParams, Session, State, partner_center_router
from tenantry_sandbox.binding import fold
from tenantry_sandbox.errors import invalid_property
from tenantry_sandbox.filters import parse_field_filter
from tenantry_sandbox.paging import cut, seek_collection
from tenantry_sandbox.resources import Collection
from tenantry_sandbox.routes._links import self_uri
from tenantry_sandbox.schemas.audit_records import AuditRecordOut, audit_record_out
from tenantry_sandbox.store import audit_records
from tenantry_sandbox.store.audit_records import AuditFilter

router = partner_center_router(tags=["audit"])

DEFAULT_WINDOW = timedelta(days=30)
RETENTION = timedelta(days=90)
FILTER_FIELDS = ("companyname", "customername", "customerid", "resourcetype")
# The .NET SDK sends dates in the invariant culture ("6/1/2017 12:00:00 AM").
INVARIANT_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y")


def _moment(value: str, field: str) -> tuple[datetime, bool]:
    """A date or date-time in UTC, and whether it was a bare date."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        bare = len(text) <= len("2024-01-31")
    except ValueError:
        for layout in INVARIANT_FORMATS:
            try:
                parsed, bare = datetime.strptime(text, layout), layout == "%m/%d/%Y"
                break
            except ValueError:
                continue
        else:
            raise invalid_property(f"'{value}' is not a date (yyyy-mm-dd).", field) from None
    return (parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)), bare


def _window(start: str | None, end: str | None, now: datetime) -> tuple[datetime, datetime]:
    today = datetime.combine(now.date(), time(), tzinfo=UTC)
    begin = _moment(start, "startDate")[0] if start else now - DEFAULT_WINDOW
    if begin < today - RETENTION:
        raise invalid_property(
            "Activity records are kept for 90 days; startDate is further back.", "startDate"
        )
    finish = today + timedelta(days=1)
    if end:
        finish, bare = _moment(end, "endDate")
        finish += timedelta(days=1) if bare else timedelta(0)
    if finish <= begin:
        raise invalid_property("endDate is before startDate.", "endDate")
    return begin, finish


def _filter(raw: str | None) -> AuditFilter | None:
    if not raw:
        return None
    parsed = parse_field_filter(raw, FILTER_FIELDS, operators=("substring", "equals"))
    members = {fold(str(key)): value for key, value in json.loads(raw).items()}
    exact = fold(str(members.get("operator", ""))) == "equals"
    field = "customername" if parsed.field == "companyname" else parsed.field
    return AuditFilter(field, parsed.value, exact)


@router.get("/auditrecords", summary="Get the partner's activity records (seek paging)")
async def list_audit_records(
    request: Request,
    caller: AnyCaller,
    session: Session,
    state: State,
    seek: SeekParams,
    start_date: Annotated[str | None, Query(alias="startDate")] = None,
    end_date: Annotated[str | None, Query(alias="endDate")] = None,
) -> Collection[AuditRecordOut]:
    cursor = seek.cursor(scope=f"{caller.tenant_id}:auditrecords")
    if seek.next_token is None:
        begin, finish = _window(start_date, end_date, state.clock.now())
        query = {"f": cursor.filter, "s": begin.isoformat(), "e": finish.isoformat()}
        cursor = replace(cursor, filter=json.dumps(query, separators=(",", ":")))
    query = json.loads(cursor.filter or "{}")
    rows = await audit_records.page(
        session,
        caller.tenant_id,
        start=datetime.fromisoformat(query["s"]),
        end=datetime.fromisoformat(query["e"]),
        after=cursor.after,
        limit=cursor.size + 1,
        audit_filter=_filter(query.get("f")),
    )
    page = cut(seek.tokens, cursor, rows, key=lambda row: row.seq)
    return seek_collection(
        [audit_record_out(row) for row in page.rows], page.next_token, self_uri=self_uri(request)
    )
