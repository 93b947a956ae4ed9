"""Partner Center customers no organization holds (/sync/unlinked): company, domains, reseller,
first seen, bill-to incomplete, and the matches proposed for each."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request, Response
from pydantic import BaseModel, ConfigDict, Field

from tenantry.deps import DbSession
from tenantry.errors import ValidationFailed
from tenantry.models import PartnerCenterAccount
from tenantry.security import Permission, require
from tenantry.sync import billto
from tenantry.sync.unlinked import repository
from tenantry.web.forms import errors_by_field, validate
from tenantry.web.rendering import render
from tenantry.web.routing import PageActor, page_router

router = page_router()
PATH = "/sync/unlinked"
PAGE_SIZE = 50


class UnlinkedQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    cursor: str | None = Field(default=None, max_length=500)


@router.get(PATH)
async def unlinked_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, Permission.SYNC_READ)
    given = {k: v.strip() for k, v in request.query_params.items() if v.strip()}
    rows: list[PartnerCenterAccount] = []
    errors: dict[str, str] = {}
    next_url = None
    try:
        query = validate(UnlinkedQuery, given)
        found, cursor = await repository.page(session, actor, cursor=query.cursor, limit=PAGE_SIZE)
        rows = list(found)
        if cursor:
            next_url = f"{PATH}?" + urlencode({"cursor": cursor})
    except ValidationFailed as exc:
        errors = errors_by_field(exc.errors)
    context = {
        "section": "sync_unlinked",
        "accounts": rows,
        "total": await repository.count(session, actor),
        "resellers": await repository.resellers(session, actor.platform_id, rows),
        "proposals": await repository.open_proposals(session, rows),
        "missing": {a.id: billto.missing_labels(billto.missing_of(a)) for a in rows},
        "errors": errors,
        "next_url": next_url,
        "first_url": PATH if "cursor" in given else None,
    }
    return render(request, "sync/unlinked.html", context, status_code=422 if errors else 200)
