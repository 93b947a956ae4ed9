"""Rows for the compliance tests: evidence, statuses, orders and subscriptions, written as the
services and the sync would have written them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements import evidence
from tenantry.agreements.rules import AcceptingPerson
from tenantry.db import Database
from tenantry.models import (
    AcceptanceRoute,
    AgreementAcceptance,
    AgreementKind,
    MicrosoftAgreementState,
    MicrosoftAgreementStatus,
    MicrosoftSubscription,
    Order,
    OrderStatus,
    Organization,
    utcnow,
)
from tests.factories import Party

TEMPLATE_ID = "117a77b0-9360-443b-8795-c6dedc750cf9"


async def attested(
    database: Database, party: Party, by: Party, *, corrects: AgreementAcceptance | None = None
) -> AgreementAcceptance:
    """A staff attestation confirmed by Partner Center, with its status accepted."""
    async with database.transaction() as session:
        organization = await session.get_one(Organization, party.id)
        tenant = organization.tenant_id or uuid.uuid4()
        organization.tenant_id = tenant
        person = AcceptingPerson("Anna", "Hansen", "anna@customer.example", "+4533123456")
        body = {"primaryContact": {"firstName": "Anna", "email": "anna@customer.example"},
                "templateId": TEMPLATE_ID, "type": "MicrosoftCustomerAgreement"}  # fmt: skip
        row = await evidence.record_acceptance(
            session, organization, kind=AgreementKind.MICROSOFT_CUSTOMER_AGREEMENT,
            route=AcceptanceRoute.STAFF_ATTESTATION, date_agreed=datetime(2026, 11, 30, tzinfo=UTC),
            actor=by.actor, person=person, tenant_id=tenant, template_id=TEMPLATE_ID,
            request=body, response=body | {"userId": str(uuid.uuid4())},
            partner_center_request_id="req-1", corrects=corrects,
        )  # fmt: skip
        await status(session, organization, MicrosoftAgreementState.ACCEPTED, row)
        return row


async def status(
    session: AsyncSession, organization: Organization, state: MicrosoftAgreementState,
    acceptance: AgreementAcceptance | None = None,
) -> None:  # fmt: skip
    row = await session.get(MicrosoftAgreementStatus, organization.id)
    if row is None:
        row = MicrosoftAgreementStatus(
            organization_id=organization.id, platform_id=organization.platform_id
        )
        session.add(row)
    row.tenant_id = organization.tenant_id
    row.state = state
    row.acceptance_id = acceptance.id if acceptance else None
    row.date_agreed = acceptance.date_agreed if acceptance else None
    row.route = acceptance.route if acceptance else None
    row.checked_at = utcnow()
    await session.flush()


async def missing(database: Database, party: Party) -> None:
    async with database.transaction() as session:
        organization = await session.get_one(Organization, party.id)
        organization.tenant_id = organization.tenant_id or uuid.uuid4()
        await status(session, organization, MicrosoftAgreementState.MISSING)


async def open_order(database: Database, party: Party) -> None:
    async with database.transaction() as session:
        session.add(
            Order(
                platform_id=party.organization.platform_id, organization_id=party.id,
                status=OrderStatus.PENDING_PAYMENT, currency="EUR", total=Decimal("12.50"), lines=[],
            )
        )  # fmt: skip


async def subscription(
    database: Database, party: Party, *, ends_in: timedelta, auto_renew: bool | None = True,
    name: str = "Microsoft 365 Business Premium",
) -> None:  # fmt: skip
    async with database.transaction() as session:
        organization = await session.get_one(Organization, party.id)
        organization.tenant_id = organization.tenant_id or uuid.uuid4()
        session.add(
            MicrosoftSubscription(
                platform_id=organization.platform_id, organization_id=organization.id,
                tenant_id=organization.tenant_id, subscription_id=str(uuid.uuid4()),
                friendly_name=name, quantity=5, status="active", auto_renew=auto_renew,
                commitment_end_at=utcnow() + ends_in, last_synced_at=utcnow(),
            )
        )  # fmt: skip
