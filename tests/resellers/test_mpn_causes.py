"""Microsoft's answers that the sandbox does not give (region mismatch, account not found, codes
we do not know), mapped to their causes by a client that raises them."""

from __future__ import annotations

from typing import Any, cast

import httpx
import pytest

from tenantry.partnercenter.client import PartnerCenterClient
from tenantry.partnercenter.errors import (
    MpaRegionMismatch,
    MpnInvalid,
    PartnerCenterError,
    Throttled,
)
from tenantry.resellers.mpn import MpnStatus, check


class Refusing:
    def __init__(self, error: Exception) -> None:
        self.error = error

    async def get_partner_profile_by_mpn_id(self, mpn_id: str) -> Any:
        return type("Profile", (), {"partner_name": "Partner"})()

    async def get_mpa_status(self, **_: str) -> Any:
        raise self.error


@pytest.mark.parametrize(
    ("error", "status", "sentence"),
    [
        (MpaRegionMismatch("", code="2201"), MpnStatus.REGION_MISMATCH, "a CSP region Contoso"),
        (MpnInvalid("", code="2205"), MpnStatus.ACCOUNT_NOT_FOUND, "no CSP account"),
        (MpnInvalid("", code="2200"), MpnStatus.UNKNOWN, "knows no partner"),
        (Throttled("", status=429), MpnStatus.UNREACHABLE, "could not be reached"),
        (httpx.ConnectError("refused"), MpnStatus.UNREACHABLE, "could not be reached"),
        (PartnerCenterError("", status=400, code="2999"), MpnStatus.OTHER, "with code 2999"),
    ],
)
async def test_each_answer_has_its_cause(
    error: Exception, status: MpnStatus, sentence: str
) -> None:
    verdict = await check(cast(PartnerCenterClient, Refusing(error)), "7300001")
    assert verdict.status is status
    assert sentence in verdict.message("Contoso")
