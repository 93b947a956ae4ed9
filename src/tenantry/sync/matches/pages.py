"""The Matches page (/sync/matches): open proposals in the caller's scope with their evidence,
and what staff do about each: link a Partner Center account, merge two organizations (the
wizard), or dismiss."""

from __future__ import annotations

import uuid
from typing import Literal

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.deps import DbSession
from tenantry.errors import TenantryError
from tenantry.models import MatchStatus
from tenantry.security import Actor, Permission, require
from tenantry.sync.matches import service
from tenantry.sync.matches.schemas import match_read
from tenantry.web.forms import problem_of
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()
PATH = "/sync/matches"
PAGE_SIZE = 50
DONE = {
    "linked": "The organization is linked to the Partner Center customer.",
    "dismissed": "The match is dismissed; it will not be proposed again.",
}


async def _page(
    request: Request, session: AsyncSession, actor: Actor, *, problem: str | None = None,
    status_code: int = 200,
) -> Response:  # fmt: skip
    cursor = request.query_params.get("cursor") or None
    rows, next_cursor = await service.page(
        session, actor, status=MatchStatus.OPEN, cursor=cursor, limit=PAGE_SIZE
    )
    organizations, accounts = await service.related(session, rows)
    done = request.query_params.get("done", "")
    scanned = request.query_params.get("scanned")
    context = {
        "section": "matches",
        "matches": [match_read(r, organizations, accounts) for r in rows],
        "next_url": f"{PATH}?cursor={next_cursor}" if next_cursor else None,
        "first_url": PATH if cursor else None,
        "may_decide": actor.can(Permission.SYNC_RUN),
        "may_merge": actor.can(Permission.ORGANIZATIONS_MERGE),
        "done": DONE.get(done)
        or (f"Duplicate organizations looked for: {scanned} open." if scanned else None),
        "problem": problem,
    }
    return render(request, "sync/matches.html", context, status_code=status_code)


@router.get(PATH)
async def matches_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, Permission.SYNC_READ)
    return await _page(request, session, actor)


@router.post(f"{PATH}/scan")
async def scan(request: Request, session: DbSession, actor: PageActor) -> Response:
    """Look for duplicate organizations and list them here."""
    pairs = await service.scan(session, actor)
    return redirect(f"{PATH}?scanned={len(pairs)}")


@router.post(PATH + "/{match_id}/{action}")
async def decide(
    match_id: uuid.UUID, action: Literal["link", "dismiss"], request: Request,
    session: DbSession, actor: PageActor,
) -> Response:  # fmt: skip
    """Link or dismiss; a refusal (the tenant is held elsewhere, decided meanwhile) is shown
    above the list."""
    try:
        async with session.begin_nested():
            if action == "link":
                await service.link(session, actor, match_id)
            else:
                await service.dismiss(session, actor, match_id)
    except TenantryError as exc:
        message = problem_of(exc)[1] or exc.detail
        return await _page(request, session, actor, problem=message, status_code=exc.status)
    return redirect(f"{PATH}?done={'linked' if action == 'link' else 'dismissed'}")
