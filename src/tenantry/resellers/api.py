"""``GET /api/v1/resellers/mpn-check``: the MPN ID check for API users, before they save."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from tenantry.deps import CurrentActor, DbSession
from tenantry.errors import FieldError, Forbidden
from tenantry.partnercenter.access import PartnerCenterUnavailable
from tenantry.problems import API_ERRORS, PROBLEM_MEDIA_TYPE, ProblemDetails
from tenantry.resellers import service
from tenantry.resellers.mpn import MpnStatus, PartnerIds
from tenantry.resellers.schemas import MpnCheckRead
from tenantry.security import Actor, Permission

router = APIRouter(prefix="/api/v1", tags=["resellers"], responses=API_ERRORS)
UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"model": ProblemDetails, "content": {PROBLEM_MEDIA_TYPE: {}}}
}
MpnQuery = Annotated[
    str,
    Query(pattern=r"^[0-9]{6,10}$", description="The MPN (Partner) ID, 6 to 10 digits"),
]


def require_mpn_check(actor: Actor) -> None:
    """Whoever may enter an MPN ID (creating or editing an organization's basic details)."""
    if not (
        actor.can(Permission.ORGANIZATION_CREATE) or actor.can(Permission.ORGANIZATION_EDIT_BASIC)
    ):
        raise Forbidden("checking an MPN ID needs the right to create or edit organizations")


@router.get(
    "/resellers/mpn-check",
    summary="Check an MPN (Partner) ID in Partner Center before saving it",
    description="Answers whether the ID exists, its reseller signed the Microsoft Partner "
    "Agreement in a region the platform serves, and accepted the platform as its indirect "
    "provider (skipped on a direct CSP's platform). Nothing is stored; saving the organization "
    "checks again. 503 when Partner Center cannot be asked.",
    responses=UNAVAILABLE,
)
async def check_mpn_id(
    session: DbSession, actor: CurrentActor, partner_ids: PartnerIds, mpn_id: MpnQuery
) -> MpnCheckRead:
    require_mpn_check(actor)
    verdict, distributor = await service.verdict(session, partner_ids, actor.platform_id, mpn_id)
    if verdict.status is MpnStatus.UNREACHABLE:
        raise PartnerCenterUnavailable(
            f"Partner Center could not be asked about the MPN ID {mpn_id}; try again in a moment",
            errors=[FieldError("mpn_id", verdict.status.value, verdict.message(distributor))],
        )
    return MpnCheckRead.of(verdict, distributor)
