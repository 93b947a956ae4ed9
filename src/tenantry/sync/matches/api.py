"""HTTP API of match proposals (/api/v1/sync/matches)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Query

from tenantry.deps import CurrentActor, DbSession
from tenantry.models import MatchProposal, MatchStatus
from tenantry.pagination import MAX_PAGE_SIZE
from tenantry.problems import API_ERRORS
from tenantry.schemas import Page
from tenantry.sync.matches import service
from tenantry.sync.matches.schemas import MatchRead, ScanResult, match_read

router = APIRouter(prefix="/api/v1/sync/matches", tags=["sync"], responses=API_ERRORS)


async def _one(session: DbSession, proposal: MatchProposal) -> MatchRead:
    organizations, accounts = await service.related(session, [proposal])
    return match_read(proposal, organizations, accounts)


@router.get("", summary="Match proposals you may see (open ones by default), oldest first")
async def list_matches(
    session: DbSession,
    actor: CurrentActor,
    status: MatchStatus | None = MatchStatus.OPEN,
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=50, ge=1, le=MAX_PAGE_SIZE),
) -> Page[MatchRead]:
    rows, next_cursor = await service.page(
        session, actor, status=status, cursor=cursor, limit=limit
    )
    organizations, accounts = await service.related(session, rows)
    return Page(
        items=[match_read(r, organizations, accounts) for r in rows], next_cursor=next_cursor
    )


@router.post(
    "/scan",
    summary="Look for duplicate organizations in your scope",
    description="Organizations sharing a domain, registration number, VAT ID or company name "
    "(legal form removed) become open proposals, one per pair; a dismissed pair stays "
    "dismissed. Needs sync.run.",
)
async def scan_duplicates(session: DbSession, actor: CurrentActor) -> ScanResult:
    pairs = await service.scan(session, actor)
    proposals = [p.proposal for p in pairs]
    organizations, accounts = await service.related(session, proposals)
    return ScanResult(
        found=len(pairs),
        created=sum(p.created for p in pairs),
        items=[match_read(p, organizations, accounts) for p in proposals],
    )


@router.post(
    "/{match_id}/link",
    summary="Link the Partner Center account to the proposed organization",
    description="The organization takes the account's tenant (409 when it holds another, or "
    "another organization holds this one; 409 for a proposal of two organizations: merge "
    "them). The account's other open proposals are dismissed. Needs sync.run.",
)
async def link_match(match_id: uuid.UUID, session: DbSession, actor: CurrentActor) -> MatchRead:
    proposal = await service.link(session, actor, match_id)
    return await _one(session, proposal)


@router.post(
    "/{match_id}/dismiss",
    summary="Dismiss a proposal: the two are different companies (not proposed again)",
)
async def dismiss_match(match_id: uuid.UUID, session: DbSession, actor: CurrentActor) -> MatchRead:
    proposal = await service.dismiss(session, actor, match_id)
    return await _one(session, proposal)
