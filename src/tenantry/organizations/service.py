"""Creating and editing organizations. Status changes live in ``lifecycle``."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import diff, record
from tenantry.errors import Conflict, FieldError, Forbidden, PreconditionFailed, ValidationFailed
from tenantry.models import (
    Organization,
    OrganizationKind,
    OrganizationStatus,
    PlatformModel,
    Segment,
    utcnow,
)
from tenantry.organizations import duplicate_guard, repository, rules
from tenantry.organizations.schemas import (
    BASIC_FIELDS,
    OrganizationCreate,
    OrganizationUpdate,
)
from tenantry.organizations.tenant_check import TenantDirectory, refuse_if_held, tenant_errors
from tenantry.organizations.validation import Checker, flatten
from tenantry.resellers.mpn import PartnerIdDirectory
from tenantry.resellers.service import SaveCheck, check_on_save
from tenantry.security import Actor, Permission, manages, require

AUDITED_COLUMNS = tuple(
    c.key
    for c in inspect(Organization).column_attrs
    if c.key not in {"updated_at", "created_at", "name_key"}
)


def snapshot(organization: Organization) -> dict[str, Any]:
    values = {key: getattr(organization, key) for key in AUDITED_COLUMNS}
    if "segments" not in inspect(organization).unloaded:
        values["segments"] = sorted(s.name for s in organization.segments)
    return values


def may_edit_basic_details(actor: Actor, organization: Organization) -> bool:
    return actor.can(Permission.ORGANIZATION_EDIT_BASIC) and manages(actor, organization)


async def _resolve_parent(
    session: AsyncSession, actor: Actor, data: OrganizationCreate
) -> Organization:
    platform = await session.get(Organization, actor.platform_id)
    assert platform is not None
    if data.kind == "reseller":
        if not actor.is_platform:
            raise Forbidden("only the platform owner creates resellers")
        if platform.platform_model is PlatformModel.DIRECT_CSP:
            raise ValidationFailed(
                [FieldError("kind", "direct_csp_has_no_resellers", "a direct CSP has no resellers")]
            )
        if data.parent_id not in (None, platform.id):
            raise ValidationFailed(
                [FieldError("parent_id", "reseller_parent", "a reseller belongs to the platform")]
            )
        return platform
    if actor.organization_kind is OrganizationKind.RESELLER:
        if data.parent_id not in (None, actor.organization_id):
            raise ValidationFailed(
                [
                    FieldError(
                        "parent_id", "own_customers_only", "resellers create their own customers"
                    )
                ]
            )
        return await repository.get(session, actor, actor.organization_id)
    if data.parent_id in (None, platform.id):
        return platform
    parent = await repository.get(session, actor, data.parent_id)
    if parent.kind is not OrganizationKind.RESELLER:
        raise ValidationFailed(
            [
                FieldError(
                    "parent_id",
                    "reseller_parent",
                    "a customer belongs to a reseller or the platform",
                )
            ]
        )
    if parent.status is not OrganizationStatus.ACTIVE:
        raise Conflict(f"the reseller {parent.display_name} is {parent.status.value}")
    return parent


async def _checker(session: AsyncSession, platform_id: uuid.UUID) -> Checker:
    config = await repository.platform_config(session, platform_id)
    definitions = list(await repository.custom_properties(session, platform_id))
    return Checker(config=config, property_definitions=definitions)


async def _check_unique_erp_id(
    session: AsyncSession,
    checker: Checker,
    platform_id: uuid.UUID,
    erp_id: str | None,
    exclude: uuid.UUID | None,
) -> None:
    if erp_id and await repository.erp_id_taken(session, platform_id, erp_id, exclude):
        checker.add(
            FieldError("erp_id", "unique", f"the ERP ID '{erp_id}' belongs to another organization")
        )


async def check_new(
    session: AsyncSession,
    parent: Organization,
    data: OrganizationCreate,
    *,
    extra_errors: list[FieldError] | None = None,
    require_properties: bool = True,
) -> tuple[dict[str, Any], dict[uuid.UUID, Segment]]:
    """Check every field of a new organization below ``parent``: its normalised column values
    and segments, or :class:`ValidationFailed` naming every field that is wrong (``extra_errors``
    are the caller's own, reported together). ``require_properties=False`` leaves required
    custom properties for the seller to fill in later (self-registration)."""
    platform_id = parent.platform_id
    checker = await _checker(session, platform_id)
    for error in extra_errors or ():
        checker.add(error)
    values: dict[str, Any] = data.model_dump(
        exclude={
            "address",
            "primary_contact",
            "segment_ids",
            "approve",
            "parent_id",
            "confirm_duplicate",
        }
    ) | flatten(data.address, data.primary_contact)
    values["display_name"] = values["display_name"] or data.legal_name
    checker.add(rules.reseller_mpn_error(data.kind, data.mpn_id))
    values = checker.check(values, creating=True)
    if not require_properties:
        checker.errors = [
            e
            for e in checker.errors
            if not (e.field.startswith("custom_properties.") and e.rule == "required")
        ]
    await _check_unique_erp_id(session, checker, platform_id, data.erp_id, None)
    found = await repository.segments_by_id(session, platform_id, data.segment_ids)
    checker.check_segments(data.segment_ids, set(found))
    checker.raise_if_any()
    return values, found


async def build(
    session: AsyncSession,
    parent: Organization,
    data: OrganizationCreate,
    *,
    extra_errors: list[FieldError] | None = None,
    require_properties: bool = True,
) -> Organization:
    """Check (:func:`check_new`) and add a new organization below ``parent``."""
    values, found = await check_new(
        session, parent, data, extra_errors=extra_errors, require_properties=require_properties
    )
    return await add(session, parent, data, values, found)


async def add(
    session: AsyncSession,
    parent: Organization,
    data: OrganizationCreate,
    values: dict[str, Any],
    segments: dict[uuid.UUID, Segment],
) -> Organization:
    """Add the organization :func:`check_new` checked: active when ``data.approve``, else
    pending approval."""
    now = utcnow()
    status = OrganizationStatus.ACTIVE if data.approve else OrganizationStatus.PENDING_APPROVAL
    organization = Organization(
        **values,
        platform_id=parent.platform_id,
        parent_id=parent.id,
        status=status,
        approved_at=now if data.approve else None,
        segments=[segments[i] for i in dict.fromkeys(data.segment_ids)],
    )
    organization.kind = OrganizationKind(data.kind)
    session.add(organization)
    await session.flush()
    return organization


async def create(
    session: AsyncSession,
    actor: Actor,
    data: OrganizationCreate,
    *,
    tenants: TenantDirectory | None = None,
    partner_ids: PartnerIdDirectory | None = None,
) -> Organization:
    """Create an organization: every field checked (a tenant ID in ``tenants``, a reseller's
    MPN ID in ``partner_ids``, both Partner Center), then refused as a possible duplicate unless
    ``data.confirm_duplicate``."""
    require(actor, Permission.ORGANIZATION_CREATE)
    if data.approve:
        require(actor, Permission.ORGANIZATION_APPROVE)
    parent = await _resolve_parent(session, actor, data)
    await refuse_if_held(session, actor, None, actor.platform_id, data.tenant_id)
    extra = await tenant_errors(tenants, data.tenant_id)
    mpn = SaveCheck()
    if data.kind == "reseller" and data.mpn_id:
        mpn = await check_on_save(session, partner_ids, actor.platform_id, data.mpn_id, refuse=True)
        if data.tenant_id is None and mpn.reseller_tenant_id is not None:
            await refuse_if_held(session, actor, None, actor.platform_id, mpn.reseller_tenant_id)
        else:
            mpn.values.pop("tenant_id", None)
    values, found = await check_new(session, parent, data, extra_errors=extra + mpn.errors)
    values |= mpn.values
    shown = await duplicate_guard.check(
        session, actor, duplicate_guard.candidate_of(data), confirmed=data.confirm_duplicate
    )
    organization = await add(session, parent, data, values, found)
    await record(
        session,
        actor,
        action="organization.created_and_approved" if data.approve else "organization.created",
        target_type="organization",
        target_id=organization.id,
        organization_id=organization.id,
        changes=diff({}, snapshot(organization)),
    )
    await duplicate_guard.record_confirmed(session, actor, organization, shown)
    return organization


async def update(
    session: AsyncSession,
    actor: Actor,
    organization_id: uuid.UUID,
    data: OrganizationUpdate,
    *,
    if_match: str | None,
    tenants: TenantDirectory | None = None,
    partner_ids: PartnerIdDirectory | None = None,
) -> Organization:
    """Edit an organization; a new tenant ID is checked in ``tenants``, a reseller's MPN ID in
    ``partner_ids`` (Partner Center, see :mod:`tenantry.resellers.service`)."""
    require(actor, Permission.ORGANIZATION_EDIT_PROFILE)
    organization = await repository.get_for_update(session, actor, organization_id)
    if if_match is not None and if_match.strip().removeprefix("W/") != organization.etag:
        raise PreconditionFailed(
            f"the organization is at version {organization.version}, not {if_match}; "
            "reload it and apply your change again"
        )
    given = data.model_fields_set  # null reaches here only for the schema's clearable fields
    basic = given & BASIC_FIELDS
    if basic and not (
        actor.can(Permission.ORGANIZATION_EDIT_BASIC) and manages(actor, organization)
    ):
        raise Forbidden(f"changing {', '.join(sorted(basic))} needs the seller's rights")
    before = snapshot(organization)
    current: dict[str, Any] = {key: getattr(organization, key) for key in AUDITED_COLUMNS}
    changes = data.model_dump(
        include=given - {"address", "primary_contact", "segment_ids"}
    ) | flatten(data.address, data.primary_contact)
    checker = await _checker(session, actor.platform_id)
    values = checker.check(current | changes, creating=False)
    if "tenant_id" in given and data.tenant_id != organization.tenant_id:
        await refuse_if_held(session, actor, organization, organization.platform_id, data.tenant_id)
        checker.errors.extend(await tenant_errors(tenants, data.tenant_id))
    mpn = await _mpn_on_edit(session, actor, organization, data, partner_ids)
    checker.errors.extend(mpn.errors)
    if "erp_id" in given:
        await _check_unique_erp_id(
            session, checker, actor.platform_id, data.erp_id, organization.id
        )
    if data.segment_ids is not None:
        found = await repository.segments_by_id(session, actor.platform_id, data.segment_ids)
        checker.check_segments(data.segment_ids, set(found))
    checker.raise_if_any()

    for key in changes:
        setattr(organization, key, values[key])
    for key, value in mpn.values.items():
        setattr(organization, key, value)
    if data.segment_ids is not None:
        organization.segments = [found[i] for i in dict.fromkeys(data.segment_ids)]
    after = snapshot(organization)
    if after == before:
        return organization
    organization.updated_at = utcnow()
    await session.flush()
    await record(
        session,
        actor,
        action="organization.updated",
        target_type="organization",
        target_id=organization.id,
        organization_id=organization.id,
        changes=diff(before, snapshot(organization)),
    )
    return organization


async def _mpn_on_edit(
    session: AsyncSession,
    actor: Actor,
    organization: Organization,
    data: OrganizationUpdate,
    partner_ids: PartnerIdDirectory | None,
) -> SaveCheck:
    """A reseller's MPN ID being saved: checked when new or when its last check failed."""
    if "mpn_id" not in data.model_fields_set or organization.kind is not OrganizationKind.RESELLER:
        return SaveCheck()
    if not data.mpn_id:
        return SaveCheck(values={"mpn_status": None, "mpn_checked_at": None})
    changed = data.mpn_id != organization.mpn_id
    if not changed and organization.mpn_status == "valid":
        return SaveCheck()
    mpn = await check_on_save(session, partner_ids, actor.platform_id, data.mpn_id, refuse=changed)
    tenant_id = mpn.reseller_tenant_id
    if (
        tenant_id is None
        or organization.tenant_id is not None
        or "tenant_id" in data.model_fields_set
    ):
        mpn.values.pop("tenant_id", None)
    elif not mpn.errors:
        await refuse_if_held(session, actor, organization, organization.platform_id, tenant_id)
    return mpn
