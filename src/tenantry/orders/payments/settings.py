"""The platform's payment settings: which segments and which organizations skip payment.

Only the platform's admins change them (``platform.configure``); each change is audited. The rule
they feed is ``orders.payment_rules.skips_payment``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.errors import Conflict, FieldError, Forbidden, NotFound
from tenantry.models import Organization, OrganizationKind, PaymentSetting, Segment
from tenantry.organizations import repository as organizations
from tenantry.security import Actor, Permission, require


@dataclass(frozen=True)
class SegmentSetting:
    segment: Segment
    skip_payment: bool


@dataclass(frozen=True)
class OrganizationSetting:
    organization: Organization
    skip_payment: bool


def _require_platform_admin(actor: Actor) -> None:
    require(actor, Permission.PLATFORM_CONFIGURE)
    if not actor.is_platform:
        raise Forbidden("only the platform's admins set who skips payment")


async def overview(
    session: AsyncSession, actor: Actor
) -> tuple[list[SegmentSetting], list[OrganizationSetting]]:
    """Every segment with its setting, and the organizations that have their own."""
    _require_platform_admin(actor)
    segments = await session.scalars(
        select(Segment).where(Segment.platform_id == actor.platform_id).order_by(Segment.name)
    )
    rows = {
        (row.segment_id or row.organization_id): row.skip_payment
        for row in await session.scalars(
            select(PaymentSetting).where(PaymentSetting.platform_id == actor.platform_id)
        )
    }
    own = await session.scalars(
        select(Organization)
        .join(PaymentSetting, PaymentSetting.organization_id == Organization.id)
        .where(PaymentSetting.platform_id == actor.platform_id)
        .order_by(Organization.display_name)
    )
    return (
        [SegmentSetting(s, rows.get(s.id, False)) for s in segments],
        [OrganizationSetting(o, rows[o.id]) for o in own],
    )


async def _store(
    session: AsyncSession, actor: Actor, skip_payment: bool | None, **subject: uuid.UUID
) -> bool | None:
    """Keep the setting of one segment or organization (``skip_payment`` None removes it);
    returns what it was (None: it had none)."""
    [(column, value)] = subject.items()
    found = await session.scalars(
        select(PaymentSetting).where(getattr(PaymentSetting, column) == value)
    )
    row = found.one_or_none()
    before = row.skip_payment if row else None
    if skip_payment is None:
        if row is not None:
            await session.delete(row)
    else:
        if row is None:
            row = PaymentSetting(platform_id=actor.platform_id, skip_payment=skip_payment,
                                 **subject)  # fmt: skip
            session.add(row)
        row.skip_payment = skip_payment
        row.changed_by_id = actor.user_id
    await session.flush()
    return before


async def set_segment(
    session: AsyncSession, actor: Actor, segment_id: uuid.UUID, skip_payment: bool
) -> Segment:
    segment = await session.get(Segment, segment_id)
    # Outside the platform's own staff a segment's settings are not there to find (404, as for
    # anything out of scope); the platform's staff without the permission get 403.
    if segment is None or segment.platform_id != actor.platform_id or not actor.is_platform:
        raise NotFound(f"segment {segment_id} not found")
    _require_platform_admin(actor)
    # A segment without a setting waits for payment: its "before" is False.
    before = bool(await _store(session, actor, skip_payment, segment_id=segment.id))
    if before != skip_payment:
        await record(
            session, actor, action="payment_setting.segment", target_type="segment",
            target_id=segment.id, organization_id=None,
            changes={"before": {"skip_payment": before}, "after": {"skip_payment": skip_payment},
                     "segment": segment.name},
        )  # fmt: skip
    return segment


async def set_organization(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID, skip_payment: bool | None
) -> Organization:
    """``skip_payment`` None removes the organization's own setting: its segments decide."""
    organization = await organizations.get(session, actor, organization_id)  # 404 out of scope
    _require_platform_admin(actor)
    if organization.kind is not OrganizationKind.CUSTOMER:
        raise Conflict(
            f"{organization.display_name} is a {organization.kind.value}: only customers order, "
            "so only a customer skips payment",
            errors=[FieldError("organization_id", "customers_only",
                               "choose a customer; its segments or its own setting decide")],
        )  # fmt: skip
    before = await _store(session, actor, skip_payment, organization_id=organization.id)
    if before != skip_payment:
        await record(
            session, actor, action="payment_setting.organization", target_type="organization",
            target_id=organization.id, organization_id=organization.id,
            changes={"before": {"skip_payment": before}, "after": {"skip_payment": skip_payment}},
        )  # fmt: skip
    return organization
