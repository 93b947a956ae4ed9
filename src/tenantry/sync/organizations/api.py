"""HTTP API of an organization's bill-to beside Partner Center's (/api/v1)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Header, Response

from tenantry.deps import CurrentActor, DbSession
from tenantry.organizations import repository
from tenantry.problems import API_ERRORS
from tenantry.security import Permission, require
from tenantry.sync import billto
from tenantry.sync.organizations.schemas import BillToRead, BillToTake, BillToTaken
from tenantry.sync.organizations.service import bill_to

router = APIRouter(prefix="/api/v1", tags=["sync"], responses=API_ERRORS)
ONE_WAY = (
    "Bill-to flows one way, from Partner Center to Tenantry: editing the organization's address "
    "or contact in Tenantry does not change Microsoft's bill-to (update it in Partner Center; "
    "resellers ask their distributor)."
)
TAKE_EXAMPLE = {"fields": ["address.line1", "address.city", "address.postal_code"]}


@router.get(
    "/organizations/{organization_id}/bill-to",
    summary="Where the organization and Partner Center's bill-to differ, and what it lacks",
    description=f"{ONE_WAY} Compares the organization with the bill-to the last sync read, "
    "field by field. `incomplete` says an order to the customer would fail, `missing` why. "
    "Needs sync.read.",
)
async def get_bill_to(
    organization_id: uuid.UUID, session: DbSession, actor: CurrentActor, response: Response
) -> BillToRead:
    require(actor, Permission.SYNC_READ)
    organization = await repository.get(session, actor, organization_id)
    response.headers["ETag"] = organization.etag
    return await bill_to(session, organization)


@router.post(
    "/organizations/{organization_id}/bill-to/take",
    summary="Take Partner Center's bill-to values onto the organization",
    description=f"{ONE_WAY} Copies Partner Center's value of each field named onto the "
    "organization in one transaction, audited as organization.bill_to_taken. Send the "
    "organization's ETag as If-Match (412 when it changed since). 409 when no bill-to was read "
    "from Partner Center for it; 422 naming the field when a value cannot be stored. Needs "
    "sync.run.",
)
async def take_bill_to(
    organization_id: uuid.UUID,
    data: Annotated[BillToTake, Body(openapi_examples={"address": {"value": TAKE_EXAMPLE}})],
    session: DbSession,
    actor: CurrentActor,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=40)] = None,
) -> BillToTaken:
    organization, taken = await billto.take(
        session, actor, organization_id, data.fields, if_match=if_match
    )
    response.headers["ETag"] = organization.etag
    read = await bill_to(session, organization)
    return BillToTaken.model_validate(read.model_dump() | {"taken": taken})
