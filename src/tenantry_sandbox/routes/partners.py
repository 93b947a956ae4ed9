"""PartnerID checks: the partner profile by PartnerID and the indirect reseller's MPA status.

- ``GET /v1/profiles/mpn[?mpnId=]`` (App+User): 200 when the PartnerID exists (404 / 3000
  otherwise); without ``mpnId`` the caller's own profile.
- ``GET /v1/compliance/csp/agreementstatus?mpnId=|tenantId=`` (App+User): whether the reseller
  signed the Microsoft Partner Agreement, with the documented 400 codes 2000, 2001, 2200, 2203,
  2204, 2205, 2206.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query

from tenantry_sandbox.api import CallingPartner, Session, UserCaller, partner_center_router
from tenantry_sandbox.errors import PartnerCenterError
from tenantry_sandbox.schemas.partners import AgreementStatusOut, MpnProfileOut
from tenantry_sandbox.store import partners
from tenantry_sandbox.store.partners import Partner, Program

router = partner_center_router(tags=["partners"])

MPA_GUIDE = "https://partner.microsoft.com/resources/detail/migrate-pmc-pc-mpa-guide-pptx"
MPA_FAQ = "https://learn.microsoft.com/partner-center/mpa-indirect-provider-faq"


def _bad_request(code: int, description: str, source: str, *data: str) -> PartnerCenterError:
    return PartnerCenterError(400, code, description, data=data, source=source)


@router.get("/profiles/mpn", summary="Get a partner profile by PartnerID (MPN ID)")
async def mpn_profile(
    caller: UserCaller,
    partner: CallingPartner,
    session: Session,
    mpn_id: Annotated[str | None, Query(alias="mpnId")] = None,
) -> MpnProfileOut:
    if mpn_id is None or not mpn_id.strip():
        return MpnProfileOut(mpn_id=partner.mpn_id)
    found = await partners.by_mpn_id(session, mpn_id.strip())
    if found is None:
        raise PartnerCenterError(
            404, 3000, f"Partner Organization with partner_id {mpn_id} could not be found"
        )
    return MpnProfileOut(partner_name=found.name, mpn_id=found.mpn_id)


async def _reseller_by_mpn_id(session: Session, mpn_id: str) -> Partner:
    if not mpn_id.isdigit():
        raise _bad_request(2000, "MPN Id must be numeric.", "PartnerApiServiceControllers")
    reseller = await partners.by_mpn_id(session, mpn_id)
    if reseller is None:
        raise _bad_request(
            2200,
            f"Requested MPN Id {mpn_id} is either invalid or does not exist in Partner Center.",
            "PartnerFD",
            MPA_GUIDE,
        )
    if reseller.program != Program.INDIRECT_RESELLER.value:
        raise _bad_request(
            2204,
            f"Requested MPN Id {mpn_id} is not associated with any CSP Indirect Reseller account "
            "in Partner Center. Please advise your reseller to enroll into the CSP program as an "
            "indirect reseller in Partner Center to be compliant.",
            "PartnerFD",
            MPA_FAQ,
        )
    return reseller


async def _reseller_by_tenant_id(session: Session, tenant_id: str) -> Partner:
    try:
        reseller_id = uuid.UUID(tenant_id)
    except ValueError as exc:
        raise _bad_request(
            2000, "Tenant Id must be a GUID.", "PartnerApiServiceControllers"
        ) from exc
    reseller = await partners.get(session, reseller_id)
    if reseller is None or reseller.program != Program.INDIRECT_RESELLER.value:
        raise _bad_request(2205, f"Could not find account with id '{tenant_id}'.", "PartnerFD")
    return reseller


@router.get(
    "/compliance/{program:str}/agreementstatus",
    summary="Verify an indirect reseller's Microsoft Partner Agreement status",
)
async def agreement_status(
    program: str,
    caller: UserCaller,
    session: Session,
    mpn_id: Annotated[str | None, Query(alias="mpnId")] = None,
    tenant_id: Annotated[str | None, Query(alias="tenantId")] = None,
) -> AgreementStatusOut:
    if program.lower() != "csp":
        raise PartnerCenterError(404, 1000, f"Program '{program}' not found")
    mpn_id, tenant_id = (mpn_id or "").strip() or None, (tenant_id or "").strip() or None
    if mpn_id and tenant_id:
        raise _bad_request(
            2000, "Both MPN Id and Tenant Id should not be passed.", "ComplianceController"
        )
    if not mpn_id and not tenant_id:
        raise _bad_request(
            2001, "Both MPN Id and Tenant Id cannot be empty.", "ComplianceController"
        )
    if mpn_id:
        reseller = await _reseller_by_mpn_id(session, mpn_id)
        if not reseller.mpa_signed:
            raise _bad_request(
                2203,
                f"MPN Id {mpn_id} has not signed Microsoft Partner Agreement (MPA) for the CSP "
                "region where the order is being placed. Please advise your reseller to sign MPA "
                "to continue with the order.",
                "PartnerFD",
                MPA_FAQ,
            )
        return AgreementStatusOut(is_agreement_signed=True)
    assert tenant_id is not None
    reseller = await _reseller_by_tenant_id(session, tenant_id)
    if not reseller.mpa_signed:
        raise _bad_request(
            2206,
            f"Account with id '{tenant_id}' hasn't signed the agreement.",
            "PartnerFD",
            MPA_FAQ,
        )
    return AgreementStatusOut(is_agreement_signed=True)
