"""The demo customers' Microsoft Customer Agreement, one in each state (docs/running.md):
Contoso accepted (the distributor's admin attested it; the sandbox holds the confirmation),
Woodgrove Bank signed it in the admin center (found by a status refresh), Fourth Coffee has not
(and a subscription renews within 30 days: at risk), Tailspin Toys has no tenant yet (unknown)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements import evidence, microsoft
from tenantry.agreements.rules import AcceptingPerson
from tenantry.demo import data
from tenantry.models import (
    AcceptanceRoute,
    AgreementAcceptance,
    AgreementKind,
    MicrosoftAgreementState,
    MicrosoftSubscription,
    Organization,
    utcnow,
)
from tenantry.security import Actor

MCA = AgreementKind.MICROSOFT_CUSTOMER_AGREEMENT
TEMPLATE_ID = "117a77b0-9360-443b-8795-c6dedc750cf9"  # the sandbox's current MCA template


async def _state(
    session: AsyncSession, organization: Organization, state: MicrosoftAgreementState,
    acceptance: AgreementAcceptance | None,
) -> None:  # fmt: skip
    status = await microsoft.status_row(session, organization)
    status.tenant_id = organization.tenant_id
    status.state = state
    status.acceptance_id = acceptance.id if acceptance else None
    status.date_agreed = acceptance.date_agreed if acceptance else None
    status.route = acceptance.route if acceptance else None
    status.checked_at = utcnow()


async def load_agreements(
    session: AsyncSession, organizations: dict[str, Organization], distributor_admin: Actor
) -> None:
    contoso, woodgrove = organizations["contoso"], organizations["woodgrovebank"]
    fourth = organizations["fourthcoffee"]
    accepted = data.CONTOSO_ACCEPTANCE
    person = AcceptingPerson(
        str(accepted["first_name"]), str(accepted["last_name"]), str(accepted["email"]),
        str(accepted["phone"]),
    )  # fmt: skip
    request = {
        "primaryContact": {"firstName": person.first_name, "lastName": person.last_name,
                           "email": person.email, "phoneNumber": person.phone},
        "templateId": TEMPLATE_ID, "dateAgreed": "2025-03-14T00:00:00Z",
        "type": "MicrosoftCustomerAgreement",
    }  # fmt: skip
    attested = await evidence.record_acceptance(
        session, contoso, kind=MCA, route=AcceptanceRoute.STAFF_ATTESTATION,
        date_agreed=accepted["date_agreed"], actor=distributor_admin,  # type: ignore[arg-type]
        person=person, tenant_id=contoso.tenant_id, template_id=TEMPLATE_ID, request=request,
        response=request | {"userId": str(uuid.uuid5(uuid.NAMESPACE_URL, "demo:nadia"))},
    )  # fmt: skip
    await _state(session, contoso, MicrosoftAgreementState.ACCEPTED, attested)
    signed = await evidence.record_acceptance(
        session, woodgrove, kind=MCA, route=AcceptanceRoute.DIRECT_SIGNED, date_agreed=utcnow(),
        actor=None, tenant_id=woodgrove.tenant_id, response={"isSigned": True},
    )  # fmt: skip
    await _state(session, woodgrove, MicrosoftAgreementState.DIRECT_SIGNED, signed)
    await _state(session, fourth, MicrosoftAgreementState.MISSING, None)
    name, seats, days = data.FOURTH_COFFEE_RENEWAL
    assert fourth.tenant_id is not None
    session.add(
        MicrosoftSubscription(
            platform_id=fourth.platform_id, organization_id=fourth.id, tenant_id=fourth.tenant_id,
            subscription_id=str(uuid.uuid5(uuid.NAMESPACE_URL, "demo:fourthcoffee:m365")),
            offer_name=name, friendly_name=name, quantity=seats, status="active",
            auto_renew=True, billing_cycle="monthly", term_duration="P1Y",
            commitment_end_at=utcnow() + timedelta(days=days), last_synced_at=utcnow(),
        )
    )  # fmt: skip
    await session.flush()
