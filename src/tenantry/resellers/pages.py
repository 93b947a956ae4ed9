"""The MPN ID check on the organization forms: asked when the field is left (htmx), answered
with a short fragment that replaces the live region under the field."""

from __future__ import annotations

from fastapi import Request, Response

from tenantry.deps import DbSession
from tenantry.organizations.rules import MPN_PATTERN
from tenantry.resellers import service
from tenantry.resellers.api import require_mpn_check
from tenantry.resellers.mpn import PartnerIds
from tenantry.web.rendering import render
from tenantry.web.routing import PageActor, page_router

router = page_router()
TEMPLATE = "resellers/_mpn_check.html"


@router.get("/resellers/mpn-check")
async def mpn_check_fragment(
    request: Request, session: DbSession, actor: PageActor, partner_ids: PartnerIds,
    mpn_id: str = "",
) -> Response:  # fmt: skip
    require_mpn_check(actor)
    mpn_id = mpn_id.strip()
    if not mpn_id:
        return render(request, TEMPLATE, {"message": ""})
    if not MPN_PATTERN.match(mpn_id):
        context = {"message": "An MPN (Partner) ID is 6 to 10 digits.", "valid": False,
                   "status": "mpn_id_format"}  # fmt: skip
        return render(request, TEMPLATE, context)
    verdict, distributor = await service.verdict(session, partner_ids, actor.platform_id, mpn_id)
    context = {
        "message": verdict.message(distributor),
        "valid": verdict.valid,
        "status": verdict.status.value,
    }
    return render(request, TEMPLATE, context)
