"""The daily GDAP job: expiry reminders 30 and 7 days ahead, and the state by date when no
webhook came.

Only relationships without auto-extend get reminders (an auto-extending one goes on by itself).
Each reminder goes once (``reminders_sent``), to the organization that asked and to the
customer's primary contact; a run that was missed for a while sends the nearest one only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry import jobs
from tenantry.audit.service import diff, record
from tenantry.models import GdapRelationship, GdapStatus, Organization, utcnow
from tenantry.notifications import send_email

REMINDER_DAYS = (30, 7)
LIVE = (GdapStatus.ACTIVE, GdapStatus.EXPIRING)


async def follow_expiry(session: AsyncSession, *, clock: Callable[[], datetime] = utcnow) -> int:
    """Remind and mark what is due at ``clock()``; returns how many relationships changed."""
    now = clock()
    rows = (
        await session.scalars(
            select(GdapRelationship)
            .where(
                GdapRelationship.status.in_(LIVE),
                GdapRelationship.end_at.is_not(None),
                GdapRelationship.end_at <= now + timedelta(days=max(REMINDER_DAYS)),
            )
            .order_by(GdapRelationship.end_at)
            .with_for_update(skip_locked=True)
        )
    ).all()
    changed = 0
    for row in rows:
        assert row.end_at is not None
        if row.auto_extend:
            continue  # Microsoft extends it; its webhook or a Refresh brings the new end date
        status = GdapStatus.EXPIRED if row.end_at <= now else GdapStatus.EXPIRING
        due = [d for d in REMINDER_DAYS if row.end_at - now <= timedelta(days=d)]
        unsent = [d for d in due if d not in row.reminders_sent]
        if status is GdapStatus.EXPIRING and unsent:
            await _remind(session, row, min(unsent), now)
            row.reminders_sent = sorted({*row.reminders_sent, *unsent}, reverse=True)
        elif status is row.status:
            continue
        if status is not row.status:
            before = row.status
            row.status = status
            await record(
                session, None, action="gdap.status_by_date", target_type="gdap_relationship",
                target_id=row.id, organization_id=row.organization_id,
                platform_id=row.platform_id, changes=diff({"status": before}, {"status": status}),
            )  # fmt: skip
        changed += 1
    await session.flush()
    return changed


async def _remind(session: AsyncSession, row: GdapRelationship, days: int, now: datetime) -> None:
    customer = await session.get_one(Organization, row.organization_id)
    requester = await session.get_one(Organization, row.requested_by_organization_id)
    assert row.end_at is not None
    await send_email(
        session,
        to=[requester.contact_email, customer.contact_email],
        template="gdap_expiring",
        context={
            "customer": customer.display_name,
            "requester": requester.display_name,
            "display_name": row.display_name,
            "roles": [str(r["name"]) for r in row.roles],
            "end_date": row.end_at.date().isoformat(),
            "days_left": max((row.end_at - now).days, 0),
            "reminder_days": days,
        },
        idempotency_key=f"gdap_expiring:{row.id}:{days}",
    )


@jobs.periodic("tenants.gdap_expiry", jobs.crontab(minute="15", hour="6"))
async def daily_expiry(session: AsyncSession) -> None:
    await follow_expiry(session)
