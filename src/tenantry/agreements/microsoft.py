"""The Microsoft Customer Agreement of one customer: its status as Partner Center knows it, and
confirming an acceptance to Partner Center (the partner attestation).

Status: Partner Center's confirmations for the tenant first (one call); when there are none,
whether the customer signed it itself in the Microsoft 365 admin center (one more call). An
acceptance found there that Tenantry has no record of becomes evidence (route
``partner_center`` or ``direct_signed``), once.

Attestation: nothing is recorded as accepted until Partner Center confirms it. A retried
attestation (a double click, a retried request, a crash after Partner Center answered) does not
make a second one: Partner Center's confirmations are read first, and an identical one (same
template, email and date) is taken as the answer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements import evidence
from tenantry.agreements.rules import AcceptingPerson
from tenantry.errors import Conflict, FieldError, ValidationFailed
from tenantry.models import (
    AcceptanceRoute,
    AgreementAcceptance,
    AgreementKind,
    MicrosoftAgreementState,
    MicrosoftAgreementStatus,
    Organization,
    utcnow,
)
from tenantry.partnercenter.access import PartnerCenterUnavailable
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.partnercenter.errors import (
    BadRequest,
    PartnerCenterError,
    RelationshipMissing,
    ServerError,
    Throttled,
    TransportFailure,
)
from tenantry.partnercenter.errors import NotFound as PartnerCenterNotFound
from tenantry.partnercenter.models.agreements import (
    Agreement,
    AgreementMetadata,
    AgreementType,
    Contact,
)
from tenantry.security import Actor

log = structlog.get_logger("tenantry.agreements")

MCA = AgreementType.MICROSOFT_CUSTOMER_AGREEMENT
SATISFIED = (MicrosoftAgreementState.ACCEPTED, MicrosoftAgreementState.DIRECT_SIGNED)
UNREACHABLE = (httpx.HTTPError, TransportFailure, Throttled, ServerError)


class AgreementTemplateRefused(Conflict):
    code = "agreement_template_refused"


class CustomerUnknownToPartnerCenter(Conflict):
    code = "customer_unknown_to_partner_center"


class NoTenant(Conflict):
    code = "organization_has_no_tenant"


def unreachable(exc: BaseException) -> PartnerCenterUnavailable:
    wait = getattr(exc, "retry_after", None)
    when = f" in about {int(wait) + 1} seconds" if wait else " in a moment"
    return PartnerCenterUnavailable(
        f"Partner Center could not be reached (or is busy); nothing was recorded. Try again{when}."
    )


async def status_row(session: AsyncSession, organization: Organization) -> MicrosoftAgreementStatus:
    """The organization's status row, made (unknown) the first time it is asked for."""
    row = await session.get(MicrosoftAgreementStatus, organization.id)
    if row is None:
        row = MicrosoftAgreementStatus(
            organization_id=organization.id,
            platform_id=organization.platform_id,
            tenant_id=organization.tenant_id,
            state=MicrosoftAgreementState.UNKNOWN,
        )
        session.add(row)
        await session.flush()
    return row


async def current_template(client: PartnerCenterClient) -> AgreementMetadata:
    """The Microsoft Customer Agreement's current template (highest version rank)."""
    templates = [t for t in await client.get_agreement_metadata(MCA) if t.template_id]
    if not templates:
        raise AgreementTemplateRefused(
            "Partner Center offers no Microsoft Customer Agreement template to accept"
        )
    return max(templates, key=lambda t: t.version_rank or 0)


def _tenant(organization: Organization) -> uuid.UUID:
    if organization.tenant_id is None:
        raise NoTenant(
            f"{organization.display_name} has no Microsoft tenant yet: Partner Center can only "
            "record the agreement for a tenant it knows"
        )
    return organization.tenant_id


def _as_utc(value: datetime | None) -> datetime:
    if value is None:
        return utcnow()
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _same(
    confirmation: Agreement, template_id: str, person: AcceptingPerson, day: datetime
) -> bool:
    contact = confirmation.primary_contact or Contact()
    return (
        (confirmation.template_id or "").lower() == template_id.lower()
        and (contact.email or "").casefold() == person.email.casefold()
        and _as_utc(confirmation.date_agreed).date() == day.date()
    )


async def _known(
    session: AsyncSession, organization: Organization, route: AcceptanceRoute
) -> AgreementAcceptance | None:
    return await session.scalar(
        select(AgreementAcceptance)
        .where(
            AgreementAcceptance.organization_id == organization.id,
            AgreementAcceptance.kind == AgreementKind.MICROSOFT_CUSTOMER_AGREEMENT,
            AgreementAcceptance.tenant_id == organization.tenant_id,
            AgreementAcceptance.route == route,
        )
        .order_by(AgreementAcceptance.recorded_at.desc())
        .limit(1)
    )


async def _record_found(
    session: AsyncSession, organization: Organization, found: Agreement
) -> AgreementAcceptance:
    """Evidence for a confirmation made outside Tenantry, unless one with its date is kept."""
    contact = found.primary_contact or Contact()
    day = _as_utc(found.date_agreed)
    rows = await evidence.acceptances_of(
        session, organization.id, AgreementKind.MICROSOFT_CUSTOMER_AGREEMENT
    )
    for row in rows:
        if (
            row.tenant_id == organization.tenant_id
            and row.response is not None
            and _as_utc(row.date_agreed).date() == day.date()
            and (row.email or "").casefold() == (contact.email or "").casefold()
        ):
            return row
    person = AcceptingPerson(
        contact.first_name or "", contact.last_name or "", contact.email or "", contact.phone_number
    )
    return await evidence.record_acceptance(
        session, organization, kind=AgreementKind.MICROSOFT_CUSTOMER_AGREEMENT,
        route=AcceptanceRoute.PARTNER_CENTER, date_agreed=day, actor=None, person=person,
        tenant_id=organization.tenant_id, template_id=found.template_id,
        response=found.to_wire(),
    )  # fmt: skip


def _set(status: MicrosoftAgreementStatus, state: MicrosoftAgreementState,
         acceptance: AgreementAcceptance | None) -> None:  # fmt: skip
    status.state = state
    status.acceptance_id = acceptance.id if acceptance else None
    status.date_agreed = acceptance.date_agreed if acceptance else None
    status.route = acceptance.route if acceptance else None
    status.checked_at = utcnow()
    status.check_error = None


async def refresh(
    session: AsyncSession, client: PartnerCenterClient, organization: Organization
) -> MicrosoftAgreementStatus:
    """Ask Partner Center and store the answer. When it cannot answer, the status keeps its
    last known state and says why in ``check_error``."""
    status = await status_row(session, organization)
    if organization.tenant_id is None:
        status.tenant_id = None
        if status.state is not MicrosoftAgreementState.UNKNOWN:
            _set(status, MicrosoftAgreementState.UNKNOWN, None)
        return status
    tenant = str(organization.tenant_id)
    status.tenant_id = organization.tenant_id
    try:
        confirmations = await client.list_customer_agreements(tenant, MCA)
        if confirmations:
            latest = max(confirmations, key=lambda c: _as_utc(c.date_agreed))
            _set(status, MicrosoftAgreementState.ACCEPTED,
                 await _record_found(session, organization, latest))  # fmt: skip
            return status
        if (await client.get_direct_signed_status(tenant)).is_signed:
            acceptance = await _known(session, organization, AcceptanceRoute.DIRECT_SIGNED)
            if acceptance is None:
                acceptance = await evidence.record_acceptance(
                    session, organization, kind=AgreementKind.MICROSOFT_CUSTOMER_AGREEMENT,
                    route=AcceptanceRoute.DIRECT_SIGNED, date_agreed=utcnow(), actor=None,
                    tenant_id=organization.tenant_id, response={"isSigned": True},
                )  # fmt: skip
            _set(status, MicrosoftAgreementState.DIRECT_SIGNED, acceptance)
            return status
        _set(status, MicrosoftAgreementState.MISSING, None)
    except (PartnerCenterNotFound, RelationshipMissing):
        _set(status, MicrosoftAgreementState.UNKNOWN, None)
        status.check_error = "Partner Center does not know this customer (no relationship)"
    except (*UNREACHABLE, PartnerCenterError) as exc:
        log.warning("agreement status not refreshed", organization=str(organization.id),
                    error=str(exc))  # fmt: skip
        status.checked_at = utcnow()
        status.check_error = (
            "Partner Center could not be reached"
            if isinstance(exc, UNREACHABLE)
            else f"Partner Center refused the check: {exc.description or exc}"
        )[:500]
    return status


@dataclass(frozen=True)
class Attestation:
    """What an attestation confirms: who accepted and when (midnight UTC of the date)."""

    person: AcceptingPerson
    date_agreed: datetime


async def attest(
    session: AsyncSession,
    client: PartnerCenterClient,
    organization: Organization,
    attestation: Attestation,
    *,
    route: AcceptanceRoute,
    actor: Actor | None,
    attestation_request_id: uuid.UUID | None = None,
    corrects: AgreementAcceptance | None = None,
) -> AgreementAcceptance:
    """Confirm the acceptance to Partner Center, then keep it as evidence and mark the status
    accepted. Partner Center's refusals become errors in plain words; nothing is kept then."""
    tenant = str(_tenant(organization))
    person = attestation.person
    try:
        template = await current_template(client)
        template_id = str(template.template_id)
        body = Agreement(
            primary_contact=Contact(
                first_name=person.first_name, last_name=person.last_name,
                email=person.email, phone_number=person.phone,
            ),
            template_id=template_id,
            date_agreed=attestation.date_agreed,
            type=str(MCA),
        )  # fmt: skip
        earlier = [
            c for c in await client.list_customer_agreements(tenant, MCA)
            if _same(c, template_id, person, attestation.date_agreed)
        ]  # fmt: skip
        answer = earlier[0] if earlier else await client.create_customer_agreement(tenant, body)
    except UNREACHABLE as exc:
        raise unreachable(exc) from exc
    except (PartnerCenterNotFound, RelationshipMissing) as exc:
        raise CustomerUnknownToPartnerCenter(
            f"Partner Center does not know {organization.display_name}'s tenant as your "
            "customer (no reseller relationship), so it cannot record the agreement. Link the "
            "tenant again (Service Details) and retry.",
        ) from exc
    except BadRequest as exc:
        fields = {str(f) for f in exc.data} if exc.data else set()
        if fields & {"templateId", "type"} or "template" in (exc.description or "").lower():
            raise AgreementTemplateRefused(
                "Partner Center refused the agreement version Tenantry offered (the agreement "
                "may just have been updated). Reload the page to get the current one and accept "
                "again."
            ) from exc
        raise ValidationFailed(
            [FieldError("attestation", "refused_by_partner_center",
                        f"Partner Center refused the attestation: {exc.description}")]
        ) from exc  # fmt: skip
    acceptance = await evidence.record_acceptance(
        session, organization, kind=AgreementKind.MICROSOFT_CUSTOMER_AGREEMENT, route=route,
        date_agreed=attestation.date_agreed, actor=actor, person=person,
        tenant_id=organization.tenant_id, template_id=template_id, request=body.to_wire(),
        response=answer.to_wire(), corrects=corrects,
        attestation_request_id=attestation_request_id,
    )  # fmt: skip
    status = await status_row(session, organization)
    status.tenant_id = organization.tenant_id
    _set(status, MicrosoftAgreementState.ACCEPTED, acceptance)
    status.pending_acceptance_id = None
    return acceptance
