"""Relationships: invitation links, the distributor's resellers, a customer's resellers.

- ``GET /v1/customers/relationshiprequests`` (App+User): the link a customer's admin opens to
  accept the caller as reseller; with ``indirectResellerId`` (and optionally
  ``indirectCloudSolutionProviderId``) the indirect form naming the reseller and the provider.
- ``GET /v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf|IsIndirectResellerOf
  [&filter={"Field":"Name",...}]`` (App+User)
- ``GET /v1/customers/{id}/relationships`` (App+User): the indirect resellers serving the customer
  through the caller.
"""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query

from tenantry_sandbox import errors
from tenantry_sandbox.api import (
    CallingPartner,
    CustomerOfUser,
    Session,
    State,
    UserCaller,
    partner_center_router,
)
from tenantry_sandbox.binding import enum_key
from tenantry_sandbox.filters import parse_field_filter
from tenantry_sandbox.resources import Collection, collection
from tenantry_sandbox.schemas.partners import (
    INDIRECT_PROVIDER_OF,
    INDIRECT_RESELLER_OF,
    PartnerRelationshipOut,
    RelationshipRequestOut,
    partner_relationship,
)
from tenantry_sandbox.store import partners, relationships

router = partner_center_router(tags=["relationships"])

INVITATION_FRAGMENT = "#/BillingAccounts/partner-invitation"


def _tenant_id(value: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise errors.invalid_property(f"{name} '{value}' is not a tenant id.", name) from exc


@router.get("/customers/relationshiprequests", summary="Get a reseller relationship request link")
async def relationship_request(
    caller: UserCaller,
    state: State,
    session: Session,
    indirect_reseller_id: Annotated[str | None, Query(alias="indirectResellerId")] = None,
    indirect_provider_id: Annotated[
        str | None, Query(alias="indirectCloudSolutionProviderId")
    ] = None,
    # Accepted as documented; the sandbox models no partner in both CSP roles, so it changes nothing.
    dual_role: Annotated[bool | None, Query(alias="dualRoleIndirectRelationship")] = None,
) -> RelationshipRequestOut:
    portal = state.settings.portal_url
    if indirect_reseller_id is None and indirect_provider_id is None:
        query = urlencode(
            {
                "invType": "ResellerRelationship",
                "partnerId": str(caller.tenant_id),
                "msppId": "0",
                "DAP": "false",
            }
        )
        return RelationshipRequestOut(url=f"{portal}?{query}{INVITATION_FRAGMENT}")
    reseller_id = (
        _tenant_id(indirect_reseller_id, "indirectResellerId")
        if indirect_reseller_id
        else caller.tenant_id
    )
    provider_id = (
        _tenant_id(indirect_provider_id, "indirectCloudSolutionProviderId")
        if indirect_provider_id
        else caller.tenant_id
    )
    reseller = await partners.get(session, reseller_id)
    if caller.tenant_id not in (reseller_id, provider_id) or reseller is None:
        raise errors.not_in_network(reseller_id, provider_id)
    if await partners.network_link(session, provider_id, reseller_id) is None:
        raise errors.not_in_network(reseller_id, provider_id)
    query = urlencode(
        {
            "invType": "IndirectResellerRelationship",
            "partnerId": str(reseller_id),
            "msppId": reseller.mpn_id,
            "indirectCSPId": str(provider_id),
            "DAP": "false",
        }
    )
    return RelationshipRequestOut(url=f"{portal}?{query}{INVITATION_FRAGMENT}")


@router.get("/relationships", summary="List the partner's indirect resellers or providers")
async def partner_relationships(
    partner: CallingPartner,
    caller: UserCaller,
    session: Session,
    relationship_type: Annotated[str | None, Query()] = None,
    filter_: Annotated[str | None, Query(alias="filter")] = None,
) -> Collection[PartnerRelationshipOut]:
    kind = enum_key(relationship_type or "")
    if kind not in (enum_key(INDIRECT_PROVIDER_OF), enum_key(INDIRECT_RESELLER_OF)):
        raise errors.invalid_property(
            "relationship_type must be IsIndirectCloudSolutionProviderOf or IsIndirectResellerOf.",
            "relationship_type",
        )
    as_provider = kind == enum_key(INDIRECT_PROVIDER_OF)
    name_prefix = parse_field_filter(filter_, ("name",)).value if filter_ else None
    rows = await partners.network(
        session, partner.tenant_id, as_provider=as_provider, name_prefix=name_prefix
    )
    relationship = INDIRECT_PROVIDER_OF if as_provider else INDIRECT_RESELLER_OF
    return collection([partner_relationship(other, relationship, link) for other, link in rows])


@router.get(
    "/customers/{customer_id:uuid}/relationships", summary="List a customer's indirect resellers"
)
async def customer_relationships(
    customer: CustomerOfUser, caller: UserCaller, session: Session
) -> Collection[PartnerRelationshipOut]:
    resellers = await relationships.indirect_resellers(session, customer.id, caller.tenant_id)
    return collection(
        [partner_relationship(reseller, INDIRECT_PROVIDER_OF) for reseller in resellers]
    )
