"""Helpers of the staff agreement tests: the routes, a valid attestation, what is kept."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from tenantry.db import Database
from tenantry.models import (
    AgreementAcceptance,
    AttestationRequest,
    AuditEvent,
    Organization,
    utcnow,
)
from tests.factories import World


def mca(organization: Organization) -> str:
    return f"/api/v1/organizations/{organization.id}/agreements/microsoft"


def person(**overrides: Any) -> dict[str, Any]:
    """Who accepted, a week ago."""
    day = (utcnow() - timedelta(days=7)).date()
    return {
        "first_name": "Anna", "last_name": "Hansen", "email": "anna@customer.example",
        "phone": "+45 32 12 34 56", "date_agreed": day.isoformat(),
    } | overrides  # fmt: skip


def days_ago(n: int) -> str:
    return (utcnow().date() - timedelta(days=n)).isoformat()


def tomorrow() -> str:
    return (utcnow().date() + timedelta(days=1)).isoformat()


FIRST_DAY = date(2018, 1, 1)


async def acceptances(database: Database) -> list[AgreementAcceptance]:
    async with database.transaction(write=False) as session:
        return list(await session.scalars(select(AgreementAcceptance)))


async def audit_actions(database: Database) -> list[str]:
    async with database.transaction(write=False) as session:
        rows = await session.scalars(select(AuditEvent.action).order_by(AuditEvent.occurred_at))
        return [a for a in rows if a.startswith("agreements.")]


async def open_attestation_request(database: Database, world: World) -> uuid.UUID:
    """Reseller A asks the distributor to attest its customer's acceptance."""
    customer = world.customer_a.organization
    async with database.transaction() as session:
        row = AttestationRequest(
            platform_id=customer.platform_id, organization_id=customer.id,
            reseller_id=world.reseller_a.id, requested_by_label="Alpha staff",
            first_name="Anna", last_name="Hansen", email="anna@customer.example",
            date_agreed=utcnow() - timedelta(days=3),
        )  # fmt: skip
        session.add(row)
        await session.flush()
        return row.id
