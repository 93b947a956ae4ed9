"""Customer pages: read the platform's terms of business and accept them, read the
professional-secrecy agreement and sign it. Everyone in the customer reads; its administrators
accept (the gate sends them here before an order)."""

from __future__ import annotations

from fastapi import Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements.platform import acceptance, versions
from tenantry.agreements.platform.acceptance import split_name
from tenantry.agreements.platform.missing import ACCEPT_PATHS
from tenantry.agreements.rules import AcceptingPerson, accepting_person
from tenantry.deps import DbSession
from tenantry.errors import FieldError, NotFound, TenantryError, ValidationFailed
from tenantry.models import AgreementKind, Organization, OrganizationKind, User
from tenantry.security import Actor
from tenantry.web.forms import FormState, FormValues, problem_of, safe_next, text, values_of
from tenantry.web.rendering import redirect, render
from tenantry.web.routing import PageActor, page_router

router = page_router()
DEFAULT_NEXT = "/cart"
SIGN_FIELDS = ("first_name", "last_name", "position")
FIELD_NAMES = {
    "first_name": "First name", "last_name": "Last name", "position": "Position",
    "accept": "Acceptance",
}  # fmt: skip
POSITION_MAX = 100


async def _customer(session: AsyncSession, actor: Actor) -> Organization:
    if actor.organization_kind is not OrganizationKind.CUSTOMER:
        raise NotFound("customers accept the platform's agreements; open a customer to see theirs")
    organization = await session.get(Organization, actor.organization_id)
    if organization is None:
        raise NotFound(f"organization {actor.organization_id} not found")
    return organization


async def _page(request: Request, session: AsyncSession, actor: Actor, kind: AgreementKind,
                state: FormState | None = None, status_code: int = 200) -> Response:  # fmt: skip
    organization = await _customer(session, actor)
    status = await acceptance.status_of(session, organization, kind)
    user = await session.get(User, actor.user_id) if actor.user_id else None
    if state is None:
        first, last = split_name(user.full_name) if user else ("", "")
        state = FormState({"first_name": first, "last_name": last, "position": ""})
    context = {
        "section": "agreements", "kind": kind.value, "label": versions.LABELS[kind],
        "status": status, "organization": organization, "form": state,
        "field_names": FIELD_NAMES, "may_accept": acceptance.may_accept(actor, organization),
        "action": ACCEPT_PATHS[kind],
        "next_path": safe_next(request.query_params.get("next"), DEFAULT_NEXT),
        "applies_from": versions.applies_from(status.current) if status.current else None,
    }  # fmt: skip
    return render(request, "agreements/platform/accept.html", context, status_code=status_code)


def _signatory(form_values: FormValues, user: User | None, country: str,
               kind: AgreementKind) -> acceptance.Signatory:  # fmt: skip
    """Terms: the signed-in person. Secrecy: the name and position given on the form, checked
    as a person's name (their email is their sign-in's)."""
    email = user.email if user else ""
    if kind is AgreementKind.PLATFORM_TERMS:
        first, last = split_name(user.full_name) if user else ("", "")
        return acceptance.Signatory(AcceptingPerson(first, last, email, None))
    person, errors = accepting_person(
        first_name=str(form_values["first_name"]), last_name=str(form_values["last_name"]),
        email=email,
        phone=None, country=country,
    )  # fmt: skip
    position = str(form_values["position"])
    if len(position) > POSITION_MAX:
        errors.append(FieldError("position", "max_length",
                                 f"the position is at most {POSITION_MAX} characters"))  # fmt: skip
    if errors or person is None:
        raise ValidationFailed(errors)
    return acceptance.Signatory(person, position or None)


async def _accept(request: Request, session: AsyncSession, actor: Actor,
                  kind: AgreementKind) -> Response:  # fmt: skip
    form = await request.form()
    values = values_of(form, SIGN_FIELDS)
    organization = await _customer(session, actor)
    user = await session.get(User, actor.user_id) if actor.user_id else None
    next_path = safe_next(text(form, "next"), DEFAULT_NEXT)
    try:
        if text(form, "accept") != "yes":
            raise ValidationFailed([FieldError("accept", "required",
                                               "tick the box to accept the agreement")])  # fmt: skip
        number = text(form, "version")
        signatory = _signatory(values, user, organization.address_country, kind)
        async with session.begin_nested():
            await acceptance.accept(
                session, actor, organization, kind,
                version_number=int(number) if number.isdigit() else 0, signatory=signatory,
            )  # fmt: skip
    except TenantryError as exc:
        if exc.status == 403:
            raise
        errors, message = problem_of(exc)
        return await _page(request, session, actor, kind, FormState(values, errors, message),
                           exc.status)  # fmt: skip
    return redirect(next_path)


TERMS = ACCEPT_PATHS[AgreementKind.PLATFORM_TERMS]
SECRECY = ACCEPT_PATHS[AgreementKind.PROFESSIONAL_SECRECY]


@router.get(TERMS)
async def terms(request: Request, session: DbSession, actor: PageActor) -> Response:
    return await _page(request, session, actor, AgreementKind.PLATFORM_TERMS)


@router.post(TERMS)
async def accept_terms(request: Request, session: DbSession, actor: PageActor) -> Response:
    return await _accept(request, session, actor, AgreementKind.PLATFORM_TERMS)


@router.get(SECRECY)
async def secrecy(request: Request, session: DbSession, actor: PageActor) -> Response:
    return await _page(request, session, actor, AgreementKind.PROFESSIONAL_SECRECY)


@router.post(SECRECY)
async def sign_secrecy(request: Request, session: DbSession, actor: PageActor) -> Response:
    return await _accept(request, session, actor, AgreementKind.PROFESSIONAL_SECRECY)
