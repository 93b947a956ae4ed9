"""GDAP relationships and access assignments, through their whole lifecycle.

Relationship: ``created`` → (``lockForApproval``) ``approvalPending`` → (the customer's Global
Administrator approves in the admin center) ``approved`` → ``active`` → (``terminate``)
``terminationRequested`` → ``terminated``; an active relationship past its end date is extended by
``autoExtendDuration`` or becomes ``expired``. Access assignment: ``pending`` → ``active``,
``deleting`` → ``deleted``. The steps after ``approved``, ``terminationRequested``, ``pending`` and
``deleting`` happen asynchronously at Microsoft; here ``advance`` takes them, run by the
background task, by ``POST /_sandbox/webhooks/flush`` and before a relationship is read, so a
client polling Graph sees them. Each change raises the documented webhook event.

Rules enforced, as Graph does: display names are unique per partner and at most 50 characters,
durations are 1 to 730 days, ``autoExtendDuration`` is ``PT0S``/``P0D``/``P180D`` and not allowed
with the Global Administrator role, assignments need an active relationship and may only grant
roles the relationship holds.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry_sandbox.services import webhooks
from tenantry_sandbox.store import customers, gdap
from tenantry_sandbox.store.customers import Customer
from tenantry_sandbox.store.gdap import GdapAccessAssignment, GdapRelationship, GdapRequest

if TYPE_CHECKING:
    from tenantry_sandbox.state import SandboxState

GLOBAL_ADMINISTRATOR = "62e90394-69f5-4237-9190-012177145e10"
AUTO_EXTEND_DAYS = {"PT0S": 0, "P0D": 0, "P180D": 180}
MAX_DURATION_DAYS = 730
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)W)?(?:(\d+)D)?$", re.IGNORECASE)

# Built-in Microsoft Entra roles partners commonly request (id → name) for the approval page.
ROLE_NAMES = {
    "62e90394-69f5-4237-9190-012177145e10": "Global Administrator",
    "f2ef992c-3afb-46b9-b7cf-a126ee74c451": "Global Reader",
    "88d8e3e3-8f55-4a1e-953a-9b9898b8876b": "Directory Readers",
    "9360feb5-f418-4baa-8175-e2a00bac4301": "Directory Writers",
    "fe930be7-5e62-47db-91af-98c3a49a38b1": "User Administrator",
    "729827e3-9c14-49f7-bb1b-9608f156bbb8": "Helpdesk Administrator",
    "f023fd81-a637-4b56-95fd-791ac0226033": "Service Support Administrator",
    "29232cdf-9323-42fd-ade2-1d097af3e4de": "Exchange Administrator",
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c": "SharePoint Administrator",
    "69091246-20e8-4a56-aa4d-066075b2a7a8": "Teams Administrator",
    "3a2c62db-5318-420d-8d74-23affee5d9d5": "Intune Administrator",
    "4d6ac14f-3453-41d0-bef9-a3e0c569773a": "License Administrator",
    "b0f54661-2d74-4c50-afa3-1ec803f12efe": "Billing Administrator",
    "194ae4cb-b126-40b2-bd5b-6091b380977d": "Security Administrator",
    "5d6b6bb7-de71-4623-b4af-96380a352509": "Security Reader",
    "e8611ab8-c189-46e8-94e1-60213ab1f814": "Privileged Role Administrator",
    "158c047a-c907-4556-b7ef-446551a6b5f7": "Cloud Application Administrator",
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3": "Application Administrator",
    "c4e39bd9-1100-46d3-8c65-fb160da0071f": "Authentication Administrator",
    "17315797-102d-40b4-93e0-432062caca18": "Compliance Administrator",
    "4a5d8f65-41da-4de4-8968-e035b65339cf": "Reports Reader",
}


class GraphError(Exception):
    """An error in Microsoft Graph's shape: ``{"error": {"code", "message", "innerError"}}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self, client_request_id: str | None, now: datetime) -> JSONResponse:
        request_id = str(uuid.uuid4())
        return JSONResponse(
            {
                "error": {
                    "code": self.code,
                    "message": self.message,
                    "innerError": {
                        "date": f"{now:%Y-%m-%dT%H:%M:%S}",
                        "request-id": request_id,
                        "client-request-id": client_request_id or request_id,
                    },
                }
            },
            status_code=self.status,
            headers={"request-id": request_id},
        )


def bad_request(message: str) -> GraphError:
    return GraphError(400, "BadRequest", message)


def not_found(what: str) -> GraphError:
    return GraphError(404, "NotFound", f"{what} was not found.")


def duration_days(value: str) -> int:
    match = _DURATION.match(value.strip())
    if match is None or not any(match.groups()):
        raise bad_request(f"duration '{value}' is not an ISO 8601 duration such as P730D.")
    years, weeks, days = (int(part or 0) for part in match.groups())
    total = years * 365 + weeks * 7 + days
    if not 1 <= total <= MAX_DURATION_DAYS:
        raise bad_request(f"duration must be between P1D and P{MAX_DURATION_DAYS}D; got {value}.")
    return total


def etag(row_id: object, version: int) -> str:
    return 'W/"' + base64.b64encode(f'"{row_id}:{version}"'.encode()).decode() + '"'


@dataclass(frozen=True)
class RelationshipInput:
    display_name: str
    duration: str
    role_ids: list[str]
    auto_extend_duration: str
    customer_tenant_id: uuid.UUID | None = None
    customer_display_name: str | None = None


def _touch(row: GdapRelationship | GdapAccessAssignment | GdapRequest, state: SandboxState) -> None:
    row.updated_at = state.clock.now()
    if not isinstance(row, GdapRequest):
        row.version += 1


async def _event(
    session: AsyncSession,
    state: SandboxState,
    relationship: GdapRelationship,
    change: str,
    assignment: GdapAccessAssignment | None = None,
) -> None:
    params = {"relationship_id": relationship.id}
    if assignment is None:
        name = f"granular-admin-relationship-{change}"
    else:
        name = f"granular-admin-access-assignment-{change}"
        params["assignment_id"] = str(assignment.id)
    await webhooks.emit(
        session, state.settings, state.clock, relationship.partner_tenant_id, name, params
    )


async def create_relationship(
    session: AsyncSession,
    state: SandboxState,
    partner_tenant_id: uuid.UUID,
    data: RelationshipInput,
) -> GdapRelationship:
    days = duration_days(data.duration)
    if data.auto_extend_duration not in AUTO_EXTEND_DAYS:
        raise bad_request("autoExtendDuration must be PT0S, P0D or P180D.")
    if not data.role_ids:
        raise bad_request("accessDetails.unifiedRoles must name at least one role.")
    if AUTO_EXTEND_DAYS[data.auto_extend_duration] and GLOBAL_ADMINISTRATOR in data.role_ids:
        raise bad_request("A relationship with the Global Administrator role cannot auto-extend.")
    if await gdap.by_display_name(session, partner_tenant_id, data.display_name) is not None:
        raise GraphError(
            409, "Conflict", f"A relationship named '{data.display_name}' already exists."
        )
    customer_name = data.customer_display_name
    if data.customer_tenant_id is not None:
        customer = await customers.get(session, data.customer_tenant_id)
        if customer is None:
            raise bad_request(f"The customer tenant {data.customer_tenant_id} was not found.")
        customer_name = customer_name or customer.company_name
    now = state.clock.now()
    row = GdapRelationship(
        id=f"{uuid.uuid4()}-{uuid.uuid4()}",
        partner_tenant_id=partner_tenant_id,
        display_name=data.display_name,
        duration=data.duration,
        duration_days=days,
        customer_tenant_id=data.customer_tenant_id,
        customer_display_name=customer_name,
        role_ids=json.dumps(list(dict.fromkeys(data.role_ids))),
        auto_extend_duration=data.auto_extend_duration,
        status="created",
        created_at=now,
        updated_at=now,
        end_at=now + timedelta(days=days),
    )
    session.add(row)
    await session.flush()
    return row


async def delete_relationship(session: AsyncSession, relationship: GdapRelationship) -> None:
    if relationship.status != "created":
        raise bad_request("Only a relationship in status 'created' can be deleted.")
    await session.delete(relationship)
    await session.flush()


async def request_action(
    session: AsyncSession, state: SandboxState, relationship: GdapRelationship, action: str
) -> GdapRequest:
    """``lockForApproval`` (created → approvalPending) or ``terminate`` (active → terminated)."""
    if action == "lockForApproval":
        if relationship.status != "created":
            raise bad_request(
                f"lockForApproval needs status 'created'; the relationship is {relationship.status}."
            )
        relationship.status = "approvalPending"
    elif action == "terminate":
        if relationship.status != "active":
            raise bad_request(
                f"terminate needs status 'active'; the relationship is {relationship.status}."
            )
        relationship.status = "terminationRequested"
    else:
        raise bad_request("action must be lockForApproval or terminate.")
    _touch(relationship, state)
    now = state.clock.now()
    row = GdapRequest(
        id=uuid.uuid4(),
        relationship_id=relationship.id,
        action=action,
        status="created",
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def approve(
    session: AsyncSession,
    state: SandboxState,
    relationship: GdapRelationship,
    customer: Customer,
    approver: uuid.UUID,
) -> None:
    """The customer's Global Administrator approves in the admin center."""
    if relationship.status != "approvalPending":
        raise bad_request(f"The relationship is {relationship.status}, not awaiting approval.")
    if relationship.customer_tenant_id not in (None, customer.id):
        raise GraphError(403, "Forbidden", "This relationship is meant for another organization.")
    relationship.customer_tenant_id = customer.id
    relationship.customer_display_name = relationship.customer_display_name or customer.company_name
    relationship.status = "approved"
    relationship.approved_by = approver
    _touch(relationship, state)
    await session.flush()
    await _event(session, state, relationship, "approved")


async def create_assignment(
    session: AsyncSession,
    state: SandboxState,
    relationship: GdapRelationship,
    group_id: uuid.UUID,
    role_ids: list[str],
) -> GdapAccessAssignment:
    if relationship.status != "active":
        raise bad_request(
            f"Access can be assigned only in an active relationship; this one is "
            f"{relationship.status}."
        )
    _check_roles(relationship, role_ids)
    for existing in await gdap.assignments_of(session, relationship.id, ("pending", "active")):
        if existing.security_group_id == group_id:
            raise GraphError(409, "Conflict", f"The security group {group_id} already has access.")
    now = state.clock.now()
    row = GdapAccessAssignment(
        id=uuid.uuid4(),
        relationship_id=relationship.id,
        security_group_id=group_id,
        role_ids=json.dumps(list(dict.fromkeys(role_ids))),
        status="pending",
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    await _event(session, state, relationship, "created", row)
    return row


def _check_roles(relationship: GdapRelationship, role_ids: list[str]) -> None:
    if not role_ids:
        raise bad_request("accessDetails.unifiedRoles must name at least one role.")
    outside = sorted(set(role_ids) - set(relationship.roles))
    if outside:
        raise bad_request(f"The relationship does not hold the roles {', '.join(outside)}.")


async def update_assignment(
    session: AsyncSession,
    state: SandboxState,
    relationship: GdapRelationship,
    assignment: GdapAccessAssignment,
    role_ids: list[str],
) -> None:
    if assignment.status != "active":
        raise bad_request(f"The access assignment is {assignment.status}, not active.")
    _check_roles(relationship, role_ids)
    assignment.role_ids = json.dumps(list(dict.fromkeys(role_ids)))
    _touch(assignment, state)
    await session.flush()
    await _event(session, state, relationship, "updated", assignment)


async def delete_assignment(
    session: AsyncSession, state: SandboxState, assignment: GdapAccessAssignment
) -> None:
    if assignment.status not in ("pending", "active"):
        raise bad_request(f"The access assignment is already {assignment.status}.")
    assignment.status = "deleting"
    _touch(assignment, state)
    await session.flush()


async def advance(
    session: AsyncSession, state: SandboxState, relationship: GdapRelationship
) -> None:
    """Take every step that is due for one relationship, raising each step's event."""
    now = state.clock.now()
    for request in await gdap.requests_of(session, relationship.id):
        if request.status == "created":
            request.status = "succeeded"
            _touch(request, state)
    if relationship.status == "approved":
        relationship.status = "active"
        relationship.activated_at = now
        relationship.end_at = now + timedelta(days=relationship.duration_days)
        _touch(relationship, state)
        await _event(session, state, relationship, "activated")
    if relationship.status == "active" and relationship.end_at and relationship.end_at <= now:
        extend = AUTO_EXTEND_DAYS.get(relationship.auto_extend_duration, 0)
        if extend:
            relationship.end_at += timedelta(days=extend)
        else:
            relationship.status = "expired"
            await _event(session, state, relationship, "expired")
        _touch(relationship, state)
    if relationship.status == "terminationRequested":
        relationship.status = "terminated"
        _touch(relationship, state)
        await _event(session, state, relationship, "terminated")
    await _advance_assignments(session, state, relationship)
    await session.flush()


async def _advance_assignments(
    session: AsyncSession, state: SandboxState, relationship: GdapRelationship
) -> None:
    ended = relationship.status in ("terminated", "expired")
    for assignment in await gdap.assignments_of(session, relationship.id, ("pending", "deleting")):
        if assignment.status == "deleting":
            assignment.status = "deleted"
            await _event(session, state, relationship, "deleted", assignment)
        elif relationship.status == "active":
            assignment.status = "active"
            await _event(session, state, relationship, "activated", assignment)
        _touch(assignment, state)
    if ended:
        for assignment in await gdap.assignments_of(session, relationship.id, ("active",)):
            assignment.status = "deleted"
            _touch(assignment, state)


async def advance_all(session: AsyncSession, state: SandboxState) -> int:
    """``advance`` every relationship with a step due; returns how many were looked at."""
    rows = await gdap.in_motion(session, state.clock.now())
    for row in rows:
        await advance(session, state, row)
    return len(rows)
