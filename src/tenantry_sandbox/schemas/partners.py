"""Partner-side bodies: partner relationships, PartnerID profiles, MPA status, invitation links."""

from __future__ import annotations

import uuid

from pydantic import Field

from tenantry_sandbox.resources import Attributes, Links, ResponseModel, attributes, self_links
from tenantry_sandbox.store.partners import NetworkLink, Partner

INDIRECT_PROVIDER_OF = "is_indirect_cloud_solution_provider_of"
INDIRECT_RESELLER_OF = "is_indirect_reseller_of"


class PartnerRelationshipOut(ResponseModel):
    id: uuid.UUID
    name: str
    relationship_type: str
    state: str | None = None
    mpn_id: str
    location: str | None = None
    attributes: Attributes = Field(default_factory=lambda: attributes("PartnerRelationship"))


class MpnProfileOut(ResponseModel):
    partner_name: str | None = None
    mpn_id: str
    profile_type: str = "MpnProfile"
    links: Links = Field(default_factory=lambda: self_links("/profiles/mpn"))
    attributes: Attributes = Field(default_factory=lambda: attributes("MpnProfile"))


class AgreementStatusOut(ResponseModel):
    is_agreement_signed: bool


class RelationshipRequestOut(ResponseModel):
    url: str
    attributes: Attributes = Field(default_factory=lambda: attributes("RelationshipRequest"))


def partner_relationship(
    partner: Partner, relationship_type: str, link: NetworkLink | None = None
) -> PartnerRelationshipOut:
    """A partner relationship; ``link`` given (the partner's own network) adds state and location."""
    return PartnerRelationshipOut(
        id=partner.tenant_id,
        name=partner.name,
        relationship_type=relationship_type,
        state=link.state if link else None,
        mpn_id=partner.mpn_id,
        location=partner.location if link else None,
    )
