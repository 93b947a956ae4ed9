"""The MPN ID check when an organization is saved, and what it stores.

A new or changed MPN ID that fails the check refuses the save (422 naming ``mpn_id`` and the
cause as the rule); when Partner Center cannot be asked, nothing is saved (503) and the form keeps
what was typed, as for tenant IDs. Saving an unchanged ID whose last check failed checks it again
and stores the new outcome without refusing the rest of the edit: that is how a reseller who has
since accepted the distributor in Partner Center becomes valid.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from tenantry.errors import FieldError
from tenantry.models import Organization, PlatformModel, utcnow
from tenantry.partnercenter.access import PartnerCenterUnavailable
from tenantry.resellers.mpn import MpnStatus, MpnVerdict, PartnerIdDirectory


@dataclass
class SaveCheck:
    """What a save learns from the check: field errors to report, columns to set."""

    errors: list[FieldError] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def reseller_tenant_id(self) -> uuid.UUID | None:
        found: uuid.UUID | None = self.values.get("tenant_id")
        return found


async def platform_of(session: AsyncSession, platform_id: uuid.UUID) -> Organization:
    platform = await session.get(Organization, platform_id)
    assert platform is not None
    return platform


async def verdict(
    session: AsyncSession, directory: PartnerIdDirectory, platform_id: uuid.UUID, mpn_id: str
) -> tuple[MpnVerdict, str]:
    """The check of ``mpn_id`` for the platform, and the distributor's name to say it with."""
    platform = await platform_of(session, platform_id)
    network = platform.platform_model is not PlatformModel.DIRECT_CSP
    return await directory.check(mpn_id, network=network), platform.display_name


async def check_on_save(
    session: AsyncSession,
    directory: PartnerIdDirectory | None,
    platform_id: uuid.UUID,
    mpn_id: str,
    *,
    refuse: bool,
) -> SaveCheck:
    """Check ``mpn_id`` being saved. ``refuse``: a failure is a field error (a new or changed
    ID); otherwise only the outcome is stored. No ``directory`` (internal callers such as the
    demo load): nothing is checked and nothing stored."""
    if directory is None:
        return SaveCheck()
    found, distributor = await verdict(session, directory, platform_id, mpn_id)
    if found.status is MpnStatus.UNREACHABLE:
        if not refuse:
            return SaveCheck()
        raise PartnerCenterUnavailable(
            f"Partner Center could not be asked whether the MPN ID {mpn_id} is a reseller of "
            f"{distributor}, so nothing was saved; try again in a moment",
            errors=[found.field_error(distributor)],
        )
    values: dict[str, Any] = {"mpn_status": found.status.value, "mpn_checked_at": utcnow()}
    if found.reseller_tenant_id is not None:
        values["tenant_id"] = found.reseller_tenant_id
    errors = [found.field_error(distributor)] if refuse and not found.valid else []
    return SaveCheck(errors, values)
