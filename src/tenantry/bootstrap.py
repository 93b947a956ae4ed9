"""Creating the platform owner: the one organization everything else hangs under."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.models import (
    Organization,
    OrganizationKind,
    OrganizationStatus,
    PlatformConfig,
    PlatformModel,
    utcnow,
)

DEFAULT_CURRENCIES = ["EUR", "USD", "GBP", "DKK", "NOK", "SEK"]


async def find_platform(session: AsyncSession) -> Organization | None:
    query = select(Organization).where(Organization.kind == OrganizationKind.PLATFORM)
    return (
        await session.execute(query.order_by(Organization.created_at).limit(1))
    ).scalar_one_or_none()


async def create_platform(
    session: AsyncSession,
    *,
    legal_name: str,
    model: PlatformModel = PlatformModel.INDIRECT_PROVIDER,
    country: str = "DK",
    city: str = "Copenhagen",
    address_line1: str = "Main Street 1",
    postal_code: str = "1000",
    contact_name: str = "Platform Operations",
    contact_email: str = "operations@example.com",
    currency: str = "EUR",
    mpn_id: str | None = None,
    tenant_id: uuid.UUID | None = None,
    domain: str | None = None,
    allowed_currencies: list[str] | None = None,
) -> Organization:
    platform_id = uuid.uuid4()
    platform = Organization(
        id=platform_id,
        kind=OrganizationKind.PLATFORM,
        platform_model=model,
        platform_id=platform_id,
        status=OrganizationStatus.ACTIVE,
        legal_name=legal_name,
        display_name=legal_name,
        domain=domain,
        address_line1=address_line1,
        address_city=city,
        address_postal_code=postal_code,
        address_country=country,
        contact_name=contact_name,
        contact_email=contact_email,
        preferred_currency=currency,
        mpn_id=mpn_id,
        tenant_id=tenant_id,
        approved_at=utcnow(),
        custom_properties={},
    )
    session.add(platform)
    await session.flush()
    session.add(
        PlatformConfig(
            platform_id=platform_id,
            allowed_currencies=allowed_currencies or DEFAULT_CURRENCIES,
            work_account_domains=[],
            notification_cc=[],
        )
    )
    await record(
        session, None, action="platform.created", target_type="organization",
        target_id=platform_id, organization_id=platform_id, platform_id=platform_id,
        changes={"after": {"legal_name": legal_name, "model": model.value}},
    )  # fmt: skip
    return platform
