"""Rows the sync would have written (accounts, runs, errors, changes), made directly, for the
tests of what staff see of the sync: bill-to, the history, the unlinked accounts."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.db import Database
from tenantry.models import (
    Organization,
    PartnerCenterAccount,
    PartnerCenterAccountKind,
    SyncRun,
    SyncRunError,
    SyncRunStatus,
    SyncScope,
    SyncTrigger,
    utcnow,
)
from tenantry.settings import Settings
from tests.factories import World


def profile_of(organization: Organization, **address: Any) -> dict[str, Any]:
    """Partner Center's billing profile holding what the organization holds (CONTRACT 2.5);
    ``address`` overrides fields of ``defaultAddress``."""
    first, _, last = organization.contact_name.partition(" ")
    return {
        "id": str(uuid.uuid4()),
        "firstName": first,
        "lastName": last,
        "email": organization.contact_email,
        "culture": "en-US",
        "language": "en",
        "companyName": organization.legal_name,
        "defaultAddress": {
            "country": organization.address_country,
            "city": organization.address_city,
            "state": organization.address_region or "",
            "addressLine1": organization.address_line1,
            "postalCode": organization.address_postal_code,
            "firstName": first,
            "lastName": last,
            "phoneNumber": organization.contact_phone or "",
        }
        | address,
        "attributes": {"etag": "5920358838484612121", "objectType": "CustomerBillingProfile"},
    }


def account(
    platform_id: uuid.UUID,
    *,
    organization: Organization | None = None,
    profile: dict[str, Any] | None = None,
    company_name: str = "Fabrikam Ltd",
    first_seen_at: datetime | None = None,
    **overrides: Any,
) -> PartnerCenterAccount:
    seen = first_seen_at or utcnow()
    tenant_id = (organization.tenant_id if organization else None) or uuid.uuid4()
    values: dict[str, Any] = {
        "platform_id": platform_id,
        "kind": PartnerCenterAccountKind.CUSTOMER,
        "tenant_id": tenant_id,
        "organization_id": organization.id if organization else None,
        "company_name": organization.legal_name if organization else company_name,
        "initial_domain": f"t{tenant_id.hex[:10]}.onmicrosoft.com",
        "domains": [],
        "billing_profile": profile,
        "billing_missing": [],
        "first_seen_at": seen,
        "last_seen_at": seen,
    }
    return PartnerCenterAccount(**(values | overrides))


async def add_account(session: AsyncSession, *args: Any, **kwargs: Any) -> PartnerCenterAccount:
    row = account(*args, **kwargs)
    session.add(row)
    await session.flush()
    return row


async def add_run(
    session: AsyncSession,
    platform_id: uuid.UUID,
    *,
    scope: SyncScope = SyncScope.PLATFORM,
    organization_id: uuid.UUID | None = None,
    trigger: SyncTrigger = SyncTrigger.SCHEDULE,
    status: SyncRunStatus = SyncRunStatus.SUCCEEDED,
    seconds: float = 4.2,
    **counts: Any,
) -> SyncRun:
    """A finished run (``seconds`` long, ended a minute ago) with ``counts``."""
    ended = utcnow() - timedelta(minutes=1)
    run = SyncRun(
        platform_id=platform_id, scope=scope, scope_organization_id=organization_id,
        trigger=trigger, status=status, checkpoint={},
        started_at=ended - timedelta(seconds=seconds), finished_at=ended, **counts,
    )  # fmt: skip
    session.add(run)
    await session.flush()
    return run


async def seed_what_staff_see(database_url: str, world: World) -> None:
    """In a live server's database: a finished run with an error, a Partner Center customer no
    organization holds (its bill-to incomplete), and A's customer held by one whose bill-to
    differs."""
    database = Database(Settings(environment="test", database_url=database_url))
    try:
        async with database.transaction() as session:
            customer = await session.get_one(Organization, world.customer_a.id)
            run = await add_run(session, customer.platform_id, created=1, failed=1, calls_made=9)
            error = SyncRunError(
                run_id=run.id, tenant_id=uuid.uuid4(), company_name="Woodgrove Bank",
                code="forbidden", message="Partner Center answered 403", occurred_at=utcnow(),
            )  # fmt: skip
            session.add(error)
            await add_account(session, customer.platform_id, company_name="Woodgrove Bank",
                              profile=profile_of(customer, postalCode=""))  # fmt: skip
            await add_account(session, customer.platform_id, organization=customer,
                              profile=profile_of(customer, city="Aarhus"))  # fmt: skip
    finally:
        await database.dispose()
