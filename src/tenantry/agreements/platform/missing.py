"""The platform's own agreements in the purchase gate: what is missing, said to the viewer."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements.gate import MissingAgreement
from tenantry.agreements.platform.acceptance import AgreementStatus, may_accept, statuses
from tenantry.models import AgreementKind, Organization, OrganizationKind, Role
from tenantry.security import Actor

TERMS_MISSING = "platform_terms_missing"
SECRECY_MISSING = "professional_secrecy_missing"
CODES = {
    AgreementKind.PLATFORM_TERMS: TERMS_MISSING,
    AgreementKind.PROFESSIONAL_SECRECY: SECRECY_MISSING,
}
# Where a customer's administrator reads and accepts each one.
ACCEPT_PATHS = {
    AgreementKind.PLATFORM_TERMS: "/agreements/platform-terms",
    AgreementKind.PROFESSIONAL_SECRECY: "/agreements/professional-secrecy",
}
ACCEPT_LABELS = {
    AgreementKind.PLATFORM_TERMS: "Read and accept the terms of business",
    AgreementKind.PROFESSIONAL_SECRECY: "Read and sign the professional-secrecy agreement",
}


def platform_agreements_path(organization: Organization) -> str:
    """Staff's page of one customer's platform agreements."""
    return f"/organizations/{organization.id}/platform-agreements"


def _what(status: AgreementStatus, organization: Organization) -> str:
    name = organization.display_name
    if status.kind is AgreementKind.PLATFORM_TERMS:
        current = status.current
        assert current is not None  # terms with no version published are never missing
        if status.accepted_version is not None:
            return (f"A new version of the terms of business applies (version {current.version}): "
                    f"{name} accepts it before ordering.")  # fmt: skip
        return f"{name} accepts the terms of business before ordering."
    if status.current is None:
        return (f"{name} signs the professional-secrecy agreement before ordering, and none is "
                "published yet.")  # fmt: skip
    if status.accepted_version is not None:
        return (f"A new version of the professional-secrecy agreement applies (version "
                f"{status.current.version}): {name} signs it before ordering.")  # fmt: skip
    return (f"{name} signs the professional-secrecy agreement before ordering (its profession is "
            "bound by secrecy).")  # fmt: skip


def _entry(status: AgreementStatus, organization: Organization, viewer: Actor) -> MissingAgreement:
    code, what = CODES[status.kind], _what(status, organization)
    if status.current is None:
        if viewer.is_platform and viewer.role is Role.PLATFORM_ADMIN:
            return MissingAgreement(code, what + " Publish it.", "/platform-agreements",
                                    "Publish the professional-secrecy agreement")  # fmt: skip
        return MissingAgreement(code, what + " The platform publishes it; ask your contact there.")
    if may_accept(viewer, organization):
        return MissingAgreement(code, what + " Read it and accept it: it takes a minute.",
                                ACCEPT_PATHS[status.kind], ACCEPT_LABELS[status.kind])  # fmt: skip
    if viewer.organization_kind is OrganizationKind.CUSTOMER or viewer.acting_on_behalf:
        return MissingAgreement(
            code, what + " An administrator of the organization accepts it, signed in to their "
            "own account.",
        )  # fmt: skip
    return MissingAgreement(
        code, what + " An administrator of the customer accepts it in Tenantry: they are asked "
        "when they next order.",
        platform_agreements_path(organization), "See the customer's platform agreements",
    )  # fmt: skip


async def platform_agreements_missing(
    session: AsyncSession, organization: Organization, viewer: Actor
) -> list[MissingAgreement]:
    """The terms of business (when a version applies) and, for a marked customer, the
    professional-secrecy agreement, unless accepted in their current version."""
    if organization.kind is not OrganizationKind.CUSTOMER:
        return []
    found = []
    for status in await statuses(session, organization):
        if status.kind is AgreementKind.PLATFORM_TERMS and status.current is None:
            continue  # the platform has no terms to accept
        if not status.satisfied:
            found.append(_entry(status, organization, viewer))
    return found
