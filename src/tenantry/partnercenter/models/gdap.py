"""Granular delegated admin privileges (GDAP) on Microsoft Graph ``tenantRelationships``."""

from __future__ import annotations

from typing import Generic

from pydantic import Field

from tenantry.partnercenter.models.base import ItemT, PartnerCenterModel, Timestamp, WireEnum


class GdapRelationshipStatus(WireEnum):
    ACTIVATING = "activating"
    ACTIVE = "active"
    APPROVAL_PENDING = "approvalPending"
    APPROVED = "approved"
    CREATED = "created"
    EXPIRED = "expired"
    EXPIRING = "expiring"
    TERMINATED = "terminated"
    TERMINATING = "terminating"
    TERMINATION_REQUESTED = "terminationRequested"


class GdapRequestAction(WireEnum):
    LOCK_FOR_APPROVAL = "lockForApproval"
    TERMINATE = "terminate"


class GraphModel(PartnerCenterModel):
    """Graph resources carry OData annotations; ``@odata.etag`` guards updates."""

    odata_type: str | None = Field(default=None, alias="@odata.type")
    odata_context: str | None = Field(default=None, alias="@odata.context")
    odata_etag: str | None = Field(default=None, alias="@odata.etag")


class UnifiedRole(PartnerCenterModel):
    role_definition_id: str


class AccessDetails(PartnerCenterModel):
    unified_roles: list[UnifiedRole] = Field(default_factory=list)


class GdapCustomer(PartnerCenterModel):
    tenant_id: str | None = None
    display_name: str | None = None


class DelegatedAdminRelationship(GraphModel):
    """A GDAP relationship; ``id`` is ``{guid}-{guid}``. Duration is ISO 8601 (``P730D``)."""

    id: str | None = None
    display_name: str
    duration: str
    customer: GdapCustomer | None = None
    access_details: AccessDetails
    status: str | None = None
    auto_extend_duration: str | None = None
    created_date_time: Timestamp = None
    last_modified_date_time: Timestamp = None
    activated_date_time: Timestamp = None
    end_date_time: Timestamp = None


class DelegatedAdminRelationshipRequest(GraphModel):
    """An action on a relationship: ``lockForApproval`` or ``terminate``."""

    id: str | None = None
    action: str
    status: str | None = None
    created_date_time: Timestamp = None
    last_modified_date_time: Timestamp = None


class AccessContainer(PartnerCenterModel):
    access_container_id: str
    access_container_type: str = "securityGroup"


class DelegatedAdminAccessAssignment(GraphModel):
    """Roles granted to one of our security groups inside an active relationship."""

    id: str | None = None
    status: str | None = None
    access_container: AccessContainer
    access_details: AccessDetails
    created_date_time: Timestamp = None
    last_modified_date_time: Timestamp = None


class GraphCollection(PartnerCenterModel, Generic[ItemT]):
    """A Graph collection page: ``value`` plus ``@odata.nextLink`` when more pages exist."""

    value: list[ItemT] = Field(default_factory=list)
    next_link: str | None = Field(default=None, alias="@odata.nextLink")
