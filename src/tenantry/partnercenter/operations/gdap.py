"""GDAP relationships and access assignments on Microsoft Graph (app+user token only)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from tenantry.partnercenter.core import APP_USER, ClientCore
from tenantry.partnercenter.models.gdap import (
    DelegatedAdminAccessAssignment,
    DelegatedAdminRelationship,
    DelegatedAdminRelationshipRequest,
    GdapRequestAction,
)


class GdapOperations(ClientCore):
    async def create_gdap_relationship(
        self, relationship: DelegatedAdminRelationship
    ) -> DelegatedAdminRelationship:
        """Create a relationship in status ``created``; lock it for approval next."""
        return await self._call(
            DelegatedAdminRelationship,
            "create_gdap_relationship",
            "POST",
            self._gdap_url(),
            body=relationship,
            auth=APP_USER,
            graph=True,
        )

    async def get_gdap_relationship(self, relationship_id: str) -> DelegatedAdminRelationship:
        return await self._call(
            DelegatedAdminRelationship,
            "get_gdap_relationship",
            "GET",
            self._gdap_url(relationship_id),
            auth=APP_USER,
            graph=True,
        )

    def iter_gdap_relationships(
        self, *, odata_filter: str | None = None
    ) -> AsyncIterator[DelegatedAdminRelationship]:
        """Our relationships, optionally filtered (``$filter``, e.g. ``status eq 'active'``)."""
        return self._iter_graph(
            DelegatedAdminRelationship,
            "list_gdap_relationships",
            self._gdap_url(),
            params={"$filter": odata_filter} if odata_filter else None,
        )

    async def request_gdap_relationship_action(
        self, relationship_id: str, action: GdapRequestAction | str
    ) -> DelegatedAdminRelationshipRequest:
        """``lockForApproval`` (then the customer approves it) or ``terminate``."""
        return await self._call(
            DelegatedAdminRelationshipRequest,
            "request_gdap_relationship_action",
            "POST",
            self._gdap_url(relationship_id, "requests"),
            body=DelegatedAdminRelationshipRequest(action=str(action)),
            auth=APP_USER,
            graph=True,
        )

    async def create_gdap_access_assignment(
        self, relationship_id: str, assignment: DelegatedAdminAccessAssignment
    ) -> DelegatedAdminAccessAssignment:
        """Grant roles to one of our security groups once the relationship is ``active``."""
        return await self._call(
            DelegatedAdminAccessAssignment,
            "create_gdap_access_assignment",
            "POST",
            self._gdap_url(relationship_id, "accessAssignments"),
            body=assignment,
            auth=APP_USER,
            graph=True,
        )

    async def get_gdap_access_assignment(
        self, relationship_id: str, assignment_id: str
    ) -> DelegatedAdminAccessAssignment:
        return await self._call(
            DelegatedAdminAccessAssignment,
            "get_gdap_access_assignment",
            "GET",
            self._gdap_url(relationship_id, "accessAssignments", assignment_id),
            auth=APP_USER,
            graph=True,
        )

    def iter_gdap_access_assignments(
        self, relationship_id: str
    ) -> AsyncIterator[DelegatedAdminAccessAssignment]:
        return self._iter_graph(
            DelegatedAdminAccessAssignment,
            "list_gdap_access_assignments",
            self._gdap_url(relationship_id, "accessAssignments"),
        )
