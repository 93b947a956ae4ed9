"""Domains: prefix availability and a customer's domains.

- ``HEAD /v1/domains/{domain}``: 200 when the domain exists (taken), 404 when it is available,
  no body either way. An initial domain is taken when any tenant, partner or customer, uses its
  prefix (``contoso.onmicrosoft.com`` and ``contoso.ccsctp.net`` share one).
- ``GET /v1/customers/{id}/customDomains`` (App+User): a bare JSON array of the tenant's domains.
"""

from __future__ import annotations

from fastapi import Response

from tenantry_sandbox.api import CustomerOfUser, Session, partner_center_router
from tenantry_sandbox.store import domains

router = partner_center_router(tags=["domains"])


@router.head("/domains/{domain}", summary="Check whether a domain exists (200) or is free (404)")
async def domain_exists(domain: str, session: Session) -> Response:
    taken = await domains.is_taken(session, domain)
    return Response(status_code=200 if taken else 404, headers={"Content-Length": "0"})


@router.get("/customers/{customer_id:uuid}/customDomains", summary="List a customer's domains")
async def custom_domains(customer: CustomerOfUser, session: Session) -> list[str]:
    return await domains.names_of(session, customer.id)
