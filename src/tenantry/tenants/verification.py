"""Verify authorization: has the customer's Global Administrator accepted the invitation?

Finds the tenant among the partner's customers by the domain the customer uses (Partner Center
lists a tenant only once it accepted us), checks the relationship (for an indirect sale, that the
reseller is among the customer's indirect resellers), then links it. Each missing part has its own
code, so the page and the API say which it is:

- ``no_tenant_for_domain``: no Microsoft tenant uses the domain;
- ``invitation_not_accepted``: a tenant has it, but it has not accepted the invitation yet;
- ``accepted_for_another_reseller``: it accepted the distributor, not through this reseller;
- ``tenant_held_by_another_organization``: another organization of the platform holds it;
- ``partner_center_unavailable`` (503): Partner Center could not be asked.

Verifying again is safe: an organization already linked to the tenant stays linked, once.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import Conflict, FieldError, ValidationFailed
from tenantry.models import (
    LinkMethod,
    MicrosoftTenant,
    TenantChoice,
    utcnow,
)
from tenantry.organizations import repository
from tenantry.partnercenter import PartnerCenterClient
from tenantry.partnercenter.models.customers import Customer, CustomerSearchField
from tenantry.security import Actor, Permission, require
from tenantry.tenants import authorization
from tenantry.tenants.linking import TenantFacts, link_tenant
from tenantry.tenants.service_details import ask, load


class VerifyFailed(Conflict):
    """What Verify authorization found missing; ``reason`` is its code."""

    code = "authorization_not_verified"
    title = "The authorization could not be verified"


class NoTenantForDomain(VerifyFailed):
    code = "no_tenant_for_domain"
    title = "No Microsoft tenant uses the domain"


class InvitationNotAccepted(VerifyFailed):
    code = "invitation_not_accepted"
    title = "The invitation is not accepted yet"


class AcceptedForAnotherReseller(VerifyFailed):
    code = "accepted_for_another_reseller"
    title = "The customer accepted another reseller"


FAILURES: dict[str, type[VerifyFailed]] = {
    f.code: f for f in (NoTenantForDomain, InvitationNotAccepted, AcceptedForAnotherReseller)
}


def _domains_of(customer: Customer) -> set[str]:
    names = {customer.company_profile.domain} if customer.company_profile else set()
    names |= set(customer.custom_domains or [])
    return {n.lower() for n in names if n}


async def find_customer(client: PartnerCenterClient, domain: str) -> Customer | None:
    """The partner's customer using ``domain`` (initial or custom), if any.

    The Domain search matches a customer's domains by their start, and its results carry only
    the initial domain: a candidate found by a custom domain is read in full (with its custom
    domains) to tell an exact match from one that merely starts the same."""
    async for customer in client.search_customers(CustomerSearchField.DOMAIN, domain):
        if domain in _domains_of(customer):
            return customer
        if customer.id is None:
            continue
        full = await client.get_customer(customer.id)
        if domain in _domains_of(full):
            return full
    return None


def facts_of(customer: Customer, domain: str, reseller_id: uuid.UUID | None) -> TenantFacts:
    profile = customer.company_profile
    initial = profile.domain if profile else None
    verified = sorted(_domains_of(customer))
    return TenantFacts(
        tenant_id=uuid.UUID(str(customer.id)),
        company_name=profile.company_name if profile else None,
        initial_domain=initial,
        default_domain=domain if domain != (initial or "").lower() else initial,
        verified_domains=verified,
        relationship="indirect" if reseller_id else "direct",
        reseller_id=reseller_id,
    )


async def verify(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID,
    client: PartnerCenterClient, customer_domain: str | None = None,
) -> MicrosoftTenant:  # fmt: skip
    """Find the accepted tenant and link it; raise :class:`VerifyFailed` naming what is missing."""
    require(actor, Permission.TENANTS_MANAGE)
    step = await load(session, actor, organization_id)
    details = step.details
    if step.tenant is not None and step.organization.tenant_id is not None:
        return step.tenant  # verified already: a retried Verify changes nothing
    if details is None or details.choice is not TenantChoice.EXISTING:
        raise Conflict(
            "choose 'already using Microsoft 365' in Service Details first; Verify checks the "
            "authorization of an existing tenant",
            reason="no_authorization_requested",
        )
    domain = (customer_domain or details.customer_domain or "").strip().lower().rstrip(".")
    if not domain:
        raise ValidationFailed([FieldError(
            "customer_domain", "required", "enter the domain the customer uses with Microsoft 365"
        )])  # fmt: skip
    customer = await ask("find the customer's tenant", lambda: find_customer(client, domain))
    if customer is None:
        free = await ask(
            "check whether a tenant uses the domain", lambda: client.is_domain_available(domain)
        )
        code = "no_tenant_for_domain" if free else "invitation_not_accepted"
        raise _failure(code, domain, step.sellers)
    reseller = step.sellers.reseller
    if reseller is not None:
        reseller_tenant = await ask(
            "find the reseller's partner tenant",
            lambda: authorization.reseller_tenant_id(client, reseller),
        )
        relationships = await ask(
            "list the customer's resellers",
            lambda: client.list_customer_relationships(str(customer.id)),
        )
        if reseller_tenant.lower() not in {r.id.lower() for r in relationships}:
            raise _failure("accepted_for_another_reseller", domain, step.sellers)
    # Partner Center was asked; now take the organization's row and link (one wins a race).
    organization = await repository.get_for_update(session, actor, organization_id)
    await session.refresh(details)  # whoever held the lock before may have linked it meanwhile
    tenant = await link_tenant(
        session, actor, organization,
        facts_of(customer, domain, reseller.id if reseller else None), LinkMethod.VERIFIED,
    )  # fmt: skip
    # A refusal rolls back with its request, so only a success is remembered.
    details.last_verified_at = utcnow()
    details.last_verify_outcome = None
    details.customer_domain = domain
    await session.flush()
    return tenant


def _failure(code: str, domain: str, sellers: authorization.Sellers) -> VerifyFailed:
    seller = sellers.seller.display_name
    messages = {
        "no_tenant_for_domain": f"no Microsoft tenant uses the domain {domain}; check the "
        "domain the customer signs in to Microsoft 365 with (its default domain, or the "
        "initial one ending in .onmicrosoft.com)",
        "invitation_not_accepted": f"the Microsoft tenant using {domain} has not accepted the "
        f"invitation from {seller} yet; its Global Administrator must open the authorization "
        "link and accept it, then verify again",
        "accepted_for_another_reseller": f"the Microsoft tenant using {domain} accepted the "
        f"distributor through another reseller, not {seller}; its Global Administrator must "
        "open this page's authorization link and accept it",
    }
    return FAILURES[code](messages[code], reason=code)
