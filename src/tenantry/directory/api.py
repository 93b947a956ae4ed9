"""HTTP API of a customer's imported directory: its users with their licenses, its licenses
(ours and other providers'), domains, imports and trial conversions; "Import now"; assigning
and removing licenses bought through the platform."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Header, Query, Request

from tenantry import idempotency
from tenantry.deps import CurrentActor, DbSession
from tenantry.directory import assignments, queries, service
from tenantry.directory.schemas import (
    DirectoryImportRead,
    DirectoryRead,
    DirectoryUserRead,
    LicenseChangeCreate,
    TrialConversionRead,
)
from tenantry.pagination import MAX_PAGE_SIZE
from tenantry.partnercenter.access import PartnerCenterAccess
from tenantry.problems import API_ERRORS, PROBLEM_MEDIA_TYPE, ProblemDetails
from tenantry.schemas import Page

router = APIRouter(prefix="/api/v1", tags=["directory"], responses=API_ERRORS)
DIRECTORY = "/organizations/{organization_id}/directory"
UNAVAILABLE: dict[int | str, dict[str, object]] = {
    503: {"model": ProblemDetails, "content": {PROBLEM_MEDIA_TYPE: {}}}
}
CHANGE_EXAMPLES = {
    "assign": {"value": {"assign": ["cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"]}},
    "remove": {"value": {"remove": ["cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46"]}},
}


def partner_center(request: Request) -> PartnerCenterAccess:
    found: PartnerCenterAccess = request.app.state.partner_center
    return found


@router.get(
    DIRECTORY,
    summary="A customer's imported directory: last import, licenses (ours and other "
    "providers'), domains, how many users",
)
async def get_directory(
    organization_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> DirectoryRead:
    return service.directory_read(await queries.directory(session, actor, organization_id))


@router.get(
    f"{DIRECTORY}/users",
    summary="The customer's users with their licenses, by name",
    description="Filters: `search` (part of the name or user principal name), `license` (holds "
    "this license SKU id), `holding` (`none`: no license; `ours`: a license bought through the "
    "platform; `other_provider`: a license bought from another provider).",
)
async def list_users(
    organization_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    search: str | None = Query(default=None, max_length=100),
    license_: str | None = Query(default=None, alias="license", max_length=64),
    holding: Literal["none", "ours", "other_provider"] | None = None,
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=50, ge=1, le=MAX_PAGE_SIZE),
) -> Page[DirectoryUserRead]:
    filters = queries.UserFilter(search, (license_ or "").strip().lower() or None, holding)
    users, held, following = await queries.users_page(
        session, actor, organization_id, filters, cursor=cursor, limit=limit
    )
    licenses = await queries.licenses_of(session, organization_id)
    return Page(items=service.users_read(users, held, licenses), next_cursor=following)


@router.get(f"{DIRECTORY}/imports", summary="The customer's directory imports, oldest first")
async def list_imports(
    organization_id: uuid.UUID,
    session: DbSession,
    actor: CurrentActor,
    cursor: str | None = Query(default=None, max_length=500),
    limit: int = Query(default=50, ge=1, le=MAX_PAGE_SIZE),
) -> Page[DirectoryImportRead]:
    rows, following = await queries.imports_page(
        session, actor, organization_id, cursor=cursor, limit=limit
    )
    return Page(items=[DirectoryImportRead.model_validate(r) for r in rows], next_cursor=following)


@router.post(
    f"{DIRECTORY}/imports",
    status_code=202,
    summary="Import now: read the customer's users, domains and licenses from its tenant again",
    description="Queues an import (a job), or answers the one already queued or running. 409 "
    "when the organization is not a customer or holds no linked tenant. A re-import writes "
    "only what changed and counts it.",
)
async def import_now(
    organization_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> DirectoryImportRead:
    return DirectoryImportRead.model_validate(
        await service.import_now(session, actor, organization_id)
    )


@router.get(
    f"{DIRECTORY}/trial-conversions",
    summary="Trials converted to paid after the customer's orders, and those that could not be",
)
async def list_trial_conversions(
    organization_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> list[TrialConversionRead]:
    rows = await queries.trial_conversions(session, actor, organization_id)
    return [TrialConversionRead.model_validate(row) for row in rows]


@router.post(
    "/directory-users/{directory_user_id}/license-changes",
    responses=UNAVAILABLE,
    summary="Assign licenses bought through the platform to a user, or remove them",
    description="Sent to Microsoft at once. 422 names a license the tenant does not hold or "
    "one bought from another provider; 409 says in plain words why Microsoft refused "
    "(`no_license_left`, `usage_location_missing`, `license_change_refused`), naming the user; "
    "503 when Partner Center cannot be reached (nothing changed). Assigning a license the "
    "user holds, or removing one they do not, changes nothing; the same Idempotency-Key "
    "answers the first answer again.",
)
async def change_licenses(
    directory_user_id: uuid.UUID,
    data: Annotated[LicenseChangeCreate, Body(openapi_examples=CHANGE_EXAMPLES)],
    request: Request,
    session: DbSession,
    actor: CurrentActor,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> DirectoryUserRead:
    fingerprint = idempotency.fingerprint("POST", request.url.path, data.model_dump(mode="json"))
    replayed = await idempotency.replay(session, actor, idempotency_key, fingerprint)
    if replayed is not None:
        return replayed  # type: ignore[return-value]
    async with partner_center(request).client(lookup=True) as client:
        change = await assignments.change_licenses(
            session, actor, client, directory_user_id, assign=data.assign, remove=data.remove
        )
    held = (await queries.held_by(session, [change.user.id]))[change.user.id]
    licenses = {
        row.sku_id: row for row in await queries.licenses_of(session, change.organization.id)
    }
    answer = service.user_read(change.user, held, licenses)
    idempotency.remember(
        session, actor, idempotency_key, fingerprint, 200, answer.model_dump(mode="json")
    )
    return answer
