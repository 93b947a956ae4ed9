"""HTTP API of a customer's Microsoft Customer Agreement for sellers' staff: the status, a check
with Partner Center, staff attestations, the acceptance request email, and resellers' requests
that their distributor attest."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Request
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import idempotency
from tenantry.agreements import acceptance_email, attestations, requests
from tenantry.agreements.staff_schemas import (
    AcceptanceRead,
    AcceptanceRequestSend,
    AcceptanceRequestSent,
    AttestationCreate,
    AttestationRead,
    AttestationRequestCreate,
    AttestationRequestDecline,
    AttestationRequestRead,
    MicrosoftAgreementRead,
    ViewerActions,
)
from tenantry.deps import CurrentActor, DbSession
from tenantry.models import AttestationRequestStatus
from tenantry.organizations import repository as organizations
from tenantry.partnercenter.access import PartnerCenterAccess
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.problems import API_ERRORS, PROBLEM_MEDIA_TYPE, ProblemDetails
from tenantry.security import Actor, Permission, require

router = APIRouter(prefix="/api/v1", tags=["agreements"], responses=API_ERRORS)
MCA = "/organizations/{organization_id}/agreements/microsoft"
REQUESTS = "/agreements/attestation-requests"
ONE_REQUEST = f"{REQUESTS}/{{attestation_request_id}}"
ATTESTED_BY = {
    "primary contact": {"value": {
        "first_name": "Tania", "last_name": "Carr", "email": "tania.carr@customer.example",
        "phone": "+4532123456", "date_agreed": "2024-05-01",
    }},
}  # fmt: skip
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": ProblemDetails, "content": {PROBLEM_MEDIA_TYPE: {}}}
}


def access_of(request: Request) -> PartnerCenterAccess:
    found: PartnerCenterAccess = request.app.state.partner_center
    return found


async def partner_center(request: Request) -> AsyncIterator[PartnerCenterClient]:
    """Partner Center for a call a person waits on (short timeout, few attempts)."""
    async with access_of(request).client(lookup=True) as client:
        yield client


PartnerCenter = Annotated[PartnerCenterClient, Depends(partner_center)]


def read_view(view: attestations.AgreementView) -> MicrosoftAgreementRead:
    status = view.status
    return MicrosoftAgreementRead(
        organization_id=view.organization.id, tenant_id=view.organization.tenant_id,
        state=view.state,
        date_agreed=status.date_agreed, route=status.route, checked_at=status.checked_at,
        check_error=status.check_error,
        latest_evidence=AcceptanceRead.model_validate(view.latest) if view.latest else None,
        open_attestation_request_id=view.open_request.id if view.open_request else None,
        viewer_can=ViewerActions(**view.can()),
    )  # fmt: skip


async def status_of(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID
) -> MicrosoftAgreementRead:
    # Any organization in scope answers (a reseller or the platform: unknown, nothing to do).
    require(actor, Permission.ORGANIZATION_READ)
    organization = await organizations.get(session, actor, organization_id)
    return read_view(await attestations.view(session, actor, organization))


def _created(body: Any, created: bool) -> JSONResponse:
    return JSONResponse(body, status_code=201 if created else 200)


@router.get(MCA, summary="A customer's Microsoft Customer Agreement status, as last known")
async def get_status(
    organization_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> MicrosoftAgreementRead:
    return await status_of(session, actor, organization_id)


@router.post(
    f"{MCA}/refresh",
    responses=UNAVAILABLE,
    summary="Ask Partner Center for the status now (503 when it cannot be reached)",
)
async def refresh_status(
    organization_id: uuid.UUID, session: DbSession, actor: CurrentActor, client: PartnerCenter
) -> MicrosoftAgreementRead:
    return read_view(await attestations.refresh_now(session, actor, client, organization_id))


@router.post(
    f"{MCA}/attestations",
    status_code=201,
    responses=UNAVAILABLE
    | {200: {"model": AttestationRead, "description": "The same attestation was kept already"}},
    summary="Attest an acceptance obtained outside Tenantry (distributor or direct CSP staff)",
    description="Confirms the acceptance to Partner Center, then keeps it as evidence. 403 for "
    "resellers (Microsoft does not let them attest: send the acceptance request or ask the "
    "distributor); 422 naming each field (date in the future in UTC or the customer's time "
    "zone, before 2018, names, email, phone); 409 when Partner Center refuses the agreement "
    "version or does not know the customer; 503 when it cannot be reached. Nothing is kept "
    "unless Partner Center confirmed. The same person and date again (or the same "
    "Idempotency-Key) answers 200 with the acceptance already kept.",
)
async def attest(
    organization_id: uuid.UUID,
    data: Annotated[AttestationCreate, Body(openapi_examples=ATTESTED_BY)],
    request: Request, session: DbSession, actor: CurrentActor, client: PartnerCenter,
    idempotency_key: Annotated[str | None, Header(alias=idempotency.HEADER)] = None,
) -> AttestationRead:  # fmt: skip
    fingerprint = idempotency.fingerprint("POST", request.url.path, data.model_dump(mode="json"))
    if replayed := await idempotency.replay(session, actor, idempotency_key, fingerprint):
        return replayed  # type: ignore[return-value]
    acceptance, created = await attestations.attest(session, actor, client, organization_id, data)
    body = AttestationRead(
        acceptance=AcceptanceRead.model_validate(acceptance),
        status=await status_of(session, actor, organization_id),
    ).model_dump(mode="json")
    status = 201 if created else 200
    idempotency.remember(session, actor, idempotency_key, fingerprint, status, body)
    return _created(body, created)  # type: ignore[return-value]


@router.post(
    f"{MCA}/acceptance-request",
    summary="Email the customer the request to accept the agreement in the admin center",
    description="To the primary contact unless `to` is given. Once a day per address: the "
    "same request again the same day sends nothing more (`already_sent_today`).",
)
async def send_acceptance_request(
    organization_id: uuid.UUID, data: AcceptanceRequestSend, request: Request,
    session: DbSession, actor: CurrentActor,
) -> AcceptanceRequestSent:  # fmt: skip
    admin_center = access_of(request).config().admin_center_url
    sent = await acceptance_email.send(
        session, actor, organization_id, data.to, admin_center_url=admin_center
    )
    return AcceptanceRequestSent(
        sent_to=sent.sent_to, link=sent.link, already_sent_today=sent.already_sent_today
    )


@router.post(
    f"{MCA}/attestation-requests",
    status_code=201,
    summary="Ask the distributor to attest an acceptance the reseller obtained",
    description="Resellers only. 422 naming each field (same rules as an attestation); 409 "
    "when the agreement is already accepted or another request is open. The same request "
    "again answers 200 with the open one.",
)
async def request_attestation(
    organization_id: uuid.UUID, data: AttestationRequestCreate, session: DbSession,
    actor: CurrentActor,
) -> AttestationRequestRead:  # fmt: skip
    row, created = await requests.create(session, actor, organization_id, data)
    body = AttestationRequestRead.model_validate(row).model_dump(mode="json")
    return _created(body, created)  # type: ignore[return-value]


@router.get(REQUESTS, summary="Attestation requests in scope, newest first")
async def list_requests(
    session: DbSession, actor: CurrentActor, status: AttestationRequestStatus | None = None,
    organization_id: uuid.UUID | None = None,
) -> list[AttestationRequestRead]:  # fmt: skip
    rows = await requests.listed(session, actor, status=status, organization_id=organization_id)
    return [AttestationRequestRead.model_validate(r) for r in rows]


@router.get(ONE_REQUEST, summary="One attestation request")
async def get_request(
    attestation_request_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> AttestationRequestRead:
    return AttestationRequestRead.model_validate(
        await requests.get(session, actor, attestation_request_id)
    )


@router.post(
    f"{ONE_REQUEST}/attest",
    responses=UNAVAILABLE,
    summary="Attest what the reseller sent (fields given here correct it)",
)
async def attest_request(
    attestation_request_id: uuid.UUID, data: AttestationCreate, session: DbSession,
    actor: CurrentActor, client: PartnerCenter,
) -> AttestationRequestRead:  # fmt: skip
    row = await requests.attest(session, actor, client, attestation_request_id, data)
    return AttestationRequestRead.model_validate(row)


@router.post(f"{ONE_REQUEST}/decline", summary="Decline the request, with the reason")
async def decline_request(
    attestation_request_id: uuid.UUID, data: AttestationRequestDecline, session: DbSession,
    actor: CurrentActor,
) -> AttestationRequestRead:  # fmt: skip
    row = await requests.decline(session, actor, attestation_request_id, data.reason)
    return AttestationRequestRead.model_validate(row)


@router.post(f"{ONE_REQUEST}/withdraw", summary="Withdraw an open request (the reseller)")
async def withdraw_request(
    attestation_request_id: uuid.UUID, session: DbSession, actor: CurrentActor
) -> AttestationRequestRead:
    return AttestationRequestRead.model_validate(
        await requests.withdraw(session, actor, attestation_request_id)
    )
