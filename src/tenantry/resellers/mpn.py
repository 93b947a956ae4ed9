"""Is an MPN (Partner) ID a reseller the distributor may sell through?

Partner Center has no single call for it (CONTRACT 4.5), so three are made, in this order:
the partner profile proves the ID exists, the MPA status proves the reseller is a CSP indirect
reseller of a compatible region that signed the Microsoft Partner Agreement, and the
distributor's list of indirect resellers proves the reseller accepted the distributor as its
indirect provider; that list also gives the reseller's partner tenant id, which the
authorization links need. A direct CSP has no network, so its platform skips the last call.

Each failure becomes one :class:`MpnStatus`, stored on the organization (``mpn_status``) and
said in one sentence of our own; Microsoft's code is shown when we do not know it.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from typing import Annotated, Protocol

import httpx
import structlog
from fastapi import Depends, Request

from tenantry.errors import FieldError
from tenantry.partnercenter.access import PartnerCenterAccess
from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.partnercenter.errors import (
    InvalidPartnerIdentifier,
    MpaNotSigned,
    MpaRegionMismatch,
    MpnInvalid,
    MpnNotFound,
    NotIndirectReseller,
    PartnerCenterConfigurationError,
    PartnerCenterError,
    ServerError,
    Throttled,
    TransportFailure,
    Unauthorized,
)

log = structlog.get_logger("tenantry.resellers")


class MpnStatus(enum.StrEnum):
    """The outcome of a check, as stored in ``organizations.mpn_status`` and used as the rule of
    the field error."""

    VALID = "valid"
    UNKNOWN = "mpn_unknown"
    NOT_IN_NETWORK = "mpn_not_in_network"
    MPA_NOT_SIGNED = "mpa_not_signed"
    REGION_MISMATCH = "mpa_region_mismatch"
    ACCOUNT_NOT_FOUND = "mpn_account_not_found"
    NOT_INDIRECT_RESELLER = "mpn_not_indirect_reseller"
    UNREACHABLE = "partner_center_unavailable"
    OTHER = "mpn_check_failed"


CAUSES: dict[MpnStatus, str] = {
    MpnStatus.UNKNOWN: "Partner Center knows no partner with this ID.",
    MpnStatus.NOT_IN_NETWORK: "The partner has not accepted {distributor} as its indirect "
    "provider, so it is not in {distributor}'s network of resellers.",
    MpnStatus.MPA_NOT_SIGNED: "The partner has not signed the Microsoft Partner Agreement.",
    MpnStatus.REGION_MISMATCH: "The partner is in a CSP region {distributor} does not serve.",
    MpnStatus.ACCOUNT_NOT_FOUND: "Partner Center found no CSP account for this ID.",
    MpnStatus.NOT_INDIRECT_RESELLER: "The partner is not enrolled in the CSP program as an "
    "indirect reseller.",
    MpnStatus.UNREACHABLE: "Partner Center could not be reached to check it; try again in a "
    "moment.",
    MpnStatus.OTHER: "Partner Center refused the check with code {code}.",
}

# Errors that say Partner Center could not answer, not that the ID is wrong.
UNREACHABLE_ERRORS = (
    httpx.HTTPError,
    TransportFailure,
    Throttled,
    ServerError,
    Unauthorized,
    PartnerCenterConfigurationError,
)


@dataclass(frozen=True)
class MpnVerdict:
    mpn_id: str
    status: MpnStatus
    partner_name: str | None = None
    # The reseller's partner tenant id (the distributor's relationship list), when in the network.
    reseller_tenant_id: uuid.UUID | None = None
    microsoft_code: str | None = None
    network_checked: bool = True

    @property
    def valid(self) -> bool:
        return self.status is MpnStatus.VALID

    def cause(self, distributor: str) -> str:
        """The one sentence that says what is wrong (empty when nothing is)."""
        if self.valid:
            return ""
        return CAUSES[self.status].format(
            distributor=distributor, code=self.microsoft_code or "unknown"
        )

    def message(self, distributor: str) -> str:
        """What a person reads under the field."""
        if self.valid:
            name = f" ({self.partner_name})" if self.partner_name else ""
            where = f" and is a reseller in {distributor}'s network" if self.network_checked else ""
            return f"The MPN ID {self.mpn_id}{name} is valid{where}."
        return (
            f"There seems to be a problem with the MPN ID {self.mpn_id}. "
            f"{self.cause(distributor)} Check the ID; if the problem persists, authorize "
            f"{distributor} as your indirect CSP by accepting the Microsoft Partner Agreement "
            "in Partner Center."
        )

    def field_error(self, distributor: str) -> FieldError:
        return FieldError("mpn_id", self.status.value, self.message(distributor))


def _failed(mpn_id: str, error: PartnerCenterError, network: bool) -> MpnVerdict:
    status = MpnStatus.OTHER
    if isinstance(error, MpnNotFound | InvalidPartnerIdentifier):
        status = MpnStatus.UNKNOWN
    elif isinstance(error, MpnInvalid):
        status = MpnStatus.ACCOUNT_NOT_FOUND if error.code == "2205" else MpnStatus.UNKNOWN
    elif isinstance(error, MpaRegionMismatch):
        status = MpnStatus.REGION_MISMATCH
    elif isinstance(error, MpaNotSigned):
        status = MpnStatus.MPA_NOT_SIGNED
    elif isinstance(error, NotIndirectReseller):
        status = MpnStatus.NOT_INDIRECT_RESELLER
    elif isinstance(error, UNREACHABLE_ERRORS):
        status = MpnStatus.UNREACHABLE
    return MpnVerdict(mpn_id, status, microsoft_code=error.code, network_checked=network)


async def check(client: PartnerCenterClient, mpn_id: str, *, network: bool = True) -> MpnVerdict:
    """Check ``mpn_id`` in Partner Center; ``network=False`` (a direct CSP) skips the network."""
    try:
        profile = await client.get_partner_profile_by_mpn_id(mpn_id)
        await client.get_mpa_status(mpn_id=mpn_id)
        if not network:
            return MpnVerdict(mpn_id, MpnStatus.VALID, profile.partner_name, network_checked=False)
        resellers = await client.list_indirect_resellers()
    except (PartnerCenterError, httpx.HTTPError) as exc:
        if isinstance(exc, httpx.HTTPError):
            exc = TransportFailure(str(exc))
        log.info("resellers.mpn_check_failed", mpn_id=mpn_id, error=str(exc))
        return _failed(mpn_id, exc, network)
    match = next((r for r in resellers if r.mpn_id == mpn_id), None)
    if match is None or (match.state or "Active").lower() != "active":
        return MpnVerdict(mpn_id, MpnStatus.NOT_IN_NETWORK, profile.partner_name)
    try:
        tenant_id: uuid.UUID | None = uuid.UUID(match.id)
    except ValueError:
        tenant_id = None
    return MpnVerdict(mpn_id, MpnStatus.VALID, profile.partner_name, tenant_id)


class PartnerIdDirectory(Protocol):
    """Where MPN IDs are checked: Partner Center, or whatever a test puts in its place."""

    async def check(self, mpn_id: str, *, network: bool) -> MpnVerdict: ...


@dataclass(frozen=True)
class PartnerCenterPartnerIds:
    """Partner Center through the app's access, as a lookup a person waits on."""

    access: PartnerCenterAccess

    async def check(self, mpn_id: str, *, network: bool) -> MpnVerdict:
        try:
            async with self.access.client(lookup=True) as client:
                return await check(client, mpn_id, network=network)
        except (PartnerCenterError, httpx.HTTPError) as exc:  # signing in, opening the client
            log.warning("resellers.mpn_check_unreachable", mpn_id=mpn_id, error=str(exc))
            return MpnVerdict(mpn_id, MpnStatus.UNREACHABLE, network_checked=network)


async def app_partner_ids(request: Request) -> PartnerIdDirectory:
    """The app's Partner Center, as a FastAPI dependency (tests override it)."""
    return PartnerCenterPartnerIds(request.app.state.partner_center)


PartnerIds = Annotated[PartnerIdDirectory, Depends(app_partner_ids)]
