"""Pages of organizations: the list, creating one, its detail with edit forms and status buttons.

Every write calls the same service as the API (``service.create``/``update``,
``lifecycle.change_status``) inside a savepoint: if the service refuses, nothing of the attempt
stays and the form comes back with the errors beside the fields and what the person typed.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.deps import DbSession
from tenantry.errors import NotFound, PreconditionFailed, TenantryError, ValidationFailed
from tenantry.identity.on_behalf import service as on_behalf
from tenantry.identity.sign_in import requirements
from tenantry.models import Organization, OrganizationKind, OrganizationStatus, User
from tenantry.organizations import lifecycle, repository, service, sign_in_requirement
from tenantry.organizations import page_forms as forms
from tenantry.organizations.duplicate_guard import PossibleDuplicate
from tenantry.organizations.duplicates import SIGN_NAMES
from tenantry.organizations.filters import OrganizationFilter
from tenantry.organizations.lifecycle import Transition
from tenantry.organizations.merge import redirects
from tenantry.organizations.schemas import (
    OrganizationCreate,
    OrganizationUpdate,
    SignInRequirementUpdate,
    StatusChange,
)
from tenantry.organizations.tenant_check import TenantDirectory, Tenants
from tenantry.registration import storefront
from tenantry.resellers.mpn import PartnerIdDirectory, PartnerIds
from tenantry.security import Actor, Permission, organization_names, require
from tenantry.web.forms import (
    FormState,
    errors_by_field,
    payload,
    problem_of,
    text,
    validate,
    values_of,
)
from tenantry.web.rendering import is_htmx, redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()
CONFIRM_FIELD = "confirm_duplicate"
REQUIREMENT_FORM = "sign_in_requirement"
PAGE_SIZE = 25
STALE = (
    "Someone else saved changes to this organization after you opened it, so your changes were "
    "not saved. The form now shows what is saved; make your change again."
)


class ListQuery(BaseModel):
    """The list's filters, as the filter form (or a bookmarked address) sends them."""

    model_config = ConfigDict(extra="ignore")
    status: OrganizationStatus | None = None
    kind: OrganizationKind | None = None
    segment: uuid.UUID | None = None
    reseller: uuid.UUID | None = None
    q: str | None = Field(default=None, max_length=100)
    cursor: str | None = Field(default=None, max_length=500)


@router.get("/organizations")
async def list_organizations(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, Permission.ORGANIZATION_READ)
    given = {k: v.strip() for k, v in request.query_params.items() if v.strip()}
    rows: list[Organization] = []
    next_url = None
    errors: dict[str, str] = {}
    try:
        query = validate(ListQuery, given)
        filters = OrganizationFilter(
            status=query.status, kind=query.kind, segment_id=query.segment,
            reseller_id=query.reseller, q=query.q,
        )  # fmt: skip
        found, cursor = await repository.page(
            session, actor, filters, cursor=query.cursor, limit=PAGE_SIZE
        )
        rows = list(found)
        if cursor:
            next_url = "/organizations?" + urlencode(given | {"cursor": cursor})
    except ValidationFailed as exc:
        errors = errors_by_field(exc.errors)
    filters_only = {k: v for k, v in given.items() if k != "cursor"}
    context: dict[str, Any] = {
        "section": "organizations",
        "rows": rows,
        "values": given,
        "errors": errors,
        "next_url": next_url,
        "first_url": ("/organizations?" + urlencode(filters_only)) if "cursor" in given else None,
        "parents": await organization_names(session, actor, (r.parent_id for r in rows)),
        "statuses": forms.STATUS_OPTIONS,
        "kinds": forms.KIND_OPTIONS,
        "field_names": forms.FILTER_NAMES,
        # An htmx refresh also updates the status line a screen reader announces.
        "partial": is_htmx(request),
    }
    template = "organizations/_results.html"
    if not is_htmx(request):  # the whole page, with the filter form
        template = "organizations/list.html"
        context["resellers"] = await forms.resellers(session, actor)
        context["choices"] = await forms.choices(session, actor)
    return render(request, template, context, status_code=422 if errors else 200)


async def _new_page(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    state: FormState | None = None,
    status_code: int = 200,
    *,
    duplicates: list[dict[str, Any]] | None = None,
    confirm: str = "",
) -> Response:
    current = await session.get(Organization, actor.organization_id)
    assert current is not None
    defaults: dict[str, str | list[str]] = {
        "kind": "customer",
        "address.country": current.address_country,
        "preferred_currency": current.preferred_currency,
    }
    kinds = [("customer", "Customer")]
    if forms.may_create_resellers(actor, current):
        kinds.append(("reseller", "Reseller"))
    parents = [("", "None: a direct customer of the platform")] + [
        (str(r.id), r.display_name)
        for r in await forms.resellers(session, actor)
        if r.status is OrganizationStatus.ACTIVE
    ]
    context = {
        "section": "new",
        "form": state or FormState(defaults),
        "kinds": kinds,
        "parents": parents if actor.is_platform else [],
        "choices": await forms.choices(session, actor),
        "countries": forms.COUNTRY_OPTIONS,
        "industries": forms.INDUSTRY_OPTIONS,
        "may_approve": actor.can(Permission.ORGANIZATION_APPROVE),
        "duplicates": duplicates or [],
        "signs": SIGN_NAMES,
        "confirm_field": CONFIRM_FIELD,
        "confirm": confirm,
    }
    return render(request, "organizations/new.html", context, status_code=status_code)


@router.get("/organizations/new")
async def new_organization(request: Request, session: DbSession, actor: PageActor) -> Response:
    require(actor, Permission.ORGANIZATION_CREATE)
    return await _new_page(request, session, actor)


@router.post("/organizations/new")
async def create_organization(
    request: Request, session: DbSession, actor: PageActor, tenants: Tenants,
    partner_ids: PartnerIds,
) -> Response:  # fmt: skip
    """Create; a possible duplicate is shown with its matches and created only once the person
    confirms those very matches (``confirmed``: what the warning they saw listed)."""
    form = await request.form()
    properties = (await forms.choices(session, actor)).properties
    names = (*forms.CREATE_FIELDS, *forms.property_fields(properties), forms.SEGMENTS)
    values = values_of(form, names, lists={forms.SEGMENTS})
    approve = text(form, "approve") == "true"
    confirmed = text(form, CONFIRM_FIELD)
    try:
        data = validate(
            OrganizationCreate, payload(values, groups=forms.GROUPS) | {"approve": approve}
        )
        try:
            async with session.begin_nested():
                organization = await service.create(
                    session, actor, data, tenants=tenants, partner_ids=partner_ids
                )
        except PossibleDuplicate as exc:
            if not confirmed or confirmed != _signature(exc):
                raise
            data = data.model_copy(update={"confirm_duplicate": True})
            async with session.begin_nested():
                organization = await service.create(
                    session, actor, data, tenants=tenants, partner_ids=partner_ids
                )
    except PossibleDuplicate as exc:
        errors, _ = problem_of(exc)
        state = FormState(values, errors)
        return await _new_page(
            request, session, actor, state, status_code=exc.status,
            duplicates=exc.extra["matches"], confirm=_signature(exc),
        )  # fmt: skip
    except TenantryError as exc:
        errors, message = problem_of(exc)
        state = FormState(values, errors, message)
        return await _new_page(request, session, actor, state, status_code=exc.status)
    done = "created_and_approved" if approve else "created"
    return redirect(f"/organizations/{organization.id}?done={done}")


def _signature(exc: PossibleDuplicate) -> str:
    """The matches a warning listed, so a confirmation covers those and no others."""
    matches = exc.extra["matches"]
    return "|".join(sorted(f"{m['field']}={m['value']}={m['organization_id']}" for m in matches))


def storefront_url(request: Request, organization: Organization) -> str | None:
    """A seller's storefront, the link its staff hand to new customers."""
    if organization.kind is OrganizationKind.CUSTOMER:
        return None
    base: str = request.app.state.settings.base_url.rstrip("/")
    return base + storefront.path_of(organization)


async def _detail_page(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    organization_id: uuid.UUID,
    *,
    forms_state: dict[str, FormState] | None = None,
    problem: str | None = None,
    status_code: int = 200,
) -> Response:
    require(actor, Permission.ORGANIZATION_READ)
    organization = await repository.get(session, actor, organization_id)
    stored = forms.stored_values(organization)
    state = {"profile": FormState(stored), "basic": FormState(stored)} | (forms_state or {})
    parents = await organization_names(session, actor, [organization.parent_id])
    context = {
        "section": "organizations",
        "organization": organization,
        "forms": state,
        "parent_name": parents.get(organization.parent_id) if organization.parent_id else None,
        "storefront": storefront_url(request, organization),
        "registrant": await session.get(User, organization.registered_by_id)
        if organization.registered_by_id
        else None,
        "transitions": lifecycle.allowed_transitions(actor, organization),
        "may_edit_profile": actor.can(Permission.ORGANIZATION_EDIT_PROFILE),
        "may_edit_basic": service.may_edit_basic_details(actor, organization),
        "may_read_audit": actor.can(Permission.AUDIT_READ),
        "on_behalf_minutes": on_behalf.offered_minutes(request, actor, organization),
        "may_set_requirement": sign_in_requirement.may_set(actor, organization),
        "requirement_form": (forms_state or {}).get(REQUIREMENT_FORM)
        or FormState({"requirement": organization.sign_in_requirement.value}),
        "requirement_options": requirements.OPTIONS,
        "choices": await forms.choices(session, actor),
        "countries": forms.COUNTRY_OPTIONS,
        "done": forms.DONE.get(request.query_params.get("done", "")),
        "problem": problem,
    }
    return render(request, "organizations/detail.html", context, status_code=status_code)


@router.get("/organizations/{organization_id}")
async def organization_detail(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    """An organization's page; a merged-away one's address leads to the one it was merged into."""
    try:
        return await _detail_page(request, session, actor, organization_id)
    except NotFound:
        kept = await redirects.kept_for(session, actor, organization_id)
        if kept is None:
            raise
        return redirect(f"/organizations/{kept}?done=merged_away")


async def _edit(
    request: Request,
    session: AsyncSession,
    actor: Actor,
    organization_id: uuid.UUID,
    which: str,
    tenants: TenantDirectory,
    partner_ids: PartnerIdDirectory,
) -> Response:
    """Save the profile or the basic details form, with the version it was read at."""
    form = await request.form()
    organization = await repository.get(session, actor, organization_id)
    if which == "profile":
        values = values_of(form, forms.PROFILE_FIELDS)
        data = payload(values, clear=forms.PROFILE_CLEARABLE, groups=forms.GROUPS)
    else:
        properties = (await forms.choices(session, actor)).properties
        basic = forms.basic_fields(organization)
        values = values_of(
            form, (*basic, *forms.property_fields(properties), forms.SEGMENTS), {forms.SEGMENTS}
        )
        # Unchecked boxes and emptied properties are not sent: both lists are always replaced.
        data = {"custom_properties": {}} | payload(values, clear=basic)
    version = text(form, "version")
    try:
        update = validate(OrganizationUpdate, data)
        if not version.isdigit():
            raise PreconditionFailed("the form does not say which version it edits")
        async with session.begin_nested():
            await service.update(
                session, actor, organization_id, update, if_match=f'"{version}"',
                tenants=tenants, partner_ids=partner_ids,
            )  # fmt: skip
    except PreconditionFailed:
        state = {which: FormState(forms.stored_values(organization))}
        return await _detail_page(
            request, session, actor, organization_id, forms_state=state, problem=STALE,
            status_code=409,
        )  # fmt: skip
    except TenantryError as exc:
        errors, message = problem_of(exc)
        # Keep the version the person started from: their next try is checked against it.
        state = {which: FormState(values | {"version": version}, errors)}
        return await _detail_page(
            request, session, actor, organization_id, forms_state=state, problem=message,
            status_code=exc.status,
        )  # fmt: skip
    return redirect(f"/organizations/{organization_id}?done={which}")


@router.post("/organizations/{organization_id}/profile")
async def edit_profile(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor,
    tenants: Tenants, partner_ids: PartnerIds,
) -> Response:  # fmt: skip
    return await _edit(request, session, actor, organization_id, "profile", tenants, partner_ids)


@router.post("/organizations/{organization_id}/basic")
async def edit_basic(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor,
    tenants: Tenants, partner_ids: PartnerIds,
) -> Response:  # fmt: skip
    return await _edit(request, session, actor, organization_id, "basic", tenants, partner_ids)


# Before the status changes' route, whose {transition} would take this path too.
@router.post("/organizations/{organization_id}/sign-in-requirement")
async def set_sign_in_requirement(
    organization_id: uuid.UUID, request: Request, session: DbSession, actor: PageActor
) -> Response:
    """Require a sign-in method of the organization's people."""
    values = values_of(await request.form(), ["requirement"])
    try:
        data = validate(SignInRequirementUpdate, payload(values))
        async with session.begin_nested():
            await sign_in_requirement.set_requirement(
                session, actor, organization_id, data.requirement,
                auth_session=getattr(request.state, "auth_session", None),
            )  # fmt: skip
    except TenantryError as exc:
        errors, message = problem_of(exc)
        state = {REQUIREMENT_FORM: FormState(values, errors)}
        return await _detail_page(
            request, session, actor, organization_id, forms_state=state, problem=message,
            status_code=exc.status,
        )  # fmt: skip
    return redirect(f"/organizations/{organization_id}?done={REQUIREMENT_FORM}")


@router.post("/organizations/{organization_id}/{transition}")
async def change_status(
    organization_id: uuid.UUID,
    transition: Transition,
    request: Request,
    session: DbSession,
    actor: PageActor,
) -> Response:
    """Approve, reject, block or unblock; rejecting and blocking need a reason."""
    form = await request.form()
    values = values_of(form, ["reason"])
    try:
        reason = None
        if transition in (Transition.REJECT, Transition.BLOCK):
            reason = validate(StatusChange, payload(values)).reason
        async with session.begin_nested():
            await lifecycle.change_status(
                session, actor, organization_id, transition, reason=reason
            )
    except TenantryError as exc:
        # A missing reason is shown beside its field; anything else (the status changed
        # meanwhile, so this button may be gone) above everything.
        errors, message = problem_of(exc)
        state = {transition.value: FormState(values, errors)}
        return await _detail_page(
            request, session, actor, organization_id, forms_state=state, problem=message,
            status_code=exc.status,
        )  # fmt: skip
    return redirect(f"/organizations/{organization_id}?done={transition.value}")
