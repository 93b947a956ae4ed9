"""GDAP relationships at Microsoft (Graph), behind one small port.

Requests use :class:`PartnerCenterGdap` with the app's Partner Center access (a person waits);
event handlers and jobs use it with ``access.current()``; tests that must not reach a sandbox
put a fake in its place (``gdap_graph`` is a FastAPI dependency). Every failure to ask Microsoft
becomes :class:`PartnerCenterUnavailable` (503): the caller writes nothing and says try again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Protocol

import httpx
import structlog
from fastapi import Depends, Request

from tenantry.errors import Conflict, FieldError
from tenantry.partnercenter import PartnerCenterClient
from tenantry.partnercenter import errors as pc
from tenantry.partnercenter.access import PartnerCenterAccess, PartnerCenterUnavailable
from tenantry.partnercenter.links import gdap_approval_url
from tenantry.partnercenter.models.gdap import (
    AccessDetails,
    DelegatedAdminRelationship,
    GdapCustomer,
    GdapRequestAction,
    UnifiedRole,
)

log = structlog.get_logger("tenantry.tenants.gdap")


@dataclass(frozen=True)
class NewRelationship:
    display_name: str
    tenant_id: str
    customer_name: str
    role_ids: tuple[str, ...]
    duration_days: int
    auto_extend_days: int


@dataclass(frozen=True)
class RelationshipState:
    """What Graph says of a relationship now."""

    relationship_id: str
    status: str
    approval_url: str
    activated_at: datetime | None = None
    end_at: datetime | None = None
    auto_extend: bool = False


class GdapRefused(Conflict):
    code = "gdap_refused_by_microsoft"
    title = "Microsoft refused the GDAP relationship"


class GdapGraph(Protocol):
    async def create_for_approval(self, new: NewRelationship) -> RelationshipState:
        """Create the relationship (or find the one a lost attempt created under the same
        display name) and lock it for the customer's approval."""
        ...

    async def read(self, relationship_id: str) -> RelationshipState: ...


def _state(relationship: DelegatedAdminRelationship, admin_center_url: str) -> RelationshipState:
    assert relationship.id is not None
    extend = relationship.auto_extend_duration or "PT0S"
    return RelationshipState(
        relationship_id=relationship.id,
        status=relationship.status or "created",
        approval_url=gdap_approval_url(relationship.id, admin_center_url=admin_center_url),
        activated_at=_utc(relationship.activated_date_time),
        end_at=_utc(relationship.end_date_time),
        auto_extend=extend not in ("PT0S", "P0D"),
    )


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class PartnerCenterGdap:
    access: PartnerCenterAccess
    lookup: bool = True

    async def create_for_approval(self, new: NewRelationship) -> RelationshipState:
        body = DelegatedAdminRelationship(
            display_name=new.display_name,
            duration=f"P{new.duration_days}D",
            customer=GdapCustomer(tenant_id=new.tenant_id, display_name=new.customer_name),
            access_details=AccessDetails(
                unified_roles=[UnifiedRole(role_definition_id=r) for r in new.role_ids]
            ),
            auto_extend_duration=f"P{new.auto_extend_days}D" if new.auto_extend_days else "PT0S",
        )
        try:
            async with self.access.client(lookup=self.lookup) as client:
                try:
                    created = await client.create_gdap_relationship(body)
                except pc.Conflict:
                    # A retry after a lost answer: the name is ours and deterministic.
                    created = await self._named(client, new.display_name)
                assert created.id is not None
                if created.status in (None, "created"):
                    await client.request_gdap_relationship_action(
                        created.id, GdapRequestAction.LOCK_FOR_APPROVAL
                    )
                current = await client.get_gdap_relationship(created.id)
                return _state(current, client.config.admin_center_url)
        except pc.BadRequest as exc:
            raise GdapRefused(
                f"Microsoft refused the relationship: {exc.description or exc}",
                errors=[FieldError("template", "refused_by_microsoft", str(exc))],
            ) from exc
        except (httpx.HTTPError, pc.PartnerCenterError) as exc:
            raise _unavailable("ask the customer's tenant for GDAP", exc) from exc

    async def read(self, relationship_id: str) -> RelationshipState:
        try:
            async with self.access.client(lookup=self.lookup) as client:
                current = await client.get_gdap_relationship(relationship_id)
                return _state(current, client.config.admin_center_url)
        except (httpx.HTTPError, pc.PartnerCenterError) as exc:
            raise _unavailable("read the GDAP relationship", exc) from exc

    @staticmethod
    async def _named(client: PartnerCenterClient, display_name: str) -> DelegatedAdminRelationship:
        quoted = display_name.replace("'", "''")
        async for found in client.iter_gdap_relationships(
            odata_filter=f"displayName eq '{quoted}'"
        ):
            return found
        raise pc.Conflict(f"a relationship named {display_name} exists", status=409)


def _unavailable(what: str, exc: Exception) -> PartnerCenterUnavailable:
    log.warning("tenants.gdap_graph_failed", what=what, error=str(exc))
    return PartnerCenterUnavailable(
        f"Microsoft could not be reached to {what}, so nothing was saved; try again in a moment"
    )


async def gdap_graph(request: Request) -> GdapGraph:
    """The app's way to GDAP at Microsoft, as a FastAPI dependency (tests may replace it)."""
    return PartnerCenterGdap(request.app.state.partner_center)


Graph = Annotated[GdapGraph, Depends(gdap_graph)]
