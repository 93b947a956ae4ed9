"""Creating a customer: a new directory tenant, its Partner Center records and relationships.

Rules, in the order the service applies them: the body's required fields and formats (3000,
27002), the country rules (600049/600002/600051), the initial domain (a valid prefix, 400/3000; a
prefix any tenant already uses, 409/3000), and for a customer created for an indirect reseller
(``associatedPartnerId``): App+User only (900329), the caller must be an indirect provider and the
reseller one of its network (403/600006), with the Microsoft Partner Agreement signed (403/900123).
"""

from __future__ import annotations

import re
import secrets
import string
import uuid
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox import errors
from tenantry_sandbox.errors import PartnerCenterError, invalid_property
from tenantry_sandbox.schemas.customers import CustomerCreate
from tenantry_sandbox.services.validation import check_country_rules, validate_billing_profile
from tenantry_sandbox.store import domains, partners, relationships
from tenantry_sandbox.store.customers import (
    BillingProfile,
    Customer,
    customer_row,
)
from tenantry_sandbox.store.domains import Domain
from tenantry_sandbox.store.partners import Partner, Program
from tenantry_sandbox.store.relationships import Role
from tenantry_sandbox.store.tenants import Tenant, TenantKind
from tenantry_sandbox.store.users import CustomerUser, user_row
from tenantry_sandbox.tokens import Caller

PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
PASSWORD_ALPHABET = string.ascii_letters + string.digits + "!#$%*+-=.;:?@"


@dataclass(frozen=True)
class CreatedCustomer:
    customer: Customer
    billing_profile: BillingProfile
    admin_user_name: str
    admin_password: str
    reseller: Partner | None


def domain_in_use(domain: str) -> PartnerCenterError:
    return PartnerCenterError(
        409,
        3000,
        f"The domain {domain} specified during customer creation is already used by another "
        "tenant.",
        data=["companyProfile.domain"],
    )


def initial_domain(requested: str | None) -> str:
    """The full initial domain: a bare prefix gets ``.onmicrosoft.com``."""
    domain = (requested or "").strip()
    if not domain:
        raise invalid_property("companyProfile.domain is required.", "companyProfile.domain")
    if "." not in domain:
        domain = f"{domain}.onmicrosoft.com"
    prefix = domains.initial_prefix(domain)
    if prefix is None or not PREFIX.match(prefix):
        raise invalid_property(
            f"The domain {domain} is not a valid initial domain; use <prefix>.onmicrosoft.com "
            "with letters, digits and inner hyphens only.",
            "companyProfile.domain",
        )
    return domain


async def _indirect_reseller(
    session: AsyncSession, caller: Caller, partner: Partner, associated: str
) -> Partner:
    if caller.app_only:
        raise errors.app_only_not_supported()
    try:
        reseller_id = uuid.UUID(associated)
    except ValueError as exc:
        raise invalid_property(
            f"associatedPartnerId '{associated}' is not a tenant id.", "associatedPartnerId"
        ) from exc
    reseller = await partners.get(session, reseller_id)
    if (
        partner.program != Program.INDIRECT_PROVIDER.value
        or reseller is None
        or await partners.network_link(session, partner.tenant_id, reseller_id) is None
    ):
        raise errors.not_in_network(associated, partner.tenant_id)
    if not reseller.mpa_signed:
        raise errors.mpa_not_accepted()
    return reseller


async def create_customer(
    session: AsyncSession, caller: Caller, partner: Partner, body: CustomerCreate
) -> CreatedCustomer:
    billing = validate_billing_profile(body.billing_profile, "billingProfile")
    company = body.company_profile
    registration = company.organization_registration_number if company else None
    check_country_rules(billing.address.country, registration, billing.address.phone_number)
    domain = initial_domain(company.domain if company else None)
    reseller = None
    if body.associated_partner_id:
        reseller = await _indirect_reseller(session, caller, partner, body.associated_partner_id)
    if await domains.is_taken(session, domain):
        raise domain_in_use(domain)

    customer_id = uuid.uuid4()
    session.add(
        Tenant(id=customer_id, kind=TenantKind.CUSTOMER.value, display_name=billing.company_name)
    )
    try:
        await session.flush()
        session.add(Domain(**domains.domain_row(customer_id, domain, initial=True)))
        await session.flush()
    except IntegrityError as exc:  # a concurrent create took the prefix first
        raise domain_in_use(domain) from exc
    customer = Customer(
        **customer_row(
            customer_id,
            commerce_id=uuid.uuid4(),
            company_name=billing.company_name,
            domain=domain,
            email=billing.email,
            address=billing.address,
            registration_number=registration,
        )
    )
    session.add(customer)
    await session.flush()
    profile = BillingProfile(**billing.row(customer_id, uuid.uuid4()))
    session.add(profile)
    await relationships.link(session, customer_id, partner.tenant_id, Role.RESELLER)
    if reseller is not None:
        await relationships.link(
            session,
            customer_id,
            reseller.tenant_id,
            Role.INDIRECT_RESELLER,
            provider_tenant_id=partner.tenant_id,
        )
    admin = billing.address
    session.add(
        CustomerUser(
            **user_row(
                customer_id,
                uuid.uuid4(),
                f"admin@{domain.lower()}",
                first_name=admin.first_name,
                last_name=admin.last_name,
                display_name=f"{admin.first_name} {admin.last_name}",
                usage_location=admin.country,
            )
        )
    )
    await session.flush()
    password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(12))
    return CreatedCustomer(customer, profile, "admin", password, reseller)
