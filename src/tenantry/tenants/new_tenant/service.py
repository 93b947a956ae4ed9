"""Creating the new tenant a customer chose in Service Details, as a Partner Center customer.

A direct CSP's customer, and a distributor's own customer, are created with ``create_customer``;
a reseller's customer with ``create_customer_for_indirect_reseller`` naming the reseller (its
partner tenant id, looked up by its MPN ID when Tenantry does not hold it). The tenant is then
linked to the organization (link method ``created``) and its first administrator's credentials
go to the customer's administrator through the one-time link (:mod:`.credentials`).

Never two customers for one order, even when the worker dies between Partner Center's answer and
our commit: the creation's ``MS-RequestId`` is derived from the organization and the domain, and
before creating, our customers are searched for the domain. Found, it is ours from the earlier
attempt: the creation is asked again with the same request id (Partner Center answers a repeated
request id with its first answer, credentials included) and, if Partner Center answers that the
domain is taken instead, the customer found is linked without the credentials. A second
customer cannot arise either way: an initial domain belongs to one tenant only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.errors import Conflict
from tenantry.models import (
    LinkMethod,
    Membership,
    MicrosoftTenant,
    Organization,
    Role,
    ServiceDetails,
    ServiceDetailsStatus,
    TenantChoice,
    User,
)
from tenantry.partnercenter import DomainTaken, PartnerCenterClient
from tenantry.partnercenter.models.customers import Customer, CustomerSearchField
from tenantry.settings import Settings
from tenantry.tenants import authorization, prefix
from tenantry.tenants.linking import TenantFacts, link_tenant
from tenantry.tenants.new_tenant import credentials
from tenantry.tenants.new_tenant.customer import create_request_id, customer_body

log = structlog.get_logger("tenantry.tenants")


class NoNewTenantChosen(Conflict):
    code = "new_tenant_not_chosen"
    title = "No new tenant is held for the organization"


class DomainTakenMeanwhile(Conflict):
    code = "new_tenant_domain_taken"
    title = "The new tenant's domain was registered by another tenant"


@dataclass(frozen=True)
class CreatedTenant:
    tenant: MicrosoftTenant
    # False when the tenant already existed from an earlier attempt and Partner Center did not
    # return its credentials again: staff reset the administrator's password in Partner Center.
    credentials_sent: bool
    # False when the organization already held the tenant (nothing was done).
    created_now: bool = True


def held_domain(details: ServiceDetails | None, organization: Organization) -> str:
    """The ``<prefix>.onmicrosoft.com`` held for the organization's new tenant."""
    if (
        details is None
        or details.choice is not TenantChoice.NEW
        or details.status is not ServiceDetailsStatus.HELD
        or not details.domain_prefix
    ):
        raise NoNewTenantChosen(
            f"{organization.display_name} holds no new tenant's prefix in Service Details: "
            "choose the Microsoft tenant there first"
        )
    return prefix.domain_of(details.domain_prefix)


async def admin_recipient(session: AsyncSession, organization: Organization) -> str:
    """Who gets the credentials link: the person who registered the organization while still
    one of its administrators, else its earliest administrator, else its primary contact."""
    rows = await session.execute(
        select(User.id, User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organization_id == organization.id,
            Membership.role == Role.CUSTOMER_ADMIN,
            User.is_active.is_(True),
        )
        .order_by(Membership.created_at, User.email)
    )
    admins = list(rows)
    for user_id, email in admins:
        if user_id == organization.registered_by_id:
            return str(email)
    return str(admins[0][1]) if admins else organization.contact_email


async def our_customer_with_domain(client: PartnerCenterClient, domain: str) -> Customer | None:
    """Our Partner Center customer whose initial domain is ``domain`` (the search is a prefix
    match, so the domain is compared in full)."""
    async for customer in client.search_customers(CustomerSearchField.DOMAIN, domain):
        profile = customer.company_profile
        if customer.id and profile and (profile.domain or "").lower() == domain.lower():
            return customer
    return None


async def create_tenant(
    session: AsyncSession,
    client: PartnerCenterClient,
    settings: Settings,
    organization: Organization,
) -> CreatedTenant:
    """Create the organization's new tenant in Partner Center, link it and send the credentials
    link. Partner Center's errors propagate (the caller decides what waits and what fails);
    :class:`DomainTakenMeanwhile` when another tenant registered the domain since it was held."""
    if organization.tenant_id is not None:
        tenant = await session.get(MicrosoftTenant, organization.id)
        if tenant is not None:
            return CreatedTenant(tenant, credentials_sent=False, created_now=False)
    details = await session.get(ServiceDetails, organization.id)
    domain = held_domain(details, organization)
    sellers = await authorization.sellers_of(session, organization)
    reseller_tenant = (
        await authorization.reseller_tenant_id(client, sellers.reseller)
        if sellers.reseller
        else None
    )
    body = customer_body(organization, domain)
    request_id = create_request_id(organization, domain)

    async def create() -> Customer:
        if reseller_tenant is not None:
            return await client.create_customer_for_indirect_reseller(
                body, reseller_tenant, request_id=request_id
            )
        return await client.create_customer(body, request_id=request_id)

    earlier = await our_customer_with_domain(client, domain)
    try:
        customer = await create()
    except DomainTaken:
        found = earlier or await our_customer_with_domain(client, domain)
        if found is None:
            raise DomainTakenMeanwhile(
                f"{domain} was registered by another tenant after it was held for "
                f"{organization.display_name}; choose another prefix in Service Details",
                reason="new_tenant_domain_taken",
            ) from None
        customer = found
    if earlier is not None and customer.id != earlier.id:
        customer = earlier  # the domain is the earlier customer's whatever the answer says
    assert customer.id is not None
    tenant_id = uuid.UUID(customer.id)
    facts = TenantFacts(
        tenant_id,
        company_name=organization.legal_name,
        initial_domain=domain,
        relationship="indirect" if sellers.reseller else "direct",
        reseller_id=sellers.reseller.id if sellers.reseller else None,
    )
    tenant = await link_tenant(session, None, organization, facts, LinkMethod.CREATED)
    given = customer.user_credentials
    sent = bool(given and given.user_name and given.password)
    if given and given.user_name and given.password:
        await credentials.keep(
            session, settings, organization, tenant_id=tenant_id, initial_domain=domain,
            credentials=credentials.AdminCredentials(given.user_name, given.password),
            recipient=await admin_recipient(session, organization),
            sign_in_url=client.config.admin_center_url,
        )  # fmt: skip
    await record(
        session, None, action="tenant.created", target_type="organization",
        target_id=organization.id, organization_id=organization.id,
        platform_id=organization.platform_id,
        changes={"after": {
            "tenant_id": str(tenant_id), "domain": domain, "request_id": request_id,
            "reseller": sellers.reseller.display_name if sellers.reseller else None,
            "credentials_link": "sent" if sent else "not returned by Partner Center",
        }},
        actor_label="Tenantry",
    )  # fmt: skip
    log.info(
        "tenant created", organization_id=str(organization.id), tenant_id=str(tenant_id),
        domain=domain, repeated=earlier is not None,
    )  # fmt: skip
    return CreatedTenant(tenant, credentials_sent=sent)
