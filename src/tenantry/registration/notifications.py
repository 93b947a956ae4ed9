"""The emails registration sends to the seller: a new organization to approve, or a
registration stopped because the organization may exist already.

They go to the seller's primary contact and to the platform's ``notification_cc`` addresses.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import Organization, User
from tenantry.notifications import send_email
from tenantry.organizations import repository
from tenantry.organizations.schemas import OrganizationCreate
from tenantry.registration.duplicates import Match


async def seller_recipients(session: AsyncSession, seller: Organization) -> list[str]:
    config = await repository.platform_config(session, seller.platform_id)
    return list(dict.fromkeys([seller.contact_email, *config.notification_cc]))


def _label(user: User) -> str:
    return f"{user.full_name} <{user.email}>"


async def organization_registered(
    session: AsyncSession,
    organization: Organization,
    seller: Organization,
    registrant: User,
    *,
    incomplete_check: str | None,
) -> None:
    await send_email(
        session,
        to=await seller_recipients(session, seller),
        template="organization_registered",
        context={
            "organization_id": str(organization.id),
            "organization_kind": organization.kind.value,
            "organization_name": organization.display_name,
            "legal_name": organization.legal_name,
            "registered_by": _label(registrant),
            "contact_name": organization.contact_name,
            "contact_email": organization.contact_email,
            "incomplete_check": incomplete_check or "",
        },
        idempotency_key=f"organization_registered:{organization.id}",
    )


async def possible_duplicate(
    session: AsyncSession,
    seller: Organization,
    registrant: User,
    data: OrganizationCreate,
    match: Match,
) -> None:
    # One alert per person and matched organization (or description), however often they retry.
    about = str(match.existing.id) if match.existing else match.description
    await send_email(
        session,
        to=await seller_recipients(session, seller),
        template="possible_duplicate_registration",
        context={
            "registered_by": _label(registrant),
            "legal_name": data.legal_name,
            "domain": data.domain or "",
            "registration_number": data.registration_number or "",
            "country": data.address.country.upper(),
            "description": match.description,
            "existing_id": str(match.existing.id) if match.existing else "",
        },
        idempotency_key=f"possible_duplicate:{registrant.id}:{about}"[:190],
    )
