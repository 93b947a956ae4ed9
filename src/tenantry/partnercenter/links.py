"""Links customers open in the Microsoft 365 admin center.

Partner Center returns the reseller invitation link itself
(:meth:`PartnerCenterClient.get_relationship_request_link`); prefer that. These builders produce
the formats Microsoft's admin center accepts, for the GDAP approval link (which no API returns)
and for showing a link when the API is unreachable.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

ADMIN_CENTER_URL = "https://admin.microsoft.com"


def reseller_invitation_url(partner_tenant_id: str) -> str:
    """Accept a direct reseller relationship with the partner (no DAP)."""
    query = urlencode(
        {
            "invType": "ResellerRelationship",
            "partnerId": partner_tenant_id,
            "msppId": "0",
            "DAP": "false",
        }
    )
    return f"{ADMIN_CENTER_URL}/Adminportal/Home?{query}#/BillingAccounts/partner-invitation"


def indirect_reseller_invitation_url(
    reseller_tenant_id: str, reseller_partner_id: str, provider_tenant_id: str
) -> str:
    """Accept an indirect reseller (by tenant id and PartnerID) and its indirect provider."""
    query = urlencode(
        {
            "invType": "IndirectResellerRelationship",
            "partnerId": reseller_tenant_id,
            "msppId": reseller_partner_id,
            "indirectCSPId": provider_tenant_id,
            "DAP": "false",
        }
    )
    return f"{ADMIN_CENTER_URL}/Adminportal/Home?{query}#/BillingAccounts/partner-invitation"


def gdap_approval_url(relationship_id: str) -> str:
    """Where the customer's Global Administrator approves a GDAP relationship."""
    relationship = quote(relationship_id, safe="")
    return (
        f"{ADMIN_CENTER_URL}/AdminPortal/Home#/partners/invitation/"
        f"granularAdminRelationships/{relationship}"
    )
