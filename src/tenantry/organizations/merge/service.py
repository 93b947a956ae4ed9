"""Merging two organizations into one, in the request's one transaction.

The kept organization takes, field by field, the values chosen in the wizard, and every row that
pointed at the merged one (people, carts, orders, tenants, subscriptions, children, proposals,
whatever table comes later: see :mod:`rows`). The merged organization is deleted; its id keeps
leading to the kept one (``organization_redirects``, with a snapshot of its fields), and the
merge is audited on the kept organization with the choices, the snapshot and the rows moved.

Refused: merging an organization into itself, organizations of different kinds (a reseller into
a customer), the platform's own record, two organizations holding different tenants, and
anything the caller may not see (404, as for any organization outside their scope; another
platform's organizations are never in it).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from tenantry.audit.service import record
from tenantry.errors import Conflict, FieldError, PreconditionFailed
from tenantry.models import (
    Organization,
    OrganizationKind,
    OrganizationRedirect,
    SyncChange,
    utcnow,
)
from tenantry.organizations import repository
from tenantry.organizations.merge.rows import MergeContext, move_rows
from tenantry.organizations.merge.schemas import MergeField, Side
from tenantry.organizations.service import snapshot
from tenantry.security import Actor, Permission, require

# The columns each field of the wizard carries (segments are rows: see rows.py).
COLUMNS: dict[MergeField, tuple[str, ...]] = {
    MergeField.LEGAL_NAME: ("legal_name",),
    MergeField.DISPLAY_NAME: ("display_name",),
    MergeField.REGISTRATION_NUMBER: ("registration_number",),
    MergeField.VAT_ID: ("vat_id",),
    MergeField.DOMAIN: ("domain",),
    MergeField.INDUSTRY: ("industry",),
    MergeField.ADDRESS: (
        "address_line1", "address_line2", "address_city", "address_region",
        "address_postal_code", "address_country",
    ),
    MergeField.PRIMARY_CONTACT: ("contact_name", "contact_email", "contact_phone"),
    MergeField.PREFERRED_CURRENCY: ("preferred_currency",),
    MergeField.ERP_ID: ("erp_id",),
    MergeField.PARENT: ("parent_id",),
    MergeField.MPN_ID: ("mpn_id", "mpn_status", "mpn_checked_at"),
    MergeField.CUSTOM_PROPERTIES: ("custom_properties",),
}  # fmt: skip
# Unique per platform: cleared on the merged organization before the kept one takes the value.
UNIQUE_COLUMNS = ("erp_id", "tenant_id")


class MergeRefused(Conflict):
    code = "merge_refused"
    title = "These organizations cannot be merged"


def _refuse(field: str, rule: str, message: str) -> MergeRefused:
    return MergeRefused(message, errors=[FieldError(field, rule, message)], reason=rule)


def value_of(organization: Organization, field: MergeField) -> Any:
    """A field's value as the wizard compares it."""
    if field is MergeField.SEGMENTS:
        return sorted(s.name for s in organization.segments)
    if field is MergeField.ADDRESS:
        return organization.address
    if field is MergeField.PRIMARY_CONTACT:
        return organization.primary_contact
    if field is MergeField.PARENT:
        return organization.parent_id
    if field is MergeField.MPN_ID:
        return organization.mpn_id
    return getattr(organization, COLUMNS[field][0])


def differing(keep: Organization, merged: Organization) -> list[MergeField]:
    """The fields whose values differ, in the wizard's order."""
    return [f for f in MergeField if value_of(keep, f) != value_of(merged, f)]


def check_mergeable(keep: Organization, merged: Organization) -> None:
    """Raise :class:`MergeRefused` (409, naming the field and rule) if the two cannot merge."""
    if keep.id == merged.id:
        raise _refuse("merge_id", "same_organization", "an organization cannot merge into itself")
    if keep.platform_id != merged.platform_id:
        raise _refuse("merge_id", "other_platform", "the organizations are on different platforms")
    if OrganizationKind.PLATFORM in (keep.kind, merged.kind):
        raise _refuse("merge_id", "platform", "the platform's own record cannot be merged")
    if keep.kind is not merged.kind:
        raise _refuse(
            "merge_id", "kind_mismatch",
            f"{merged.display_name} is a {merged.kind.value} and {keep.display_name} a "
            f"{keep.kind.value}: only organizations of one kind merge",
        )  # fmt: skip
    if keep.tenant_id and merged.tenant_id and keep.tenant_id != merged.tenant_id:
        raise _refuse(
            "tenant_id", "different_tenants",
            f"{keep.display_name} and {merged.display_name} hold different Microsoft tenants "
            f"({keep.tenant_id}, {merged.tenant_id}); they are different customers in "
            "Partner Center",
        )  # fmt: skip
    if merged.id == keep.parent_id or keep.id == merged.parent_id:
        raise _refuse("merge_id", "parent_of_other", "one organization is the other's parent")


async def load_pair(
    session: AsyncSession, actor: Actor, keep_id: uuid.UUID, merge_id: uuid.UUID
) -> tuple[Organization, Organization]:
    """Both organizations, locked, with their segments; 404 for one the caller may not see."""
    keep = await repository.get_for_update(session, actor, keep_id)
    merged = keep if merge_id == keep_id else await repository.get_for_update(
        session, actor, merge_id
    )  # fmt: skip
    return keep, merged  # the scoped query loaded their segments


def _plain_snapshot(organization: Organization) -> dict[str, Any]:
    """The organization's fields as JSON values (for the redirect and the audit event)."""
    plain: dict[str, Any] = to_jsonable_python(snapshot(organization))
    return plain


async def merge(
    session: AsyncSession,
    actor: Actor,
    keep_id: uuid.UUID,
    merge_id: uuid.UUID,
    choices: Mapping[MergeField, Side],
    *,
    if_match: str | None = None,
) -> tuple[Organization, dict[str, int]]:
    """Merge ``merge_id`` into ``keep_id``; returns the kept organization and the rows moved."""
    require(actor, Permission.ORGANIZATIONS_MERGE)
    keep, merged = await load_pair(session, actor, keep_id, merge_id)
    if if_match is not None and if_match.strip().removeprefix("W/") != keep.etag:
        raise PreconditionFailed(
            f"{keep.display_name} is at version {keep.version}, not {if_match}; look at both "
            "again and merge once more"
        )
    check_mergeable(keep, merged)
    taken = {f for f, side in choices.items() if side == "merge"}
    before, merged_values = _plain_snapshot(keep), _plain_snapshot(merged)
    tenant_from_merged = merged.tenant_id is not None and keep.tenant_id is None
    carried = {
        "erp_id": merged.erp_id if MergeField.ERP_ID in taken else keep.erp_id,
        "tenant_id": merged.tenant_id if tenant_from_merged else keep.tenant_id,
    }
    for column in UNIQUE_COLUMNS:
        setattr(merged, column, None)
    await session.flush()
    for field in taken - {MergeField.SEGMENTS}:
        for column in COLUMNS[field]:
            setattr(keep, column, getattr(merged, column))
    for column, value in carried.items():
        setattr(keep, column, value)
    keep.updated_at = utcnow()
    await session.flush()
    context = MergeContext(
        keep_id=keep.id, merged_id=merged.id, tenant_from_merged=tenant_from_merged,
        segments_from_merged=MergeField.SEGMENTS in taken, decided_by_id=actor.user_id,
        at=utcnow(),
    )  # fmt: skip
    moved = await move_rows(session, context)
    session.expunge(merged)
    await session.execute(
        delete(Organization)
        .where(Organization.id == merged.id)
        .execution_options(synchronize_session=False)
    )
    session.add(
        OrganizationRedirect(
            from_id=merged.id, to_id=keep.id, platform_id=keep.platform_id, merged_at=context.at,
            merged_by_id=actor.user_id, snapshot=merged_values,
        )
    )  # fmt: skip
    session.add(
        SyncChange(
            organization_id=keep.id, action="merged", occurred_at=context.at,
            changes={"merged_id": [str(merged.id), None], "legal_name": [merged.legal_name, None]},
        )
    )  # fmt: skip
    await session.flush()
    kept = await _reload(session, keep.id)
    after = _plain_snapshot(kept)
    await record(
        session, actor, action="organization.merged", target_type="organization",
        target_id=kept.id, organization_id=kept.id,
        changes={
            "before": {k: before[k] for k in before if before[k] != after.get(k)},
            "after": {k: after[k] for k in before if before[k] != after.get(k)},
            "merged_id": str(merged_values["id"]), "merged": merged_values,
            "choices": {f.value: choices.get(f, "keep") for f in MergeField},
            "erp_id_discarded": _discarded_erp_id(before, merged_values, after),
            "moved": moved,
        },
    )  # fmt: skip
    return kept, moved


def _discarded_erp_id(
    before: dict[str, Any], merged: dict[str, Any], after: dict[str, Any]
) -> str | None:
    for value in (before.get("erp_id"), merged.get("erp_id")):
        if value and value != after.get("erp_id"):
            return str(value)
    return None


async def _reload(session: AsyncSession, organization_id: uuid.UUID) -> Organization:
    query = (
        select(Organization)
        .where(Organization.id == organization_id)
        .options(selectinload(Organization.segments))
        .execution_options(populate_existing=True)
    )
    return (await session.execute(query)).scalar_one()
