"""HTTP API of GDAP relationships."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Header, Query

from tenantry.deps import CurrentActor, DbSession
from tenantry.problems import API_ERRORS, PROBLEM_MEDIA_TYPE, ProblemDetails
from tenantry.tenants.gdap import service
from tenantry.tenants.gdap.graph import Graph
from tenantry.tenants.gdap.schemas import (
    GdapRelationshipCreate,
    GdapRelationshipRead,
    GdapRoleRead,
    GdapTemplateRead,
)
from tenantry.tenants.gdap.templates import TEMPLATES

router = APIRouter(prefix="/api/v1", tags=["tenants"], responses=API_ERRORS)

OF_ORGANIZATION = "/organizations/{organization_id}/gdap-relationships"
ONE = "/gdap-relationships/{gdap_relationship_id}"
# Microsoft could not be reached: nothing was saved, try again.
UNAVAILABLE: dict[int | str, dict[str, object]] = {
    503: {"model": ProblemDetails, "content": {PROBLEM_MEDIA_TYPE: {}}}
}
REQUEST_EXAMPLES = {
    "support": {"value": {"template": "support", "duration_days": 365, "auto_extend": True}},
    "full": {"value": {"template": "full_administration", "duration_days": 30}},
}


def _read(row: object) -> GdapRelationshipRead:
    return GdapRelationshipRead.model_validate(row)


@router.get("/gdap-templates", summary="The role templates GDAP is requested with")
async def list_templates(actor: CurrentActor) -> list[GdapTemplateRead]:
    return [
        GdapTemplateRead(
            key=t.key,
            name=t.name,
            description=t.description,
            roles=[GdapRoleRead(id=r.id, name=r.name) for r in t.roles],
            allows_auto_extend=t.allows_auto_extend,
        )
        for t in TEMPLATES.values()
    ]


@router.post(
    OF_ORGANIZATION,
    status_code=201,
    responses=UNAVAILABLE,
    summary="Ask a linked customer's tenant for GDAP; the approval link is emailed to its contact",
    description="Creates the relationship at Microsoft and locks it for approval. 409 when the "
    "organization has no linked tenant or is not a customer; 422 for a duration outside 1..730 "
    "days or auto-extend with Global Administrator; 503 when Microsoft cannot be reached "
    "(nothing is saved). The same request again the same day, or with the same "
    "Idempotency-Key, answers the relationship the first one created.",
)
async def request_relationship(
    organization_id: uuid.UUID,
    data: Annotated[GdapRelationshipCreate, Body(openapi_examples=REQUEST_EXAMPLES)],
    session: DbSession,
    actor: CurrentActor,
    graph: Graph,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> GdapRelationshipRead:
    return _read(
        await service.request(session, actor, graph, organization_id, data, key=idempotency_key)
    )


@router.get(OF_ORGANIZATION, summary="The organization's GDAP relationships, newest first")
async def list_relationships(
    organization_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> list[GdapRelationshipRead]:
    return [_read(r) for r in await service.of_organization(session, actor, organization_id)]


@router.get(
    "/gdap/relationships",
    summary="Active relationships that end soon and do not auto-extend (soonest first)",
)
async def expiring_relationships(
    session: DbSession,
    actor: CurrentActor,
    expiring_within_days: int = Query(default=30, ge=0, le=730),
) -> list[GdapRelationshipRead]:
    rows = await service.expiring(session, actor, within_days=expiring_within_days)
    return [_read(r) for r in rows]


@router.get(ONE, summary="One GDAP relationship")
async def get_relationship(
    gdap_relationship_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> GdapRelationshipRead:
    return _read(await service.get(session, actor, gdap_relationship_id))


@router.post(
    f"{ONE}/refresh",
    responses=UNAVAILABLE,
    summary="Read the relationship's state from Microsoft now (503 when it cannot be reached)",
)
async def refresh_relationship(
    gdap_relationship_id: uuid.UUID, session: DbSession, actor: CurrentActor, graph: Graph
) -> GdapRelationshipRead:
    return _read(await service.refresh(session, actor, graph, gdap_relationship_id))
