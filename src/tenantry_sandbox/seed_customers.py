"""Seeded customers: a plan per customer (random, or built by the control API from fixtures)
and every row that plan queues: tenant, domains, company and billing profiles, relationships,
users, licenses, the subscriptions that provide them and the MCA attestation.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from tenantry_sandbox import seed_data
from tenantry_sandbox.seed_data import City, Country
from tenantry_sandbox.seed_rows import Rows, random_uuid, slug
from tenantry_sandbox.services.provisioning import seeded_rows
from tenantry_sandbox.services.validation import REGISTRATION_COUNTRIES
from tenantry_sandbox.store import domains
from tenantry_sandbox.store.agreements import MICROSOFT_CUSTOMER_AGREEMENT, CustomerAgreement
from tenantry_sandbox.store.customers import (
    BillingProfile,
    Customer,
    PostalAddress,
    billing_row,
    customer_row,
)
from tenantry_sandbox.store.domains import Domain
from tenantry_sandbox.store.license_catalog import LICENSE_SKUS
from tenantry_sandbox.store.licenses import SubscribedSku, UserLicense
from tenantry_sandbox.store.relationships import CustomerRelationship, Role, relationship_row
from tenantry_sandbox.store.tenants import Tenant, TenantKind
from tenantry_sandbox.store.users import CustomerUser, user_row

Relationship = Literal["indirect", "direct", "none"]


@dataclass(frozen=True)
class CustomerPlan:
    """One customer to create; the control API builds these from fixtures, the seed at random."""

    company_name: str
    domain_prefix: str
    country: Country
    city: City
    relationship: Relationship = "indirect"
    reseller_tenant_id: uuid.UUID | None = None
    extra_users: int = 1
    skus: tuple[tuple[uuid.UUID, int], ...] = ()
    attested: bool = False
    direct_signed: bool = False
    custom_domain: str | None = None
    # Billing-profile fields left empty (``seed_variety.INCOMPLETE_FIELDS``): orders to it fail.
    incomplete_billing: tuple[str, ...] = ()


def plan_customer(
    rng: random.Random, index: int, resellers: list[uuid.UUID], **overrides: Any
) -> CustomerPlan:
    country = rng.choices(seed_data.COUNTRIES, [c.weight for c in seed_data.COUNTRIES])[0]
    stem, sector = rng.choice(seed_data.COMPANY_STEMS), rng.choice(seed_data.COMPANY_SECTORS)
    roll = rng.random()
    relationship: Relationship = "indirect" if roll < 0.7 else "direct" if roll < 0.85 else "none"
    skus = rng.sample(LICENSE_SKUS, rng.choice((1, 1, 2)))
    values: dict[str, Any] = {
        "company_name": f"{stem} {sector} {country.company_suffix}",
        "domain_prefix": f"{slug(stem + sector)}{index}",
        "country": country,
        "city": rng.choice(country.cities),
        "relationship": relationship if resellers or relationship != "indirect" else "direct",
        "reseller_tenant_id": rng.choice(resellers) if resellers else None,
        "extra_users": rng.choice((0, 0, 1, 1, 2, 3)),
        "skus": tuple((sku.id, rng.randint(1, 25)) for sku in skus),
        "attested": relationship != "none" and rng.random() < 0.6,
        "direct_signed": rng.random() < 0.2,
        "custom_domain": f"{slug(stem + sector)}{index}.com" if rng.random() < 0.3 else None,
    }
    values.update(overrides)
    return CustomerPlan(**values)


def add_customer(
    rows: Rows,
    rng: random.Random,
    plan: CustomerPlan,
    distributor: uuid.UUID,
    *,
    directory: bool = True,
) -> uuid.UUID:
    """Queue every row of one customer; returns its tenant id.

    ``directory=False`` leaves out what only the directory and consent flows read (users,
    licenses, subscribed SKUs, the MCA attestation): a world for syncing, built faster. The
    subscriptions stay.
    """
    customer_id = random_uuid(rng)
    domain = f"{plan.domain_prefix}.onmicrosoft.com"
    first, last = rng.choice(seed_data.FIRST_NAMES), rng.choice(seed_data.LAST_NAMES)
    country = plan.country
    address = PostalAddress(
        country=country.code,
        city=plan.city.name,
        address_line1=f"{rng.randint(1, 999)} {rng.choice(seed_data.STREETS)}",
        postal_code=rng.choice(plan.city.postal_codes),
        state=plan.city.state,
        first_name=first,
        last_name=last,
        phone_number=f"{country.phone_prefix}{rng.randint(200_000_000, 999_999_999)}",
    )
    email = f"{slug(first)}@{plan.custom_domain or domain}"
    registration = (
        str(rng.randint(10**9, 10**10 - 1)) if country.code in REGISTRATION_COUNTRIES else None
    )

    rows.add(
        Tenant,
        {"id": customer_id, "kind": TenantKind.CUSTOMER.value, "display_name": plan.company_name},
    )
    rows.add(Domain, domains.domain_row(customer_id, domain, initial=True))
    if plan.custom_domain:
        rows.add(Domain, domains.domain_row(customer_id, plan.custom_domain, initial=False))
    rows.add(
        Customer,
        customer_row(
            customer_id,
            commerce_id=random_uuid(rng),
            company_name=plan.company_name,
            domain=domain,
            email=email,
            address=address,
            registration_number=registration,
            mca_direct_signed=plan.direct_signed,
        ),
    )
    rows.add(
        BillingProfile,
        _without(
            billing_row(
                customer_id,
                profile_id=random_uuid(rng),
                email=email,
                culture=country.culture,
                language=country.language,
                company_name=plan.company_name,
                address=address,
                etag=str(rng.getrandbits(64) - 2**63),
                first_name=first,
                last_name=last,
            ),
            plan.incomplete_billing,
        ),
    )
    if plan.relationship != "none":
        rows.add(CustomerRelationship, relationship_row(customer_id, distributor, Role.RESELLER))
    if plan.relationship == "indirect" and plan.reseller_tenant_id is not None:
        rows.add(
            CustomerRelationship,
            relationship_row(
                customer_id,
                plan.reseller_tenant_id,
                Role.INDIRECT_RESELLER,
                provider_tenant_id=distributor,
            ),
        )
    if directory:
        _add_users(rows, rng, plan, customer_id, domain, (first, last), country.code)
    for sku_id, units in plan.skus:  # the subscriptions that provide the seeded licenses
        for model, row in seeded_rows(customer_id, sku_id, units, distributor, country.code):
            rows.add(model, row)
    if plan.attested and directory:
        rows.add(
            CustomerAgreement,
            {
                "id": random_uuid(rng),
                "customer_id": customer_id,
                "partner_tenant_id": distributor,
                "template_id": MICROSOFT_CUSTOMER_AGREEMENT.template_id,
                "agreement_type": MICROSOFT_CUSTOMER_AGREEMENT.agreement_type,
                "date_agreed": _agreement_date(rng),
                "contact_first_name": first,
                "contact_last_name": last,
                "contact_email": email,
                "contact_phone_number": address.phone_number,
                "user_id": random_uuid(rng),
            },
        )
    return customer_id


# Billing-profile columns each incomplete field empties (NOT NULL columns get an empty string).
_EMPTIED: dict[str, dict[str, object]] = {
    "addressLine1": {"address_line1": ""},
    "postalCode": {"postal_code": None},
    "city": {"city": ""},
    "phoneNumber": {"phone_number": ""},
    "contactName": {"contact_first_name": None, "contact_last_name": None},
    "name": {"first_name": None, "last_name": None},
}


def _without(row: dict[str, object], fields: tuple[str, ...]) -> dict[str, object]:
    for name in fields:
        row.update(_EMPTIED[name])
    return row


def _add_users(
    rows: Rows,
    rng: random.Random,
    plan: CustomerPlan,
    customer_id: uuid.UUID,
    domain: str,
    admin: tuple[str, str],
    country: str,
) -> None:
    people = [admin] + [
        (rng.choice(seed_data.FIRST_NAMES), rng.choice(seed_data.LAST_NAMES))
        for _ in range(plan.extra_users)
    ]
    user_ids = []
    for position, (first, last) in enumerate(people):
        local = "admin" if position == 0 else f"{slug(first)}.{slug(last)}{position}"
        user_id = random_uuid(rng)
        user_ids.append(user_id)
        rows.add(
            CustomerUser,
            user_row(
                customer_id,
                user_id,
                f"{local}@{domain}",
                first_name=first,
                last_name=last,
                display_name=f"{first} {last}",
                usage_location=country,
            ),
        )
    for sku_id, units in plan.skus:
        rows.add(
            SubscribedSku, {"customer_id": customer_id, "sku_id": sku_id, "active_units": units}
        )
    if plan.skus:
        sku_id, units = plan.skus[0]
        for user_id in user_ids[:units]:
            rows.add(
                UserLicense, {"user_id": user_id, "sku_id": sku_id, "customer_id": customer_id}
            )


def _agreement_date(rng: random.Random) -> datetime:
    """A plausible acceptance date in 2023-2025 (deterministic given the stream)."""
    return datetime(2023, 1, 1, tzinfo=UTC) + timedelta(days=rng.randint(0, 3 * 365))
