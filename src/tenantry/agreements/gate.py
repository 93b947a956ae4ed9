"""What agreements keep a customer from buying, said to whoever is looking, with where to act.

Microsoft refuses new purchases, seat increases and renewals for a customer whose acceptance of
the Microsoft Customer Agreement is not confirmed (403, code 13605). Tenantry refuses them first,
before anything is sent to Microsoft, with a sentence that says what to do. The status is asked
of Partner Center again when it is not known to be accepted (a customer may have signed in the
admin center an hour ago); a known acceptance is not asked again (it is not withdrawn).

For a new tenant (created when the first order is provisioned) Partner Center cannot record an
acceptance yet: the customer admin accepts in the product, and the acceptance waits
(``pending_acceptance_id``) to be confirmed right after the tenant is created.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements import microsoft
from tenantry.errors import Conflict
from tenantry.models import (
    MicrosoftAgreementState,
    Organization,
    OrganizationKind,
    Role,
)
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.security import Actor

# Where each kind of person does what is missing.
CUSTOMER_ACCEPTANCE_PATH = "/agreements/microsoft-customer-agreement"


def organization_agreements_path(organization_id: uuid.UUID) -> str:
    return f"/organizations/{organization_id}/agreements"


MCA_MISSING = "microsoft_customer_agreement_missing"


class PurchaseKind(enum.StrEnum):
    """What Microsoft gates on the agreement."""

    PURCHASE = "purchase"
    SEAT_INCREASE = "seat_increase"
    RENEWAL = "renewal"


WHAT = {
    PurchaseKind.PURCHASE: "new purchases",
    PurchaseKind.SEAT_INCREASE: "more licenses",
    PurchaseKind.RENEWAL: "renewals",
}


@dataclass(frozen=True)
class MissingAgreement:
    """An agreement still to be accepted, said so that the viewer can act on it."""

    code: str
    message: str
    link: str | None = None
    link_label: str | None = None


def _mca_missing(organization: Organization, viewer: Actor, kind: PurchaseKind) -> MissingAgreement:
    refused = (
        f"Microsoft accepts no {WHAT[kind]} for {organization.display_name} until the Microsoft "
        "Customer Agreement is accepted."
    )
    if viewer.organization_kind is OrganizationKind.CUSTOMER or viewer.acting_on_behalf:
        if viewer.role is Role.CUSTOMER_USER:
            return MissingAgreement(
                MCA_MISSING, refused + " An administrator of your organization accepts it."
            )
        return MissingAgreement(
            MCA_MISSING, refused + " Read and accept it: it takes a minute.",
            CUSTOMER_ACCEPTANCE_PATH, "Accept the Microsoft Customer Agreement",
        )  # fmt: skip
    path = organization_agreements_path(organization.id)
    if viewer.organization_kind is OrganizationKind.RESELLER:
        return MissingAgreement(
            MCA_MISSING,
            refused + " Send the customer the acceptance request, or ask your distributor to "
            "attest an acceptance you obtained.",
            path, "See the customer's agreements",
        )  # fmt: skip
    return MissingAgreement(
        MCA_MISSING,
        refused + " The customer accepts it in Tenantry, or you attest an acceptance obtained "
        "outside it.",
        path, "Attest the acceptance",
    )  # fmt: skip


async def microsoft_agreement_missing(
    session: AsyncSession,
    organization: Organization,
    viewer: Actor,
    *,
    client: PartnerCenterClient | None = None,
    kind: PurchaseKind = PurchaseKind.PURCHASE,
) -> MissingAgreement | None:
    """None when the customer may buy as far as the agreement goes. With ``client``, a status
    not known to be accepted is asked of Partner Center first."""
    if organization.kind is not OrganizationKind.CUSTOMER:
        return None
    status = await microsoft.status_row(session, organization)
    if status.state in microsoft.SATISFIED and status.tenant_id == organization.tenant_id:
        return None
    if organization.tenant_id is None:
        return None if status.pending_acceptance_id else _mca_missing(organization, viewer, kind)
    if client is not None:
        status = await microsoft.refresh(session, client, organization)
        if status.state in microsoft.SATISFIED:
            return None
    return _mca_missing(organization, viewer, kind)


async def missing_agreements(
    session: AsyncSession,
    organization: Organization,
    viewer: Actor,
    *,
    client: PartnerCenterClient | None = None,
    kind: PurchaseKind = PurchaseKind.PURCHASE,
) -> list[MissingAgreement]:
    """Every agreement the organization must still accept before ``kind`` (the checkout, a seat
    increase and a renewal all ask here)."""
    found: list[MissingAgreement] = []
    if mca := await microsoft_agreement_missing(
        session, organization, viewer, client=client, kind=kind
    ):
        found.append(mca)
    # The platform's own agreements (its terms, professional secrecy), after Microsoft's.
    # Imported here: that module builds on this one's MissingAgreement.
    from tenantry.agreements.platform.missing import platform_agreements_missing

    found += await platform_agreements_missing(session, organization, viewer)
    return found


async def refused_by_microsoft(
    session: AsyncSession, organization: Organization, viewer: Actor, kind: PurchaseKind
) -> Conflict:
    """Partner Center answered 403/13605 (agreement missing) although Tenantry thought it
    accepted: correct the status, and say the same as the gate would."""
    status = await microsoft.status_row(session, organization)
    status.state = MicrosoftAgreementState.MISSING
    status.acceptance_id = None
    status.date_agreed = None
    status.route = None
    status.check_error = "Partner Center refused a purchase: no accepted agreement (13605)"
    missing = _mca_missing(organization, viewer, kind)
    return Conflict(missing.message, reason=missing.code, link=missing.link)
