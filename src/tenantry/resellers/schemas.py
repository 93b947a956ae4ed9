"""The MPN ID check as the API answers it."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from tenantry.resellers.mpn import MpnStatus, MpnVerdict


class MpnCheckRead(BaseModel):
    mpn_id: str
    valid: bool
    status: MpnStatus = Field(
        description="valid, or the cause: mpn_unknown, mpn_not_in_network, mpa_not_signed, "
        "mpa_region_mismatch, mpn_account_not_found, mpn_not_indirect_reseller, "
        "mpn_check_failed (Microsoft's code in microsoft_code)"
    )
    message: str = Field(description="What to tell the person, naming the cause")
    partner_name: str | None = None
    reseller_tenant_id: uuid.UUID | None = Field(
        default=None, description="The reseller's partner tenant id, when in the network"
    )
    microsoft_code: str | None = None
    network_checked: bool = Field(description="False on a direct CSP's platform: no network")

    @classmethod
    def of(cls, verdict: MpnVerdict, distributor: str) -> MpnCheckRead:
        return cls(
            mpn_id=verdict.mpn_id,
            valid=verdict.valid,
            status=verdict.status,
            message=verdict.message(distributor),
            partner_name=verdict.partner_name,
            reseller_tenant_id=verdict.reseller_tenant_id,
            microsoft_code=verdict.microsoft_code,
            network_checked=verdict.network_checked,
        )
