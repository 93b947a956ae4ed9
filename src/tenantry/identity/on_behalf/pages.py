"""Pages of login on behalf: "Open as this customer" on a customer's page, and End in the banner.

Both are form posts with the session's CSRF token. Starting needs a signed-in browser session
(``PageActor`` also accepts API tokens, which are refused); ending works whatever became of the
customer meanwhile (blocked, moved), so it reads the session itself rather than its actor.
"""

from __future__ import annotations

import uuid

from fastapi import Request, Response

from tenantry.deps import AppSettings, DbSession
from tenantry.errors import Forbidden, Unauthorized
from tenantry.identity import auth
from tenantry.identity.on_behalf import service as on_behalf
from tenantry.models import AuthSession
from tenantry.web.forms import CSRF_FIELD, text, tokens_match
from tenantry.web.routing import PageActor, go_to, page_router

router = page_router()
ENDED_DONE = "on_behalf_ended"


# Declared before /on-behalf/{organization_id}, which would otherwise take "end" for an id.
@router.post("/on-behalf/end")
async def end_on_behalf(request: Request, session: DbSession) -> Response:
    """End acting for the customer and go back to its page, in one's own organization."""
    form = await request.form()
    secret = request.cookies.get(auth.SESSION_COOKIE)
    auth_session = await auth.load_session(session, secret) if secret else None
    if auth_session is None:
        raise Unauthorized("sign in first")
    if not tokens_match(auth_session.csrf_token, text(form, CSRF_FIELD)):
        raise Forbidden("the form is missing its CSRF token or it does not match; reload the page")
    window = await on_behalf.end(session, auth_session, on_behalf.EndReason.ENDED)
    if window is None:  # ended already (a second click, or it ran out and was recorded)
        return go_to(request, "/organizations")
    return go_to(request, f"/organizations/{window.customer_id}?done={ENDED_DONE}")


@router.post("/on-behalf/{organization_id}")
async def start_on_behalf(
    organization_id: uuid.UUID,
    request: Request,
    session: DbSession,
    settings: AppSettings,
    actor: PageActor,
) -> Response:
    """Act for one of one's customers, as its admin, and open its catalog."""
    auth_session: AuthSession | None = getattr(request.state, "auth_session", None)
    await on_behalf.start(session, settings, auth_session, actor, organization_id)
    return go_to(request, on_behalf.STORE_PATH)
