"""Hand-written stand-ins for what organizations reach outside the app."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from tenantry.errors import FieldError
from tenantry.organizations.tenant_check import not_a_customer
from tenantry.partnercenter.access import PartnerCenterUnavailable


@dataclass
class KnownTenants:
    """A Partner Center whose customers are ``customers``; any other tenant does not exist.
    For tests whose app cannot reach the sandbox (it runs in another event loop)."""

    customers: set[uuid.UUID] = field(default_factory=set)

    async def customer_error(self, tenant_id: uuid.UUID) -> FieldError | None:
        return None if tenant_id in self.customers else not_a_customer(tenant_id, exists=False)


class UnreachableTenants:
    """A Partner Center that cannot be reached."""

    async def customer_error(self, tenant_id: uuid.UUID) -> FieldError | None:
        raise PartnerCenterUnavailable(
            f"Partner Center could not be asked about {tenant_id}",
            errors=[FieldError("tenant_id", "partner_center_unavailable", "try again later")],
        )
