"""Links customers open in the Microsoft 365 admin center.

Partner Center returns the reseller invitation link itself
(:meth:`PartnerCenterClient.get_relationship_request_link`); prefer that. These builders produce
the formats Microsoft's admin center accepts, for the GDAP approval link (which no API returns)
and for showing a link when the API is unreachable.

Pass ``admin_center_url=client.config.admin_center_url``: ``https://admin.microsoft.com`` when
the client talks to Microsoft, the sandbox's own host (which serves the same pages) otherwise.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from tenantry.partnercenter.config import MICROSOFT_ADMIN_CENTER_URL

ADMIN_CENTER_URL = MICROSOFT_ADMIN_CENTER_URL


def reseller_invitation_url(
    partner_tenant_id: str, *, admin_center_url: str = ADMIN_CENTER_URL
) -> str:
    """Accept a direct reseller relationship with the partner (no DAP)."""
    query = urlencode(
        {
            "invType": "ResellerRelationship",
            "partnerId": partner_tenant_id,
            "msppId": "0",
            "DAP": "false",
        }
    )
    return f"{_root(admin_center_url)}/Adminportal/Home?{query}#/BillingAccounts/partner-invitation"


def indirect_reseller_invitation_url(
    reseller_tenant_id: str,
    reseller_partner_id: str,
    provider_tenant_id: str,
    *,
    admin_center_url: str = ADMIN_CENTER_URL,
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
    return f"{_root(admin_center_url)}/Adminportal/Home?{query}#/BillingAccounts/partner-invitation"


def gdap_approval_url(relationship_id: str, *, admin_center_url: str = ADMIN_CENTER_URL) -> str:
    """Where the customer's Global Administrator approves a GDAP relationship."""
    relationship = quote(relationship_id, safe="")
    return (
        f"{_root(admin_center_url)}/AdminPortal/Home#/partners/invitation/"
        f"granularAdminRelationships/{relationship}"
    )


def customer_agreement_url(*, admin_center_url: str = ADMIN_CENTER_URL) -> str:
    """Where a customer's admin reads and accepts the Microsoft Customer Agreement themselves
    (Partner Center then answers ``isSigned: true`` for the direct-signed status)."""
    return f"{_root(admin_center_url)}/AdminPortal/Home?ref=/BillingAccounts/agreement"


def _root(admin_center_url: str) -> str:
    return admin_center_url.rstrip("/")
