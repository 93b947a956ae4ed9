"""Staff pages: the platform's agreements and their versions (/platform-agreements), publishing a
new version, the segments that need the professional-secrecy agreement, and one customer's
platform agreements with its marking (/organizations/{id}/platform-agreements)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements.platform import acceptance, marking, versions
from tenantry.agreements.platform.schemas import PlatformAgreement, VersionCreate, VersionNumber
from tenantry.deps import DbSession
from tenantry.errors import NotFound, TenantryError
from tenantry.models import Organization, OrganizationKind
from tenantry.organizations import repository
from tenantry.security import Actor, Permission, manages, require
from tenantry.web.forms import FormState, payload, problem_of, text, validate, values_of
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()
INDEX = "/platform-agreements"
PUBLISH_FIELDS = ("title", "body", "effective_on")
FIELD_NAMES = {"title": "Title", "body": "Text", "effective_on": "Applies from"}
DONE = {
    "published": "The new version is published. Customers accept it before their next order "
    "from the day it applies.",
    "segments": "The segments are saved.",
    "marked": "Saved.",
}


async def _overview(request: Request, session: AsyncSession, actor: Actor,
                    problem: str | None = None, status_code: int = 200) -> Response:  # fmt: skip
    require(actor, Permission.ORGANIZATION_READ)
    if not actor.is_platform:
        raise NotFound("the platform's agreements are managed by the platform's staff")
    agreements = []
    for agreement in PlatformAgreement:
        found = await versions.versions(session, actor.platform_id, agreement.kind)
        agreements.append((agreement, versions.LABELS[agreement.kind], found,
                           versions.current_of(found)))  # fmt: skip
    context = {
        "section": "platform_agreements", "agreements": agreements,
        "segments": await repository.segments(session, actor.platform_id),
        "may_configure": actor.can(Permission.PLATFORM_CONFIGURE),
        "applies_from": versions.applies_from, "today": versions.today(),
        "done": DONE.get(request.query_params.get("done", "")), "problem": problem,
    }  # fmt: skip
    return render(request, "agreements/platform/index.html", context, status_code=status_code)


@router.get(INDEX)
async def overview(request: Request, session: DbSession, actor: PageActor) -> Response:
    return await _overview(request, session, actor)


@router.post(f"{INDEX}/segments")
async def save_segments(request: Request, session: DbSession, actor: PageActor) -> Response:
    form = await request.form()
    raw = [v for v in form.getlist("segment_ids") if isinstance(v, str)]
    try:
        ids = [uuid.UUID(v) for v in raw]
        async with session.begin_nested():
            await marking.set_secrecy_segments(session, actor, ids)
    except ValueError:
        return await _overview(request, session, actor, "Choose segments from the list.", 422)
    except TenantryError as exc:
        if exc.status == 403:
            raise
        return await _overview(request, session, actor, problem_of(exc)[1] or exc.detail,
                               exc.status)  # fmt: skip
    return redirect(f"{INDEX}?done=segments")


async def _publish_page(request: Request, session: AsyncSession, actor: Actor,
                        agreement: PlatformAgreement, state: FormState | None = None,
                        status_code: int = 200) -> Response:  # fmt: skip
    require(actor, Permission.PLATFORM_CONFIGURE, hint="the platform's admins publish agreements")
    found = await versions.versions(session, actor.platform_id, agreement.kind)
    if state is None:
        newest = found[0] if found else None
        state = FormState({"title": newest.title if newest else "",
                           "body": newest.body if newest else "",
                           "effective_on": versions.today().isoformat()})  # fmt: skip
    context = {
        "section": "platform_agreements", "agreement": agreement,
        "label": versions.LABELS[agreement.kind], "form": state, "field_names": FIELD_NAMES,
        "next_number": (found[0].version + 1) if found else 1,
    }  # fmt: skip
    return render(request, "agreements/platform/publish.html", context, status_code=status_code)


@router.get(INDEX + "/{agreement}/publish")
async def publish_form(
    agreement: PlatformAgreement, request: Request, session: DbSession, actor: PageActor
) -> Response:
    return await _publish_page(request, session, actor, agreement)


@router.post(INDEX + "/{agreement}/publish")
async def publish(
    agreement: PlatformAgreement, request: Request, session: DbSession, actor: PageActor
) -> Response:
    form = await request.form()
    values = values_of(form, PUBLISH_FIELDS)
    try:
        data = validate(VersionCreate, payload(values))
        async with session.begin_nested():
            await versions.publish(session, actor, agreement, data)
    except TenantryError as exc:
        if exc.status == 403:
            raise
        errors, message = problem_of(exc)
        return await _publish_page(request, session, actor, agreement,
                                   FormState(values, errors, message), exc.status)  # fmt: skip
    return redirect(f"{INDEX}?done=published")


@router.get(INDEX + "/{agreement}/versions/{number}")
async def version_page(
    agreement: PlatformAgreement, number: VersionNumber, request: Request, session: DbSession,
    actor: PageActor,
) -> Response:  # fmt: skip
    require(actor, Permission.ORGANIZATION_READ)
    version = await versions.get(session, actor, agreement, number)
    context = {"section": "platform_agreements", "version": version,
               "label": versions.LABELS[agreement.kind],
               "applies_from": versions.applies_from(version)}  # fmt: skip
    return render(request, "agreements/platform/version.html", context)


def _may_mark(actor: Actor, organization: Organization) -> bool:
    return (
        actor.can(Permission.ORGANIZATION_EDIT_BASIC)
        and manages(actor, organization)
        and organization.kind is OrganizationKind.CUSTOMER
    )


ORGANIZATION_PAGE = "/organizations/{organization_id}/platform-agreements"


async def _organization_page(request: Request, session: AsyncSession, actor: Actor,
                             organization: Organization) -> Response:  # fmt: skip
    context: dict[str, Any] = {
        "section": "organizations", "organization": organization,
        "statuses": await acceptance.statuses(session, organization),
        "labels": versions.LABELS, "may_mark": _may_mark(actor, organization),
        "done": DONE.get(request.query_params.get("done", "")),
    }  # fmt: skip
    return render(request, "agreements/platform/organization.html", context)


@router.get(ORGANIZATION_PAGE)
async def organization_page(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    organization = await marking.organization_in_scope(session, actor, organization_id)
    return await _organization_page(request, session, actor, organization)


@router.post(ORGANIZATION_PAGE + "/professional-secrecy")
async def mark(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    form = await request.form()
    required = text(form, "required") == "true"
    await marking.mark_organization(session, actor, organization_id, required)
    return redirect(ORGANIZATION_PAGE.format(organization_id=organization_id) + "?done=marked")
