"""HTTP API of people, memberships, API tokens and the caller itself (/api/v1)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response

from tenantry.deps import CurrentActor, DbSession
from tenantry.identity import service
from tenantry.identity.schemas import (
    ApiTokenCreate,
    ApiTokenIssued,
    ApiTokenRead,
    MemberRead,
    MemberUpdate,
    MeRead,
)
from tenantry.models import Membership, User
from tenantry.pagination import MAX_PAGE_SIZE
from tenantry.problems import API_ERRORS
from tenantry.schemas import Page

router = APIRouter(prefix="/api/v1", tags=["people and API tokens"], responses=API_ERRORS)

MEMBERS = "/organizations/{organization_id}/members"
API_TOKENS = "/organizations/{organization_id}/api-tokens"
Cursor = Query(default=None, max_length=500)
Limit = Query(default=50, ge=1, le=MAX_PAGE_SIZE)


TOKEN_EXAMPLES = {
    role: {"value": {"name": "ERP integration", "role": role, "expires_in_days": 90}}
    for role in ("customer_user",)
}


def _member(membership: Membership, user: User) -> MemberRead:
    return MemberRead(
        user_id=user.id,
        organization_id=membership.organization_id,
        email=user.email,
        full_name=user.full_name,
        role=membership.role,
        joined_at=membership.created_at,
        last_login_at=user.last_login_at,
        active=user.is_active,
    )


@router.get("/me", summary="Who you are: your organization, role, permissions and memberships")
async def get_me(session: DbSession, actor: CurrentActor) -> MeRead:
    return await service.describe(session, actor)


@router.get(MEMBERS, summary="The people in an organization and their roles")
async def list_members(
    organization_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    cursor: str | None = Cursor,
    limit: int = Limit,
) -> Page[MemberRead]:
    rows, next_cursor = await service.members_page(
        session, actor, organization_id, cursor=cursor, limit=limit
    )
    return Page(items=[_member(m, u) for m, u in rows], next_cursor=next_cursor)


@router.patch(f"{MEMBERS}/{{user_id}}", summary="Change a member's role")
async def update_member(
    organization_id: uuid.UUID,
    user_id: uuid.UUID,
    data: MemberUpdate,
    session: DbSession,
    actor: CurrentActor,
) -> MemberRead:
    membership, user = await service.change_member_role(
        session, actor, organization_id, user_id, data.role
    )
    return _member(membership, user)


@router.delete(
    f"{MEMBERS}/{{user_id}}",
    status_code=204,
    response_class=Response,
    summary="Remove a person from an organization (never its last admin: 409)",
)
async def remove_member(
    organization_id: uuid.UUID, user_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> None:
    await service.remove_member(session, actor, organization_id, user_id)


@router.get(API_TOKENS, summary="An organization's API tokens (never their secrets)")
async def list_api_tokens(
    organization_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    cursor: str | None = Cursor,
    limit: int = Limit,
) -> Page[ApiTokenRead]:
    rows, next_cursor = await service.api_tokens_page(
        session, actor, organization_id, cursor=cursor, limit=limit
    )
    return Page(items=[ApiTokenRead.model_validate(t) for t in rows], next_cursor=next_cursor)


@router.post(
    API_TOKENS,
    status_code=201,
    summary="Create an API token; its secret is in this answer and nowhere else",
    description="The token acts with its role in this organization until it expires or is "
    "revoked. Its role must be one of the organization's kind and no more than your own.",
)
async def create_api_token(
    organization_id: uuid.UUID,
    data: Annotated[ApiTokenCreate, Body(openapi_examples=TOKEN_EXAMPLES)],
    session: DbSession,
    actor: CurrentActor,
) -> ApiTokenIssued:
    token, secret = await service.create_api_token(session, actor, organization_id, data)
    read = ApiTokenRead.model_validate(token)
    return ApiTokenIssued(**read.model_dump(exclude={"status"}), secret=secret)


@router.delete(
    f"{API_TOKENS}/{{token_id}}",
    status_code=204,
    response_class=Response,
    summary="Revoke an API token (revoking it again changes nothing)",
)
async def revoke_api_token(
    organization_id: uuid.UUID, token_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> None:
    await service.revoke_api_token(session, actor, organization_id, token_id)
