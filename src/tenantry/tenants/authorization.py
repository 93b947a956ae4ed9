"""The authorization link a customer's Global Administrator opens to accept its seller.

Which link depends on who sells to the customer:

- the platform sells directly (a direct CSP platform, or a customer right under the platform):
  the direct reseller-relationship invitation naming the platform;
- a reseller of an indirect provider sells: the indirect invitation naming the distributor (the
  platform's tenant) and the reseller (its partner tenant id, looked up by its MPN ID among the
  distributor's indirect resellers when Tenantry does not know it).

Tenantry never asks for the Global Administrator's password: the administrator signs in at
Microsoft and accepts there.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import Conflict
from tenantry.models import Organization, OrganizationKind, PlatformModel
from tenantry.partnercenter import PartnerCenterClient


class ResellerNotInNetwork(Conflict):
    code = "reseller_not_in_network"
    title = "The reseller is not in the distributor's network"


@dataclass(frozen=True)
class Sellers:
    """Who the customer accepts: the platform (distributor or direct CSP) and, for an indirect
    sale, the reseller."""

    platform: Organization
    reseller: Organization | None  # None: the platform sells directly

    @property
    def seller(self) -> Organization:
        return self.reseller or self.platform


async def sellers_of(session: AsyncSession, organization: Organization) -> Sellers:
    platform = await session.get(Organization, organization.platform_id)
    assert platform is not None
    parent = (
        await session.get(Organization, organization.parent_id) if organization.parent_id else None
    )
    direct = platform.platform_model is PlatformModel.DIRECT_CSP
    if direct or parent is None or parent.kind is not OrganizationKind.RESELLER:
        return Sellers(platform, None)
    return Sellers(platform, parent)


async def reseller_tenant_id(client: PartnerCenterClient, reseller: Organization) -> str:
    """The reseller's partner tenant id: the one Tenantry holds, or the one Partner Center lists
    for its MPN ID among the distributor's indirect resellers."""
    if reseller.tenant_id is not None:
        return str(reseller.tenant_id)
    if reseller.mpn_id:
        for relationship in await client.list_indirect_resellers():
            if relationship.mpn_id == reseller.mpn_id:
                return relationship.id
    raise ResellerNotInNetwork(
        f"{reseller.display_name} (MPN ID {reseller.mpn_id or 'not set'}) is not among the "
        "distributor's indirect resellers in Partner Center, so no authorization link can name "
        "it; the reseller must accept the distributor as its indirect provider first",
        reason="reseller_not_in_network",
    )


async def authorization_link(client: PartnerCenterClient, sellers: Sellers) -> str:
    """The link from Partner Center for this customer's sellers."""
    if sellers.reseller is None:
        return (await client.get_relationship_request_link()).url
    reseller_id = await reseller_tenant_id(client, sellers.reseller)
    link = await client.get_indirect_relationship_request_link(
        reseller_id,
        # The platform's own tenant when it holds one, else the client's (the distributor's).
        indirect_provider_tenant_id=str(sellers.platform.tenant_id)
        if sellers.platform.tenant_id
        else None,
    )
    return link.url
