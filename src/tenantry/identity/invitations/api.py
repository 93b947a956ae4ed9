"""HTTP API of invitations (/api/v1/organizations/{id}/invitations)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query, Response

from tenantry.deps import CurrentActor, DbSession
from tenantry.identity.invitations import service
from tenantry.identity.invitations.schemas import InvitationCreate, InvitationRead
from tenantry.pagination import MAX_PAGE_SIZE
from tenantry.problems import API_ERRORS
from tenantry.schemas import Page

router = APIRouter(prefix="/api/v1", tags=["people and API tokens"], responses=API_ERRORS)

INVITATIONS = "/organizations/{organization_id}/invitations"


INVITATION_EXAMPLES = {
    role: {"value": {"email": f"new.{role}@example.com", "role": role}}
    for role in ("customer_user",)
}


@router.post(
    INVITATIONS,
    status_code=202,
    summary="Invite a person by email; they join only when they accept the emailed link",
    description="The answer is the same whether or not the address has an account. The role "
    "must be one of the organization's kind and no more than your own. Inviting a member is "
    "409; inviting an address with an open invitation sends it again (with this role).",
)
async def invite(
    organization_id: uuid.UUID,
    data: Annotated[InvitationCreate, Body(openapi_examples=INVITATION_EXAMPLES)],
    session: DbSession,
    actor: CurrentActor,
) -> InvitationRead:
    return InvitationRead.model_validate(
        await service.invite(session, actor, organization_id, data)
    )


@router.get(INVITATIONS, summary="Invitations not yet accepted or revoked (expired ones too)")
async def list_invitations(
    organization_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=50, ge=1, le=MAX_PAGE_SIZE),
) -> Page[InvitationRead]:
    rows, next_cursor = await service.invitations_page(
        session, actor, organization_id, cursor=cursor, limit=limit
    )
    return Page(items=[InvitationRead.model_validate(i) for i in rows], next_cursor=next_cursor)


@router.post(
    f"{INVITATIONS}/{{invitation_id}}/resend",
    summary="Email the invitation again with a new link (the old one stops working)",
)
async def resend_invitation(
    organization_id: uuid.UUID, invitation_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> InvitationRead:
    return InvitationRead.model_validate(
        await service.resend(session, actor, organization_id, invitation_id)
    )


@router.delete(
    f"{INVITATIONS}/{{invitation_id}}",
    status_code=204,
    response_class=Response,
    summary="Revoke an invitation: its link stops working (revoking again changes nothing)",
)
async def revoke_invitation(
    organization_id: uuid.UUID, invitation_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> None:
    await service.revoke(session, actor, organization_id, invitation_id)
