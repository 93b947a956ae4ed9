"""For tests that are not about agreements: a customer whose Microsoft Customer Agreement is
accepted (kept pending while its new tenant is not created), as if its administrator had."""

from __future__ import annotations

import uuid

from tenantry.agreements import evidence, microsoft
from tenantry.agreements.rules import AcceptingPerson
from tenantry.db import Database
from tenantry.models import (
    AcceptanceRoute,
    AgreementKind,
    MicrosoftAgreementState,
    Organization,
    utcnow,
)

TEMPLATE_ID = "117a77b0-9360-443b-8795-c6dedc750cf9"


async def agreement_accepted(database: Database, organization_id: uuid.UUID) -> None:
    async with database.transaction() as session:
        organization = await session.get(Organization, organization_id)
        assert organization is not None
        acceptance = await evidence.record_acceptance(
            session, organization, kind=AgreementKind.MICROSOFT_CUSTOMER_AGREEMENT,
            route=AcceptanceRoute.CUSTOMER_IN_PRODUCT, date_agreed=utcnow(), actor=None,
            person=AcceptingPerson("Test", "Admin", "admin@customer.example", None),
            tenant_id=organization.tenant_id, template_id=TEMPLATE_ID,
        )  # fmt: skip
        status = await microsoft.status_row(session, organization)
        if organization.tenant_id is None:
            status.pending_acceptance_id = acceptance.id
            return
        status.tenant_id = organization.tenant_id
        status.state = MicrosoftAgreementState.ACCEPTED
        status.acceptance_id = acceptance.id
        status.date_agreed = acceptance.date_agreed
        status.route = acceptance.route
