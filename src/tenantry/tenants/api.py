"""HTTP API of the Service Details step and of an organization's linked tenant.

The same step as the checkout's pages: choose a new tenant's prefix or the customer's existing
tenant (which answers with the authorization link), email the link, verify the authorization.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query, Request

from tenantry.deps import CurrentActor, DbSession
from tenantry.errors import ValidationFailed
from tenantry.models import TenantChoice
from tenantry.partnercenter.access import PartnerCenterAccess
from tenantry.problems import API_ERRORS
from tenantry.tenants import emails, prefix, service_details, verification
from tenantry.tenants.schemas import (
    DomainAvailability,
    EmailRequest,
    OrganizationTenant,
    ServiceDetailsRead,
    ServiceDetailsWrite,
    TenantRead,
    VerifyRequest,
)
from tenantry.tenants.service_details import Step

router = APIRouter(prefix="/api/v1", tags=["Microsoft tenants"], responses=API_ERRORS)
DETAILS = "/organizations/{organization_id}/service-details"

WRITE_EXAMPLES = {
    "new": {"value": {"choice": "new", "domain_prefix": "fabrikamtraders"}},
    "existing": {"value": {"choice": "existing", "customer_domain": "fabrikam.example"}},
}


def access(request: Request) -> PartnerCenterAccess:
    found: PartnerCenterAccess = request.app.state.partner_center
    return found


def read(step: Step) -> ServiceDetailsRead:
    details = step.details
    return ServiceDetailsRead(
        organization_id=step.organization.id,
        done=step.done,
        choice=details.choice if details else None,
        status=details.status if details else None,
        domain_prefix=details.domain_prefix if details else None,
        domain=prefix.domain_of(details.domain_prefix)
        if details and details.domain_prefix
        else None,
        customer_domain=details.customer_domain if details else None,
        authorization_url=details.authorization_url if details else None,
        reseller_id=details.reseller_id if details else None,
        last_verified_at=details.last_verified_at if details else None,
        last_verify_outcome=details.last_verify_outcome if details else None,
        tenant_id=step.organization.tenant_id,
    )


@router.get(DETAILS, summary="The organization's Service Details: which tenant its orders are for")
async def get_service_details(
    organization_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> ServiceDetailsRead:
    return read(await service_details.load(session, actor, organization_id))


@router.put(
    DETAILS,
    summary="Choose a new tenant's prefix, or the customer's existing tenant",
    description="`new` checks the prefix against Microsoft's rules (letters and digits, 1-27) "
    "and Partner Center, and keeps it for the order. `existing` answers with the "
    "authorization link the customer's Global Administrator opens; checkout waits until the "
    "authorization is verified. Choosing the same again changes nothing. 409 once the "
    "organization holds a tenant; 503 when Partner Center cannot be asked (nothing changes).",
)
async def put_service_details(
    organization_id: uuid.UUID,
    data: Annotated[ServiceDetailsWrite, Body(openapi_examples=WRITE_EXAMPLES)],
    request: Request,
    session: DbSession,
    actor: CurrentActor,
) -> ServiceDetailsRead:
    async with access(request).client(lookup=True) as client:
        if data.choice == TenantChoice.NEW.value:
            await service_details.choose_new(
                session, actor, organization_id, client, data.domain_prefix or ""
            )
        else:
            await service_details.choose_existing(
                session, actor, organization_id, client, data.customer_domain or ""
            )
    return read(await service_details.load(session, actor, organization_id))


@router.post(
    f"{DETAILS}/email",
    status_code=202,
    summary="Email the authorization link to the customer (its primary contact by default)",
)
async def email_authorization_link(
    organization_id: uuid.UUID, session: DbSession, actor: CurrentActor,
    data: EmailRequest | None = None,
) -> ServiceDetailsRead:  # fmt: skip
    step, _ = await emails.email_link(session, actor, organization_id, data.to if data else None)
    return read(step)


@router.post(
    f"{DETAILS}/verify",
    summary="Verify authorization: find the customer's tenant and link it",
    description="Failures name what is missing (problem `code`): `no_tenant_for_domain`, "
    "`invitation_not_accepted`, `accepted_for_another_reseller`, "
    "`tenant_held_by_another_organization`, `partner_center_unavailable` (503). Verifying a "
    "linked organization again answers the same.",
)
async def verify_authorization(
    organization_id: uuid.UUID,
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    data: VerifyRequest | None = None,
) -> TenantRead:
    async with access(request).client(lookup=True) as client:
        tenant = await verification.verify(
            session, actor, organization_id, client, data.customer_domain if data else None
        )
    return TenantRead.model_validate(tenant)


@router.get(
    "/tenants/domain-availability",
    summary="Is <prefix>.onmicrosoft.com valid and free for a new tenant?",
    description="A prefix breaking Microsoft's rules answers 422 naming the rule; otherwise "
    "`available` says whether Partner Center knows a tenant with it.",
)
async def domain_availability(
    request: Request, actor: CurrentActor, prefix_: str = Query(alias="prefix", max_length=100)
) -> DomainAvailability:
    del actor  # any signed-in caller may ask; nothing about organizations is revealed
    if error := prefix.prefix_error(prefix_, "prefix"):
        raise ValidationFailed([error])
    async with access(request).client(lookup=True) as client:
        name, error = await service_details.prefix_available(client, prefix_)
    return DomainAvailability(
        prefix=name, domain=prefix.domain_of(name), available=error is None,
        rule=error.rule if error else None, message=error.message if error else None,
    )  # fmt: skip


@router.get(
    "/organizations/{organization_id}/tenant",
    summary="The Microsoft tenant the organization holds (`tenant` null while it holds none)",
)
async def get_tenant(
    organization_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> OrganizationTenant:
    step = await service_details.load(session, actor, organization_id)
    tenant = TenantRead.model_validate(step.tenant) if step.tenant else None
    return OrganizationTenant(organization_id=step.organization.id, tenant=tenant)
