"""What a reseller's customer needs before checkout, beyond what every organization needs.

- The reseller's MPN ID must have passed the check (``mpn_status`` "valid"): Microsoft refuses
  an indirect order whose PartnerID on record is not a reseller of the distributor.
- When the platform requires it (``platform_configs.billing_address_required``), a complete
  billing address by the country's rules: an indirect provider's bill-to goes to Microsoft. The
  rules are the ones every organization's address is checked with
  (:func:`tenantry.organizations.rules.address_errors`: postal code where the country uses
  them, a state or province where Microsoft's address validation asks for one), applied to what
  is stored, so addresses imported or saved before the setting was turned on are caught too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import Organization, OrganizationKind, PlatformConfig
from tenantry.organizations.rules import address_errors
from tenantry.resellers.mpn import MpnStatus

FIELD_NAMES = {
    "address.line1": "street address",
    "address.city": "city",
    "address.region": "state or province",
    "address.postal_code": "postal code",
    "address.country": "country",
}


@dataclass(frozen=True)
class ResellerBlocker:
    """Shaped like ``orders.checkout.Blocker``, with where to fix it."""

    code: str
    message: str
    link: str | None = None


async def _reseller_of(session: AsyncSession, organization: Organization) -> Organization | None:
    if organization.kind is not OrganizationKind.CUSTOMER or organization.parent_id is None:
        return None
    parent = await session.get(Organization, organization.parent_id)
    return parent if parent is not None and parent.kind is OrganizationKind.RESELLER else None


async def reseller_blockers(
    session: AsyncSession, organization: Organization
) -> list[ResellerBlocker]:
    """Why a reseller's customer cannot order yet (none for anyone else)."""
    reseller = await _reseller_of(session, organization)
    if reseller is None:
        return []
    found: list[ResellerBlocker] = []
    if reseller.mpn_status != MpnStatus.VALID.value:
        found.append(
            ResellerBlocker(
                "reseller_mpn_invalid",
                f"{reseller.display_name} cannot take orders through Microsoft yet: its MPN "
                f"(Partner) ID {reseller.mpn_id or '(none)'} has not passed the check in "
                f"Partner Center. Ask {reseller.display_name} to check it.",
            )
        )
    config = await session.get(PlatformConfig, organization.platform_id)
    if config is not None and config.billing_address_required:
        missing = billing_address_missing(organization)
        if missing:
            found.append(
                ResellerBlocker(
                    "billing_address_incomplete",
                    f"Complete the billing address of {organization.display_name} first: "
                    f"{'; '.join(missing)}.",
                    link=f"/organizations/{organization.id}#profile-title",
                )
            )
    return found


def billing_address_missing(organization: Organization) -> list[str]:
    """What the stored address lacks or gets wrong, in words, per the country's rules."""
    problems = [
        f"the {FIELD_NAMES[key]} is missing"
        for key, value in (
            ("address.line1", organization.address_line1),
            ("address.city", organization.address_city),
            ("address.country", organization.address_country),
        )
        if not (value or "").strip()
    ]
    if organization.address_country:
        problems += [
            error.message
            for error in address_errors(
                "address",
                organization.address_country,
                organization.address_region,
                organization.address_postal_code,
            )
        ]
    return problems
