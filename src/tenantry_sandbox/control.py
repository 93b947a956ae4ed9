"""The sandbox's control API under ``/_sandbox``: for tests and demos, never exposed publicly.

No Microsoft authentication. Resets and seeds the world, sets faults and rate limits, creates
reseller and customer fixtures, accepts a relationship invitation on a customer's behalf, issues
refresh tokens for partner users and moves the clock.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from pydantic import Field
from sqlalchemy import func, select

from tenantry_sandbox import commerce_control, directory_control, errors
from tenantry_sandbox.api import Session, State
from tenantry_sandbox.binding import RequestModel
from tenantry_sandbox.faults import FaultConfig
from tenantry_sandbox.seed import SeedExtent, seed
from tenantry_sandbox.seed_customers import add_customer, plan_customer
from tenantry_sandbox.seed_data import COUNTRIES
from tenantry_sandbox.seed_rows import Rows
from tenantry_sandbox.services import consent, webhooks
from tenantry_sandbox.services.customers import domain_in_use, initial_domain
from tenantry_sandbox.services.identity import issue_refresh_token, partner_user
from tenantry_sandbox.services.partners import add_partner, join_network
from tenantry_sandbox.services.relationships import Invitation, accept_invitation, parse_invitation
from tenantry_sandbox.store import customers, domains, partners
from tenantry_sandbox.store.license_catalog import SKUS_BY_ID
from tenantry_sandbox.store.partners import Program
from tenantry_sandbox.store.tenants import Tenant

router = APIRouter(prefix="/_sandbox", tags=["sandbox control"])
router.include_router(commerce_control.router)
router.include_router(directory_control.router)


class SeedRequest(RequestModel):
    customers: int = Field(default=100, ge=0, le=1_000_000)
    seed: int = 0
    resellers: int | None = Field(default=None, ge=0, le=10_000)
    extent: SeedExtent = "full"


class RateLimits(RequestModel):
    # 0 lifts the limit (for benchmarks); per-tenant values likewise.
    requests_per_minute: int = Field(ge=0)
    per_tenant: dict[str, Annotated[int, Field(ge=0)]] = Field(default_factory=dict)


class ResellerFixture(RequestModel):
    name: str
    tenant_id: uuid.UUID | None = None
    mpn_id: str | None = None
    domain: str | None = None
    location: str = "US"
    program: Program = Program.INDIRECT_RESELLER
    mpa_signed: bool = True
    in_network: bool = True


class SkuUnits(RequestModel):
    sku_id: uuid.UUID
    units: int = Field(default=5, ge=0)


class CustomerFixture(RequestModel):
    company_name: str | None = None
    domain: str | None = None
    country: str = "US"
    relationship: Literal["direct", "indirect", "none"] = "direct"
    reseller_tenant_id: uuid.UUID | None = None
    extra_users: int = Field(default=1, ge=0, le=10_000)
    skus: list[SkuUnits] | None = None
    mca_attested: bool = False
    mca_direct_signed: bool = False
    custom_domain: str | None = None
    seed: int | None = None


class AcceptRelationship(RequestModel):
    customer_id: uuid.UUID
    url: str | None = None
    partner_tenant_id: uuid.UUID | None = None
    indirect_provider_tenant_id: uuid.UUID | None = None
    delegated_admin: bool = False


class RefreshTokenRequest(RequestModel):
    tenant_id: uuid.UUID | None = None
    user_principal_name: str | None = None


class AgreementSignature(RequestModel):
    direct_signed: bool


class ClockChange(RequestModel):
    advance_seconds: float


class NewCustomers(RequestModel):
    # Seconds a customer created through the API stays unknown to customer-scoped calls.
    ready_after_seconds: float = Field(ge=0, le=24 * 3600)


@router.post("/reset", summary="Empty the world, keeping only the distributor")
async def reset(state: State) -> dict[str, str]:
    await state.reset()
    return {"status": "reset"}


@router.post("/seed", summary="Add resellers (first time) and customers, deterministically")
async def seed_world(body: SeedRequest, state: State, session: Session) -> dict[str, Any]:
    summary = await seed(
        session,
        customers=body.customers,
        seed=body.seed,
        settings=state.settings,
        resellers=body.resellers,
        extent=body.extent,
    )
    return {"customers": summary.customers, "resellers": summary.resellers, "rows": summary.rows}


@router.get("/faults", summary="The fault rules and how often each fired")
async def get_faults(state: State) -> dict[str, Any]:
    config = state.faults.config.model_dump(mode="json", by_alias=True)
    return {**config, "fired": state.faults.fired()}


@router.put("/faults", summary="Replace the fault rules")
async def set_faults(body: FaultConfig, state: State) -> dict[str, Any]:
    state.faults.configure(body)
    return await get_faults(state)


@router.delete("/faults", status_code=204, summary="Remove every fault rule")
async def clear_faults(state: State) -> Response:
    state.faults.clear()
    return Response(status_code=204)


@router.get("/rate-limits", summary="The per-tenant rate limits")
async def get_rate_limits(state: State) -> dict[str, Any]:
    limiter = state.limiter
    return {"requestsPerMinute": limiter.requests_per_minute, "perTenant": limiter.per_tenant}


@router.put("/rate-limits", summary="Set the rate limits (requests per minute per tenant)")
async def set_rate_limits(body: RateLimits, state: State) -> dict[str, Any]:
    state.limiter.configure(body.requests_per_minute, body.per_tenant)
    return await get_rate_limits(state)


@router.post("/resellers", status_code=201, summary="Create a reseller (partner) fixture")
async def create_reseller(body: ResellerFixture, state: State, session: Session) -> dict[str, Any]:
    rng = random.Random()
    tenant_id = body.tenant_id or uuid.uuid4()
    mpn_id = body.mpn_id or str(rng.randint(1_000_000, 3_999_999))
    domain = body.domain or f"reseller{mpn_id}.onmicrosoft.com"
    partner = await add_partner(
        session,
        tenant_id=tenant_id,
        name=body.name,
        mpn_id=mpn_id,
        domain=domain,
        location=body.location,
        program=body.program,
        mpa_signed=body.mpa_signed,
    )
    if body.in_network:
        await join_network(session, state.settings.partner_tenant_id, tenant_id)
    return {
        "tenantId": str(partner.tenant_id),
        "mpnId": partner.mpn_id,
        "name": partner.name,
        "domain": domain,
        "program": partner.program,
        "mpaSigned": partner.mpa_signed,
        "inNetwork": body.in_network,
    }


@router.post("/customers", status_code=201, summary="Create a customer tenant fixture")
async def create_customer(body: CustomerFixture, state: State, session: Session) -> dict[str, Any]:
    country = next((c for c in COUNTRIES if c.code == body.country.upper()), None)
    if country is None:
        known = ", ".join(c.code for c in COUNTRIES)
        raise errors.invalid_property(f"Fixtures support the countries {known}.", "country")
    rng = random.Random(body.seed) if body.seed is not None else random.Random()
    distributor = state.settings.partner_tenant_id
    reseller = body.reseller_tenant_id
    if body.relationship == "indirect":
        if reseller is None:
            network = await partners.network(session, distributor, as_provider=True)
            reseller = next((p.tenant_id for p, _ in network if p.mpa_signed), None)
        if reseller is None or await partners.network_link(session, distributor, reseller) is None:
            raise errors.not_in_network(reseller, distributor)
    index = int(await session.scalar(select(func.count()).select_from(Tenant)) or 0)
    overrides: dict[str, Any] = {
        "country": country,
        "city": country.cities[0],
        "relationship": body.relationship,
        "reseller_tenant_id": reseller,
        "extra_users": body.extra_users,
        "attested": body.mca_attested and body.relationship != "none",
        "direct_signed": body.mca_direct_signed,
        "custom_domain": body.custom_domain,
    }
    if body.company_name:
        overrides["company_name"] = body.company_name
    if body.domain:
        overrides["domain_prefix"] = domains.initial_prefix(initial_domain(body.domain))
    if body.skus is not None:
        unknown = [str(s.sku_id) for s in body.skus if s.sku_id not in SKUS_BY_ID]
        if unknown:
            raise errors.invalid_property(f"Unknown SKU ids: {', '.join(unknown)}", "skus")
        overrides["skus"] = tuple((s.sku_id, s.units) for s in body.skus)
    plan = plan_customer(rng, index, [], **overrides)
    # A generated prefix may meet one a deleted customer's successor took; draw another.
    while not body.domain and await domains.is_taken(session, plan.domain_prefix):
        plan = replace(plan, domain_prefix=f"{plan.domain_prefix}{rng.randint(0, 9)}")
    domain = f"{plan.domain_prefix}.onmicrosoft.com"
    for name in filter(None, (domain, plan.custom_domain)):
        if await domains.is_taken(session, name):
            raise domain_in_use(name)
    rows = Rows()
    customer_id = add_customer(rows, rng, plan, distributor)
    await rows.flush(session)
    return {
        "id": str(customer_id),
        "companyName": plan.company_name,
        "domain": domain,
        "adminUserPrincipalName": f"admin@{domain}",
        "relationship": plan.relationship,
        "resellerTenantId": str(reseller) if reseller and plan.relationship == "indirect" else None,
    }


@router.put(
    "/customers/{customer_id:uuid}/mca",
    summary="Sign (or unsign) the Microsoft Customer Agreement as the customer's admin would",
)
async def sign_agreement(
    customer_id: uuid.UUID, body: AgreementSignature, session: Session
) -> dict[str, Any]:
    """As the customer's Global Administrator accepting it in the Microsoft 365 admin center:
    what ``directSignedMicrosoftCustomerAgreementStatus`` then answers."""
    customer = await customers.get(session, customer_id)
    if customer is None:
        raise errors.invalid_property(f"No customer {customer_id}.", "customerId")
    customer.mca_direct_signed = body.direct_signed
    await session.flush()
    return {"customerId": str(customer_id), "isSigned": customer.mca_direct_signed}


@router.post("/relationships/accept", summary="Accept an invitation on a customer's behalf")
async def accept_relationship(
    body: AcceptRelationship, state: State, session: Session
) -> dict[str, str]:
    """As the Global Administrator's acceptance in the admin center, webhooks included (the
    Microsoft Customer Agreement is not signed by this shortcut)."""
    if body.url:
        invitation = parse_invitation(body.url)
    elif body.partner_tenant_id:
        invitation = Invitation(
            body.partner_tenant_id, body.indirect_provider_tenant_id, body.delegated_admin
        )
    else:
        raise errors.invalid_property("Give the invitation url or partnerTenantId.", "url")
    customer = await customers.get(session, body.customer_id)
    view = await consent.describe(session, invitation, customer) if customer else None
    await accept_invitation(session, body.customer_id, invitation)
    if view is not None:
        await webhooks.relationship_accepted(
            session, state.settings, state.clock, body.customer_id,
            view.partner_of_record.tenant_id,
            view.partner.tenant_id if view.provider is not None else None,
        )  # fmt: skip
    return {"status": "accepted", "customerId": str(body.customer_id)}


@router.post("/refresh-tokens", status_code=201, summary="Issue a refresh token for a partner user")
async def refresh_token(
    body: RefreshTokenRequest, state: State, session: Session
) -> dict[str, str]:
    settings = state.settings
    tenant_id = body.tenant_id or settings.partner_tenant_id
    partner = await partners.get(session, tenant_id)
    if partner is None:
        raise errors.tenant_not_found(tenant_id)
    upn = body.user_principal_name or (
        settings.partner_admin_upn
        if tenant_id == settings.partner_tenant_id
        else f"admin@{(await domains.names_of(session, tenant_id))[0]}"
    )
    user = partner_user(tenant_id, upn)
    token = await issue_refresh_token(
        session, settings=settings, clock=state.clock, tenant_id=tenant_id, user=user
    )
    return {
        "refreshToken": token,
        "tenantId": str(tenant_id),
        "userPrincipalName": upn,
        "objectId": str(user.object_id),
    }


@router.put("/new-customers", summary="How long new customers stay unknown (Microsoft's delay)")
async def set_new_customers(body: NewCustomers, state: State) -> dict[str, Any]:
    state.new_customer_ready_seconds = body.ready_after_seconds
    return {"readyAfterSeconds": state.new_customer_ready_seconds}


@router.post("/clock", summary="Move the sandbox's clock forward (expire tokens, windows)")
async def move_clock(body: ClockChange, state: State) -> dict[str, Any]:
    state.clock.advance(body.advance_seconds)
    return {
        "now": state.clock.now().isoformat(),
        "offsetSeconds": state.clock.offset.total_seconds(),
    }


@router.delete("/clock", summary="Put the clock back to real time")
async def reset_clock(state: State) -> dict[str, Any]:
    state.clock.reset()
    return {"now": state.clock.now().isoformat(), "offsetSeconds": 0.0}


@router.get("/summary", summary="How many of each thing the world holds")
async def summary(state: State, session: Session) -> dict[str, Any]:
    from tenantry_sandbox.db import SandboxBase

    counts = {}
    for table in SandboxBase.metadata.sorted_tables:
        counts[table.name] = int(await session.scalar(select(func.count()).select_from(table)) or 0)
    return {"partnerTenantId": str(state.settings.partner_tenant_id), "rows": counts}
