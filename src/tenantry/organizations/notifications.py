"""Telling an organization's admins that their seller approved or rejected it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.models import Membership, Organization, Role, User
from tenantry.notifications import send_email

ADMIN_ROLES = (Role.CUSTOMER_ADMIN, Role.RESELLER_ADMIN)


async def _admins(session: AsyncSession, organization: Organization) -> list[User]:
    rows = await session.execute(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.organization_id == organization.id,
            Membership.role.in_(ADMIN_ROLES),
            User.is_active.is_(True),
        )
        .order_by(User.email)
    )
    return list(rows.scalars())


async def status_decided(
    session: AsyncSession, organization: Organization, *, approved: bool, reason: str | None
) -> None:
    """Email each admin (or, with none yet, the primary contact) the seller's decision."""
    seller = await session.get(Organization, organization.parent_id)
    if seller is None:
        return
    people = [(u.full_name, u.email) for u in await _admins(session, organization)]
    template = "organization_approved" if approved else "organization_rejected"
    for full_name, email in people or [(organization.contact_name, organization.contact_email)]:
        await send_email(
            session,
            to=email,
            template=template,
            context={
                "full_name": full_name,
                "organization_name": organization.display_name,
                "seller_name": seller.display_name,
                "seller_email": seller.contact_email,
                "reason": reason or "",
            },
            # One email per decision: a later approval after a rejection is a new one.
            idempotency_key=f"{template}:{organization.id}:{organization.version}:{email}",
        )
