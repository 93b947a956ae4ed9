"""The demo platform's own agreements: a first version of its terms of business and of its
professional-secrecy agreement, accepted by the demo customers' admins (so they can order), and
one healthcare customer marked as needing the secrecy agreement (not signed yet)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements.platform import acceptance, marking, versions
from tenantry.agreements.platform.schemas import PlatformAgreement, VersionCreate
from tenantry.models import AgreementKind, Organization, OrganizationKind, User
from tenantry.security import Actor

TERMS = VersionCreate(
    title="Terms of business",
    body="1. Scope\nThese terms apply to every order a customer places through this platform "
    "for Microsoft cloud services.\n\n2. Orders\nAn order binds once the platform confirms it. "
    "Licenses are billed from the day Microsoft provisions them.\n\n3. Microsoft's terms\n"
    "Microsoft's own agreements (the Microsoft Customer Agreement) apply beside these terms.",
)
SECRECY = VersionCreate(
    title="Professional-secrecy agreement",
    body="1. Purpose\nThe customer's profession is bound by secrecy (for example section 203 of "
    "the German criminal code: doctors, lawyers, tax advisers). The platform and everyone it "
    "engages keep secret whatever of the customer's data they come to know.\n\n2. Duty\nThe "
    "platform's staff are bound to secrecy in writing and see the customer's data only as far "
    "as the service needs it.",
)
SECRECY_CUSTOMER = "treyresearch"  # healthcare


async def load(
    session: AsyncSession, platform_admin: Actor, admins: dict[str, Actor],
    organizations: dict[str, Organization],
) -> None:  # fmt: skip
    await versions.publish(session, platform_admin, PlatformAgreement.PLATFORM_TERMS, TERMS)
    await versions.publish(session, platform_admin, PlatformAgreement.PROFESSIONAL_SECRECY, SECRECY)
    terms = await versions.current(
        session, platform_admin.platform_id, AgreementKind.PLATFORM_TERMS
    )
    assert terms is not None
    for key, admin in admins.items():
        organization = organizations[key]
        user = await session.get(User, admin.user_id) if admin.user_id else None
        if organization.kind is OrganizationKind.CUSTOMER and user is not None:
            await acceptance.accept_as_admin(session, organization, user, terms)
    if SECRECY_CUSTOMER in organizations:
        await marking.mark_organization(
            session, platform_admin, organizations[SECRECY_CUSTOMER].id, True
        )
