"""Match proposals as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from tenantry.models import MatchProposal, MatchStatus, Organization, PartnerCenterAccount


class Evidence(BaseModel):
    rule: str = Field(description="domain, registration_number, vat_id or name")
    label: str
    left: str = Field(description="The organization's value")
    right: str = Field(description="The other side's value (account or organization)")


class MatchedOrganization(BaseModel):
    id: uuid.UUID
    display_name: str
    legal_name: str
    domain: str | None
    tenant_id: uuid.UUID | None


class MatchedAccount(BaseModel):
    id: uuid.UUID
    tenant_id: uuid.UUID
    company_name: str
    default_domain: str | None
    domains: list[str]
    reseller_tenant_id: uuid.UUID | None


class MatchRead(BaseModel):
    id: uuid.UUID
    status: MatchStatus
    organization: MatchedOrganization | None
    other_organization: MatchedOrganization | None = Field(
        description="Set for two organizations that may be one (merge them)"
    )
    account: MatchedAccount | None = Field(
        description="Set for a Partner Center customer or reseller no organization holds (link)"
    )
    evidence: list[Evidence]
    created_at: datetime
    decided_at: datetime | None


class ScanResult(BaseModel):
    found: int = Field(description="Open proposals of duplicate organizations in your scope")
    created: int = Field(description="Of them, new with this scan")
    items: list[MatchRead]


def _organization(organization: Organization | None) -> MatchedOrganization | None:
    if organization is None:
        return None
    return MatchedOrganization(
        id=organization.id, display_name=organization.display_name,
        legal_name=organization.legal_name, domain=organization.domain,
        tenant_id=organization.tenant_id,
    )  # fmt: skip


def match_read(
    proposal: MatchProposal,
    organizations: dict[uuid.UUID, Organization],
    accounts: dict[uuid.UUID, PartnerCenterAccount],
) -> MatchRead:
    account = accounts.get(proposal.account_id) if proposal.account_id else None
    other = proposal.other_organization_id
    evidence: list[dict[str, Any]] = proposal.evidence or []
    return MatchRead(
        id=proposal.id,
        status=proposal.status,
        organization=_organization(organizations.get(proposal.organization_id)),
        other_organization=_organization(organizations.get(other) if other else None),
        account=MatchedAccount(
            id=account.id,
            tenant_id=account.tenant_id,
            company_name=account.company_name,
            default_domain=account.default_domain,
            domains=list(account.domains or []),
            reseller_tenant_id=account.reseller_tenant_id,
        )
        if account
        else None,
        evidence=[Evidence.model_validate(e) for e in evidence],
        created_at=proposal.created_at,
        decided_at=proposal.decided_at,
    )
