"""A customer accepting a reseller relationship invitation (the link partners send).

The sandbox's control API (and later its consent pages) calls ``accept_invitation`` with the link
Partner Center produced, so the same link format is parsed that Microsoft's admin center reads:
``invType=ResellerRelationship&partnerId=<partner tenant>`` for a direct relationship,
``invType=IndirectResellerRelationship&partnerId=<reseller tenant>&indirectCSPId=<provider tenant>``
for a customer of an indirect reseller, and ``DAP=true|false`` for delegated admin rights.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox.errors import (
    PartnerCenterError,
    invalid_property,
    not_in_network,
    tenant_not_found,
)
from tenantry_sandbox.store import customers, partners, relationships
from tenantry_sandbox.store.relationships import Role


@dataclass(frozen=True)
class Invitation:
    partner_tenant_id: uuid.UUID
    indirect_provider_tenant_id: uuid.UUID | None = None
    delegated_admin: bool = False


def parse_invitation(url: str) -> Invitation:
    query = {key.lower(): values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    kind = query.get("invtype", "").lower()
    try:
        partner_id = uuid.UUID(query.get("partnerid", ""))
        provider = (
            uuid.UUID(query.get("indirectcspid", ""))
            if kind == "indirectresellerrelationship"
            else None
        )
    except ValueError as exc:
        raise invalid_property("The invitation link names no valid partner.", "url") from exc
    if kind not in ("resellerrelationship", "indirectresellerrelationship"):
        raise invalid_property(f"Unknown invitation type '{kind}'.", "url")
    return Invitation(partner_id, provider, query.get("dap", "false").lower() == "true")


async def accept_invitation(
    session: AsyncSession, customer_id: uuid.UUID, invitation: Invitation
) -> None:
    if await customers.get(session, customer_id) is None:
        raise tenant_not_found(customer_id)
    if await partners.get(session, invitation.partner_tenant_id) is None:
        raise PartnerCenterError(404, 3000, f"Partner {invitation.partner_tenant_id} not found")
    provider = invitation.indirect_provider_tenant_id
    if provider is None:
        await relationships.link(
            session,
            customer_id,
            invitation.partner_tenant_id,
            Role.RESELLER,
            delegated_admin=invitation.delegated_admin,
        )
        return
    if await partners.network_link(session, provider, invitation.partner_tenant_id) is None:
        raise not_in_network(invitation.partner_tenant_id, provider)
    await relationships.link(
        session, customer_id, provider, Role.RESELLER, delegated_admin=invitation.delegated_admin
    )
    await relationships.link(
        session,
        customer_id,
        invitation.partner_tenant_id,
        Role.INDIRECT_RESELLER,
        provider_tenant_id=provider,
        delegated_admin=invitation.delegated_admin,
    )
