"""HTTP API of merging organizations (/api/v1/organizations/{id}/merge)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Header, Response

from tenantry.deps import CurrentActor, DbSession
from tenantry.organizations.merge import service
from tenantry.organizations.merge.schemas import MergeRequest, MergeResult
from tenantry.organizations.schemas import OrganizationRead
from tenantry.problems import API_ERRORS

router = APIRouter(prefix="/api/v1", tags=["organizations"], responses=API_ERRORS)
EXAMPLE = {"merge_id": "0b7d6f0e-3c1a-4f9e-9a57-3f1f0c9f8e21", "fields": {"legal_name": "merge"}}


@router.post(
    "/organizations/{organization_id}/merge",
    summary="Merge another organization into this one",
    description="Needs organizations.merge and both organizations in your scope (404 for one "
    "you may not see). The organization in the path stays; per field, `fields` says whose "
    'value it keeps ("keep", the default, or "merge"). Everything of the merged organization '
    "moves to it: people (the higher role when someone is in both), carts, orders, tenant, "
    "subscriptions, customers, proposals. The merged one is deleted and its id redirects here "
    "(GET answers 308). Refused with 409 naming the field and rule: the same organization, "
    "different kinds, the platform's record, two different tenants. If-Match: the ETag of the "
    "kept organization you looked at (412 when it changed since).",
)
async def merge_organization(
    organization_id: uuid.UUID,
    data: Annotated[MergeRequest, Body(openapi_examples={"merge": {"value": EXAMPLE}})],
    session: DbSession,
    actor: CurrentActor,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=40)] = None,
) -> MergeResult:
    kept, moved = await service.merge(
        session, actor, organization_id, data.merge_id, data.fields, if_match=if_match
    )
    response.headers["ETag"] = kept.etag
    return MergeResult(
        organization=OrganizationRead.model_validate(kept), merged_id=data.merge_id, moved=moved
    )
