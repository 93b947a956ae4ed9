"""A stand-in for Partner Center's MPN ID check, for apps that cannot reach the sandbox."""

from __future__ import annotations

from dataclasses import dataclass, field

from tenantry.resellers.mpn import MpnStatus, MpnVerdict


@dataclass
class KnownPartnerIds:
    """Every MPN ID is a valid reseller of the network, except those in ``failing``."""

    failing: dict[str, MpnStatus] = field(default_factory=dict)

    async def check(self, mpn_id: str, *, network: bool) -> MpnVerdict:
        status = self.failing.get(mpn_id, MpnStatus.VALID)
        return MpnVerdict(mpn_id, status, "Known Partner", network_checked=network)
