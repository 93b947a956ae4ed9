"""Page of Partner Center's events (/partner-center/events): what Partner Center reported and what
became of it, newest first, filtered by outcome and type."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request, Response
from pydantic import BaseModel, ConfigDict, Field

from tenantry.deps import DbSession
from tenantry.errors import ValidationFailed
from tenantry.models import EventOutcome, PartnerCenterEvent
from tenantry.partnercenter_events import service
from tenantry.security import Permission, require
from tenantry.web.forms import errors_by_field, validate
from tenantry.web.rendering import render
from tenantry.web.routing import PageActor, page_router

router = page_router()
PAGE_SIZE = 50
PATH = "/partner-center/events"


class EventsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    outcome: EventOutcome | None = None
    event_name: str | None = Field(default=None, max_length=128)
    cursor: str | None = Field(default=None, max_length=500)


@router.get(PATH)
async def events_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, Permission.PARTNER_CENTER_EVENTS_READ)
    given = {k: v.strip() for k, v in request.query_params.items() if v.strip()}
    rows: list[PartnerCenterEvent] = []
    errors: dict[str, str] = {}
    next_url = None
    try:
        query = validate(EventsQuery, given)
        found, cursor = await service.page(
            session, actor, outcome=query.outcome, event_name=query.event_name,
            cursor=query.cursor, limit=PAGE_SIZE,
        )  # fmt: skip
        rows = list(found)
        if cursor:
            next_url = f"{PATH}?" + urlencode(given | {"cursor": cursor})
    except ValidationFailed as exc:
        errors = errors_by_field(exc.errors)
    filters_only = {k: v for k, v in given.items() if k != "cursor"}
    names = await service.event_names(session, actor)
    context = {
        "section": "partner_center_events",
        "events": rows,
        "outcomes": [("", "Any outcome")] + [(o.value, o.value.capitalize()) for o in EventOutcome],
        "event_names": [("", "Any type")] + [(n, n or "(no type)") for n in names],
        "values": given,
        "errors": errors,
        "next_url": next_url,
        "first_url": (f"{PATH}?" + urlencode(filters_only)) if "cursor" in given else None,
    }
    return render(
        request, "partner_center/events.html", context, status_code=422 if errors else 200
    )
