"""The platform's current terms of business, for anyone (the registration form links here)."""

from __future__ import annotations

from fastapi import Request, Response

from tenantry.agreements.platform import versions
from tenantry.deps import DbSession
from tenantry.errors import NotFound
from tenantry.models import AgreementKind
from tenantry.registration import storefront
from tenantry.web.rendering import render
from tenantry.web.routing import page_router

router = page_router()
PATH = "/terms-of-business"


@router.get(PATH)
async def terms_of_business(request: Request, session: DbSession) -> Response:
    seller = await storefront.current(request, session)
    terms = await versions.current(session, seller.platform_id, AgreementKind.PLATFORM_TERMS)
    if terms is None:
        raise NotFound("no terms of business are published")
    context = {"version": terms, "applies_from": versions.applies_from(terms), "seller": seller}
    return render(request, "registration/terms.html", context)
