"""The sync history (/sync): runs newest first with their counts, duration and calls; one run
with each error and the customer it concerns (/sync/runs/{id}); "Sync now" for the platform
(platform staff) or the reseller (its admins)."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from fastapi import Request, Response
from pydantic import BaseModel, ConfigDict, Field

from tenantry.deps import DbSession
from tenantry.errors import ValidationFailed
from tenantry.models import OrganizationKind, SyncRun
from tenantry.security import Permission, organization_names, require
from tenantry.sync import manual
from tenantry.sync.history import labels, repository
from tenantry.web.forms import errors_by_field, validate
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()
PATH = "/sync"
PAGE_SIZE = 50
DONE = {
    "queued": "Sync queued: it starts in a moment, and this list shows it as it runs.",
    "joined": "A sync of the same scope was already under way: you joined the sync already "
    "running, and it covers your request.",
}


class RunsQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    cursor: str | None = Field(default=None, max_length=500)


def done_message(request: Request) -> str | None:
    return DONE.get(request.query_params.get("done", ""))


@router.get(PATH)
async def runs_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, Permission.SYNC_READ)
    given = {k: v.strip() for k, v in request.query_params.items() if v.strip()}
    rows: list[SyncRun] = []
    errors: dict[str, str] = {}
    next_url = None
    try:
        query = validate(RunsQuery, given)
        found, cursor = await repository.runs_page(
            session, actor, cursor=query.cursor, limit=PAGE_SIZE
        )
        rows = list(found)
        if cursor:
            next_url = f"{PATH}?" + urlencode({"cursor": cursor})
    except ValidationFailed as exc:
        errors = errors_by_field(exc.errors)
    context = labels.context() | {
        "section": "sync",
        "runs": rows,
        "errors": errors,
        "names": await organization_names(session, actor, (r.scope_organization_id for r in rows)),
        "next_url": next_url,
        "first_url": PATH if "cursor" in given else None,
        "may_sync": actor.can(Permission.SYNC_RUN)
        and actor.organization_kind is not OrganizationKind.CUSTOMER,
        "done": done_message(request),
    }
    return render(request, "sync/runs.html", context, status_code=422 if errors else 200)


@router.get(f"{PATH}/runs/{{run_id}}")
async def run_page(
    run_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    require(actor, Permission.SYNC_READ)
    run = await repository.get_run(session, actor, run_id)
    errors = await repository.errors_of(session, run)
    context = labels.context() | {
        "section": "sync",
        "run": run,
        "run_errors": errors,
        "holders": await repository.holders(session, actor, errors),
        "names": await organization_names(session, actor, [run.scope_organization_id]),
        "done": done_message(request),
    }
    return render(request, "sync/run.html", context)


@router.post(f"{PATH}/now")
async def sync_now(request: Request, session: DbSession, actor: PageActor) -> Response:
    """Sync the whole platform (platform staff) or the caller's reseller (its admins)."""
    # Back to the list, which shows the run: a reseller's request may join a platform run
    # that is not started yet, which its staff cannot open.
    _, joined = await manual.sync_now(session, actor)
    return redirect(f"{PATH}?done={'joined' if joined else 'queued'}")
