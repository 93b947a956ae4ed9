"""The one-time link to a new tenant's first administrator sign-in.

``GET`` shows only a button: mail scanners that fetch every link in a message would otherwise use
the link up before the person sees it. Pressing it (``POST``, with a signed double-submit CSRF
token as the other pages reached from emailed links) shows the user name and password once and
erases them. The answer is never cached and sends no referrer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog
from fastapi import Request, Response

from tenantry.deps import AppSettings, DbSession
from tenantry.identity.email.tokens import Refusal, TokenRefused
from tenantry.partnercenter.access import PartnerCenterAccess
from tenantry.settings import Settings
from tenantry.tenants.new_tenant import credentials
from tenantry.web.forms import CSRF_FIELD, text
from tenantry.web.rendering import render
from tenantry.web.routing import page_router
from tenantry.web.signed_forms import SignedFormCookie

router = page_router()
log = structlog.get_logger("tenantry.tenants")

FORM = SignedFormCookie("tenantry_credentials_csrf", "tenantry.new-tenant-credentials")
PRIVATE = {"Cache-Control": "no-store", "Pragma": "no-cache", "Referrer-Policy": "no-referrer"}
REFUSED = {
    Refusal.UNKNOWN: "This link is not valid. Copy the whole link from the email.",
    Refusal.USED: (
        "This link was used already: the sign-in is shown once and was then deleted. If you did "
        "not copy it, ask your seller to reset the administrator's password in Partner Center."
    ),
    Refusal.EXPIRED: (
        "This link has expired and the sign-in was deleted. Ask your seller to reset the "
        "administrator's password in Partner Center."
    ),
}


def _page(
    request: Request, settings: Settings, name: str, context: Mapping[str, Any],
    *, status_code: int = 200,
) -> Response:  # fmt: skip
    request.state.csrf_token = None
    token = FORM.token_for(request, settings)
    response = render(
        request, name, {"form_token": token, **context}, status_code=status_code, headers=PRIVATE
    )
    FORM.attach(response, settings, token)
    return response


def _refused(request: Request, settings: Settings, reason: Refusal) -> Response:
    log.info("credentials link refused", reason=reason.value)
    context = {"message": REFUSED[reason], "initial_domain": None}
    return _page(request, settings, "tenants/new_tenant_refused.html", context, status_code=410)


@router.get(credentials.LINK_PATH)
async def credentials_link(
    request: Request, session: DbSession, settings: AppSettings, token: str = ""
) -> Response:
    try:
        row = await credentials.peek(session, token)
    except TokenRefused as exc:
        return _refused(request, settings, exc.reason)
    context = {"token": token, "initial_domain": row.initial_domain, "expires_at": row.expires_at}
    return _page(request, settings, "tenants/new_tenant_collect.html", context)


@router.post(credentials.LINK_PATH)
async def reveal_credentials(
    request: Request, session: DbSession, settings: AppSettings
) -> Response:
    form = await request.form()
    token = text(form, "token")
    submitted = form.get(CSRF_FIELD)
    if not FORM.accepts(request, settings, submitted if isinstance(submitted, str) else None):
        try:
            row = await credentials.peek(session, token)
        except TokenRefused as exc:
            return _refused(request, settings, exc.reason)
        context = {
            "token": token, "initial_domain": row.initial_domain, "expires_at": row.expires_at,
            "message": "This form has expired. Press the button again.",
        }  # fmt: skip
        return _page(request, settings, "tenants/new_tenant_collect.html", context, status_code=403)
    try:
        revealed = await credentials.reveal(session, settings, token)
    except TokenRefused as exc:
        return _refused(request, settings, exc.reason)
    access: PartnerCenterAccess = request.app.state.partner_center
    context = {
        "initial_domain": revealed.initial_domain,
        "user_name": revealed.credentials.user_name,
        "password": revealed.credentials.password,
        "sign_in_url": access.config().admin_center_url,
    }
    return _page(request, settings, "tenants/new_tenant_credentials.html", context)
