"""HTTP API of organizations, segments, custom properties and platform rules (/api/v1)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from pydantic_core import to_json
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import idempotency
from tenantry.deps import CurrentActor, DbSession
from tenantry.errors import NotFound
from tenantry.models import MicrosoftTenant, Organization, OrganizationKind, OrganizationStatus
from tenantry.organizations import (
    lifecycle,
    list_rows,
    platform,
    repository,
    service,
    sign_in_requirement,
)
from tenantry.organizations.filters import OrganizationFilter
from tenantry.organizations.lifecycle import Transition
from tenantry.organizations.merge import redirects
from tenantry.organizations.schemas import (
    CustomPropertyCreate,
    CustomPropertyRead,
    MicrosoftTenantRead,
    OrganizationCreate,
    OrganizationRead,
    OrganizationUpdate,
    PlatformConfigRead,
    PlatformConfigUpdate,
    PossibleDuplicateProblem,
    SegmentCreate,
    SegmentRead,
    SignInRequirementRead,
    SignInRequirementUpdate,
    StatusChange,
)
from tenantry.organizations.tenant_check import Tenants
from tenantry.pagination import MAX_PAGE_SIZE
from tenantry.problems import API_ERRORS, PROBLEM_MEDIA_TYPE, ProblemDetails
from tenantry.resellers.mpn import PartnerIds
from tenantry.schemas import Page
from tenantry.security import Permission, require

UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": ProblemDetails, "content": {PROBLEM_MEDIA_TYPE: {}}}
}
router = APIRouter(prefix="/api/v1", tags=["organizations"], responses=API_ERRORS)

CREATE_EXAMPLE = {
    "kind": "customer",
    "legal_name": "Contoso ApS",
    "domain": "contoso.example",
    "industry": "retail",
    "address": {
        "line1": "Nørregade 1",
        "city": "Copenhagen",
        "postal_code": "1165",
        "country": "DK",
    },
    "primary_contact": {"name": "Ada Admin", "email": "ada@contoso.example"},
    "preferred_currency": "EUR",
}
UPDATE_EXAMPLE = {"display_name": "Contoso", "vat_id": None}


def _read(
    organization: object,
    response: Response | None = None,
    tenant: MicrosoftTenant | None = None,
) -> OrganizationRead:
    read = OrganizationRead.model_validate(organization)
    if tenant is not None:
        read.microsoft_tenant = MicrosoftTenantRead.model_validate(tenant)
    if response is not None:
        response.headers["ETag"] = f'"{read.version}"'
    return read


async def _read_with_tenant(
    session: AsyncSession, organization: Organization, response: Response | None = None
) -> OrganizationRead:
    tenants = await repository.microsoft_tenants(session, [organization.id])
    return _read(organization, response, tenants.get(organization.id))


@router.get(
    "/organizations",
    summary="List the organizations you may see",
    response_model=Page[OrganizationRead],
)
async def list_organizations(
    session: DbSession,
    actor: CurrentActor,
    status: OrganizationStatus | None = None,
    kind: OrganizationKind | None = None,
    segment: uuid.UUID | None = Query(default=None, description="Segment id"),
    reseller: uuid.UUID | None = Query(default=None, description="Customers of this reseller"),
    q: str | None = Query(
        default=None, max_length=100, description="Text in the name, domain or ERP ID"
    ),
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=50, ge=1, le=MAX_PAGE_SIZE),
) -> Response:
    # Trusted rows from our own database, encoded without validating them into the response
    # model, which only documents the answer here (organizations.list_rows says why);
    # tests/organizations/test_list_encoding.py holds the encoding to what the model writes.
    require(actor, Permission.ORGANIZATION_READ)
    filters = OrganizationFilter(
        status=status, kind=kind, segment_id=segment, reseller_id=reseller, q=q
    )
    items, next_cursor = await list_rows.api_page(
        session, actor, filters, cursor=cursor, limit=limit
    )
    page = to_json({"items": items, "next_cursor": next_cursor})
    return Response(page, media_type="application/json")


@router.post(
    "/organizations",
    status_code=201,
    summary="Create an organization ('Create' leaves it pending; approve=true is 'Create and approve')",
    description="An organization that shares its domain, registration number (same country), "
    "VAT ID (same country) or tenant with one of the platform is answered 409 "
    "possible_duplicate listing the matches; send confirm_duplicate: true to create it all the "
    "same. A tenant_id must be a customer of the platform in Partner Center (422 otherwise; 503 "
    "when Partner Center cannot be asked); leave it out to link the tenant later. A reseller's "
    "mpn_id is checked in Partner Center (422 naming the cause as the rule; 503 when it cannot "
    "be asked) and, when valid, its partner tenant becomes the reseller's tenant_id.",
    responses={
        409: {"model": PossibleDuplicateProblem, "content": {PROBLEM_MEDIA_TYPE: {}}},
        **UNAVAILABLE,
    },
)
async def create_organization(
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    data: Annotated[
        OrganizationCreate, Body(openapi_examples={"customer": {"value": CREATE_EXAMPLE}})
    ],
    tenants: Tenants,
    partner_ids: PartnerIds,
    idempotency_key: Annotated[str | None, Header(alias=idempotency.HEADER)] = None,
) -> OrganizationRead:
    key_fingerprint = idempotency.fingerprint(
        "POST", request.url.path, data.model_dump(mode="json")
    )
    if replayed := await idempotency.replay(session, actor, idempotency_key, key_fingerprint):
        return replayed  # type: ignore[return-value]
    organization = await service.create(
        session, actor, data, tenants=tenants, partner_ids=partner_ids
    )
    read = _read(organization)
    idempotency.remember(
        session, actor, idempotency_key, key_fingerprint, 201, read.model_dump(mode="json")
    )
    return JSONResponse(  # type: ignore[return-value]
        read.model_dump(mode="json"), status_code=201, headers={"ETag": f'"{read.version}"'}
    )


@router.get(
    "/organizations/{organization_id}",
    summary="One organization (its ETag is its version)",
    description="The id of an organization merged into another answers 308 with the kept "
    "organization's address in Location (when you may see it; 404 otherwise).",
    responses={308: {"description": "Merged into the organization at Location"}},
)
async def get_organization(
    organization_id: uuid.UUID, session: DbSession, actor: CurrentActor, response: Response
) -> OrganizationRead:
    require(actor, Permission.ORGANIZATION_READ)
    try:
        organization = await repository.get(session, actor, organization_id)
    except NotFound:
        kept = await redirects.kept_for(session, actor, organization_id)
        if kept is None:
            raise
        return RedirectResponse(f"/api/v1/organizations/{kept}", status_code=308)  # type: ignore[return-value]
    return await _read_with_tenant(session, organization, response)


@router.patch(
    "/organizations/{organization_id}",
    summary="Edit the profile and, with the seller's rights, the basic details",
    description="Send the ETag you read as If-Match; a stale one is answered 412. Industry is "
    "fixed. A new tenant_id must be a customer of the platform in Partner Center; a new mpn_id "
    "of a reseller must pass the MPN ID check (see POST). Address and primary contact changes "
    "stay in Tenantry: they do not change Microsoft's bill-to (update it in Partner Center; "
    "resellers ask their distributor); GET .../bill-to shows where the two differ.",
    responses=UNAVAILABLE,
)
async def update_organization(
    organization_id: uuid.UUID,
    data: Annotated[
        OrganizationUpdate, Body(openapi_examples={"rename": {"value": UPDATE_EXAMPLE}})
    ],
    session: DbSession,
    actor: CurrentActor,
    response: Response,
    tenants: Tenants,
    partner_ids: PartnerIds,
    if_match: Annotated[str | None, Header(max_length=40)] = None,
) -> OrganizationRead:
    organization = await service.update(
        session, actor, organization_id, data, if_match=if_match, tenants=tenants,
        partner_ids=partner_ids,
    )  # fmt: skip
    return await _read_with_tenant(session, organization, response)


async def _transition(
    organization_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    response: Response,
    transition: Transition,
    reason: str | None = None,
) -> OrganizationRead:
    organization = await lifecycle.change_status(
        session, actor, organization_id, transition, reason=reason
    )
    return await _read_with_tenant(session, organization, response)


@router.post(
    "/organizations/{organization_id}/approve", summary="Approve (activate) an organization"
)
async def approve_organization(
    organization_id: uuid.UUID, session: DbSession, actor: CurrentActor, response: Response
) -> OrganizationRead:
    return await _transition(organization_id, session, actor, response, Transition.APPROVE)


@router.post("/organizations/{organization_id}/reject", summary="Reject a pending organization")
async def reject_organization(
    organization_id: uuid.UUID, data: StatusChange, session: DbSession, actor: CurrentActor,
    response: Response,
) -> OrganizationRead:  # fmt: skip
    return await _transition(
        organization_id, session, actor, response, Transition.REJECT, data.reason
    )


@router.post(
    "/organizations/{organization_id}/block",
    summary="Block an organization: its people cannot sign in and nothing can be ordered for it",
)
async def block_organization(
    organization_id: uuid.UUID, data: StatusChange, session: DbSession, actor: CurrentActor,
    response: Response,
) -> OrganizationRead:  # fmt: skip
    return await _transition(
        organization_id, session, actor, response, Transition.BLOCK, data.reason
    )


@router.post("/organizations/{organization_id}/unblock", summary="Unblock an organization")
async def unblock_organization(
    organization_id: uuid.UUID, session: DbSession, actor: CurrentActor, response: Response
) -> OrganizationRead:
    return await _transition(organization_id, session, actor, response, Transition.UNBLOCK)


def _requirement(organization: Organization) -> SignInRequirementRead:
    return SignInRequirementRead(
        organization_id=organization.id, requirement=organization.sign_in_requirement
    )


@router.get(
    "/organizations/{organization_id}/sign-in-requirement",
    summary="How the organization's people must sign in",
)
async def get_sign_in_requirement(
    organization_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> SignInRequirementRead:
    organization = await sign_in_requirement.get_requirement(session, actor, organization_id)
    return _requirement(organization)


@router.put(
    "/organizations/{organization_id}/sign-in-requirement",
    summary="Require a sign-in method of the organization's people",
    description="Needs members.manage in the organization or its seller. Sessions opened "
    "another way are refused from their next request; API tokens are not affected. A "
    "requirement your own session in the organization does not meet is refused (409), so you "
    "cannot lock yourself out.",
)
async def set_sign_in_requirement(
    organization_id: uuid.UUID,
    data: SignInRequirementUpdate,
    request: Request,
    session: DbSession,
    actor: CurrentActor,
) -> SignInRequirementRead:
    organization = await sign_in_requirement.set_requirement(
        session, actor, organization_id, data.requirement,
        auth_session=getattr(request.state, "auth_session", None),
    )  # fmt: skip
    return _requirement(organization)


@router.get("/segments", summary="Segments the platform defines")
async def list_segments(session: DbSession, actor: CurrentActor) -> list[SegmentRead]:
    return [SegmentRead.model_validate(s) for s in await platform.list_segments(session, actor)]


@router.post("/segments", status_code=201, summary="Define a segment")
async def create_segment(
    data: SegmentCreate, session: DbSession, actor: CurrentActor
) -> SegmentRead:
    return SegmentRead.model_validate(await platform.create_segment(session, actor, data))


@router.get("/custom-properties", summary="Custom property keys the platform defines")
async def list_custom_properties(
    session: DbSession, actor: CurrentActor
) -> list[CustomPropertyRead]:
    rows = await platform.list_custom_properties(session, actor)
    return [CustomPropertyRead.model_validate(r) for r in rows]


@router.post("/custom-properties", status_code=201, summary="Define a custom property key")
async def create_custom_property(
    data: CustomPropertyCreate, session: DbSession, actor: CurrentActor
) -> CustomPropertyRead:
    return CustomPropertyRead.model_validate(
        await platform.create_custom_property(session, actor, data)
    )


@router.get("/platform/config", summary="The platform's rules (currencies, ERP ID, work domains)")
async def get_platform_config(session: DbSession, actor: CurrentActor) -> PlatformConfigRead:
    return PlatformConfigRead.model_validate(await platform.get_config(session, actor))


@router.patch("/platform/config", summary="Change the platform's rules")
async def update_platform_config(
    data: PlatformConfigUpdate, session: DbSession, actor: CurrentActor
) -> PlatformConfigRead:
    return PlatformConfigRead.model_validate(await platform.update_config(session, actor, data))
