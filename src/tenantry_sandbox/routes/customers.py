"""Customers: create (direct, or for an indirect reseller), get, list and search, remove the
reseller relationship, and the sandbox-only delete.

- ``POST /v1/customers`` (App-only or App+User; with ``associatedPartnerId`` App+User only)
- ``GET /v1/customers?size=&filter=`` seek-paged; ``filter`` is Partner Center's JSON
  ``{"Field": "CompanyName"|"Domain"|"IndirectReseller"|"IndirectCloudSolutionProvider",
  "Value": ..., "Operator": "starts_with"}`` (case-insensitive; ``Domain`` matches the initial
  domain or any verified custom domain of the customer)
- ``GET /v1/customers/{id}``
- ``PATCH /v1/customers/{id}`` with ``relationshipToPartner: "none"``
- ``DELETE /v1/customers/{id}`` (the integration sandbox's delete)
"""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from tenantry_sandbox import errors
from tenantry_sandbox.api import (
    AnyCaller,
    CallingPartner,
    CustomerOfAnyCaller,
    SeekParams,
    Session,
    State,
    partner_center_router,
)
from tenantry_sandbox.binding import enum_key
from tenantry_sandbox.filters import parse_field_filter
from tenantry_sandbox.paging import cut, seek_collection
from tenantry_sandbox.resources import Collection
from tenantry_sandbox.schemas.customers import (
    CustomerCreate,
    CustomerOut,
    CustomerRelationshipOut,
    CustomerUpdate,
    UserCredentials,
    billing_profile,
    company_profile,
    customer_detail,
    customer_summary,
)
from tenantry_sandbox.services import audit
from tenantry_sandbox.services.customers import create_customer
from tenantry_sandbox.store import customers, domains, relationships
from tenantry_sandbox.store.customers import CustomerFilter
from tenantry_sandbox.store.tenants import Tenant

router = partner_center_router(tags=["customers"])

FILTER_FIELDS = ("companyname", "domain", "indirectreseller", "indirectcloudsolutionprovider")


def parse_filter(raw: str) -> CustomerFilter:
    parsed = parse_field_filter(raw, FILTER_FIELDS)
    if parsed.field in ("indirectreseller", "indirectcloudsolutionprovider"):
        try:
            uuid.UUID(parsed.value)
        except ValueError as exc:
            raise errors.invalid_property(
                f"'{parsed.value}' is not a tenant id.", "filter"
            ) from exc
    return CustomerFilter(parsed.field, parsed.value)


@router.post("/customers", status_code=201, summary="Create a customer")
async def create(
    body: CustomerCreate,
    caller: AnyCaller,
    partner: CallingPartner,
    session: Session,
    state: State,
) -> CustomerOut:
    created = await create_customer(session, caller, partner, body)
    customer = created.customer
    customer.created_at = state.clock.now()  # when it becomes known, on the sandbox's clock
    answer = CustomerOut(
        id=customer.id,
        commerce_id=customer.commerce_id,
        company_profile=company_profile(customer),
        billing_profile=billing_profile(customer.id, created.billing_profile, links=False),
        enable_gdap_by_default=body.enable_gdap_by_default,
        relationship_to_partner="reseller",
        allow_delegated_access=True,
        user_credentials=UserCredentials(
            user_name=created.admin_user_name, password=created.admin_password
        ),
        associated_partner_id=created.reseller.tenant_id if created.reseller else None,
    )
    record = audit.Recorder(session, caller, customer, state.clock.now())
    # Never the admin's password: Partner Center's record of add_customer carries no credentials.
    kept = answer.model_copy(update={"user_credentials": None})
    await record("customer", "add_customer", {"CustomerId": customer.id}, new_value=kept)
    return answer


@router.get("/customers", summary="List or search the partner's customers (seek paging)")
async def list_customers(
    request: Request, caller: AnyCaller, session: Session, seek: SeekParams
) -> Collection[CustomerOut]:
    cursor = seek.cursor(scope=f"{caller.tenant_id}:customers")
    customer_filter = parse_filter(cursor.filter) if cursor.filter else None
    if customer_filter and customer_filter.field == "indirectreseller" and caller.app_only:
        raise errors.app_only_not_supported()
    rows = await customers.page_visible(
        session,
        caller.tenant_id,
        after=cursor.after,
        limit=cursor.size + 1,
        customer_filter=customer_filter,
    )
    page = cut(seek.tokens, cursor, rows, key=lambda row: row.seq)
    self_uri = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return seek_collection(
        [customer_summary(row) for row in page.rows], page.next_token, self_uri=self_uri
    )


@router.get("/customers/{customer_id:uuid}", summary="Get a customer by id")
async def get_customer(
    customer: CustomerOfAnyCaller, caller: AnyCaller, session: Session
) -> CustomerOut:
    relationship = await relationships.active_for(session, customer.id, caller.tenant_id)
    return customer_detail(
        customer,
        await customers.billing_profile(session, customer.id),
        delegated_admin=bool(relationship and relationship.delegated_admin),
        custom_domains=await domains.names_of(session, customer.id),
    )


@router.patch("/customers/{customer_id:uuid}", summary="Remove the reseller relationship")
async def update_customer(
    body: CustomerUpdate,
    customer: CustomerOfAnyCaller,
    caller: AnyCaller,
    session: Session,
    state: State,
) -> CustomerRelationshipOut:
    if body.relationship_to_partner is None or enum_key(body.relationship_to_partner) != "none":
        raise errors.invalid_property(
            "Only relationshipToPartner 'none' (remove the reseller relationship) can be set.",
            "relationshipToPartner",
        )
    await relationships.end_for(session, customer.id, caller.tenant_id)
    record = audit.Recorder(session, caller, customer, state.clock.now())
    await record(
        "partner_customer_relationship",
        "remove_partner_customer_relationship",
        {"CustomerId": customer.id},
    )
    return CustomerRelationshipOut(relationship_to_partner="none")


@router.delete(
    "/customers/{customer_id:uuid}", status_code=204, summary="Delete a customer (sandbox only)"
)
async def delete_customer(customer: CustomerOfAnyCaller, session: Session) -> Response:
    tenant = await session.get(Tenant, customer.id)
    if tenant is not None:
        await session.delete(tenant)
    return Response(status_code=204)
