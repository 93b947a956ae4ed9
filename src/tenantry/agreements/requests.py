"""Resellers' requests that their distributor attest a customer's acceptance of the Microsoft
Customer Agreement (resellers may not attest themselves).

A reseller asks with what it obtained (who accepted, when, a note); the request lands in the
distributor's queue and its contact is emailed. The distributor attests (an attestation like any
other, linked to the request) or declines with a reason; the reseller may withdraw an open one.
The outcome is emailed to whoever asked. One open request per customer at a time; the same
request again (a double click) answers the open one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.agreements import attestations
from tenantry.agreements.rules import checked_acceptance
from tenantry.agreements.staff_schemas import AttestationCreate, AttestationRequestCreate
from tenantry.audit.service import diff, record
from tenantry.errors import Conflict, Forbidden, NotFound
from tenantry.models import (
    AttestationRequest,
    AttestationRequestStatus,
    Organization,
    OrganizationKind,
    User,
    utcnow,
)
from tenantry.notifications import send_email
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.security import Actor, Permission, organization_scope, require

OPEN = AttestationRequestStatus.OPEN
FIELDS = ("first_name", "last_name", "email", "phone", "date_agreed", "note")


class RequestClosed(Conflict):
    code = "attestation_request_closed"


def scoped(actor: Actor) -> Select[AttestationRequest]:
    """The platform's staff see every request of their platform; a reseller its own."""
    query = (
        select(AttestationRequest)
        .join(Organization, Organization.id == AttestationRequest.organization_id)
        .where(organization_scope(actor), AttestationRequest.platform_id == actor.platform_id)
    )
    if not actor.is_platform:
        query = query.where(AttestationRequest.reseller_id == actor.organization_id)
    return query


def _require_either(actor: Actor) -> None:
    if not (
        actor.can(Permission.AGREEMENTS_ATTEST)
        or actor.can(Permission.AGREEMENTS_REQUEST_ATTESTATION)
    ):
        require(actor, Permission.AGREEMENTS_REQUEST_ATTESTATION)


async def get(session: AsyncSession, actor: Actor, request_id: uuid.UUID) -> AttestationRequest:
    _require_either(actor)
    row = await session.scalar(scoped(actor).where(AttestationRequest.id == request_id))
    if row is None:
        raise NotFound(f"attestation request {request_id} not found")
    return row


async def listed(
    session: AsyncSession, actor: Actor, *, status: AttestationRequestStatus | None = None,
    organization_id: uuid.UUID | None = None,
) -> Sequence[AttestationRequest]:  # fmt: skip
    """Newest first."""
    _require_either(actor)
    query = scoped(actor)
    if status is not None:
        query = query.where(AttestationRequest.status == status)
    if organization_id is not None:
        query = query.where(AttestationRequest.organization_id == organization_id)
    rows = await session.scalars(
        query.order_by(AttestationRequest.created_at.desc(), AttestationRequest.id)
    )
    return rows.all()


def _snapshot(row: AttestationRequest) -> dict[str, object]:
    return {"status": row.status, "outcome_note": row.outcome_note}


async def create(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID, data: AttestationRequestCreate
) -> tuple[AttestationRequest, bool]:
    """Ask the distributor to attest. Returns the request and whether it is new."""
    require(actor, Permission.AGREEMENTS_REQUEST_ATTESTATION)
    organization = await attestations.customer(session, actor, organization_id)
    if actor.organization_kind is not OrganizationKind.RESELLER:
        raise Forbidden("only a reseller asks its distributor to attest; attest it yourself")
    person, moment = checked_acceptance(
        first_name=data.first_name, last_name=data.last_name, email=data.email,
        phone=data.phone, date_agreed=data.date_agreed, country=organization.address_country,
    )  # fmt: skip
    view = await attestations.view(session, actor, organization)
    if view.satisfied:
        raise Conflict(
            f"{organization.display_name}'s Microsoft Customer Agreement is already accepted "
            f"({view.state.replace('_', ' ')}): there is nothing to attest"
        )
    note = (data.note or "").strip() or None
    if (existing := view.open_request) is not None:
        same = (existing.email or "").casefold() == person.email.casefold() and (
            existing.date_agreed is not None and existing.date_agreed.date() == moment.date()
        )
        if same:
            return existing, False
        raise Conflict(
            f"a request for {organization.display_name} is already open (sent "
            f"{existing.created_at:%Y-%m-%d}); withdraw it first to send another"
        )
    row = AttestationRequest(
        platform_id=organization.platform_id, organization_id=organization.id,
        reseller_id=actor.organization_id, status=OPEN, requested_by_id=actor.user_id,
        requested_by_label=actor.label, first_name=person.first_name,
        last_name=person.last_name, email=person.email, phone=person.phone,
        date_agreed=moment, note=note,
    )  # fmt: skip
    session.add(row)
    await session.flush()
    platform = await session.get_one(Organization, organization.platform_id)
    reseller = await session.get_one(Organization, actor.organization_id)
    await send_email(
        session, to=platform.contact_email, template="attestation_requested",
        context={
            "distributor": platform.display_name, "reseller": reseller.display_name,
            "requested_by": actor.label if actor.user_id else "through the API",
            "customer": organization.display_name,
            "person": f"{person.first_name} {person.last_name} <{person.email}>",
            "date_agreed": moment.date().isoformat(), "note": note or "",
            "queue_path": "/agreements/requests",
        },
        idempotency_key=f"attestation_requested:{row.id}",
    )  # fmt: skip
    await record(
        session, actor, action="agreements.attestation_requested",
        target_type="attestation_request", target_id=row.id, organization_id=organization.id,
        platform_id=organization.platform_id,
        changes=diff({}, {k: getattr(row, k) for k in FIELDS}),
    )  # fmt: skip
    return row, True


async def _decide(
    session: AsyncSession, actor: Actor, row: AttestationRequest,
    status: AttestationRequestStatus, note: str | None, *, now: datetime | None = None,
) -> None:  # fmt: skip
    before = _snapshot(row)
    row.status, row.outcome_note = status, note
    row.decided_by_id, row.decided_at = actor.user_id, now or utcnow()
    await session.flush()
    await record(
        session, actor, action=f"agreements.attestation_request_{status.value}",
        target_type="attestation_request", target_id=row.id,
        organization_id=row.organization_id, platform_id=row.platform_id,
        changes=diff(before, _snapshot(row)),
    )  # fmt: skip
    if status is AttestationRequestStatus.WITHDRAWN:
        return
    requester = await session.get(User, row.requested_by_id) if row.requested_by_id else None
    reseller = await session.get_one(Organization, row.reseller_id)
    customer = await session.get_one(Organization, row.organization_id)
    await send_email(
        session, to=requester.email if requester else reseller.contact_email,
        template="attestation_answered",
        context={
            "reseller": reseller.display_name, "customer": customer.display_name,
            "attested": status is AttestationRequestStatus.ATTESTED,
            "decided_by": actor.label, "reason": note or "",
            "page_path": f"/organizations/{customer.id}/agreements",
        },
        idempotency_key=f"attestation_answered:{row.id}",
    )  # fmt: skip


def _closed(row: AttestationRequest) -> RequestClosed:
    return RequestClosed(f"this request is already {row.status.value}; nothing was changed")


def defaults_of(row: AttestationRequest) -> AttestationCreate:
    """What the reseller sent, as the attestation the distributor starts from."""
    return AttestationCreate(
        first_name=row.first_name, last_name=row.last_name, email=row.email, phone=row.phone,
        date_agreed=row.date_agreed.date() if row.date_agreed else None,
    )  # fmt: skip


async def attest(
    session: AsyncSession, actor: Actor, client: PartnerCenterClient, request_id: uuid.UUID,
    data: AttestationCreate | None = None,
) -> AttestationRequest:  # fmt: skip
    """Attest what the reseller sent (or the distributor's corrections of it)."""
    row = await get(session, actor, request_id)  # 404 before 403
    attestations.require_attest(actor)
    if row.status is AttestationRequestStatus.ATTESTED:
        return row
    if row.status is not OPEN:
        raise _closed(row)
    filled = defaults_of(row).model_dump() | (data.model_dump(exclude_none=True) if data else {})
    await attestations.attest(
        session, actor, client, row.organization_id, AttestationCreate.model_construct(**filled),
        attestation_request_id=row.id,
    )  # fmt: skip
    await _decide(session, actor, row, AttestationRequestStatus.ATTESTED, None)
    return row


async def decline(
    session: AsyncSession, actor: Actor, request_id: uuid.UUID, reason: str
) -> AttestationRequest:
    row = await get(session, actor, request_id)  # 404 before 403
    attestations.require_attest(actor)
    if row.status is AttestationRequestStatus.DECLINED:
        return row
    if row.status is not OPEN:
        raise _closed(row)
    await _decide(session, actor, row, AttestationRequestStatus.DECLINED, reason.strip())
    return row


async def withdraw(
    session: AsyncSession, actor: Actor, request_id: uuid.UUID
) -> AttestationRequest:
    require(actor, Permission.AGREEMENTS_REQUEST_ATTESTATION)
    row = await get(session, actor, request_id)
    if row.status is AttestationRequestStatus.WITHDRAWN:
        return row
    if row.status is not OPEN:
        raise _closed(row)
    await _decide(session, actor, row, AttestationRequestStatus.WITHDRAWN, None)
    return row
