"""Customers (Partner Center's view of a customer tenant) and their billing profiles.

``seq`` is an insertion sequence: seek paging walks it, so a customer created while a client pages
shows up after the cursor (or not at all) but never twice, and no existing customer is skipped.
``company_name_lc``/``domain_lc`` hold lower-cased copies for the case-insensitive ``starts_with``
search Partner Center documents. They carry no index on purpose: a ``LIKE 'x%'`` cannot use a
plain B-tree on PostgreSQL (non-C collation) nor on SQLite (case-insensitive LIKE), and a search
walks the partner's customers in ``seq`` order anyway.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, ForeignKey, Integer, String, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from tenantry_sandbox.db import SandboxBase, utcnow
from tenantry_sandbox.store.domains import Domain
from tenantry_sandbox.store.relationships import served_through, visible_to


class Customer(SandboxBase):
    __tablename__ = "customers"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), unique=True)
    commerce_id: Mapped[uuid.UUID]
    company_name: Mapped[str] = mapped_column(String(256))
    company_name_lc: Mapped[str] = mapped_column(String(256))
    initial_domain: Mapped[str] = mapped_column(String(255))
    domain_lc: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(256))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(128))
    address_line1: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(32))
    phone_number: Mapped[str | None] = mapped_column(String(64))
    organization_registration_number: Mapped[str | None] = mapped_column(String(64))
    # Whether the customer accepted the Microsoft Customer Agreement in the admin center itself.
    mca_direct_signed: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BillingProfile(SandboxBase):
    __tablename__ = "billing_profiles"

    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[uuid.UUID]
    first_name: Mapped[str | None] = mapped_column(String(50))
    last_name: Mapped[str | None] = mapped_column(String(50))
    email: Mapped[str] = mapped_column(String(256))
    culture: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16))
    company_name: Mapped[str] = mapped_column(String(256))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str] = mapped_column(String(128))
    state: Mapped[str | None] = mapped_column(String(64))
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    address_line3: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(32))
    contact_first_name: Mapped[str | None] = mapped_column(String(50))
    contact_last_name: Mapped[str | None] = mapped_column(String(50))
    phone_number: Mapped[str] = mapped_column(String(64), default="")
    etag: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


@dataclass(frozen=True)
class PostalAddress:
    country: str
    city: str
    address_line1: str
    postal_code: str | None = None
    state: str | None = None
    region: str | None = None
    address_line2: str | None = None
    address_line3: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone_number: str = ""


def customer_row(
    customer_id: uuid.UUID,
    *,
    commerce_id: uuid.UUID,
    company_name: str,
    domain: str,
    email: str | None,
    address: PostalAddress,
    registration_number: str | None = None,
    mca_direct_signed: bool = False,
) -> dict[str, object]:
    """Column values for one customer, as both the API and the bulk seed insert them."""
    return {
        "id": customer_id,
        "commerce_id": commerce_id,
        "company_name": company_name,
        "company_name_lc": company_name.lower(),
        "initial_domain": domain,
        "domain_lc": domain.lower(),
        "email": email,
        "country": address.country,
        "region": address.state or address.region,
        "city": address.city,
        "address_line1": address.address_line1,
        "postal_code": address.postal_code,
        "phone_number": address.phone_number or None,
        "organization_registration_number": registration_number,
        "mca_direct_signed": mca_direct_signed,
    }


def billing_row(
    customer_id: uuid.UUID,
    *,
    profile_id: uuid.UUID,
    email: str,
    culture: str,
    language: str,
    company_name: str,
    address: PostalAddress,
    etag: str,
    first_name: str | None = None,
    last_name: str | None = None,
) -> dict[str, object]:
    """Column values for one billing profile (the API, the bulk seed and profile updates)."""
    return {
        "customer_id": customer_id,
        "id": profile_id,
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "culture": culture,
        "language": language,
        "company_name": company_name,
        "country": address.country,
        "region": address.region,
        "city": address.city,
        "state": address.state,
        "address_line1": address.address_line1,
        "address_line2": address.address_line2,
        "address_line3": address.address_line3,
        "postal_code": address.postal_code,
        "contact_first_name": address.first_name,
        "contact_last_name": address.last_name,
        "phone_number": address.phone_number,
        "etag": etag,
    }


def new_etag() -> str:
    """A fresh opaque etag in the service's style (a signed 64-bit number)."""
    return str(secrets.randbits(64) - 2**63)


@dataclass(frozen=True)
class CustomerFilter:
    """A parsed ``filter`` query: one documented field with ``starts_with``."""

    field: str  # "companyname" | "domain" | "indirectreseller" | "indirectcloudsolutionprovider"
    value: str

    def condition(self) -> ColumnElement[bool]:
        if self.field == "companyname":
            return Customer.company_name_lc.startswith(self.value.lower(), autoescape=True)
        if self.field == "domain":
            # Any of the customer's domains: the initial one or a verified custom domain.
            value = self.value.lower()
            return or_(
                Customer.domain_lc.startswith(value, autoescape=True),
                exists().where(
                    Domain.tenant_id == Customer.id, Domain.name.startswith(value, autoescape=True)
                ),
            )
        tenant = uuid.UUID(self.value)
        if self.field == "indirectreseller":
            return served_through(Customer.id, reseller=tenant)
        return served_through(Customer.id, provider=tenant)


async def get(session: AsyncSession, customer_id: uuid.UUID) -> Customer | None:
    return (
        await session.execute(select(Customer).where(Customer.id == customer_id))
    ).scalar_one_or_none()


async def billing_profile(session: AsyncSession, customer_id: uuid.UUID) -> BillingProfile:
    profile = await session.get(BillingProfile, customer_id)
    if profile is None:  # every customer is created with one
        raise LookupError(f"customer {customer_id} has no billing profile")
    return profile


async def page_visible(
    session: AsyncSession,
    partner_tenant_id: uuid.UUID,
    *,
    after: int,
    limit: int,
    customer_filter: CustomerFilter | None = None,
) -> list[Customer]:
    """One seek page of the customers the partner has a relationship with, in ``seq`` order."""
    query = (
        select(Customer)
        .where(visible_to(partner_tenant_id, Customer.id), Customer.seq > after)
        .order_by(Customer.seq)
        .limit(limit)
    )
    if customer_filter is not None:
        query = query.where(customer_filter.condition())
    return list((await session.execute(query)).scalars())
