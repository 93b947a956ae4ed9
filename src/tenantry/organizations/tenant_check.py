"""Is the Microsoft tenant ID typed for an organization one of the platform's customers?

Partner Center answers ``GET /v1/customers/{tenant id}`` only for the partner's own customers
(a customer's id is its tenant id), so one call tells both that the tenant exists and that the
platform serves it. When Partner Center cannot be asked, nothing is saved and the person is told
to try again: an unchecked tenant ID is never stored. Leaving the field empty is always possible;
the tenants flow fills it in later.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import Annotated, Protocol

import httpx
import structlog
from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import Conflict, FieldError
from tenantry.models import Organization
from tenantry.partnercenter import PartnerCenterClient
from tenantry.partnercenter.access import PartnerCenterUnavailable, http_client
from tenantry.partnercenter.config import PartnerCenterConfig, PartnerCenterSettings
from tenantry.partnercenter.errors import NotFound, PartnerCenterError, RelationshipMissing
from tenantry.security import Actor, organization_scope

log = structlog.get_logger("tenantry.organizations")
LOOKUP_TIMEOUT_SECONDS = 5.0


class TenantDirectory(Protocol):
    """Where tenant IDs are checked: Partner Center, or whatever a test puts in its place."""

    async def customer_error(self, tenant_id: uuid.UUID) -> FieldError | None:
        """Why ``tenant_id`` cannot be the organization's tenant, or None when it can.
        Raises :class:`PartnerCenterUnavailable` when the directory cannot be asked."""
        ...


def lookup_config(settings: PartnerCenterSettings) -> PartnerCenterConfig:
    """The client's settings for a lookup a person waits for: few retries, a short timeout."""
    return dataclasses.replace(
        PartnerCenterConfig.from_settings(settings),
        max_attempts=2,
        timeout=LOOKUP_TIMEOUT_SECONDS,
    )


def not_a_customer(tenant_id: uuid.UUID, *, exists: bool) -> FieldError:
    why = "has no reseller relationship with the platform" if exists else "does not exist"
    return FieldError(
        "tenant_id",
        "partner_center_customer",
        f"the tenant {tenant_id} is not a customer of the platform in Partner Center: it {why}; "
        "leave the field empty to link the tenant later",
    )


@dataclasses.dataclass(frozen=True)
class PartnerCenterTenants:
    """The platform's customers in Partner Center, reached with the app's settings and HTTP
    transport (the sandbox's ASGI app in tests)."""

    settings: PartnerCenterSettings
    transport: httpx.AsyncBaseTransport | None = None

    async def customer_error(self, tenant_id: uuid.UUID) -> FieldError | None:
        config = lookup_config(self.settings)
        try:
            async with (
                http_client(self.transport, LOOKUP_TIMEOUT_SECONDS) as http,
                PartnerCenterClient(config, http=http) as client,
            ):
                await client.get_customer(str(tenant_id))
        except NotFound:
            return not_a_customer(tenant_id, exists=False)
        except RelationshipMissing:
            return not_a_customer(tenant_id, exists=True)
        except (httpx.HTTPError, PartnerCenterError) as exc:
            log.warning(
                "organizations.tenant_check_failed", tenant_id=str(tenant_id), error=str(exc)
            )
            raise PartnerCenterUnavailable(
                "Partner Center could not be asked whether the tenant "
                f"{tenant_id} is a customer of the platform, so nothing was saved; try again in a "
                "moment, or leave the Microsoft tenant ID empty to link the tenant later",
                errors=[
                    FieldError(
                        "tenant_id",
                        "partner_center_unavailable",
                        "Partner Center could not be reached to check this tenant ID; try again, "
                        "or leave it empty",
                    )
                ],
            ) from exc
        return None


async def app_tenants(request: Request) -> PartnerCenterTenants:
    """The app's Partner Center (its settings and HTTP transport), as a FastAPI dependency."""
    return PartnerCenterTenants(request.app.state.settings, request.app.state.http_transport)


Tenants = Annotated[TenantDirectory, Depends(app_tenants)]


async def tenant_errors(
    directory: TenantDirectory | None, tenant_id: uuid.UUID | None
) -> list[FieldError]:
    """The problems with a tenant ID being set (none when it is left empty)."""
    if tenant_id is None:
        return []
    if directory is None:
        raise PartnerCenterUnavailable(
            "the Microsoft tenant ID cannot be checked here; leave it empty"
        )
    error = await directory.customer_error(tenant_id)
    return [error] if error else []


class TenantHeldElsewhere(Conflict):
    code = "tenant_held_by_another_organization"
    title = "The tenant belongs to another organization"


async def holder_of(
    session: AsyncSession, platform_id: uuid.UUID, tenant_id: uuid.UUID
) -> Organization | None:
    """The organization of the platform that holds ``tenant_id``, if any."""
    found: Organization | None = await session.scalar(
        select(Organization).where(
            Organization.platform_id == platform_id, Organization.tenant_id == tenant_id
        )
    )
    return found


async def held_elsewhere(
    session: AsyncSession, actor: Actor | None, holder: Organization, tenant_id: uuid.UUID
) -> TenantHeldElsewhere:
    """The refusal, naming the holder only to someone who may see it."""
    visible = actor is None or bool(
        await session.scalar(
            select(Organization.id).where(organization_scope(actor), Organization.id == holder.id)
        )
    )
    if visible:
        detail = (
            f"the Microsoft tenant {tenant_id} is already linked to {holder.display_name}; "
            "a tenant belongs to one organization"
        )
    else:
        detail = (
            f"the Microsoft tenant {tenant_id} is already linked to another organization of "
            "the platform; ask the platform's staff if it should move"
        )
    return TenantHeldElsewhere(detail, reason="tenant_held_by_another_organization")


async def refuse_if_held(
    session: AsyncSession, actor: Actor | None, organization: Organization | None,
    platform_id: uuid.UUID, tenant_id: uuid.UUID | None,
) -> None:  # fmt: skip
    """Raise :class:`TenantHeldElsewhere` (409) when another organization of the platform holds
    ``tenant_id``: a tenant belongs to one organization, whatever a duplicate confirmation says."""
    if tenant_id is None:
        return
    holder = await holder_of(session, platform_id, tenant_id)
    if holder is not None and (organization is None or holder.id != organization.id):
        raise await held_elsewhere(session, actor, holder, tenant_id)
