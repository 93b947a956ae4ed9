"""Assigning a customer's licenses bought through the platform to its users, and removing them.

Only licenses of ours are changed here: a SKU whose units all come from another provider is
shown, never assigned or removed (that provider, or the customer, manages it). The change goes
to Partner Center (``licenseupdates``) and, once accepted, into the imported directory, in the
request's transaction, with an audit event naming the user and the licenses.

Idempotent: a license the user already holds is not assigned again, one it does not hold is not
removed; a change with nothing left to do answers the user as it is, without calling Microsoft.
Microsoft's refusals (no license left, no usage location...) are said in plain words naming the
user (``refusals``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.directory import queries
from tenantry.directory.refusals import is_not_held_refusal, license_change_refused
from tenantry.errors import Conflict, FieldError, ValidationFailed
from tenantry.models import (
    DirectoryAssignment,
    DirectoryLicense,
    DirectoryUser,
    LicenseSource,
    Organization,
    utcnow,
)
from tenantry.partnercenter import PartnerCenterClient
from tenantry.partnercenter.errors import PartnerCenterError
from tenantry.partnercenter.models.users import LicenseAssignment, LicenseUpdate
from tenantry.security import Actor, Permission, require


class TenantNotLinked(Conflict):
    code = "tenant_not_linked"
    title = "The organization has no Microsoft tenant yet"


@dataclass(frozen=True)
class LicenseChange:
    user: DirectoryUser
    organization: Organization
    assigned: list[DirectoryLicense]
    removed: list[DirectoryLicense]


def _ours(
    licenses: dict[str, DirectoryLicense], wanted: Sequence[str], field: str
) -> list[DirectoryLicense]:
    """The licenses named, each one of ours in this tenant; 422 naming the entry otherwise."""
    found: list[DirectoryLicense] = []
    errors: list[FieldError] = []
    for index, sku_id in enumerate(wanted):
        row = licenses.get(sku_id.strip().lower())
        if row is None:
            errors.append(FieldError(f"{field}[{index}]", "unknown_license",
                                     "the customer's tenant holds no such license"))  # fmt: skip
        elif row.source is LicenseSource.OTHER_PROVIDER:
            errors.append(FieldError(
                f"{field}[{index}]", "other_provider",
                f"{row.name} was bought from another provider; only licenses bought through "
                "this platform are assigned here",
            ))  # fmt: skip
        elif row not in found:
            found.append(row)
    if errors:
        raise ValidationFailed(errors)
    return found


async def plan(
    session: AsyncSession, actor: Actor, directory_user_id: uuid.UUID, assign: Sequence[str],
    remove: Sequence[str],
) -> LicenseChange:  # fmt: skip
    """What changing the user's licenses would do (checked, nothing sent or written yet)."""
    user = await queries.user(session, actor, directory_user_id)
    require(actor, Permission.LICENSES_ASSIGN)
    organization = await session.get_one(Organization, user.organization_id)
    if organization.tenant_id is None:
        raise TenantNotLinked(f"{organization.display_name} holds no Microsoft tenant any more.")
    licenses = {row.sku_id: row for row in await queries.licenses_of(session, organization.id)}
    to_assign, to_remove = _ours(licenses, assign, "assign"), _ours(licenses, remove, "remove")
    both = {row.sku_id for row in to_assign} & {row.sku_id for row in to_remove}
    if both:
        raise ValidationFailed([FieldError("remove", "assign_and_remove",
                                           "a license is assigned or removed, not both")])  # fmt: skip
    held = set((await queries.held_by(session, [user.id]))[user.id])
    return LicenseChange(
        user=user, organization=organization,
        assigned=[row for row in to_assign if row.sku_id not in held],
        removed=[row for row in to_remove if row.sku_id in held],
    )  # fmt: skip


async def change_licenses(
    session: AsyncSession, actor: Actor, client: PartnerCenterClient, directory_user_id: uuid.UUID,
    *, assign: Sequence[str] = (), remove: Sequence[str] = (),
) -> LicenseChange:  # fmt: skip
    """Assign and remove licenses of ours for one user, in Microsoft and here; audited."""
    change = await plan(session, actor, directory_user_id, assign, remove)
    user, organization = change.user, change.organization
    if not change.assigned and not change.removed:
        return change
    update = LicenseUpdate(
        licenses_to_assign=[LicenseAssignment(sku_id=row.sku_id) for row in change.assigned]
        or None,
        licenses_to_remove=[row.sku_id for row in change.removed] or None,
    )
    try:
        await client.update_user_licenses(str(organization.tenant_id), user.user_id, update)
    except PartnerCenterError as exc:
        if not (is_not_held_refusal(exc) and not change.assigned):
            names = [row.name for row in (*change.assigned, *change.removed)]
            raise license_change_refused(exc, user.display_name, names) from exc
        # Removed in Microsoft already (the import had not seen it): nothing left to do there.
    await _write(session, user, change)
    await record(
        session, actor, action="directory.licenses_changed", target_type="directory_user",
        target_id=user.id, organization_id=organization.id, platform_id=organization.platform_id,
        changes={
            "before": {"user": user.user_principal_name},
            "after": {"user": user.user_principal_name,
                      "assigned": [row.name for row in change.assigned],
                      "removed": [row.name for row in change.removed]},
        },
    )  # fmt: skip
    return change


async def _write(session: AsyncSession, user: DirectoryUser, change: LicenseChange) -> None:
    now = utcnow()
    for row in change.assigned:
        session.add(DirectoryAssignment(directory_user_id=user.id, sku_id=row.sku_id,
                                        organization_id=user.organization_id, assigned_at=now))  # fmt: skip
        row.consumed_units += 1
    if change.removed:
        await session.execute(
            delete(DirectoryAssignment).where(
                DirectoryAssignment.directory_user_id == user.id,
                DirectoryAssignment.sku_id.in_([row.sku_id for row in change.removed]),
            )
        )
        for row in change.removed:
            row.consumed_units = max(row.consumed_units - 1, 0)
    await session.flush()


async def assignable(session: AsyncSession, organization_id: uuid.UUID) -> list[DirectoryLicense]:
    """Licenses of ours in the organization's tenant (what the assign form offers)."""
    return list(
        await session.scalars(
            select(DirectoryLicense)
            .where(
                DirectoryLicense.organization_id == organization_id,
                DirectoryLicense.source.in_((LicenseSource.OURS, LicenseSource.BOTH)),
            )
            .order_by(DirectoryLicense.name)
        )
    )
