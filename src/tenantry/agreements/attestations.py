"""A customer's Microsoft Customer Agreement as sellers' staff see and act on it: the status,
"check with Partner Center now", and the staff attestation of an acceptance obtained outside
Tenantry.

Microsoft lets only the partner of record attest (a direct CSP, or the distributor for its
resellers' customers): a reseller is refused with what it can do instead. An attestation is
recorded once: the same person and date again (a double click, a retried request) answers the
acceptance already kept, without asking Partner Center again.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements import evidence, microsoft
from tenantry.agreements.rules import checked_acceptance
from tenantry.agreements.staff_schemas import AttestationCreate
from tenantry.audit.service import diff, record
from tenantry.errors import Conflict, FieldError
from tenantry.models import (
    AcceptanceRoute,
    AgreementAcceptance,
    AgreementKind,
    AttestationRequest,
    AttestationRequestStatus,
    MicrosoftAgreementState,
    MicrosoftAgreementStatus,
    Organization,
    OrganizationKind,
)
from tenantry.organizations import repository as organizations
from tenantry.partnercenter.access import PartnerCenterUnavailable
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.security import Actor, Permission, require

MCA = AgreementKind.MICROSOFT_CUSTOMER_AGREEMENT
RESELLERS_MAY_NOT_ATTEST = (
    "Microsoft does not let resellers attest a customer's acceptance of the Microsoft Customer "
    "Agreement. Send the customer the acceptance request (they accept in the Microsoft 365 "
    "admin center), or ask your distributor to attest the acceptance you obtained"
)


class NotACustomer(Conflict):
    code = "not_a_customer"


def may_attest(actor: Actor) -> bool:
    return actor.can(Permission.AGREEMENTS_ATTEST)


def require_attest(actor: Actor) -> None:
    hint = RESELLERS_MAY_NOT_ATTEST if actor.organization_kind is OrganizationKind.RESELLER else ""
    require(actor, Permission.AGREEMENTS_ATTEST, hint=hint)


async def customer(session: AsyncSession, actor: Actor, organization_id: uuid.UUID) -> Organization:
    """The customer organization, if the actor may see it (404 otherwise)."""
    require(actor, Permission.ORGANIZATION_READ)
    organization = await organizations.get(session, actor, organization_id)
    if organization.kind is not OrganizationKind.CUSTOMER:
        raise NotACustomer(
            f"{organization.display_name} is a {organization.kind.value}: the Microsoft Customer "
            "Agreement is accepted by customers",
            errors=[FieldError("organization_id", "customer_only", "choose a customer")],
        )
    return organization


@dataclass(frozen=True)
class AgreementView:
    """The status as shown: ``pending`` when accepted in Tenantry for a tenant not made yet."""

    organization: Organization
    status: MicrosoftAgreementStatus
    latest: AgreementAcceptance | None
    open_request: AttestationRequest | None
    actor: Actor

    @property
    def state(self) -> str:
        if self.status.state in microsoft.SATISFIED:
            return self.status.state.value
        if self.status.pending_acceptance_id is not None:
            return "pending"
        return self.status.state.value

    @property
    def satisfied(self) -> bool:
        return self.status.state in microsoft.SATISFIED

    def can(self) -> dict[str, bool]:
        if self.organization.kind is not OrganizationKind.CUSTOMER:
            return dict.fromkeys(("refresh", "attest", "send_acceptance_request",
                                  "request_attestation"), False)  # fmt: skip
        is_reseller = self.actor.organization_kind is OrganizationKind.RESELLER
        requests = self.actor.can(Permission.AGREEMENTS_REQUEST_ATTESTATION) and is_reseller
        return {
            "refresh": self.organization.tenant_id is not None,
            "attest": may_attest(self.actor) and self.organization.tenant_id is not None,
            "send_acceptance_request": (requests or may_attest(self.actor)) and not self.satisfied,
            "request_attestation": requests and not self.satisfied and self.open_request is None,
        }


async def open_request(
    session: AsyncSession, organization_id: uuid.UUID
) -> AttestationRequest | None:
    return await session.scalar(
        select(AttestationRequest).where(
            AttestationRequest.organization_id == organization_id,
            AttestationRequest.status == AttestationRequestStatus.OPEN,
        )
    )


async def view(session: AsyncSession, actor: Actor, organization: Organization) -> AgreementView:
    """Read only (GET routes run in a read transaction): a customer never asked yet shows an
    unsaved "unknown" status."""
    status = await session.get(MicrosoftAgreementStatus, organization.id)
    if status is None:
        status = MicrosoftAgreementStatus(
            organization_id=organization.id, platform_id=organization.platform_id,
            tenant_id=organization.tenant_id, state=MicrosoftAgreementState.UNKNOWN,
        )  # fmt: skip
    rows = await evidence.acceptances_of(session, organization.id, MCA)
    return AgreementView(
        organization, status, rows[0] if rows else None,
        await open_request(session, organization.id), actor,
    )  # fmt: skip


async def refresh_now(
    session: AsyncSession, actor: Actor, client: PartnerCenterClient, organization_id: uuid.UUID
) -> AgreementView:
    """Ask Partner Center now. 503 when it cannot answer (nothing changes then); a changed
    state is audited (a status read that changes nothing is not)."""
    organization = await customer(session, actor, organization_id)
    status = await microsoft.status_row(session, organization)
    before = {"state": status.state, "route": status.route}
    status = await microsoft.refresh(session, client, organization)
    if status.check_error and status.check_error.startswith("Partner Center could not"):
        raise PartnerCenterUnavailable(
            "Partner Center could not be reached (or is busy), so the agreement's status was "
            "not checked. Try again in a moment."
        )
    after = {"state": status.state, "route": status.route}
    if before != after:
        await record(
            session, actor, action="agreements.mca_status_refreshed",
            target_type="organization", target_id=organization.id,
            organization_id=organization.id, platform_id=organization.platform_id,
            changes=diff(before, after),
        )  # fmt: skip
    return await view(session, actor, organization)


async def _attested_before(
    session: AsyncSession, organization: Organization, email: str, day: date
) -> AgreementAcceptance | None:
    """The staff attestation of this person and date already kept for the tenant, if any."""
    for row in await evidence.acceptances_of(session, organization.id, MCA):
        if (
            row.route is AcceptanceRoute.STAFF_ATTESTATION
            and row.tenant_id == organization.tenant_id
            and row.response is not None
            and (row.email or "").casefold() == email.casefold()
            and row.date_agreed.date() == day
        ):
            return row
    return None


async def attest(
    session: AsyncSession, actor: Actor, client: PartnerCenterClient, organization_id: uuid.UUID,
    data: AttestationCreate, *, attestation_request_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> tuple[AgreementAcceptance, bool]:  # fmt: skip
    """Confirm the acceptance to Partner Center and keep it as evidence. Returns the acceptance
    and whether it is new (False: this attestation was made before, nothing more was sent)."""
    organization = await customer(session, actor, organization_id)  # 404 before 403
    require_attest(actor)
    person, moment = checked_acceptance(
        first_name=data.first_name, last_name=data.last_name, email=data.email,
        phone=data.phone, date_agreed=data.date_agreed, country=organization.address_country,
        now=now,
    )  # fmt: skip
    if organization.tenant_id is None:
        raise microsoft.NoTenant(
            f"{organization.display_name} has no Microsoft tenant yet: Partner Center records "
            "the agreement for a tenant it knows. Link or create the tenant first."
        )
    earlier = await _attested_before(session, organization, person.email, moment.date())
    if earlier is not None:
        status = await microsoft.status_row(session, organization)
        if status.state is not MicrosoftAgreementState.ACCEPTED:
            status.state, status.acceptance_id = MicrosoftAgreementState.ACCEPTED, earlier.id
            status.date_agreed, status.route = earlier.date_agreed, earlier.route
        return earlier, False
    acceptance = await microsoft.attest(
        session, client, organization, microsoft.Attestation(person, moment),
        route=AcceptanceRoute.STAFF_ATTESTATION, actor=actor,
        attestation_request_id=attestation_request_id,
    )  # fmt: skip
    await record(
        session, actor, action="agreements.mca_attested", target_type="agreement_acceptance",
        target_id=acceptance.id, organization_id=organization.id,
        platform_id=organization.platform_id,
        changes=diff({}, {
            "first_name": person.first_name, "last_name": person.last_name,
            "email": person.email, "phone": person.phone,
            "date_agreed": moment.date().isoformat(),
            "attestation_request_id": attestation_request_id,
        }),
    )  # fmt: skip
    return acceptance, True
