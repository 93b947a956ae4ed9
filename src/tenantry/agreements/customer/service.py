"""A customer admin accepts the Microsoft Customer Agreement in Tenantry.

The admin reads the current agreement (Partner Center's template, the document for the
customer's country and language where Microsoft offers one) and accepts it with their name,
email and optional phone. For a tenant Partner Center knows, Tenantry confirms it at once (the
partner attestation, route ``customer_in_product``, today's date); nothing is recorded as
accepted until Partner Center confirms. For a new tenant (created when the first order is
provisioned) Partner Center cannot record it yet: the acceptance is kept as pending and
:func:`confirm_pending` confirms it once the tenant exists.

Only the customer's own administrators accept: a customer user is told an administrator does,
and staff acting for the customer are refused (they would accept in the customer's name; an
acceptance staff obtained outside Tenantry is attested on the customer's agreements page,
which records it as theirs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements import evidence, microsoft
from tenantry.agreements.gate import organization_agreements_path
from tenantry.agreements.rules import AcceptingPerson, accepting_person, latest_acceptable_date
from tenantry.audit.service import record
from tenantry.errors import Conflict, Forbidden, ValidationFailed
from tenantry.models import (
    AcceptanceRoute,
    AgreementAcceptance,
    AgreementKind,
    MicrosoftAgreementStatus,
    Organization,
    OrganizationKind,
    Role,
    ServiceDetails,
    ServiceDetailsStatus,
)
from tenantry.organizations import repository
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.partnercenter.errors import PartnerCenterError
from tenantry.partnercenter.models.agreements import Agreement, AgreementDocument, Contact
from tenantry.security import Actor
from tenantry.tenants.service_details import SERVICE_DETAILS_PATH

MCA = AgreementKind.MICROSOFT_CUSTOMER_AGREEMENT


class TenantNotChosen(Conflict):
    code = "tenant_not_chosen"
    title = "Choose the Microsoft tenant first"


class OnBehalfMayNotAccept(Forbidden):
    code = "on_behalf_may_not_accept"
    title = "Staff acting for a customer may not accept in its name"


@dataclass(frozen=True)
class Situation:
    """Where the customer stands with the agreement, for the acceptance page."""

    organization: Organization
    status: MicrosoftAgreementStatus
    # accepted | direct_signed | pending | to_accept | tenant_first
    state: str
    acceptance: AgreementAcceptance | None = None


def _customer(actor: Actor) -> None:
    if actor.organization_kind is not OrganizationKind.CUSTOMER:
        raise Forbidden(
            "the Microsoft Customer Agreement is accepted by a customer's administrator; staff "
            "attest an acceptance on the customer's agreements page"
        )


def may_accept(actor: Actor) -> str | None:
    """Why the actor may not accept for the organization, or None when they may."""
    if actor.acting_on_behalf:
        return (
            f"You are acting for {actor.on_behalf_of_label}: an administrator of the customer "
            "accepts the agreement in their own name. If the customer accepted it outside "
            "Tenantry, stop acting for it and attest the acceptance on its agreements page."
        )
    if actor.role is not Role.CUSTOMER_ADMIN:
        return "An administrator of your organization accepts the Microsoft Customer Agreement."
    return None


async def _tenant_is_new(session: AsyncSession, organization: Organization) -> bool:
    details = await session.get(ServiceDetails, organization.id)
    return details is not None and details.status is ServiceDetailsStatus.HELD


async def situation(
    session: AsyncSession, actor: Actor, client: PartnerCenterClient | None
) -> Situation:
    """The customer's status, asked of Partner Center again (with ``client``) unless known to be
    accepted."""
    _customer(actor)
    organization = await repository.get(session, actor, actor.organization_id)
    status = await microsoft.status_row(session, organization)
    known = status.state in microsoft.SATISFIED and status.tenant_id == organization.tenant_id
    if organization.tenant_id is not None and not known and client is not None:
        status = await microsoft.refresh(session, client, organization)
    if organization.tenant_id is not None and status.state in microsoft.SATISFIED:
        state = status.state.value
        acceptance_id = status.acceptance_id
    elif organization.tenant_id is None and status.pending_acceptance_id is not None:
        state, acceptance_id = "pending", status.pending_acceptance_id
    elif organization.tenant_id is None and not await _tenant_is_new(session, organization):
        state, acceptance_id = "tenant_first", None
    else:
        state, acceptance_id = "to_accept", None
    acceptance = await session.get(AgreementAcceptance, acceptance_id) if acceptance_id else None
    return Situation(organization, status, state, acceptance)


async def document(
    client: PartnerCenterClient, template_id: str, country: str, language: str | None
) -> AgreementDocument | None:
    """The document links for the customer's country and language, or None where Microsoft
    offers none (or Partner Center cannot say now: the agreement's own link remains)."""
    try:
        return await client.get_agreement_document(template_id, language=language, country=country)
    except (*microsoft.UNREACHABLE, PartnerCenterError):
        return None


def today(organization: Organization, now: datetime | None = None) -> datetime:
    """Today, as the acceptance's date: midnight UTC of the last date that is today both in UTC
    and everywhere in the customer's country (never a future date for Partner Center)."""
    day = latest_acceptable_date(organization.address_country, now)
    return datetime.combine(day, time(0, 0), tzinfo=UTC)


async def accept(
    session: AsyncSession,
    actor: Actor,
    client: PartnerCenterClient,
    *,
    first_name: str,
    last_name: str,
    email: str,
    phone: str | None,
) -> AgreementAcceptance:
    """Accept for the actor's organization: confirmed to Partner Center (linked tenant) or kept
    pending (new tenant). A second submit returns the acceptance already made."""
    _customer(actor)
    if refusal := may_accept(actor):
        detail = refusal[:1].lower() + refusal[1:].rstrip(".")
        if actor.acting_on_behalf:
            raise OnBehalfMayNotAccept(
                detail, link=organization_agreements_path(actor.organization_id)
            )
        raise Forbidden(detail)
    # Locked: a double submit waits for the first and then finds its acceptance.
    organization = await repository.get_for_update(session, actor, actor.organization_id)
    person, errors = accepting_person(
        first_name=first_name, last_name=last_name, email=email, phone=phone,
        country=organization.address_country,
    )  # fmt: skip
    if errors or person is None:
        raise ValidationFailed(errors)
    status = await microsoft.status_row(session, organization)
    if organization.tenant_id is not None:
        if status.state in microsoft.SATISFIED and status.tenant_id == organization.tenant_id:
            done = await session.get(AgreementAcceptance, status.acceptance_id)
            if done is not None:
                return done
        acceptance = await microsoft.attest(
            session, client, organization, microsoft.Attestation(person, today(organization)),
            route=AcceptanceRoute.CUSTOMER_IN_PRODUCT, actor=actor,
        )  # fmt: skip
    else:
        if status.pending_acceptance_id is not None:
            earlier = await session.get(AgreementAcceptance, status.pending_acceptance_id)
            if earlier is not None:
                return earlier
        acceptance = await _pending(session, client, organization, status, person, actor)
    await record(
        session, actor, action="agreement.accepted", target_type="organization",
        target_id=organization.id, organization_id=organization.id,
        changes={"after": {"agreement": MCA.value, "route": acceptance.route.value,
                           "email": person.email, "tenant_id": str(organization.tenant_id or ""),
                           "pending": organization.tenant_id is None}},
    )  # fmt: skip
    return acceptance


async def _pending(
    session: AsyncSession, client: PartnerCenterClient, organization: Organization,
    status: MicrosoftAgreementStatus, person: AcceptingPerson, actor: Actor,
) -> AgreementAcceptance:  # fmt: skip
    if not await _tenant_is_new(session, organization):
        raise TenantNotChosen(
            f"Choose the Microsoft tenant of {organization.display_name} in Service Details "
            "first: the agreement is accepted for that tenant",
            link=SERVICE_DETAILS_PATH,
        )
    try:
        template = await microsoft.current_template(client)
    except microsoft.UNREACHABLE as exc:
        raise microsoft.unreachable(exc) from exc
    moment = today(organization)
    body = Agreement(
        primary_contact=Contact(first_name=person.first_name, last_name=person.last_name,
                                email=person.email, phone_number=person.phone),
        template_id=str(template.template_id), date_agreed=moment,
        type=str(microsoft.MCA),
    )  # fmt: skip
    acceptance = await evidence.record_acceptance(
        session, organization, kind=MCA, route=AcceptanceRoute.CUSTOMER_IN_PRODUCT,
        date_agreed=moment, actor=actor, person=person, template_id=body.template_id,
        request=body.to_wire(),
    )  # fmt: skip
    status.pending_acceptance_id = acceptance.id
    return acceptance


async def confirm_pending(
    session: AsyncSession, client: PartnerCenterClient, organization: Organization
) -> AgreementAcceptance | None:
    """Once the new tenant exists: confirm the pending acceptance to Partner Center (same
    person and date), or None when there is none. Partner Center's refusals raise as in
    :func:`microsoft.attest`; the acceptance stays pending then."""
    status = await microsoft.status_row(session, organization)
    if status.pending_acceptance_id is None or organization.tenant_id is None:
        return None
    pending = await session.get(AgreementAcceptance, status.pending_acceptance_id)
    if pending is None:
        return None
    if status.state in microsoft.SATISFIED and status.tenant_id == organization.tenant_id:
        status.pending_acceptance_id = None
        return None
    person = AcceptingPerson(
        pending.first_name or "", pending.last_name or "", pending.email or "", pending.phone
    )
    return await microsoft.attest(
        session, client, organization, microsoft.Attestation(person, pending.date_agreed),
        route=AcceptanceRoute.CUSTOMER_IN_PRODUCT, actor=None,
    )  # fmt: skip
