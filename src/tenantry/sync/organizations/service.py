"""An organization's bill-to beside Partner Center's, as the API and the page show it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import Organization
from tenantry.sync import billto
from tenantry.sync.organizations.schemas import BillToDifference, BillToRead


async def bill_to(session: AsyncSession, organization: Organization) -> BillToRead:
    """The differences and what an order would miss (the caller checked the scope)."""
    account = await billto.account_of(session, organization)
    profile = account.billing_profile if account else None
    if account is None or profile is None:
        return BillToRead(
            organization_id=organization.id, linked=False, account_id=account and account.id,
            tenant_id=account and account.tenant_id, read_at=account and account.last_seen_at,
            differences=[], incomplete=False, missing=[], version=organization.version,
        )  # fmt: skip
    missing = billto.missing_of(account)
    differences = [
        BillToDifference.model_validate(d, from_attributes=True)
        for d in billto.differences(organization, profile)
    ]
    return BillToRead(
        organization_id=organization.id, linked=True, account_id=account.id,
        tenant_id=account.tenant_id, read_at=account.last_seen_at, differences=differences,
        incomplete=bool(missing), missing=missing, version=organization.version,
    )  # fmt: skip
