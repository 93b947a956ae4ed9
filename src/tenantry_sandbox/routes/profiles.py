"""A customer's profiles: billing (read and update with ETag), company, and organization.

- ``GET /v1/customers/{id}/profiles/billing`` (App-only or App+User)
- ``PUT /v1/customers/{id}/profiles/billing`` with ``If-Match: "<etag>"``: the full resource;
  no ``If-Match`` is refused (400 / 3000), a stale one answers 412 / 2055
- ``GET /v1/customers/{id}/profiles/company`` (App+User)
- ``GET /v1/customers/{id}/organization`` (App+User; a bare JSON array)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header
from sqlalchemy import update

from tenantry_sandbox import errors
from tenantry_sandbox.api import (
    AnyCaller,
    CustomerOfAnyCaller,
    CustomerOfUser,
    Session,
    State,
    partner_center_router,
)
from tenantry_sandbox.schemas.customers import (
    BillingProfileIn,
    BillingProfileOut,
    CompanyProfile,
    OrganizationOut,
    billing_profile,
    company_profile,
    customer_organization,
)
from tenantry_sandbox.services import audit
from tenantry_sandbox.services.validation import validate_billing_profile
from tenantry_sandbox.store import customers
from tenantry_sandbox.store.customers import BillingProfile

router = partner_center_router(tags=["profiles"])

BILLING = "/customers/{customer_id:uuid}/profiles/billing"


def _etag_of(if_match: str | None) -> str:
    if not if_match or not if_match.strip():
        raise errors.invalid_property(
            "The If-Match header with the billing profile's etag is required.", "If-Match"
        )
    value = if_match.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


@router.get(BILLING, summary="Get a customer's billing profile")
async def get_billing_profile(customer: CustomerOfAnyCaller, session: Session) -> BillingProfileOut:
    return billing_profile(customer.id, await customers.billing_profile(session, customer.id))


@router.put(BILLING, summary="Update a customer's billing profile (If-Match required)")
async def update_billing_profile(
    body: BillingProfileIn,
    customer: CustomerOfAnyCaller,
    caller: AnyCaller,
    session: Session,
    state: State,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> BillingProfileOut:
    expected = _etag_of(if_match)
    profile = await customers.billing_profile(session, customer.id)
    old_value = billing_profile(customer.id, profile, links=False)
    valid = validate_billing_profile(body, "billingProfile")
    values = valid.row(customer.id, profile.id)
    # A conditional update, so of two writers holding the same etag only the first succeeds.
    result = await session.execute(
        update(BillingProfile)
        .where(BillingProfile.customer_id == customer.id, BillingProfile.etag == expected)
        .values(**values)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise errors.etag_mismatch()
    await session.refresh(profile)
    answer = billing_profile(customer.id, profile)
    record = audit.Recorder(session, caller, customer, state.clock.now())
    await record(
        "customer",
        "update_customer_billing_profile",
        {"CustomerId": customer.id},
        old_value=old_value,
        new_value=billing_profile(customer.id, profile, links=False),
    )
    return answer


@router.get("/customers/{customer_id:uuid}/profiles/company", summary="Get the company profile")
async def get_company_profile(customer: CustomerOfUser) -> CompanyProfile:
    return company_profile(customer, detail=True)


@router.get("/customers/{customer_id:uuid}/organization", summary="Get the customer organization")
async def get_organization(customer: CustomerOfUser) -> list[OrganizationOut]:
    return [customer_organization(customer)]
