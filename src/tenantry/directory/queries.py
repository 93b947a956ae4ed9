"""Reading what was imported, within the caller's scope: a customer its own directory, a
reseller its customers', platform staff every one of the platform. Another's organization, or a
user of it, answers 404 (``organizations.repository.get``).

Any organization in scope can be asked (a reseller or the platform has no imported directory:
the answers are empty), so a page or API call never tells an empty customer from another kind.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import NotFound
from tenantry.models import (
    DirectoryAssignment,
    DirectoryDomain,
    DirectoryImport,
    DirectoryImportStatus,
    DirectoryLicense,
    DirectoryUser,
    LicenseSource,
    Organization,
    TrialConversion,
)
from tenantry.organizations import repository as organizations
from tenantry.pagination import aware_datetime, keyset_page
from tenantry.security import Actor, Permission, organization_scope, require

# The filter "licenses": users holding none, any of ours, any of another provider.
HOLDING = ("none", "ours", "other_provider")


@dataclass(frozen=True)
class UserFilter:
    search: str | None = None  # part of the name or the user principal name
    sku_id: str | None = None  # holds this license
    holding: str | None = None  # one of HOLDING


@dataclass(frozen=True)
class Directory:
    """What one organization's page and API summary show."""

    organization: Organization
    last_import: DirectoryImport | None
    open_import: DirectoryImport | None
    licenses: Sequence[DirectoryLicense]
    domains: Sequence[DirectoryDomain]
    user_count: int


async def visible(session: AsyncSession, actor: Actor, organization_id: uuid.UUID) -> Organization:
    require(actor, Permission.ORGANIZATION_READ)
    return await organizations.get(session, actor, organization_id)


async def directory(session: AsyncSession, actor: Actor, organization_id: uuid.UUID) -> Directory:
    organization = await visible(session, actor, organization_id)
    imports = select(DirectoryImport).where(DirectoryImport.organization_id == organization.id)
    last = await session.scalar(
        imports.where(
            DirectoryImport.status.not_in(
                (DirectoryImportStatus.QUEUED, DirectoryImportStatus.RUNNING)
            )
        )
        .order_by(DirectoryImport.created_at.desc(), DirectoryImport.id.desc())
        .limit(1)
    )
    pending = await session.scalar(imports.where(DirectoryImport.open_for == organization.id))
    return Directory(
        organization=organization,
        last_import=last,
        open_import=pending,
        licenses=await licenses_of(session, organization.id),
        domains=list(
            await session.scalars(
                select(DirectoryDomain)
                .where(DirectoryDomain.organization_id == organization.id)
                .order_by(DirectoryDomain.is_initial.desc(), DirectoryDomain.name)
            )
        ),
        user_count=await session.scalar(
            select(func.count())
            .select_from(DirectoryUser)
            .where(DirectoryUser.organization_id == organization.id)
        )
        or 0,
    )


async def licenses_of(session: AsyncSession, organization_id: uuid.UUID) -> list[DirectoryLicense]:
    return list(
        await session.scalars(
            select(DirectoryLicense)
            .where(DirectoryLicense.organization_id == organization_id)
            .order_by(DirectoryLicense.name, DirectoryLicense.sku_id)
        )
    )


def _filtered(organization_id: uuid.UUID, filters: UserFilter) -> Select[DirectoryUser]:
    query = select(DirectoryUser).where(DirectoryUser.organization_id == organization_id)
    if filters.search:
        pattern = f"%{filters.search.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(DirectoryUser.display_name).like(pattern),
                func.lower(DirectoryUser.user_principal_name).like(pattern),
            )
        )
    held = select(DirectoryAssignment.sku_id).where(
        DirectoryAssignment.directory_user_id == DirectoryUser.id
    )
    if filters.sku_id:
        query = query.where(exists(held.where(DirectoryAssignment.sku_id == filters.sku_id)))
    if filters.holding == "none":
        query = query.where(~exists(held))
    elif filters.holding in ("ours", "other_provider"):
        wanted = (
            (LicenseSource.OURS, LicenseSource.BOTH)
            if filters.holding == "ours"
            else (LicenseSource.OTHER_PROVIDER, LicenseSource.BOTH)
        )
        kinds = select(DirectoryLicense.sku_id).where(
            DirectoryLicense.organization_id == organization_id,
            DirectoryLicense.source.in_(wanted),
        )
        query = query.where(exists(held.where(DirectoryAssignment.sku_id.in_(kinds))))
    return query


async def users_page(
    session: AsyncSession,
    actor: Actor,
    organization_id: uuid.UUID,
    filters: UserFilter,
    *,
    cursor: str | None,
    limit: int,
) -> tuple[Sequence[DirectoryUser], dict[uuid.UUID, list[str]], str | None]:
    """A page of users by name, their license SKU ids, and the next page's cursor."""
    organization = await visible(session, actor, organization_id)
    rows, following = await keyset_page(
        session, _filtered(organization.id, filters), sort_column=DirectoryUser.display_name,
        id_column=DirectoryUser.id, cursor=cursor, limit=limit,
    )  # fmt: skip
    return rows, await held_by(session, [row.id for row in rows]), following


async def held_by(
    session: AsyncSession, user_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    held: dict[uuid.UUID, list[str]] = {user_id: [] for user_id in user_ids}
    if user_ids:
        found = await session.execute(
            select(DirectoryAssignment.directory_user_id, DirectoryAssignment.sku_id)
            .where(DirectoryAssignment.directory_user_id.in_(list(user_ids)))
            .order_by(DirectoryAssignment.sku_id)
        )
        for user_id, sku_id in found.all():
            held[user_id].append(sku_id)
    return held


async def user(session: AsyncSession, actor: Actor, directory_user_id: uuid.UUID) -> DirectoryUser:
    """One imported user of an organization in the actor's scope (404 otherwise)."""
    require(actor, Permission.ORGANIZATION_READ)
    found = await session.scalar(
        select(DirectoryUser)
        .join(Organization, Organization.id == DirectoryUser.organization_id)
        .where(organization_scope(actor), DirectoryUser.id == directory_user_id)
    )
    if found is None:
        raise NotFound(f"user {directory_user_id} not found")
    return found


async def imports_page(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID, *, cursor: str | None,
    limit: int,
) -> tuple[Sequence[DirectoryImport], str | None]:  # fmt: skip
    """The organization's imports, oldest first (the API's pages follow the cursor)."""
    organization = await visible(session, actor, organization_id)
    return await keyset_page(
        session,
        select(DirectoryImport).where(DirectoryImport.organization_id == organization.id),
        sort_column=DirectoryImport.created_at, id_column=DirectoryImport.id,
        cursor=cursor, limit=limit, parse_sort_value=aware_datetime,
    )  # fmt: skip


async def recent_imports(
    session: AsyncSession, organization_id: uuid.UUID, *, limit: int = 5
) -> list[DirectoryImport]:
    return list(
        await session.scalars(
            select(DirectoryImport)
            .where(DirectoryImport.organization_id == organization_id)
            .order_by(DirectoryImport.created_at.desc(), DirectoryImport.id.desc())
            .limit(limit)
        )
    )


async def trial_conversions(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID
) -> list[TrialConversion]:
    organization = await visible(session, actor, organization_id)
    return list(
        await session.scalars(
            select(TrialConversion)
            .where(TrialConversion.organization_id == organization.id)
            .order_by(TrialConversion.created_at.desc(), TrialConversion.id)
        )
    )
