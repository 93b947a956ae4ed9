"""The People page of an organization (``/organizations/{id}/people``).

Everyone who may see the organization sees who belongs to it and in which role, as the API's
member list does. Those who manage its people (``members.manage``, for their own organization
or one they sell to) also invite, send invitations again, revoke them, change roles and remove
members. Every write calls the same service as the API inside a savepoint, so it is scoped and
audited the same way; a refusal comes back with its message beside the field (or above the list).
"""

from __future__ import annotations

import enum
import uuid
from typing import Any

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.deps import DbSession
from tenantry.errors import Forbidden, TenantryError
from tenantry.identity import service
from tenantry.identity.invitations import service as invitations
from tenantry.identity.invitations.schemas import InvitationCreate, InvitationRead
from tenantry.identity.schemas import MemberUpdate
from tenantry.models import Organization
from tenantry.organizations import repository
from tenantry.pagination import MAX_PAGE_SIZE
from tenantry.security import ROLE_PERMISSIONS, ROLES_BY_KIND, Actor, Permission
from tenantry.web.forms import FormState, problem_of, validate, values_of
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()
PEOPLE = "/organizations/{organization_id}/people"
DONE = {
    "invited": "The invitation is on its way. They join when they accept it.",
    "resent": "The invitation was sent again with a new link.",
    "revoked": "The invitation was revoked; its link no longer works.",
    "role": "The role was changed.",
    "removed": "The person was removed from the organization.",
}


def _role_label(role: str) -> str:
    return role.replace("_", " ").capitalize()


def _role_options(actor: Actor, organization: Organization) -> list[tuple[str, str]]:
    """The roles one may hand out here (the organization's kind's, at most one's own), the
    least powerful first, so it is the one a form starts with."""
    mine = ROLE_PERMISSIONS[actor.role]
    return [
        (r.value, _role_label(r.value))
        for r in sorted(ROLES_BY_KIND[organization.kind], key=lambda r: len(ROLE_PERMISSIONS[r]))
        if ROLE_PERMISSIONS[r] <= mine
    ]


async def _may_manage(session: AsyncSession, actor: Actor, organization_id: uuid.UUID) -> bool:
    try:
        await service.administered(
            session, actor, organization_id, Permission.MEMBERS_MANAGE, for_update=False
        )
    except Forbidden:
        return False
    return True


async def _people_page(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    organization_id: uuid.UUID,
    *,
    invite_form: FormState | None = None,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    # The member list checks the permission to see the organization and its scope (else 404).
    members, _ = await service.members_page(
        session, actor, organization_id, cursor=None, limit=MAX_PAGE_SIZE
    )
    organization = await repository.get(session, actor, organization_id)
    may_manage = await _may_manage(session, actor, organization.id)
    pending: list[InvitationRead] = []
    if may_manage:
        rows, _ = await invitations.invitations_page(
            session, actor, organization.id, cursor=None, limit=MAX_PAGE_SIZE
        )
        pending = [InvitationRead.model_validate(i) for i in rows]
    context: dict[str, Any] = {
        "section": "organizations",
        "organization": organization,
        "members": members,
        "invitations": pending,
        "may_manage": may_manage,
        "role_options": _role_options(actor, organization),
        "role_label": _role_label,
        "invite": invite_form or FormState({"email": "", "role": ""}),
        "done": DONE.get(request.query_params.get("done", "")),
        "problem": problem,
    }
    return render(request, "organizations/people.html", context, status_code=status_code)


def _back(organization_id: uuid.UUID, done: str) -> Response:
    return redirect(f"/organizations/{organization_id}/people?done={done}")


@router.get(PEOPLE)
async def people(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    return await _people_page(request, session, actor, organization_id)


@router.post(f"{PEOPLE}/invite")
async def invite(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    """Invite an address in a role; the form comes back with errors beside its fields."""
    values = values_of(await request.form(), ["email", "role"])
    try:
        data = validate(InvitationCreate, {k: v for k, v in values.items() if v})
        async with session.begin_nested():
            await invitations.invite(session, actor, organization_id, data)
    except TenantryError as exc:
        errors, message = problem_of(exc)
        return await _people_page(
            request, session, actor, organization_id,
            invite_form=FormState(values, errors, message), status_code=exc.status,
        )  # fmt: skip
    return _back(organization_id, "invited")


async def _act(
    request: Request, session: AsyncSession, actor: Actor, organization_id: uuid.UUID,
    done: str, action: Any,
) -> Response:  # fmt: skip
    """Run one change of a member or an invitation; a refusal shows above the lists."""
    try:
        async with session.begin_nested():
            await action()
    except TenantryError as exc:
        _, message = problem_of(exc)
        detail = message or "; ".join(e.message for e in exc.errors)
        return await _people_page(
            request, session, actor, organization_id, problem=detail, status_code=exc.status
        )
    return _back(organization_id, done)


class InvitationChange(enum.StrEnum):
    RESEND = "resend"
    REVOKE = "revoke"


INVITATION_CHANGES = {
    InvitationChange.RESEND: (invitations.resend, "resent"),
    InvitationChange.REVOKE: (invitations.revoke, "revoked"),
}


@router.post(f"{PEOPLE}/invitations/{{invitation_id}}/{{change}}")
async def change_invitation(
    organization_id: uuid.UUID, invitation_id: uuid.UUID, change: InvitationChange,
    request: Request, session: DbSession, actor: PageActor,
) -> Response:  # fmt: skip
    """Send an invitation again (a new link) or revoke it."""
    run, done = INVITATION_CHANGES[change]

    async def action() -> None:
        await run(session, actor, organization_id, invitation_id)

    return await _act(request, session, actor, organization_id, done, action)


@router.post(f"{PEOPLE}/{{user_id}}/role")
async def change_role(
    organization_id: uuid.UUID, user_id: uuid.UUID, request: Request,
    session: DbSession, actor: PageActor,
) -> Response:  # fmt: skip
    values = values_of(await request.form(), ["role"])

    async def action() -> None:
        data = validate(MemberUpdate, values)
        await service.change_member_role(session, actor, organization_id, user_id, data.role)

    return await _act(request, session, actor, organization_id, "role", action)


@router.post(f"{PEOPLE}/{{user_id}}/remove")
async def remove(
    organization_id: uuid.UUID, user_id: uuid.UUID, request: Request,
    session: DbSession, actor: PageActor,
) -> Response:  # fmt: skip
    async def action() -> None:
        await service.remove_member(session, actor, organization_id, user_id)

    return await _act(request, session, actor, organization_id, "removed", action)
