"""Microsoft Graph bodies for GDAP: what callers post, and the resources as Graph returns them.

Output follows the documented samples key for key (``@odata.type``, ``@odata.context``,
``@odata.etag`` first, then the properties). Timestamps carry seven fractional digits and ``Z``;
a timestamp not reached yet (``activatedDateTime`` before activation) is ``null``, as Graph
answers, where one documentation sample shows an empty string.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import Field

from tenantry_sandbox.binding import RequestModel
from tenantry_sandbox.services.gdap import etag
from tenantry_sandbox.store.gdap import GdapAccessAssignment, GdapRelationship, GdapRequest


class RoleIn(RequestModel):
    role_definition_id: uuid.UUID


class AccessDetailsIn(RequestModel):
    unified_roles: list[RoleIn] = Field(min_length=1)

    def role_ids(self) -> list[str]:
        return [str(role.role_definition_id) for role in self.unified_roles]


class CustomerIn(RequestModel):
    tenant_id: uuid.UUID | None = None
    display_name: str | None = Field(default=None, max_length=256)


class RelationshipCreate(RequestModel):
    display_name: str = Field(min_length=1, max_length=50)
    duration: str = Field(min_length=3, max_length=16)
    customer: CustomerIn | None = None
    access_details: AccessDetailsIn
    auto_extend_duration: str = "PT0S"


class RequestCreate(RequestModel):
    action: str


class AccessContainerIn(RequestModel):
    access_container_id: uuid.UUID
    access_container_type: str = Field(default="securityGroup", pattern="^securityGroup$")


class AssignmentCreate(RequestModel):
    access_container: AccessContainerIn
    access_details: AccessDetailsIn


class AssignmentUpdate(RequestModel):
    access_details: AccessDetailsIn


def graph_time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond:06d}0Z"


def _roles(role_ids: list[str]) -> dict[str, Any]:
    return {"unifiedRoles": [{"roleDefinitionId": role} for role in role_ids]}


def _context(root: str, entity: str) -> str:
    return f"{root}/tenantRelationships/$metadata#{entity}"


def relationship_body(
    row: GdapRelationship, root: str, *, in_collection: bool = False
) -> dict[str, Any]:
    customer = (
        {
            "tenantId": str(row.customer_tenant_id) if row.customer_tenant_id else None,
            "displayName": row.customer_display_name,
        }
        if row.customer_tenant_id or row.customer_display_name
        else None
    )
    body: dict[str, Any] = {"@odata.type": "#microsoft.graph.delegatedAdminRelationship"}
    if not in_collection:
        body["@odata.context"] = _context(root, "delegatedAdminRelationships")
    body.update(
        {
            "@odata.etag": etag(row.id, row.version),
            "id": row.id,
            "displayName": row.display_name,
            "duration": row.duration,
            "customer": customer,
            "accessDetails": _roles(row.roles),
            "status": row.status,
            "autoExtendDuration": row.auto_extend_duration,
            "createdDateTime": graph_time(row.created_at),
            "lastModifiedDateTime": graph_time(row.updated_at),
            "activatedDateTime": graph_time(row.activated_at),
            "endDateTime": graph_time(row.end_at),
        }
    )
    return body


def request_body(row: GdapRequest, root: str, *, in_collection: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"@odata.type": "#microsoft.graph.delegatedAdminRelationshipRequest"}
    if not in_collection:
        body["@odata.context"] = _context(root, "requests")
    body.update(
        {
            "id": str(row.id),
            "action": row.action,
            "status": row.status,
            "createdDateTime": graph_time(row.created_at),
            "lastModifiedDateTime": graph_time(row.updated_at),
        }
    )
    return body


def assignment_body(
    row: GdapAccessAssignment, root: str, *, in_collection: bool = False
) -> dict[str, Any]:
    body: dict[str, Any] = {"@odata.type": "#microsoft.graph.delegatedAdminAccessAssignment"}
    if not in_collection:
        body["@odata.context"] = _context(root, "accessAssignments")
    body.update(
        {
            "@odata.etag": etag(row.id, row.version),
            "id": str(row.id),
            "status": row.status,
            "createdDateTime": graph_time(row.created_at),
            "lastModifiedDateTime": graph_time(row.updated_at),
            "accessContainer": {
                "accessContainerId": str(row.security_group_id),
                "accessContainerType": "securityGroup",
            },
            "accessDetails": _roles(row.roles),
        }
    )
    return body


def collection_body(
    root: str, entity: str, items: list[dict[str, Any]], next_link: str | None
) -> dict[str, Any]:
    body: dict[str, Any] = {"@odata.context": _context(root, entity)}
    if next_link:
        body["@odata.nextLink"] = next_link
    body["value"] = items
    return body
