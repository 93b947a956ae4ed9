"""HTTP API of the platform's own agreements: versions, professional-secrecy marking, and an
organization's status. Customers accept in the product (the pages), not through the API."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Response
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements.platform import acceptance, marking, versions
from tenantry.agreements.platform.acceptance import AgreementStatus
from tenantry.agreements.platform.schemas import (
    AcceptanceRead,
    AgreementStatusRead,
    OrganizationAgreementsRead,
    PlatformAgreement,
    SecrecyRequirement,
    SecrecySegments,
    SecrecySegmentsRead,
    VersionCreate,
    VersionNumber,
    VersionRead,
)
from tenantry.deps import CurrentActor, DbSession
from tenantry.models import Organization
from tenantry.problems import API_ERRORS
from tenantry.security import Permission, require

router = APIRouter(prefix="/api/v1", tags=["agreements"], responses=API_ERRORS)
VERSIONS = "/platform-agreements/{agreement}/versions"
EXAMPLE = {
    "title": "Terms of business",
    "body": "1. Scope\nThese terms apply to every order placed through the platform.",
}


@router.get(VERSIONS, summary="Versions of one of the platform's agreements, newest first")
async def list_versions(
    agreement: PlatformAgreement, session: DbSession, actor: CurrentActor
) -> list[VersionRead]:
    require(actor, Permission.ORGANIZATION_READ)
    found = await versions.versions(session, actor.platform_id, agreement.kind)
    return [VersionRead.model_validate(v) for v in found]


@router.post(
    VERSIONS,
    status_code=201,
    summary="Publish a new version of one of the platform's agreements",
    description="Needs platform.configure (the platform's admins). A published version is never "
    "edited: a change is a new version, and customers accept it again before their next order "
    "from its effective date on. Sending the newest version's title, text and date again "
    "answers 200 with that version (a retried request publishes once). 422 names the field "
    "and rule: `effective_on` in the past (`date_in_past`) or before the previous version's "
    "(`before_previous_version`).",
    responses={200: {"description": "The same text is the newest version already"}},
)
async def publish_version(
    agreement: PlatformAgreement,
    data: Annotated[VersionCreate, Body(openapi_examples={"terms": {"value": EXAMPLE}})],
    session: DbSession,
    actor: CurrentActor,
    response: Response,
) -> VersionRead:
    version, new = await versions.publish(session, actor, agreement, data)
    response.status_code = 201 if new else 200
    return VersionRead.model_validate(version)


@router.get(f"{VERSIONS}/{{number}}", summary="One version of one of the platform's agreements")
async def get_version(
    agreement: PlatformAgreement, number: VersionNumber, session: DbSession, actor: CurrentActor
) -> VersionRead:
    require(actor, Permission.ORGANIZATION_READ)
    return VersionRead.model_validate(await versions.get(session, actor, agreement, number))


SEGMENTS = "/platform-agreements/professional_secrecy/segments"


@router.get(SEGMENTS, summary="Segments whose customers sign the professional-secrecy agreement")
async def list_secrecy_segments(session: DbSession, actor: CurrentActor) -> SecrecySegmentsRead:
    found = await marking.secrecy_segments(session, actor)
    return SecrecySegmentsRead(segment_ids=[s.id for s in found])


@router.put(
    SEGMENTS,
    summary="Set the segments whose customers sign the professional-secrecy agreement",
    description="Needs platform.configure. Exactly the segments listed require it afterwards. "
    "An id the platform does not know is refused (422, `unknown_segment`).",
)
async def set_secrecy_segments(
    data: SecrecySegments, session: DbSession, actor: CurrentActor
) -> SecrecySegmentsRead:
    found = await marking.set_secrecy_segments(session, actor, data.segment_ids)
    return SecrecySegmentsRead(segment_ids=[s.id for s in found])


def _status(status: AgreementStatus) -> AgreementStatusRead:
    accepted = status.accepted
    return AgreementStatusRead(
        kind=status.kind, required=status.required, required_because=status.required_because,
        current_version=status.current.version if status.current else None,
        accepted=AcceptanceRead(
            version=status.accepted_version or 0, accepted_at=accepted.recorded_at,
            accepted_by=accepted.recorded_by_label,
        ) if accepted else None,
        satisfied=status.satisfied,
    )  # fmt: skip


@router.get(
    "/organizations/{organization_id}/platform-agreements",
    summary="The platform's agreements for one organization: required, current, accepted",
)
async def organization_agreements(
    organization_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> OrganizationAgreementsRead:
    organization = await marking.organization_in_scope(session, actor, organization_id)
    return await _organization_read(session, organization)


@router.put(
    "/organizations/{organization_id}/professional-secrecy",
    summary="Mark whether a customer signs the professional-secrecy agreement",
    description="Needs organization.edit_basic: the platform's staff mark any customer, a "
    "reseller's admin its own customers (another's customer answers 404). Only customers sign "
    "it (409, `customers_only`). The customer's segments may require it as well.",
)
async def mark_organization(
    organization_id: uuid.UUID,
    data: SecrecyRequirement,
    session: DbSession,
    actor: CurrentActor,
) -> OrganizationAgreementsRead:
    organization = await marking.mark_organization(session, actor, organization_id, data.required)
    return await _organization_read(session, organization)


async def _organization_read(
    session: AsyncSession, organization: Organization
) -> OrganizationAgreementsRead:
    return OrganizationAgreementsRead(
        organization_id=organization.id,
        requires_professional_secrecy=organization.requires_professional_secrecy,
        agreements=[_status(s) for s in await acceptance.statuses(session, organization)],
    )
