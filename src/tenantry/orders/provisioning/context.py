"""One run of the provisioning job for one order: what every step reads, and how Partner
Center's answers become waits and refusals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import (
    LinkMethod,
    MicrosoftTenant,
    Order,
    OrderProvisioning,
    Organization,
    utcnow,
)
from tenantry.orders.provisioning import refusals
from tenantry.orders.provisioning.refusals import Refused, Wait
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.partnercenter.errors import PartnerCenterError
from tenantry.security import Actor
from tenantry.settings import Settings
from tenantry.tenants.authorization import Sellers


@dataclass
class Run:
    """One run of the job for one order."""

    session: AsyncSession
    client: PartnerCenterClient
    settings: Settings
    order: Order
    state: OrderProvisioning
    organization: Organization
    sellers: Sellers
    # Who the agreement gate speaks to: the platform's staff (the job acts for the platform).
    viewer: Actor
    # The tenant when Tenantry created it: Partner Center not knowing it yet is waited for.
    new_tenant: MicrosoftTenant | None = None

    @property
    def seller(self) -> str:
        return self.sellers.seller.display_name

    @property
    def customer_id(self) -> str:
        assert self.state.customer_tenant_id is not None
        return str(self.state.customer_tenant_id)

    def refused(self, exc: PartnerCenterError, doing: str) -> Refused:
        return refusals.refusal(exc, doing=doing, seller=self.seller)

    def partner_center_said(self, exc: PartnerCenterError, doing: str) -> NoReturn:
        """Wait when Partner Center is unreachable or busy, else fail with its refusal."""
        if (wait := refusals.transient(exc)) is not None:
            raise wait from exc
        if refusals.tenant_unknown(exc):
            self.tenant_unknown()
        raise self.refused(exc, doing) from exc

    def tenant_unknown(self) -> NoReturn:
        """Partner Center does not know the tenant: a tenant Tenantry just created is waited
        for; any other no longer accepts the seller."""
        tenant = self.new_tenant
        if tenant is not None:
            minutes = self.settings.provisioning_tenant_ready_minutes
            if utcnow() - tenant.linked_at < timedelta(minutes=minutes):
                raise Wait("Microsoft is still setting up the new tenant", tenant_not_ready=True)
            raise refusals.tenant_not_ready(tenant.initial_domain, minutes)
        raise Refused(
            refusals.RELATIONSHIP_MISSING,
            f"Partner Center does not know the customer's tenant as a customer of {self.seller} "
            "(the reseller relationship is missing or was removed). Send the customer the "
            "authorization link again from Service Details; once its Global Administrator "
            "accepted, retry the order.",
        )


async def created_tenant(
    session: AsyncSession, organization: Organization
) -> MicrosoftTenant | None:
    """The organization's tenant when Tenantry created it (waited for while Microsoft sets it
    up), else None."""
    tenant = await session.get(MicrosoftTenant, organization.id)
    return tenant if tenant is not None and tenant.link_method is LinkMethod.CREATED else None
