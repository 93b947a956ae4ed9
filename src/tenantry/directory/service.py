"""What people ask of a customer's directory through the pages and the API: "Import now", and
the read shapes both show."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.audit.service import record
from tenantry.directory import queries
from tenantry.directory.assignments import TenantNotLinked
from tenantry.directory.runs import request_import
from tenantry.directory.schemas import (
    DirectoryDomainRead,
    DirectoryImportRead,
    DirectoryLicenseRead,
    DirectoryRead,
    DirectoryUserRead,
    UserLicenseRead,
)
from tenantry.errors import Conflict, FieldError
from tenantry.models import (
    DirectoryImport,
    DirectoryLicense,
    DirectoryUser,
    OrganizationKind,
)
from tenantry.security import Actor, Permission, require


async def import_now(
    session: AsyncSession, actor: Actor, organization_id: uuid.UUID
) -> DirectoryImport:
    """Queue an import of a linked customer's directory (or join the one queued or running)."""
    organization = await queries.visible(session, actor, organization_id)
    require(actor, Permission.DIRECTORY_IMPORT)
    if organization.kind is not OrganizationKind.CUSTOMER:
        raise Conflict(
            f"{organization.display_name} is a {organization.kind.value}; the directory of a "
            "customer organization's tenant is imported",
            errors=[FieldError("organization_id", "customer_only", "choose a customer")],
        )
    if organization.tenant_id is None:
        raise TenantNotLinked(
            f"{organization.display_name} holds no Microsoft tenant yet: link its tenant first "
            "(Service Details at checkout, or the tenant ID on the organization)",
            errors=[FieldError("organization_id", "tenant_linked", "link the tenant first")],
        )
    found = await request_import(
        session, organization.id, reason="manual", requested_by_id=actor.user_id
    )
    await record(
        session, actor, action="directory.import_requested", target_type="directory_import",
        target_id=found.id, organization_id=organization.id,
        platform_id=organization.platform_id, changes={"after": {"status": found.status}},
    )  # fmt: skip
    return found


def import_read(found: DirectoryImport | None) -> DirectoryImportRead | None:
    return DirectoryImportRead.model_validate(found) if found is not None else None


def user_read(
    user: DirectoryUser, held: Iterable[str], licenses: dict[str, DirectoryLicense]
) -> DirectoryUserRead:
    return DirectoryUserRead(
        id=user.id, organization_id=user.organization_id, user_id=user.user_id,
        user_principal_name=user.user_principal_name, display_name=user.display_name,
        first_name=user.first_name, last_name=user.last_name,
        usage_location=user.usage_location, state=user.state,
        licenses=[
            UserLicenseRead(
                sku_id=sku_id,
                name=licenses[sku_id].name if sku_id in licenses else sku_id,
                source=licenses[sku_id].source if sku_id in licenses else None,
            )
            for sku_id in held
        ],
    )  # fmt: skip


def users_read(
    users: Sequence[DirectoryUser],
    held: dict[uuid.UUID, list[str]],
    licenses: Sequence[DirectoryLicense],
) -> list[DirectoryUserRead]:
    by_sku = {row.sku_id: row for row in licenses}
    return [user_read(user, held.get(user.id, []), by_sku) for user in users]


def directory_read(found: queries.Directory) -> DirectoryRead:
    return DirectoryRead(
        organization_id=found.organization.id,
        tenant_id=found.organization.tenant_id,
        last_import=import_read(found.last_import),
        open_import=import_read(found.open_import),
        user_count=found.user_count,
        licenses=[DirectoryLicenseRead.model_validate(row) for row in found.licenses],
        domains=[DirectoryDomainRead.model_validate(domain) for domain in found.domains],
    )
