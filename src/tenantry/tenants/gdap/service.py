"""Asking a linked customer's tenant for GDAP, and following the relationship's state.

A request creates the relationship at Microsoft, locks it for approval and keeps a row with the
approval link, which goes to the customer's primary contact. The display name is derived from
the request (who asks, for whom, what, the day or the Idempotency-Key), so a retried request finds
the relationship a lost attempt created instead of creating a second one at Microsoft. State then
follows Partner Center's webhooks (``events.py``), the Refresh action and the daily expiry job.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import diff, record
from tenantry.errors import Conflict, FieldError, NotFound
from tenantry.models import GdapRelationship, GdapStatus, Organization, OrganizationKind, utcnow
from tenantry.notifications import send_email
from tenantry.organizations import repository as organizations
from tenantry.security import Actor, Permission, organization_scope, require
from tenantry.tenants.gdap.graph import GdapGraph, NewRelationship, RelationshipState
from tenantry.tenants.gdap.schemas import GdapRelationshipCreate
from tenantry.tenants.gdap.templates import AUTO_EXTEND_DAYS, checked

NAME_LIMIT = 50  # Graph's limit on a relationship's display name
ENDED = (GdapStatus.EXPIRED, GdapStatus.TERMINATED)


class TenantNotLinked(Conflict):
    code = "tenant_not_linked"
    title = "The organization has no Microsoft tenant yet"


def display_name(
    requester: Organization, organization: Organization, data: GdapRelationshipCreate,
    discriminator: str,
) -> str:  # fmt: skip
    """Who asks and for what, readable by the customer, with a digest that makes it unique."""
    template = checked(data.template, data.duration_days, data.auto_extend)
    raw = "|".join(
        (str(requester.id), str(organization.id), data.template, str(data.duration_days),
         str(data.auto_extend), discriminator)
    )  # fmt: skip
    digest = hashlib.sha256(raw.encode()).hexdigest()[:8]
    prefix = " ".join(requester.display_name.split())[: NAME_LIMIT - len(template.short) - 12]
    return f"{prefix.strip()} - {template.short} {digest}"


def scoped(actor: Actor) -> Select[GdapRelationship]:
    """Relationships of the customers the actor may see."""
    return (
        select(GdapRelationship)
        .join(Organization, Organization.id == GdapRelationship.organization_id)
        .where(organization_scope(actor))
    )


async def requestable(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID
) -> Organization:
    """The customer organization the actor may ask GDAP for (404 outside its scope)."""
    require(actor, Permission.GDAP_MANAGE)
    organization = await organizations.get(session, actor, organization_id)
    if organization.kind is not OrganizationKind.CUSTOMER:
        raise Conflict(
            f"{organization.display_name} is a {organization.kind.value}; GDAP is asked of a "
            "customer organization's tenant",
            errors=[
                FieldError("organization_id", "customer_only", "choose a customer organization")
            ],
        )
    return organization


async def request(
    session: AsyncSession, actor: Actor, graph: GdapGraph, organization_id: uuid.UUID,
    data: GdapRelationshipCreate, *, key: str | None = None,
) -> GdapRelationship:  # fmt: skip
    """Ask the customer's tenant for the template's roles; the same request again (same day, or
    same Idempotency-Key) answers the relationship the first one created."""
    organization = await requestable(session, actor, organization_id)
    template = checked(data.template, data.duration_days, data.auto_extend)
    if organization.tenant_id is None:
        raise TenantNotLinked(
            f"{organization.display_name} has no Microsoft tenant linked yet; link the tenant "
            "first (Service Details at checkout, or the tenant ID on the organization), then ask "
            "for GDAP",
            errors=[FieldError("organization_id", "tenant_linked", "link the tenant first")],
        )
    requester = await session.get_one(Organization, actor.organization_id)
    name = display_name(requester, organization, data, key or utcnow().date().isoformat())
    existing = await session.scalar(
        select(GdapRelationship).where(
            GdapRelationship.platform_id == organization.platform_id,
            GdapRelationship.display_name == name,
        )
    )
    if existing is not None:
        return existing
    state = await graph.create_for_approval(
        NewRelationship(
            display_name=name, tenant_id=str(organization.tenant_id),
            customer_name=organization.legal_name, role_ids=tuple(r.id for r in template.roles),
            duration_days=data.duration_days,
            auto_extend_days=AUTO_EXTEND_DAYS if data.auto_extend else 0,
        )
    )  # fmt: skip
    row = GdapRelationship(
        platform_id=organization.platform_id, organization_id=organization.id,
        requested_by_organization_id=requester.id, requested_by_id=actor.user_id,
        tenant_id=organization.tenant_id, relationship_id=state.relationship_id,
        display_name=name, template=template.key,
        roles=[{"id": r.id, "name": r.name} for r in template.roles],
        duration_days=data.duration_days, auto_extend=data.auto_extend,
        status=_status(state.status), approval_url=state.approval_url, reminders_sent=[],
    )  # fmt: skip
    session.add(row)
    await session.flush()
    await send_email(
        session,
        to=organization.contact_email,
        template="gdap_approval",
        context={
            "customer": organization.display_name,
            "contact_name": organization.contact_name,
            "requester": requester.display_name,
            "requested_by": actor.label,
            "template": template.name,
            "roles": [r.name for r in template.roles],
            "duration_days": data.duration_days,
            "auto_extend": data.auto_extend,
            "approval_url": state.approval_url,
        },
        idempotency_key=f"gdap_approval:{row.id}",
    )
    await record(
        session, actor, action="gdap.requested", target_type="gdap_relationship",
        target_id=row.id, organization_id=organization.id, platform_id=organization.platform_id,
        changes=diff({}, {
            "relationship_id": row.relationship_id, "display_name": name,
            "template": template.key, "duration_days": data.duration_days,
            "auto_extend": data.auto_extend, "status": row.status,
        }),
    )  # fmt: skip
    return row


def _status(value: str) -> GdapStatus:
    try:
        return GdapStatus(value)
    except ValueError:
        return GdapStatus.UNKNOWN


async def get(session: AsyncSession, actor: Actor, relationship_id: uuid.UUID) -> GdapRelationship:
    require(actor, Permission.ORGANIZATION_READ)
    row = await session.scalar(scoped(actor).where(GdapRelationship.id == relationship_id))
    if row is None:
        raise NotFound(f"GDAP relationship {relationship_id} not found")
    return row


async def of_organization(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID
) -> Sequence[GdapRelationship]:
    require(actor, Permission.ORGANIZATION_READ)
    organization = await organizations.get(session, actor, organization_id)
    rows = await session.scalars(
        scoped(actor)
        .where(GdapRelationship.organization_id == organization.id)
        .order_by(GdapRelationship.created_at.desc(), GdapRelationship.id)
    )
    return rows.all()


async def expiring(
    session: AsyncSession, actor: Actor, *, within_days: int, now: datetime | None = None
) -> Sequence[GdapRelationship]:
    """Active relationships that end within ``within_days`` and will not extend, soonest first."""
    require(actor, Permission.GDAP_MANAGE)
    now = now or utcnow()
    rows = await session.scalars(
        scoped(actor)
        .where(
            GdapRelationship.status.in_((GdapStatus.ACTIVE, GdapStatus.EXPIRING)),
            GdapRelationship.auto_extend.is_(False),
            GdapRelationship.end_at.is_not(None),
            GdapRelationship.end_at <= now + timedelta(days=within_days),
        )
        .order_by(GdapRelationship.end_at, GdapRelationship.id)
    )
    return rows.all()


async def apply_state(
    session: AsyncSession, actor: Actor | None, row: GdapRelationship, state: RelationshipState,
    *, source: str,
) -> bool:  # fmt: skip
    """Take what Microsoft says of the relationship; audited when something changed."""
    before = {"status": row.status, "activated_at": row.activated_at, "end_at": row.end_at,
              "auto_extend": row.auto_extend}  # fmt: skip
    row.status = _status(state.status)
    row.activated_at = state.activated_at or row.activated_at
    row.end_at = state.end_at or row.end_at
    row.auto_extend = state.auto_extend
    row.last_error = None
    after = {"status": row.status, "activated_at": row.activated_at, "end_at": row.end_at,
             "auto_extend": row.auto_extend}  # fmt: skip
    if before == after:
        return False
    await session.flush()
    await record(
        session, actor, action=f"gdap.{source}", target_type="gdap_relationship",
        target_id=row.id, organization_id=row.organization_id, platform_id=row.platform_id,
        changes=diff(before, after),
    )  # fmt: skip
    return True


async def refresh(
    session: AsyncSession, actor: Actor, graph: GdapGraph, relationship_id: uuid.UUID
) -> GdapRelationship:
    """Read the relationship's state from Microsoft now, rather than wait for a webhook."""
    require(actor, Permission.GDAP_MANAGE)
    row = await get(session, actor, relationship_id)
    if row.relationship_id is None:
        raise Conflict("this relationship was never created at Microsoft; request it again")
    await apply_state(
        session, actor, row, await graph.read(row.relationship_id), source="refreshed"
    )
    return row
